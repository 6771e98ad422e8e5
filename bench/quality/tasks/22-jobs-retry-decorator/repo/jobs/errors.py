"""Job errors."""


class JobError(Exception):
    """A job failed permanently."""


class TransientError(JobError):
    """A job failed in a way that may succeed if tried again (timeout, busy server)."""
