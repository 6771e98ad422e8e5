"""Early exits an answer added, and the answer without each (desktop/core/early_exits.py)."""

from __future__ import annotations

import ast

from desktop.core.early_exits import without_early_exits

OLD = "def fly(q, w):\n    if not q:\n        return False\n    pass\n"
NEW = """def fly(q, w):
    if not q:
        return False
    if len(q) != len(w):
        return False
    if sum(q) > w: return False  # too heavy
    if q == q[::-1]:
        raise ValueError("odd")
    else:
        pass
    for x in q:
        if x < 0:
            return False
    return True
"""


def test_each_exit_the_answer_added_is_left_out_on_its_own_and_the_codebases_own_stays():
    found = without_early_exits(NEW, OLD)
    # `if not q` is the file's own line; the `if ... else` is no early exit; the exit inside the
    # loop is the loop's only statement, so leaving it out would leave the block empty.
    assert [(v.line, v.source) for v in found] == [
        (4, "if len(q) != len(w):"), (6, "if sum(q) > w: return False  # too heavy")]
    first, second = (v.text for v in found)
    assert "len(w)" not in first and first.count("\n") == NEW.count("\n") - 2
    assert "sum(q)" not in second and "# too heavy" not in second
    for text in (first, second):
        ast.parse(text)
        assert "if not q:" in text and "for x in q:" in text


def test_nothing_is_tried_on_code_that_does_not_parse_or_outside_functions_or_past_the_limit():
    assert without_early_exits("def f(:\n    pass\n") == []
    assert without_early_exits("import sys\nif sys.argv:\n    raise SystemExit\nx = 1\n") == []
    on_one_line = "def f(x):\n    if x: return 1; y = 2\n    return 0\n"
    assert without_early_exits(on_one_line) == []  # the line holds another statement too
    many = "def f(x):\n" + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(5)) + "    return -1\n"
    assert [v.line for v in without_early_exits(many, limit=3)] == [2, 4, 6]
    assert len(without_early_exits(many)) == 5
