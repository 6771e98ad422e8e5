import pytest

from cliargs import ArgParser, UsageError


def make():
    p = ArgParser("tool", description="Does things.")
    p.add_positional("target")
    p.add_option("mode", choices=["fast", "slow"], default="fast", help="Speed")
    p.add_option("level", type=int, choices=[1, 2, 3], short="l")
    p.add_option("tag", multiple=True, choices=("a", "b"))
    p.add_option("name")
    p.add_flag("verbose", short="v")
    return p


def test_valid_choices():
    args = make().parse(["t", "--mode", "slow", "-l", "2", "--tag", "a", "--tag", "b"])
    assert args["mode"] == "slow"
    assert args["level"] == 2
    assert args["tag"] == ["a", "b"]


def test_default_used_and_not_checked():
    p = ArgParser("x")
    p.add_option("mode", choices=["fast"], default="other")
    assert p.parse([])["mode"] == "other"
    assert make().parse(["t"])["mode"] == "fast"


def test_invalid_choice_message():
    with pytest.raises(UsageError) as exc:
        make().parse(["t", "--mode", "turbo"])
    assert str(exc.value) == "invalid choice for --mode: 'turbo' (choose from fast, slow)"
    with pytest.raises(UsageError) as exc:
        make().parse(["t", "--mode=turbo"])
    assert str(exc.value) == "invalid choice for --mode: 'turbo' (choose from fast, slow)"


def test_invalid_choice_after_conversion():
    with pytest.raises(UsageError) as exc:
        make().parse(["t", "--level", "5"])
    assert str(exc.value) == "invalid choice for --level: '5' (choose from 1, 2, 3)"
    with pytest.raises(UsageError) as exc:
        make().parse(["t", "--level", "x"])
    assert str(exc.value) == "invalid value for --level: 'x'"


def test_multiple_each_checked():
    with pytest.raises(UsageError) as exc:
        make().parse(["t", "--tag", "a", "--tag", "c"])
    assert str(exc.value) == "invalid choice for --tag: 'c' (choose from a, b)"


def test_option_field_and_empty_choices():
    p = ArgParser("x")
    opt = p.add_option("mode", choices=["a", "b"])
    assert opt.choices == ("a", "b")
    assert p.add_option("other").choices is None
    with pytest.raises(ValueError, match="^choices must not be empty$"):
        p.add_option("bad", choices=[])


def test_help_shows_choices():
    text = make().format_help()
    assert "--mode {fast,slow}" in text
    assert "-l, --level {1,2,3}" in text
    assert "--name NAME" in text
    assert "--mode MODE" not in text


def test_existing_behaviour_unchanged():
    p = ArgParser("tool")
    p.add_positional("target")
    p.add_option("level", type=int, default=1, short="l")
    p.add_option("tag", multiple=True)
    p.add_flag("verbose", short="v")
    args = p.parse(["t", "-v", "--tag", "a", "--tag=b"])
    assert args == {"level": 1, "tag": ["a", "b"], "verbose": True, "target": "t"}
    with pytest.raises(UsageError, match="unknown option: --nope"):
        p.parse(["t", "--nope"])
    with pytest.raises(UsageError, match="missing argument: target"):
        p.parse([])
    assert p.usage() == "usage: tool [options] TARGET"
    assert "-l, --level LEVEL" in p.format_help()
