import pytest

from timesheet import entries as T
from timesheet.entries import parse_log, total_minutes

LOG = """\
# May
2024-05-02 09:00-10:30 zeta: standup
2024-05-02 10:30-11:00 acme: call
2024-05-03 13:15-15:00 acme: build
2024-05-03 15:00-15:20 beta
""".splitlines()


def test_summary_totals_and_order():
    got = T.summary_by_project(parse_log(LOG))
    assert got == {"acme": 135, "beta": 20, "zeta": 90}
    assert list(got) == ["acme", "beta", "zeta"]


def test_summary_empty():
    assert T.summary_by_project([]) == {}


def test_summary_matches_total_minutes():
    entries = parse_log(LOG)
    got = T.summary_by_project(entries)
    assert sum(got.values()) == total_minutes(entries)
    assert got["acme"] == total_minutes(entries, "acme")


@pytest.mark.parametrize("minutes,text", [(95, "1:35"), (5, "0:05"), (600, "10:00"), (0, "0:00"), (61, "1:01")])
def test_format_minutes(minutes, text):
    assert T.format_minutes(minutes) == text


def test_format_minutes_negative():
    with pytest.raises(ValueError, match="^minutes must not be negative$"):
        T.format_minutes(-1)


def test_existing_parsing():
    entries = parse_log(LOG)
    assert [e.project for e in entries] == ["zeta", "acme", "acme", "beta"]
    assert entries[3].note == "" and entries[0].minutes == 90
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_log(["2024-05-02 10:00-09:00 acme"])
