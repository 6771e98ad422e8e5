"""Semantic versions (https://semver.org) and simple version ranges."""

from semver.version import InvalidVersionError, Version, max_satisfying, satisfies

__all__ = ["InvalidVersionError", "Version", "max_satisfying", "satisfies"]
