"""Existing behaviour's tests for the recurrence module (behaviour that must not change)."""

from datetime import date

import pytest

from schedule import Recurrence, RecurrenceError
from schedule.recurrence import add_months, last_day_of_month


def test_add_months_keeps_day_of_month():
    assert add_months(date(2024, 1, 15), 1) == date(2024, 2, 15)
    assert add_months(date(2024, 11, 10), 3) == date(2025, 2, 10)
    assert add_months(date(2024, 3, 5), -4) == date(2023, 11, 5)
    assert add_months(date(2024, 6, 30), 0) == date(2024, 6, 30)


def test_add_months_default_raises_on_missing_day():
    with pytest.raises(ValueError):
        add_months(date(2024, 1, 31), 1)


def test_last_day_of_month():
    assert last_day_of_month(2024, 2) == 29
    assert last_day_of_month(2023, 2) == 28
    assert last_day_of_month(2024, 4) == 30
    assert last_day_of_month(2024, 12) == 31


def test_monthly_rule_with_ordinary_day():
    rule = Recurrence("monthly", start=date(2024, 1, 15), count=4)
    assert rule.occurrences() == [
        date(2024, 1, 15), date(2024, 2, 15), date(2024, 3, 15), date(2024, 4, 15),
    ]
    every_two = Recurrence("monthly", start=date(2024, 11, 3), interval=2, count=3)
    assert every_two.occurrences() == [date(2024, 11, 3), date(2025, 1, 3), date(2025, 3, 3)]


def test_yearly_rule_with_until():
    rule = Recurrence("yearly", start=date(2020, 7, 4), until=date(2023, 7, 4))
    assert rule.occurrences() == [
        date(2020, 7, 4), date(2021, 7, 4), date(2022, 7, 4), date(2023, 7, 4),
    ]


def test_daily_and_weekly_rules():
    daily = Recurrence("daily", start=date(2024, 2, 27), interval=2, count=3)
    assert daily.occurrences() == [date(2024, 2, 27), date(2024, 2, 29), date(2024, 3, 2)]
    weekly = Recurrence("weekly", start=date(2024, 1, 1), interval=2, count=3)
    assert weekly.occurrences() == [date(2024, 1, 1), date(2024, 1, 15), date(2024, 1, 29)]
    days = Recurrence("weekly", start=date(2024, 1, 3), weekdays=("mon", "wed"), count=3)
    assert days.occurrences() == [date(2024, 1, 3), date(2024, 1, 8), date(2024, 1, 10)]


def test_exceptions_use_up_the_count_and_queries():
    rule = Recurrence("monthly", start=date(2024, 1, 10), count=4).skip(date(2024, 2, 10))
    assert rule.occurrences() == [date(2024, 1, 10), date(2024, 3, 10), date(2024, 4, 10)]
    assert rule.between(date(2024, 2, 1), date(2024, 3, 31)) == [date(2024, 3, 10)]
    assert rule.next_after(date(2024, 1, 10)) == date(2024, 3, 10)
    assert rule.last() == date(2024, 4, 10)
    assert rule.occurs_on(date(2024, 4, 10)) and not rule.occurs_on(date(2024, 2, 10))


def test_validation_errors():
    with pytest.raises(RecurrenceError):
        Recurrence("hourly", start=date(2024, 1, 1), count=1)
    with pytest.raises(RecurrenceError):
        Recurrence("daily", start=date(2024, 1, 1))
    with pytest.raises(RecurrenceError):
        Recurrence("daily", start=date(2024, 1, 1), count=1, interval=0)
    with pytest.raises(RecurrenceError):
        Recurrence("monthly", start=date(2024, 1, 1), count=1, weekdays=("mon",))


def test_describe_and_dict_round_trip():
    rule = Recurrence("weekly", start=date(2024, 1, 1), interval=2, count=5, weekdays=("mon", "wed"))
    assert rule.describe() == "every 2 weeks on mon, wed from 2024-01-01, 5 times"
    assert Recurrence.from_dict(rule.to_dict()) == rule
