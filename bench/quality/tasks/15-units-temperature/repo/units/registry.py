"""Linear units: every unit is a factor times the base unit of its dimension."""

from __future__ import annotations

from dataclasses import dataclass

from units.errors import IncompatibleUnitsError, UnknownUnitError


@dataclass(frozen=True)
class Unit:
    symbol: str
    dimension: str
    factor: float  # how many base units one of this unit is


class UnitRegistry:
    def __init__(self) -> None:
        self._units: dict[str, Unit] = {}

    def define(self, symbol: str, dimension: str, factor: float) -> None:
        if factor <= 0:
            raise ValueError("factor must be positive")
        self._units[symbol] = Unit(symbol, dimension, factor)

    def get(self, symbol: str) -> Unit:
        try:
            return self._units[symbol]
        except KeyError:
            raise UnknownUnitError(symbol) from None

    def convert(self, value: float, source: str, target: str) -> float:
        a, b = self.get(source), self.get(target)
        if a.dimension != b.dimension:
            raise IncompatibleUnitsError(source, target)
        return value * a.factor / b.factor

    def units_of(self, dimension: str) -> list[str]:
        return sorted(u.symbol for u in self._units.values() if u.dimension == dimension)


DEFAULT = UnitRegistry()
for _symbol, _dim, _factor in [
    ("mm", "length", 0.001), ("cm", "length", 0.01), ("m", "length", 1.0),
    ("km", "length", 1000.0), ("in", "length", 0.0254), ("ft", "length", 0.3048),
    ("mi", "length", 1609.344),
    ("g", "mass", 0.001), ("kg", "mass", 1.0), ("lb", "mass", 0.45359237), ("oz", "mass", 0.028349523125),
    ("s", "time", 1.0), ("min", "time", 60.0), ("h", "time", 3600.0), ("d", "time", 86400.0),
]:
    DEFAULT.define(_symbol, _dim, _factor)


def convert(value: float, source: str, target: str) -> float:
    """Convert with the default registry."""
    return DEFAULT.convert(value, source, target)


def format_quantity(value: float, symbol: str, digits: int = 2) -> str:
    """'12.50 kg'; trailing zeros are kept so columns line up."""
    if digits < 0:
        raise ValueError("digits must be non-negative")
    return f"{value:.{digits}f} {symbol}"
