"""Errors and validation results."""

from __future__ import annotations

from dataclasses import dataclass


class SchemaError(Exception):
    """The schema itself is malformed."""


@dataclass(frozen=True)
class ValidationError:
    """One problem in the instance. ``path`` is like '$.servers[0].port'."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"
