from datetime import date

import pytest

from library.loans import LOAN_DAYS, Library, LoanError


def make_library():
    lib = Library()
    for bid in ("B3", "B1", "B2", "B4"):
        lib.add_book(bid, f"Title {bid}", "Author")
    lib.add_member("m1", "Ann")
    lib.add_member("m2", "Bo")
    return lib


def test_overdue_sorted_by_due_then_book_id():
    lib = make_library()
    lib.lend("B3", "m1", date(2024, 1, 1))
    lib.lend("B1", "m2", date(2024, 1, 1))
    lib.lend("B2", "m1", date(2023, 12, 20))
    got = lib.overdue_loans(date(2024, 2, 1))
    assert [loan.book_id for loan in got] == ["B2", "B1", "B3"]
    assert got[0] is lib.current_loan("B2")


def test_due_today_is_not_overdue():
    lib = make_library()
    loan = lib.lend("B1", "m1", date(2024, 1, 1))
    assert lib.overdue_loans(loan.due) == []
    assert lib.overdue_loans(date(2024, 1, 1 + LOAN_DAYS + 1)) == [loan]


def test_returned_and_renewed_loans():
    lib = make_library()
    lib.lend("B1", "m1", date(2024, 1, 1))
    lib.lend("B2", "m1", date(2024, 1, 1))
    lib.return_book("B1", date(2024, 2, 10))
    lib.renew("B2", date(2024, 1, 20))  # now due 2024-02-10
    assert lib.overdue_loans(date(2024, 2, 5)) == []
    assert [loan.book_id for loan in lib.overdue_loans(date(2024, 2, 11))] == ["B2"]


def test_empty_and_read_only():
    lib = make_library()
    assert lib.overdue_loans(date(2024, 1, 1)) == []
    lib.lend("B4", "m2", date(2024, 1, 1))
    before = [(l.book_id, l.due, l.returned) for l in lib.loans]
    lib.overdue_loans(date(2025, 1, 1))
    assert [(l.book_id, l.due, l.returned) for l in lib.loans] == before


def test_existing_lending_rules():
    lib = make_library()
    lib.lend("B1", "m1", date(2024, 1, 1))
    with pytest.raises(LoanError, match="already on loan"):
        lib.lend("B1", "m2", date(2024, 1, 2))
    assert lib.return_book("B1", date(2024, 1, 5)).returned == date(2024, 1, 5)
    assert lib.loans_for("m1") == []
