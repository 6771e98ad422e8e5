from datetime import date

import pytest

import bank
from bank import AccountClosedError, Bank, BankError, UnknownAccountError


def setup():
    b = Bank(today=date(2024, 5, 1))
    a = b.open("Ann", overdraft_limit_cents=1000)
    c = b.open("Carl")
    b.deposit(a.account_id, 5000)
    return b, a, c


def test_error_class():
    E = bank.InsufficientFundsError
    assert "InsufficientFundsError" in bank.__all__
    err = E("AC0001", 700, 500)
    assert isinstance(err, BankError)
    assert (err.account_id, err.requested_cents, err.available_cents) == ("AC0001", 700, 500)
    assert str(err) == "insufficient funds in AC0001: requested 700 cents, available 500 cents"
    from bank.errors import InsufficientFundsError

    assert InsufficientFundsError is E


def test_withdraw_raises_typed_error():
    b, a, c = setup()
    with pytest.raises(bank.InsufficientFundsError) as exc:
        b.withdraw(a.account_id, 6001)
    assert str(exc.value) == "insufficient funds in AC0001: requested 6001 cents, available 6000 cents"


def test_transfer_books_both_entries():
    b, a, c = setup()
    debit, credit = b.transfer("AC0001", "AC0002", 1500)
    assert debit.amount_cents == -1500 and credit.amount_cents == 1500
    assert debit.memo == "transfer to AC0002"
    assert credit.memo == "transfer from AC0001"
    assert b.get("AC0001").balance_cents == 3500
    assert b.get("AC0002").balance_cents == 1500
    assert debit.entry_id < credit.entry_id


def test_custom_memo_and_overdraft():
    b, a, c = setup()
    debit, credit = b.transfer("AC0001", "AC0002", 6000, memo="rent")
    assert debit.memo == "rent to AC0002" and credit.memo == "rent from AC0001"
    assert b.get("AC0001").balance_cents == -1000


def test_insufficient_funds_nothing_booked():
    b, a, c = setup()
    with pytest.raises(bank.InsufficientFundsError) as exc:
        b.transfer("AC0001", "AC0002", 6001)
    assert (exc.value.requested_cents, exc.value.available_cents) == (6001, 6000)
    assert b.get("AC0001").balance_cents == 5000
    assert b.get("AC0002").statement == []
    assert len(b.get("AC0001").statement) == 1


def test_closed_or_unknown_destination_nothing_booked():
    b, a, c = setup()
    b.close("AC0002")
    with pytest.raises(AccountClosedError):
        b.transfer("AC0001", "AC0002", 100)
    with pytest.raises(UnknownAccountError):
        b.transfer("AC0001", "AC0999", 100)
    assert b.get("AC0001").balance_cents == 5000
    assert len(b.get("AC0001").statement) == 1


def test_validation_order():
    b, a, c = setup()
    with pytest.raises(ValueError, match="^amount must be positive$"):
        b.transfer("AC0001", "AC0001", 0)
    with pytest.raises(ValueError, match="^cannot transfer to the same account$"):
        b.transfer("AC0001", "AC0001", 10)
    with pytest.raises(UnknownAccountError):
        b.transfer("AC0999", "AC0002", 10**9)


def test_existing_behaviour_unchanged():
    b, a, c = setup()
    b.withdraw("AC0001", 5500)
    assert b.get("AC0001").balance_cents == -500
    assert [x.account_id for x in b.overdrawn()] == ["AC0001"]
    with pytest.raises(BankError):
        b.close("AC0001")
    e = b.deposit("AC0002", 100)
    b.reverse("AC0002", e.entry_id)
    assert b.get("AC0002").balance_cents == 0
