"""Topic names are dot-separated words; patterns may use '*' (one word) and '#' (the rest)."""

from __future__ import annotations

import re

_WORD_RE = re.compile(r"^[a-z0-9_]+$")


def validate_topic(topic: str, *, pattern: bool = False) -> str:
    """Return ``topic`` if well-formed; raise ValueError otherwise."""
    words = topic.split(".")
    for i, word in enumerate(words):
        if pattern and word == "*":
            continue
        if pattern and word == "#" and i == len(words) - 1:
            continue
        if not _WORD_RE.match(word):
            raise ValueError(f"bad topic {topic!r}")
    return topic


def matches(pattern: str, topic: str) -> bool:
    """'orders.*' matches 'orders.created'; 'orders.#' matches 'orders' and 'orders.a.b'."""
    p_words, t_words = pattern.split("."), topic.split(".")
    for i, p in enumerate(p_words):
        if p == "#":
            return True
        if i >= len(t_words):
            return False
        if p != "*" and p != t_words[i]:
            return False
    return len(p_words) == len(t_words)
