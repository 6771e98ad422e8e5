"""Delay sequences for retrying."""

from __future__ import annotations


def delays(initial: float, factor: float, count: int, *, maximum: float | None = None) -> list[float]:
    """``count`` delays: initial, initial*factor, initial*factor**2, ... capped at ``maximum``.

    delays(1, 2, 4) == [1, 2, 4, 8]; delays(1, 2, 4, maximum=3) == [1, 2, 3, 3].
    """
    if count < 0:
        raise ValueError("count must be non-negative")
    if initial < 0 or factor < 1:
        raise ValueError("initial must be >= 0 and factor >= 1")
    out = []
    current = float(initial)
    for _ in range(count):
        out.append(current if maximum is None else min(current, maximum))
        current *= factor
    return out
