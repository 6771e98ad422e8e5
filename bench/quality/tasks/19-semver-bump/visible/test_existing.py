"""Existing behaviour of the semver package (tests that pass before the planned change)."""

import pytest

from semver import InvalidVersionError, Version, max_satisfying, satisfies
from semver.version import latest_per_major, sort_versions


def test_parse_and_str_round_trip():
    v = Version.parse(" v1.2.3-rc.1+build.5 ")
    assert (v.major, v.minor, v.patch) == (1, 2, 3)
    assert v.prerelease == ("rc", "1") and v.build == ("build", "5")
    assert str(v) == "1.2.3-rc.1+build.5"
    assert str(Version.parse("0.10.0")) == "0.10.0"


def test_parse_rejects_invalid():
    for text in ("1.2", "01.2.3", "1.2.3-", "a.b.c"):
        with pytest.raises(InvalidVersionError):
            Version.parse(text)
    with pytest.raises(ValueError):
        Version(1, -1, 0)


def test_release_and_flags():
    v = Version.parse("2.0.1-rc.1+b7")
    assert v.is_prerelease and not v.is_stable
    r = v.release()
    assert str(r) == "2.0.1" and not r.is_prerelease and r.is_stable
    assert str(v) == "2.0.1-rc.1+b7"  # frozen, unchanged
    assert not Version.parse("0.9.0").is_stable
    assert v.core == (2, 0, 1)


def test_precedence():
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0"]
    assert [str(v) for v in sort_versions(reversed(ordered))] == ordered
    assert Version.parse("1.0.0+a") == Version.parse("1.0.0+b")
    assert hash(Version.parse("1.0.0+a")) == hash(Version.parse("1.0.0"))


def test_with_build_and_diff():
    v = Version.parse("1.2.3")
    assert str(v.with_build("sha", "42")) == "1.2.3+sha.42"
    with pytest.raises(InvalidVersionError):
        v.with_build("bad.part")
    assert v.diff(Version.parse("1.3.0")) == "minor"
    assert v.diff(Version.parse("1.2.3-rc.1")) == "prerelease"
    assert v.diff(Version.parse("1.2.3+b")) is None


def test_satisfies_ranges():
    assert satisfies("1.4.2", "^1.2.0")
    assert not satisfies("2.0.0", "^1.2.0")
    assert satisfies("0.2.5", "^0.2.1") and not satisfies("0.3.0", "^0.2.1")
    assert satisfies("1.2.9", "~1.2.3") and not satisfies("1.3.0", "~1.2.3")
    assert satisfies("1.5.0", ">=1.2.0 <2.0.0")
    assert not satisfies("1.0.0-rc.1", "*")
    assert satisfies("1.0.0-rc.2", ">=1.0.0-rc.1")
    assert not satisfies("1.1.0-rc.1", ">=1.0.0")
    with pytest.raises(InvalidVersionError):
        satisfies("1.0.0", "")


def test_max_satisfying_and_latest_per_major():
    versions = ["1.0.0", "1.4.0", "2.0.0-rc.1", "1.9.9", "2.1.0", "0.5.0"]
    assert str(max_satisfying(versions, "^1.0.0")) == "1.9.9"
    assert max_satisfying(versions, ">3.0.0") is None
    latest = latest_per_major(versions)
    assert {k: str(v) for k, v in latest.items()} == {0: "0.5.0", 1: "1.9.9", 2: "2.1.0"}
    assert list(latest) == [0, 1, 2]
