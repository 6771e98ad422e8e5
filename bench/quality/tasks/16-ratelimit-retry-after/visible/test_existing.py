"""Existing behaviour of the token-bucket rate limiter (tests that pass before the planned change)."""

import pytest

from ratelimit import KeyedLimiter, TokenBucket


class FakeClock:
    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now


def test_new_bucket_is_full():
    clock = FakeClock()
    bucket = TokenBucket(10, 2, clock=clock)
    assert bucket.tokens == 10.0
    assert (bucket.capacity, bucket.rate) == (10, 2)


def test_try_acquire_takes_tokens_until_empty():
    clock = FakeClock()
    bucket = TokenBucket(3, 1, clock=clock)
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]
    assert bucket.tokens == 0.0
    assert bucket.try_acquire(0.5) is False


def test_refill_over_time_is_capped_at_capacity():
    clock = FakeClock()
    bucket = TokenBucket(10, 2, clock=clock)
    assert bucket.try_acquire(10) is True
    clock.now = 1.5
    assert bucket.tokens == pytest.approx(3.0)
    assert bucket.try_acquire(4) is False
    assert bucket.tokens == pytest.approx(3.0)  # a refused request takes nothing
    clock.now = 100.0
    assert bucket.tokens == 10.0


def test_clock_going_backwards_adds_nothing():
    clock = FakeClock(5.0)
    bucket = TokenBucket(4, 1, clock=clock)
    bucket.try_acquire(4)
    clock.now = 2.0
    assert bucket.tokens == 0.0


def test_validation():
    with pytest.raises(ValueError, match="capacity must be positive"):
        TokenBucket(0, 1)
    with pytest.raises(ValueError, match="rate must be positive"):
        TokenBucket(1, 0)
    bucket = TokenBucket(1, 1, clock=FakeClock())
    with pytest.raises(ValueError, match="n must be positive"):
        bucket.try_acquire(0)


def test_keyed_limiter_keeps_one_bucket_per_key():
    clock = FakeClock()
    limiter = KeyedLimiter(2, 1, clock=clock)
    assert limiter.allow("alice") and limiter.allow("alice")
    assert limiter.allow("alice") is False
    assert limiter.allow("bob") is True
    assert limiter.bucket("alice") is limiter.bucket("alice")
    assert limiter.bucket("carol").tokens == 2.0
    clock.now = 1.0
    assert limiter.allow("alice") is True
