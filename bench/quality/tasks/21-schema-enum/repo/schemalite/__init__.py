"""A small subset of JSON Schema for validating configuration documents."""

from schemalite.errors import SchemaError, ValidationError
from schemalite.validator import is_valid, validate

__all__ = ["SchemaError", "ValidationError", "is_valid", "validate"]
