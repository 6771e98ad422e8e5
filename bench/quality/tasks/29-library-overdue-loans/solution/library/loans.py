"""Books, members and loans.

A member may borrow up to MAX_LOANS books at a time; a loan runs LOAN_DAYS days. Every
loan is kept after the book comes back (with its return date) so the history stays
available.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

LOAN_DAYS = 21
MAX_LOANS = 5


class LoanError(Exception):
    """A loan or return that the rules do not allow."""


@dataclass(frozen=True)
class Book:
    book_id: str
    title: str
    author: str


@dataclass
class Loan:
    book_id: str
    member_id: str
    borrowed: date
    due: date
    returned: date | None = None

    @property
    def open(self) -> bool:
        return self.returned is None


class Library:
    def __init__(self) -> None:
        self.books: dict[str, Book] = {}
        self.members: dict[str, str] = {}  # member id -> name
        self.loans: list[Loan] = []  # every loan ever made, oldest first

    def add_book(self, book_id: str, title: str, author: str) -> Book:
        if book_id in self.books:
            raise LoanError(f"duplicate book id: {book_id}")
        book = self.books[book_id] = Book(book_id, title, author)
        return book

    def add_member(self, member_id: str, name: str) -> None:
        self.members[member_id] = name

    def current_loan(self, book_id: str) -> Loan | None:
        """The open loan of a book, or None if it is on the shelf."""
        for loan in self.loans:
            if loan.book_id == book_id and loan.open:
                return loan
        return None

    def loans_for(self, member_id: str) -> list[Loan]:
        """The member's open loans, in the order they were made."""
        return [loan for loan in self.loans if loan.member_id == member_id and loan.open]

    def lend(self, book_id: str, member_id: str, today: date) -> Loan:
        if book_id not in self.books:
            raise LoanError(f"unknown book: {book_id}")
        if member_id not in self.members:
            raise LoanError(f"unknown member: {member_id}")
        if self.current_loan(book_id) is not None:
            raise LoanError(f"book {book_id} is already on loan")
        if len(self.loans_for(member_id)) >= MAX_LOANS:
            raise LoanError(f"member {member_id} has reached the limit of {MAX_LOANS} loans")
        loan = Loan(book_id, member_id, today, today + timedelta(days=LOAN_DAYS))
        self.loans.append(loan)
        return loan

    def return_book(self, book_id: str, today: date) -> Loan:
        loan = self.current_loan(book_id)
        if loan is None:
            raise LoanError(f"book {book_id} is not on loan")
        loan.returned = today
        return loan

    def renew(self, book_id: str, today: date) -> Loan:
        """Extend an open loan by LOAN_DAYS from today."""
        loan = self.current_loan(book_id)
        if loan is None:
            raise LoanError(f"book {book_id} is not on loan")
        loan.due = today + timedelta(days=LOAN_DAYS)
        return loan

    def overdue_loans(self, today: date) -> list[Loan]:
        """Open loans whose due date is before today, oldest due date first."""
        late = [loan for loan in self.loans if loan.open and loan.due < today]
        return sorted(late, key=lambda loan: (loan.due, loan.book_id))
