import pytest

from jobs import JobError, TransientError
from jobs.backoff import delays
from jobs.runner import run_all


def R():
    import jobs.retry as retry_module

    return retry_module.retry


class Flaky:
    def __init__(self, failures, exc=TransientError):
        self.failures = failures
        self.calls = []
        self.exc = exc

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if len(self.calls) <= self.failures:
            raise self.exc(f"fail {len(self.calls)}")
        return "ok"


def test_succeeds_after_retries():
    sleeps = []
    flaky = Flaky(2)
    wrapped = R()(attempts=3, delay=1, backoff=3, sleep=sleeps.append)(flaky)
    assert wrapped(1, x=2) == "ok"
    assert sleeps == [1.0, 3.0]
    assert flaky.calls == [((1,), {"x": 2})] * 3


def test_gives_up_and_reraises_last():
    sleeps = []
    flaky = Flaky(10)
    wrapped = R()(attempts=3, delay=0.5, sleep=sleeps.append)(flaky)
    with pytest.raises(TransientError, match="^fail 3$"):
        wrapped()
    assert len(flaky.calls) == 3
    assert sleeps == [0.5, 1.0]


def test_other_exceptions_propagate_immediately():
    sleeps = []
    flaky = Flaky(1, exc=KeyError)
    wrapped = R()(sleep=sleeps.append)(flaky)
    with pytest.raises(KeyError):
        wrapped()
    assert len(flaky.calls) == 1 and sleeps == []


def test_custom_exceptions_and_zero_delay():
    sleeps = []
    flaky = Flaky(2, exc=ValueError)
    wrapped = R()(attempts=4, exceptions=(ValueError, KeyError), sleep=sleeps.append)(flaky)
    assert wrapped() == "ok"
    assert sleeps == [0.0, 0.0]


def test_single_attempt():
    sleeps = []
    flaky = Flaky(1)
    wrapped = R()(attempts=1, sleep=sleeps.append)(flaky)
    with pytest.raises(TransientError):
        wrapped()
    assert sleeps == []


def test_validation_at_decoration_time():
    with pytest.raises(ValueError, match="^attempts must be at least 1$"):
        R()(attempts=0)
    with pytest.raises(ValueError):
        R()(delay=1, backoff=0.5)
    with pytest.raises(TypeError):
        R()(3)


def test_wraps_metadata():
    @R()(sleep=lambda s: None)
    def fetch():
        """Fetch things."""
        return 1

    assert fetch.__name__ == "fetch"
    assert fetch.__doc__ == "Fetch things."
    assert fetch() == 1


def test_existing_behaviour_unchanged():
    assert delays(1, 2, 4, maximum=3) == [1, 2, 3, 3]
    outcomes = run_all({"a": lambda: 1, "b": Flaky(5, exc=JobError)})
    assert [(o.name, o.ok) for o in outcomes] == [("a", True), ("b", False)]
    assert outcomes[1].error == "JobError: fail 1"
