from datetime import date

import pytest

from dateranges import DateRange, InvalidRangeError
from dateranges import ranges as R
from dateranges.bookings import BookingConflict, Room


def r(text):
    return DateRange.parse(text)


def test_intersection_overlap():
    assert r("2024-01-01..2024-01-10").intersection(r("2024-01-05..2024-01-20")) == r("2024-01-05..2024-01-10")
    assert r("2024-01-05..2024-01-20").intersection(r("2024-01-01..2024-01-10")) == r("2024-01-05..2024-01-10")


def test_intersection_contained_and_single_day():
    outer, inner = r("2024-01-01..2024-12-31"), r("2024-03-01..2024-03-05")
    assert outer.intersection(inner) == inner
    assert r("2024-01-01..2024-01-03").intersection(r("2024-01-03..2024-01-09")) == r("2024-01-03")


def test_intersection_none():
    assert r("2024-01-01..2024-01-03").intersection(r("2024-01-04..2024-01-06")) is None
    assert r("2024-01-01..2024-01-03").intersection(r("2024-02-01..2024-02-06")) is None


def test_merge_overlapping_and_adjacent():
    items = [r("2024-01-05..2024-01-07"), r("2024-01-01..2024-01-03"), r("2024-01-04"), r("2024-01-10..2024-01-12")]
    copy = list(items)
    assert R.merge_ranges(items) == [r("2024-01-01..2024-01-07"), r("2024-01-10..2024-01-12")]
    assert items == copy


def test_merge_contained_and_duplicates():
    items = [r("2024-01-01..2024-01-31"), r("2024-01-05..2024-01-06"), r("2024-01-05..2024-01-06"), r("2024-02-02")]
    assert R.merge_ranges(items) == [r("2024-01-01..2024-01-31"), r("2024-02-02")]


def test_merge_empty_and_generator():
    assert R.merge_ranges([]) == []
    assert R.merge_ranges(x for x in [r("2024-01-02"), r("2024-01-01")]) == [r("2024-01-01..2024-01-02")]


def test_merge_keeps_gaps():
    items = [r("2024-01-01..2024-01-02"), r("2024-01-04..2024-01-05")]
    assert R.merge_ranges(items) == items


def test_existing_behaviour_unchanged():
    assert len(r("2024-02-01..2024-02-29")) == 29
    assert [str(x) for x in r("2024-01-30..2024-02-02").split_by_month()] == ["2024-01-30..2024-01-31", "2024-02-01..2024-02-02"]
    with pytest.raises(InvalidRangeError):
        DateRange(date(2024, 1, 2), date(2024, 1, 1))
    room = Room("101")
    room.book("ann", r("2024-01-01..2024-01-03"))
    with pytest.raises(BookingConflict):
        room.book("bob", r("2024-01-03..2024-01-04"))
