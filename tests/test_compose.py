"""Repairs and follow-ups edit the files as earlier answers left them."""

from __future__ import annotations

from desktop.core.compose import compose_answers

ORIGINAL = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"


def block(path: str, search: str, replace: str) -> str:
    return f"{path}\n```python\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"


def test_repair_fixes_only_the_failed_block(tmp_path):
    (tmp_path / "calc.py").write_text(ORIGINAL, newline="\r\n")
    first = block("calc.py", "    return a + b\n", "    return int(a) + int(b)\n") + block(
        "calc.py", "def mul(a, b):\n", "def mul(a, b, c):\n"
    )
    repair = block("calc.py", "    return int(a) + int(b)\n", "    return int(a) + int(b)  # ints\n") + block(
        "calc.py", "    return a - b\n", "    return a - b\n\n\ndef mul(a, b):\n    return a * b\n"
    )
    one = compose_answers([first], root=tmp_path)
    assert one.changes[0].problems  # the mul block did not match
    both = compose_answers([first, repair], root=tmp_path)
    (change,) = both.changes
    assert change.problems == []
    assert "int(a) + int(b)  # ints" in change.new_text and "def mul(a, b):" in change.new_text
    assert change.old_text == ORIGINAL  # still diffs against the disk
    assert change.eol == "\r\n"
    assert both.problems_report().strip() == ""


def test_followup_adds_a_new_file_and_keeps_earlier_changes(tmp_path):
    (tmp_path / "calc.py").write_text(ORIGINAL)
    first = block("calc.py", "    return a + b\n", "    return a + b + 0\n")
    new_file = "util.py\n```python\n<<<<<<< SEARCH\n=======\nX = 1\n>>>>>>> REPLACE\n```\n"
    cs = compose_answers([first, new_file], root=tmp_path)
    kinds = {c.path: c.kind for c in cs.changes}
    assert kinds == {"calc.py": "modify", "util.py": "new"}


def test_a_failed_repair_keeps_what_worked_and_reports_the_failure(tmp_path):
    (tmp_path / "calc.py").write_text(ORIGINAL)
    first = block("calc.py", "    return a + b\n", "    return b + a\n")
    bad = block("calc.py", "no such line\n", "x\n")
    cs = compose_answers([first, bad], root=tmp_path)
    (change,) = cs.changes
    assert change.kind == "modify" and "return b + a" in change.new_text
    assert change.problems and "no such line" in cs.problems_report()


def test_hostile_path_in_a_repair_is_refused(tmp_path):
    (tmp_path / "calc.py").write_text(ORIGINAL)
    first = block("calc.py", "    return a + b\n", "    return b + a\n")
    evil = "../../etc/passwd\n```\n<<<<<<< SEARCH\n=======\nroot::0:0\n>>>>>>> REPLACE\n```\n"
    cs = compose_answers([first, evil], root=tmp_path)
    rejected = [c for c in cs.changes if c.kind == "rejected"]
    assert rejected and "leaves the codebase" in rejected[0].problems[0]


def test_example_path_is_mended_to_the_only_file_of_that_name(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "calc.py").write_text(ORIGINAL)
    answer = block("src/shop/calc.py", "    return a + b\n", "    return b + a\n")
    cs = compose_answers([answer], root=tmp_path, files=["pkg/calc.py"])
    (change,) = cs.changes
    assert change.path == "pkg/calc.py" and change.kind == "modify"
    assert any("src/shop/calc.py does not exist" in n for n in change.notes)


def test_ambiguous_file_name_is_not_guessed(tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "calc.py").write_text(ORIGINAL)
    answer = block("src/calc.py", "    return a + b\n", "    return b + a\n")
    cs = compose_answers([answer], root=tmp_path, files=["a/calc.py", "b/calc.py"])
    assert cs.changes[0].kind == "rejected"


def test_new_code_repeated_in_search_and_replace_is_appended(tmp_path):
    (tmp_path / "calc.py").write_text(ORIGINAL)
    code = "def mul(a, b):\n    return a * b\n"
    cs = compose_answers([block("calc.py", code, code)], root=tmp_path)
    (change,) = cs.changes
    assert change.kind == "modify" and change.new_text.endswith(code)
    assert change.new_text.startswith(ORIGINAL.rstrip("\n"))
    assert any("added at the end" in n for n in change.notes)


def test_a_repeated_fragment_is_not_appended(tmp_path):
    (tmp_path / "calc.py").write_text(ORIGINAL)
    fragment = "def mul(a, b):\n"
    cs = compose_answers([block("calc.py", fragment, fragment)], root=tmp_path)
    assert cs.changes[0].kind == "rejected"


def test_indented_new_function_is_dedented_when_the_file_has_no_class(tmp_path):
    (tmp_path / "calc.py").write_text(ORIGINAL)
    code = "    def mul(a, b):\n        return a * b\n"
    cs = compose_answers([block("calc.py", code, code)], root=tmp_path)
    assert cs.changes[0].new_text.endswith("def mul(a, b):\n    return a * b\n")
    (tmp_path / "calc.py").write_text(ORIGINAL + "\n\nclass Box:\n    pass\n")
    assert compose_answers([block("calc.py", code, code)], root=tmp_path).changes[0].kind == "rejected"
