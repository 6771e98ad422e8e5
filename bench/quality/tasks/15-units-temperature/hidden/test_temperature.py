import pytest

from units import IncompatibleUnitsError, UnknownUnitError, convert, format_quantity


def T():
    import units.temperature as temperature

    return temperature


def test_basic_conversions():
    t = T()
    assert t.convert_temperature(100, "C", "F") == pytest.approx(212.0)
    assert t.convert_temperature(212, "F", "C") == pytest.approx(100.0)
    assert t.convert_temperature(0, "C", "K") == pytest.approx(273.15)
    assert t.convert_temperature(-40, "C", "F") == pytest.approx(-40.0)
    assert t.convert_temperature(300, "K", "F") == pytest.approx(80.33)


def test_names_case_and_spaces():
    t = T()
    assert t.convert_temperature(10, " c ", "Kelvin") == pytest.approx(283.15)
    assert t.convert_temperature(50, "fahrenheit", "CELSIUS") == pytest.approx(10.0)


def test_same_unit_returns_value():
    t = T()
    result = t.convert_temperature(21, "C", "celsius")
    assert result == 21 and isinstance(result, float)


def test_absolute_zero():
    t = T()
    assert t.convert_temperature(0, "K", "C") == pytest.approx(-273.15)
    assert t.convert_temperature(-459.67, "F", "K") == pytest.approx(0.0, abs=1e-9)
    for value, unit in ((-1, "K"), (-273.16, "C"), (-460, "F")):
        with pytest.raises(ValueError, match="^temperature below absolute zero$"):
            t.convert_temperature(value, unit, "C")


def test_unknown_units():
    t = T()
    with pytest.raises(UnknownUnitError) as exc:
        t.convert_temperature(1, "X", "Y")
    assert str(exc.value) == "unknown unit: X"
    with pytest.raises(UnknownUnitError) as exc:
        t.convert_temperature(1, "C", "Rankine")
    assert str(exc.value) == "unknown unit: Rankine"


def test_format_temperature():
    t = T()
    assert t.format_temperature(21.456, "celsius") == "21.5 °C"
    assert t.format_temperature(70, "F", digits=0) == "70 °F"
    assert t.format_temperature(1, "k", 2) == "1.00 K"
    with pytest.raises(UnknownUnitError):
        t.format_temperature(1, "R")


def test_existing_behaviour_unchanged():
    assert convert(1, "km", "m") == 1000
    assert convert(1, "ft", "in") == pytest.approx(12)
    assert format_quantity(12.5, "kg") == "12.50 kg"
    with pytest.raises(IncompatibleUnitsError):
        convert(1, "kg", "m")
