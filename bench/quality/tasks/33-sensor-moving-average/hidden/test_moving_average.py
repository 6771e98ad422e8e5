import pytest

from sensors import readings as R


def test_window_of_two():
    assert R.moving_average([20, 22, 27, 21], 2) == [21.0, 24.5, 24.0]


def test_window_of_three_and_rounding():
    assert R.moving_average([1, 2, 2, 5, 9], 3) == [1.67, 3.0, 5.33]


def test_window_of_one_and_whole_list():
    values = [3.5, 4.25, 1.0]
    assert R.moving_average(values, 1) == [3.5, 4.25, 1.0]
    assert R.moving_average(values, 3) == [2.92]
    assert values == [3.5, 4.25, 1.0]


def test_short_input():
    assert R.moving_average([1.0, 2.0], 3) == []
    assert R.moving_average([], 1) == []


def test_bad_window():
    with pytest.raises(ValueError, match="^window must be at least 1$"):
        R.moving_average([1, 2, 3], 0)


def test_existing_parsing():
    rs = R.parse_readings(["2024-06-01T10:00 temp-north 21.5", "",
                           "2024-06-01T10:05 temp-north ERR", "2024-06-01T10:10 temp-north 22.5"])
    assert R.by_sensor(rs) == {"temp-north": [21.5, 22.5]}
    assert R.value_range([3.0, 1.0, 2.0]) == (1.0, 3.0)
