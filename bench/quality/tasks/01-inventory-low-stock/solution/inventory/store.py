"""The Inventory: a collection of items keyed by SKU, with a movement history."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Iterable, Iterator

from inventory.errors import InsufficientStockError, InventoryError, UnknownItemError
from inventory.models import Item, Movement


class Inventory:
    """Holds items by SKU and records every stock movement."""

    def __init__(self, items: Iterable[Item] = ()):
        self._items: dict[str, Item] = {}
        self._history: list[Movement] = []
        for item in items:
            self.add_item(item)

    # -- container protocol -------------------------------------------------

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, sku: object) -> bool:
        return sku in self._items

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items())

    def items(self) -> list[Item]:
        """All items, sorted by SKU."""
        return [self._items[sku] for sku in sorted(self._items)]

    # -- lookup ---------------------------------------------------------------

    def get(self, sku: str) -> Item:
        """The item with this SKU; raises UnknownItemError if there is none."""
        try:
            return self._items[sku]
        except KeyError:
            raise UnknownItemError(sku) from None

    def find_by_tag(self, tag: str) -> list[Item]:
        """Items carrying ``tag``, sorted by SKU."""
        return [item for item in self.items() if tag in item.tags]

    def search(self, text: str) -> list[Item]:
        """Items whose SKU or name contains ``text`` (case-insensitive), sorted by SKU."""
        needle = text.casefold()
        return [
            item
            for item in self.items()
            if needle in item.sku.casefold() or needle in item.name.casefold()
        ]

    def low_stock(self, threshold: int = 5) -> list[Item]:
        """Active items with quantity <= threshold, by quantity then SKU."""
        if threshold < 0:
            raise ValueError("threshold must be non-negative")
        low = [item for item in self.active_items() if item.quantity <= threshold]
        return sorted(low, key=lambda item: (item.quantity, item.sku))

    def active_items(self) -> list[Item]:
        """Items that are not discontinued, sorted by SKU."""
        return [item for item in self.items() if not item.discontinued]

    # -- changes --------------------------------------------------------------

    def add_item(self, item: Item) -> None:
        """Add a new item; raises InventoryError if the SKU is already present."""
        if item.sku in self._items:
            raise InventoryError(f"duplicate sku: {item.sku}")
        self._items[item.sku] = item
        if item.quantity:
            self._record(item.sku, item.quantity, "initial")

    def remove_item(self, sku: str) -> Item:
        """Remove the item and return it."""
        item = self.get(sku)
        del self._items[sku]
        return item

    def restock(self, sku: str, quantity: int, *, reason: str = "restock") -> int:
        """Add ``quantity`` units; return the new quantity."""
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        item = self.get(sku)
        if item.discontinued:
            raise InventoryError(f"cannot restock discontinued item: {sku}")
        item.quantity += quantity
        self._record(sku, quantity, reason)
        return item.quantity

    def take(self, sku: str, quantity: int, *, reason: str = "sale") -> int:
        """Remove ``quantity`` units; return the new quantity."""
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        item = self.get(sku)
        if quantity > item.quantity:
            raise InsufficientStockError(sku, quantity, item.quantity)
        item.quantity -= quantity
        self._record(sku, -quantity, reason)
        return item.quantity

    def adjust(self, sku: str, counted: int) -> int:
        """Set the quantity to a counted value after a stock-take; return the delta."""
        if counted < 0:
            raise ValueError("counted quantity must be non-negative")
        item = self.get(sku)
        delta = counted - item.quantity
        if delta:
            item.quantity = counted
            self._record(sku, delta, "stock-take")
        return delta

    def discontinue(self, sku: str) -> None:
        """Mark an item as discontinued; it keeps its remaining stock."""
        self.get(sku).discontinued = True

    def receive_shipment(self, lines: Iterable[tuple[str, int]]) -> int:
        """Restock several SKUs at once; all-or-nothing. Return the units received."""
        lines = list(lines)
        for sku, quantity in lines:
            item = self.get(sku)
            if quantity <= 0:
                raise ValueError(f"bad quantity for {sku}: {quantity}")
            if item.discontinued:
                raise InventoryError(f"cannot restock discontinued item: {sku}")
        total = 0
        for sku, quantity in lines:
            self.restock(sku, quantity, reason="shipment")
            total += quantity
        return total

    def set_price(self, sku: str, unit_price: Decimal | str) -> Decimal:
        """Change an item's unit price; return the old price."""
        price = Decimal(unit_price)
        if price < 0:
            raise ValueError("unit_price must be non-negative")
        item = self.get(sku)
        old, item.unit_price = item.unit_price, price
        return old

    def rename(self, sku: str, name: str) -> None:
        """Give an item a new display name."""
        if not name.strip():
            raise ValueError("name must not be empty")
        self.get(sku).name = name.strip()

    def tag(self, sku: str, *tags: str) -> None:
        """Add tags to an item (lower-cased)."""
        self.get(sku).tags.update(t.strip().lower() for t in tags if t.strip())

    def untag(self, sku: str, *tags: str) -> None:
        """Remove tags from an item; tags it does not carry are ignored."""
        self.get(sku).tags.difference_update(t.strip().lower() for t in tags)

    def transfer_from(self, other: "Inventory", sku: str, quantity: int) -> None:
        """Move units of an item from another inventory into this one."""
        source = other.get(sku)
        if sku not in self._items:
            self.add_item(Item(sku=sku, name=source.name, unit_price=source.unit_price,
                               tags=set(source.tags)))
        other.take(sku, quantity, reason="transfer-out")
        self.restock(sku, quantity, reason="transfer-in")

    # -- history and totals -------------------------------------------------

    def _record(self, sku: str, delta: int, reason: str) -> None:
        self._history.append(Movement(sku, delta, reason))

    def history(self, sku: str | None = None) -> list[Movement]:
        """Movements in the order they happened, optionally for one SKU."""
        if sku is None:
            return list(self._history)
        return [m for m in self._history if m.sku == sku]

    def total_units(self) -> int:
        return sum(item.quantity for item in self._items.values())

    def total_value(self) -> Decimal:
        """Value of all units on hand."""
        return sum((item.value for item in self._items.values()), Decimal("0"))

    def value_by_tag(self) -> dict[str, Decimal]:
        """Total value per tag; an item with several tags counts under each."""
        totals: dict[str, Decimal] = {}
        for item in self._items.values():
            for tag in item.tags:
                totals[tag] = totals.get(tag, Decimal("0")) + item.value
        return dict(sorted(totals.items()))

    # -- persistence ----------------------------------------------------------

    def to_json(self) -> str:
        return json.dumps({"items": [item.to_dict() for item in self.items()]}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "Inventory":
        data = json.loads(text)
        if not isinstance(data, dict) or "items" not in data:
            raise InventoryError("not an inventory document")
        return cls(Item.from_dict(entry) for entry in data["items"])
