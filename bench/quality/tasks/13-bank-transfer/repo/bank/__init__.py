"""A toy core-banking ledger (amounts are integer cents)."""

from bank.errors import AccountClosedError, BankError, UnknownAccountError
from bank.ledger import Account, Bank, Entry

__all__ = ["Account", "AccountClosedError", "Bank", "BankError", "Entry", "UnknownAccountError"]
