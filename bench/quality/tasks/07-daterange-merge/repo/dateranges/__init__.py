"""Inclusive date ranges for booking and reporting."""

from dateranges.ranges import DateRange, InvalidRangeError

__all__ = ["DateRange", "InvalidRangeError"]
