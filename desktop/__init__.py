"""Plansmith: turn a pre-approved feature plan into code with a local model."""

__version__ = "0.1.0"
