"""Invoices: totals, payments, due dates and late fees.

Amounts are Decimals rounded to the cent. An invoice is due ``terms_days`` days after it
was issued; a late fee of 1.5 % of the open balance is added for every started 30 days
that the invoice is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
LATE_FEE_RATE = Decimal("0.015")
FEE_PERIOD_DAYS = 30


def money(value) -> Decimal:
    """A Decimal rounded to the cent (accepts str, int or Decimal)."""
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


@dataclass
class Line:
    description: str
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return money(self.unit_price * self.quantity)


@dataclass
class Invoice:
    number: str
    customer: str
    issued: date
    terms_days: int = 30
    lines: list[Line] = field(default_factory=list)
    payments: list[Decimal] = field(default_factory=list)

    @property
    def due_date(self) -> date:
        return self.issued + timedelta(days=self.terms_days)

    def add_line(self, description: str, quantity: int, unit_price) -> Line:
        if quantity < 1:
            raise ValueError("quantity must be at least 1")
        line = Line(description, quantity, money(unit_price))
        self.lines.append(line)
        return line

    def total(self) -> Decimal:
        return money(sum((line.amount for line in self.lines), Decimal(0)))

    def pay(self, amount) -> None:
        amount = money(amount)
        if amount <= 0:
            raise ValueError("payment must be positive")
        self.payments.append(amount)

    def balance(self) -> Decimal:
        return money(self.total() - sum(self.payments, Decimal(0)))

    @property
    def paid(self) -> bool:
        return self.balance() <= 0


def days_overdue(invoice: Invoice, today: date) -> int:
    """How many days the invoice is past its due date (0 if it is not due yet)."""
    return (today - invoice.due_date).days + 1


def late_fee(invoice: Invoice, today: date) -> Decimal:
    """1.5 % of the open balance for every started 30 days overdue; 0.00 if paid."""
    days = days_overdue(invoice, today)
    if invoice.paid or days == 0:
        return money(0)
    periods = (days + FEE_PERIOD_DAYS - 1) // FEE_PERIOD_DAYS
    return money(invoice.balance() * LATE_FEE_RATE * periods)


def amount_due(invoice: Invoice, today: date) -> Decimal:
    """Open balance plus the late fee, as of ``today``."""
    return money(invoice.balance() + late_fee(invoice, today))


def statement_line(invoice: Invoice, today: date) -> str:
    """One line of a customer statement, e.g.
    'INV-7 due 2024-03-31: 200.00 (3 days overdue, late fee 3.00)'."""
    text = f"{invoice.number} due {invoice.due_date.isoformat()}: {invoice.balance()}"
    days = days_overdue(invoice, today)
    if days > 0 and not invoice.paid:
        text += f" ({days} days overdue, late fee {late_fee(invoice, today)})"
    return text
