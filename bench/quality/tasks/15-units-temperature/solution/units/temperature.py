
"""Temperature conversion (C, F, K); not linear, so not part of UnitRegistry."""

from __future__ import annotations

from units.errors import UnknownUnitError
from units.registry import format_quantity

_NAMES = {"c": "C", "celsius": "C", "f": "F", "fahrenheit": "F", "k": "K", "kelvin": "K"}
_SYMBOLS = {"C": "°C", "F": "°F", "K": "K"}
_ABSOLUTE_ZERO = {"C": -273.15, "F": -459.67, "K": 0.0}


def _normalise(unit: str) -> str:
    try:
        return _NAMES[unit.strip().lower()]
    except KeyError:
        raise UnknownUnitError(unit) from None


def _to_kelvin(value: float, unit: str) -> float:
    if unit == "C":
        return value + 273.15
    if unit == "F":
        return (value - 32) * 5 / 9 + 273.15
    return value


def _from_kelvin(kelvin: float, unit: str) -> float:
    if unit == "C":
        return kelvin - 273.15
    if unit == "F":
        return (kelvin - 273.15) * 9 / 5 + 32
    return kelvin


def convert_temperature(value: float, from_unit: str, to_unit: str) -> float:
    """Convert between Celsius, Fahrenheit and Kelvin."""
    source = _normalise(from_unit)
    target = _normalise(to_unit)
    if value < _ABSOLUTE_ZERO[source]:
        raise ValueError("temperature below absolute zero")
    if source == target:
        return float(value)
    return _from_kelvin(_to_kelvin(value, source), target)


def format_temperature(value: float, unit: str, digits: int = 1) -> str:
    """'21.5 °C'."""
    return format_quantity(value, _SYMBOLS[_normalise(unit)], digits)
