from datetime import date

from reports.export import export_rows, header_line, to_csv_line


def test_separator_in_cell_is_quoted():
    assert to_csv_line(["Smith, John", 3, 12.5]) == '"Smith, John",3,12.50'


def test_double_quotes_are_doubled():
    assert to_csv_line(['say "hi"', "ok"]) == '"say ""hi""",ok'


def test_line_break_is_quoted():
    assert to_csv_line(["first line\nsecond line", 1]) == '"first line\nsecond line",1'


def test_other_separator():
    assert to_csv_line(["a,b", "c;d", 2.0], sep=";") == 'a,b;"c;d";2.00'


def test_header_and_export_pick_it_up():
    rows = [{"name": "Smith, John", "joined": date(2024, 1, 5), "vip": True},
            {"name": "Lee", "joined": None, "vip": False}]
    out = export_rows(rows, ["name", "joined", "vip"], labels={"joined": "Joined, on"})
    assert out == ('name,"Joined, on",vip\n'
                   '"Smith, John",2024-01-05,yes\n'
                   'Lee,,no\n')
    assert header_line(["a", "b"], {"b": 'the "b"'}) == 'a,"the ""b"""'


def test_plain_cells_unchanged():
    assert to_csv_line(["Lee", 3, 4.5, None, True, date(2024, 2, 29)]) == "Lee,3,4.50,,yes,2024-02-29"
    assert to_csv_line(["x y", "it's"], sep=";") == "x y;it's"
