"""New files an answer adds that nothing asked for: the model's proposals, left unticked.

A new file is asked for when the plan names it (its path or its file name), or when the
code of another change refers to it: imports its module, or names its file. Anything else
(a demo `main.py` that calls the planned function, a copy of the edit format's example) is
shown for review but not ticked, so applying the run does not write it unless the user
ticks it.
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from desktop.core.changes import ChangeSet

__all__ = ["module_names", "imported_modules", "unasked_files", "untick_unasked_files"]

NOTE = "a new file that neither the plan nor the other changes ask for: not ticked (the model's proposal)"


def module_names(path: str) -> set[str]:
    """The names `import` may use for a Python file: `c`, `b.c`, `a.b.c` for `a/b/c.py`."""
    p = PurePosixPath(path)
    if p.suffix != ".py":
        return set()
    parts = list(p.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return {".".join(parts[i:]) for i in range(len(parts))}


def imported_modules(source: str) -> set[str]:
    """Every module name the source imports, with its prefixes and `from m import sub` as `m.sub`."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    found: set[str] = set()

    def add(name: str) -> None:
        pieces = name.split(".")
        found.update(".".join(pieces[:i]) for i in range(1, len(pieces) + 1))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if base:
                add(base)
            for alias in node.names:
                add(f"{base}.{alias.name}" if base else alias.name)
    return found


def _named_in(path: str, text: str) -> bool:
    name = PurePosixPath(path).name
    return path in text or re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text) is not None


def unasked_files(changeset: ChangeSet, *, plan_text: str) -> list[str]:
    """The new files (ticked) that nothing asks for, in order."""
    new = [c for c in changeset.changes if c.kind == "new" and c.accepted and c.new_text is not None]
    found = []
    for change in new:
        others = [c for c in changeset.changes if c is not change and c.new_text and c.kind != "rejected"]
        imported = set().union(*(imported_modules(c.new_text) for c in others if c.path.endswith(".py")))
        if not (_named_in(change.path, plan_text) or module_names(change.path) & imported
                or any(_named_in(change.path, c.new_text) for c in others)):
            found.append(change.path)
    return found


def untick_unasked_files(changeset: ChangeSet, *, plan_text: str) -> list[str]:
    """Untick each new file nothing asks for; the paths unticked, in order."""
    unticked = unasked_files(changeset, plan_text=plan_text)
    for change in changeset.changes:
        if change.path in unticked:
            change.accepted = False
            change.notes.append(NOTE)
    return unticked
