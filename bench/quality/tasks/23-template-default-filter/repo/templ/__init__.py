"""A very small text template engine."""

from templ.engine import FILTERS, Template, TemplateError, UndefinedError, render

__all__ = ["FILTERS", "Template", "TemplateError", "UndefinedError", "render"]
