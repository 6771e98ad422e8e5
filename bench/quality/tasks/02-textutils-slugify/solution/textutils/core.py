"""Core string transformations. Pure functions, no I/O."""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter

_WS_RE = re.compile(r"\s+")
_SLUG_RE = re.compile(r"[^a-z0-9]+")
_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_CAMEL_BOUNDARY_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to", "via"}
)


def normalize_whitespace(text: str) -> str:
    """Collapse every run of whitespace to one space and strip both ends."""
    return _WS_RE.sub(" ", text).strip()


def strip_accents(text: str) -> str:
    """Remove combining marks: 'Crème brûlée' -> 'Creme brulee'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def remove_punctuation(text: str, *, keep: str = "") -> str:
    """Drop ASCII punctuation except the characters in ``keep``."""
    drop = "".join(ch for ch in string.punctuation if ch not in keep)
    return text.translate(str.maketrans("", "", drop))


def truncate(text: str, width: int, *, ellipsis: str = "...") -> str:
    """Shorten ``text`` to at most ``width`` characters, ending with ``ellipsis`` if cut."""
    if width < 0:
        raise ValueError("width must be non-negative")
    if len(text) <= width:
        return text
    if width <= len(ellipsis):
        return ellipsis[:width]
    return text[: width - len(ellipsis)].rstrip() + ellipsis


def slugify(text: str, *, sep: str = "-", max_length: int | None = None) -> str:
    """URL-safe slug: 'Crème Brûlée!' -> 'creme-brulee'."""
    if max_length is not None and max_length < 1:
        raise ValueError("max_length must be positive")
    slug = _SLUG_RE.sub(sep, strip_accents(text).lower()).strip(sep)
    if max_length is not None:
        slug = slug[:max_length].rstrip(sep)
    return slug


def split_words(text: str) -> list[str]:
    """Words made of letters and digits, splitting camelCase and snake_case too."""
    words: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", strip_accents(text)):
        if chunk:
            words.extend(part for part in _CAMEL_BOUNDARY_RE.split(chunk) if part)
    return words


def snake_case(text: str) -> str:
    """'Hello World' / 'helloWorld' / 'Hello-world' -> 'hello_world'."""
    return "_".join(word.lower() for word in split_words(text))


def kebab_case(text: str) -> str:
    """'Hello World' -> 'hello-world'."""
    return "-".join(word.lower() for word in split_words(text))


def camel_case(text: str, *, upper_first: bool = False) -> str:
    """'hello world' -> 'helloWorld' (or 'HelloWorld' with upper_first)."""
    words = [w.lower() for w in split_words(text)]
    if not words:
        return ""
    head = words[0].capitalize() if upper_first else words[0]
    return head + "".join(w.capitalize() for w in words[1:])


def title_case(text: str) -> str:
    """Capitalise words except small words that are not first or last."""
    words = normalize_whitespace(text).split(" ")
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        if 0 < i < len(words) - 1 and lower in SMALL_WORDS:
            out.append(lower)
        else:
            out.append(lower[:1].upper() + lower[1:])
    return " ".join(out)


def count_words(text: str) -> int:
    """Number of words, where "don't" counts as one word."""
    return len(_WORD_RE.findall(text))


def word_frequencies(text: str, *, top: int | None = None) -> list[tuple[str, int]]:
    """(word, count) pairs, case-insensitive, most common first, ties alphabetical."""
    counts = Counter(w.lower() for w in _WORD_RE.findall(text))
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return ranked if top is None else ranked[:top]


def collapse_repeats(text: str, char: str) -> str:
    """Replace runs of ``char`` with a single ``char``: ('a--b', '-') -> 'a-b'."""
    if len(char) != 1:
        raise ValueError("char must be a single character")
    return re.sub(re.escape(char) + "{2,}", char, text)


def is_palindrome(text: str) -> bool:
    """True if the letters and digits read the same both ways, ignoring case."""
    chars = [ch.lower() for ch in strip_accents(text) if ch.isalnum()]
    return chars == chars[::-1]


def initials(name: str) -> str:
    """'Ada King Lovelace' -> 'AKL'."""
    return "".join(word[0].upper() for word in normalize_whitespace(name).split(" ") if word)


def indent(text: str, prefix: str = "    ", *, skip_blank: bool = True) -> str:
    """Prefix every line; blank lines stay blank unless ``skip_blank`` is False."""
    lines = text.split("\n")
    return "\n".join(
        line if (skip_blank and not line.strip()) else prefix + line for line in lines
    )


def common_prefix(strings: list[str]) -> str:
    """The longest prefix shared by every string; '' for an empty list."""
    if not strings:
        return ""
    first, last = min(strings), max(strings)
    i = 0
    while i < len(first) and i < len(last) and first[i] == last[i]:
        i += 1
    return first[:i]


def pluralize(word: str, count: int, plural: str | None = None) -> str:
    """'1 file', '2 files', '2 mice' (with plural='mice')."""
    if count == 1:
        return f"{count} {word}"
    if plural is None:
        if word.endswith(("s", "x", "z", "ch", "sh")):
            plural = word + "es"
        elif word.endswith("y") and word[-2:-1] not in "aeiou":
            plural = word[:-1] + "ies"
        else:
            plural = word + "s"
    return f"{count} {plural}"


def mask(text: str, *, visible: int = 4, char: str = "*") -> str:
    """Hide all but the last ``visible`` characters: mask('12345678') -> '****5678'."""
    if visible < 0:
        raise ValueError("visible must be non-negative")
    if visible >= len(text):
        return text
    return char * (len(text) - visible) + text[len(text) - visible:]


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def human_join(items: list[str], *, conjunction: str = "and") -> str:
    """['a'] -> 'a'; ['a', 'b'] -> 'a and b'; ['a', 'b', 'c'] -> 'a, b and c'."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def levenshtein(a: str, b: str) -> int:
    """Edit distance: insertions, deletions and substitutions each cost 1."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return previous[-1]


def closest_match(word: str, candidates: list[str], *, max_distance: int = 2) -> str | None:
    """The candidate nearest to ``word`` by edit distance, or None if all are too far."""
    best, best_distance = None, max_distance + 1
    for candidate in candidates:
        distance = levenshtein(word.lower(), candidate.lower())
        if distance < best_distance:
            best, best_distance = candidate, distance
    return best


def squeeze_blank_lines(text: str) -> str:
    """Collapse runs of blank lines into a single blank line."""
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text)
