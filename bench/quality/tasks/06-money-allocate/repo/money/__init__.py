"""Money values with a currency, backed by Decimal."""

from money.currency import Currency, UnknownCurrencyError, get_currency
from money.money import CurrencyMismatchError, Money

__all__ = ["Currency", "CurrencyMismatchError", "Money", "UnknownCurrencyError", "get_currency"]
