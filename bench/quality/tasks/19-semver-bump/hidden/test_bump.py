import pytest

from semver import InvalidVersionError, Version, max_satisfying, satisfies


def bump(text, part):
    return str(Version.parse(text).bump(part))


def test_basic_bumps():
    assert bump("1.4.2", "major") == "2.0.0"
    assert bump("1.4.2", "minor") == "1.5.0"
    assert bump("1.4.2", "patch") == "1.4.3"
    assert bump("0.9.9", "minor") == "0.10.0"
    assert bump("0.9.9", "major") == "1.0.0"


def test_prerelease_rules():
    assert bump("2.0.1-rc.1", "patch") == "2.0.1"
    assert bump("2.0.1-rc.1", "minor") == "2.1.0"
    assert bump("2.0.1-rc.1", "major") == "3.0.0"


def test_build_dropped_and_result_type():
    v = Version.parse("1.2.3+build.5")
    b = v.bump("patch")
    assert str(b) == "1.2.4"
    assert b.build == () and b.prerelease == ()
    assert isinstance(b, Version)
    assert str(v) == "1.2.3+build.5"


def test_unknown_part():
    v = Version.parse("1.0.0")
    with pytest.raises(ValueError) as exc:
        v.bump("micro")
    assert str(exc.value) == "unknown part: 'micro'"
    with pytest.raises(ValueError):
        v.bump("Major")


def test_existing_behaviour_unchanged():
    assert Version.parse("1.0.0-alpha") < Version.parse("1.0.0-alpha.1") < Version.parse("1.0.0")
    assert satisfies("1.4.0", "^1.2.3")
    assert not satisfies("2.0.0", "^1.2.3")
    assert str(max_satisfying(["1.2.0", "1.3.5", "2.0.0"], "~1.3.0")) == "1.3.5"
    with pytest.raises(InvalidVersionError):
        Version.parse("1.2")
