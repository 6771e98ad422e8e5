"""Recurring events for the booking calendar."""

from schedule.recurrence import Recurrence, RecurrenceError

__all__ = ["Recurrence", "RecurrenceError"]
