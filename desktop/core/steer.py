"""Keep Phase 2 writing the definitions the plan asks for instead of copying the file.

Seen on held-out tasks with Qwen2.5-Coder-1.5B: told to write only what changes, the model
still starts at a file's first line and copies it; the answer budget runs out long before it
reaches the new method, and the copy changes nothing. Two measures, both grounded in the plan:

- `Steer.opening()`: the reply starts with the first definition the plan spells out (its
  file, a code fence and the exact `def` line from the plan; a method under its class line).
- `Steer.copy_start()` / `Steer.redirect()`: while the answer streams, a `def` line of a
  function the file already has and that neither the plan nor the checklist names is the
  start of a copy. The answer is cut at that line and goes on at the next planned
  definition not written yet, or the block is closed and the turn ends.

Only definitions are steered: everything else the model writes is kept as it wrote it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from desktop.core.checklist import Checklist
from desktop.core.signatures import _BACKTICKED_DEF, plan_signatures

__all__ = ["Target", "Steer", "Cut"]

_DEF_LINE = re.compile(r"^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(")
_CLASS_LINE = re.compile(r"^class\s+([A-Za-z_]\w*)")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_TICKED = re.compile(r"`([^`\n]+)`")
_WORD = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class Target:
    """A definition the plan asks for: where it goes and the line that starts it."""

    name: str
    path: str
    header: str  # the `def ...:` line, unindented
    owner: str | None = None  # the class of a method

    def opening(self) -> str:
        """The definition's first lines in a fresh code block."""
        if self.owner:
            return f"class {self.owner}:\n    {self.header}\n"
        return f"{self.header}\n"


@dataclass(frozen=True)
class Cut:
    at: int  # offset in the answer where the copy starts (a line start)
    name: str  # the existing function it started to copy


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    a = fn.args
    return ast.dump(ast.arguments(
        posonlyargs=[ast.arg(x.arg) for x in a.posonlyargs], args=[ast.arg(x.arg) for x in a.args],
        vararg=ast.arg(a.vararg.arg) if a.vararg else None, kwonlyargs=[ast.arg(x.arg) for x in a.kwonlyargs],
        kw_defaults=a.kw_defaults, kwarg=ast.arg(a.kwarg.arg) if a.kwarg else None, defaults=a.defaults,
    ))


def _header(plan_text: str, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The `def` line as the plan writes it (its spacing, not ast.unparse's)."""
    for m in _BACKTICKED_DEF.finditer(plan_text):
        source = re.sub(r"^(?:@\w+\s+)+", "", m.group(1).strip())
        if re.match(rf"(?:async\s+)?def\s+{re.escape(fn.name)}\s*\(", source) and "\n" not in source:
            return source if source.endswith(":") else source + ":"
    head = ast.unparse(fn).split("\n", 1)[0]
    return head if head.endswith(":") else head + ":"


class _Module:
    """What one Python file of the codebase defines."""

    def __init__(self, text: str) -> None:
        self.functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}  # at any level
        self.top: set[str] = set()  # module-level functions
        self.methods: dict[str, set[str]] = {}  # class -> its methods
        try:
            tree = ast.parse(text)
        except SyntaxError:
            tree = ast.Module(body=[], type_ignores=[])
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(node.name, []).append(node)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.top.add(node.name)
            elif isinstance(node, ast.ClassDef):
                self.methods[node.name] = {
                    n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                }

    @property
    def classes(self) -> set[str]:
        return set(self.methods)

    def has(self, name: str, *, indented: bool, owner: str | None) -> bool:
        """Whether the file already defines `name` where a def line at this place would put it."""
        if not indented:
            return name in self.top
        if owner is not None:
            return name in self.methods.get(owner, ())  # a new class's methods are all new
        return any(name in names for names in self.methods.values())


class Steer:
    """Targets from the plan, and the copy check, for one run.

    `files` maps the codebase's Python files (relative paths) to their current text.
    """

    def __init__(
        self, plan_text: str, files: dict[str, str], checklist: Checklist, *, fallback_path: str | None = None
    ) -> None:
        self.modules = {path: _Module(text) for path, text in files.items() if path.endswith(".py")}
        ticked = " ".join(_TICKED.findall(plan_text))
        self.allowed = set(_WORD.findall(ticked)) | set(checklist.names)
        self.targets = self._targets(plan_text, checklist, fallback_path)
        self.allowed |= {t.name for t in self.targets}

    # -- targets -------------------------------------------------------------------------

    def _targets(self, plan_text: str, checklist: Checklist, fallback: str | None) -> list[Target]:
        found: list[Target] = []
        for name, variants in plan_signatures(plan_text).items():
            fn = variants[0]
            existing = [(p, f) for p, m in self.modules.items() for f in m.functions.get(name, [])]
            if existing and any(_params(f) == _params(fn) for _, f in existing):
                continue  # the plan quotes a definition that is already there
            at = plan_text.find(f"def {name}")
            args = fn.args.posonlyargs + fn.args.args
            is_method = bool(args) and args[0].arg in ("self", "cls")
            owner = self._owner(plan_text[:at], name) if is_method else None
            if existing:
                path = existing[0][0]
            elif owner:
                path = next(p for p, m in self.modules.items() if owner in m.classes)
            else:
                path = self._nearest_path(plan_text, at, checklist) or fallback
            if is_method and owner is None or path is None:
                continue  # cannot tell where it goes: leave it to the model
            found.append(Target(name, path, _header(plan_text, fn), owner))
        return found

    def _owner(self, before: str, name: str) -> str | None:
        """The class a planned method belongs to: `Class.name`, else the nearest class named before it."""
        classes = {c: p for p, m in self.modules.items() for c in m.classes}
        dotted = [c for c in classes if f"{c}.{name}" in before or f"`{c}.{name}`" in before]
        if len(dotted) == 1:
            return dotted[0]
        best, best_at = None, -1
        for c in classes:
            for m in re.finditer(rf"\b{re.escape(c)}\b", before):
                if m.start() > best_at:
                    best, best_at = c, m.start()
        return best

    def _nearest_path(self, plan_text: str, at: int, checklist: Checklist) -> str | None:
        best, best_at = None, -1
        for path in self.modules:
            for m in re.finditer(re.escape(path), plan_text[:at]):
                if m.start() > best_at:
                    best, best_at = path, m.start()
        if best:
            return best
        return next((f for f in checklist.files if f in self.modules), None)

    def opening(self) -> str:
        """The start of Phase 2's reply: the first target in its file's code block, or ""."""
        if not self.targets:
            return ""
        t = self.targets[0]
        return f"{t.path}\n```python\n{t.opening()}"

    # -- while streaming -----------------------------------------------------------------

    def _scan(self, text: str):
        """(line start, line, current file, inside a code block, open class) for each complete line."""
        path, in_block, owner, pos = None, False, None, 0
        for line in text.splitlines(keepends=True):
            start, pos = pos, pos + len(line)
            if not line.endswith("\n"):
                return  # not complete yet
            stripped = line.strip().strip("`*#: ").strip()
            if _FENCE.match(line):
                in_block, owner = not in_block, None
            elif stripped in self.modules:
                path = stripped  # a path line, or `# path` as a block's first line
            elif in_block and line.strip() and not line[0].isspace():
                m = _CLASS_LINE.match(line)
                owner = m.group(1) if m else None
            yield start, line, path, in_block, owner

    def copy_start(self, text: str, *, after: int = 0) -> Cut | None:
        """The first complete line at or after `after` that starts copying an existing function."""
        for start, line, path, in_block, owner in self._scan(text):
            m = _DEF_LINE.match(line) if in_block and start >= after else None
            if m is None or path not in self.modules:
                continue
            name, indented = m.group(2), bool(m.group(1))
            if name not in self.allowed and self.modules[path].has(name, indented=indented, owner=owner):
                return Cut(start, name)
        return None

    def redirect(self, text: str, cut: Cut, *, written: str, end: bool = False) -> tuple[str, bool]:
        """The answer cut at `cut`, then the next target not in `written` (or the block closed).

        Returns the new answer text and whether generation should go on from it. With `end`
        (no budget left, or stopped) the block is closed whatever remains to write.
        """
        head = text[: cut.at]
        path, in_block, owner = self._state(head)
        todo = [t for t in self.targets if not re.search(rf"\bdef\s+{re.escape(t.name)}\s*\(", written + "\n" + head)]
        if end or not todo:
            return (head + "```\n" if in_block else head), False
        t = todo[0]
        if in_block and t.path == path:
            if t.owner and t.owner == owner:
                return head + f"    {t.header}\n", True
            return head + t.opening(), True
        close = "```\n\n" if in_block else "\n"
        return head + close + f"{t.path}\n```python\n{t.opening()}", True

    def _state(self, head: str) -> tuple[str | None, bool, str | None]:
        """At the end of `head`: the current file, whether a block is open, the open class."""
        state = (None, False, None)
        for _, _, path, in_block, owner in self._scan(head):
            state = (path, in_block, owner)
        return state
