"""Existing tests: behaviour the LRU cache already has (unchanged by the plan)."""

import pytest

from cachelib import CacheStats, LRUCache, memoize


def test_get_put_and_stats():
    cache = LRUCache(2)
    cache.put("a", 1)
    assert cache.get("a") == 1
    assert cache.get("b") is None
    assert cache.get("b", "dflt") == "dflt"
    assert (cache.stats.hits, cache.stats.misses, cache.stats.evictions) == (1, 2, 0)
    assert cache.stats.lookups == 3
    assert cache.stats.hit_rate == pytest.approx(1 / 3)


def test_evicts_least_recently_used_and_calls_hook():
    evicted = []
    cache = LRUCache(2, on_evict=lambda k, v: evicted.append((k, v)))
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")  # "b" is now least recently used
    cache.put("c", 3)
    assert cache.keys() == ["a", "c"]
    assert evicted == [("b", 2)]
    assert cache.stats.evictions == 1
    assert "b" not in cache


def test_peek_and_contains_do_not_touch_recency_or_stats():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.peek("a") == 1
    assert "a" in cache
    assert cache.least_recent() == "a" and cache.most_recent() == "b"
    assert cache.stats.lookups == 0


def test_put_existing_key_replaces_and_marks_recent():
    cache = LRUCache(3)
    cache.update({"a": 1, "b": 2})
    cache["a"] = 10
    assert cache.items() == [("b", 2), ("a", 10)]
    assert cache["a"] == 10
    with pytest.raises(KeyError):
        cache["missing"]


def test_delete_pop_and_clear():
    evicted = []
    cache = LRUCache(3, on_evict=lambda k, v: evicted.append(k))
    cache.update({"a": 1, "b": 2, "c": 3})
    assert cache.delete("a") is True
    assert cache.delete("a") is False
    assert cache.pop("b") == 2
    assert cache.pop("b", None) is None
    with pytest.raises(KeyError):
        cache.pop("b")
    cache.clear()
    assert len(cache) == 0
    assert evicted == []
    assert cache.stats.evictions == 0


def test_get_or_set_calls_factory_only_on_miss():
    calls = []
    cache = LRUCache(2)
    assert cache.get_or_set("k", lambda: calls.append(1) or "v") == "v"
    assert cache.get_or_set("k", lambda: calls.append(1) or "w") == "v"
    assert calls == [1]


def test_resize_and_validation():
    cache = LRUCache(3)
    cache.update({"a": 1, "b": 2, "c": 3})
    cache.resize(1)
    assert cache.keys() == ["c"] and cache.maxsize == 1
    assert repr(cache) == "LRUCache(maxsize=1, size=1)"
    with pytest.raises(ValueError):
        LRUCache(0)
    with pytest.raises(ValueError):
        cache.resize(0)


def test_stats_reset():
    stats = CacheStats(hits=2, misses=1, evictions=4)
    stats.reset()
    assert (stats.hits, stats.misses, stats.evictions) == (0, 0, 0)
    assert stats.hit_rate == 0.0


def test_memoize_caches_results():
    calls = []

    @memoize(maxsize=8)
    def square(x, *, plus=0):
        calls.append(x)
        return x * x + plus

    assert square(3) == 9
    assert square(3) == 9
    assert square(3, plus=1) == 10
    assert calls == [3, 3]
    assert square.cache.stats.hits == 1
