"""Existing behaviour's tests for the library loans desk (books, members, loans)."""

from datetime import date

import pytest

from library.loans import LOAN_DAYS, MAX_LOANS, Book, Library, Loan, LoanError


def make_library():
    lib = Library()
    for i in range(1, 8):
        lib.add_book(f"B{i}", f"Title {i}", "Author")
    lib.add_member("M1", "Ada")
    lib.add_member("M2", "Bob")
    return lib


def test_add_book_and_duplicates():
    lib = Library()
    book = lib.add_book("B1", "Dune", "Herbert")
    assert book == Book("B1", "Dune", "Herbert")
    assert lib.books == {"B1": book}
    with pytest.raises(LoanError):
        lib.add_book("B1", "Other", "Someone")


def test_lend_creates_a_loan_due_after_loan_days():
    lib = make_library()
    loan = lib.lend("B1", "M1", date(2024, 5, 1))
    assert LOAN_DAYS == 21
    assert loan == Loan("B1", "M1", date(2024, 5, 1), date(2024, 5, 22))
    assert loan.open
    assert lib.loans == [loan]
    assert lib.current_loan("B1") is loan
    assert lib.current_loan("B2") is None


def test_lend_errors():
    lib = make_library()
    lib.lend("B1", "M1", date(2024, 5, 1))
    with pytest.raises(LoanError):
        lib.lend("B1", "M2", date(2024, 5, 2))  # already on loan
    with pytest.raises(LoanError):
        lib.lend("B99", "M1", date(2024, 5, 2))
    with pytest.raises(LoanError):
        lib.lend("B2", "M99", date(2024, 5, 2))


def test_member_loan_limit():
    lib = make_library()
    for i in range(1, MAX_LOANS + 1):
        lib.lend(f"B{i}", "M1", date(2024, 5, 1))
    with pytest.raises(LoanError, match="limit"):
        lib.lend(f"B{MAX_LOANS + 1}", "M1", date(2024, 5, 1))
    lib.return_book("B1", date(2024, 5, 3))
    lib.lend(f"B{MAX_LOANS + 1}", "M1", date(2024, 5, 3))
    assert len(lib.loans_for("M1")) == MAX_LOANS


def test_return_keeps_history():
    lib = make_library()
    first = lib.lend("B1", "M1", date(2024, 5, 1))
    returned = lib.return_book("B1", date(2024, 5, 10))
    assert returned is first and first.returned == date(2024, 5, 10)
    assert not first.open
    assert lib.current_loan("B1") is None
    second = lib.lend("B1", "M2", date(2024, 5, 11))
    assert lib.loans == [first, second]
    with pytest.raises(LoanError):
        lib.return_book("B2", date(2024, 5, 11))


def test_loans_for_lists_open_loans_in_order():
    lib = make_library()
    a = lib.lend("B3", "M1", date(2024, 5, 1))
    lib.lend("B2", "M2", date(2024, 5, 1))
    c = lib.lend("B1", "M1", date(2024, 5, 2))
    lib.lend("B4", "M1", date(2024, 5, 2))
    lib.return_book("B4", date(2024, 5, 3))
    assert lib.loans_for("M1") == [a, c]
    assert lib.loans_for("M99") == []


def test_renew_extends_from_today():
    lib = make_library()
    loan = lib.lend("B1", "M1", date(2024, 5, 1))
    renewed = lib.renew("B1", date(2024, 5, 20))
    assert renewed is loan and loan.due == date(2024, 6, 10)
    with pytest.raises(LoanError):
        lib.renew("B2", date(2024, 5, 20))
