"""Background job helpers."""

from jobs.errors import JobError, TransientError

__all__ = ["JobError", "TransientError"]
