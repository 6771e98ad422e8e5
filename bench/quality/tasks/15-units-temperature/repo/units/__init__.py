"""Unit conversion for lengths, masses and durations."""

from units.errors import IncompatibleUnitsError, UnitError, UnknownUnitError
from units.registry import DEFAULT, UnitRegistry, convert, format_quantity

__all__ = [
    "DEFAULT",
    "IncompatibleUnitsError",
    "UnitError",
    "UnitRegistry",
    "UnknownUnitError",
    "convert",
    "format_quantity",
]
