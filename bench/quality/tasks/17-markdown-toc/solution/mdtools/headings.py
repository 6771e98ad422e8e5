"""Find and manipulate Markdown headings.

Supports ATX headings ("## Title", optional closing #'s) and setext headings (a line
underlined with === for level 1 or --- for level 2). Lines inside fenced code blocks
(``` or ~~~) are never headings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ATX_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_RE = re.compile(r"^(=+|-+)[ \t]*$")
_FENCE_RE = re.compile(r"^(```|~~~)")
_INLINE_RE = re.compile(r"`([^`]*)`|\*\*([^*]+)\*\*|\*([^*]+)\*|\[([^\]]+)\]\([^)]*\)")


@dataclass(frozen=True)
class Heading:
    level: int  # 1..6
    text: str  # plain text, inline markup removed
    line: int  # 0-based index of the heading's (first) line


def strip_inline(text: str) -> str:
    """Remove `code`, **bold**, *italic* and [link](url) markup, keeping the text."""
    return _INLINE_RE.sub(lambda m: next(g for g in m.groups() if g is not None), text).strip()


def _lines_outside_fences(lines: list[str]) -> list[bool]:
    """For each line, True if it is outside a fenced code block (fence lines are inside)."""
    outside = []
    fence: str | None = None
    for line in lines:
        match = _FENCE_RE.match(line.strip())
        if fence is None and match:
            fence = match.group(1)
            outside.append(False)
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            outside.append(False)
        else:
            outside.append(True)
    return outside


def parse_headings(markdown: str) -> list[Heading]:
    """All headings in document order."""
    lines = markdown.splitlines()
    outside = _lines_outside_fences(lines)
    headings: list[Heading] = []
    for i, line in enumerate(lines):
        if not outside[i]:
            continue
        match = _ATX_RE.match(line)
        if match:
            headings.append(Heading(len(match.group(1)), strip_inline(match.group(2)), i))
            continue
        underline = _SETEXT_RE.match(lines[i + 1]) if i + 1 < len(lines) and outside[i + 1] else None
        if underline and line.strip() and not line.startswith((" " * 4, "\t")):
            level = 1 if underline.group(1).startswith("=") else 2
            headings.append(Heading(level, strip_inline(line), i))
    return headings


def slugify_heading(text: str) -> str:
    """GitHub-style anchor: lower-case, drop punctuation except '-' and '_', spaces to '-'.

    'Hello, World!' -> 'hello-world'; 'API v2.0' -> 'api-v20'.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def unique_slugs(texts: list[str]) -> list[str]:
    """Slugs for several headings; repeats get '-1', '-2', ... like GitHub does."""
    seen: dict[str, int] = {}
    out = []
    for text in texts:
        base = slugify_heading(text)
        if base in seen:
            seen[base] += 1
            slug = f"{base}-{seen[base]}"
        else:
            seen[base] = 0
            slug = base
        out.append(slug)
    return out


def outline(markdown: str) -> list[str]:
    """Headings as indented plain text, two spaces per level below 1."""
    return ["  " * (h.level - 1) + h.text for h in parse_headings(markdown)]


def shift_levels(markdown: str, by: int) -> str:
    """Demote (by > 0) or promote (by < 0) every ATX heading, clamped to 1..6."""
    lines = markdown.splitlines()
    outside = _lines_outside_fences(lines)
    result = []
    for i, line in enumerate(lines):
        match = _ATX_RE.match(line) if outside[i] else None
        if match:
            level = min(6, max(1, len(match.group(1)) + by))
            line = "#" * level + " " + match.group(2)
        result.append(line)
    return "\n".join(result) + ("\n" if markdown.endswith("\n") else "")


def section(markdown: str, title: str) -> str | None:
    """The text under the first heading titled ``title`` (case-insensitive), up to the
    next heading of the same or a higher level; None if there is no such heading."""
    lines = markdown.splitlines()
    headings = parse_headings(markdown)
    for index, heading in enumerate(headings):
        if heading.text.lower() != title.lower():
            continue
        start = heading.line + 1
        if start < len(lines) and _SETEXT_RE.match(lines[start]):
            start += 1
        end = len(lines)
        for later in headings[index + 1:]:
            if later.level <= heading.level:
                end = later.line
                break
        return "\n".join(lines[start:end]).strip("\n")
    return None


def word_counts(markdown: str) -> dict[str, int]:
    """Words under each heading (until the next heading of any level), keyed by heading text.

    Text before the first heading is counted under ''.
    """
    lines = markdown.splitlines()
    heading_lines = {h.line: h for h in parse_headings(markdown)}
    counts: dict[str, int] = {"": 0}
    current = ""
    skip_next = False
    for i, line in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        if i in heading_lines:
            current = heading_lines[i].text
            counts.setdefault(current, 0)
            skip_next = not _ATX_RE.match(line)
            continue
        counts[current] += len(line.split())
    return counts


def check_levels(markdown: str) -> list[str]:
    """Warnings for headings that skip a level (e.g. '#' followed by '###')."""
    warnings = []
    previous = 0
    for h in parse_headings(markdown):
        if previous and h.level > previous + 1:
            warnings.append(f"line {h.line + 1}: level {h.level} after level {previous}")
        previous = h.level
    return warnings


def document_title(markdown: str) -> str | None:
    """Text of the first level-1 heading, or None."""
    for h in parse_headings(markdown):
        if h.level == 1:
            return h.text
    return None


def headings_by_level(markdown: str) -> dict[int, list[str]]:
    """Heading texts grouped by level, levels ascending, texts in document order."""
    grouped: dict[int, list[str]] = {}
    for h in parse_headings(markdown):
        grouped.setdefault(h.level, []).append(h.text)
    return dict(sorted(grouped.items()))


def count_headings(markdown: str) -> int:
    """Number of headings in the document."""
    return len(parse_headings(markdown))


def build_toc(markdown: str, *, min_level: int = 1, max_level: int = 3, bullet: str = "-") -> str:
    """A nested Markdown list linking to the headings with min_level <= level <= max_level."""
    if min_level < 1 or max_level > 6 or min_level > max_level:
        raise ValueError("invalid level range")
    headings = parse_headings(markdown)
    # Slugs over all headings, so duplicate numbering matches the rendered page.
    slugs = unique_slugs([h.text for h in headings])
    lines = [
        "  " * (h.level - min_level) + f"{bullet} [{h.text}](#{slug})"
        for h, slug in zip(headings, slugs)
        if min_level <= h.level <= max_level
    ]
    return "\n".join(lines)
