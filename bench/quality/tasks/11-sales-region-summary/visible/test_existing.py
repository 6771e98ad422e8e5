"""Existing tests: behaviour the sales loader, models and formatting helpers already have
(unchanged by the plan)."""

from datetime import date

import pytest

from sales.fmt import format_cents, pad_table
from sales.loader import LoadError, load_sales
from sales.models import Sale

CSV = """day,region,product,units,unit_price
2024-03-01, north ,Widget,3,2.50
2024-03-02,South,Gadget,0,10
2024-03-02,north,Gizmo,1,0.99
"""


def test_load_sales_parses_rows_and_normalises_regions():
    sales = load_sales(CSV)
    assert sales[0] == Sale(date(2024, 3, 1), "NORTH", "Widget", 3, 250)
    assert [s.region for s in sales] == ["NORTH", "SOUTH", "NORTH"]
    assert [s.unit_price_cents for s in sales] == [250, 1000, 99]
    assert load_sales("day,region,product,units,unit_price\n") == []


def test_load_sales_errors_name_the_row():
    with pytest.raises(LoadError):
        load_sales("day,region,product\n2024-01-01,x,y\n")
    with pytest.raises(LoadError) as info:
        load_sales("day,region,product,units,unit_price\n2024-01-01,x,y,-1,1\n")
    assert str(info.value) == "row 2: negative units"
    with pytest.raises(LoadError) as info:
        load_sales("day,region,product,units,unit_price\n2024-01-01,x,y,1,1\n2024-01-01,x,y,1,abc\n")
    assert str(info.value) == "row 3: bad price 'abc'"


def test_sale_total_cents_and_immutability():
    sale = Sale(date(2024, 1, 1), "EAST", "Thing", 4, 125)
    assert sale.total_cents == 500
    assert Sale(date(2024, 1, 1), "EAST", "Thing", 0, 125).total_cents == 0
    with pytest.raises(AttributeError):
        sale.units = 5


def test_format_cents():
    assert format_cents(12345) == "123.45"
    assert format_cents(123456789) == "1,234,567.89"
    assert format_cents(-5) == "-0.05"
    assert format_cents(0) == "0.00"


def test_pad_table_layout():
    table = pad_table([["NORTH", "849"], ["SOUTH", "0"]], headers=["Region", "Revenue"], align="lr")
    assert table == "\n".join([
        "Region  Revenue",
        "------  -------",
        "NORTH       849",
        "SOUTH         0",
    ])


def test_pad_table_without_rows_and_errors():
    assert pad_table([], headers=["A", "Bb"], align="lr") == "A  Bb\n-  --"
    with pytest.raises(ValueError):
        pad_table([], headers=["A"], align="lr")
    with pytest.raises(ValueError):
        pad_table([["x", "y"]], headers=["A"], align="l")
