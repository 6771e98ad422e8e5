import pytest

from configlib import ConfigError, ParseError, load, parse

TEXT = """
[server]
host = localhost
port = 8080

[log]
level = info
"""


def test_override_existing_and_create_new():
    cfg = parse(TEXT)
    n = cfg.apply_env({"APP_SERVER__PORT": "9000", "APP_CACHE__TTL": "30"})
    assert n == 2
    assert cfg.get_int("server", "port") == 9000
    assert cfg.get("server", "host") == "localhost"
    assert cfg.get("cache", "ttl") == "30"


def test_lowercases_and_first_double_underscore_only():
    cfg = parse(TEXT)
    assert cfg.apply_env({"APP_Database__POOL__SIZE": "5"}) == 1
    assert cfg.raw("database", "pool__size") == "5"


def test_skips_unrelated_and_malformed():
    cfg = parse(TEXT)
    env = {
        "APP_PORT": "1",
        "APP___X": "1",
        "APP_X__": "1",
        "OTHER_SERVER__PORT": "1",
        "app_server__port": "1",
        "PATH": "/bin",
    }
    assert cfg.apply_env(env) == 0
    assert cfg.as_dict() == parse(TEXT).as_dict()


def test_custom_prefix_and_value_kept_verbatim():
    cfg = parse(TEXT)
    assert cfg.apply_env({"SVC_LOG__LEVEL": "  debug ", "APP_LOG__LEVEL": "x"}, prefix="SVC_") == 1
    assert cfg.raw("log", "level") == "  debug "


def test_empty_prefix():
    with pytest.raises(ValueError, match="^prefix must not be empty$"):
        parse(TEXT).apply_env({}, prefix="")


def test_sorted_order_last_wins():
    cfg = parse(TEXT)
    # Both map to [log] level; sorted by name, "APP_log__level" comes after "APP_LOG__LEVEL".
    assert cfg.apply_env({"APP_log__level": "b", "APP_LOG__LEVEL": "a"}) == 2
    assert cfg.raw("log", "level") == "b"


def test_load_with_environ(tmp_path):
    path = tmp_path / "app.ini"
    path.write_text(TEXT, encoding="utf-8")
    cfg = load(path, environ={"APP_SERVER__HOST": "0.0.0.0", "X_SERVER__PORT": "1"})
    assert cfg.get("server", "host") == "0.0.0.0"
    assert cfg.get("server", "port") == "8080"
    cfg = load(path, environ={"X_SERVER__PORT": "1"}, env_prefix="X_")
    assert cfg.get("server", "port") == "1"


def test_load_without_environ_ignores_os_environ(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_SERVER__PORT", "1234")
    path = tmp_path / "app.ini"
    path.write_text(TEXT, encoding="utf-8")
    assert load(path).get("server", "port") == "8080"


def test_existing_behaviour_unchanged():
    cfg = parse("[a]\nx = 1\ny = ${a.x}2\nflag = yes\n")
    assert cfg.get("a", "y") == "12"
    assert cfg.get_bool("a", "flag") is True
    with pytest.raises(ParseError):
        parse("x = 1")
    with pytest.raises(ConfigError):
        cfg.get_int("a", "flag")
