"""Version: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] with semver precedence rules.

Ranges understood by ``satisfies``: "1.2.3" / "=1.2.3" (exact), ">=1.2.3", ">1.2.3",
"<=1.2.3", "<1.2.3", "^1.2.3" (same major; for 0.x same minor), "~1.2.3" (same minor),
"*" (anything), and several of these separated by spaces (all must hold).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import total_ordering
from typing import Iterable

_VERSION_RE = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
_COMPARATOR_RE = re.compile(r"^(>=|<=|>|<|=|\^|~)?(.+)$")


class InvalidVersionError(ValueError):
    """The text is not a semantic version or range."""


def _prerelease_key(parts: tuple[str, ...]) -> tuple:
    """Numeric identifiers sort numerically and before alphanumeric ones."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if min(self.major, self.minor, self.patch) < 0:
            raise InvalidVersionError("version numbers must be non-negative")

    @classmethod
    def parse(cls, text: str) -> "Version":
        match = _VERSION_RE.match(text.strip())
        if not match:
            raise InvalidVersionError(f"not a semantic version: {text!r}")
        major, minor, patch, pre, build = match.groups()
        return cls(
            int(major),
            int(minor),
            int(patch),
            tuple(pre.split(".")) if pre else (),
            tuple(build.split(".")) if build else (),
        )

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)

    @property
    def core(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def release(self) -> "Version":
        """The same version without prerelease and build."""
        return Version(self.major, self.minor, self.patch)

    @property
    def is_stable(self) -> bool:
        """1.0.0 or later and not a prerelease."""
        return self.major >= 1 and not self.prerelease

    def with_build(self, *parts: str) -> "Version":
        """The same version with new build metadata (ignored for precedence)."""
        for part in parts:
            if not re.fullmatch(r"[0-9A-Za-z-]+", part):
                raise InvalidVersionError(f"bad build identifier: {part!r}")
        return Version(self.major, self.minor, self.patch, self.prerelease, tuple(parts))

    def _key(self) -> tuple:
        # A release sorts after all of its prereleases.
        pre = (1,) if not self.prerelease else (0, _prerelease_key(self.prerelease))
        return (self.core, pre)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def diff(self, other: "Version") -> str | None:
        """The most significant differing part: 'major', 'minor', 'patch', 'prerelease' or None."""
        for name in ("major", "minor", "patch", "prerelease"):
            if getattr(self, name) != getattr(other, name):
                return name
        return None

    def is_compatible_with(self, other: "Version") -> bool:
        """Caret compatibility: same major (or same minor for 0.x)."""
        if self.major == 0 or other.major == 0:
            return self.major == other.major and self.minor == other.minor
        return self.major == other.major


def _check_comparator(version: Version, comparator: str) -> bool:
    if comparator == "*":
        return not version.is_prerelease
    match = _COMPARATOR_RE.match(comparator)
    if not match:
        raise InvalidVersionError(f"bad range: {comparator!r}")
    op, rest = match.groups()
    target = Version.parse(rest)
    if op in (None, "="):
        return version == target
    if op == ">=":
        return version >= target
    if op == ">":
        return version > target
    if op == "<=":
        return version <= target
    if op == "<":
        return version < target
    if op == "^":
        return version >= target and version.is_compatible_with(target)
    # "~": same major and minor, at least target
    return version >= target and (version.major, version.minor) == (target.major, target.minor)


def satisfies(version: Version | str, spec: str) -> bool:
    """True if ``version`` meets every space-separated comparator in ``spec``.

    Prereleases only match when a comparator names a prerelease of the same core version.
    """
    if isinstance(version, str):
        version = Version.parse(version)
    comparators = spec.split()
    if not comparators:
        raise InvalidVersionError("empty range")
    if version.is_prerelease:
        allowed = False
        for comparator in comparators:
            rest = comparator.lstrip("<>=^~")
            if rest != "*":
                target = Version.parse(rest)
                allowed = allowed or (target.is_prerelease and target.core == version.core)
        if not allowed:
            return False
    return all(_check_comparator(version, c) for c in comparators)


def max_satisfying(versions: Iterable[Version | str], spec: str) -> Version | None:
    """The highest version meeting ``spec``, or None."""
    best: Version | None = None
    for v in versions:
        v = Version.parse(v) if isinstance(v, str) else v
        if satisfies(v, spec) and (best is None or v > best):
            best = v
    return best


def sort_versions(versions: Iterable[Version | str], *, reverse: bool = False) -> list[Version]:
    """Parse where needed and sort by precedence."""
    parsed = [Version.parse(v) if isinstance(v, str) else v for v in versions]
    return sorted(parsed, reverse=reverse)


def latest_per_major(versions: Iterable[Version | str]) -> dict[int, Version]:
    """The highest stable release of each major version, keyed by major, ascending."""
    best: dict[int, Version] = {}
    for v in sort_versions(versions):
        if not v.is_prerelease:
            best[v.major] = v
    return dict(sorted(best.items()))
