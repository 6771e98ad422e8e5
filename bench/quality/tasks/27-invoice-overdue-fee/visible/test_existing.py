"""Existing behaviour's tests for invoices: totals, payments, due dates and late fees."""

from datetime import date
from decimal import Decimal

import pytest

from billing.invoices import (
    Invoice, amount_due, days_overdue, late_fee, money, statement_line,
)


def make_invoice(terms_days=30):
    invoice = Invoice("INV-7", "ACME", date(2024, 3, 1), terms_days)
    invoice.add_line("Consulting", 1, "200.00")
    return invoice


def test_money_rounds_half_up_to_the_cent():
    assert money("1.005") == Decimal("1.01")
    assert money(3) == Decimal("3.00")
    assert money(Decimal("2.344")) == Decimal("2.34")


def test_due_date_and_totals():
    invoice = Invoice("INV-1", "ACME", date(2024, 3, 1))
    assert invoice.due_date == date(2024, 3, 31)
    assert Invoice("INV-2", "ACME", date(2024, 3, 1), 60).due_date == date(2024, 4, 30)
    invoice.add_line("Widget", 3, "19.99")
    invoice.add_line("Setup", 1, 50)
    assert invoice.lines[0].amount == Decimal("59.97")
    assert invoice.total() == Decimal("109.97")
    with pytest.raises(ValueError):
        invoice.add_line("Nothing", 0, "1.00")


def test_payments_and_balance():
    invoice = make_invoice()
    invoice.pay("50")
    assert invoice.balance() == Decimal("150.00")
    assert not invoice.paid
    invoice.pay("150.00")
    assert invoice.balance() == Decimal("0.00")
    assert invoice.paid
    with pytest.raises(ValueError):
        invoice.pay(0)


def test_not_due_yet_has_no_fee():
    invoice = make_invoice()
    day_before = date(2024, 3, 30)
    assert days_overdue(invoice, day_before) == 0
    assert late_fee(invoice, day_before) == Decimal("0.00")
    assert amount_due(invoice, day_before) == Decimal("200.00")
    assert statement_line(invoice, day_before) == "INV-7 due 2024-03-31: 200.00"


def test_late_fee_per_started_period():
    invoice = make_invoice()
    assert late_fee(invoice, date(2024, 4, 5)) == Decimal("3.00")      # 5 days after due
    assert amount_due(invoice, date(2024, 4, 5)) == Decimal("203.00")
    assert late_fee(invoice, date(2024, 5, 15)) == Decimal("6.00")     # 45 days after due
    invoice.pay("100")
    assert late_fee(invoice, date(2024, 4, 5)) == Decimal("1.50")      # on the open balance


def test_paid_invoice_never_has_a_fee():
    invoice = make_invoice()
    invoice.pay("200")
    later = date(2024, 6, 1)
    assert late_fee(invoice, later) == Decimal("0.00")
    assert amount_due(invoice, later) == Decimal("0.00")
    assert statement_line(invoice, later) == "INV-7 due 2024-03-31: 0.00"


def test_overdue_statement_line_mentions_the_fee():
    line = statement_line(make_invoice(), date(2024, 4, 10))
    assert line.startswith("INV-7 due 2024-03-31: 200.00 (")
    assert line.endswith(" days overdue, late fee 3.00)")
