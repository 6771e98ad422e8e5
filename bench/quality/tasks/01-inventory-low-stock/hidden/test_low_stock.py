from decimal import Decimal

import pytest

from inventory import Inventory, Item, UnknownItemError
from inventory.report import stock_report


def make():
    return Inventory([
        Item("B-2", "Bolt", quantity=3, unit_price=Decimal("0.10")),
        Item("A-1", "Anchor", quantity=3, unit_price=Decimal("1.00")),
        Item("C-3", "Clamp", quantity=0, unit_price=Decimal("2.50")),
        Item("D-4", "Drill", quantity=5, unit_price=Decimal("80")),
        Item("E-5", "Epoxy", quantity=6, unit_price=Decimal("7")),
        Item("F-6", "Fuse", quantity=1, unit_price=Decimal("0.5"), discontinued=True),
    ])


def skus(items):
    return [i.sku for i in items]


def test_default_threshold_sorted_by_quantity_then_sku():
    inv = make()
    assert skus(inv.low_stock()) == ["C-3", "A-1", "B-2", "D-4"]


def test_custom_threshold_and_zero():
    inv = make()
    assert skus(inv.low_stock(3)) == ["C-3", "A-1", "B-2"]
    assert skus(inv.low_stock(threshold=0)) == ["C-3"]
    assert skus(inv.low_stock(100)) == ["C-3", "A-1", "B-2", "D-4", "E-5"]


def test_discontinued_excluded_and_returns_items():
    inv = make()
    result = inv.low_stock(10)
    assert "F-6" not in skus(result)
    assert all(isinstance(i, Item) for i in result)
    assert result[0] is inv.get("C-3")


def test_negative_threshold():
    with pytest.raises(ValueError, match="^threshold must be non-negative$"):
        make().low_stock(-1)


def test_empty_and_no_side_effects():
    assert Inventory().low_stock() == []
    inv = make()
    before = inv.history()
    inv.low_stock(4)
    assert inv.history() == before
    assert inv.get("A-1").quantity == 3


def test_existing_behaviour_unchanged():
    inv = make()
    assert inv.take("A-1", 2) == 1
    assert inv.restock("A-1", 4) == 5
    with pytest.raises(UnknownItemError):
        inv.get("nope")
    assert inv.total_value() == Decimal("0.30") + Decimal("5.00") + Decimal("400") + Decimal("42") + Decimal("0.5")
    assert "TOTAL" in stock_report(inv)
