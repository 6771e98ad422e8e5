"""Time entries, one per line of the daily log:

    2024-05-02 09:00-10:30 acme: standup and planning

The project name is everything before the first colon after the times; the note is
optional. Blank lines and lines starting with '#' are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

_ENTRY_RE = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})\s+"
    r"(?P<project>[^:]+?)\s*(?::\s*(?P<note>.*))?$"
)


@dataclass(frozen=True)
class Entry:
    project: str
    start: datetime
    end: datetime
    note: str = ""

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def parse_entry(line: str) -> Entry:
    m = _ENTRY_RE.match(line.strip())
    if not m:
        raise ValueError(f"not a time entry: {line.strip()!r}")
    start = datetime.strptime(f"{m['day']} {m['start']}", "%Y-%m-%d %H:%M")
    end = datetime.strptime(f"{m['day']} {m['end']}", "%Y-%m-%d %H:%M")
    if end <= start:
        raise ValueError(f"entry ends before it starts: {line.strip()!r}")
    return Entry(m["project"], start, end, (m["note"] or "").strip())


def parse_log(lines: Iterable[str]) -> list[Entry]:
    entries = []
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        entries.append(parse_entry(line))
    return entries


def total_minutes(entries: Iterable[Entry], project: str | None = None) -> int:
    """All the time logged, or only the time of one project."""
    return sum(e.minutes for e in entries if project is None or e.project == project)


def entries_on(entries: Iterable[Entry], day: str) -> list[Entry]:
    """The entries of one day ('2024-05-02'), in log order."""
    return [e for e in entries if e.start.strftime("%Y-%m-%d") == day]
