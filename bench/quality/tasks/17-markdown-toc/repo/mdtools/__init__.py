"""Helpers for Markdown documents (headings, sections, links)."""
