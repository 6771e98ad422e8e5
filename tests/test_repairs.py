"""Repair turns: what a run asks again, and when it stops asking. Real Run and parser; the
model's answers replayed."""

from __future__ import annotations

from desktop.core.codebase import scan_codebase
from desktop.core.pipeline import RunOptions, Run
from desktop.core.plan import plan_from_text
from desktop.core.prompts import Prompts
from desktop.llm.replay_engine import ReplayEngine

REFLECTION = "## Analysis\nUse `calc.py`.\n\n## TODO\n1. calc.py: write `add` and `sub`.\n"
HALF = "calc.py\n```python\ndef add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    pass\n```\n"


def test_a_repair_that_writes_the_same_code_again_is_not_asked_for_again(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "calc.py").write_text("def add(a, b):\n    pass\n\n\ndef sub(a, b):\n    pass\n")
    plan = plan_from_text("# Calculator\n\nWrite `add(a, b)` and `sub(a, b)` in `calc.py`.\n")
    engine = ReplayEngine([REFLECTION, HALF, HALF, HALF, HALF, HALF])
    run = Run(plan=plan, codebase=scan_codebase(repo), engine=engine, prompts=Prompts.load(),
              options=RunOptions(max_repairs=4, check_examples=False, scratch_dir=str(tmp_path / "scratch")))
    run.prepare()
    run.reflect()
    changeset = run.implement()
    assert [t.kind for t in run.turns] == ["reflection", "implementation", "repair"]  # not 4 repairs
    assert "`sub` still has no implementation" in run.turns[1].problems
    assert "return a + b" in changeset.get("calc.py").new_text


QUEEN_PLAN = ("# Implement `queen.py`\n\nA queen on a chess board.\n\n"
              "```python\n# if the row is negative\nraise ValueError(\"row not positive\")\n\n"
              "# if the row is past the board\nraise ValueError(\"row not on board\")\n\nQueen(2, color=\"white\")\n```\n\n"
              "The old code said `raise ValueError(\"bad queen\")`.\n")
QUEEN_STUB = ("class Queen:\n    def __init__(self, row):\n        pass\n\n    def can_attack(self, other):\n        pass\n\n\n"
              "def check(row):\n    if row > 99:\n        raise ValueError(\"bad queen\")\n")


def test_the_plans_raise_messages_and_calls_an_unbound_local_and_a_hidden_method_are_sent_back(tmp_path):
    # Each seen on the tuning split: the answer raised its own message where the plan's code gave
    # one; assigned a module constant inside the function that reads it (UnboundLocalError); set
    # `self.can_attack`, which hides the method of that name.
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "queen.py").write_text(QUEEN_STUB)
    first = ("queen.py\n```python\nLIMIT = None\n\n\nclass Queen:\n    def __init__(self, row):\n"
             "        if LIMIT is None:\n            LIMIT = 8\n        if not 0 <= row < LIMIT:\n"
             "            raise ValueError(\"row must be on the board\")\n        self.row = row\n"
             "        self.can_attack = True\n\n    def can_attack(self, other):\n        return self.row == other.row\n\n\n"
             "def check(row):\n    if row > 99:\n        raise ValueError(\"bad queen\")\n```\n")
    fixed = ("queen.py\n```python\nclass Queen:\n    def __init__(self, row, color=\"black\"):\n        if row < 0:\n"
             "            raise ValueError(\"row not positive\")\n        if row > 7:\n"
             "            raise ValueError(\"row not on board\")\n        self.row = row\n\n"
             "    def can_attack(self, other):\n        return self.row == other.row\n\n\n"
             "def check(row):\n    if row > 99:\n        raise ValueError(\"bad queen\")\n```\n")
    engine = ReplayEngine([REFLECTION, first, fixed])
    run = Run(plan=plan_from_text(QUEEN_PLAN), codebase=scan_codebase(repo), engine=engine, prompts=Prompts.load(),
              options=RunOptions(max_repairs=2, check_examples=False, scratch_dir=str(tmp_path / "scratch")))
    run.prepare()
    assert [r.message for r in run.spec.raises] == ["row not positive", "row not on board", "bad queen"]
    run.reflect()
    changeset = run.implement()
    problems = run.turns[1].problems
    # Both of the plan's new messages are named; the one the code already holds is not.
    assert ("- The plan's code raises these, but your code never raises their messages. Raise each where the "
            "plan says, with exactly the plan's exception and message:\n"
            '  - `raise ValueError("row not positive")` (if the row is negative)\n'
            '  - `raise ValueError("row not on board")` (if the row is past the board)\n') in problems
    assert "bad queen" not in problems
    assert "queen.py line 6: `LIMIT` is read before the function assigns it" in problems
    assert "queen.py line 11: `self.can_attack = ...` hides the method `Queen.can_attack`" in problems
    assert "calls `Queen(2, color=\"white\")`, but `def Queen.__init__(self, row)` cannot take" in problems
    assert [t.kind for t in run.turns] == ["reflection", "implementation", "repair"]
    assert run.turns[2].problems == ""  # the repair holds the plan's messages: nothing more asked
    assert "row not on board" in changeset.get("queen.py").new_text
