import pytest

from ratelimit import KeyedLimiter, TokenBucket


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_full_bucket():
    assert TokenBucket(10, 2, clock=Clock()).retry_after() == 0.0


def test_empty_bucket():
    clock = Clock()
    b = TokenBucket(10, 2, clock=clock)
    assert b.try_acquire(10)
    assert b.retry_after() == pytest.approx(0.5)
    assert b.retry_after(4) == pytest.approx(2.0)
    clock.now = 1.0
    assert b.retry_after(4) == pytest.approx(1.0)
    assert b.retry_after(2) == 0.0
    assert b.tokens == pytest.approx(2.0)


def test_does_not_take_tokens():
    clock = Clock()
    b = TokenBucket(5, 1, clock=clock)
    b.retry_after(3)
    b.retry_after(5)
    assert b.tokens == pytest.approx(5)


def test_validation():
    b = TokenBucket(10, 2, clock=Clock())
    with pytest.raises(ValueError, match=r"^n exceeds capacity \(10\)$"):
        b.retry_after(11)
    for bad in (0, -1):
        with pytest.raises(ValueError, match="^n must be positive$"):
            b.retry_after(bad)
    assert b.retry_after(10) == 0.0


def test_keyed():
    clock = Clock()
    lim = KeyedLimiter(2, 0.5, clock=clock)
    assert lim.allow("a") and lim.allow("a")
    assert not lim.allow("a")
    assert lim.retry_after("a") == pytest.approx(2.0)
    assert lim.retry_after("b") == 0.0
    assert lim.retry_after("a", 2) == pytest.approx(4.0)


def test_existing_behaviour_unchanged():
    clock = Clock()
    b = TokenBucket(3, 1, clock=clock)
    assert b.try_acquire(3)
    assert not b.try_acquire()
    clock.now = 10
    assert b.tokens == 3
    with pytest.raises(ValueError):
        TokenBucket(0, 1)
