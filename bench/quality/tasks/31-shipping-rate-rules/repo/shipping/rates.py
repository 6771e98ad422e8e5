"""Shipping cost per parcel: a base price per zone plus a price per kilogram."""

from __future__ import annotations

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


def shipping_cost(weight_kg: float, zone: str) -> float:
    """Price of sending a parcel of ``weight_kg`` to ``zone``."""
    rate = RATES[zone]
    return rate.base + rate.per_kg * weight_kg


def quote(weight_kg: float, country: str) -> str:
    """The checkout line, e.g. 'Shipping (EU): 12.75'."""
    zone = zone_for_country(country)
    return f"Shipping ({ZONE_NAMES[zone]}): {shipping_cost(weight_kg, zone):.2f}"
