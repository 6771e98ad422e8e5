"""Validate a JSON-like value against a schema dict.

Supported keywords: type, properties, required, additionalProperties, items,
minimum, maximum, minLength, maxLength, pattern, minItems, maxItems.
Errors are collected, not raised: ``validate`` returns a list (empty when valid).
"""

from __future__ import annotations

import re
from typing import Any

from schemalite.errors import SchemaError, ValidationError

KNOWN_KEYWORDS = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "items",
        "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
        "description", "title", "default", "enum",
    }
)

TYPE_NAMES = ("object", "array", "string", "integer", "number", "boolean", "null")


def type_of(value: Any) -> str:
    """The JSON type name of a Python value ('integer' for ints, never for bools)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {value!r}")


def _matches_type(value: Any, expected: str) -> bool:
    actual = type_of(value)
    return actual == expected or (expected == "number" and actual == "integer")


def check_schema(schema: Any, where: str = "$") -> None:
    """Raise SchemaError for unknown keywords or badly typed keyword values."""
    if not isinstance(schema, dict):
        raise SchemaError(f"{where}: schema must be an object")
    for key in schema:
        if key not in KNOWN_KEYWORDS:
            raise SchemaError(f"{where}: unknown keyword {key!r}")
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        for name in names:
            if name not in TYPE_NAMES:
                raise SchemaError(f"{where}: unknown type {name!r}")
    for key in ("minimum", "maximum"):
        if key in schema and type_of(schema[key]) not in ("integer", "number"):
            raise SchemaError(f"{where}: {key} must be a number")
    for key in ("minLength", "maxLength", "minItems", "maxItems"):
        if key in schema and (type_of(schema[key]) != "integer" or schema[key] < 0):
            raise SchemaError(f"{where}: {key} must be a non-negative integer")
    if "minimum" in schema and "maximum" in schema and schema["minimum"] > schema["maximum"]:
        raise SchemaError(f"{where}: minimum is greater than maximum")
    if "pattern" in schema:
        try:
            re.compile(schema["pattern"])
        except (re.error, TypeError) as exc:
            raise SchemaError(f"{where}: bad pattern: {exc}") from None
    if "enum" in schema and not (isinstance(schema["enum"], list) and schema["enum"]):
        raise SchemaError(f"{where}: enum must be a non-empty list")
    if "required" in schema and not (
        isinstance(schema["required"], list) and all(isinstance(r, str) for r in schema["required"])
    ):
        raise SchemaError(f"{where}: required must be a list of strings")
    if not isinstance(schema.get("properties", {}), dict):
        raise SchemaError(f"{where}: properties must be an object")
    if not isinstance(schema.get("additionalProperties", True), (bool, dict)):
        raise SchemaError(f"{where}: additionalProperties must be a boolean or a schema")
    for name, sub in schema.get("properties", {}).items():
        check_schema(sub, f"{where}.properties.{name}")
    if isinstance(schema.get("additionalProperties"), dict):
        check_schema(schema["additionalProperties"], f"{where}.additionalProperties")
    if "items" in schema:
        check_schema(schema["items"], f"{where}.items")


def _enum_contains(value: Any, options: list) -> bool:
    """JSON equality: same JSON type and equal (so True != 1)."""
    kind = type_of(value)
    return any(type_of(option) == kind and option == value for option in options)


def _validate(value: Any, schema: dict, path: str, errors: list[ValidationError]) -> None:
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        if not any(_matches_type(value, n) for n in names):
            errors.append(ValidationError(path, f"expected {' or '.join(names)}, got {type_of(value)}"))
            return  # the other keywords make no sense for the wrong type

    if "enum" in schema and not _enum_contains(value, schema["enum"]):
        errors.append(ValidationError(path, f"{value!r} is not one of {schema['enum']!r}"))

    kind = type_of(value)
    if kind in ("integer", "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(ValidationError(path, f"{value} is less than the minimum {schema['minimum']}"))
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(ValidationError(path, f"{value} is more than the maximum {schema['maximum']}"))

    if kind == "string":
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(ValidationError(path, f"shorter than {schema['minLength']} characters"))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(ValidationError(path, f"longer than {schema['maxLength']} characters"))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(ValidationError(path, f"does not match {schema['pattern']!r}"))

    if kind == "array":
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(ValidationError(path, f"fewer than {schema['minItems']} items"))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(ValidationError(path, f"more than {schema['maxItems']} items"))
        if "items" in schema:
            for i, item in enumerate(value):
                _validate(item, schema["items"], f"{path}[{i}]", errors)

    if kind == "object":
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append(ValidationError(path, f"missing required property {name!r}"))
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            child = f"{path}.{name}"
            if name in properties:
                _validate(item, properties[name], child, errors)
            elif extra is False:
                errors.append(ValidationError(child, "additional property not allowed"))
            elif isinstance(extra, dict):
                _validate(item, extra, child, errors)


def validate(instance: Any, schema: dict) -> list[ValidationError]:
    """All problems of ``instance`` against ``schema``; raises SchemaError for a bad schema."""
    check_schema(schema)
    errors: list[ValidationError] = []
    _validate(instance, schema, "$", errors)
    return errors


def is_valid(instance: Any, schema: dict) -> bool:
    return not validate(instance, schema)


def format_errors(errors: list[ValidationError]) -> str:
    """One error per line, sorted by path."""
    return "\n".join(str(e) for e in sorted(errors, key=lambda e: (e.path, e.message)))


def assert_valid(instance: Any, schema: dict) -> None:
    """Raise ValueError listing every problem if ``instance`` is not valid."""
    errors = validate(instance, schema)
    if errors:
        raise ValueError("invalid document:\n" + format_errors(errors))


def apply_defaults(instance: Any, schema: dict) -> Any:
    """A copy of ``instance`` with "default" values filled in for missing properties.

    Only objects are filled (recursively through properties and array items); the
    input is not modified.
    """
    if isinstance(instance, dict):
        result = dict(instance)
        for name, sub in schema.get("properties", {}).items():
            if name not in result and "default" in sub:
                result[name] = sub["default"]
            if name in result:
                result[name] = apply_defaults(result[name], sub)
        return result
    if isinstance(instance, list) and "items" in schema:
        return [apply_defaults(item, schema["items"]) for item in instance]
    return instance
