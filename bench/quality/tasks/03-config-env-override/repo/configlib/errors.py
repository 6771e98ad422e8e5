"""Errors raised while reading or querying configuration."""


class ConfigError(Exception):
    """Base class for configuration errors."""


class ParseError(ConfigError):
    """The text is not valid configuration; carries the 1-based line number."""

    def __init__(self, message: str, line: int):
        super().__init__(f"line {line}: {message}")
        self.line = line


class MissingOptionError(ConfigError, KeyError):
    """A section or option was asked for but is not defined."""

    def __init__(self, section: str, option: str | None = None):
        self.section = section
        self.option = option
        what = f"[{section}]" if option is None else f"[{section}] {option}"
        super().__init__(f"missing {what}")

    def __str__(self) -> str:
        return self.args[0]
