"""Typed access to environment variables.

Every getter takes the environment as a mapping (os.environ in production, a plain dict
in tests), the variable name and a default for when the variable is not set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


def parse_bool(value: str) -> bool:
    """'true' -> True, 'false' -> False; anything else is a configuration error."""
    if value == "true":
        return True
    if value == "false":
        return False
    raise ValueError(f"not a boolean: {value!r}")


def get_bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    if name not in env:
        return default
    return parse_bool(env[name])


def get_int(env: Mapping[str, str], name: str, default: int = 0) -> int:
    if name not in env:
        return default
    try:
        return int(env[name].strip())
    except ValueError:
        raise ValueError(f"{name}: not an integer: {env[name]!r}") from None


def get_list(env: Mapping[str, str], name: str, default: tuple[str, ...] = ()) -> list[str]:
    """A comma-separated list: 'a, b,,c' -> ['a', 'b', 'c']."""
    if name not in env:
        return list(default)
    return [part.strip() for part in env[name].split(",") if part.strip()]


@dataclass(frozen=True)
class Settings:
    debug: bool
    workers: int
    allowed_hosts: list[str]
    send_emails: bool


def load_settings(env: Mapping[str, str]) -> Settings:
    return Settings(
        debug=get_bool(env, "DEBUG"),
        workers=get_int(env, "WORKERS", 2),
        allowed_hosts=get_list(env, "ALLOWED_HOSTS", ("localhost",)),
        send_emails=get_bool(env, "SEND_EMAILS", True),
    )
