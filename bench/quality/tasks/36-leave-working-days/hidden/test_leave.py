from datetime import date

import pytest

from hr.leave import LeaveBook, LeaveError, LeaveRequest, working_days

XMAS = {date(2024, 12, 25), date(2024, 12, 26)}


def test_weekends_are_not_counted():
    assert working_days(date(2024, 6, 7), date(2024, 6, 10)) == 2
    assert working_days(date(2024, 6, 3), date(2024, 6, 14)) == 10
    assert working_days(date(2024, 6, 8), date(2024, 6, 9)) == 0


def test_holidays():
    assert working_days(date(2024, 12, 23), date(2024, 12, 31), XMAS) == 5
    assert working_days(date(2024, 12, 23), date(2024, 12, 31), holidays=sorted(XMAS)) == 5
    assert working_days(date(2024, 6, 7), date(2024, 6, 10), holidays=(date(2024, 6, 8),)) == 2


def test_request_days():
    req = LeaveRequest("ann", date(2024, 12, 23), date(2024, 12, 31))
    assert req.days() == 7
    assert req.days(XMAS) == 5


def test_book_uses_its_holidays():
    book = LeaveBook({"ann": 5}, holidays=set(XMAS))
    req = book.request("ann", date(2024, 12, 23), date(2024, 12, 31))
    book.approve(req)
    assert req.approved
    assert book.days_taken("ann", 2024) == 5
    assert book.remaining("ann", 2024) == 0
    assert LeaveBook().holidays == set()


def test_too_many_days_still_refused():
    book = LeaveBook({"bo": 3})
    req = book.request("bo", date(2024, 6, 3), date(2024, 6, 6))
    with pytest.raises(LeaveError):
        book.approve(req)
    assert not req.approved


def test_existing_behaviour():
    assert working_days(date(2024, 6, 5), date(2024, 6, 5)) == 1
    with pytest.raises(ValueError, match="^end is before start$"):
        working_days(date(2024, 6, 5), date(2024, 6, 4))
    book = LeaveBook({"ann": 20})
    with pytest.raises(LeaveError, match="unknown employee: zed"):
        book.request("zed", date(2024, 6, 3), date(2024, 6, 4))
