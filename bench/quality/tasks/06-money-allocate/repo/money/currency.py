"""Known currencies and their minor units."""

from __future__ import annotations

from dataclasses import dataclass


class UnknownCurrencyError(ValueError):
    """The currency code is not in the table."""


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int  # number of decimal places of the minor unit
    symbol: str

    @property
    def minor_per_major(self) -> int:
        return 10 ** self.exponent


_CURRENCIES = {
    c.code: c
    for c in (
        Currency("EUR", 2, "€"),
        Currency("USD", 2, "$"),
        Currency("GBP", 2, "£"),
        Currency("JPY", 0, "¥"),
        Currency("KWD", 3, "KD"),
        Currency("CHF", 2, "CHF"),
    )
}


def get_currency(code: str) -> Currency:
    try:
        return _CURRENCIES[code.upper()]
    except KeyError:
        raise UnknownCurrencyError(f"unknown currency: {code}") from None


def known_codes() -> list[str]:
    return sorted(_CURRENCIES)
