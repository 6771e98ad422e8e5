import pytest

from shipping.rates import quote, shipping_cost, zone_for_country


@pytest.mark.parametrize("weight,zone,cost", [
    (1.2, "domestic", 6.3),
    (1.5, "eu", 12.75),
    (2.0, "domestic", 6.9),
    (2.01, "eu", 15.25),
    (0.3, "world", 17.0),
])
def test_half_kilo_steps(weight, zone, cost):
    assert shipping_cost(weight, zone) == cost


def test_free_domestic_from_50():
    assert shipping_cost(3.0, "domestic", order_total=50) == 0.0
    assert shipping_cost(3.0, "domestic", 120.0) == 0.0
    assert shipping_cost(3.0, "domestic", order_total=49.99) == 8.1
    assert shipping_cost(1.5, "eu", order_total=500) == 12.75


def test_errors():
    with pytest.raises(ValueError, match="^unknown zone: mars$"):
        shipping_cost(1.0, "mars")
    with pytest.raises(ValueError, match="^weight must be positive$"):
        shipping_cost(0, "eu")
    with pytest.raises(ValueError, match="^unknown zone: moon$"):
        shipping_cost(-1, "moon")


def test_quote():
    assert quote(1.5, "FR") == "Shipping (EU): 12.75"
    assert quote(1.2, "de", order_total=60) == "Shipping (Domestic): free"
    assert quote(1.2, "DE", order_total=10) == "Shipping (Domestic): 6.30"


def test_existing_zones():
    assert zone_for_country(" nl ") == "eu"
    assert zone_for_country("DE") == "domestic"
    assert zone_for_country("US") == "world"
    assert quote(1.5, "IT") == "Shipping (EU): 12.75"
