"""A minimal command-line argument parser."""

from cliargs.errors import UsageError
from cliargs.parser import ArgParser, Option

__all__ = ["ArgParser", "Option", "UsageError"]
