"""Existing behaviour's tests for typed environment settings."""

import pytest

from settings.env import Settings, get_bool, get_int, get_list, load_settings, parse_bool


def test_parse_bool_true_and_false():
    assert parse_bool("true") is True
    assert parse_bool("false") is False


def test_parse_bool_rejects_other_words():
    with pytest.raises(ValueError) as info:
        parse_bool(" maybe")
    assert str(info.value) == "not a boolean: ' maybe'"
    for bad in ("2", "enabled", ""):
        with pytest.raises(ValueError, match="not a boolean"):
            parse_bool(bad)


def test_get_bool():
    assert get_bool({}, "DEBUG") is False
    assert get_bool({}, "DEBUG", True) is True
    assert get_bool({"DEBUG": "true"}, "DEBUG") is True
    assert get_bool({"DEBUG": "false"}, "DEBUG", True) is False
    with pytest.raises(ValueError, match="not a boolean"):
        get_bool({"DEBUG": "maybe"}, "DEBUG")


def test_get_int():
    assert get_int({}, "WORKERS", 2) == 2
    assert get_int({"WORKERS": " 8 "}, "WORKERS") == 8
    with pytest.raises(ValueError) as info:
        get_int({"WORKERS": "many"}, "WORKERS")
    assert str(info.value) == "WORKERS: not an integer: 'many'"


def test_get_list():
    assert get_list({"HOSTS": "a, b,,c"}, "HOSTS") == ["a", "b", "c"]
    assert get_list({}, "HOSTS", ("localhost",)) == ["localhost"]
    assert get_list({"HOSTS": " , "}, "HOSTS") == []


def test_load_settings_defaults():
    assert load_settings({}) == Settings(
        debug=False, workers=2, allowed_hosts=["localhost"], send_emails=True
    )


def test_load_settings_from_env():
    env = {"DEBUG": "true", "WORKERS": "4", "ALLOWED_HOSTS": "example.org, api.example.org",
           "SEND_EMAILS": "false", "OTHER": "ignored"}
    assert load_settings(env) == Settings(
        debug=True, workers=4, allowed_hosts=["example.org", "api.example.org"], send_emails=False
    )
    with pytest.raises(ValueError):
        load_settings({"SEND_EMAILS": "maybe"})
