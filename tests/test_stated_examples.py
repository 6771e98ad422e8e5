"""The examples a plan writes as code, read without the model (desktop/core/stated_examples.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from desktop.core.plan_spec import MAX_EXAMPLES, PlanSpec
from desktop.core.reflection_examples import checks_for, codebase_names, plan_checks
from desktop.core.stated_examples import MAX_CANDIDATES, stated_checks

FILES = {
    "finder.py": "def find(search_list, value):\n    pass\n",
    "shapes.py": "class Box:\n    def area(self, w):\n        pass\n\ndef scale(xs, k):\n    pass\n",
}


def checks(plan: str, files=FILES) -> list[str]:
    return stated_checks(plan, files, examples=PlanSpec.from_text(plan).examples)


@pytest.mark.parametrize("line", [
    "find([1, 2], 2) == 1",
    "find([1, 2], 2) ➞ 1",
    "find([1, 2], 2) => 1",
    "find([1, 2], 2) -> 1",
    "`find([1, 2], 2)` gives `1`.",
    "For example find([1, 2], 2) returns 1, since 2 is at index 1.",
    "find([1, 2], 2)\n1",
    ">>> find([1, 2], 2)\n1",
    ">>> find([1, 2], 2) == 1",
])
def test_a_call_with_literal_arguments_then_its_value(line):
    assert checks(f"# Find\n\n{line}\n") == ["assert find([1, 2], 2) == 1"]


def test_values_as_other_languages_write_them_and_negative_numbers():
    assert checks("find([], 1) => -1\nfind([4], 4) == null\n") == ["assert find([], 1) == -1",
                                                                   "assert find([4], 4) == None"]
    assert checks("find([3], 3) => true\nfind([], 3) => false\n") == ["assert find([3], 3) == True",
                                                                      "assert find([], 3) == False"]


def test_parameters_set_by_name_then_the_value():
    plan = "Example 1:\n    Input: xs = [-3, 4], k = 2\n    Output: [-6, 8]\n\nFor xs = [1], k = 0 the result is [0].\n"
    assert checks(plan) == ["assert scale([-3, 4], 2) == [-6, 8]", "assert scale([1], 0) == [0]"]
    # Not every parameter, or not in order: no call can be written from it.
    assert checks("Input: k = 2, xs = [1]\nOutput: [2]\n") == []
    assert checks("Input: xs = [1]\nOutput: [2]\n") == []


def test_the_plans_own_assert_lines():
    plan = "Your code should pass these tests:\nassert set(find((3, 4), 4)) == set((1,))\n    assert find([], 0)==-1\n"
    assert sorted(checks(plan)) == ["assert find([], 0) == -1", "assert set(find((3, 4), 4)) == set((1,))"]


def test_a_float_is_held_to_the_precision_it_is_written_with(tmp_path):
    [line] = checks("scale([1], 2) is about 0.67\n", files={"m.py": "def scale(xs, k):\n    pass\n"})
    assert line == "assert abs(scale([1], 2) - 0.67) <= 0.005"
    (tmp_path / "m.py").write_text("def scale(xs, k):\n    return 2 / 3\n")
    code = checks_for(line, {"scale": "m"})
    assert subprocess.run([sys.executable, "-c", code], cwd=tmp_path).returncode == 0
    (tmp_path / "m.py").write_text("def scale(xs, k):\n    return 0.7\n")
    assert subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True).returncode != 0


@pytest.mark.parametrize("plan", [
    "find([1, 2], 2) != 0",  # another comparison
    "find([1, 2], 2) < 3",
    "find([1, 2], 2) ≈ 1",
    "find([1, 2], 2) == 2 * 1",  # the value goes on as an expression
    "find([1, 2], 2) == [1, 2].index(2)",
    "round(find([1, 2], 2), 2)\n1",  # the call is an argument of something else
    "find([1, 2], 2)\n\nThe list has 2 items.",  # a blank line between
    "`find([1, 2], 2)`: `index == 1`",  # says what `index` is, not the call
    "find(xs, 2) == 1",  # an argument that is not a literal
    "def find(search_list, value) -> 1",  # a signature
    "len([1, 2]) == 2",  # not a function of the codebase
    "area(3) == 9",  # a method: the checks cannot call it alone
    'find(["a"], "a") == ""a"',  # a slip in the plan: the value runs on into a word
])
def test_what_is_not_taken_as_an_example(plan):
    assert checks(plan + "\n") == []


def test_a_call_given_two_values_is_left_out_and_a_value_of_another_kind_too():
    assert checks("find([1], 1) == 0\nfind([1], 1) == 1\n") == []
    plan = 'scale([1], 2) == (2,)\nscale([2], 2) == (4,)\nscale([3], 1) == "three"\nscale([], 1) == None\n'
    assert checks(plan) == ["assert scale([1], 2) == (2,)", "assert scale([2], 2) == (4,)",
                            "assert scale([], 1) == None"]


def test_a_plan_that_ends_mid_example_or_is_a_megabyte_of_calls_gives_none():
    assert checks("Input: xs = [1], k =") == [] and checks("Input: xs =") == []
    assert checks("scale([1, 2], " * 70_000) == []  # read up to MAX_CANDIDATES calls, not all
    # A plan of thousands of assert lines gives the first MAX_CANDIDATES of them, and a line
    # that calls none of the codebase's functions is not parsed at all.
    many = "".join(f"assert scale([{i}], 1) == [{i}]\n" for i in range(MAX_CANDIDATES + 100))
    assert len(checks(many)) == MAX_CANDIDATES
    assert checks("assert other(1) == 2\n" * 50_000) == []


def test_a_plan_of_thousands_of_doctests_reads_the_first_max_examples():
    # Parsing them all took tens of seconds for a plan near the 1 MB cap; the first ones are kept.
    session = "".join(f">>> scale([{i}], 1)\n[{i}]\n" for i in range(60_000))
    spec = PlanSpec.from_text("Implement `scale(xs, k)`.\n\n" + session)
    assert len(spec.examples) == MAX_EXAMPLES and spec.examples[0].source == "scale([0], 1)\n"
    assert spec.examples[-1].want == f"[{MAX_EXAMPLES - 1}]\n"
    assert "scale" in spec.identifiers


def test_a_codebase_without_functions_gives_none():
    assert checks("find([1], 1) == 0\n", files={"README.md": "find([1], 1) == 0"}) == []


def test_plan_checks_keeps_the_stated_examples_the_model_did_not_quote():
    plan = "scale([1], 2) is about 0.67\n"
    stated = checks(plan, files={"m.py": "def scale(xs, k):\n    pass\n"})
    block = "from m import scale\nassert abs(scale([1], 2) - 0.67) <= 0.005\nassert scale([5], 1) == 5"
    assert plan_checks(block, plan) == ("", 2)  # neither quotes the plan as `call == value`
    assert plan_checks(block, plan, stated=stated) == (
        "from m import scale\nassert abs(scale([1], 2) - 0.67) <= 0.005", 1)


def test_stated_examples_import_what_they_call():
    [line] = checks("find([1], 1) == 0\n")
    assert checks_for(line, codebase_names(FILES)) == "from finder import find\nassert find([1], 1) == 0"
