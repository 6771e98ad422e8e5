"""A tiny INI-style configuration reader."""

from configlib.errors import ConfigError, MissingOptionError, ParseError
from configlib.parser import Config, load, parse

__all__ = ["Config", "ConfigError", "MissingOptionError", "ParseError", "load", "parse"]
