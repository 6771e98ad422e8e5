"""Descriptive statistics without third-party dependencies."""

from statkit.descriptive import StatisticsError, describe, mean, stdev, variance

__all__ = ["StatisticsError", "describe", "mean", "stdev", "variance"]
