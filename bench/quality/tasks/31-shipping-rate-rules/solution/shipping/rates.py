"""Shipping cost per parcel: a base price per zone plus a price per kilogram."""

from __future__ import annotations

import math
from dataclasses import dataclass

ZONE_NAMES = {"domestic": "Domestic", "eu": "EU", "world": "Rest of world"}


@dataclass(frozen=True)
class Rate:
    base: float
    per_kg: float


RATES = {
    "domestic": Rate(4.50, 1.20),
    "eu": Rate(9.00, 2.50),
    "world": Rate(15.00, 4.00),
}


def zone_for_country(country: str) -> str:
    """'DE' -> 'domestic', other EU members -> 'eu', everything else -> 'world'."""
    country = country.strip().upper()
    if country == "DE":
        return "domestic"
    if country in {"AT", "BE", "DK", "ES", "FI", "FR", "IE", "IT", "LU", "NL", "PL", "PT", "SE"}:
        return "eu"
    return "world"


FREE_DOMESTIC_FROM = 50.00


def shipping_cost(weight_kg: float, zone: str, order_total: float = 0) -> float:
    """Price of sending a parcel of ``weight_kg`` to ``zone``.

    The weight is charged per started half kilogram; domestic orders of 50.00 or more
    ship free.
    """
    if zone not in RATES:
        raise ValueError(f"unknown zone: {zone}")
    if weight_kg <= 0:
        raise ValueError("weight must be positive")
    if zone == "domestic" and order_total >= FREE_DOMESTIC_FROM:
        return 0.0
    rate = RATES[zone]
    charged = math.ceil(round(weight_kg * 2, 9)) / 2
    return round(rate.base + rate.per_kg * charged, 2)


def quote(weight_kg: float, country: str, order_total: float = 0) -> str:
    """The checkout line, e.g. 'Shipping (EU): 12.75' or 'Shipping (Domestic): free'."""
    zone = zone_for_country(country)
    cost = shipping_cost(weight_kg, zone, order_total)
    return f"Shipping ({ZONE_NAMES[zone]}): {'free' if cost == 0 else f'{cost:.2f}'}"
