"""A small warehouse inventory library."""

from inventory.errors import InventoryError, UnknownItemError, InsufficientStockError
from inventory.models import Item
from inventory.store import Inventory

__all__ = ["Inventory", "Item", "InventoryError", "UnknownItemError", "InsufficientStockError"]
