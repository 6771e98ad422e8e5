"""Find links in Markdown text."""

from __future__ import annotations

import re

_LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def find_links(markdown: str) -> list[tuple[str, str]]:
    """(text, target) for every inline link, in order."""
    return [(m.group(1), m.group(2)) for m in _LINK_RE.finditer(markdown)]


def anchors(markdown: str) -> list[str]:
    """Targets of in-page links ('#section'), without the '#'."""
    return [target[1:] for _, target in find_links(markdown) if target.startswith("#")]
