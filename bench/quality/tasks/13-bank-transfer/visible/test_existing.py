"""Existing behaviour of the bank ledger (tests that pass before the planned change)."""

from datetime import date

import pytest

from bank import AccountClosedError, Bank, BankError, UnknownAccountError


def make_bank():
    return Bank(today=date(2024, 3, 1))


def test_open_generates_ids_and_strips_owner():
    bank = make_bank()
    a = bank.open("  Alice ")
    b = bank.open("Bob", overdraft_limit_cents=1000)
    assert (a.account_id, a.owner) == ("AC0001", "Alice")
    assert b.account_id == "AC0002"
    assert b.available_cents() == 1000
    with pytest.raises(ValueError):
        bank.open("   ")


def test_deposit_and_withdraw_book_entries():
    bank = make_bank()
    acc = bank.open("Alice")
    e1 = bank.deposit(acc.account_id, 10000)
    e2 = bank.withdraw(acc.account_id, 2500, memo="atm")
    assert (e1.entry_id, e1.amount_cents, e1.balance_cents, e1.memo) == (1, 10000, 10000, "deposit")
    assert (e2.entry_id, e2.amount_cents, e2.balance_cents, e2.memo) == (2, -2500, 7500, "atm")
    assert e2.day == date(2024, 3, 1)
    assert bank.get(acc.account_id).balance_cents == 7500
    assert bank.statement(acc.account_id) == [e1, e2]


def test_withdraw_uses_overdraft_and_refuses_beyond_it():
    bank = make_bank()
    acc = bank.open("Bob", overdraft_limit_cents=5000)
    bank.deposit(acc.account_id, 1000)
    bank.withdraw(acc.account_id, 6000)  # exactly balance + overdraft
    assert acc.balance_cents == -5000
    with pytest.raises(BankError):
        bank.withdraw(acc.account_id, 1)
    assert acc.balance_cents == -5000
    assert len(acc.statement) == 2


def test_amount_validation():
    bank = make_bank()
    acc = bank.open("Alice")
    with pytest.raises(ValueError, match="amount must be positive"):
        bank.deposit(acc.account_id, 0)
    with pytest.raises(ValueError):
        bank.withdraw(acc.account_id, -5)
    with pytest.raises(TypeError):
        bank.deposit(acc.account_id, 10.5)
    with pytest.raises(TypeError):
        bank.deposit(acc.account_id, True)
    assert acc.statement == []


def test_unknown_and_closed_accounts():
    bank = make_bank()
    acc = bank.open("Alice")
    with pytest.raises(UnknownAccountError) as info:
        bank.deposit("AC9999", 100)
    assert info.value.account_id == "AC9999"
    assert isinstance(info.value, BankError)
    bank.close(acc.account_id)
    with pytest.raises(AccountClosedError):
        bank.withdraw(acc.account_id, 100)
    assert bank.accounts() == []
    assert bank.accounts(include_closed=True) == [acc]


def test_close_requires_zero_balance():
    bank = make_bank()
    acc = bank.open("Alice")
    bank.deposit(acc.account_id, 100)
    with pytest.raises(BankError, match="balance is not zero"):
        bank.close(acc.account_id)
    assert not acc.closed


def test_charge_fee_goes_beyond_overdraft_and_overdrawn_report():
    bank = make_bank()
    a = bank.open("Alice")
    b = bank.open("Bob", overdraft_limit_cents=100)
    bank.charge_fee(a.account_id, 300)
    bank.charge_fee(b.account_id, 500)
    assert a.balance_cents == -300
    assert [x.account_id for x in bank.overdrawn()] == [b.account_id, a.account_id]


def test_reverse_only_once():
    bank = make_bank()
    acc = bank.open("Alice")
    bank.deposit(acc.account_id, 1000)
    entry = bank.withdraw(acc.account_id, 400)
    rev = bank.reverse(acc.account_id, entry.entry_id)
    assert (rev.amount_cents, rev.balance_cents, rev.memo) == (400, 1000, f"reversal of {entry.entry_id}")
    with pytest.raises(BankError, match="already reversed"):
        bank.reverse(acc.account_id, entry.entry_id)


def test_balance_on_and_interest():
    bank = make_bank()
    acc = bank.open("Alice")
    bank.deposit(acc.account_id, 365000)
    bank.set_today(date(2024, 3, 5))
    bank.withdraw(acc.account_id, 1000)
    assert bank.balance_on(acc.account_id, date(2024, 2, 28)) == 0
    assert bank.balance_on(acc.account_id, date(2024, 3, 2)) == 365000
    assert bank.balance_on(acc.account_id, date(2024, 3, 5)) == 364000
    assert bank.pay_interest(10, days=10) == 997
    assert bank.total_deposits_cents() == 364997


def test_format_statement():
    bank = make_bank()
    acc = bank.open("Alice")
    bank.deposit(acc.account_id, 1234)
    lines = bank.format_statement(acc.account_id).splitlines()
    assert lines[0] == "Statement AC0001 (Alice)"
    assert lines[1].startswith("2024-03-01")
    assert lines[1].endswith("deposit")
    assert "12.34" in lines[1]
