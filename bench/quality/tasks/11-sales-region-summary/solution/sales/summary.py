
"""Revenue summary per region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sales.fmt import format_cents, pad_table
from sales.models import Sale


@dataclass(frozen=True)
class RegionSummary:
    region: str
    sales: int
    units: int
    revenue_cents: int


def summarize_by_region(sales: Iterable[Sale]) -> list[RegionSummary]:
    """One summary per region, highest revenue first, ties by region name."""
    totals: dict[str, list[int]] = {}
    for sale in sales:
        entry = totals.setdefault(sale.region, [0, 0, 0])
        entry[0] += 1
        entry[1] += sale.units
        entry[2] += sale.total_cents
    summaries = [RegionSummary(region, n, units, cents) for region, (n, units, cents) in totals.items()]
    return sorted(summaries, key=lambda s: (-s.revenue_cents, s.region))


def format_summary(summaries: list[RegionSummary]) -> str:
    """A text table of the summaries followed by a TOTAL line."""
    rows = [[s.region, str(s.sales), str(s.units), format_cents(s.revenue_cents)] for s in summaries]
    table = pad_table(rows, headers=["Region", "Sales", "Units", "Revenue"], align="lrrr")
    total = sum(s.revenue_cents for s in summaries)
    return table + "\nTOTAL " + format_cents(total)
