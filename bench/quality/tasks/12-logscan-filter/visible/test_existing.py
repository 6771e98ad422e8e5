"""Existing tests: behaviour the logscan parser and CLI already have (unchanged by the plan)."""

from datetime import datetime

import pytest

import logscan
from logscan import LogRecord, level_number, parse_line, parse_lines
from logscan.cli import main
from logscan.parser import between, count_by_level, count_by_module, first_error, format_record

LOG = """\
2024-03-01 12:00:00,123 [INFO] billing: started
2024-03-01 12:00:05 [warn] billing.invoice: slow invoice 42
2024-03-01 12:00:07 [ERROR] billingx: could not send invoice 43
Traceback (most recent call last):
  ValueError: boom
2024-03-01 12:01:00 [DEBUG] web.http: GET /
""".splitlines(keepends=True)


def test_package_exports():
    assert {"LogRecord", "level_number", "parse_line", "parse_lines"} <= set(logscan.__all__)


def test_level_number_names_and_aliases():
    assert level_number("DEBUG") == 10
    assert level_number("warn") == 30
    assert level_number(" Fatal ") == 50
    assert level_number("err") == 40
    with pytest.raises(ValueError) as info:
        level_number("loud")
    assert str(info.value) == "unknown level: loud"


def test_parse_line():
    record = parse_line(LOG[0], 1)
    assert record == LogRecord(datetime(2024, 3, 1, 12, 0, 0, 123000), "INFO", "billing", "started", 1)
    assert parse_line("not a record") is None
    assert parse_line("2024-03-01 12:00:00 [LOUD] x: y") is None


def test_parse_lines_attaches_continuation_lines():
    records = list(parse_lines(LOG))
    assert [r.level for r in records] == ["INFO", "WARNING", "ERROR", "DEBUG"]
    assert [r.line_number for r in records] == [1, 2, 3, 6]
    err = records[2]
    assert err.extra_lines == ("Traceback (most recent call last):", "  ValueError: boom")
    assert err.full_message == "could not send invoice 43\nTraceback (most recent call last):\n  ValueError: boom"
    assert records[0].full_message == "started"


def test_record_level_no_and_in_module():
    records = list(parse_lines(LOG))
    assert [r.level_no for r in records] == [20, 30, 40, 10]
    assert records[0].in_module("billing") and records[1].in_module("billing")
    assert not records[2].in_module("billing")


def test_summaries():
    records = list(parse_lines(LOG))
    assert count_by_level(records) == {"DEBUG": 1, "INFO": 1, "WARNING": 1, "ERROR": 1, "CRITICAL": 0}
    assert count_by_module(records, depth=1) == {"billing": 2, "billingx": 1, "web": 1}
    assert first_error(records) is records[2]
    assert between(records, datetime(2024, 3, 1, 12, 0, 5), datetime(2024, 3, 1, 12, 1)) == records[1:3]
    with pytest.raises(ValueError):
        between(records, datetime(2024, 3, 2), datetime(2024, 3, 1))


def test_format_record_round_trip():
    records = list(parse_lines(LOG))
    assert format_record(records[0]) == "2024-03-01 12:00:00,123 [INFO] billing: started"
    assert format_record(records[2], with_extra=True) == "".join(LOG[2:5]).rstrip("\n")


def test_cli_prints_counts(tmp_path, capsys):
    path = tmp_path / "app.log"
    path.write_text("".join(LOG), encoding="utf-8")
    assert main([str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "DEBUG    1"
    assert out[-1] == "CRITICAL 0"
    assert main([]) == 2
