from datetime import date

import pytest

from shop import cart as C


def make(today=date(2024, 5, 1)):
    cart = C.Cart(today=today, tax_rate_percent=20)
    cart.add("POT-01", 2)
    cart.add("TEA-01")
    return cart


def test_apply_welcome():
    cart = make()
    coupon = cart.apply_coupon(" welcome10 ")
    assert coupon.code == "WELCOME10" and cart.coupon is coupon
    assert cart.subtotal_cents() == 7550
    assert cart.discount_cents() == 755
    assert cart.shipping_cents() == 0
    assert cart.tax_cents() == 1359
    assert cart.total_cents() == 8154


def test_summary_with_discount():
    cart = make()
    cart.apply_coupon("WELCOME10")
    assert cart.summary() == [
        "2 x Teapot: 69.00",
        "1 x Green tea: 6.50",
        "Subtotal: 75.50",
        "Discount (WELCOME10): -7.55",
        "Shipping: 0.00",
        "Tax: 13.59",
        "Total: 81.54",
    ]


def test_minimum_subtotal():
    cart = make()
    cart.apply_coupon("BIG20")
    assert cart.discount_cents() == 0
    assert not any(line.startswith("Discount") for line in cart.summary())
    assert cart.total_cents() == 7550 + 1510
    cart.add("MUG-01", 3)
    assert cart.subtotal_cents() == 11150
    assert cart.discount_cents() == 2230


def test_unknown_coupon_keeps_previous():
    cart = make()
    cart.apply_coupon("WELCOME10")
    with pytest.raises(C.CouponError) as exc:
        cart.apply_coupon("nope")
    assert str(exc.value) == "unknown coupon: nope"
    assert isinstance(exc.value, C.CartError)
    assert cart.coupon.code == "WELCOME10"


def test_expiry_and_rounding():
    cart = C.Cart(today=date(2024, 5, 31))
    cart.add("TEA-02")
    cart.apply_coupon("SPRING15")
    assert cart.discount_cents() == 89
    assert cart.shipping_cents() == 499
    assert cart.total_cents() == 590 - 89 + 499
    late = C.Cart(today=date(2024, 6, 1))
    with pytest.raises(C.CouponError) as exc:
        late.apply_coupon("spring15")
    assert str(exc.value) == "coupon SPRING15 has expired"
    assert late.coupon is None


def test_replace_and_remove():
    cart = make()
    assert cart.coupon is None and cart.discount_cents() == 0
    cart.apply_coupon("WELCOME10")
    cart.apply_coupon("SPRING15")
    assert cart.coupon.code == "SPRING15"
    assert cart.discount_cents() == 1133
    cart.remove_coupon()
    cart.remove_coupon()
    assert cart.coupon is None
    assert cart.total_cents() == 7550 + 1510


def test_existing_behaviour_unchanged():
    cart = C.Cart(today=date(2024, 1, 1), tax_rate_percent=10)
    cart.add("MUG-01")
    assert cart.summary() == ["1 x Mug: 12.00", "Subtotal: 12.00", "Shipping: 4.99", "Tax: 1.20", "Total: 18.19"]
    with pytest.raises(C.CartError):
        cart.add("NOPE")
    cart.save_for_later("MUG-01")
    assert cart.is_empty() and cart.saved() == {"MUG-01": 1}
