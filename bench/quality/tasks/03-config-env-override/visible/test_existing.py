"""Existing tests: behaviour the configlib parser already has (unchanged by the plan)."""

import pytest

from configlib import Config, ConfigError, MissingOptionError, ParseError, load, parse

SAMPLE = """\
# service settings
[Server]
Host = example.org
port: 8080
debug = yes
tags = a, b
    c

[paths]
base = /srv
data = ${paths.base}/data
"""


def test_parse_sections_options_and_typed_getters():
    config = parse(SAMPLE)
    assert config.sections() == ["server", "paths"]
    assert config.options("server") == ["host", "port", "debug", "tags"]
    assert config.get("SERVER", "HOST") == "example.org"
    assert config.get_int("server", "port") == 8080
    assert config.get_bool("server", "debug") is True
    assert config.get_list("server", "tags") == ["a", "b", "c"]
    assert config.get_int("server", "workers", 4) == 4


def test_interpolation_and_raw():
    config = parse(SAMPLE)
    assert config.get("paths", "data") == "/srv/data"
    assert config.raw("paths", "data") == "${paths.base}/data"
    assert config.items("paths") == [("base", "/srv"), ("data", "/srv/data")]


def test_missing_options_and_defaults():
    config = parse(SAMPLE)
    with pytest.raises(MissingOptionError) as info:
        config.get("server", "nope")
    assert str(info.value) == "missing [server] nope"
    with pytest.raises(MissingOptionError):
        config.options("nosuch")
    assert config.get("server", "nope", "fallback") == "fallback"


def test_parse_errors_carry_line_numbers():
    with pytest.raises(ParseError) as info:
        parse("[a]\nx = 1\nx = 2\n")
    assert info.value.line == 3
    with pytest.raises(ParseError) as info:
        parse("x = 1\n")
    assert info.value.line == 1
    with pytest.raises(ParseError):
        parse("[a]\n[A]\n")


def test_set_lowercases_and_creates_sections():
    config = Config()
    config.set("New", "Key", 5)
    assert config.has_section("new")
    assert config.raw("new", "key") == "5"
    with pytest.raises(ConfigError):
        config.set("new", "   ", "x")
    assert config.remove_option("new", "KEY") is True
    assert config.remove_option("new", "key") is False


def test_merge_overwrites_and_copy_is_independent():
    base = parse("[a]\nx = 1\ny = 2\n")
    base.merge(parse("[a]\ny = 3\n[b]\nz = 4\n"))
    assert base.as_dict() == {"a": {"x": "1", "y": "3"}, "b": {"z": "4"}}
    clone = base.copy()
    clone.set("a", "x", "changed")
    assert base.raw("a", "x") == "1"


def test_to_text_round_trip():
    config = parse(SAMPLE)
    again = parse(config.to_text())
    assert again.as_dict() == config.as_dict()
    assert Config().to_text() == ""


def test_load_reads_file_without_touching_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_SERVER__PORT", "9999")
    path = tmp_path / "app.ini"
    path.write_text(SAMPLE, encoding="utf-8")
    config = load(path)
    assert config.get_int("server", "port") == 8080
    assert load(str(path)).as_dict() == config.as_dict()
