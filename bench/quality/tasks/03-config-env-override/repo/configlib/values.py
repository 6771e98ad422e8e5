"""Converting raw option strings to Python values."""

from __future__ import annotations

from configlib.errors import ConfigError

TRUE_WORDS = frozenset({"1", "yes", "true", "on"})
FALSE_WORDS = frozenset({"0", "no", "false", "off"})


def to_bool(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"not a boolean: {raw!r}")


def to_int(raw: str) -> int:
    try:
        return int(raw.strip(), 0)
    except ValueError:
        raise ConfigError(f"not an integer: {raw!r}") from None


def to_float(raw: str) -> float:
    try:
        return float(raw.strip())
    except ValueError:
        raise ConfigError(f"not a number: {raw!r}") from None


def to_list(raw: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` and on newlines; drop empty items."""
    parts: list[str] = []
    for line in raw.splitlines():
        parts.extend(p.strip() for p in line.split(sep))
    return [p for p in parts if p]
