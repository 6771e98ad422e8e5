"""A token bucket: holds up to ``capacity`` tokens, refilled continuously at ``rate`` per second."""

from __future__ import annotations

import time
from typing import Callable


class TokenBucket:
    def __init__(self, capacity: float, rate: float, *, clock: Callable[[], float] = time.monotonic):
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.capacity = capacity
        self.rate = rate
        self._clock = clock
        self._tokens = float(capacity)
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    @property
    def tokens(self) -> float:
        """Tokens available now."""
        self._refill()
        return self._tokens

    def try_acquire(self, n: float = 1) -> bool:
        """Take ``n`` tokens if available; return whether they were taken."""
        if n <= 0:
            raise ValueError("n must be positive")
        self._refill()
        if self._tokens >= n:
            self._tokens -= n
            return True
        return False

    def retry_after(self, n: float = 1) -> float:
        """Seconds until ``n`` tokens are available (0.0 if they are now); takes nothing."""
        if n <= 0:
            raise ValueError("n must be positive")
        if n > self.capacity:
            raise ValueError(f"n exceeds capacity ({self.capacity})")
        self._refill()
        if self._tokens >= n:
            return 0.0
        return (n - self._tokens) / self.rate
