"""Phone numbers in E.164 form ('+442079460958'), so that the same number typed in
different ways compares equal."""

from __future__ import annotations

import re

DEFAULT_COUNTRY_CODE = "44"


def normalize_phone(raw: str, country_code: str = DEFAULT_COUNTRY_CODE) -> str:
    """The number in E.164 form.

    '+1 (555) 010-9999' -> '+15550109999'; a national number such as '020 7946 0958'
    gets ``country_code`` in place of its leading 0 -> '+442079460958'.
    """
    digits = re.sub(r"\D", "", raw)
    if not digits:
        raise ValueError(f"not a phone number: {raw!r}")
    if digits.startswith("0"):
        digits = country_code + digits[1:]
    return "+" + digits


def same_number(a: str, b: str, country_code: str = DEFAULT_COUNTRY_CODE) -> bool:
    """True if both strings are the same phone number once normalized."""
    try:
        return normalize_phone(a, country_code) == normalize_phone(b, country_code)
    except ValueError:
        return False


def display(number: str) -> str:
    """A normalized UK number grouped for display: '+44 20 7946 0958'; others as they are."""
    if number.startswith("+44") and len(number) == 13:
        return f"{number[:3]} {number[3:5]} {number[5:9]} {number[9:]}"
    return number
