"""Errors raised by the inventory package."""


class InventoryError(Exception):
    """Base class for inventory errors."""


class UnknownItemError(InventoryError, KeyError):
    """Raised when a SKU is not in the inventory."""

    def __init__(self, sku: str):
        super().__init__(sku)
        self.sku = sku

    def __str__(self) -> str:
        return f"unknown item: {self.sku}"


class InsufficientStockError(InventoryError):
    """Raised when removing more units than are on hand."""

    def __init__(self, sku: str, requested: int, available: int):
        super().__init__(f"cannot remove {requested} of {sku}: only {available} in stock")
        self.sku = sku
        self.requested = requested
        self.available = available
