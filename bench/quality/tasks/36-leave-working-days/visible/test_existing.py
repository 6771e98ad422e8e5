"""Existing behaviour's tests for annual leave (day counting, requests, allowances)."""

from datetime import date

import pytest

from hr.leave import LeaveBook, LeaveError, LeaveRequest, working_days


def test_working_days_within_a_week():
    assert working_days(date(2024, 6, 3), date(2024, 6, 7)) == 5   # Monday to Friday
    assert working_days(date(2024, 6, 4), date(2024, 6, 6)) == 3
    assert working_days(date(2024, 6, 5), date(2024, 6, 5)) == 1   # same weekday


def test_working_days_end_before_start():
    with pytest.raises(ValueError, match="end is before start"):
        working_days(date(2024, 6, 7), date(2024, 6, 3))


def test_leave_request_days():
    req = LeaveRequest("ann", date(2024, 6, 3), date(2024, 6, 5))
    assert req.days() == 3
    assert req.approved is False


def test_request_and_approve():
    book = LeaveBook({"ann": 10})
    req = book.request("ann", date(2024, 6, 3), date(2024, 6, 7))
    assert book.requests == [req] and not req.approved
    assert book.days_taken("ann", 2024) == 0     # not approved yet
    book.approve(req)
    assert req.approved
    assert book.days_taken("ann", 2024) == 5
    assert book.remaining("ann", 2024) == 5
    assert book.remaining("ann", 2025) == 10
    assert book.remaining("bob", 2024) == 0


def test_unknown_employee_is_refused():
    book = LeaveBook({"ann": 10})
    with pytest.raises(LeaveError, match="unknown employee: bob"):
        book.request("bob", date(2024, 6, 3), date(2024, 6, 4))
    assert book.requests == []


def test_request_over_allowance_is_refused():
    book = LeaveBook({"ann": 4})
    req = book.request("ann", date(2024, 6, 3), date(2024, 6, 7))
    with pytest.raises(LeaveError, match="ann has only 4 days left"):
        book.approve(req)
    assert not req.approved
    assert book.remaining("ann", 2024) == 4


def test_requests_count_in_the_year_they_start():
    book = LeaveBook({"ann": 20})
    req = book.request("ann", date(2024, 12, 31), date(2025, 1, 2))  # Tuesday to Thursday
    book.approve(req)
    assert book.days_taken("ann", 2024) == 3
    assert book.days_taken("ann", 2025) == 0
