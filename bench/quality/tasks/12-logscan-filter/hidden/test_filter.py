import pytest

import logscan
from logscan import parse_lines
from logscan import parser as P

LOG = """2024-03-01 10:00:00 [DEBUG] billing: start
2024-03-01 10:00:01 [INFO] billing.invoice: created Invoice 1
2024-03-01 10:00:02 [WARN] billingx: odd module
2024-03-01 10:00:03 [ERROR] billing.invoice: could not send
Traceback (most recent call last):
  SMTPError: INVOICE mailbox full
2024-03-01 10:00:04 [CRITICAL] auth: disk full
2024-03-01 10:00:05 [INFO] auth.login: user bob invoice page
""".splitlines(keepends=True)


def records():
    return list(parse_lines(LOG))


def msgs(rs):
    return [r.message for r in rs]


def test_min_level_names_and_aliases():
    rs = records()
    assert msgs(P.filter_records(rs, min_level="error")) == ["could not send", "disk full"]
    assert msgs(P.filter_records(rs, min_level="WARN")) == ["odd module", "could not send", "disk full"]
    assert msgs(P.filter_records(rs, min_level="fatal")) == ["disk full"]


def test_default_keeps_everything():
    rs = records()
    assert P.filter_records(rs) == rs
    assert P.filter_records(iter(rs)) == rs


def test_module_prefix():
    rs = records()
    assert msgs(P.filter_records(rs, module="billing")) == ["start", "created Invoice 1", "could not send"]
    assert msgs(P.filter_records(rs, module="billingx")) == ["odd module"]


def test_contains_case_insensitive_with_extra_lines():
    rs = records()
    assert msgs(P.filter_records(rs, contains="invoice")) == ["created Invoice 1", "could not send", "user bob invoice page"]
    assert len(P.filter_records(rs, contains="")) == len(rs)


def test_combined():
    rs = records()
    got = P.filter_records(parse_lines(LOG), min_level="warning", module="billing", contains="INVOICE")
    assert msgs(got) == ["could not send"]
    assert got[0].extra_lines == rs[3].extra_lines


def test_unknown_level():
    with pytest.raises(ValueError, match="^unknown level: loud$"):
        P.filter_records([], min_level="loud")


def test_exported():
    assert "filter_records" in logscan.__all__
    assert logscan.filter_records is P.filter_records


def test_existing_behaviour_unchanged():
    rs = records()
    assert len(rs) == 6
    assert rs[3].full_message.endswith("INVOICE mailbox full")
    assert P.count_by_level(rs) == {"DEBUG": 1, "INFO": 2, "WARNING": 1, "ERROR": 1, "CRITICAL": 1}
    assert P.first_error(rs).message == "could not send"
    assert logscan.level_number("warn") == 30
