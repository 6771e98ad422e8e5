"""Existing behaviour's tests for the sensor readings (parsing and simple statistics)."""

from datetime import datetime

import pytest

from sensors.readings import Reading, by_sensor, mean, parse_readings, value_range

LINES = [
    "2024-06-01T10:00 temp-north 21.5",
    "",
    "2024-06-01T10:00 temp-south 19",
    "2024-06-01T10:05 temp-north ERR",
    "   ",
    "2024-06-01T10:10 temp-north 22.25",
]


def test_parse_readings_skips_blank_lines_and_faults():
    readings = parse_readings(LINES)
    assert readings == [
        Reading("temp-north", datetime(2024, 6, 1, 10, 0), 21.5),
        Reading("temp-south", datetime(2024, 6, 1, 10, 0), 19.0),
        Reading("temp-north", datetime(2024, 6, 1, 10, 10), 22.25),
    ]
    assert parse_readings([]) == []


def test_parse_readings_wrong_field_count():
    with pytest.raises(ValueError, match="line 2: expected 3 fields, got 2"):
        parse_readings(["2024-06-01T10:00 temp-north 21.5", "2024-06-01T10:05 temp-north"])


def test_by_sensor_keeps_reading_order():
    assert by_sensor(parse_readings(LINES)) == {"temp-north": [21.5, 22.25], "temp-south": [19.0]}
    assert by_sensor([]) == {}


def test_mean():
    assert mean([20.0, 22.0, 27.0]) == pytest.approx(23.0)
    assert mean([5]) == 5
    with pytest.raises(ValueError, match="no values"):
        mean([])


def test_value_range():
    values = [21.5, 19.0, 22.25]
    assert value_range(values) == (19.0, 22.25)
    assert values == [21.5, 19.0, 22.25]
    with pytest.raises(ValueError, match="no values"):
        value_range([])
