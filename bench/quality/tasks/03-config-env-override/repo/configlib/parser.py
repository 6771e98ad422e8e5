"""Parse INI-style text into a Config.

Syntax:
    [section]            starts a section; names are case-insensitive (stored lower-case)
    key = value          an option; keys are case-insensitive; ':' also separates
    # comment, ; comment full-line comments
      continued          an indented line continues the previous value (joined with "\n")
    ${section.key}       interpolation, resolved when the value is read
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from configlib import values
from configlib.errors import ConfigError, MissingOptionError, ParseError

_SECTION_RE = re.compile(r"^\[\s*([^\]]+?)\s*\]\s*$")
_OPTION_RE = re.compile(r"^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$")
_REF_RE = re.compile(r"\$\{([^}.]+)\.([^}]+)\}")
_MAX_DEPTH = 10
_MISSING = object()


class Config:
    """Sections of string options, with typed getters and interpolation."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, str]] = {}

    # -- structure --------------------------------------------------------------

    def sections(self) -> list[str]:
        """Section names in the order they were first defined."""
        return list(self._data)

    def has_section(self, section: str) -> bool:
        return section.lower() in self._data

    def add_section(self, section: str) -> None:
        name = section.strip().lower()
        if not name:
            raise ConfigError("section name must not be empty")
        self._data.setdefault(name, {})

    def options(self, section: str) -> list[str]:
        return list(self._section(section))

    def has_option(self, section: str, option: str) -> bool:
        return option.lower() in self._data.get(section.lower(), {})

    def _section(self, section: str) -> dict[str, str]:
        try:
            return self._data[section.lower()]
        except KeyError:
            raise MissingOptionError(section.lower()) from None

    # -- raw access -------------------------------------------------------------

    def set(self, section: str, option: str, value: str) -> None:
        """Set an option, creating the section if needed."""
        self.add_section(section)
        key = option.strip().lower()
        if not key:
            raise ConfigError("option name must not be empty")
        self._data[section.lower().strip()][key] = str(value)

    def remove_option(self, section: str, option: str) -> bool:
        """Remove an option; return whether it existed."""
        return self._data.get(section.lower(), {}).pop(option.lower(), None) is not None

    def raw(self, section: str, option: str) -> str:
        """The stored string, without interpolation."""
        opts = self._section(section)
        try:
            return opts[option.lower()]
        except KeyError:
            raise MissingOptionError(section.lower(), option.lower()) from None

    def items(self, section: str) -> list[tuple[str, str]]:
        """(option, interpolated value) pairs of a section."""
        return [(key, self.get(section, key)) for key in self._section(section)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    # -- typed getters ------------------------------------------------------------

    def get(self, section: str, option: str, default: object = _MISSING) -> str:
        """The interpolated value; ``default`` if given and the option is missing."""
        try:
            raw = self.raw(section, option)
        except MissingOptionError:
            if default is _MISSING:
                raise
            return default  # type: ignore[return-value]
        return self._interpolate(raw, depth=0)

    def get_int(self, section: str, option: str, default: object = _MISSING) -> int:
        if default is not _MISSING and not self.has_option(section, option):
            return default  # type: ignore[return-value]
        return values.to_int(self.get(section, option))

    def get_float(self, section: str, option: str, default: object = _MISSING) -> float:
        if default is not _MISSING and not self.has_option(section, option):
            return default  # type: ignore[return-value]
        return values.to_float(self.get(section, option))

    def get_bool(self, section: str, option: str, default: object = _MISSING) -> bool:
        if default is not _MISSING and not self.has_option(section, option):
            return default  # type: ignore[return-value]
        return values.to_bool(self.get(section, option))

    def get_list(self, section: str, option: str, default: object = _MISSING) -> list[str]:
        if default is not _MISSING and not self.has_option(section, option):
            return default  # type: ignore[return-value]
        return values.to_list(self.get(section, option))

    def _interpolate(self, raw: str, depth: int) -> str:
        if depth > _MAX_DEPTH:
            raise ConfigError("interpolation too deep (is there a cycle?)")

        def replace(match: re.Match[str]) -> str:
            ref = self.raw(match.group(1).strip(), match.group(2).strip())
            return self._interpolate(ref, depth + 1)

        return _REF_RE.sub(replace, raw)

    # -- output ---------------------------------------------------------------------

    def merge(self, other: "Config") -> None:
        """Copy every option of ``other`` into this config, overwriting."""
        for section in other.sections():
            for key in other.options(section):
                self.set(section, key, other.raw(section, key))

    def to_text(self) -> str:
        """Serialise back to INI text (raw values, continuation lines indented)."""
        chunks = []
        for section, opts in self._data.items():
            lines = [f"[{section}]"]
            for key, value in opts.items():
                first, *rest = value.split("\n")
                lines.append(f"{key} = {first}")
                lines.extend(f"    {line}" for line in rest)
            chunks.append("\n".join(lines))
        return "\n\n".join(chunks) + ("\n" if chunks else "")

    def copy(self) -> "Config":
        """An independent copy with the same raw values."""
        clone = Config()
        clone.merge(self)
        return clone

    def as_dict(self) -> dict[str, dict[str, str]]:
        """A plain copy of the raw data."""
        return {section: dict(opts) for section, opts in self._data.items()}


def parse(text: str) -> Config:
    """Parse INI-style text; raises ParseError with the line number on bad input."""
    config = Config()
    section: str | None = None
    last_key: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if line[0] in " \t":
            if section is None or last_key is None:
                raise ParseError("continuation line without an option", number)
            previous = config.raw(section, last_key)
            config.set(section, last_key, f"{previous}\n{stripped}" if previous else stripped)
            continue
        match = _SECTION_RE.match(stripped)
        if match:
            section = match.group(1).lower()
            if config.has_section(section):
                raise ParseError(f"duplicate section [{section}]", number)
            config.add_section(section)
            last_key = None
            continue
        match = _OPTION_RE.match(stripped)
        if not match:
            raise ParseError(f"cannot parse {stripped!r}", number)
        if section is None:
            raise ParseError("option outside of any section", number)
        key = match.group(1).strip().lower()
        if config.has_option(section, key):
            raise ParseError(f"duplicate option {key!r} in [{section}]", number)
        config.set(section, key, match.group(2).strip())
        last_key = key
    return config


def load(path: str | Path) -> Config:
    """Read and parse a configuration file (UTF-8)."""
    return parse(Path(path).read_text(encoding="utf-8"))
