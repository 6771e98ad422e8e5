"""Errors for command-line parsing."""


class UsageError(Exception):
    """The command line is wrong; the message is shown to the user as is."""
