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
