"""Existing behaviour's tests for phone numbers (normalizing, comparing, displaying)."""

import pytest

from contacts.phone import DEFAULT_COUNTRY_CODE, display, normalize_phone, same_number


def test_international_number_with_plus():
    assert normalize_phone("+1 (555) 010-9999") == "+15550109999"
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    assert normalize_phone("+33.1.23.45.67.89") == "+33123456789"


def test_national_number_gets_the_country_code():
    assert DEFAULT_COUNTRY_CODE == "44"
    assert normalize_phone("020 7946 0958") == "+442079460958"
    assert normalize_phone("(020) 7946-0958") == "+442079460958"
    assert normalize_phone("030 1234567", "49") == "+49301234567"
    assert normalize_phone("030 1234567", country_code="49") == "+49301234567"


def test_no_digits_raises_value_error():
    with pytest.raises(ValueError) as info:
        normalize_phone("n/a")
    assert str(info.value) == "not a phone number: 'n/a'"
    with pytest.raises(ValueError, match="not a phone number: ''"):
        normalize_phone("")


def test_same_number():
    assert same_number("+44 20 7946 0958", "020 7946 0958")
    assert same_number("+1 555 010 9999", "+1 (555) 010-9999")
    assert not same_number("020 7946 0958", "020 7946 0959")
    assert not same_number("n/a", "n/a")
    assert same_number("030 1234567", "+49 30 1234567", "49")


def test_display():
    assert display("+442079460958") == "+44 20 7946 0958"
    assert display(normalize_phone("020 7946 0958")) == "+44 20 7946 0958"
    assert display("+15550109999") == "+15550109999"
    assert display("+4420794609") == "+4420794609"
