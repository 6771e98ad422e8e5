"""Text formatting helpers for reports."""

from __future__ import annotations


def format_cents(cents: int) -> str:
    """12345 -> '123.45'; 123456789 -> '1,234,567.89'; -5 -> '-0.05'."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{frac:02d}"


def pad_table(rows: list[list[str]], headers: list[str], align: str) -> str:
    """A plain-text table. ``align`` has one letter per column: 'l' left, 'r' right.

    Columns are separated by two spaces; a line of dashes follows the header; no
    trailing spaces.
    """
    if len(align) != len(headers):
        raise ValueError("align needs one letter per column")
    widths = [len(h) for h in headers]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError("every row needs one cell per column")
        widths = [max(w, len(cell)) for w, cell in zip(widths, row)]

    def line(cells: list[str]) -> str:
        parts = [c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(cells, widths, align)]
        return "  ".join(parts).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in rows)
    return "\n".join(out)
