"""Readings exported by the greenhouse controller, one per line:

    2024-06-01T10:00 temp-north 21.5

Lines with a value of 'ERR' are sensor faults and are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable


@dataclass(frozen=True)
class Reading:
    sensor: str
    at: datetime
    value: float


def parse_readings(lines: Iterable[str]) -> list[Reading]:
    out = []
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise ValueError(f"line {number}: expected 3 fields, got {len(parts)}")
        stamp, sensor, value = parts
        if value == "ERR":
            continue
        out.append(Reading(sensor, datetime.fromisoformat(stamp), float(value)))
    return out


def by_sensor(readings: Iterable[Reading]) -> dict[str, list[float]]:
    """Values per sensor, in reading order."""
    out: dict[str, list[float]] = {}
    for r in readings:
        out.setdefault(r.sensor, []).append(r.value)
    return out


def value_range(values: list[float]) -> tuple[float, float]:
    """(lowest, highest) of the values; ValueError for an empty list."""
    if not values:
        raise ValueError("no values")
    return min(values), max(values)


def mean(values: list[float]) -> float:
    if not values:
        raise ValueError("no values")
    return sum(values) / len(values)


def moving_average(values: list[float], window: int) -> list[float]:
    """Average of every run of ``window`` consecutive values, rounded to 2 decimals."""
    if window < 1:
        raise ValueError("window must be at least 1")
    return [round(mean(values[i:i + window]), 2) for i in range(len(values) - window + 1)]
