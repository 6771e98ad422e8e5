import pytest

from contacts.phone import display, normalize_phone, same_number


def test_double_zero_is_international():
    assert normalize_phone("00 33 1 23 45 67 89") == "+33123456789"
    assert normalize_phone("0044 20 7946 0958") == "+442079460958"
    assert normalize_phone("0049 30 1234567", country_code="33") == "+49301234567"


def test_bracketed_zero_is_dropped():
    assert normalize_phone("+44 (0)20 7946 0958") == "+442079460958"
    assert normalize_phone("+49 (0)30 1234567") == "+49301234567"


def test_same_number_and_display():
    assert same_number("+44 (0)20 7946 0958", "020 7946 0958")
    assert same_number("0044 20 7946 0958", "+44 20 7946 0958")
    assert display(normalize_phone("+44 (0)20 7946 0958")) == "+44 20 7946 0958"


def test_existing_behaviour():
    assert normalize_phone("+1 (555) 010-9999") == "+15550109999"
    assert normalize_phone("020 7946 0958") == "+442079460958"
    assert normalize_phone("030 1234567", country_code="49") == "+49301234567"
    with pytest.raises(ValueError) as exc:
        normalize_phone("n/a")
    assert str(exc.value) == "not a phone number: 'n/a'"
    assert not same_number("020 7946 0958", "020 7946 0959")
