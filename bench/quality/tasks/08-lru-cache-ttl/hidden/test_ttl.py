import pytest

from cachelib import CacheStats, LRUCache, memoize


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_entry_expires():
    clock = Clock()
    c = LRUCache(10, ttl=10, clock=clock)
    c.put("a", 1)
    clock.now = 9.999
    assert c.get("a") == 1
    clock.now = 10
    assert c.get("a", "gone") == "gone"
    assert c.stats.hits == 1
    assert c.stats.misses == 1
    assert c.stats.expirations == 1
    assert c.stats.evictions == 0
    assert "a" not in c.keys()


def test_put_resets_time():
    clock = Clock()
    c = LRUCache(10, ttl=5, clock=clock)
    c.put("a", 1)
    clock.now = 4
    c.put("a", 2)
    clock.now = 8
    assert c.get("a") == 2
    clock.now = 9
    assert c.get("a") is None


def test_contains_does_not_remove_or_count():
    clock = Clock()
    c = LRUCache(10, ttl=1, clock=clock)
    c.put("a", 1)
    assert "a" in c
    clock.now = 1
    assert "a" not in c
    assert c.stats == CacheStats(0, 0, 0, 0)
    assert c.keys() == ["a"]


def test_purge_expired():
    clock = Clock()
    c = LRUCache(10, ttl=5, clock=clock)
    c.put("a", 1)
    c.put("b", 2)
    clock.now = 3
    c.put("c", 3)
    clock.now = 6
    assert c.purge_expired() == 2
    assert c.keys() == ["c"]
    assert c.stats.expirations == 2
    assert c.purge_expired() == 0


def test_expiry_does_not_call_on_evict():
    clock = Clock()
    evicted = []
    c = LRUCache(2, ttl=1, clock=clock, on_evict=lambda k, v: evicted.append(k))
    c.put("a", 1)
    clock.now = 2
    assert c.get("a") is None
    c.purge_expired()
    assert evicted == []
    c.put("b", 1)
    c.put("c", 1)
    c.put("d", 1)
    assert evicted == ["b"]


def test_readded_key_gets_fresh_time():
    clock = Clock()
    c = LRUCache(10, ttl=5, clock=clock)
    c.put("a", 1)
    c.delete("a")
    clock.now = 100
    c.put("a", 2)
    clock.now = 104
    assert c.get("a") == 2


def test_get_or_set_and_getitem_recompute():
    clock = Clock()
    c = LRUCache(10, ttl=2, clock=clock)
    assert c.get_or_set("k", lambda: "v1") == "v1"
    clock.now = 5
    assert c.get_or_set("k", lambda: "v2") == "v2"
    clock.now = 10
    with pytest.raises(KeyError):
        c["k"]


def test_no_ttl_never_expires_and_validation():
    clock = Clock()
    c = LRUCache(10, clock=clock)
    c.put("a", 1)
    clock.now = 1e9
    assert c.get("a") == 1
    assert c.purge_expired() == 0
    for bad in (0, -1):
        with pytest.raises(ValueError, match="^ttl must be positive$"):
            LRUCache(10, ttl=bad)


def test_stats_reset_includes_expirations():
    s = CacheStats(1, 2, 3, 4)
    s.reset()
    assert (s.hits, s.misses, s.evictions, s.expirations) == (0, 0, 0, 0)


def test_existing_behaviour_unchanged():
    evicted = []
    c = LRUCache(2, on_evict=lambda k, v: evicted.append((k, v)))
    c.put("a", 1)
    c.put("b", 2)
    c.get("a")
    c.put("c", 3)
    assert evicted == [("b", 2)]
    assert c.keys() == ["a", "c"]
    assert c.stats.hits == 1 and c.stats.evictions == 1

    calls = []

    @memoize(4)
    def square(x):
        calls.append(x)
        return x * x

    assert square(3) == 9 and square(3) == 9
    assert calls == [3]
