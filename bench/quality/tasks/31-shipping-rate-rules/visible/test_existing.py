"""Existing behaviour's tests for shipping rates (zones, per-zone prices, checkout line)."""

import pytest

from shipping.rates import RATES, ZONE_NAMES, Rate, quote, shipping_cost, zone_for_country


def test_zone_for_country():
    assert zone_for_country("DE") == "domestic"
    assert zone_for_country(" de ") == "domestic"
    assert zone_for_country("fr") == "eu"
    assert zone_for_country("NL") == "eu"
    assert zone_for_country("US") == "world"
    assert zone_for_country("CH") == "world"


def test_rate_table():
    assert RATES["domestic"] == Rate(4.50, 1.20)
    assert RATES["eu"] == Rate(9.00, 2.50)
    assert RATES["world"] == Rate(15.00, 4.00)
    assert ZONE_NAMES == {"domestic": "Domestic", "eu": "EU", "world": "Rest of world"}


def test_shipping_cost_base_plus_price_per_kg():
    assert shipping_cost(1.5, "eu") == pytest.approx(12.75)
    assert shipping_cost(2.0, "domestic") == pytest.approx(6.90)
    assert shipping_cost(1.0, "world") == pytest.approx(19.00)
    assert shipping_cost(0.5, "domestic") == pytest.approx(5.10)
    assert shipping_cost(3.0, "eu") == pytest.approx(16.50)


def test_shipping_cost_grows_with_weight():
    assert shipping_cost(1.0, "domestic") < shipping_cost(2.0, "domestic") < shipping_cost(5.0, "domestic")


def test_quote_line():
    assert quote(1.5, "FR") == "Shipping (EU): 12.75"
    assert quote(2.0, "DE") == "Shipping (Domestic): 6.90"
    assert quote(1.0, "us") == "Shipping (Rest of world): 19.00"
