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
from desktop.core.signatures import BACKTICKED_DEF, params, parse_signature

__all__ = ["Target", "Steer", "Cut"]

_DOTTED_SIGNATURE = re.compile(r"`([A-Za-z_]\w*)\.([A-Za-z_]\w*\s*\(\s*(?:self|cls)\b[^`]*)`")
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
    header: str  # the plan's whole `def ...:` line, or just `def name(` for existing code
    owner: str | None = None  # the class of a method

    def line(self, indent: str = "") -> str:
        return indent + self.header + ("\n" if self.header.endswith(":") else "")

    def opening(self) -> str:
        """The definition's first lines in a fresh code block."""
        if self.owner:
            return f"class {self.owner}:\n" + self.line("    ")
        return self.line()


_NAME_SPAN = r"`(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)(?:\([^`]*\))?`"
# "Update `f`", "In `Cls.f`, ...", "`f` gets ...": the plan says this existing function changes.
_CHANGED = (
    re.compile(r"\b(?:update|change|extend|modify|fix|rewrite|replace|adjust|in|into|inside)\s+(?:the\s+)?"
               r"(?:method\s+|function\s+)?" + _NAME_SPAN, re.I),
    re.compile(_NAME_SPAN + r"\s+(?:gets|must|now|should|accepts|takes|also|no longer)\b", re.I),
)


_LIST_MORE = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+)" + _NAME_SPAN)


def _referenced(text: str) -> set[str]:
    """Existing functions a plan says to change: after a change verb (a list too), or as a subject."""
    found = set()
    for pattern in _CHANGED:
        for m in pattern.finditer(text):
            found.add(m.group(1))
            end = m.end()
            while pattern is _CHANGED[0] and (more := _LIST_MORE.match(text, end)):
                found.add(more.group(1))
                end = more.end()
    return found


@dataclass(frozen=True)
class Cut:
    at: int  # offset in the answer where the copy starts (a line start)
    name: str  # the existing function it started to copy (or the planned one it misplaced)
    misplaced: bool = False  # a planned method written into another class


def _drop_empty_headers(head: str) -> str:
    """Drop trailing `class X:` lines left with no body by a cut (they would not parse)."""
    lines = head.splitlines(keepends=True)
    body = [line for line in lines if line.strip()]
    if not body or not _CLASS_LINE.match(body[-1]):
        return head  # the last class has a body (or there is none)
    while lines and (not lines[-1].strip() or _CLASS_LINE.match(lines[-1]) or lines[-1].startswith("@")):
        lines.pop()
    return "".join(lines)


def _close(head: str, in_block: bool) -> str:
    """Close the open code block; a block left empty goes, with its path line."""
    if not in_block:
        return head
    lines = head.splitlines(keepends=True)
    if lines and _FENCE.match(lines[-1]):
        lines.pop()  # the fence of an empty block
        if lines and lines[-1].strip() and not _FENCE.match(lines[-1]):
            lines.pop()  # its path line
        return "".join(lines).rstrip("\n") + "\n" if lines else ""
    return head + "```\n"


class _Module:
    """What one Python file of the codebase defines."""

    def __init__(self, text: str) -> None:
        self.functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}  # at any level
        self.top: set[str] = set()  # module-level functions
        self.methods: dict[str, set[str]] = {}  # class -> its methods
        self.order: list[tuple[str, str | None, bool]] = []  # (name, class, async) in file order
        self.errors: dict[str, bool] = {}  # class -> whether it is an exception class
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
                self.order.append((node.name, None, isinstance(node, ast.AsyncFunctionDef)))
            elif isinstance(node, ast.ClassDef):
                members = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
                self.methods[node.name] = {n.name for n in members}
                bases = [ast.unparse(b) for b in node.bases]
                self.errors[node.name] = any(re.search(r"(Error|Exception|Warning)$", x) for x in bases + [node.name])
                self.order += [(n.name, node.name, isinstance(n, ast.AsyncFunctionDef)) for n in members]

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
        self,
        plan_text: str,
        files: dict[str, str],
        checklist: Checklist,
        *,
        fallback_path: str | None = None,
        reuse_text: str = "",
    ) -> None:
        """`reuse_text` is the plan's components-to-reuse section: names only there are not changed."""
        self.modules = {path: _Module(text) for path, text in files.items() if path.endswith(".py")}
        self.classes = {c: m.errors[c] for m in self.modules.values() for c in m.methods}
        self.change_text = plan_text.replace(reuse_text, "") if reuse_text else plan_text
        ticked = " ".join(_TICKED.findall(plan_text))
        # The checklist is the model's: its names widen the plan's only where they are new.
        existing = {n for m in self.modules.values() for n in m.functions}
        self.allowed = set(_WORD.findall(ticked)) | (set(checklist.names) - existing)
        self.targets = self._targets(plan_text, checklist, fallback_path)
        self.allowed |= {t.name for t in self.targets}
        self.changes = self._planned_changes(_referenced(self.change_text))

    def _planned_changes(self, named: set[str]) -> list[Target]:
        """Existing functions the plan names outside its reuse section, in file order."""
        taken = {t.name for t in self.targets}
        found = []
        for path, module in self.modules.items():
            for name, owner, is_async in module.order:
                if name in named and name not in taken:
                    taken.add(name)
                    found.append(Target(name, path, f"{'async ' if is_async else ''}def {name}(", owner))
        return found

    # -- targets -------------------------------------------------------------------------

    def _targets(self, plan_text: str, checklist: Checklist, fallback: str | None) -> list[Target]:
        found: list[Target] = []
        spans = [(m.start(), m.group(0), m.group(1), None) for m in BACKTICKED_DEF.finditer(plan_text)]
        # `Class.name(self, ...) -> T`: a method signature written with its class.
        for m in _DOTTED_SIGNATURE.finditer(plan_text):
            if m.group(1) in self.classes:
                spans.append((m.start(), m.group(0), f"def {m.group(2)}", m.group(1)))
        for at, span, written, named_owner in sorted(spans):
            parsed = parse_signature(written)
            if parsed is None or "\n" in parsed[0]:
                continue
            source, fn = parsed
            name = fn.name
            existing = [(p, f) for p, mod in self.modules.items() for f in mod.functions.get(name, [])]
            if existing and any(params(f) == params(fn) for _, f in existing):
                continue  # the plan quotes a definition that is already there
            args = fn.args.posonlyargs + fn.args.args
            is_method = bool(args) and args[0].arg in ("self", "cls")
            owner = named_owner or (self._owner(plan_text, at, span) if is_method else None)
            if is_method and owner is None:
                continue  # cannot tell which class: leave it to the model
            if existing and (owner is None or any(o == owner for o in self._owners(name))):
                path = existing[0][0]
            elif owner:
                path = next(p for p, mod in self.modules.items() if owner in mod.methods)
            else:
                path = self._nearest_path(plan_text, at, checklist) or fallback
            if path is None or path not in self.modules:
                continue  # a new file: the model writes it whole, imports first
            if any(t.name == name and t.owner == owner for t in found):
                continue
            header = source if source.endswith(":") else source + ":"
            found.append(Target(name, path, header, owner))
        return found

    def _owners(self, name: str) -> list[str | None]:
        return [o for mod in self.modules.values() for n, o, _ in mod.order if n == name]

    def _owner(self, plan_text: str, at: int, span: str) -> str | None:
        """The class a planned method belongs to, scored on how the plan mentions classes.

        "to `Class`" after the signature on its line, then on the line before, `Class.member`
        outside the reuse section, a mention on those lines (not inside the signature: a return
        type is rarely the owner), any mention before it; exception classes never own planned
        methods. Ties go to the nearest mention before the signature.
        """
        line_start = plan_text.rfind("\n", 0, at) + 1
        window_start = plan_text.rfind("\n", 0, max(line_start - 1, 0)) + 1
        line_end = plan_text.find("\n", at + len(span))
        rest = plan_text[at + len(span): line_end if line_end >= 0 else None]
        window = plan_text[window_start:at] + rest
        before = plan_text[:at]
        best, best_key = None, None
        for c, is_error in self.classes.items():
            if is_error:
                continue
            word = re.compile(rf"\b{re.escape(c)}\b")
            explicit = re.compile(rf"\b(?:to|in|on|of)\s+(?:the\s+)?`{re.escape(c)}`")
            score = (10 * bool(explicit.search(rest)) + 6 * bool(explicit.search(window)) + 3 * bool(re.search(rf"\b{re.escape(c)}\.\w", self.change_text))
                     + 2 * bool(word.search(window)) + bool(word.search(before)))
            last = max((m.start() for m in word.finditer(before)), default=-1)
            key = (score, last)
            if score and (best_key is None or key > best_key):
                best, best_key = c, key
        return best

    def _nearest_path(self, plan_text: str, at: int, checklist: Checklist) -> str | None:
        """The `.py` path the plan names last before the signature (a new file too), else the checklist's."""
        line_end = plan_text.find("\n", at)
        upto = plan_text[: line_end if line_end >= 0 else None]
        paths = [(m.start(), m.group(1)) for m in re.finditer(r"`([\w./-]+\.py)`", upto)]
        # On the signature's own line, a path after it counts too ("... in `a/b.py`").
        if paths:
            return max(paths)[1]
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
        """The first complete line at or after `after` that starts copying an existing function,
        or that puts a planned method into another class than the plan's.

        The cut starts at the function's decorators, if it has any.
        """
        decorated_at = None
        for start, line, path, in_block, owner in self._scan(text):
            if in_block and line.lstrip().startswith("@"):
                decorated_at = start if decorated_at is None else decorated_at
                continue
            m = _DEF_LINE.match(line) if in_block and start >= after else None
            cut_at, decorated_at = (start if decorated_at is None else decorated_at), None
            if m is None or path not in self.modules or cut_at < after:
                continue
            name, indented = m.group(2), bool(m.group(1))
            if name not in self.allowed and self.modules[path].has(name, indented=indented, owner=owner):
                return Cut(cut_at, name)
            owners = {t.owner for t in self.targets if t.name == name}
            if owners and None not in owners and (indented and owner is not None and owner not in owners
                                                  or not indented and path in {t.path for t in self.targets if t.name == name}):
                return Cut(cut_at, name, misplaced=True)  # into another class, or out of any class
        return None

    def _written(self, text: str) -> list[tuple[str | None, str]]:
        """(class, name) of each def line in code blocks; class None for a top-level or loose def."""
        found = []
        for _, line, _, in_block, owner in self._scan(text if text.endswith("\n") else text + "\n"):
            m = _DEF_LINE.match(line) if in_block else None
            if m:
                found.append((owner if m.group(1) else None, m.group(2)))
        return found

    def redirect(self, text: str, cut: Cut, *, written: str, end: bool = False) -> tuple[str, bool]:
        """The answer cut at `cut`, then the next target not in `written` (or the block closed).

        Returns the new answer text and whether generation should go on from it. With `end`
        (no budget left, or stopped) the block is closed whatever remains to write.
        """
        head = _drop_empty_headers(text[: cut.at])
        path, in_block, owner = self._state(head)
        defs = self._written(written) + self._written(head)
        todo, seen = [], {}
        for t in self.targets + self.changes:  # the k-th target of a name is done when k+1 defs are
            seen[(t.owner, t.name)] = seen.get((t.owner, t.name), 0) + 1
            count = sum(1 for o, n in defs if n == t.name and (o == t.owner or o is None))
            if count < seen[(t.owner, t.name)]:
                todo.append(t)
        if end or not todo:
            return _close(head, in_block), False
        here = [t for t in todo if in_block and t.path == path]
        t = here[0] if here else todo[0]  # stay in the file being written
        if in_block and t.path == path:
            if t.owner and t.owner == owner:
                return head + t.line("    "), True
            return head + t.opening(), True
        return _close(head, in_block) + f"\n{t.path}\n```python\n{t.opening()}", True

    def _state(self, head: str) -> tuple[str | None, bool, str | None]:
        """At the end of `head`: the current file, whether a block is open, the open class."""
        state = (None, False, None)
        for _, _, path, in_block, owner in self._scan(head):
            state = (path, in_block, owner)
        return state
