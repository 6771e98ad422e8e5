"""Existing behaviour's tests for the timesheet entries (parsing and adding up the log)."""

from datetime import datetime

import pytest

from timesheet.entries import Entry, entries_on, parse_entry, parse_log, total_minutes

LOG = [
    "# May 2024",
    "2024-05-02 09:00-10:30 acme: standup and planning",
    "",
    "2024-05-02 11:00-11:45 globex: call",
    "   ",
    "2024-05-03 8:15-9:00 acme",
    "  # lunch",
    "2024-05-03 13:00-15:10 initech: review: part 2",
]


def test_parse_entry_fields():
    entry = parse_entry("2024-05-02 09:00-10:30 acme: standup and planning")
    assert entry == Entry(
        "acme", datetime(2024, 5, 2, 9, 0), datetime(2024, 5, 2, 10, 30), "standup and planning"
    )
    assert entry.minutes == 90


def test_parse_entry_without_note_and_note_with_colon():
    entry = parse_entry("  2024-05-03 8:15-9:00 acme  ")
    assert (entry.project, entry.note, entry.minutes) == ("acme", "", 45)
    entry = parse_entry("2024-05-03 13:00-15:10 initech: review: part 2")
    assert (entry.project, entry.note, entry.minutes) == ("initech", "review: part 2", 130)


def test_parse_entry_errors():
    with pytest.raises(ValueError, match="not a time entry"):
        parse_entry("yesterday I worked a lot")
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_entry("2024-05-02 10:00-09:00 acme: oops")
    with pytest.raises(ValueError):
        parse_entry("2024-05-02 10:00-10:00 acme")


def test_parse_log_skips_blank_and_comment_lines():
    entries = parse_log(LOG)
    assert [e.project for e in entries] == ["acme", "globex", "acme", "initech"]
    assert parse_log([]) == []


def test_total_minutes_all_and_per_project():
    entries = parse_log(LOG)
    assert total_minutes(entries) == 90 + 45 + 45 + 130
    assert total_minutes(entries, "acme") == 135
    assert total_minutes(entries, "nobody") == 0
    assert total_minutes([]) == 0


def test_entries_on_day_in_log_order():
    entries = parse_log(LOG)
    assert [e.project for e in entries_on(entries, "2024-05-03")] == ["acme", "initech"]
    assert entries_on(entries, "2024-05-04") == []
