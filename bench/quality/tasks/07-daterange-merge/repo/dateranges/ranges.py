"""DateRange: an inclusive span of calendar days.

Both ends are included: DateRange(date(2024, 1, 1), date(2024, 1, 1)) is one day long.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

ONE_DAY = timedelta(days=1)


class InvalidRangeError(ValueError):
    """The end of a range is before its start, or a string cannot be parsed."""


@dataclass(frozen=True, order=True)
class DateRange:
    start: date
    end: date

    def __post_init__(self) -> None:
        if not isinstance(self.start, date) or not isinstance(self.end, date):
            raise TypeError("start and end must be dates")
        if self.end < self.start:
            raise InvalidRangeError(f"end {self.end} is before start {self.start}")

    # -- constructors ---------------------------------------------------------------------

    @classmethod
    def single(cls, day: date) -> "DateRange":
        return cls(day, day)

    @classmethod
    def from_length(cls, start: date, days: int) -> "DateRange":
        """``days`` days beginning on ``start``; days must be at least 1."""
        if days < 1:
            raise InvalidRangeError("a range is at least one day long")
        return cls(start, start + timedelta(days=days - 1))

    @classmethod
    def month(cls, year: int, month: int) -> "DateRange":
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "DateRange":
        """Calendar quarter 1-4."""
        if quarter not in (1, 2, 3, 4):
            raise ValueError("quarter must be 1, 2, 3 or 4")
        first = 3 * (quarter - 1) + 1
        return cls(date(year, first, 1), cls.month(year, first + 2).end)

    @classmethod
    def year(cls, year: int) -> "DateRange":
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def parse(cls, text: str) -> "DateRange":
        """Parse 'YYYY-MM-DD..YYYY-MM-DD' or a single 'YYYY-MM-DD'."""
        parts = text.strip().split("..")
        try:
            if len(parts) == 1:
                return cls.single(date.fromisoformat(parts[0]))
            if len(parts) == 2:
                return cls(date.fromisoformat(parts[0]), date.fromisoformat(parts[1]))
        except ValueError as exc:
            raise InvalidRangeError(f"cannot parse range {text!r}: {exc}") from None
        raise InvalidRangeError(f"cannot parse range {text!r}")

    # -- queries ----------------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of days, both ends included."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __iter__(self) -> Iterator[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += ONE_DAY

    def __str__(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def contains_range(self, other: "DateRange") -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: "DateRange") -> bool:
        """True if the ranges share at least one day."""
        return self.start <= other.end and other.start <= self.end

    def is_adjacent(self, other: "DateRange") -> bool:
        """True if one range ends the day before the other starts."""
        return self.end + ONE_DAY == other.start or other.end + ONE_DAY == self.start

    @property
    def nights(self) -> int:
        """Nights of a stay from start to end (one less than the days)."""
        return len(self) - 1

    def clamp(self, day: date) -> date:
        """The day of this range closest to ``day``."""
        return min(max(day, self.start), self.end)

    def days_between(self, other: "DateRange") -> int:
        """Free days between two ranges that do not overlap; 0 if they touch or overlap."""
        if self.overlaps(other):
            return 0
        first, second = sorted((self, other))
        return (second.start - first.end).days - 1

    def weekdays(self) -> int:
        """Number of Monday-to-Friday days in the range."""
        full_weeks, extra = divmod(len(self), 7)
        count = full_weeks * 5
        first = self.start.weekday()
        for offset in range(extra):
            if (first + offset) % 7 < 5:
                count += 1
        return count

    def business_days(self, holidays: set[date] = frozenset()) -> list[date]:
        """Weekdays in the range that are not holidays, in order."""
        return [d for d in self if d.weekday() < 5 and d not in holidays]

    # -- transformations ----------------------------------------------------------------

    def shift(self, days: int) -> "DateRange":
        delta = timedelta(days=days)
        return DateRange(self.start + delta, self.end + delta)

    def extend(self, *, before: int = 0, after: int = 0) -> "DateRange":
        """Grow (or with negative values shrink) the range at either end."""
        return DateRange(self.start - timedelta(days=before), self.end + timedelta(days=after))

    def split_by_month(self) -> list["DateRange"]:
        """Pieces of this range, one per calendar month it touches."""
        pieces = []
        start = self.start
        while start <= self.end:
            month_end = DateRange.month(start.year, start.month).end
            end = min(month_end, self.end)
            pieces.append(DateRange(start, end))
            start = end + ONE_DAY
        return pieces

    def split_every(self, days: int) -> list["DateRange"]:
        """Consecutive chunks of ``days`` days; the last one may be shorter."""
        if days < 1:
            raise ValueError("days must be at least 1")
        pieces = []
        start = self.start
        while start <= self.end:
            end = min(start + timedelta(days=days - 1), self.end)
            pieces.append(DateRange(start, end))
            start = end + ONE_DAY
        return pieces

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> "DateRange":
        return cls(date.fromisoformat(data["start"]), date.fromisoformat(data["end"]))


def total_days(ranges: list[DateRange]) -> int:
    """Sum of the lengths (overlapping days are counted twice)."""
    return sum(len(r) for r in ranges)


def find_gaps(ranges: list[DateRange], within: DateRange) -> list[DateRange]:
    """Days of ``within`` not covered by any of ``ranges``, as ranges, in order."""
    covered = {d for r in ranges for d in r if d in within}
    gaps: list[DateRange] = []
    gap_start: date | None = None
    for day in within:
        if day in covered:
            if gap_start is not None:
                gaps.append(DateRange(gap_start, day - ONE_DAY))
                gap_start = None
        elif gap_start is None:
            gap_start = day
    if gap_start is not None:
        gaps.append(DateRange(gap_start, within.end))
    return gaps
