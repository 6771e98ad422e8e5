"""Sale records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Sale:
    day: date
    region: str
    product: str
    units: int
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return self.units * self.unit_price_cents
