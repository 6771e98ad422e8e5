"""One bucket per key (user id, IP address, ...)."""

from __future__ import annotations

import time
from typing import Callable, Hashable

from ratelimit.bucket import TokenBucket


class KeyedLimiter:
    def __init__(self, capacity: float, rate: float, *, clock: Callable[[], float] = time.monotonic):
        self.capacity = capacity
        self.rate = rate
        self._clock = clock
        self._buckets: dict[Hashable, TokenBucket] = {}

    def bucket(self, key: Hashable) -> TokenBucket:
        """The bucket for ``key``, created full on first use."""
        if key not in self._buckets:
            self._buckets[key] = TokenBucket(self.capacity, self.rate, clock=self._clock)
        return self._buckets[key]

    def allow(self, key: Hashable, n: float = 1) -> bool:
        return self.bucket(key).try_acquire(n)
