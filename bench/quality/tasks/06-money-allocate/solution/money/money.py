"""The Money value type.

Amounts are Decimals quantized to the currency's minor unit (ROUND_HALF_EVEN unless told
otherwise). Money is immutable; arithmetic returns new values.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import total_ordering
from typing import Iterable, Sequence

from money.currency import Currency, get_currency

_PARSE_RE = re.compile(r"^\s*([A-Za-z]{3})\s+(-?\d+(?:\.\d+)?)\s*$")


class CurrencyMismatchError(ValueError):
    """Arithmetic or comparison between different currencies."""


def _to_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("use Decimal or str, not float, for money amounts")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None


@total_ordering
class Money:
    __slots__ = ("_amount", "_currency")

    def __init__(self, amount: Decimal | int | str, currency: str | Currency, *, rounding: str = ROUND_HALF_EVEN):
        cur = currency if isinstance(currency, Currency) else get_currency(currency)
        quantum = Decimal(1).scaleb(-cur.exponent)
        self._amount = _to_decimal(amount).quantize(quantum, rounding=rounding)
        self._currency = cur

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def zero(cls, currency: str | Currency) -> "Money":
        return cls(0, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str | Currency) -> "Money":
        """Money from an integer count of minor units: from_minor(1999, 'USD') == USD 19.99."""
        cur = currency if isinstance(currency, Currency) else get_currency(currency)
        return cls(Decimal(minor).scaleb(-cur.exponent), cur)

    @classmethod
    def parse(cls, text: str) -> "Money":
        """Parse 'USD 12.50' (code, space, amount)."""
        match = _PARSE_RE.match(text)
        if not match:
            raise ValueError(f"cannot parse money: {text!r}")
        return cls(match.group(2), match.group(1).upper())

    # -- accessors ----------------------------------------------------------------------

    @property
    def amount(self) -> Decimal:
        return self._amount

    @property
    def currency(self) -> Currency:
        return self._currency

    @property
    def minor_units(self) -> int:
        """The amount as an integer count of minor units (cents)."""
        return int(self._amount.scaleb(self._currency.exponent))

    def is_zero(self) -> bool:
        return self._amount == 0

    def is_negative(self) -> bool:
        return self._amount < 0

    def is_positive(self) -> bool:
        return self._amount > 0

    def __bool__(self) -> bool:
        return self._amount != 0

    def to_dict(self) -> dict:
        return {"amount": str(self._amount), "currency": self._currency.code}

    @classmethod
    def from_dict(cls, data: dict) -> "Money":
        return cls(data["amount"], data["currency"])

    # -- arithmetic ---------------------------------------------------------------------

    def _check(self, other: object) -> "Money":
        if not isinstance(other, Money):
            raise TypeError(f"expected Money, got {type(other).__name__}")
        if other._currency != self._currency:
            raise CurrencyMismatchError(f"{self._currency.code} vs {other._currency.code}")
        return other

    def __add__(self, other: "Money") -> "Money":
        other = self._check(other)
        return Money(self._amount + other._amount, self._currency)

    def __radd__(self, other: object) -> "Money":
        # Lets sum() start from 0.
        if other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: "Money") -> "Money":
        other = self._check(other)
        return Money(self._amount - other._amount, self._currency)

    def __neg__(self) -> "Money":
        return Money(-self._amount, self._currency)

    def __pos__(self) -> "Money":
        return self

    def __abs__(self) -> "Money":
        return Money(abs(self._amount), self._currency)

    def __mul__(self, factor: Decimal | int | str) -> "Money":
        """Multiply by a number, rounding half-even to the minor unit."""
        if isinstance(factor, Money):
            raise TypeError("cannot multiply Money by Money")
        return Money(self._amount * _to_decimal(factor), self._currency)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> "Money":
        raise TypeError("dividing Money loses cents; use allocation instead")

    def percent(self, rate: Decimal | int | str) -> "Money":
        """``rate`` percent of this amount: Money('200', 'EUR').percent(15) == EUR 30.00."""
        return self * (_to_decimal(rate) / 100)

    def clamp(self, low: "Money", high: "Money") -> "Money":
        """This value limited to the range [low, high]."""
        self._check(low)
        self._check(high)
        if low > high:
            raise ValueError("low must not exceed high")
        return max(low, min(self, high))

    def round_to(self, step: Decimal | int | str) -> "Money":
        """Cash rounding to a multiple of ``step``: CHF 1.23 -> CHF 1.25 with step '0.05'."""
        step = _to_decimal(step)
        if step <= 0:
            raise ValueError("step must be positive")
        units = (self._amount / step).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        return Money(units * step, self._currency)

    def allocate(self, ratios: Sequence[int]) -> list["Money"]:
        """Split by ``ratios`` in whole minor units; the parts always sum to this amount."""
        ratios = list(ratios)
        if not ratios:
            raise ValueError("ratios must not be empty")
        if any(r < 0 for r in ratios):
            raise ValueError("ratios must be non-negative")
        weight = sum(ratios)
        if weight == 0:
            raise ValueError("ratios must not all be zero")
        total = self.minor_units
        sign = -1 if total < 0 else 1
        total = abs(total)
        shares = [total * r // weight for r in ratios]
        remainder = total - sum(shares)
        for i, r in enumerate(ratios):
            if remainder == 0:
                break
            if r:
                shares[i] += 1
                remainder -= 1
        return [Money.from_minor(sign * share, self._currency) for share in shares]

    # -- comparison ---------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self._currency == other._currency and self._amount == other._amount

    def __lt__(self, other: "Money") -> bool:
        other = self._check(other)
        return self._amount < other._amount

    def __hash__(self) -> int:
        return hash((self._amount, self._currency.code))

    # -- output -------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"Money('{self._amount}', '{self._currency.code}')"

    def __str__(self) -> str:
        return f"{self._currency.code} {self._amount}"

    def format(self, *, symbol: bool = True, grouping: bool = True) -> str:
        """'$1,234.50' / '-€3.00' / 'USD 1234.50' (symbol=False, grouping=False)."""
        sign = "-" if self._amount < 0 else ""
        number = f"{abs(self._amount):,}" if grouping else f"{abs(self._amount)}"
        if symbol:
            return f"{sign}{self._currency.symbol}{number}"
        return f"{sign}{self._currency.code} {number}"


def total(values: Iterable[Money], currency: str | Currency | None = None) -> Money:
    """Sum of Money values; an empty sum needs ``currency``."""
    values = list(values)
    if not values:
        if currency is None:
            raise ValueError("total of no values needs a currency")
        return Money.zero(currency)
    result = values[0]
    for value in values[1:]:
        result = result + value
    return result


def convert(value: Money, rate: Decimal | str, to: str | Currency) -> Money:
    """Convert with an exchange rate (units of ``to`` per unit of value's currency)."""
    return Money(value.amount * _to_decimal(rate), to)


def split_tax(gross: Money, rate_percent: Decimal | int | str) -> tuple[Money, Money]:
    """(net, tax) for a tax-inclusive gross amount; net + tax == gross."""
    rate = _to_decimal(rate_percent)
    net = Money(gross.amount * 100 / (100 + rate), gross.currency)
    return net, gross - net
