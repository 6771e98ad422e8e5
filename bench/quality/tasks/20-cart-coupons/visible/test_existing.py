"""Existing behaviour of the shop cart and pricing helpers (tests that pass before the planned change)."""

from datetime import date

import pytest

from shop.cart import MAX_QUANTITY, Cart, CartError
from shop.pricing import find_coupon, format_cents, percent_of

TODAY = date(2024, 5, 1)


def make_cart(**options):
    return Cart(today=TODAY, **options)


def test_add_merges_quantities_and_keeps_order():
    cart = make_cart()
    cart.add("MUG-01")
    cart.add("TEA-01", 2)
    cart.add("MUG-01", 3)
    assert [(l.product.sku, l.quantity) for l in cart.lines()] == [("MUG-01", 4), ("TEA-01", 2)]
    assert cart.item_count() == 6 and cart.product_count() == 2
    assert "TEA-01" in cart and "POT-01" not in cart


def test_add_errors():
    cart = make_cart()
    with pytest.raises(CartError, match="unknown product: NOPE"):
        cart.add("NOPE")
    with pytest.raises(CartError, match="quantity must be at least 1"):
        cart.add("TEA-01", 0)
    cart.add("TEA-01", MAX_QUANTITY)
    with pytest.raises(CartError, match="at most 99 of Green tea"):
        cart.add("TEA-01")
    assert cart.line("TEA-01").quantity == 99


def test_set_quantity_and_remove():
    cart = make_cart()
    cart.add("TEA-01", 2)
    cart.add("TEA-02")
    cart.set_quantity("TEA-01", 5)
    assert cart.line("TEA-01").quantity == 5
    cart.set_quantity("TEA-02", 0)
    assert "TEA-02" not in cart
    with pytest.raises(CartError):
        cart.set_quantity("TEA-01", 100)
    cart.remove("TEA-01")
    assert cart.is_empty()
    with pytest.raises(CartError, match="TEA-01 is not in the cart"):
        cart.remove("TEA-01")


def test_money_without_coupon():
    cart = make_cart(tax_rate_percent=20)
    cart.add("TEA-01", 2)  # 13.00
    cart.add("TEA-02")  # 5.90
    assert cart.subtotal_cents() == 1890
    assert cart.shipping_cents() == 499
    assert cart.tax_cents() == 378
    assert cart.total_cents() == 1890 + 499 + 378
    assert cart.amount_to_free_shipping_cents() == 5000 - 1890


def test_free_shipping_and_empty_cart():
    cart = make_cart()
    assert cart.shipping_cents() == 0
    assert cart.total_cents() == 0
    assert cart.amount_to_free_shipping_cents() == 5000
    cart.add("POT-01")
    cart.add("MUG-01")  # 46.50
    assert cart.shipping_cents() == 499
    cart.add("TEA-01")  # 53.00
    assert cart.shipping_cents() == 0
    assert cart.amount_to_free_shipping_cents() == 0


def test_summary_without_coupon():
    cart = make_cart(tax_rate_percent=10)
    cart.add("TEA-02", 2)
    cart.add("MUG-01")
    assert cart.summary() == [
        "2 x Black tea: 11.80",
        "1 x Mug: 12.00",
        "Subtotal: 23.80",
        "Shipping: 4.99",
        "Tax: 2.38",
        "Total: 31.17",
    ]


def test_save_for_later_and_move_back():
    cart = make_cart()
    cart.add("MUG-01", 2)
    cart.save_for_later("MUG-01")
    assert cart.is_empty() and cart.saved() == {"MUG-01": 2}
    cart.move_to_cart("MUG-01")
    assert cart.line("MUG-01").quantity == 2 and cart.saved() == {}
    with pytest.raises(CartError, match="MUG-01 is not saved"):
        cart.move_to_cart("MUG-01")


def test_dict_round_trip_merge_and_most_expensive():
    cart = make_cart()
    cart.add("TEA-01", 3)
    cart.add("POT-01")
    data = cart.to_dict()
    assert data == {"lines": {"TEA-01": 3, "POT-01": 1}}
    copy = Cart.from_dict(data, today=TODAY)
    other = make_cart()
    other.add("TEA-01", 98)
    copy.merge(other)
    assert copy.line("TEA-01").quantity == 99
    assert cart.most_expensive_line().product.sku == "POT-01"
    assert make_cart().most_expensive_line() is None


def test_pricing_helpers():
    assert percent_of(590, 15) == 89  # 88.5 rounds half up
    assert percent_of(1000, 0) == 0
    assert format_cents(1234) == "12.34" and format_cents(5) == "0.05" and format_cents(-250) == "-2.50"
    assert find_coupon(" welcome10 ").percent_off == 10
    assert find_coupon("BIG20").min_subtotal_cents == 10000
    assert find_coupon("NOPE") is None
