"""Saved runs read back without a window: the Run rebuilt exactly, and what reopening says."""

from __future__ import annotations

import pytest

from desktop.core.codebase import scan_codebase
from desktop.core.pipeline import Run, RunOptions
from desktop.core.plan import plan_from_text
from desktop.core.prompts import Prompts
from desktop.core.saved_runs import answers_text, continuation, restore_run
from desktop.errors import PlansmithError
from desktop.llm.replay_engine import ReplayEngine

PLAN = "# Farewell\n\n## Requirements\n- Add `farewell(name)` to `pkg/greet.py`.\n"
REFLECTION = "## 3. Developer TODOs\n1. Add farewell.\n\n## Checklist\n- NAME `farewell`: farewell(name)\n"
ANSWER = 'pkg/greet.py\n```python\n<<<<<<< SEARCH\n=======\ndef farewell(name):\n    return "Goodbye, " + name\n>>>>>>> REPLACE\n```\n'


@pytest.fixture
def codebase(tmp_path):
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "greet.py").write_text('def greet(name):\n    return "Hello, " + name\n')
    return scan_codebase(repo)


def test_restore_run_rebuilds_the_exact_conversation(codebase):
    prompts = Prompts.load()
    options = RunOptions(max_repairs=0)
    engine = ReplayEngine([REFLECTION, ANSWER, ANSWER, ANSWER])
    plan = plan_from_text(PLAN)
    run = Run(plan=plan, codebase=codebase, engine=engine, prompts=prompts, options=options)
    run.reflect()
    run.set_reflection(REFLECTION + "\nEdited.")
    run.implement()
    run.follow_up("Shorter.")
    record = run.to_record()

    again = ReplayEngine([ANSWER])
    restored = restore_run(record, plan=plan, codebase=codebase, engine=again, prompts=prompts, options=options, on_event=lambda e: None)
    assert restored.messages == run.messages
    assert restored.reflection_edited and restored.phase.value == "done"
    run.follow_up("Once more.")
    restored.follow_up("Once more.")
    assert again.prompts[-1] == engine.prompts[-1]  # the model would read exactly the same conversation

    record["turns"], record["reflection"] = [], ""
    with pytest.raises(PlansmithError, match="cannot be continued"):
        restore_run(record, plan=plan, codebase=codebase, engine=again, prompts=prompts, options=options, on_event=lambda e: None)


def test_what_reopening_says_and_the_answers_as_one_text(codebase, tmp_path):
    run = Run(plan=plan_from_text(PLAN), codebase=codebase, engine=ReplayEngine([REFLECTION, ANSWER]),
              prompts=Prompts.load(), options=RunOptions(max_repairs=0))
    run.reflect()
    record = dict(run.to_record(), run_id="r1", model={"name": "old-model"})
    ok, notes = continuation(record, current_model="new-model")
    assert ok and "Approve & implement continues it" in notes and "made with old-model" in notes
    run.implement()
    record = dict(run.to_record(), run_id="r1")
    assert answers_text(record) == ANSWER
    assert continuation(record, current_model=None)[0]
    gone = dict(record, codebase=str(tmp_path / "gone"))
    assert continuation(gone, current_model=None) == (False, f"Reopened run r1. It can be read but not continued: "
                                                             f"its codebase folder {tmp_path / 'gone'} is gone.")
