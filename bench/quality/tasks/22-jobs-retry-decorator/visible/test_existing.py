"""Existing behaviour of the jobs package (tests that pass before the planned change)."""

import pytest

import jobs
from jobs import JobError, TransientError
from jobs.backoff import delays
from jobs.runner import Outcome, run_all


def test_delays_grow_by_factor():
    assert delays(1, 2, 4) == [1.0, 2.0, 4.0, 8.0]
    assert delays(0.5, 3, 3) == [0.5, 1.5, 4.5]
    assert all(isinstance(d, float) for d in delays(1, 2, 3))


def test_delays_maximum_and_edge_counts():
    assert delays(1, 2, 4, maximum=3) == [1.0, 2.0, 3.0, 3.0]
    assert delays(1, 2, 0) == []
    assert delays(0, 2, 2) == [0.0, 0.0]
    assert delays(2, 1, 3) == [2.0, 2.0, 2.0]


def test_delays_validation():
    with pytest.raises(ValueError, match="count must be non-negative"):
        delays(1, 2, -1)
    with pytest.raises(ValueError, match="initial must be >= 0 and factor >= 1"):
        delays(-1, 2, 1)
    with pytest.raises(ValueError, match="initial must be >= 0 and factor >= 1"):
        delays(1, 0.5, 1)


def test_error_hierarchy_and_exports():
    assert issubclass(TransientError, JobError)
    assert issubclass(JobError, Exception)
    assert set(jobs.__all__) >= {"JobError", "TransientError"}


def test_run_all_reports_each_job():
    def boom():
        raise TransientError("server busy")

    outcomes = run_all({"ok": lambda: 42, "bad": boom, "also": lambda: "x"})
    assert outcomes == [
        Outcome("ok", True, 42),
        Outcome("bad", False, error="TransientError: server busy"),
        Outcome("also", True, "x"),
    ]


def test_run_all_empty():
    assert run_all({}) == []
