"""Room bookings on top of DateRange."""

from __future__ import annotations

from dataclasses import dataclass, field

from dateranges.ranges import DateRange


class BookingConflict(Exception):
    pass


@dataclass
class Room:
    name: str
    bookings: list[tuple[str, DateRange]] = field(default_factory=list)

    def book(self, guest: str, stay: DateRange) -> None:
        for other_guest, other in self.bookings:
            if other.overlaps(stay):
                raise BookingConflict(f"{self.name} is booked by {other_guest} for {other}")
        self.bookings.append((guest, stay))
        self.bookings.sort(key=lambda b: b[1])

    def occupancy(self, period: DateRange) -> float:
        """Share of days in ``period`` that are booked, 0.0 to 1.0."""
        booked = sum(1 for d in period if any(d in r for _, r in self.bookings))
        return booked / len(period)
