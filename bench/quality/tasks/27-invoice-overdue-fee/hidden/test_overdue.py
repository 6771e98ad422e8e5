from datetime import date
from decimal import Decimal

from billing.invoices import Invoice, amount_due, days_overdue, late_fee, statement_line


def invoice(terms=30):
    inv = Invoice("INV-7", "ACME", date(2024, 3, 1), terms_days=terms)
    inv.add_line("Consulting", 1, "200.00")
    return inv


def test_due_date_is_not_overdue():
    inv = invoice()
    assert inv.due_date == date(2024, 3, 31)
    assert days_overdue(inv, date(2024, 3, 31)) == 0
    assert late_fee(inv, date(2024, 3, 31)) == Decimal("0.00")
    assert statement_line(inv, date(2024, 3, 31)) == "INV-7 due 2024-03-31: 200.00"


def test_not_yet_due_is_never_negative():
    inv = invoice(terms=60)
    assert days_overdue(inv, date(2024, 3, 10)) == 0
    assert late_fee(inv, date(2024, 3, 10)) == Decimal("0.00")
    assert amount_due(inv, date(2024, 3, 10)) == Decimal("200.00")


def test_day_after_due_date():
    inv = invoice()
    assert days_overdue(inv, date(2024, 4, 1)) == 1
    assert late_fee(inv, date(2024, 4, 1)) == Decimal("3.00")
    assert statement_line(inv, date(2024, 4, 1)) == (
        "INV-7 due 2024-03-31: 200.00 (1 days overdue, late fee 3.00)")


def test_fee_periods():
    inv = invoice()
    assert days_overdue(inv, date(2024, 4, 30)) == 30
    assert late_fee(inv, date(2024, 4, 30)) == Decimal("3.00")
    assert days_overdue(inv, date(2024, 5, 1)) == 31
    assert late_fee(inv, date(2024, 5, 1)) == Decimal("6.00")
    assert amount_due(inv, date(2024, 5, 1)) == Decimal("206.00")


def test_paid_invoice_has_no_fee():
    inv = invoice()
    inv.pay("200.00")
    assert late_fee(inv, date(2024, 6, 1)) == Decimal("0.00")
    assert statement_line(inv, date(2024, 6, 1)) == "INV-7 due 2024-03-31: 0.00"


def test_existing_totals_and_payments():
    inv = invoice()
    inv.add_line("Travel", 2, "12.50")
    inv.pay("100")
    assert inv.total() == Decimal("225.00")
    assert inv.balance() == Decimal("125.00")
    assert not inv.paid
