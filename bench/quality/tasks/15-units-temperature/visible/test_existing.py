"""Existing behaviour of the units package (tests that pass before the planned change)."""

import pytest

import units
from units import (
    DEFAULT,
    IncompatibleUnitsError,
    UnitError,
    UnitRegistry,
    UnknownUnitError,
    convert,
    format_quantity,
)


def test_convert_with_default_registry():
    assert convert(1, "km", "m") == 1000.0
    assert convert(12, "in", "ft") == pytest.approx(1.0)
    assert convert(90, "min", "h") == pytest.approx(1.5)
    assert convert(1, "lb", "g") == pytest.approx(453.59237)


def test_unknown_unit_error_message_and_type():
    with pytest.raises(UnknownUnitError) as info:
        convert(1, "furlong", "m")
    assert str(info.value) == "unknown unit: furlong"
    assert info.value.unit == "furlong"
    assert isinstance(info.value, UnitError)
    assert isinstance(info.value, ValueError)
    assert str(UnknownUnitError("X")) == "unknown unit: X"


def test_incompatible_units():
    with pytest.raises(IncompatibleUnitsError) as info:
        convert(1, "kg", "m")
    assert str(info.value) == "cannot convert kg to m"
    assert (info.value.source, info.value.target) == ("kg", "m")


def test_format_quantity():
    assert format_quantity(12.5, "kg") == "12.50 kg"
    assert format_quantity(21.456, "°C", 1) == "21.5 °C"
    assert format_quantity(3, "m", 0) == "3 m"
    with pytest.raises(ValueError):
        format_quantity(1, "m", -1)


def test_custom_registry():
    reg = UnitRegistry()
    reg.define("B", "data", 1.0)
    reg.define("KiB", "data", 1024.0)
    assert reg.convert(2, "KiB", "B") == 2048.0
    assert reg.units_of("data") == ["B", "KiB"]
    with pytest.raises(ValueError):
        reg.define("x", "data", 0)
    with pytest.raises(UnknownUnitError):
        reg.get("MiB")


def test_default_registry_dimensions_and_exports():
    assert DEFAULT.units_of("time") == ["d", "h", "min", "s"]
    assert DEFAULT.units_of("temperature") == []
    assert set(units.__all__) >= {"DEFAULT", "UnitRegistry", "UnknownUnitError", "convert", "format_quantity"}
