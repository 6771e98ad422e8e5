"""Keep Phase 2 writing the definitions the work goes into, read from the code alone.

Seen on held-out tasks with Qwen2.5-Coder-1.5B: the model starts at a file's first line and
copies it, and the answer budget runs out before it reaches the code that changes. The rules
here look only at the code and at what the model writes, never at the plan's wording:

- Targets: every stub in the packed files (a body of only `pass`, `...`, `raise
  NotImplementedError` or a docstring), the ones the plan names first; then the `def` lines
  the plan writes out that no file has yet.
- `Steer.opening()`: the reply starts at the first target. For a file written whole, that is
  the file's own text up to its first stub's body (never past a placeholder body, which the
  model would go on copying), so the model writes the body next, or up to the first upper-case
  constant set to None above it (a value left for the answer, as in Exercism's `YACHT = None`
  stubs: started below it, the answer had to keep it None); for a file changed by
  definitions, the stub's `def` line (under its class line). `Steer.repair_opening()` starts
  a repair the same way while a file written whole still holds a stub.
- `Steer.copy_start()`: in a file changed by definitions, a definition the model has written
  out line for line as the file has it (at least `MIN_COPY_LINES` lines) is a copy. While a
  target is still unwritten, the copy is cut and the answer goes on at that target; with
  nothing left to steer to, the copy stays (it changes nothing) and the model goes on.
- `Steer.block_opening()`: a turn that ended without any code block goes on in one, at the
  first target's file.
- `Steer.reopen()`: a file written whole whose code block closed without one of its targets
  (the model wrote a class of its own instead of the stubs) goes on at that target's `def` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.core.plan_spec import PlanSpec
from desktop.core.py_facts import ModuleFacts

__all__ = ["Target", "Steer", "Cut", "MIN_COPY_LINES"]

MIN_COPY_LINES = 3
_DEF_LINE = re.compile(r"^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(")
_CLASS_LINE = re.compile(r"^class\s+([A-Za-z_]\w*)")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


@dataclass(frozen=True)
class Target:
    """A definition the answer must write: where it goes and the lines that start it."""

    name: str
    path: str
    header: str  # the `def` line (and docstring) to start it with, indented as in a class
    owner: str | None = None  # the class of a method

    def opening(self) -> str:
        """The definition's first lines in a fresh code block."""
        if self.owner:
            return f"class {self.owner}:\n" + self.header
        return self.header


@dataclass(frozen=True)
class Cut:
    at: int  # offset in the answer where the copy starts (a line start)
    name: str  # the existing definition it copied


def _close(head: str, in_block: bool) -> str:
    """Close the open code block; a block left empty goes, with its path line."""
    if not in_block:
        return head
    lines = head.splitlines(keepends=True)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and _FENCE.match(lines[-1]):
        lines.pop()  # the fence of an empty block
        if lines and lines[-1].strip() and not _FENCE.match(lines[-1]):
            lines.pop()  # its path line
        return "".join(lines).rstrip("\n") + "\n" if lines else ""
    return "".join(lines).rstrip("\n") + "\n```\n"


class Steer:
    """Targets and the copy check for one run.

    `files` maps the packed Python files (relative paths, best-ranked first) to their text;
    `whole` holds the ones the answer writes whole (see `edit_formats`).
    """

    def __init__(self, spec: PlanSpec, files: dict[str, str], *, whole: set[str] | frozenset[str] = frozenset(),
                 fallback_path: str | None = None) -> None:
        self.spec = spec
        self.facts = {path: ModuleFacts(text) for path, text in files.items() if path.endswith(".py")}
        self.whole = set(whole)
        self.fallback_path = fallback_path or next(iter(self.facts), None)
        self.targets = self._stub_targets() + self._planned_targets()

    def _stub_targets(self) -> list[Target]:
        found = []
        for path, facts in self.facts.items():
            for d in facts.stubs:
                found.append((not self.spec.mentions(d.name), Target(d.name, path, facts.header(d), d.owner)))
        return [t for _, t in sorted(found, key=lambda pair: pair[0])]  # stable: rank order kept

    def _planned_targets(self) -> list[Target]:
        """`def` lines the plan writes out that no packed file defines yet (with these parameters)."""
        found: list[Target] = []
        for planned in self.spec.definitions:
            if any(f.find(planned.name, planned.owner) for f in self.facts.values()):
                continue  # the plan quotes or changes existing code: the model decides where
            args = planned.fn.args.posonlyargs + planned.fn.args.args
            is_method = bool(args) and args[0].arg in ("self", "cls")
            path = planned.path_before(self.spec.text) or self.fallback_path
            owner = planned.owner
            if is_method and owner is None and path in self.facts:
                classes = [d.name for d in self.facts[path].definitions if d.kind == "class"]
                owner = classes[0] if len(classes) == 1 else None
            if path not in self.facts or (is_method and owner is None):
                continue  # a new file (written whole) or a method of an unknown class
            if owner is not None and not self.facts[path].find(owner):
                continue
            if any(t.name == planned.name and t.owner == owner for t in found):
                continue
            indent = "    " if owner else ""
            found.append(Target(planned.name, path, f"{indent}{planned.source}:\n", owner))
        return found

    @property
    def stub_names(self) -> list[tuple[str, str]]:
        """(path, qualified name) of every stub target."""
        return [(p, d.qualname) for p, f in self.facts.items() for d in f.stubs]

    def first_path(self) -> str | None:
        return self.targets[0].path if self.targets else self.fallback_path

    def opening(self) -> str:
        """The start of Phase 2's reply: the first target in its file's code block, or ""."""
        if not self.targets:
            return ""
        t = self.targets[0]
        if t.path in self.whole:
            return _whole_opening(t.path, self.facts[t.path])
        return f"{t.path}\n```python\n{t.opening()}"

    def repair_opening(self, proposed: dict[str, str]) -> str:
        """A repair's start while a file written whole still holds one of its stub targets, as the
        answers so far leave it (`proposed`: path -> new text): that file's text up to the stub, as
        `opening()` starts the answer; "" otherwise. Asked in words, the 1.5B model wrote its own
        class again and left the stub as it was."""
        read: dict[str, ModuleFacts] = {}  # each proposed file parsed once, whatever its targets
        for t in self.targets:
            if t.path not in self.whole:
                continue
            if t.path not in read:
                read[t.path] = ModuleFacts(proposed[t.path]) if t.path in proposed else self.facts[t.path]
            facts = read[t.path]
            if any(d.stub and (d.name, d.owner) == (t.name, t.owner) for d in facts.definitions):
                return _whole_opening(t.path, facts)
        return ""

    def block_opening(self) -> str:
        """A code block to go on in when a turn wrote none: the first target's file."""
        path = self.first_path()
        if path is None:
            return ""
        if path in self.whole or not self.targets:
            return f"{path}\n```python\n"
        return self.opening()

    # -- while streaming -----------------------------------------------------------------

    def _scan(self, text: str, *, complete: bool = False):
        """(line start, line, current file, inside a code block, open class) for each complete line;
        `complete`: the text has ended, so its last line counts without a newline."""
        if complete and not text.endswith("\n"):
            text += "\n"
        path, in_block, owner, pos = None, False, None, 0
        for line in text.splitlines(keepends=True):
            start, pos = pos, pos + len(line)
            if not line.endswith("\n"):
                return  # not complete yet
            stripped = line.strip().strip("`*#: ").strip()
            if _FENCE.match(line):
                in_block, owner = not in_block, None
            elif stripped in self.facts:
                path = stripped  # a path line, or `# path` as a block's first line
            elif in_block and line.strip() and not line[0].isspace():
                m = _CLASS_LINE.match(line)
                owner = m.group(1) if m else None
            yield start, line, path, in_block, owner

    def copy_start(self, text: str, *, after: int = 0, written: str = "") -> Cut | None:
        """A definition at or after `after`, in a file changed by definitions, written exactly as
        the file has it, while a target is still unwritten; None otherwise."""
        if not self._todo(written + "\n" + text):
            return None
        lines = list(self._scan(text))
        for i, (start, line, path, in_block, owner) in enumerate(lines):
            m = _DEF_LINE.match(line) if in_block and start >= after else None
            if m is None or path not in self.facts or path in self.whole:
                continue
            facts = self.facts[path]
            d = facts.find(m.group(2), owner if m.group(1) else None)
            if d is None or d.stub or any(t.name == d.name and t.owner == d.owner for t in self.targets):
                continue
            original = facts.lines[_def_line(facts, d) - 1: d.end]
            written_lines = [ln for _, ln, *_ in lines[i: i + len(original)]]
            if len(original) >= MIN_COPY_LINES and len(written_lines) == len(original) and all(
                    a.rstrip() == b.rstrip() for a, b in zip(original, written_lines)):
                return Cut(start, d.name)
        return None

    def _defs_written(self, text: str) -> list[tuple[str | None, str]]:
        found = []
        for _, line, _, in_block, owner in self._scan(text, complete=True):
            m = _DEF_LINE.match(line) if in_block else None
            if m:
                found.append((owner if m.group(1) else None, m.group(2)))
        return found

    def _todo(self, text: str) -> list[Target]:
        defs = self._defs_written(text)
        return [t for t in self.targets if not any(n == t.name and (o == t.owner or o is None) for o, n in defs)]

    def redirect(self, text: str, cut: Cut, *, written: str, end: bool = False) -> tuple[str, bool]:
        """The answer cut at `cut`, then the next target not yet written (or the block closed).

        Returns the new answer text and whether generation should go on from it.
        """
        head = text[: cut.at]
        path, in_block, owner = self._state(head)
        todo = self._todo(written + "\n" + head)
        if end or not todo:
            return _close(head, in_block), False
        here = [t for t in todo if in_block and t.path == path]
        t = here[0] if here else todo[0]
        if in_block and t.path == path:
            if t.owner and t.owner == owner:
                return head + t.header, True
            return head + t.opening(), True
        return _close(head, in_block) + f"\n{t.path}\n```python\n{t.opening()}", True

    def reopen(self, text: str, *, written: str = "") -> tuple[str, Target] | None:
        """When the answer's last code block wrote a file whole and closed without one of that
        file's targets (and no earlier turn wrote its body): the answer cut at that block's closing
        fence and gone on at the target's `def` line, with the target; None otherwise.

        A method is reopened only when the block ends inside its class."""
        lines = list(self._scan(text, complete=True))
        close = next((i for i in range(len(lines) - 1, -1, -1)
                      if _FENCE.match(lines[i][1]) and not lines[i][3]), None)
        if close is None:
            return None
        opening = next((i for i in range(close - 1, -1, -1) if _FENCE.match(lines[i][1])), None)
        path = lines[opening][2] if opening is not None else None
        named = next((line for _, line, *_ in reversed(lines[:opening or 0]) if line.strip()), "")
        if path not in self.whole or path not in self.facts or named.strip().strip("`*#: ").strip() != path:
            return None  # (a block under another path line is a file of its own)
        block = lines[opening + 1: close]
        if not any(line.strip() for _, line, *_ in block):
            return None
        defs = [(owner if m.group(1) else None, m.group(2))
                for _, line, _, _, owner in block if (m := _DEF_LINE.match(line))]
        earlier = self._implemented(written, path) if written else set()
        last_class = next((owner for _, line, _, _, owner in reversed(block) if line.strip()), None)
        for t in self.targets:
            if t.path != path or (t.owner, t.name) in defs or (t.owner, t.name) in earlier:
                continue
            if t.owner is None:
                return text[: lines[close][0]].rstrip("\n") + "\n\n\n" + t.header, t
            if t.owner == last_class:
                return text[: lines[close][0]].rstrip("\n") + "\n\n" + t.header, t
        return None

    def _implemented(self, text: str, path: str) -> set[tuple[str | None, str]]:
        """(class, name) of the definitions the code blocks of `path` in `text` write with a body
        that is not a placeholder."""
        blocks: list[list[str]] = []
        current: list[str] | None = None
        for _, line, at, in_block, _ in self._scan(text, complete=True):
            if _FENCE.match(line):
                current = [] if in_block and at == path else None
                if current is not None:
                    blocks.append(current)
            elif current is not None:
                current.append(line)
        return {(d.owner, d.name) for code in blocks for d in ModuleFacts("".join(code)).definitions if not d.stub}

    def _state(self, head: str) -> tuple[str | None, bool, str | None]:
        state = (None, False, None)
        for _, _, path, in_block, owner in self._scan(head):
            state = (path, in_block, owner)
        return state


def _whole_opening(path: str, facts: ModuleFacts) -> str:
    """A file written whole, opened up to its first stub's body, whichever target comes first:
    text taken further would hold that stub's placeholder body, and a model shown one goes on
    copying the rest. A constant left None above it (`YACHT = None`) is left for the answer
    to give a value: the text stops above it."""
    stubs = sorted(facts.stubs, key=lambda d: d.start)
    body = facts.until_body(stubs[0]) if stubs else ""
    before = [line for _, line in facts.placeholders if stubs and line < stubs[0].start]
    if before:
        body = facts.until_line(min(before))
    return f"{path}\n```python\n{body}"


def _def_line(facts: ModuleFacts, d) -> int:
    """The 1-based line of `d`'s `def` keyword (after its decorators)."""
    for n in range(d.start, d.end + 1):
        if _DEF_LINE.match(facts.lines[n - 1]):
            return n
    return d.start
