import pytest

from settings.env import get_bool, get_int, get_list, load_settings, parse_bool


def test_true_words():
    for text in ["true", "True", "YES", " yes ", "on", "1", "On\n"]:
        assert parse_bool(text) is True, text


def test_false_words():
    for text in ["false", "FALSE", "no", " off", "0"]:
        assert parse_bool(text) is False, text


def test_other_values_still_fail():
    for text in ["maybe", "2", "enabled", ""]:
        with pytest.raises(ValueError):
            parse_bool(text)
    with pytest.raises(ValueError) as exc:
        parse_bool(" maybe")
    assert str(exc.value) == "not a boolean: ' maybe'"


def test_get_bool_empty_means_default():
    assert get_bool({"DEBUG": ""}, "DEBUG", True) is True
    assert get_bool({"DEBUG": "   "}, "DEBUG") is False
    assert get_bool({"DEBUG": "Yes"}, "DEBUG") is True
    assert get_bool({}, "DEBUG", True) is True


def test_load_settings():
    s = load_settings({"DEBUG": "True", "SEND_EMAILS": "", "WORKERS": " 4 ", "ALLOWED_HOSTS": "a, b,,c"})
    assert (s.debug, s.send_emails, s.workers, s.allowed_hosts) == (True, True, 4, ["a", "b", "c"])


def test_existing_behaviour():
    assert parse_bool("true") is True and parse_bool("false") is False
    assert get_int({}, "WORKERS", 2) == 2
    assert get_list({}, "HOSTS", ("x",)) == ["x"]
    with pytest.raises(ValueError, match="not an integer"):
        get_int({"WORKERS": "many"}, "WORKERS")
