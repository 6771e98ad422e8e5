"""Small text helpers used across our tools."""

from textutils.core import (
    camel_case,
    collapse_repeats,
    count_words,
    normalize_whitespace,
    slugify,
    snake_case,
    strip_accents,
    title_case,
    truncate,
)
from textutils.wrap import wrap

__all__ = [
    "camel_case",
    "collapse_repeats",
    "count_words",
    "normalize_whitespace",
    "slugify",
    "snake_case",
    "strip_accents",
    "title_case",
    "truncate",
    "wrap",
]
