"""Parse log lines of the form

    2024-03-01 12:00:00,123 [ERROR] billing.invoice: could not send invoice 42

Lines that do not start a record (for example traceback lines) are appended to the
message of the previous record.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Iterable, Iterator

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
ALIASES = {"WARN": "WARNING", "FATAL": "CRITICAL", "ERR": "ERROR"}

_LINE_RE = re.compile(
    r"^(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:,(?P<ms>\d{3}))?\s+"
    r"\[(?P<level>[A-Za-z]+)\]\s+(?P<module>[\w.]+):\s?(?P<message>.*)$"
)


@dataclass(frozen=True)
class LogRecord:
    timestamp: datetime
    level: str  # canonical upper-case name, one of LEVELS
    module: str
    message: str
    line_number: int = 0
    extra_lines: tuple[str, ...] = field(default=())

    @property
    def level_no(self) -> int:
        return LEVELS[self.level]

    @property
    def full_message(self) -> str:
        """The message with any continuation lines, joined by newlines."""
        return "\n".join((self.message, *self.extra_lines))

    def in_module(self, prefix: str) -> bool:
        """True for 'billing' when the module is 'billing' or 'billing.invoice'."""
        return self.module == prefix or self.module.startswith(prefix + ".")


def canonical_level(name: str) -> str:
    """'warn' -> 'WARNING'; raises ValueError for unknown names."""
    upper = name.strip().upper()
    upper = ALIASES.get(upper, upper)
    if upper not in LEVELS:
        raise ValueError(f"unknown level: {name}")
    return upper


def level_number(name: str) -> int:
    """Numeric severity of a level name or alias (case-insensitive)."""
    return LEVELS[canonical_level(name)]


def parse_line(line: str, line_number: int = 0) -> LogRecord | None:
    """A record for a line that starts one, else None."""
    match = _LINE_RE.match(line.rstrip("\n"))
    if not match:
        return None
    try:
        level = canonical_level(match["level"])
    except ValueError:
        return None
    timestamp = datetime.strptime(match["ts"], "%Y-%m-%d %H:%M:%S")
    if match["ms"]:
        timestamp += timedelta(milliseconds=int(match["ms"]))
    return LogRecord(timestamp, level, match["module"], match["message"].rstrip(), line_number)


def parse_lines(lines: Iterable[str]) -> Iterator[LogRecord]:
    """Records in file order; continuation lines are attached to the previous record.

    Continuation lines before the first record are dropped.
    """
    current: LogRecord | None = None
    extra: list[str] = []
    for number, line in enumerate(lines, start=1):
        record = parse_line(line, number)
        if record is None:
            if current is not None and line.strip():
                extra.append(line.rstrip("\n"))
            continue
        if current is not None:
            yield replace(current, extra_lines=tuple(extra))
        current, extra = record, []
    if current is not None:
        yield replace(current, extra_lines=tuple(extra))


def parse_file(path: str) -> list[LogRecord]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return list(parse_lines(handle))


# -- summaries ---------------------------------------------------------------------------


def count_by_level(records: Iterable[LogRecord]) -> dict[str, int]:
    """Counts for every level in LEVELS order, including zeros."""
    counts = Counter(r.level for r in records)
    return {level: counts.get(level, 0) for level in LEVELS}


def count_by_module(records: Iterable[LogRecord], *, depth: int | None = None) -> dict[str, int]:
    """Counts per module, most frequent first; ``depth`` truncates 'a.b.c' to 'a.b' (depth 2)."""
    counts: Counter[str] = Counter()
    for r in records:
        module = r.module if depth is None else ".".join(r.module.split(".")[:depth])
        counts[module] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def between(records: Iterable[LogRecord], start: datetime, end: datetime) -> list[LogRecord]:
    """Records with start <= timestamp < end."""
    if end < start:
        raise ValueError("end is before start")
    return [r for r in records if start <= r.timestamp < end]


def first_error(records: Iterable[LogRecord]) -> LogRecord | None:
    """The first record at ERROR or above."""
    return next((r for r in records if r.level_no >= LEVELS["ERROR"]), None)


def has_errors(records: Iterable[LogRecord]) -> bool:
    """True if any record is at ERROR or above."""
    return first_error(records) is not None


def levels_present(records: Iterable[LogRecord]) -> list[str]:
    """Levels that occur at least once, in severity order."""
    present = {r.level for r in records}
    return [level for level in LEVELS if level in present]


def error_rate(records: list[LogRecord], *, per: timedelta = timedelta(minutes=1)) -> float:
    """ERROR-or-worse records per ``per`` over the span of the log (0.0 if under 2 records)."""
    if len(records) < 2:
        return 0.0
    span = records[-1].timestamp - records[0].timestamp
    if span <= timedelta(0):
        return 0.0
    errors = sum(1 for r in records if r.level_no >= LEVELS["ERROR"])
    return errors / (span / per)


def bursts(records: list[LogRecord], *, window: timedelta, threshold: int) -> list[datetime]:
    """Start times of windows holding at least ``threshold`` ERROR-or-worse records."""
    times = [r.timestamp for r in records if r.level_no >= LEVELS["ERROR"]]
    starts: list[datetime] = []
    j = 0
    for i, start in enumerate(times):
        while j < len(times) and times[j] < start + window:
            j += 1
        if j - i >= threshold and (not starts or start >= starts[-1] + window):
            starts.append(start)
    return starts


_NUMBER_RE = re.compile(r"\d+")


def message_pattern(message: str) -> str:
    """The message with every number replaced by '#', to group similar messages."""
    return _NUMBER_RE.sub("#", message)


def top_messages(records: Iterable[LogRecord], n: int = 10) -> list[tuple[str, int]]:
    """The ``n`` most frequent message patterns with their counts, ties alphabetical."""
    if n < 1:
        raise ValueError("n must be at least 1")
    counts = Counter(message_pattern(r.message) for r in records)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def group_by_day(records: Iterable[LogRecord]) -> dict[str, list[LogRecord]]:
    """Records grouped by ISO date, days in order."""
    days: dict[str, list[LogRecord]] = {}
    for r in records:
        days.setdefault(r.timestamp.date().isoformat(), []).append(r)
    return dict(sorted(days.items()))


def modules(records: Iterable[LogRecord]) -> list[str]:
    """Distinct module names, sorted."""
    return sorted({r.module for r in records})


def format_record(record: LogRecord, *, with_extra: bool = False) -> str:
    """Back to the log line format (milliseconds included only when non-zero)."""
    ts = record.timestamp.strftime("%Y-%m-%d %H:%M:%S")
    if record.timestamp.microsecond:
        ts += f",{record.timestamp.microsecond // 1000:03d}"
    text = f"{ts} [{record.level}] {record.module}: {record.message}"
    if with_extra and record.extra_lines:
        text += "\n" + "\n".join(record.extra_lines)
    return text
