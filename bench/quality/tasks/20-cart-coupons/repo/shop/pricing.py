"""Catalogue, coupons and rounding rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price_cents: int


@dataclass(frozen=True)
class Coupon:
    code: str  # upper-case
    percent_off: int  # 1..100
    min_subtotal_cents: int = 0
    expires: date | None = None  # last day it can be used


CATALOG = {
    p.sku: p
    for p in (
        Product("TEA-01", "Green tea", 650),
        Product("TEA-02", "Black tea", 590),
        Product("MUG-01", "Mug", 1200),
        Product("POT-01", "Teapot", 3450),
    )
}

COUPONS = {
    c.code: c
    for c in (
        Coupon("WELCOME10", 10),
        Coupon("BIG20", 20, min_subtotal_cents=10000),
        Coupon("SPRING15", 15, expires=date(2024, 5, 31)),
    )
}


def percent_of(amount_cents: int, percent: float) -> int:
    """``percent`` % of an amount, rounded half up to whole cents."""
    return int(amount_cents * percent / 100 + 0.5)


def find_coupon(code: str) -> Coupon | None:
    """The coupon for ``code`` (case-insensitive, spaces ignored), or None."""
    return COUPONS.get(code.strip().upper())


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
