"""Existing tests: behaviour the Money type already has (unchanged by the plan)."""

from decimal import Decimal

import pytest

from money import CurrencyMismatchError, Money, UnknownCurrencyError, get_currency
from money.money import split_tax, total


def test_construction_quantizes_to_minor_unit():
    assert Money("10.005", "USD").amount == Decimal("10.00")
    assert Money("10.015", "USD").amount == Decimal("10.02")
    assert Money("100.4", "JPY").amount == Decimal("100")
    assert Money("1", "KWD").amount == Decimal("1.000")
    with pytest.raises(TypeError):
        Money(1.5, "USD")
    with pytest.raises(UnknownCurrencyError):
        Money("1", "XXX")


def test_minor_units_and_from_minor():
    assert Money("19.99", "USD").minor_units == 1999
    assert Money("-3.50", "EUR").minor_units == -350
    assert Money("250", "JPY").minor_units == 250
    assert Money.from_minor(1999, "USD") == Money("19.99", "USD")
    assert Money.from_minor(1234, "KWD") == Money("1.234", "KWD")
    assert Money.from_minor(-5, get_currency("eur")) == Money("-0.05", "EUR")


def test_arithmetic_and_immutability():
    a = Money("10.00", "USD")
    b = Money("2.50", "USD")
    assert a + b == Money("12.50", "USD")
    assert a - b == Money("7.50", "USD")
    assert -a == Money("-10.00", "USD")
    assert a * 3 == Money("30.00", "USD")
    assert a.percent(15) == Money("1.50", "USD")
    assert a == Money("10", "USD")
    with pytest.raises(CurrencyMismatchError):
        a + Money("1", "EUR")
    with pytest.raises(TypeError):
        a / 2


def test_comparison_sum_and_total():
    values = [Money("1.10", "EUR"), Money("2.20", "EUR")]
    assert sum(values) == Money("3.30", "EUR")
    assert total(values) == Money("3.30", "EUR")
    assert total([], "EUR") == Money.zero("EUR")
    assert Money("1", "EUR") < Money("2", "EUR")
    assert max(values) == Money("2.20", "EUR")


def test_clamp_and_round_to():
    low, high = Money("1", "CHF"), Money("5", "CHF")
    assert Money("7", "CHF").clamp(low, high) == high
    assert Money("1.23", "CHF").round_to("0.05") == Money("1.25", "CHF")
    with pytest.raises(ValueError):
        Money("1", "CHF").round_to(0)


def test_parse_format_and_dict():
    m = Money.parse("usd 1234.5")
    assert str(m) == "USD 1234.50"
    assert repr(m) == "Money('1234.50', 'USD')"
    assert m.format() == "$1,234.50"
    assert (-m).format(symbol=False, grouping=False) == "-USD 1234.50"
    assert Money.from_dict(m.to_dict()) == m
    with pytest.raises(ValueError):
        Money.parse("12 USD")


def test_split_tax_parts_sum_to_gross():
    net, tax = split_tax(Money("119.00", "EUR"), 19)
    assert net == Money("100.00", "EUR")
    assert tax == Money("19.00", "EUR")
    assert net + tax == Money("119.00", "EUR")
