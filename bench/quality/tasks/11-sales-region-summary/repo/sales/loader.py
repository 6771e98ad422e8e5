"""Load sales from the CSV export of the till system.

Columns: day,region,product,units,unit_price   (unit_price like 12.50)
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from sales.models import Sale

COLUMNS = ("day", "region", "product", "units", "unit_price")


class LoadError(ValueError):
    """A row of the export is malformed; the message names the row number."""


def _price_to_cents(raw: str, row: int) -> int:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise LoadError(f"row {row}: bad price {raw!r}") from None
    if value < 0:
        raise LoadError(f"row {row}: negative price")
    return int((value * 100).to_integral_value())


def load_sales(text: str) -> list[Sale]:
    """Parse the CSV text (with header). Region names are stripped and upper-cased."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or tuple(f.strip() for f in reader.fieldnames) != COLUMNS:
        raise LoadError(f"expected header {','.join(COLUMNS)}")
    sales = []
    for row_number, row in enumerate(reader, start=2):
        try:
            day = date.fromisoformat(row["day"].strip())
            units = int(row["units"])
        except (ValueError, AttributeError):
            raise LoadError(f"row {row_number}: bad day or units") from None
        if units < 0:
            raise LoadError(f"row {row_number}: negative units")
        sales.append(
            Sale(
                day=day,
                region=row["region"].strip().upper(),
                product=row["product"].strip(),
                units=units,
                unit_price_cents=_price_to_cents(row["unit_price"], row_number),
            )
        )
    return sales
