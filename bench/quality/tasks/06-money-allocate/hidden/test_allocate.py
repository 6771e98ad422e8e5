from decimal import Decimal

import pytest

from money import CurrencyMismatchError, Money


def amounts(parts):
    return [str(p) for p in parts]


def test_three_ways():
    parts = Money("100", "USD").allocate([1, 1, 1])
    assert amounts(parts) == ["USD 33.34", "USD 33.33", "USD 33.33"]
    assert sum(parts) == Money("100", "USD")
    assert all(isinstance(p, Money) for p in parts)


def test_remainder_to_first():
    assert amounts(Money("0.05", "EUR").allocate([3, 7])) == ["EUR 0.02", "EUR 0.03"]
    assert amounts(Money("100", "EUR").allocate([70, 30])) == ["EUR 70.00", "EUR 30.00"]


def test_currency_exponents():
    assert amounts(Money("100", "JPY").allocate([1, 2])) == ["JPY 34", "JPY 66"]
    parts = Money("1", "KWD").allocate([1, 1, 1])
    assert amounts(parts) == ["KWD 0.334", "KWD 0.333", "KWD 0.333"]


def test_negative_amount():
    assert amounts(Money("-10", "USD").allocate([1, 2])) == ["USD -3.34", "USD -6.66"]


def test_zero_ratio_gets_nothing():
    assert amounts(Money("0.01", "USD").allocate([0, 1, 1])) == ["USD 0.00", "USD 0.01", "USD 0.00"]
    assert amounts(Money("1", "USD").allocate([0, 1, 1])) == ["USD 0.00", "USD 0.50", "USD 0.50"]


def test_zero_amount_and_single():
    assert amounts(Money("0", "USD").allocate([1, 1])) == ["USD 0.00", "USD 0.00"]
    assert amounts(Money("9.99", "GBP").allocate([5])) == ["GBP 9.99"]


def test_sum_always_matches():
    m = Money("1234.57", "EUR")
    for ratios in ([1, 2, 3], [7, 0, 13, 1], [1] * 7, [99, 1]):
        parts = m.allocate(ratios)
        assert len(parts) == len(ratios)
        assert sum(parts) == m


def test_validation():
    m = Money("10", "USD")
    with pytest.raises(ValueError, match="^ratios must not be empty$"):
        m.allocate([])
    with pytest.raises(ValueError, match="^ratios must be non-negative$"):
        m.allocate([1, -1, 5])
    with pytest.raises(ValueError, match="^ratios must not all be zero$"):
        m.allocate([0, 0])


def test_existing_behaviour_unchanged():
    assert Money("10.005", "USD").amount == Decimal("10.00")
    assert Money("200", "EUR").percent(15) == Money("30", "EUR")
    assert Money.from_minor(1999, "USD").format() == "$19.99"
    with pytest.raises(CurrencyMismatchError):
        Money("1", "USD") + Money("1", "EUR")
