"""Value objects for the inventory."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Item:
    """One stock-keeping unit held in the warehouse."""

    sku: str
    name: str
    quantity: int = 0
    unit_price: Decimal = Decimal("0")
    tags: set[str] = field(default_factory=set)
    discontinued: bool = False

    def __post_init__(self) -> None:
        if not self.sku or not self.sku.strip():
            raise ValueError("sku must not be empty")
        if self.quantity < 0:
            raise ValueError("quantity must be non-negative")
        self.unit_price = Decimal(self.unit_price)
        if self.unit_price < 0:
            raise ValueError("unit_price must be non-negative")

    @property
    def value(self) -> Decimal:
        """Total value of the units on hand."""
        return self.unit_price * self.quantity

    def to_dict(self) -> dict:
        return {
            "sku": self.sku,
            "name": self.name,
            "quantity": self.quantity,
            "unit_price": str(self.unit_price),
            "tags": sorted(self.tags),
            "discontinued": self.discontinued,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Item":
        return cls(
            sku=data["sku"],
            name=data["name"],
            quantity=int(data.get("quantity", 0)),
            unit_price=Decimal(data.get("unit_price", "0")),
            tags=set(data.get("tags", [])),
            discontinued=bool(data.get("discontinued", False)),
        )


@dataclass(frozen=True)
class Movement:
    """A change in stock level, kept in the inventory's history."""

    sku: str
    delta: int
    reason: str
