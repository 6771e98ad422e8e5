import pytest

from sales import fmt
from sales.loader import LoadError, load_sales

CSV = """day,region,product,units,unit_price
2024-03-01,north,widget,3,10.00
2024-03-01, South ,widget,1,10.00
2024-03-02,north,gadget,2,2.50
2024-03-02,east,widget,0,10.00
2024-03-03,west,gizmo,5,2.00
2024-03-03,south,gizmo,1,0.00
"""


def summary_module():
    import sales.summary as summary

    return summary


def test_summarize_by_region():
    S = summary_module()
    result = S.summarize_by_region(load_sales(CSV))
    assert [(r.region, r.sales, r.units, r.revenue_cents) for r in result] == [
        ("NORTH", 2, 5, 3500),
        ("SOUTH", 2, 2, 1000),
        ("WEST", 1, 5, 1000),
        ("EAST", 1, 0, 0),
    ]
    assert all(isinstance(r, S.RegionSummary) for r in result)


def test_summary_is_frozen_dataclass():
    S = summary_module()
    r = S.RegionSummary(region="X", sales=1, units=2, revenue_cents=3)
    with pytest.raises(Exception):
        r.sales = 5
    assert r == S.RegionSummary("X", 1, 2, 3)


def test_empty():
    S = summary_module()
    assert S.summarize_by_region([]) == []
    assert S.summarize_by_region(iter(())) == []


def test_format_summary_exact():
    S = summary_module()
    summaries = [S.RegionSummary("NORTH", 2, 5, 123456789), S.RegionSummary("EAST", 1, 0, 0)]
    expected = fmt.pad_table(
        [["NORTH", "2", "5", "1,234,567.89"], ["EAST", "1", "0", "0.00"]],
        headers=["Region", "Sales", "Units", "Revenue"],
        align="lrrr",
    ) + "\nTOTAL 1,234,567.89"
    assert S.format_summary(summaries) == expected


def test_format_summary_empty():
    S = summary_module()
    expected = fmt.pad_table([], headers=["Region", "Sales", "Units", "Revenue"], align="lrrr") + "\nTOTAL 0.00"
    assert S.format_summary([]) == expected


def test_end_to_end_lines():
    S = summary_module()
    text = S.format_summary(S.summarize_by_region(load_sales(CSV)))
    lines = text.splitlines()
    assert lines[0].split() == ["Region", "Sales", "Units", "Revenue"]
    assert lines[2].split() == ["NORTH", "2", "5", "35.00"]
    assert lines[-1] == "TOTAL 55.00"


def test_existing_behaviour_unchanged():
    assert fmt.format_cents(-5) == "-0.05"
    assert len(load_sales(CSV)) == 6
    with pytest.raises(LoadError, match="row 2"):
        load_sales("day,region,product,units,unit_price\nnope,a,b,1,1\n")
