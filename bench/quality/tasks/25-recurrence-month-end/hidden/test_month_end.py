from datetime import date

import pytest

from schedule import Recurrence, RecurrenceError
from schedule import recurrence as R


def test_add_months_clamp():
    assert R.add_months(date(2024, 1, 31), 1, clamp=True) == date(2024, 2, 29)
    assert R.add_months(date(2023, 1, 31), 1, clamp=True) == date(2023, 2, 28)
    assert R.add_months(date(2024, 3, 31), -1, clamp=True) == date(2024, 2, 29)
    assert R.add_months(date(2024, 5, 31), 1, clamp=True) == date(2024, 6, 30)
    assert R.add_months(date(2024, 1, 15), 13, clamp=True) == date(2025, 2, 15)


def test_add_months_default_unchanged():
    with pytest.raises(ValueError):
        R.add_months(date(2024, 1, 31), 1)
    assert R.add_months(date(2024, 1, 31), 2) == date(2024, 3, 31)


def test_monthly_from_31st_no_drift():
    rule = Recurrence("monthly", date(2024, 1, 31), count=5)
    assert rule.occurrences() == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31),
    ]


def test_monthly_30th_and_interval():
    assert Recurrence("monthly", date(2024, 1, 30), count=3).occurrences() == [
        date(2024, 1, 30), date(2024, 2, 29), date(2024, 3, 30),
    ]
    assert Recurrence("monthly", date(2023, 12, 31), interval=2, count=3).occurrences() == [
        date(2023, 12, 31), date(2024, 2, 29), date(2024, 4, 30),
    ]


def test_yearly_leap_day():
    rule = Recurrence("yearly", date(2024, 2, 29), count=5)
    assert rule.occurrences() == [
        date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29),
    ]


def test_until_and_exceptions_with_clamped_dates():
    rule = Recurrence("monthly", date(2024, 1, 31), until=date(2024, 2, 29))
    assert rule.occurrences() == [date(2024, 1, 31), date(2024, 2, 29)]
    skipped = Recurrence("monthly", date(2024, 1, 31), count=3).skip(date(2024, 2, 29))
    assert skipped.occurrences() == [date(2024, 1, 31), date(2024, 3, 31)]
    assert Recurrence("monthly", date(2024, 1, 31), count=12).next_after(date(2024, 4, 1)) == date(2024, 4, 30)


def test_existing_behaviour_unchanged():
    assert Recurrence("monthly", date(2024, 1, 15), count=3).occurrences() == [
        date(2024, 1, 15), date(2024, 2, 15), date(2024, 3, 15),
    ]
    assert Recurrence("weekly", date(2024, 1, 3), weekdays=("mon", "wed"), count=3).occurrences() == [
        date(2024, 1, 3), date(2024, 1, 8), date(2024, 1, 10),
    ]
    assert Recurrence("daily", date(2024, 1, 1), interval=10, until=date(2024, 1, 25)).last() == date(2024, 1, 21)
    with pytest.raises(RecurrenceError):
        Recurrence("hourly", date(2024, 1, 1), count=1)
