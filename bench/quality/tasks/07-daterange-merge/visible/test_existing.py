"""Existing tests: behaviour the dateranges package already has (unchanged by the plan)."""

from datetime import date

import pytest

from dateranges import DateRange, InvalidRangeError
from dateranges.bookings import BookingConflict, Room
from dateranges.ranges import find_gaps, total_days


def r(text):
    return DateRange.parse(text)


def test_construction_parse_and_str():
    assert r("2024-01-01..2024-01-10") == DateRange(date(2024, 1, 1), date(2024, 1, 10))
    assert str(r("2024-02-03")) == "2024-02-03"
    assert str(r("2024-01-01..2024-01-10")) == "2024-01-01..2024-01-10"
    assert DateRange.month(2024, 2).end == date(2024, 2, 29)
    assert DateRange.quarter(2023, 4) == r("2023-10-01..2023-12-31")
    with pytest.raises(InvalidRangeError):
        DateRange(date(2024, 1, 2), date(2024, 1, 1))
    with pytest.raises(InvalidRangeError):
        r("yesterday")


def test_length_contains_and_iteration():
    jan = r("2024-01-01..2024-01-03")
    assert len(jan) == 3
    assert jan.nights == 2
    assert date(2024, 1, 2) in jan and date(2024, 1, 4) not in jan
    assert list(jan) == [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)]


def test_overlaps_and_adjacency():
    a = r("2024-01-01..2024-01-03")
    b = r("2024-01-04..2024-01-06")
    c = r("2024-01-03..2024-01-08")
    assert not a.overlaps(b) and a.is_adjacent(b) and b.is_adjacent(a)
    assert a.overlaps(c) and c.overlaps(a) and not a.is_adjacent(c)
    assert r("2024-01-01..2024-01-31").overlaps(r("2024-01-10..2024-01-12"))
    assert a.days_between(r("2024-01-06..2024-01-07")) == 2
    assert a.days_between(b) == 0
    assert c.contains_range(r("2024-01-04..2024-01-05"))


def test_ranges_sort_by_start_then_end():
    items = [r("2024-01-05..2024-01-07"), r("2024-01-01..2024-01-09"), r("2024-01-01..2024-01-03")]
    assert sorted(items) == [items[2], items[1], items[0]]


def test_transformations():
    a = r("2024-01-30..2024-02-02")
    assert a.shift(2) == r("2024-02-01..2024-02-04")
    assert a.extend(before=1, after=1) == r("2024-01-29..2024-02-03")
    assert a.split_by_month() == [r("2024-01-30..2024-01-31"), r("2024-02-01..2024-02-02")]
    assert a.split_every(3) == [r("2024-01-30..2024-02-01"), r("2024-02-02")]
    assert DateRange.from_dict(a.to_dict()) == a


def test_weekdays_and_business_days():
    week = r("2024-01-01..2024-01-07")  # Monday to Sunday
    assert week.weekdays() == 5
    assert week.business_days({date(2024, 1, 1)}) == [date(2024, 1, d) for d in range(2, 6)]


def test_total_days_and_find_gaps():
    ranges = [r("2024-01-02..2024-01-03"), r("2024-01-03..2024-01-04"), r("2024-01-07")]
    assert total_days(ranges) == 5
    assert find_gaps(ranges, r("2024-01-01..2024-01-08")) == [
        r("2024-01-01"), r("2024-01-05..2024-01-06"), r("2024-01-08"),
    ]


def test_room_bookings_reject_overlaps():
    room = Room("101")
    room.book("ann", r("2024-01-05..2024-01-07"))
    room.book("bob", r("2024-01-01..2024-01-04"))
    assert [g for g, _ in room.bookings] == ["bob", "ann"]
    with pytest.raises(BookingConflict):
        room.book("cy", r("2024-01-07..2024-01-09"))
    assert room.occupancy(r("2024-01-01..2024-01-10")) == 0.7
