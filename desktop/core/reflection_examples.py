"""The plan's examples as checks: the Python code block at the end of a reflection.

When example checks are on, Phase 1 ends its strategy with one Python code block that turns
the plan's examples into `assert` lines. The user reads and edits it with the reflection.
Phase 2 gets the strategy without it (it is a check of the code, not part of it); the checks
run it on a scratch copy. A block the reflection's budget cut short keeps its complete lines.

The checks test the codebase's code, not a copy of it: a top-level `def` or `class` in the
block with the name of a module-level definition of the codebase is left out, and a name of
the codebase the block uses without importing it is imported from its module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from desktop.core.py_facts import ModuleFacts

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


def module_of(path: str) -> str | None:
    """`pkg/mod.py` -> `pkg.mod`, `pkg/__init__.py` -> `pkg`; None for a path no import reaches."""
    if not path.endswith(".py"):
        return None
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def codebase_names(files: Mapping[str, str]) -> dict[str, str]:
    """Each module-level function and class of the files, with the module that defines it (the first file wins)."""
    names: dict[str, str] = {}
    for path, text in files.items():
        module = module_of(path)
        if module is None:
            continue
        for d in ModuleFacts(text).definitions:
            if d.owner is None:
                names.setdefault(d.name, module)
    return names


def checks_for(code: str, names: Mapping[str, str]) -> str:
    """The examples as they run: without copies of the codebase's definitions, with its imports."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    lines = code.splitlines()
    drop: set[int] = set()
    bound: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in names:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            drop.update(range(start, node.end_lineno + 1))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    used = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    missing = [n for n in dict.fromkeys(used) if n in names and n not in bound]
    imports = [f"from {names[n]} import {n}" for n in missing]
    kept = [line for i, line in enumerate(lines, 1) if i not in drop]
    return "\n".join(imports + kept).strip()
