
"""Retry a function when it raises a transient error."""

from __future__ import annotations

import functools
import time
from typing import Any, Callable

from jobs.backoff import delays
from jobs.errors import TransientError


def retry(
    *,
    attempts: int = 3,
    exceptions: tuple[type[BaseException], ...] = (TransientError,),
    delay: float = 0.0,
    backoff: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: call the function up to ``attempts`` times, sleeping between tries."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    waits = delays(delay, backoff, attempts - 1)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(attempts):
                try:
                    return func(*args, **kwargs)
                except exceptions:
                    if attempt == attempts - 1:
                        raise
                    sleep(waits[attempt])
            raise AssertionError("unreachable")

        return wrapper

    return decorate
