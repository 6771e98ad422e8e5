"""Descriptive statistics over sequences of numbers (ints or floats).

Functions take any iterable; it is consumed once and converted to a list.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Sequence


class StatisticsError(ValueError):
    """Not enough data, or data of the wrong kind."""


def _require_data(data: Iterable[float], name: str, minimum: int = 1) -> list[float]:
    """The data as a list; raises StatisticsError if it has fewer than ``minimum`` values."""
    values = list(data)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise StatisticsError(f"{name} requires numbers, got {v!r}")
        if isinstance(v, float) and math.isnan(v):
            raise StatisticsError(f"{name} does not accept NaN")
    if len(values) < minimum:
        plural = "value" if minimum == 1 else "values"
        raise StatisticsError(f"{name} requires at least {minimum} {plural}")
    return values


def mean(data: Iterable[float]) -> float:
    values = _require_data(data, "mean")
    return math.fsum(values) / len(values)


def weighted_mean(data: Sequence[float], weights: Sequence[float]) -> float:
    values = _require_data(data, "weighted_mean")
    if len(weights) != len(values):
        raise StatisticsError("weighted_mean requires one weight per value")
    total = math.fsum(weights)
    if total == 0:
        raise StatisticsError("weights must not sum to zero")
    return math.fsum(v * w for v, w in zip(values, weights)) / total


def geometric_mean(data: Iterable[float]) -> float:
    """The n-th root of the product; all values must be positive."""
    values = _require_data(data, "geometric_mean")
    if any(v <= 0 for v in values):
        raise StatisticsError("geometric_mean requires positive values")
    return math.exp(math.fsum(math.log(v) for v in values) / len(values))


def harmonic_mean(data: Iterable[float]) -> float:
    """n divided by the sum of reciprocals; all values must be positive."""
    values = _require_data(data, "harmonic_mean")
    if any(v <= 0 for v in values):
        raise StatisticsError("harmonic_mean requires positive values")
    return len(values) / math.fsum(1 / v for v in values)


def trimmed_mean(data: Iterable[float], proportion: float = 0.1) -> float:
    """Mean after dropping ``proportion`` of the values from each end of the sorted data."""
    if not 0 <= proportion < 0.5:
        raise ValueError("proportion must be in [0, 0.5)")
    values = sorted(_require_data(data, "trimmed_mean"))
    cut = int(len(values) * proportion)
    return mean(values[cut: len(values) - cut])


def variance(data: Iterable[float], *, sample: bool = True) -> float:
    """Sample variance (n - 1) by default; population variance with sample=False."""
    values = _require_data(data, "variance", 2 if sample else 1)
    m = math.fsum(values) / len(values)
    ss = math.fsum((v - m) ** 2 for v in values)
    return ss / (len(values) - 1 if sample else len(values))


def stdev(data: Iterable[float], *, sample: bool = True) -> float:
    return math.sqrt(variance(data, sample=sample))


def value_range(data: Iterable[float]) -> float:
    values = _require_data(data, "value_range")
    return max(values) - min(values)


def coefficient_of_variation(data: Iterable[float]) -> float:
    """Sample stdev divided by the mean."""
    values = _require_data(data, "coefficient_of_variation", 2)
    m = mean(values)
    if m == 0:
        raise StatisticsError("coefficient_of_variation is undefined for a zero mean")
    return stdev(values) / m


def cumulative_sums(data: Iterable[float]) -> list[float]:
    """Running totals: [1, 2, 3] -> [1, 3, 6]."""
    out: list[float] = []
    total = 0
    for v in _require_data(data, "cumulative_sums"):
        total += v
        out.append(total)
    return out


def zscores(data: Iterable[float]) -> list[float]:
    """(x - mean) / sample stdev for each value; all zeros if every value is equal."""
    values = _require_data(data, "zscores", 2)
    m = mean(values)
    s = stdev(values)
    if s == 0:
        return [0.0] * len(values)
    return [(v - m) / s for v in values]


def normalize(data: Iterable[float]) -> list[float]:
    """Scale linearly to [0, 1]; all zeros if every value is equal."""
    values = _require_data(data, "normalize")
    low, high = min(values), max(values)
    if high == low:
        return [0.0] * len(values)
    return [(v - low) / (high - low) for v in values]


def moving_average(data: Iterable[float], window: int) -> list[float]:
    """Means of each run of ``window`` consecutive values (len(data) - window + 1 of them)."""
    if window < 1:
        raise ValueError("window must be at least 1")
    values = _require_data(data, "moving_average", window)
    total = math.fsum(values[:window])
    out = [total / window]
    for i in range(window, len(values)):
        total += values[i] - values[i - window]
        out.append(total / window)
    return out


def histogram(data: Iterable[float], bins: int) -> list[int]:
    """Counts in ``bins`` equal-width bins from min to max; the max goes in the last bin."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    values = _require_data(data, "histogram")
    low, high = min(values), max(values)
    counts = [0] * bins
    if high == low:
        counts[0] = len(values)
        return counts
    width = (high - low) / bins
    for v in values:
        index = min(int((v - low) / width), bins - 1)
        counts[index] += 1
    return counts


def frequencies(data: Iterable[float]) -> list[tuple[float, int]]:
    """(value, count) pairs, most frequent first, ties by value ascending."""
    values = _require_data(data, "frequencies")
    return sorted(Counter(values).items(), key=lambda pair: (-pair[1], pair[0]))


def covariance(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Sample covariance of two equally long sequences."""
    x = _require_data(xs, "covariance", 2)
    y = _require_data(ys, "covariance", 2)
    if len(x) != len(y):
        raise StatisticsError("covariance requires sequences of equal length")
    mx, my = mean(x), mean(y)
    return math.fsum((a - mx) * (b - my) for a, b in zip(x, y)) / (len(x) - 1)


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson's r; raises StatisticsError if either sequence is constant."""
    sx, sy = stdev(xs), stdev(ys)
    if sx == 0 or sy == 0:
        raise StatisticsError("correlation is undefined for constant data")
    return covariance(xs, ys) / (sx * sy)


def describe(data: Iterable[float]) -> dict[str, float]:
    """count, mean, stdev (sample, 0.0 for one value), min and max."""
    values = _require_data(data, "describe")
    return {
        "count": len(values),
        "mean": mean(values),
        "stdev": stdev(values) if len(values) > 1 else 0.0,
        "min": min(values),
        "max": max(values),
    }


def format_description(stats: dict[str, float], digits: int = 2) -> str:
    """'count=3 mean=2.00 stdev=1.00 min=1.00 max=3.00' (count without decimals)."""
    parts = []
    for key, value in stats.items():
        parts.append(f"{key}={value}" if key == "count" else f"{key}={value:.{digits}f}")
    return " ".join(parts)
