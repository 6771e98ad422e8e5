"""Existing tests: behaviour the inventory package already has (unchanged by the plan)."""

from decimal import Decimal

import pytest

from inventory import Inventory, InsufficientStockError, InventoryError, Item, UnknownItemError
from inventory.report import stock_report


def make_inventory():
    return Inventory([
        Item("B-2", "Bolt", quantity=10, unit_price="0.50", tags={"hardware"}),
        Item("A-1", "Anchor", quantity=0, unit_price="2.00"),
        Item("C-3", "Cable", quantity=3, unit_price="4.00", tags={"hardware", "electric"}),
    ])


def test_items_sorted_by_sku_and_container_protocol():
    inv = make_inventory()
    assert [i.sku for i in inv.items()] == ["A-1", "B-2", "C-3"]
    assert len(inv) == 3
    assert "B-2" in inv and "Z-9" not in inv
    assert [i.sku for i in inv] == ["A-1", "B-2", "C-3"]


def test_active_items_excludes_discontinued_and_does_not_record_history():
    inv = make_inventory()
    before = inv.history()
    inv.discontinue("B-2")
    assert [i.sku for i in inv.active_items()] == ["A-1", "C-3"]
    assert inv.get("B-2").discontinued is True
    assert inv.get("B-2").quantity == 10
    assert inv.history() == before


def test_find_by_tag_and_search():
    inv = make_inventory()
    assert [i.sku for i in inv.find_by_tag("hardware")] == ["B-2", "C-3"]
    assert inv.find_by_tag("nothing") == []
    assert [i.sku for i in inv.search("CAB")] == ["C-3"]
    assert [i.sku for i in inv.search("-")] == ["A-1", "B-2", "C-3"]


def test_restock_take_and_history():
    inv = make_inventory()
    assert inv.restock("A-1", 5) == 5
    assert inv.take("B-2", 4) == 6
    with pytest.raises(InsufficientStockError):
        inv.take("C-3", 4)
    with pytest.raises(ValueError):
        inv.restock("A-1", 0)
    moves = inv.history("A-1")
    assert [(m.delta, m.reason) for m in moves] == [(5, "restock")]
    assert [(m.sku, m.delta, m.reason) for m in inv.history()][-2:] == [
        ("A-1", 5, "restock"),
        ("B-2", -4, "sale"),
    ]


def test_unknown_and_duplicate_items():
    inv = make_inventory()
    with pytest.raises(UnknownItemError) as info:
        inv.get("nope")
    assert str(info.value) == "unknown item: nope"
    with pytest.raises(InventoryError):
        inv.add_item(Item("A-1", "Again"))


def test_discontinued_cannot_be_restocked():
    inv = make_inventory()
    inv.discontinue("C-3")
    with pytest.raises(InventoryError):
        inv.restock("C-3", 1)


def test_adjust_and_totals():
    inv = make_inventory()
    assert inv.adjust("B-2", 7) == -3
    assert inv.total_units() == 10
    assert inv.total_value() == Decimal("15.50")
    assert inv.value_by_tag() == {"electric": Decimal("12.00"), "hardware": Decimal("15.50")}


def test_json_round_trip():
    inv = make_inventory()
    copy = Inventory.from_json(inv.to_json())
    assert [i.to_dict() for i in copy.items()] == [i.to_dict() for i in inv.items()]
    with pytest.raises(InventoryError):
        Inventory.from_json("[]")


def test_stock_report_lists_items_and_total():
    report = stock_report(make_inventory())
    lines = report.splitlines()
    assert lines[0].startswith("SKU")
    assert lines[2].startswith("A-1")
    assert lines[-1] == "TOTAL 17.00"
