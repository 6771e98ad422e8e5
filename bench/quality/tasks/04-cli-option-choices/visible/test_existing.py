"""Existing tests: behaviour the cliargs parser already has (unchanged by the plan)."""

import pytest

from cliargs import ArgParser, Option, UsageError


def make_parser():
    p = ArgParser("backup", description="Copy files somewhere safe.")
    p.add_positional("source")
    p.add_option("retries", type=int, default=3, help="How often to retry.")
    p.add_option("exclude", multiple=True, short="x")
    p.add_option("dry-run-mode", help="Mode.")
    p.add_flag("verbose", short="v", help="Talk more.")
    return p


def test_parse_options_flags_and_positionals():
    args = make_parser().parse(["src", "--retries", "5", "-v"])
    assert args == {
        "source": "src", "retries": 5, "exclude": [], "dry_run_mode": None, "verbose": True,
    }


def test_defaults_equals_syntax_and_multiple():
    args = make_parser().parse(["--retries=7", "-x", "a", "--exclude", "b", "src"])
    assert args["retries"] == 7
    assert args["exclude"] == ["a", "b"]
    assert args["verbose"] is False
    assert make_parser().parse(["src"])["retries"] == 3


def test_conversion_error_message():
    with pytest.raises(UsageError) as info:
        make_parser().parse(["src", "--retries", "many"])
    assert str(info.value) == "invalid value for --retries: 'many'"


def test_usage_errors():
    p = make_parser()
    cases = {
        ("src", "--nope", "1"): "unknown option: --nope",
        ("src", "--retries"): "--retries needs a value",
        ("src", "--retries", "1", "--retries", "2"): "--retries given more than once",
        ("src", "--verbose=1"): "--verbose does not take a value",
        (): "missing argument: source",
        ("a", "b"): "unexpected argument: b",
    }
    for argv, message in cases.items():
        with pytest.raises(UsageError) as info:
            p.parse(list(argv))
        assert str(info.value) == message


def test_required_option_and_double_dash():
    p = ArgParser("tool")
    p.add_option("name", required=True)
    p.add_positional("path")
    with pytest.raises(UsageError) as info:
        p.parse(["x"])
    assert str(info.value) == "missing required option: --name"
    assert p.parse(["--name", "n", "--", "--weird"]) == {"name": "n", "path": "--weird"}


def test_declaration_errors():
    p = make_parser()
    with pytest.raises(ValueError):
        p.add_option("retries")
    with pytest.raises(ValueError):
        p.add_flag("quiet", short="v")
    with pytest.raises(ValueError):
        p.add_option("--bad")


def test_add_option_returns_option():
    opt = ArgParser("t").add_option("log-level", type=int, default=1, short="l")
    assert isinstance(opt, Option)
    assert (opt.name, opt.kind, opt.type, opt.default, opt.short) == ("log-level", "option", int, 1, "l")
    assert opt.dest == "log_level" and opt.metavar == "LOG_LEVEL"


def test_format_help():
    assert make_parser().format_help() == "\n".join([
        "usage: backup [options] SOURCE",
        "",
        "Copy files somewhere safe.",
        "",
        "arguments:",
        "  SOURCE",
        "",
        "options:",
        "  --retries RETRIES      How often to retry. (default: 3)",
        "  -x, --exclude EXCLUDE",
        "  --dry-run-mode DRY_RUN_MODE Mode.",
        "  -v, --verbose          Talk more.",
    ])
