"""The code a reflection writes before any code is asked for, found so Phase 2 does not copy it.

Phase 1 asks for a strategy in prose. A small model often writes code into it anyway: a code
block, or TODO lines such as `if len(s) > best: best = len(s)` and `return best`. Phase 2,
told to follow the strategy, then copies those lines, bugs included, even where the plan
alone leads it to right code (seen on the tuning split: every answer following such a
strategy repeated its wrong `return`, while the answers from the plan alone passed).

`without_code` drops those lines, read from their syntax only: a fenced code block, and a line
whose text, or one of whose `inline code` spans, is a Python statement that does the work
(an assignment, `return`, `raise`, a loop or branch, a clause such as `else:`). What names
things stays: prose, paths, names, `def`/`class` lines (signatures), calls and asserts that
restate the plan's examples.
"""

from __future__ import annotations

import ast
import re

__all__ = ["without_code", "code_lines"]

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_SPAN = re.compile(r"`([^`\n]+)`")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_CLAUSE = re.compile(r"^(?:else|try|finally)\s*:|^(?:elif|except|with|while|for|if)\b.*:\s*$")
_WORK = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Raise, ast.If, ast.For, ast.While,
         ast.Try, ast.With, ast.Delete, ast.Global, ast.Nonlocal, ast.Break, ast.Continue)


def _does_work(text: str) -> bool:
    """Whether `text` is one or more Python statements of the kind that implement, not name."""
    text = text.strip().rstrip(";")
    if not text or text[0].isspace():
        return False
    if _CLAUSE.match(text):
        return True
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    if not tree.body or (isinstance(tree.body[0], ast.AnnAssign) and tree.body[0].value is None):
        return False  # `name: Type` describes a parameter or a field
    return any(isinstance(node, _WORK) for node in tree.body)


def _line_does_work(line: str) -> bool:
    bare = _BULLET.sub("", line).strip()
    if bare.startswith("`") and bare.endswith("`") and bare.count("`") == 2:
        bare = bare[1:-1]
    return _does_work(bare) or any(_does_work(span) for span in _SPAN.findall(line))


def code_lines(text: str) -> list[int]:
    """The 0-based numbers of the lines that are code: fences, their contents, working statements."""
    found, fence = [], None
    for i, line in enumerate(text.splitlines()):
        m = _FENCE.match(line)
        if fence is not None:
            found.append(i)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
        elif m:
            fence = m.group(1)
            found.append(i)
        elif _line_does_work(line):
            found.append(i)
    return found


def without_code(text: str) -> str:
    """`text` without its code lines (see the module's docstring)."""
    drop = set(code_lines(text))
    if not drop:
        return text
    kept = [line for i, line in enumerate(text.splitlines()) if i not in drop]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip() + "\n"
