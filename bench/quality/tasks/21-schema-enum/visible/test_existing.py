"""Existing behaviour of the schemalite validator (tests that pass before the planned change)."""

import pytest

from schemalite import SchemaError, ValidationError, is_valid, validate
from schemalite.validator import apply_defaults, assert_valid, check_schema, format_errors, type_of

CONFIG_SCHEMA = {
    "type": "object",
    "required": ["name", "port"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "pattern": "^[a-z]+$"},
        "port": {"type": "integer", "minimum": 1, "maximum": 65535},
        "ratio": {"type": "number"},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
        "debug": {"type": "boolean", "default": False},
    },
}


def test_type_of_distinguishes_bool_and_int():
    assert type_of(True) == "boolean"
    assert type_of(1) == "integer"
    assert type_of(1.0) == "number"
    assert [type_of(v) for v in (None, "s", [], {})] == ["null", "string", "array", "object"]
    with pytest.raises(TypeError):
        type_of(object())


def test_valid_document():
    doc = {"name": "web", "port": 8080, "ratio": 2, "tags": ["a"], "debug": True}
    assert validate(doc, CONFIG_SCHEMA) == []
    assert is_valid(doc, CONFIG_SCHEMA)


def test_collects_errors_with_paths():
    doc = {"name": "Web1", "port": 70000, "tags": ["a", 3, "c"], "extra": 1}
    errors = validate(doc, CONFIG_SCHEMA)
    assert ValidationError("$.name", "does not match '^[a-z]+$'") in errors
    assert ValidationError("$.port", "70000 is more than the maximum 65535") in errors
    assert ValidationError("$.tags", "more than 2 items") in errors
    assert ValidationError("$.tags[1]", "expected string, got integer") in errors
    assert ValidationError("$.extra", "additional property not allowed") in errors
    assert len(errors) == 5


def test_required_and_wrong_type_stops_other_checks():
    assert validate({}, CONFIG_SCHEMA) == [
        ValidationError("$", "missing required property 'name'"),
        ValidationError("$", "missing required property 'port'"),
    ]
    assert validate(True, {"type": "integer", "minimum": 5}) == [
        ValidationError("$", "expected integer, got boolean")
    ]
    assert validate(5, {"type": ["string", "null"]}) == [ValidationError("$", "expected string or null, got integer")]
    assert validate(3, {"type": "number", "minimum": 1}) == []


def test_string_and_array_bounds():
    assert validate("ab", {"minLength": 3}) == [ValidationError("$", "shorter than 3 characters")]
    assert validate("abcd", {"maxLength": 3}) == [ValidationError("$", "longer than 3 characters")]
    assert validate([], {"minItems": 1}) == [ValidationError("$", "fewer than 1 items")]
    assert validate(0, {"minimum": 1}) == [ValidationError("$", "0 is less than the minimum 1")]
    assert validate({"x": "a"}, {"additionalProperties": {"type": "integer"}}) == [
        ValidationError("$.x", "expected integer, got string")
    ]


def test_check_schema_errors():
    with pytest.raises(SchemaError, match=r"\$: unknown keyword 'frobnicate'"):
        check_schema({"frobnicate": 1})
    with pytest.raises(SchemaError, match=r"\$.properties.a: unknown type 'text'"):
        validate({}, {"properties": {"a": {"type": "text"}}})
    with pytest.raises(SchemaError, match="minimum is greater than maximum"):
        check_schema({"minimum": 5, "maximum": 1})
    with pytest.raises(SchemaError, match="required must be a list of strings"):
        check_schema({"required": "name"})
    with pytest.raises(SchemaError, match="minLength must be a non-negative integer"):
        check_schema({"minLength": -1})
    with pytest.raises(SchemaError, match="schema must be an object"):
        check_schema([])
    check_schema({"title": "t", "description": "d", "default": 1, "items": {"type": "null"}})


def test_format_and_assert_valid():
    errors = [ValidationError("$.b", "x"), ValidationError("$.a", "y")]
    assert str(errors[0]) == "$.b: x"
    assert format_errors(errors) == "$.a: y\n$.b: x"
    with pytest.raises(ValueError, match="invalid document:\n\\$: expected string, got integer"):
        assert_valid(1, {"type": "string"})
    assert_valid("ok", {"type": "string"})


def test_apply_defaults_does_not_modify_input():
    schema = {"properties": {"debug": {"default": False}, "items": {"items": {"properties": {"n": {"default": 0}}}}}}
    doc = {"items": [{}, {"n": 2}]}
    assert apply_defaults(doc, schema) == {"items": [{"n": 0}, {"n": 2}], "debug": False}
    assert doc == {"items": [{}, {"n": 2}]}
