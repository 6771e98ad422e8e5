"""What Phase 2 is held to: the reflection's checklist and the names the plan requires.

The reflection ends with a checklist (`FILE `path`` and `NAME `identifier`` lines). The
plan's requirements name functions and classes in backticks. After Phase 2 the answer is
checked against both, and against the names the changed files already defined, so a
repair turn can quote the concrete gap to the model.
"""

from __future__ import annotations

import ast
import builtins
import functools
import re
from dataclasses import dataclass, field

_CHECKLIST_HEADING = re.compile(r"^#{1,6}\s*checklist\b.*$|^\*\*checklist\*\*\s*$", re.I | re.M)
# Small models dress the lines up: `- **FILE `a.py`**`, `- FILE: `a.py``, `1. NAME `f``.
_BULLET = r"^\s*(?:[-*+]|\d+[.)])\s*(?:\*\*|__)?\s*"
_FILE_ITEM = re.compile(_BULLET + r"FILE\s*:?\s*(?:\*\*|__)?\s*:?\s*`([^`]+)`", re.I | re.M)
_NAME_ITEM = re.compile(_BULLET + r"NAME\s*:?\s*(?:\*\*|__)?\s*:?\s*`([A-Za-z_][\w.]*)", re.I | re.M)
# `- `path/to/file.py`: `name`, `other`` (a file and the names it gets, without the keywords).
_PATH_ITEM = re.compile(_BULLET + r"`([\w./-]+\.\w+)`(?:\*\*)?[ \t]*:?(.*)$", re.M)
_TICKED_NAME = re.compile(r"`([A-Za-z_][\w.]*)`")
# `name(` in backticks: a callable the plan asks for; `Name` alone is too vague to enforce.
# A backticked callable on one line: not a fence's language tag followed by a line that starts
# with "(" (```text then (223) 456-7890).
_PLAN_CALLABLE = re.compile(r"(?<!`)`(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)[ \t]*\(")
_PLAN_CLASS = re.compile(r"\bclass\s+`?([A-Z]\w*)`?")


_BUILTINS = frozenset(dir(builtins))


@dataclass
class Checklist:
    files: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = [f"- FILE `{f}`" for f in self.files] + [f"- NAME `{n}`" for n in self.names]
        return "\n".join(lines)

    def __bool__(self) -> bool:
        return bool(self.files or self.names)


def parse_checklist(reflection: str) -> Checklist:
    """Read the checklist the reflection ended with; the whole text if it has no heading."""
    match = None
    for match in _CHECKLIST_HEADING.finditer(reflection):
        pass  # the last checklist heading wins
    text = reflection[match.end():] if match else reflection
    files = [m.group(1).strip() for m in _FILE_ITEM.finditer(text)]
    names = [m.group(1).split(".")[-1] for m in _NAME_ITEM.finditer(text)]
    if match is not None and not files and not names:
        for m in _PATH_ITEM.finditer(text):
            files.append(m.group(1))
            names += [n.split(".")[-1] for n in _TICKED_NAME.findall(m.group(2))]
    return Checklist(files=_unique(files), names=_unique(names))


def plan_required_names(requirements_text: str) -> list[str]:
    """Callables and classes the plan's requirements name explicitly (not builtins: `ValueError(...)`)."""
    names = [m.group(1) for m in _PLAN_CALLABLE.finditer(requirements_text)]
    names += [m.group(1) for m in _PLAN_CLASS.finditer(requirements_text)]
    return [n for n in _unique(names) if n not in _BUILTINS]


def defined_names(source: str) -> set[str]:
    """Functions, classes and assigned names defined anywhere in a Python module."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(re.findall(r"^\s*(?:def|class)\s+(\w+)", source, re.M))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
    for node in tree.body:
        if isinstance(node, ast.Assign):
            found.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
    return found


@functools.lru_cache(maxsize=64)
def _flakes(source: str, filename: str) -> tuple:
    """pyflakes' messages on a module, read once per text (empty when it does not parse)."""
    from pyflakes import checker

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ()
    return tuple(checker.Checker(tree, filename=filename).messages)


def undefined_names(source: str, *, filename: str = "<module>") -> dict[str, int]:
    """Names a module uses but never defines or imports (pyflakes), with their first line."""
    from pyflakes import messages

    found: dict[str, int] = {}
    for m in _flakes(source, filename):
        if isinstance(m, messages.UndefinedName):
            found.setdefault(m.message_args[0], m.lineno)
    return found


def unbound_locals(source: str, *, filename: str = "<module>") -> dict[str, int]:
    """Names a function reads before it assigns them (pyflakes' UndefinedLocal: Python makes
    them local, so the read raises UnboundLocalError), with the line of the read."""
    from pyflakes import messages

    found: dict[str, int] = {}
    for m in _flakes(source, filename):
        if isinstance(m, messages.UndefinedLocal):
            found.setdefault(m.message_args[0], m.lineno)
    return found


def check_names(
    *,
    required: list[str],
    changed: dict[str, tuple[str | None, str]],
    codebase_mentions: set[str],
) -> list[str]:
    """Problems for a repair turn. `changed` maps path -> (old text or None, new text)."""
    problems = []
    new_texts = "\n".join(new for _, new in changed.values())
    for name in required:
        if name in codebase_mentions:
            continue  # already exists somewhere: nothing to add
        if not re.search(rf"\b{re.escape(name)}\b", new_texts):
            problems.append(f"The plan requires `{name}`, but no edit defines it.")
    for path, (old, new) in changed.items():
        if old is None or not path.endswith(".py"):
            continue
        lost = sorted(defined_names(old) - defined_names(new))
        if lost:
            shown = ", ".join(f"`{n}`" for n in lost[:8])
            problems.append(f"{path}: the change removes {shown}, which the file defined. Keep existing code.")
    for path, (old, new) in changed.items():
        if not path.endswith(".py"):
            continue
        before = undefined_names(old) if old is not None else {}
        for name, line in undefined_names(new, filename=path).items():
            if name not in before:
                problems.append(f"{path} line {line}: `{name}` is used but never defined or imported "
                                "in that file. Import it or define it.")
        before = unbound_locals(old) if old is not None else {}
        for name, line in unbound_locals(new, filename=path).items():
            if name not in before:
                problems.append(f"{path} line {line}: `{name}` is read before the function assigns it, so "
                                "Python takes it for a local and the read fails (UnboundLocalError). "
                                f"Declare `global {name}` or `nonlocal {name}`, or give the local another name.")
    return problems


def _unique(items) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return list(seen)
