"""Greedy word wrapping."""

from __future__ import annotations

from textutils.core import normalize_whitespace


def wrap(text: str, width: int = 72) -> list[str]:
    """Wrap ``text`` into lines of at most ``width`` characters; long words get their own line."""
    if width < 1:
        raise ValueError("width must be positive")
    lines: list[str] = []
    current = ""
    for word in normalize_whitespace(text).split(" "):
        if not word:
            continue
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def fill(text: str, width: int = 72) -> str:
    """``wrap`` joined with newlines."""
    return "\n".join(wrap(text, width))
