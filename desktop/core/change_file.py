"""One file's proposed change: its hunks, unified diff and per-hunk acceptance."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from desktop.core.change_diff import group_opcodes, line_opcodes
from desktop.core.change_io import python_error
from desktop.errors import ChangeError

__all__ = ["Hunk", "FileChange", "KINDS"]

KINDS = ("new", "modify", "replace", "rejected")
_CONTEXT = 3
_PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")
_NO_NEWLINE = "\\ No newline at end of file\n"


@dataclass
class Hunk:
    index: int
    old_start: int  # 1-based, as in the @@ header (the line before, when old_count is 0)
    old_lines: list[str]  # the hunk's old side: context and removed lines, no newlines
    new_lines: list[str]  # the hunk's new side: context and added lines
    header: str  # "@@ -12,7 +12,9 @@"
    new_start: int = 0
    body: list[str] = field(default_factory=list)  # " context", "-removed", "+added"


def _lines(text: str | None) -> list[str]:
    return (text or "").splitlines(keepends=True) if text else []


def _range(start: int, stop: int) -> str:
    # The unified-diff convention (as difflib and git write it).
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if length == 0 else start + 1},{length}"


def _span(group) -> tuple[int, int, int, int]:
    return group[0][1], group[-1][2], group[0][3], group[-1][4]


def _git_quote(name: str) -> str:
    """A path as git writes it in a patch header (C-quoted when it has special characters)."""
    if not any(c in '"\\' or ord(c) < 32 or ord(c) >= 127 for c in name):
        return name
    out = []
    for byte in name.encode("utf-8"):
        c = chr(byte)
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\t":
            out.append("\\t")
        elif c == "\n":
            out.append("\\n")
        elif byte < 32 or byte >= 127:
            out.append(f"\\{byte:03o}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


@dataclass
class FileChange:
    path: str  # POSIX, relative to the codebase root
    kind: str  # one of KINDS
    old_text: str | None  # \n-normalised text as read from disk; None for a new file
    new_text: str | None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    accepted: bool = True
    hunk_accepted: list[bool] = field(default_factory=list)
    # How the file was stored when the diff was made: apply checks and restores these.
    base_sha256: str | None = None  # None: the file did not exist and must not exist at apply
    eol: str = "\n"
    bom: bool = False
    mode: int | None = None
    refused: bool = False  # the path itself was refused; no text can make it writable
    # What Plansmith mended in the model's answer (a wrong path, say) or noticed about it (a
    # new file nothing asks for): shown to the user, not sent back to the model as a problem.
    notes: list[str] = field(default_factory=list)
    # Why applying it as it is would break the file (risky_changes.py); Apply asks first.
    flag: str = ""
    edited: bool = False  # the user edited the result by hand

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown change kind {self.kind!r}")
        if self.kind == "rejected":
            self.accepted = False
        count = len(self._groups()[2])
        if len(self.hunk_accepted) != count:
            self.hunk_accepted = [True] * count

    # -- diff ---------------------------------------------------------------------------

    def _groups(self, new_text: str | None = None):
        if self.kind == "rejected" or self.new_text is None:
            return [], [], []
        new = self.new_text if new_text is None else new_text
        # The view asks for hunks, counts and diffs again and again: diff each pair once.
        key = (self.old_text, new)
        cache = self.__dict__.setdefault("_diff_cache", {})
        if key not in cache:
            a, b = _lines(self.old_text), _lines(new)
            if len(cache) > 4:
                cache.clear()
            cache[key] = (a, b, group_opcodes(line_opcodes(a, b), context=_CONTEXT))
        return cache[key]

    def hunks(self) -> list[Hunk]:
        a, b, groups = self._groups()
        out = []
        for index, group in enumerate(groups):
            i1, i2, j1, j2 = _span(group)
            header = f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@"
            body = [line.rstrip("\n") for line in self._body(group, a=a, b=b, disk=False)
                    if line != _NO_NEWLINE]
            out.append(Hunk(index, int(_range(i1, i2).split(",")[0]),
                            [s.rstrip("\n") for s in a[i1:i2]],
                            [s.rstrip("\n") for s in b[j1:j2]],
                            header, int(_range(j1, j2).split(",")[0]), body))
        return out

    def _body(self, group, *, a: list[str], b: list[str], disk: bool) -> list[str]:
        def emit(prefix: str, line: str, *, index: int) -> list[str]:
            text = line
            if disk:
                if index == 0 and self.bom:
                    text = "\ufeff" + text
                if self.eol != "\n" and text.endswith("\n"):
                    text = text[:-1] + self.eol
            if not line.endswith("\n"):
                return [prefix + text + "\n", _NO_NEWLINE]
            return [prefix + text]

        out: list[str] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for k in range(i1, i2):
                    out += emit(" ", a[k], index=k)
                continue
            if tag in ("replace", "delete"):
                for k in range(i1, i2):
                    out += emit("-", a[k], index=k)
            if tag in ("replace", "insert"):
                for k in range(j1, j2):
                    out += emit("+", b[k], index=k)
        return out

    def diff(self, *, only_accepted: bool = False, on_disk: bool = False) -> str:
        """Unified diff with a/ b/ paths that `git apply` accepts.

        on_disk renders lines as stored (CRLF, BOM) so the patch applies to the real file;
        the default shows normalised text for review.
        """
        new = self.text_with_accepted_hunks() if only_accepted else None
        a, b, groups = self._groups(new)
        if not groups:
            return ""
        q = _git_quote
        tab = "\t" if " " in self.path else ""  # git's own marker for names with spaces
        lines = [f"diff --git {q('a/' + self.path)} {q('b/' + self.path)}\n"]
        if self.old_text is None:
            lines += ["new file mode 100644\n", "--- /dev/null\n"]
        else:
            lines.append(f"--- {q('a/' + self.path)}{tab}\n")
        lines.append(f"+++ {q('b/' + self.path)}{tab}\n")
        for group in groups:
            i1, i2, j1, j2 = _span(group)
            lines.append(f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@\n")
            lines += self._body(group, a=a, b=b, disk=on_disk)
        return "".join(lines)

    def counts(self, *, only_accepted: bool = False) -> tuple[int, int]:
        """(lines added, lines removed)."""
        new = self.text_with_accepted_hunks() if only_accepted else None
        _, _, groups = self._groups(new)
        added = removed = 0
        for group in groups:
            for tag, i1, i2, j1, j2 in group:
                if tag != "equal":
                    removed += i2 - i1
                    added += j2 - j1
        return added, removed

    # -- user choices ---------------------------------------------------------------------

    def text_with_accepted_hunks(self) -> str:
        """The file rebuilt from the old text with only the accepted hunks applied."""
        a, b, groups = self._groups()
        if self.new_text is None:
            return self.old_text or ""
        out, pos = [], 0
        for group, ok in zip(groups, self.hunk_accepted):
            i1, i2, j1, j2 = _span(group)
            out += a[pos:i1]
            out += b[j1:j2] if ok else a[i1:i2]
            pos = i2
        out += a[pos:]
        return "".join(out)

    def set_new_text(self, text: str) -> None:
        """The user edited the result by hand: it replaces the model's version and its problems."""
        if self.refused:
            raise ChangeError(f"{self.path} cannot be changed: {self.problems[0]}")
        self.new_text = text.lstrip("\ufeff").replace("\r\n", "\n")
        if self.old_text is None:
            self.kind = "new"
        elif self.kind != "replace":
            self.kind = "modify"
        self.problems = []
        self.accepted = True
        self.edited = True
        self.hunk_accepted = [True] * len(self._groups()[2])
        self.refresh_warnings()
        # The model's version's flag no longer holds; the edit's own: Python it breaks (Apply asks).
        self.flag = ""
        if self.path.endswith(_PYTHON_SUFFIXES) and (error := python_error(self.new_text)) is not None:
            if self.old_text is None or python_error(self.old_text) is None:
                self.flag = f"the file would no longer parse (line {error[0]}: {error[1]})"

    def refresh_warnings(self) -> None:
        """Flags that do not block the change: a no-op, or Python that no longer parses."""
        self.warnings = []
        if self.new_text is None or self.kind == "rejected":
            return
        if self.old_text is not None and self.new_text == self.old_text:
            self.warnings.append("no change: the edits leave the file as it was")
        if not self.path.endswith(_PYTHON_SUFFIXES):
            return
        error = python_error(self.new_text)
        if error is None:
            return
        line, message = error
        if self.old_text is None:
            lead = "Python does not parse"
        elif python_error(self.old_text) is None:
            lead = "Python no longer parses"
        else:
            lead = "Python does not parse (nor did it before the change)"
        text_lines = self.new_text.split("\n")
        shown = f"\n    {line}| {text_lines[line - 1]}" if 0 < line <= len(text_lines) else ""
        self.warnings.append(f"{lead}: line {line}: {message}{shown}")

    # -- records --------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "FileChange":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})
