"""In-process caching helpers."""

from cachelib.lru import CacheStats, LRUCache, memoize

__all__ = ["CacheStats", "LRUCache", "memoize"]
