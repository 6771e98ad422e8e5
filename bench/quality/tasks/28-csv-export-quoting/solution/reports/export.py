"""Turn report rows into CSV text for download.

Rows are dicts; ``columns`` says which keys go out and in what order. Values are formatted
the way the accountants asked for: money and other floats with two decimals, dates as
ISO dates, booleans as yes/no and missing values as empty cells.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable, Mapping, Sequence


def format_cell(value) -> str:
    """One value as the text of a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def to_csv_line(values: Iterable, sep: str = ",") -> str:
    """One CSV line (no line ending) from a row of values.

    A cell holding the separator, a double quote or a line break is wrapped in double
    quotes, with its double quotes doubled; other cells are left as they are.
    """
    cells = []
    for v in values:
        text = format_cell(v)
        if sep in text or '"' in text or "\n" in text or "\r" in text:
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    return sep.join(cells)


def header_line(columns: Sequence[str], labels: Mapping[str, str] | None = None, sep: str = ",") -> str:
    """The header line: each column's label, or the column name itself."""
    labels = labels or {}
    return to_csv_line((labels.get(c, c) for c in columns), sep)


def export_rows(
    rows: Iterable[Mapping],
    columns: Sequence[str],
    *,
    labels: Mapping[str, str] | None = None,
    sep: str = ",",
) -> str:
    """The whole CSV document: header, one line per row, each line ended by a newline."""
    lines = [header_line(columns, labels, sep)]
    for row in rows:
        lines.append(to_csv_line((row.get(c) for c in columns), sep))
    return "\n".join(lines) + "\n"


def totals_row(rows: Sequence[Mapping], columns: Sequence[str], sum_columns: Sequence[str]) -> dict:
    """A row with 'Total' in the first column and the sums of ``sum_columns``."""
    out: dict = {c: None for c in columns}
    out[columns[0]] = "Total"
    for c in sum_columns:
        out[c] = float(sum(row.get(c) or 0 for row in rows))
    return out
