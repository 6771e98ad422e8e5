"""Existing behaviour of statkit (tests that pass before the planned change)."""

import math

import pytest

import statkit
from statkit import StatisticsError, describe, mean, stdev, variance
from statkit.descriptive import (
    _require_data,
    format_description,
    frequencies,
    histogram,
    moving_average,
    normalize,
    trimmed_mean,
    weighted_mean,
)


def test_mean_variance_stdev():
    assert mean([1, 2, 3, 4]) == 2.5
    assert mean(x for x in (2, 4)) == 3.0  # any iterable
    assert variance([1, 2, 3, 4]) == pytest.approx(5 / 3)
    assert variance([1, 2, 3, 4], sample=False) == 1.25
    assert stdev([2, 4, 4, 4, 5, 5, 7, 9], sample=False) == 2.0


def test_require_data_validation():
    assert _require_data((1, 2.5), "f") == [1, 2.5]
    with pytest.raises(StatisticsError, match="mean requires at least 1 value$"):
        mean([])
    with pytest.raises(StatisticsError, match="variance requires at least 2 values"):
        variance([1])
    with pytest.raises(StatisticsError, match="mean requires numbers, got True"):
        mean([True, 2])
    with pytest.raises(StatisticsError, match="mean requires numbers, got '3'"):
        mean([1, "3"])
    with pytest.raises(StatisticsError, match="does not accept NaN"):
        mean([1, math.nan])
    assert issubclass(StatisticsError, ValueError)


def test_frequencies_most_common_first_ties_by_value():
    assert frequencies([3, 1, 2, 2, 3, 5]) == [(2, 2), (3, 2), (1, 1), (5, 1)]
    assert frequencies([7]) == [(7, 1)]
    with pytest.raises(StatisticsError, match="frequencies requires at least 1 value"):
        frequencies([])


def test_describe_existing_keys():
    data = [4, 1, 3, 2]
    stats = describe(data)
    assert stats["count"] == 4
    assert stats["mean"] == 2.5
    assert stats["stdev"] == pytest.approx(math.sqrt(5 / 3))
    assert (stats["min"], stats["max"]) == (1, 4)
    assert data == [4, 1, 3, 2]  # input not modified
    one = describe(iter([5]))
    assert (one["count"], one["stdev"], one["min"], one["max"]) == (1, 0.0, 5, 5)
    with pytest.raises(StatisticsError, match="describe requires at least 1 value"):
        describe([])


def test_format_description():
    text = format_description({"count": 3, "mean": 2.0, "stdev": 1.0, "min": 1, "max": 3})
    assert text == "count=3 mean=2.00 stdev=1.00 min=1.00 max=3.00"
    assert format_description({"count": 1, "mean": 1.23456}, digits=3) == "count=1 mean=1.235"


def test_other_means_and_transforms():
    assert weighted_mean([1, 3], [3, 1]) == 1.5
    assert trimmed_mean([100, 1, 2, 3, -50], 0.2) == 2.0
    assert normalize([2, 4, 6]) == [0.0, 0.5, 1.0]
    assert moving_average([1, 2, 3, 4], 2) == [1.5, 2.5, 3.5]
    assert histogram([0, 1, 2, 3, 4], 2) == [2, 3]


def test_package_exports():
    assert set(statkit.__all__) >= {"StatisticsError", "describe", "mean", "stdev", "variance"}
    assert statkit.describe is describe
