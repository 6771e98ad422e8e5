"""The plan's examples as checks: the Python code block at the end of a reflection.

When example checks are on, Phase 1 ends its strategy with one Python code block that turns
the plan's examples into `assert` lines. The user reads and edits it with the reflection.
Phase 2 gets the strategy without it (it is a check of the code, not part of it); the checks
run it on a scratch copy. A block the reflection's budget cut short keeps its complete lines.
"""

from __future__ import annotations

import ast
import re

_FENCE = re.compile(r"^```[ \t]*(python|py)?[ \t]*$", re.M | re.I)


def split_examples(reflection: str) -> tuple[str, str]:
    """(the reflection without its last Python block and that block's heading, the block's code)."""
    fences = list(_FENCE.finditer(reflection))
    opening = None
    for i in range(0, len(fences), 2):  # fences pair up: opening, closing
        if fences[i].group(1):
            opening = i
    if opening is None:
        return reflection, ""
    start = fences[opening]
    closing = fences[opening + 1] if opening + 1 < len(fences) else None
    code = reflection[start.end():closing.start() if closing else len(reflection)]
    head = reflection[: start.start()].rstrip()
    lines = head.splitlines()
    if lines and lines[-1].lstrip().startswith("#"):
        head = "\n".join(lines[:-1]).rstrip()  # the block's own heading goes with it
    rest = reflection[closing.end():].strip() if closing else ""
    strategy = head + ("\n\n" + rest if rest else "")
    return strategy.rstrip() + "\n", _complete(code.strip("\n"))


def _complete(code: str) -> str:
    """The longest start of `code` that parses (the budget may cut the last line)."""
    lines = code.splitlines()
    while lines:
        text = "\n".join(lines)
        try:
            ast.parse(text)
            return text.strip()
        except SyntaxError:
            lines.pop()
    return ""
