"""Steering Phase 2 from the code alone: stubs are targets, copies are line-for-line reproductions."""

from __future__ import annotations

from desktop.core.plan_spec import PlanSpec
from desktop.core.py_facts import ModuleFacts
from desktop.core.steer import Steer
from desktop.core.strategy import PlainStrategy, SmallModelStrategy, choose_strategy

STUB = '''from typing import List


def helper(x: int) -> int:
    return x + 1


def find(search_list: List[int], value: int) -> int:
    pass
'''

BIG = '''class Store:
    def add(self, item):
        self.items.append(item)
        self.count += 1
        return item

    def total(self):
        raise NotImplementedError


def load(path):
    with open(path) as f:
        return f.read().splitlines()
'''


def test_stub_bodies_of_every_kind_are_found_and_designed_empty_methods_are_not():
    facts = ModuleFacts(
        "import abc\n"
        "def a():\n    pass\n"
        "def b():\n    ...\n"
        "def c():\n    raise NotImplementedError('later')\n"
        "def d():\n    '''Only a docstring.'''\n"
        "def e():\n    return 1\n"
        "class P(abc.ABC):\n    @abc.abstractmethod\n    def f(self):\n        pass\n"
    )
    assert [d.name for d in facts.stubs] == ["a", "b", "c", "d"]


def test_a_stub_is_a_target_whatever_the_plan_says_and_the_opening_writes_up_to_its_body():
    # A plan that never says "update": the stub is still the target.
    spec = PlanSpec.from_text("# Implement `find` in `find.py`\n\nReturn the index of value.\n")
    steer = Steer(spec, {"find.py": STUB}, whole={"find.py"})
    assert [(t.name, t.path) for t in steer.targets] == [("find", "find.py")]
    opening = steer.opening()
    assert opening.startswith("find.py\n```python\nfrom typing import List\n")
    assert opening.endswith("def find(search_list: List[int], value: int) -> int:\n")

def test_a_file_written_whole_opens_at_its_first_stub_so_no_placeholder_body_is_prefilled():
    # The plan names only the second stub, which stays the first target; the opening still
    # stops at the first stub's body (taken further it would show `valid`'s `pass`, and the
    # model went on copying every stub's `pass`).
    stubs = "def valid(sides):\n    pass\n\n\ndef equilateral(sides):\n    pass\n"
    steer = Steer(PlanSpec.from_text("Write `equilateral(sides)`."), {"triangle.py": stubs}, whole={"triangle.py"})
    assert steer.targets[0].name == "equilateral"
    assert steer.opening() == "triangle.py\n```python\ndef valid(sides):\n"


def test_a_constant_left_none_above_the_stub_is_left_for_the_answer_to_give_a_value():
    # As Exercism's yacht and sublist stubs: "Change the values as you see fit", then the function.
    stub = ('"""Scores."""\n\n# Score categories.\n# Change the values as you see fit.\nYACHT = None\nONES = None\n'
            '_cache = None\n\n\ndef score(dice, category):\n    pass\n')
    steer = Steer(PlanSpec.from_text("# Implement `yacht.py`\n"), {"yacht.py": stub}, whole={"yacht.py"})
    assert steer.opening() == 'yacht.py\n```python\n"""Scores."""\n\n# Score categories.\n# Change the values as you see fit.\n'
    assert ModuleFacts(stub).placeholders == [("YACHT", 5), ("ONES", 6)]  # a lower-case name is a variable
    # Constants with values, or one set to None below the stub, change nothing.
    valued = stub.replace("YACHT = None", "YACHT = 12").replace("ONES = None", "ONES = 1")
    assert Steer(PlanSpec.from_text("x"), {"yacht.py": valued}, whole={"yacht.py"}).opening().endswith(
        "def score(dice, category):\n")
    below = "def score(dice, category):\n    pass\n\n\nYACHT = None\n"
    assert Steer(PlanSpec.from_text("x"), {"yacht.py": below}, whole={"yacht.py"}).opening() == (
        "yacht.py\n```python\ndef score(dice, category):\n")


def test_in_a_file_changed_by_definitions_the_opening_is_the_stub_under_its_class():
    steer = Steer(PlanSpec.from_text("Totals for the store."), {"shop.py": BIG})
    assert steer.opening() == "shop.py\n```python\nclass Store:\n    def total(self):\n"


def test_a_complete_line_for_line_copy_is_cut_while_a_target_is_unwritten():
    steer = Steer(PlanSpec.from_text("Totals."), {"shop.py": BIG})
    copying = "shop.py\n```python\nclass Store:\n" + BIG.split("\n\n")[0].split("\n", 1)[1] + "\n"
    cut = steer.copy_start(copying)
    assert cut is not None and cut.name == "add"
    new, more = steer.redirect(copying, cut, written="")
    assert more and new.endswith("class Store:\n    def total(self):\n")
    # A changed `add` (its last line differs) is not a copy.
    changed = copying.replace("        return item\n", "        return None\n")
    assert steer.copy_start(changed) is None
    # Once every target is written, a copy is left alone.
    done = "shop.py\n```python\nclass Store:\n    def total(self):\n        return 0\n```\n"
    assert steer.copy_start(copying, written=done) is None


def test_files_written_whole_are_never_cut():
    steer = Steer(PlanSpec.from_text("Totals."), {"shop.py": BIG}, whole={"shop.py"})
    copying = "shop.py\n```python\n" + BIG
    assert steer.copy_start(copying) is None


def test_a_turn_without_a_code_block_goes_on_in_one_with_the_small_model_strategy():
    steer = Steer(PlanSpec.from_text("Implement `find`."), {"find.py": STUB}, whole={"find.py"})
    small = choose_strategy("auto", supports_prefill=True, steer=steer)
    assert isinstance(small, SmallModelStrategy)
    assert small.continuation("I would loop over the list.", after=0) == "\n\nfind.py\n```python\n"
    assert small.continuation("find.py\n```python\nx = 1\n```\n", after=0) == ""
    plain = choose_strategy("auto", supports_prefill=False, steer=steer)
    assert type(plain) is PlainStrategy and plain.opening() == ""


def test_planned_signatures_that_no_file_has_are_targets_in_the_file_named_before_them():
    spec = PlanSpec.from_text("In `shop.py` add `def discount(self, rate: float) -> float` to the store.")
    steer = Steer(spec, {"shop.py": BIG})
    assert [(t.name, t.owner) for t in steer.targets] == [("total", "Store"), ("discount", "Store")]


def test_plan_spec_reads_doctest_examples_and_their_names():
    spec = PlanSpec.from_text("Add.\n\n>>> add(2, 3)\n5\n")
    assert [(e.source.strip(), e.want.strip()) for e in spec.examples] == [("add(2, 3)", "5")]
    assert "add" in spec.identifiers


TRIANGLE = "def valid(sides):\n    pass\n\n\ndef equilateral(sides):\n    pass\n"


def test_a_whole_file_block_closed_without_a_stub_goes_on_at_that_stub():
    steer = Steer(PlanSpec.from_text("Triangles."), {"triangle.py": TRIANGLE}, whole={"triangle.py"})
    answer = ("triangle.py\n```python\ndef valid(sides):\n    return min(sides) > 0\n\n\n"
              "class Triangle:\n    def __init__(self, sides):\n        self.sides = sides\n```\nThat is all.\n")
    reopened, target = steer.reopen(answer)
    assert target.name == "equilateral"
    assert reopened.endswith("        self.sides = sides\n\n\ndef equilateral(sides):\n")
    # Written now (or in an earlier turn): nothing to reopen; nor an open block or another file.
    assert steer.reopen(reopened + "    return len(set(sides)) == 1\n```\n") is None
    assert steer.reopen(answer, written="triangle.py\n```python\ndef equilateral(sides):\n    return 1\n```\n") is None
    # An earlier turn that wrote it as a stub again did not write it.
    assert steer.reopen(answer, written="triangle.py\n```python\n" + TRIANGLE + "```\n") is not None
    assert steer.reopen(answer[: answer.index("```\nThat")]) is None
    assert steer.reopen(answer + "\nmain.py\n```python\nprint(1)\n```\n") is None  # a new file's block
    assert Steer(PlanSpec.from_text("x"), {"triangle.py": TRIANGLE}).reopen(answer) is None  # by definitions


def test_a_method_is_reopened_only_inside_its_class():
    matrix = "class Matrix:\n    def __init__(self, text):\n        pass\n\n    def row(self, i):\n        pass\n"
    steer = Steer(PlanSpec.from_text("Rows."), {"matrix.py": matrix}, whole={"matrix.py"})
    inside = "matrix.py\n```python\nclass Matrix:\n    def __init__(self, text):\n        self.rows = text\n```\n"
    reopened, target = steer.reopen(inside)
    assert (target.owner, target.name) == ("Matrix", "row")
    assert reopened.endswith("        self.rows = text\n\n    def row(self, i):\n")
    after_class = inside.replace("```\n", "\n\ndef helper():\n    return 1\n```\n")
    assert steer.reopen(after_class) is None


def test_a_repair_starts_at_a_stub_the_answers_left_in_a_file_written_whole():
    stub = "PAIR = None\n\n\ndef score(dice, category):\n    pass\n"
    steer = Steer(PlanSpec.from_text("Scores."), {"dice.py": stub}, whole={"dice.py"})
    left = ("PAIR = 2\n\n\ndef score(dice, category):\n    pass\n\n\n"
            "class Dice:\n    def score(self, category):\n        return 0\n")
    assert steer.repair_opening({"dice.py": left}) == "dice.py\n```python\nPAIR = 2\n\n\ndef score(dice, category):\n"
    assert steer.repair_opening({}) == "dice.py\n```python\n"  # unchanged: above the constant left None
    done = left.replace("    pass\n", "    return sum(dice)\n", 1)
    assert steer.repair_opening({"dice.py": done}) == ""
    assert Steer(PlanSpec.from_text("x"), {"dice.py": stub}).repair_opening({"dice.py": left}) == ""  # by definitions
