"""The plan file: read safely (size cap, encoding detection, binary refused), split into sections.

A plan with no recognisable heading is still a plan: `sections` is then empty and the
whole text is the spec.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from desktop.errors import PlanError

PLAN_SUFFIXES = (".md", ".markdown", ".txt")
KINDS = ("components", "user_stories", "requirements", "edge_cases", "steps", "other")

# Signatures of files people rename to .md by mistake; named in the error message.
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (Word and OpenDocument files are ZIP archives too)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"GGUF", "a GGUF model"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)
_BOMS = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_SAVE_AS_UTF8 = "Open it in a text editor and save it as UTF-8 text."


@dataclass(frozen=True)
class PlanSection:
    kind: str  # one of KINDS
    title: str
    text: str


@dataclass(frozen=True)
class Plan:
    path: Path | None
    text: str  # the whole decoded text, newlines normalised to \n
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", ...
    sha256: str  # of the file's bytes (of the UTF-8 text for plan_from_text)
    sections: tuple[PlanSection, ...]  # empty when no heading is recognised
    title: str  # first heading, else the file stem

    def section_text(self, kind: str) -> str:
        """The text of every section of this kind, joined by blank lines; '' when none."""
        if kind not in KINDS:
            raise ValueError(f"unknown section kind {kind!r}; expected one of {KINDS}")
        return "\n\n".join(s.text for s in self.sections if s.kind == kind and s.text)


def read_plan(path: Path, *, max_bytes: int = 1_000_000) -> Plan:
    """Read a plan file, refusing with PlanError anything that is not a usable text plan."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise PlanError(f"Plan file not found: {path}. Check the path, or pick the file again.") from None
    except OSError as exc:
        raise PlanError(f"Cannot open the plan file {path}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(st.st_mode):
        raise PlanError(f"{path} is a folder, not a plan file. Pick a .md or .txt file inside it.")
    if not stat.S_ISREG(st.st_mode):
        raise PlanError(f"{path} is not a regular file. Pick a .md or .txt plan file.")
    if path.suffix.lower() not in PLAN_SUFFIXES:
        got = f"a {path.suffix!r} file" if path.suffix else "a file without an extension"
        raise PlanError(
            f"{path.name} is {got}. Plans are Markdown or plain text: "
            "save or rename it as .md, .markdown or .txt."
        )
    # stat first: a huge file is refused without reading it.
    if st.st_size > max_bytes:
        raise PlanError(
            f"The plan {path.name} is {_size(st.st_size)}, over the {_size(max_bytes)} cap. "
            "Shorten it, or raise the cap with the setting plan_max_bytes."
        )
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)  # +1: the file may have grown since stat
    except OSError as exc:
        raise PlanError(f"Cannot read the plan file {path}: {exc.strerror or exc}.") from None
    if len(data) > max_bytes:
        raise PlanError(
            f"The plan {path.name} is over the {_size(max_bytes)} cap. "
            "Shorten it, or raise the cap with the setting plan_max_bytes."
        )
    text, encoding = _decode(data, name=path.name)
    return _build(
        text=text, encoding=encoding, sha256=hashlib.sha256(data).hexdigest(), path=path
    )


def plan_from_text(text: str, *, path: Path | None = None) -> Plan:
    """A plan from text already in memory (pasted, or typed in the app)."""
    text = _normalise_newlines(text.lstrip("\ufeff"))
    if not text.strip():
        raise PlanError("The plan is empty. Write or paste the feature plan first.")
    return _build(
        text=text,
        encoding="utf-8",
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        path=path,
    )


def _build(*, text: str, encoding: str, sha256: str, path: Path | None) -> Plan:
    sections = split_sections(text)
    first = next((s.title for s in sections if s.title), "")
    title = first or (path.stem if path is not None else "Untitled plan")
    return Plan(
        path=path, text=text, encoding=encoding, sha256=sha256, sections=sections, title=title
    )


def _size(n: int) -> str:
    if n < 10_000:
        return f"{n:,} bytes"
    if n < 10_000_000:
        return f"{n / 1000:,.0f} kB"
    return f"{n / 1_000_000:,.1f} MB"


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- decoding ---------------------------------------------------------------------------


def _decode(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode plan bytes; returns (text, encoding) or raises PlanError."""
    if not data.strip():
        raise PlanError(f"The plan {name} is empty. Write the feature plan in it first.")
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        for magic, what in _MAGIC:
            if data.startswith(magic):
                raise PlanError(
                    f"{name} is not text: it looks like {what}. "
                    "Pick the plan itself, saved as Markdown or plain text."
                )
        if b"\x00" in data:
            encoding = _bomless_utf16(data)
            if encoding is None:
                raise PlanError(
                    f"{name} is not text (it holds NUL bytes). Pick the plan itself, "
                    "saved as Markdown or plain text (UTF-8)."
                )
    try:
        if encoding is not None:
            text = data.decode(encoding)
        else:
            try:
                text, encoding = data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                # Not UTF-8: legacy Windows text is by far the likeliest. Fixed, not guessed,
                # so the same file always reads the same way.
                text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise PlanError(
            f"{name} cannot be decoded as text ({encoding or 'UTF-8 or Windows-1252'}). "
            + _SAVE_AS_UTF8
        ) from None
    text = _normalise_newlines(text.lstrip("\ufeff"))
    if not text.strip():
        raise PlanError(f"The plan {name} holds only blank space. Write the feature plan in it first.")
    if _mostly_control(text):
        raise PlanError(
            f"{name} does not look like text (too many control characters). "
            "Pick the plan itself, saved as Markdown or plain text."
        )
    return text, encoding


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le'/'-be' when NULs sit in every other byte, as in ASCII-heavy UTF-16."""
    if len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2
    if odd_nuls > 0.6 * half and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.6 * half and odd_nuls == 0:
        return "utf-16-be"
    return None


def _mostly_control(text: str) -> bool:
    sample = text[:20_000]
    bad = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\f\v") or "\x7f" <= ch <= "\x9f")
    return bad > 0.05 * len(sample)


# --- sections ---------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*(?:#+[ \t]*)?$|^ {0,3}(#{1,6})[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BOLD = re.compile(r"^[ \t]*(\*\*|__)(?P<t>[^*_\n].*?)(?:\1[ \t]*:?|:\1)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_OR_QUOTE = re.compile(r"^[ \t]*(?:[-*+>]|\d+[.)])[ \t]")

_KIND_RULES = (
    ("user_stories", re.compile(r"\buser[ -]?stor|\bstories\b|\buse[ -]cases?\b")),
    ("edge_cases", re.compile(r"\b(?:edge|corner)[ -]?cases?\b|\bfailure modes?\b")),
    (
        "components",
        re.compile(
            r"\bcomponents?\b|\breus(?:e|able|ing)\b|\bexisting (?:code|modules?|functions?|"
            r"classes|helpers?|apis?|services?)\b|\bbuilding blocks\b"
        ),
    ),
    (
        "requirements",
        re.compile(r"\brequirements?\b|\bacceptance criteria\b|\bconstraints\b|\bdefinition of done\b"),
    ),
    (
        "steps",
        re.compile(r"\bsteps?\b|\btasks?\b|\bplan\b|\bto-?dos?\b|\bmilestones?\b|\bwork breakdown\b"),
    ),
)


def classify_heading(title: str) -> str:
    """The section kind a heading's words name; 'other' when none."""
    words = re.sub(r"[*_`#:]+", " ", title).lower()
    words = re.sub(r"^\s*(?:\d+[.)]\s*|[ivx]+\.\s+)", "", words)  # "2. Steps", "iv. Tasks"
    for kind, rule in _KIND_RULES:
        if rule.search(words):
            return kind
    return "other"


@dataclass
class _Heading:
    body: int  # index of the first line of the section's body
    start: int  # index of the heading's first line
    level: int  # 1-6 for ATX and setext; 7 for bold or "Label:" lines
    title: str


def split_sections(text: str) -> tuple[PlanSection, ...]:
    """Sections by Markdown headings (ATX, setext, bold-only lines, known 'Label:' lines)."""
    lines = text.split("\n")
    headings = _find_headings(lines)
    if not headings:
        return ()
    sections: list[PlanSection] = []
    pre = "\n".join(lines[: headings[0].start]).strip()
    if pre:
        sections.append(PlanSection(kind="other", title="", text=pre))
    # A level-1 heading first, followed by deeper ones, is the document's title: its own
    # words ("Plan: CSV export") say nothing about its section's kind.
    doc_title = headings[0].level == 1 and any(h.level > 1 for h in headings[1:])
    parents: list[tuple[int, str]] = []  # (level, kind) of enclosing headings
    for i, h in enumerate(headings):
        end = headings[i + 1].start if i + 1 < len(headings) else len(lines)
        kind = "other" if (i == 0 and doc_title) else classify_heading(h.title)
        while parents and parents[-1][0] >= h.level:
            parents.pop()
        if kind == "other" and parents and parents[-1][1] != "other":
            # "### Functional" under "## Requirements" is still requirements.
            kind = parents[-1][1]
        parents.append((h.level, kind))
        body = "\n".join(lines[h.body : end]).strip("\n")
        sections.append(PlanSection(kind=kind, title=h.title, text=body.strip()))
    return tuple(sections)


def _find_headings(lines: list[str]) -> list[_Heading]:
    headings: list[_Heading] = []
    fence: str | None = None
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence is not None:
            # Headings inside a fenced block are code (`# comment`), not structure.
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        m = _ATX.match(line)
        if m:
            level = len(m.group(1) or m.group(3))
            title = (m.group(2) or "").strip()
            headings.append(_Heading(body=i + 1, start=i, level=level, title=title))
            continue
        m = _SETEXT.match(line)
        if m and i > 0 and _setext_text(lines, i):
            prev = lines[i - 1].strip()
            if headings and headings[-1].start == i - 1:
                continue  # "---" under a heading line is a rule, not a second heading
            level = 1 if m.group(1)[0] == "=" else 2
            headings.append(_Heading(body=i + 1, start=i - 1, level=level, title=prev))
            continue
        m = _BOLD.match(line)
        if m:
            headings.append(_Heading(body=i + 1, start=i, level=7, title=m.group("t").strip(" :")))
            continue
        label = _label(line)
        if label:
            headings.append(_Heading(body=i + 1, start=i, level=7, title=label))
    return headings


def _setext_text(lines: list[str], i: int) -> bool:
    """Whether lines[i-1] is a one-line paragraph that a setext underline turns into a heading."""
    prev = lines[i - 1]
    if not prev.strip() or _LIST_OR_QUOTE.match(prev) or prev.startswith(("    ", "\t")):
        return False
    return i < 2 or not lines[i - 2].strip()


def _label(line: str) -> str:
    """Plain-text plans: 'User stories:' or 'REQUIREMENTS' alone on a line, when it names a kind."""
    s = line.strip()
    if not s or len(s) > 40 or _LIST_OR_QUOTE.match(line):
        return ""
    if s.endswith(":"):
        s = s[:-1].strip()
    elif not (s.isupper() and any(c.isalpha() for c in s)):
        return ""
    if len(s.split()) > 4 or not re.fullmatch(r"[\w ()&/'-]+", s):
        return ""
    return s if classify_heading(s) != "other" else ""
