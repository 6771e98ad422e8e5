"""Plain-text reports over an Inventory."""

from __future__ import annotations

from inventory.models import Item
from inventory.store import Inventory


def format_table(items: list[Item]) -> str:
    """A fixed-width table of SKU, name, quantity and value."""
    header = f"{'SKU':<10} {'NAME':<24} {'QTY':>5} {'VALUE':>10}"
    lines = [header, "-" * len(header)]
    for item in items:
        lines.append(f"{item.sku:<10} {item.name[:24]:<24} {item.quantity:>5} {item.value:>10.2f}")
    return "\n".join(lines)


def stock_report(inventory: Inventory) -> str:
    """A table of every item followed by the grand total."""
    table = format_table(inventory.items())
    return f"{table}\nTOTAL {inventory.total_value():.2f}"
