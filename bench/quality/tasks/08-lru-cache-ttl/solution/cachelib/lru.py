"""A least-recently-used cache with statistics and an eviction hook."""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterator

_MISSING = object()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    evictions: int = 0
    expirations: int = 0

    @property
    def lookups(self) -> int:
        return self.hits + self.misses

    @property
    def hit_rate(self) -> float:
        """Hits divided by lookups; 0.0 before the first lookup."""
        return self.hits / self.lookups if self.lookups else 0.0

    def reset(self) -> None:
        self.hits = self.misses = self.evictions = self.expirations = 0


class LRUCache:
    """Maps keys to values, dropping the least recently used entry when full.

    ``get`` and ``put`` mark an entry as most recently used; ``peek`` and ``in`` do not.
    All public methods are thread-safe.
    """

    def __init__(
        self,
        maxsize: int = 128,
        *,
        on_evict: Callable[[Hashable, Any], None] | None = None,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        if ttl is not None and ttl <= 0:
            raise ValueError("ttl must be positive")
        self._ttl = ttl
        self._clock = clock
        self._stored_at: dict[Hashable, float] = {}
        self._maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._on_evict = on_evict
        self._lock = threading.RLock()
        self.stats = CacheStats()

    # -- size --------------------------------------------------------------------------

    @property
    def maxsize(self) -> int:
        return self._maxsize

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def resize(self, maxsize: int) -> None:
        """Change the capacity, evicting the oldest entries if it shrinks."""
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        with self._lock:
            self._maxsize = maxsize
            self._evict_overflow()

    def _evict_overflow(self) -> None:
        while len(self._data) > self._maxsize:
            key, value = self._data.popitem(last=False)
            self._stored_at.pop(key, None)
            self.stats.evictions += 1
            if self._on_evict is not None:
                self._on_evict(key, value)

    # -- access ------------------------------------------------------------------------

    def _expired(self, key: Hashable) -> bool:
        if self._ttl is None or key not in self._stored_at:
            return False
        return self._clock() - self._stored_at[key] >= self._ttl

    def _remove(self, key: Hashable) -> None:
        self._data.pop(key, None)
        self._stored_at.pop(key, None)

    def purge_expired(self) -> int:
        """Remove every expired entry; return how many."""
        with self._lock:
            expired = [key for key in self._data if self._expired(key)]
            for key in expired:
                self._remove(key)
            self.stats.expirations += len(expired)
            return len(expired)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value for ``key`` (marking it recently used), or ``default``."""
        with self._lock:
            if key in self._data and self._expired(key):
                self._remove(key)
                self.stats.expirations += 1
            elif key in self._data:
                self._data.move_to_end(key)
                self.stats.hits += 1
                return self._data[key]
            self.stats.misses += 1
            return default

    def peek(self, key: Hashable, default: Any = None) -> Any:
        """Like get, but does not touch recency or statistics."""
        with self._lock:
            return self._data.get(key, default)

    def put(self, key: Hashable, value: Any) -> None:
        """Store ``value``; replaces an existing value and marks it recently used."""
        with self._lock:
            self._data[key] = value
            self._stored_at[key] = self._clock()
            self._data.move_to_end(key)
            self._evict_overflow()

    def get_or_set(self, key: Hashable, factory: Callable[[], Any]) -> Any:
        """Return the cached value, computing and storing it with ``factory`` on a miss."""
        with self._lock:
            value = self.get(key, _MISSING)
            if value is _MISSING:
                value = factory()
                self.put(key, value)
            return value

    def delete(self, key: Hashable) -> bool:
        """Remove ``key``; return whether it was present. Not counted as an eviction."""
        with self._lock:
            self._stored_at.pop(key, None)
            return self._data.pop(key, _MISSING) is not _MISSING

    def pop(self, key: Hashable, default: Any = _MISSING) -> Any:
        with self._lock:
            if key in self._data:
                self._stored_at.pop(key, None)
                return self._data.pop(key)
            if default is _MISSING:
                raise KeyError(key)
            return default

    def clear(self) -> None:
        """Drop every entry without calling on_evict; statistics are kept."""
        with self._lock:
            self._data.clear()
            self._stored_at.clear()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data and not self._expired(key)

    def __getitem__(self, key: Hashable) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: Hashable, value: Any) -> None:
        self.put(key, value)

    def keys(self) -> list[Hashable]:
        """Keys from least to most recently used."""
        with self._lock:
            return list(self._data)

    def values(self) -> list[Any]:
        """Values from least to most recently used."""
        with self._lock:
            return list(self._data.values())

    def items(self) -> list[tuple[Hashable, Any]]:
        with self._lock:
            return list(self._data.items())

    def update(self, entries: dict[Hashable, Any]) -> None:
        """Put every entry of ``entries`` in iteration order."""
        with self._lock:
            for key, value in entries.items():
                self.put(key, value)

    def most_recent(self) -> Hashable:
        """The key used last; KeyError if empty."""
        with self._lock:
            if not self._data:
                raise KeyError("cache is empty")
            return next(reversed(self._data))

    def least_recent(self) -> Hashable:
        """The key that would be evicted next; KeyError if empty."""
        with self._lock:
            if not self._data:
                raise KeyError("cache is empty")
            return next(iter(self._data))

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.keys())

    def __repr__(self) -> str:
        return f"LRUCache(maxsize={self._maxsize}, size={len(self)})"


def memoize(maxsize: int = 128) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator caching a function's results by its (hashable) arguments.

    The wrapper exposes the cache as ``wrapper.cache``.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        cache = LRUCache(maxsize)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = (args, tuple(sorted(kwargs.items())))
            return cache.get_or_set(key, lambda: func(*args, **kwargs))

        wrapper.cache = cache  # type: ignore[attr-defined]
        return wrapper

    return decorate
