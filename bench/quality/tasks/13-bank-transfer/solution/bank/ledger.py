"""Accounts and the Bank that moves money between them.

Every change of a balance is recorded as an Entry in the account's statement. Amounts
are integer cents; an account may go below zero only down to its overdraft limit.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from bank.errors import AccountClosedError, BankError, InsufficientFundsError, UnknownAccountError


@dataclass(frozen=True)
class Entry:
    """One line of a statement."""

    entry_id: int
    day: date
    amount_cents: int  # positive for money in, negative for money out
    balance_cents: int  # balance after this entry
    memo: str = ""


@dataclass
class Account:
    account_id: str
    owner: str
    overdraft_limit_cents: int = 0
    balance_cents: int = 0
    closed: bool = False
    statement: list[Entry] = field(default_factory=list)

    def available_cents(self) -> int:
        """What can be withdrawn now, including the overdraft."""
        return self.balance_cents + self.overdraft_limit_cents


class Bank:
    def __init__(self, *, today: date | None = None):
        self._accounts: dict[str, Account] = {}
        self._entry_ids = itertools.count(1)
        self._account_numbers = itertools.count(1)
        self._today = today

    # -- helpers ------------------------------------------------------------------------

    def today(self) -> date:
        return self._today or date.today()

    def set_today(self, day: date) -> None:
        """Fix the booking date (used by tests and end-of-day runs)."""
        self._today = day

    @staticmethod
    def _check_amount(amount_cents: int) -> None:
        if not isinstance(amount_cents, int) or isinstance(amount_cents, bool):
            raise TypeError("amounts are integer cents")
        if amount_cents <= 0:
            raise ValueError("amount must be positive")

    def _post(self, account: Account, amount_cents: int, memo: str) -> Entry:
        account.balance_cents += amount_cents
        entry = Entry(next(self._entry_ids), self.today(), amount_cents, account.balance_cents, memo)
        account.statement.append(entry)
        return entry

    def _open_account(self, account_id: str) -> Account:
        account = self.get(account_id)
        if account.closed:
            raise AccountClosedError(account_id)
        return account

    # -- accounts -----------------------------------------------------------------------

    def open(self, owner: str, *, overdraft_limit_cents: int = 0) -> Account:
        """Open an account with a generated id like 'AC0001'."""
        if not owner.strip():
            raise ValueError("owner must not be empty")
        if overdraft_limit_cents < 0:
            raise ValueError("overdraft limit must be non-negative")
        account_id = f"AC{next(self._account_numbers):04d}"
        account = Account(account_id, owner.strip(), overdraft_limit_cents)
        self._accounts[account_id] = account
        return account

    def get(self, account_id: str) -> Account:
        try:
            return self._accounts[account_id]
        except KeyError:
            raise UnknownAccountError(account_id) from None

    def accounts(self, *, include_closed: bool = False) -> list[Account]:
        return [a for a in self._accounts.values() if include_closed or not a.closed]

    def close(self, account_id: str) -> None:
        """Close an account; its balance must be exactly zero."""
        account = self._open_account(account_id)
        if account.balance_cents != 0:
            raise BankError(f"cannot close {account_id}: balance is not zero")
        account.closed = True

    def set_overdraft(self, account_id: str, limit_cents: int) -> None:
        if limit_cents < 0:
            raise ValueError("overdraft limit must be non-negative")
        account = self._open_account(account_id)
        if account.balance_cents < -limit_cents:
            raise BankError(f"balance of {account_id} is below the new limit")
        account.overdraft_limit_cents = limit_cents

    # -- money movements ------------------------------------------------------------------

    def deposit(self, account_id: str, amount_cents: int, *, memo: str = "deposit") -> Entry:
        self._check_amount(amount_cents)
        return self._post(self._open_account(account_id), amount_cents, memo)

    def withdraw(self, account_id: str, amount_cents: int, *, memo: str = "withdrawal") -> Entry:
        self._check_amount(amount_cents)
        account = self._open_account(account_id)
        if amount_cents > account.available_cents():
            raise InsufficientFundsError(account_id, amount_cents, account.available_cents())
        return self._post(account, -amount_cents, memo)

    def transfer(
        self, from_id: str, to_id: str, amount_cents: int, *, memo: str = "transfer"
    ) -> tuple[Entry, Entry]:
        """Move money between two open accounts; both entries or neither are booked."""
        self._check_amount(amount_cents)
        if from_id == to_id:
            raise ValueError("cannot transfer to the same account")
        source = self._open_account(from_id)
        target = self._open_account(to_id)
        if amount_cents > source.available_cents():
            raise InsufficientFundsError(from_id, amount_cents, source.available_cents())
        debit = self._post(source, -amount_cents, f"{memo} to {to_id}")
        credit = self._post(target, amount_cents, f"{memo} from {from_id}")
        return debit, credit

    def charge_fee(self, account_id: str, amount_cents: int, *, memo: str = "fee") -> Entry:
        """Fees are always booked, even beyond the overdraft limit."""
        self._check_amount(amount_cents)
        return self._post(self._open_account(account_id), -amount_cents, memo)

    def pay_interest(self, annual_rate_percent: float, *, days: int = 30) -> int:
        """Credit simple interest on positive balances; return the total paid in cents."""
        if annual_rate_percent < 0:
            raise ValueError("rate must be non-negative")
        paid = 0
        for account in self.accounts():
            if account.balance_cents <= 0:
                continue
            interest = int(account.balance_cents * annual_rate_percent / 100 * days / 365)
            if interest > 0:
                self._post(account, interest, "interest")
                paid += interest
        return paid

    def find_entry(self, account_id: str, entry_id: int) -> Entry:
        for entry in self.get(account_id).statement:
            if entry.entry_id == entry_id:
                return entry
        raise BankError(f"no entry {entry_id} on {account_id}")

    def reverse(self, account_id: str, entry_id: int) -> Entry:
        """Book the opposite of an earlier entry (a correction); each entry only once."""
        account = self._open_account(account_id)
        original = self.find_entry(account_id, entry_id)
        memo = f"reversal of {entry_id}"
        if any(e.memo == memo for e in account.statement):
            raise BankError(f"entry {entry_id} was already reversed")
        return self._post(account, -original.amount_cents, memo)

    # -- reporting --------------------------------------------------------------------------

    def statement(self, account_id: str, *, since: date | None = None) -> list[Entry]:
        entries = self.get(account_id).statement
        return [e for e in entries if since is None or e.day >= since]

    def balance_on(self, account_id: str, day: date) -> int:
        """Balance at the end of ``day`` (0 before the first entry)."""
        balance = 0
        for entry in self.get(account_id).statement:
            if entry.day > day:
                break
            balance = entry.balance_cents
        return balance

    def total_deposits_cents(self) -> int:
        """Sum of all balances of open accounts."""
        return sum(a.balance_cents for a in self.accounts())

    def overdrawn(self) -> list[Account]:
        """Open accounts with a negative balance, most overdrawn first."""
        return sorted(
            (a for a in self.accounts() if a.balance_cents < 0),
            key=lambda a: (a.balance_cents, a.account_id),
        )

    def format_statement(self, account_id: str) -> str:
        account = self.get(account_id)
        lines = [f"Statement {account.account_id} ({account.owner})"]
        for e in account.statement:
            lines.append(
                f"{e.day.isoformat()}  {e.amount_cents / 100:>10.2f}  {e.balance_cents / 100:>10.2f}  {e.memo}"
            )
        return "\n".join(lines)
