"""Run a list of jobs and report what happened."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    name: str
    ok: bool
    result: Any = None
    error: str = ""


def run_all(jobs: dict[str, Callable[[], Any]]) -> list[Outcome]:
    """Run every job in order; a failing job does not stop the others."""
    outcomes = []
    for name, job in jobs.items():
        try:
            outcomes.append(Outcome(name, True, job()))
        except Exception as exc:  # noqa: BLE001 - reported in the outcome
            log.warning("job %s failed: %s", name, exc)
            outcomes.append(Outcome(name, False, error=f"{type(exc).__name__}: {exc}"))
    return outcomes
