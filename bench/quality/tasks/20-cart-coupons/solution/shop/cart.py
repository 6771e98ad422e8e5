"""The shopping cart.

    cart = Cart(today=date(2024, 5, 1), tax_rate_percent=20)
    cart.add("TEA-01", 2)
    cart.total_cents()
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shop.pricing import CATALOG, Coupon, Product, find_coupon, format_cents, percent_of

MAX_QUANTITY = 99


class CartError(Exception):
    """A user-facing problem with the cart; the message is shown in the UI."""


class CouponError(CartError):
    """A coupon code cannot be used."""


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def total_cents(self) -> int:
        return self.product.price_cents * self.quantity


class Cart:
    def __init__(
        self,
        *,
        today: date,
        catalog: dict[str, Product] | None = None,
        tax_rate_percent: float = 0,
        shipping_cents: int = 499,
        free_shipping_over_cents: int = 5000,
    ):
        self.today = today
        self.catalog = CATALOG if catalog is None else catalog
        self.tax_rate_percent = tax_rate_percent
        self.flat_shipping_cents = shipping_cents
        self.free_shipping_over_cents = free_shipping_over_cents
        self._lines: dict[str, CartLine] = {}
        self._saved: dict[str, int] = {}
        self.coupon: Coupon | None = None

    # -- contents ---------------------------------------------------------------------------

    def _product(self, sku: str) -> Product:
        try:
            return self.catalog[sku]
        except KeyError:
            raise CartError(f"unknown product: {sku}") from None

    def add(self, sku: str, quantity: int = 1) -> CartLine:
        """Add units of a product; adding an existing product increases its quantity."""
        if quantity < 1:
            raise CartError("quantity must be at least 1")
        product = self._product(sku)
        line = self._lines.get(sku)
        new_quantity = quantity + (line.quantity if line else 0)
        if new_quantity > MAX_QUANTITY:
            raise CartError(f"at most {MAX_QUANTITY} of {product.name}")
        if line is None:
            line = self._lines[sku] = CartLine(product, 0)
        line.quantity = new_quantity
        return line

    def set_quantity(self, sku: str, quantity: int) -> None:
        """Set a line's quantity; 0 removes the line."""
        if sku not in self._lines:
            raise CartError(f"{sku} is not in the cart")
        if quantity < 0 or quantity > MAX_QUANTITY:
            raise CartError(f"quantity must be between 0 and {MAX_QUANTITY}")
        if quantity == 0:
            del self._lines[sku]
        else:
            self._lines[sku].quantity = quantity

    def remove(self, sku: str) -> None:
        if self._lines.pop(sku, None) is None:
            raise CartError(f"{sku} is not in the cart")

    def clear(self) -> None:
        self._lines.clear()

    def lines(self) -> list[CartLine]:
        """Lines in the order products were first added."""
        return list(self._lines.values())

    def item_count(self) -> int:
        return sum(line.quantity for line in self._lines.values())

    def product_count(self) -> int:
        """Number of different products in the cart."""
        return len(self._lines)

    def is_empty(self) -> bool:
        return not self._lines

    def line(self, sku: str) -> CartLine:
        try:
            return self._lines[sku]
        except KeyError:
            raise CartError(f"{sku} is not in the cart") from None

    def __contains__(self, sku: object) -> bool:
        return sku in self._lines

    def most_expensive_line(self) -> CartLine | None:
        """The line with the highest total (first added wins a tie), or None."""
        best: CartLine | None = None
        for line in self._lines.values():
            if best is None or line.total_cents > best.total_cents:
                best = line
        return best

    # -- saved for later ----------------------------------------------------------------------

    def save_for_later(self, sku: str) -> None:
        """Move a line out of the cart into the saved list (quantities add up)."""
        line = self.line(sku)
        self._saved[sku] = self._saved.get(sku, 0) + line.quantity
        del self._lines[sku]

    def move_to_cart(self, sku: str) -> CartLine:
        """Move a saved product back into the cart."""
        if sku not in self._saved:
            raise CartError(f"{sku} is not saved")
        line = self.add(sku, min(self._saved[sku], MAX_QUANTITY))
        del self._saved[sku]
        return line

    def saved(self) -> dict[str, int]:
        """SKU -> quantity of products saved for later."""
        return dict(self._saved)

    # -- money ------------------------------------------------------------------------------

    def subtotal_cents(self) -> int:
        return sum(line.total_cents for line in self._lines.values())

    def shipping_cents(self) -> int:
        """Flat shipping, free from ``free_shipping_over_cents`` (subtotal) and for an empty cart."""
        subtotal = self.subtotal_cents()
        if subtotal == 0 or subtotal >= self.free_shipping_over_cents:
            return 0
        return self.flat_shipping_cents

    def amount_to_free_shipping_cents(self) -> int:
        """How much more the customer must spend for free shipping (0 if already free)."""
        if self.is_empty():
            return self.free_shipping_over_cents
        return max(0, self.free_shipping_over_cents - self.subtotal_cents())

    def apply_coupon(self, code: str) -> Coupon:
        """Use a coupon, replacing any earlier one; the minimum is checked at pricing time."""
        coupon = find_coupon(code)
        if coupon is None:
            raise CouponError(f"unknown coupon: {code}")
        if coupon.expires is not None and self.today > coupon.expires:
            raise CouponError(f"coupon {coupon.code} has expired")
        self.coupon = coupon
        return coupon

    def remove_coupon(self) -> None:
        self.coupon = None

    def discount_cents(self) -> int:
        """The coupon's discount on the subtotal (0 below its minimum subtotal)."""
        subtotal = self.subtotal_cents()
        if self.coupon is None or subtotal < self.coupon.min_subtotal_cents:
            return 0
        return percent_of(subtotal, self.coupon.percent_off)

    def tax_cents(self) -> int:
        """Tax on the discounted goods (not on shipping)."""
        return percent_of(self.subtotal_cents() - self.discount_cents(), self.tax_rate_percent)

    def total_cents(self) -> int:
        return (
            self.subtotal_cents() - self.discount_cents() + self.shipping_cents() + self.tax_cents()
        )

    # -- presentation --------------------------------------------------------------------------

    def summary(self) -> list[str]:
        """Lines for the checkout page: one per product, then the totals."""
        out = [
            f"{line.quantity} x {line.product.name}: {format_cents(line.total_cents)}"
            for line in self._lines.values()
        ]
        out.append(f"Subtotal: {format_cents(self.subtotal_cents())}")
        discount = self.discount_cents()
        if discount > 0:
            out.append(f"Discount ({self.coupon.code}): -{format_cents(discount)}")
        out.append(f"Shipping: {format_cents(self.shipping_cents())}")
        out.append(f"Tax: {format_cents(self.tax_cents())}")
        out.append(f"Total: {format_cents(self.total_cents())}")
        return out

    def to_dict(self) -> dict:
        """What the session stores: SKU -> quantity, in order."""
        return {"lines": {sku: line.quantity for sku, line in self._lines.items()}}

    @classmethod
    def from_dict(cls, data: dict, *, today: date, **options) -> "Cart":
        cart = cls(today=today, **options)
        for sku, quantity in data.get("lines", {}).items():
            cart.add(sku, quantity)
        return cart

    def merge(self, other: "Cart") -> None:
        """Add the lines of another cart (e.g. an anonymous cart after login)."""
        for line in other.lines():
            current = self._lines.get(line.product.sku)
            room = MAX_QUANTITY - (current.quantity if current else 0)
            if room > 0:
                self.add(line.product.sku, min(room, line.quantity))
