"""Changes that would break a file if applied as they are: left unticked, with the reason.

A Python file that parsed before the change and does not after it, a change that drops
definitions the file had (a function, a class, a method) that other files of the codebase use,
or one that replaces most of a file (it keeps under half of the file's lines of code and leaves
it under half as long: a whole-file answer cut short, say) starts unticked in the review, its
reason in view; the user can still tick it, and Apply then asks once. A dropped definition
nothing else names is said in the change's notes but stays ticked. Judged from the code alone
(its syntax tree, its lines and the names in other files), whatever the plan says.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Iterable

from desktop.core.changes import ChangeSet
from desktop.core.py_facts import ModuleFacts

__all__ = ["definitions", "removed_definitions", "replaces_most", "untick_risky_changes"]

# A file with fewer lines of code than this is not judged by how much of it a change keeps
# (a stub is meant to be replaced).
MOST_MIN_LINES = 10


def definitions(source: str) -> set[str] | None:
    """Function and class names, methods as `Class.method`; None when it does not parse."""
    facts = ModuleFacts(source)
    return {d.qualname for d in facts.definitions} if facts.parses else None


def removed_definitions(path: str, old_text: str | None, new_text: str) -> tuple[str, list[str]]:
    """(why the file would no longer parse or "", the definitions the change drops)."""
    if not path.endswith(".py"):
        return "", []
    after = definitions(new_text)
    before = definitions(old_text) if old_text is not None else set()
    if after is None:
        if before is None:
            return "", []  # it did not parse before either: not this change's doing
        try:
            ast.parse(new_text)
        except SyntaxError as exc:
            return f"the file would no longer parse (line {exc.lineno}: {exc.msg})", []
        except ValueError as exc:
            return f"the file would no longer parse ({exc})", []
    return "", sorted((before or set()) - (after or set()))


def _code_lines(path: str, text: str) -> list[str]:
    """The file's lines that hold code, stripped: not blank, and in Python not a comment or a
    docstring."""
    lines = text.splitlines()
    if not path.endswith(".py"):
        return [line.strip() for line in lines if line.strip()]
    skip: set[int] = set()
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        tree = None
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                skip.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return [line.strip() for n, line in enumerate(lines, 1)
            if n not in skip and line.strip() and not line.strip().startswith("#")]


def replaces_most(path: str, *, old_text: str | None, new_text: str) -> str:
    """Why the change replaces most of the file, or "": it keeps under half of the file's lines
    of code and leaves it with under half as many."""
    if old_text is None:
        return ""
    before, after = _code_lines(path, old_text), _code_lines(path, new_text)
    if len(before) < MOST_MIN_LINES:
        return ""
    kept = sum(block.size for block in difflib.SequenceMatcher(None, before, after, autojunk=False).get_matching_blocks())
    if kept * 2 >= len(before) or len(after) * 2 >= len(before):
        return ""
    return f"it replaces most of the file (it keeps {kept} of its {len(before)} lines of code and leaves {len(after)})"


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")


def untick_risky_changes(changeset: ChangeSet, *, other_files: Callable[[], Iterable[tuple[str, str]]] = tuple
                         ) -> list[tuple[str, str]]:
    """Untick each ticked change that would break its file or a file that uses it; (path,
    reason) of each. `other_files()` gives (path, text) of the codebase's files, read only
    when a change drops a definition."""
    found = []
    texts: list[tuple[str, str]] | None = None
    changed = {c.path: c.new_text for c in changeset.changes if c.new_text is not None}
    for change in changeset.changes:
        if change.kind == "rejected" or not change.accepted or change.new_text is None:
            continue
        broken, gone = removed_definitions(change.path, change.old_text, change.new_text)
        reason = broken
        if gone:
            if texts is None:
                texts = list(other_files())
            used = [n for n in gone if any(
                re.search(rf"(?<![\w]){re.escape(n.rsplit('.', 1)[-1])}(?!\w)", changed.get(p, text))
                for p, text in texts if p != change.path)]
            if used:
                reason = f"it removes {_names(used)}, which other files use"
            else:
                change.notes.append(f"it removes {_names(gone)} (no other file uses them)")
        reason = reason or replaces_most(change.path, old_text=change.old_text, new_text=change.new_text)
        if reason:
            change.accepted = False
            change.flag = reason  # the review shows it as the reason the change is not ticked
            found.append((change.path, reason))
    return found
