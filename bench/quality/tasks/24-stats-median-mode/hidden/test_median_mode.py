import pytest

import statkit
from statkit import StatisticsError, describe, mean, stdev
from statkit import descriptive as D


def test_median_odd_even():
    assert D.median([3, 1, 2]) == 2
    assert isinstance(D.median([3, 1, 2]), int)
    assert D.median([4, 1, 3, 2]) == 2.5
    assert D.median([5]) == 5
    assert D.median([1, 2]) == 1.5
    assert D.median(x for x in [10.0, -1.0, 3.5]) == 3.5


def test_median_does_not_sort_input():
    data = [3, 1, 2]
    D.median(data)
    assert data == [3, 1, 2]


def test_mode():
    assert D.mode([1, 2, 2, 3, 3]) == 2
    assert D.mode([7]) == 7
    assert D.mode([4, 4, 1, 9, 9, 9]) == 9
    assert D.mode(iter([2.5, 1.5, 2.5])) == 2.5


def test_errors():
    with pytest.raises(StatisticsError, match="^median requires at least 1 value$"):
        D.median([])
    with pytest.raises(StatisticsError, match="^mode requires at least 1 value$"):
        D.mode([])
    with pytest.raises(StatisticsError):
        D.median([True, 2])


def test_exports():
    assert statkit.median is D.median and statkit.mode is D.mode
    assert "median" in statkit.__all__ and "mode" in statkit.__all__


def test_describe_has_median():
    d = describe([1, 2, 3, 10])
    assert list(d) == ["count", "mean", "stdev", "median", "min", "max"]
    assert d["median"] == 2.5


def test_existing_behaviour_unchanged():
    assert mean([1, 2, 3]) == 2
    assert stdev([2, 4, 4, 4, 5, 5, 7, 9], sample=False) == 2
    assert D.frequencies([1, 2, 2]) == [(2, 2), (1, 1)]
    with pytest.raises(StatisticsError, match="variance requires at least 2 values"):
        D.variance([1])
