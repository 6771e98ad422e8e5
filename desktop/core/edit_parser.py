"""Parse a Phase 2 answer into edit blocks and whole files.

The format is resources/prompts/edit-format.md. Small models bend it, so the parser is
tolerant of decorated path lines, marker lines of 5-9 characters, blocks outside fences
and CRLF. Anything that looks like an edit
but cannot be read becomes a ParseProblem with the answer's line number: the user and
the repair prompt must see it, never lose it silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["EditBlock", "WholeFile", "ParseProblem", "parse_answer", "path_from_line"]


@dataclass
class EditBlock:
    """A SEARCH/REPLACE block; an empty search creates a file."""

    path: str
    search: str
    replace: str
    answer_line: int  # 1-based line of the SEARCH marker


@dataclass
class WholeFile:
    """A fenced block under a path with no markers: the file's whole new content."""

    path: str
    content: str
    answer_line: int  # 1-based line of the opening fence
    cut: bool = False  # the block was never closed: only its complete definitions may be used


@dataclass
class ParseProblem:
    answer_line: int
    message: str
    excerpt: str


_SEARCH = re.compile(r"^\s*<{5,9}\s*(?:SEARCH|ORIGINAL)\s*:?\s*$", re.IGNORECASE)
_DIVIDER = re.compile(r"^\s*={5,9}\s*$")
_REPLACE = re.compile(r"^\s*>{5,9}\s*(?:REPLACE|UPDATED)\s*:?\s*$", re.IGNORECASE)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([^`]*?)\s*$")

# A token that can be a relative or hostile path (hostile ones are refused later, with a
# message, rather than being mistaken for prose here).
_PATH_TOKEN = re.compile(r"^(?:[A-Za-z]:)?[\w.~@+\-/\\]+$")
_SPACED_PATH_TOKEN = re.compile(r"^(?:[A-Za-z]:)?[\w.~@+\-/\\][\w.~@+\-/\\ ]*[\w.~@+\-/\\]$")
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9_+\-]{0,11}$")
_NOT_PATHS = {"e.g", "i.e", "etc", "vs", "a.k.a"}
_LABEL = re.compile(
    r"^(?:(?:new|modified|updated|changed|existing|edited)\s+)?"
    r"(?:file|filename|path|file\s+path)\s*:\s*",
    re.IGNORECASE,
)
_FIRST_LINE_COMMENT = re.compile(
    r"^\s*(?:#|//|--|;|%|/\*|<!--)\s*(?:(?:file|filename|path)\s*:\s*)?(\S+?)\s*(?:\*/|-->)?\s*$",
    re.IGNORECASE,
)
_BACKTICKED = re.compile(r"`([^`\s]+)`")
# Fences in these languages without a path are commands or output, not edits.
_NOT_EDIT_LANGS = {"bash", "sh", "shell", "console", "zsh", "powershell", "ps", "cmd", "bat",
                   "text", "txt", "output", "plaintext", "log"}
_DIFF_LANGS = {"diff", "patch", "udiff"}


def _looks_like_path(token: str, *, labelled: bool = False, delimited: bool = False) -> bool:
    if not token or set(token) <= {".", "/", "\\"} or token.lower() in _NOT_PATHS:
        return False
    # A name with spaces is a path only when marked as one (`a b.py`, **a b.py**, File: a b.py).
    if not (_SPACED_PATH_TOKEN if delimited or labelled else _PATH_TOKEN).match(token):
        return False
    # A bare word is a path only when the model labelled it one ("File: Makefile").
    return labelled or "/" in token or "\\" in token or bool(_EXTENSION.search(token))


def path_from_line(line: str) -> str | None:
    """The path if this line is a path line (`x.py`, `### x.py`, `**x.py**`, `File: x.py`)."""
    s = line.strip()
    s = re.sub(r"^(?:#{1,6}|[*\-+>]|\d+[.)])\s+", "", s)
    delimited = bool(s) and s[0] in "*_`'\""
    s = s.strip("*_ ")
    labelled = bool(_LABEL.match(s))
    s = _LABEL.sub("", s)
    s = re.sub(r"\s+\((?:new|new file|modified|updated|created|changed)[^)]*\)$", "", s, flags=re.I)
    s = s.strip().rstrip(":").strip()
    delimited = delimited or (bool(s) and s[0] in "`'\"")
    s = s.strip("*_`'\"").rstrip(":")
    return s if _looks_like_path(s, labelled=labelled, delimited=delimited) else None


def _unreadable_path(line: str) -> bool:
    """A line that names something file-like which path_from_line could not accept."""
    s = line.strip().strip("*_`'\" ").rstrip(":.")
    return "/" in s or bool(_EXTENSION.search(s))


@dataclass
class _Unreadable:
    """The line before a block looked like a path but could not be read as one."""

    text: str


def _path_from_intro(line: str) -> str | None:
    """A prose line that introduces a block ("Update `x.py` as follows:") names one path."""
    s = line.strip()
    ticked = [t for t in _BACKTICKED.findall(s) if _looks_like_path(t)]
    if len(ticked) == 1:
        return ticked[0]
    if s.endswith(":"):
        words = [w.strip("`'\"(),;:*") for w in s.split()]
        found = [w for w in words if _looks_like_path(w)]
        if len(found) == 1:
            return found[0]
    return None


def _path_from_info(info: str) -> str | None:
    """`python path/x.py`, `path/x.py` or `python:path/x.py` as the fence's info string."""
    for token in info.split():
        if ":" in token and re.match(r"^[A-Za-z+#-]{2,}:", token):
            token = token.split(":", 1)[1]
        if _looks_like_path(token):
            return token
    return None


def _excerpt(lines: list[str], index: int, *, count: int = 3) -> str:
    return "\n".join(line[:160] for line in lines[index:index + count])


def _text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


@dataclass
class _Fence:
    char: str
    length: int
    line: int  # 0-based index of the opening line

    def closes(self, line: str) -> bool:
        m = _FENCE.match(line)
        return bool(m and not m.group(2) and m.group(1)[0] == self.char
                    and len(m.group(1)) >= self.length)

    def opens_inner(self, line: str) -> bool:
        # Only a fence as long as ours can be mistaken for our closing line.
        m = _FENCE.match(line)
        return bool(m and m.group(2) and m.group(1)[0] == self.char
                    and len(m.group(1)) == self.length)


class _Parser:
    def __init__(self, answer: str) -> None:
        text = answer.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.lines = text.split("\n")
        self.items: list[EditBlock | WholeFile] = []
        self.problems: list[ParseProblem] = []
        self.last_path: str | None = None  # a block with no path of its own reuses it
        self.unread: str | None = None  # the path-like line that could not be read, for messages

    def problem(self, index: int, message: str, *, count: int = 3) -> None:
        excerpt = _excerpt(self.lines, index, count=count)
        self.problems.append(ParseProblem(index + 1, message, excerpt))

    def run(self) -> None:
        lines, i = self.lines, 0
        # What the last non-blank line said about the path of a block that follows it.
        pending: str | _Unreadable | None = None
        while i < len(lines):
            line = lines[i]
            if _FENCE.match(line):
                i = self.fence(i, pending)
                pending = None
            elif _SEARCH.match(line):
                i, _ = self.block(i, self._path_or_previous(pending), fence=None)
                pending = None  # a later fence must name its own path
            elif _REPLACE.match(line):
                self.problem(i, "'>>>>>>> REPLACE' without a '<<<<<<< SEARCH' block before it; "
                                "the edit was not used", count=1)
                i += 1
            elif not line.strip():
                i += 1
            else:
                pending = path_from_line(line) or _path_from_intro(line)
                if pending is None and _unreadable_path(line):
                    pending = _Unreadable(line.strip())
                i += 1

    def _path_or_previous(self, pending: str | _Unreadable | None) -> str | None:
        # Reusing the previous block's path is right for a pathless follow-up block, but
        # wrong after a path line we failed to read: that block would edit the wrong file.
        self.unread = pending.text if isinstance(pending, _Unreadable) else None
        if self.unread is not None:
            return None
        return pending or self.last_path

    def fence(self, start: int, pending: str | _Unreadable | None) -> int:
        """Read one fenced block from its opening line; return the index after it."""
        lines = self.lines
        m = _FENCE.match(lines[start])
        fence = _Fence(m.group(1)[0], len(m.group(1)), start)
        info = m.group(2)
        lang = info.split()[0].lower() if info.split() else ""
        path = _path_from_info(info) or (pending if isinstance(pending, str) else None)
        if path:
            pending = path
        self.unread = pending.text if isinstance(pending, _Unreadable) else None
        body: list[tuple[int, str]] = []  # lines outside SEARCH/REPLACE blocks
        saw_markers = False
        depth = 0  # nested fences inside a whole file (a Markdown file's own code blocks)
        i = start + 1
        while i < len(lines):
            line = lines[i]
            if _SEARCH.match(line):
                block_path = self._path_before_block(body, path)
                body.clear()
                saw_markers = True
                i, closed = self.block(i, block_path or self._path_or_previous(pending),
                                       fence=fence)
                path = block_path or path
                if closed:
                    return i + 1
                continue
            if _REPLACE.match(line) or (_DIVIDER.match(line) and self._replace_follows(i, fence)):
                saw_markers = True
                self.problem(i, "this SEARCH/REPLACE block has no '<<<<<<< SEARCH' line; "
                                "the edit was not used")
                i = self._skip_past_replace(i, fence)
                body.clear()
                continue
            if fence.closes(line):
                if depth == 0 or len(line.strip()) > fence.length:
                    self._finish_fence(fence, body=body, path=path, lang=lang,
                                       saw_markers=saw_markers)
                    return i + 1
                depth -= 1
            elif fence.opens_inner(line):
                if saw_markers:
                    # A new fence while between blocks: the model forgot to close this one.
                    return i
                depth += 1
            body.append((i, line))
            i += 1
        if saw_markers:
            self._report_stray(body)
        elif path and path.endswith((".py", ".pyw")) and any(text.strip() for _, text in body):
            # An answer cut off by the token budget inside a Python block: the definitions it
            # completed can still be merged (change_builder decides), the rest is reported.
            self.items.append(WholeFile(path, _text([t for _, t in body]), start + 1, cut=True))
            self.problem(start, "this code block is never closed (the answer was probably cut "
                                "off); at most its complete definitions were used", count=1)
        elif any(text.strip() for _, text in body) or path:
            self.problem(start, "this code block is never closed (the answer may have been cut "
                                "off); it was not used", count=1)
        return i

    def _path_before_block(self, body: list[tuple[int, str]], path: str | None) -> str | None:
        """Between blocks a fence may name the next file (`# src/x.py` or `src/x.py`)."""
        texts = [(i, t) for i, t in body if t.strip()]
        if texts:
            last = texts[-1][1]
            found = path_from_line(last) or _first_line_path(last)
            if found:
                self._report_stray(texts[:-1])
                return found
            self._report_stray(texts)
        return path

    def _report_stray(self, body: list[tuple[int, str]]) -> None:
        texts = [(i, t) for i, t in body if t.strip()]
        if texts and not all(path_from_line(t) or _first_line_path(t) for _, t in texts):
            first = texts[0][0]
            self.problem(first, f"lines {first + 1}-{texts[-1][0] + 1} are inside a code block but "
                                "outside any SEARCH/REPLACE block; they were not used")

    def _finish_fence(self, fence: _Fence, *, body: list[tuple[int, str]], path: str | None,
                      lang: str, saw_markers: bool) -> None:
        if saw_markers:
            self._report_stray(body)
            return
        content = [t for _, t in body]
        first = _first_line_path(content[0]) if content else None
        if first and (path is None or _same_path(first, path)):
            path, content = first, content[1:]
        if lang in _DIFF_LANGS or (content and re.match(r"^(--- |@@ )", content[0])):
            self.problem(fence.line, "unified diffs are not supported; write SEARCH/REPLACE blocks "
                                     "under the file's path instead")
            return
        if path is None:
            if lang not in _NOT_EDIT_LANGS and any(t.strip() for t in content):
                self.problem(fence.line, "code block with no file path" + self._hint() + ", so it "
                             "was not used; put the file's path alone on the line before the "
                             "opening fence")
            return
        self.items.append(WholeFile(path, _text(content), fence.line + 1))

    def block(self, start: int, path: str | None, *, fence: _Fence | None) -> tuple[int, bool]:
        """Read a block from its SEARCH line. Return (next index, whether the fence closed)."""
        lines = self.lines
        if path:
            self.last_path = path  # kept even if this block is broken: the next one may reuse it
        search: list[str] = []
        replace: list[str] | None = None
        i = start + 1
        while i < len(lines):
            line = lines[i]
            part = search if replace is None else replace
            if replace is None and _DIVIDER.match(line):
                replace = []
            elif _REPLACE.match(line):
                if replace is None:
                    self.problem(start, f"the SEARCH/REPLACE block starting here has no '=======' "
                                        f"line before '>>>>>>> REPLACE' (line {i + 1}); "
                                        "the edit was not used")
                else:
                    self._emit(start, path=path, search=search, replace=replace)
                return i + 1, False
            elif _SEARCH.match(line):
                self._unterminated(start, replace)
                return i, False
            elif (fence is not None and fence.closes(line)
                  and not self._block_ends_later(i, replace)):
                self._unterminated(start, replace)
                return i, True
            else:
                part.append(line)
            i += 1
        self._unterminated(start, replace)
        return i, False

    def _emit(self, start: int, *, path: str | None, search: list[str], replace: list[str]) -> None:
        if path is None:
            self.problem(start, "this SEARCH/REPLACE block has no file path" + self._hint()
                         + "; put the path alone on the line before the block", count=1)
            return
        self.items.append(EditBlock(path, _text(search), _text(replace), start + 1))

    def _hint(self) -> str:
        if self.unread is None:
            return ""
        return (f" (could not read one from {self.unread!r}; write a path with spaces in "
                "backticks)")

    def _unterminated(self, start: int, replace: list[str] | None) -> None:
        missing = "'>>>>>>> REPLACE'" if replace is not None else "'=======' and '>>>>>>> REPLACE'"
        self.problem(start, f"the SEARCH/REPLACE block starting here has no {missing} line; "
                            "the edit was not used", count=1)

    def _block_ends_later(self, index: int, replace: list[str] | None) -> bool:
        """Is a fence line inside a block content (a Markdown file's own fence)?"""
        want = _DIVIDER if replace is None else _REPLACE
        for line in self.lines[index + 1:]:
            if want.match(line):
                return True
            if _SEARCH.match(line) or (replace is None and _REPLACE.match(line)):
                return False
        return False

    def _replace_follows(self, index: int, fence: _Fence) -> bool:
        for line in self.lines[index + 1:]:
            if _REPLACE.match(line):
                return True
            if _SEARCH.match(line) or fence.closes(line):
                return False
        return False

    def _skip_past_replace(self, index: int, fence: _Fence) -> int:
        for j in range(index, len(self.lines)):
            if _REPLACE.match(self.lines[j]):
                return j + 1
            if fence.closes(self.lines[j]):
                return j
        return len(self.lines)


def _first_line_path(line: str) -> str | None:
    m = _FIRST_LINE_COMMENT.match(line)
    return m.group(1) if m and _looks_like_path(m.group(1)) else None


def _same_path(a: str, b: str) -> bool:
    def norm(p: str) -> str:
        return re.sub(r"^(\./)+", "", p.replace("\\", "/"))
    return norm(a) == norm(b)


def parse_answer(answer: str) -> tuple[list[EditBlock | WholeFile], list[ParseProblem]]:
    """Edits in the order written, and what could not be read (never silently dropped)."""
    parser = _Parser(answer)
    parser.run()
    return parser.items, parser.problems
