import pytest

from schemalite import SchemaError, ValidationError, is_valid, validate

LEVELS = {"enum": ["debug", "info", "error"]}


def test_accepts_and_rejects():
    assert validate("info", LEVELS) == []
    assert validate("verbose", LEVELS) == [
        ValidationError("$", "'verbose' is not one of ['debug', 'info', 'error']")
    ]


def test_nested_path():
    schema = {"type": "object", "properties": {"level": LEVELS}}
    errors = validate({"level": "loud"}, schema)
    assert [str(e) for e in errors] == ["$.level: 'loud' is not one of ['debug', 'info', 'error']"]


def test_bool_and_number_are_distinct():
    assert not is_valid(True, {"enum": [1, 2]})
    assert not is_valid(1, {"enum": [True]})
    assert not is_valid(0, {"enum": [False]})
    assert not is_valid(1.0, {"enum": [1]})
    assert is_valid(1, {"enum": [1, True]})
    assert is_valid(False, {"enum": [0, False]})
    assert validate(True, {"enum": [1]}) == [ValidationError("$", "True is not one of [1]")]


def test_null_arrays_objects():
    assert is_valid(None, {"enum": [None, "auto"]})
    assert is_valid([1, 2], {"enum": [[1, 2]]})
    assert not is_valid([2, 1], {"enum": [[1, 2]]})
    assert is_valid({"a": 1}, {"enum": [{"a": 1}]})


def test_type_error_stops_enum():
    errors = validate(5, {"type": "string", "enum": ["a"]})
    assert errors == [ValidationError("$", "expected string, got integer")]


def test_schema_errors():
    with pytest.raises(SchemaError) as exc:
        validate("x", {"enum": []})
    assert str(exc.value) == "$: enum must be a non-empty list"
    with pytest.raises(SchemaError) as exc:
        validate({}, {"properties": {"level": {"enum": "debug"}}})
    assert str(exc.value) == "$.properties.level: enum must be a non-empty list"


def test_existing_behaviour_unchanged():
    schema = {
        "type": "object",
        "required": ["port"],
        "properties": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}},
        "additionalProperties": False,
    }
    assert validate({"port": 80}, schema) == []
    assert [str(e) for e in validate({"port": 0, "x": 1}, schema)] == [
        "$.port: 0 is less than the minimum 1",
        "$.x: additional property not allowed",
    ]
    with pytest.raises(SchemaError):
        validate(1, {"typo": 1})
