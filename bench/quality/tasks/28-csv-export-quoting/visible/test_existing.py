"""Existing behaviour's tests for the CSV export (cell formatting, lines, documents, totals)."""

from datetime import date, datetime

from reports.export import export_rows, format_cell, header_line, to_csv_line, totals_row


def test_format_cell():
    assert format_cell(None) == ""
    assert format_cell(True) == "yes"
    assert format_cell(False) == "no"
    assert format_cell(3.14159) == "3.14"
    assert format_cell(2.0) == "2.00"
    assert format_cell(42) == "42"
    assert format_cell(date(2024, 3, 5)) == "2024-03-05"
    assert format_cell(datetime(2024, 3, 5, 14, 7, 59)) == "2024-03-05 14:07"
    assert format_cell("  Smith  ") == "Smith"


def test_to_csv_line_plain_cells_are_not_quoted():
    assert to_csv_line(["Acme", 12, 3.5, None, True, date(2024, 1, 2)]) == "Acme,12,3.50,,yes,2024-01-02"
    assert to_csv_line([]) == ""
    assert to_csv_line(["a", "b"], sep=";") == "a;b"


def test_comma_is_plain_text_with_semicolon_separator():
    assert to_csv_line(["Smith, John", 1.5], sep=";") == "Smith, John;1.50"


def test_header_line_uses_labels_or_column_names():
    assert header_line(["name", "total"]) == "name,total"
    assert header_line(["name", "total"], {"total": "Total (EUR)"}) == "name,Total (EUR)"
    assert header_line(["name", "total"], sep=";") == "name;total"


def test_export_rows_document():
    rows = [
        {"name": "Acme", "total": 120.5, "vip": True},
        {"name": "Globex", "total": None, "vip": False, "ignored": "x"},
    ]
    text = export_rows(rows, ["name", "total", "vip"], labels={"vip": "VIP"})
    assert text == "name,total,VIP\nAcme,120.50,yes\nGlobex,,no\n"
    assert export_rows([], ["a", "b"], sep=";") == "a;b\n"


def test_totals_row():
    rows = [{"name": "A", "qty": 2, "amount": 10.25}, {"name": "B", "qty": None, "amount": 4}]
    total = totals_row(rows, ["name", "qty", "amount"], ["qty", "amount"])
    assert total == {"name": "Total", "qty": 2.0, "amount": 14.25}
    assert to_csv_line(total.values()) == "Total,2.00,14.25"
