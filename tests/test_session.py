"""The session: a run from its start to its saved record, as the CLI and the window use it.
Real Run, real parser and records; the model's answers replayed."""

from __future__ import annotations

import threading

import pytest

from desktop.core.codebase import scan_codebase
from desktop.core.pipeline import Phase, RunOptions
from desktop.core.plan import plan_from_text
from desktop.core.prompts import Prompts
from desktop.core.records import list_runs, load_run
from desktop.core.session import Session
from desktop.errors import Cancelled, PlansmithError
from desktop.llm.replay_engine import ReplayEngine

REFLECTION = "## Analysis\nUse `greet.py`.\n\n## TODO\n1. greet.py: write `greet`.\n"
ANSWER = "greet.py\n```python\ndef greet(name):\n    return f'Hello, {name}!'\n```\n"


@pytest.fixture
def parts(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "greet.py").write_text("def greet(name):\n    pass\n")
    plan = plan_from_text("# Greeting\n\nWrite `greet(name)` returning `Hello, NAME!`.\n")
    session = Session(runs_dir=tmp_path / "runs", prompts=Prompts.load)
    return session, plan, scan_codebase(repo), RunOptions(max_repairs=0, scratch_dir=str(tmp_path / "scratch"))


def test_a_run_is_saved_after_each_operation_and_resumed_from_its_record(parts):
    session, plan, codebase, options = parts
    run = session.start(plan=plan, codebase=codebase, engine=ReplayEngine([REFLECTION, ANSWER]), options=options)
    assert session.save() is None  # never reached the model: nothing to keep
    run.prepare()
    run.reflect()
    run_id = session.save()
    assert run_id and load_run(run_id, runs_dir=session.runs_dir)["reflection"] == REFLECTION
    record = load_run(run_id, runs_dir=session.runs_dir)

    other = Session(runs_dir=session.runs_dir, prompts=Prompts.load)
    resumed = other.resume(record, plan=plan, codebase=codebase, engine=ReplayEngine([ANSWER]), options=options)
    changeset = resumed.implement()
    assert other.save() == run_id  # the same record, not a second one
    assert [c.path for c in changeset.accepted()] == ["greet.py"]
    assert len(list_runs(runs_dir=session.runs_dir)) == 1
    assert [t["kind"] for t in load_run(run_id, runs_dir=session.runs_dir)["turns"]] == ["reflection", "implementation"]


def test_how_an_operation_ended_goes_into_the_record(parts):
    session, plan, codebase, options = parts
    with pytest.raises(PlansmithError):
        session.current(options)  # nothing started yet
    run = session.start(plan=plan, codebase=codebase, engine=ReplayEngine([REFLECTION]), options=options)
    run.prepare()
    run.reflect()
    run.phase = Phase.IMPLEMENTING
    assert session.ended(Cancelled()) is None and run.phase == Phase.STOPPED
    assert session.ended(PlansmithError("The server went away.")) == "The server went away."
    message = session.ended(RuntimeError("boom"), operation="implement")
    assert "boom" in message and run.phase == Phase.FAILED and run.error == "boom"
    record = load_run(session.save(), runs_dir=session.runs_dir)
    assert record["phase"] == "failed" and record["error"] == "boom" and record["reflection"] == REFLECTION


def test_a_stopped_reflection_keeps_its_text(parts):
    session, plan, codebase, options = parts
    stop = threading.Event()
    engine = ReplayEngine([REFLECTION * 20])
    run = session.start(plan=plan, codebase=codebase, engine=engine, options=options)
    run.prepare()
    seen = []

    def on_event(event):
        if event.kind == "text":
            seen.append(event.text)
            if len(seen) == 5:
                stop.set()

    run.on_event = on_event
    run.reflect(stop_event=stop)
    assert run.phase == Phase.STOPPED
    record = load_run(session.save(), runs_dir=session.runs_dir)
    assert record["phase"] == "stopped" and record["turns"][0]["text"] and len(record["turns"][0]["text"]) < len(REFLECTION * 20)


def test_the_review_is_saved_into_the_record(parts):
    session, plan, codebase, options = parts
    run = session.start(plan=plan, codebase=codebase, engine=ReplayEngine([REFLECTION, ANSWER]), options=options)
    run.prepare()
    run.reflect()
    changeset = run.implement()
    run_id = session.save()
    session.save_review(run_id, changeset.to_dict(), answer=2)
    record = load_run(run_id, runs_dir=session.runs_dir)
    assert record["shown_answer"] == 2 and record["changeset"] == changeset.to_dict()


class FailingEngine(ReplayEngine):
    """Replays its answer, then fails the way a model library can mid-answer (not a PlansmithError)."""

    def __init__(self, answers, *, fail_after: int) -> None:
        super().__init__(answers)
        self.fail_after = fail_after

    def stream(self, messages, **kwargs):
        for n, piece in enumerate(super().stream(messages, **kwargs)):
            if n == self.fail_after:
                raise RuntimeError("llama_decode returned -3")
            yield piece


@pytest.mark.parametrize("phase2", [False, True])
def test_an_engine_error_mid_answer_keeps_the_text_so_far(parts, phase2):
    session, plan, codebase, options = parts
    engine = FailingEngine([REFLECTION, ANSWER] if phase2 else [REFLECTION], fail_after=12 if phase2 else 6)
    if phase2:
        engine.fail_after = 10_000  # the reflection streams whole; Phase 2 fails below
    run = session.start(plan=plan, codebase=codebase, engine=engine, options=options)
    run.prepare()
    error = None
    try:
        run.reflect()
        if phase2:
            engine.fail_after = 6
            run.implement()
    except RuntimeError as exc:
        error = exc
    assert error is not None
    assert "llama_decode" in session.ended(error, operation="implement" if phase2 else "reflect")
    record = load_run(session.save(), runs_dir=session.runs_dir)
    assert record["phase"] == "failed"
    last = record["turns"][-1]
    assert last["kind"] == ("implementation" if phase2 else "reflection")
    full = ANSWER if phase2 else REFLECTION
    assert last["text"] and len(last["text"]) < len(full) and full.startswith(last["text"].strip()[:10])


def test_changes_of_a_stopped_phase_2_are_shown_not_ticked(parts):
    session, plan, codebase, options = parts
    run = session.start(plan=plan, codebase=codebase, engine=ReplayEngine([REFLECTION, ANSWER]), options=options)
    run.prepare()
    run.reflect()
    stop = threading.Event()
    run.on_event = lambda event: stop.set() if event.kind == "turn_done" and event.text == "implementation" else None
    changeset = run.implement(stop_event=stop)  # stopped once the answer is written, before its checks
    assert run.phase == Phase.STOPPED
    change = changeset.get("greet.py")
    assert change is not None and not change.accepted and any("stopped" in n for n in change.notes)
    assert changeset.accepted() == []
    record = load_run(session.save(), runs_dir=session.runs_dir)
    assert record["phase"] == "stopped" and not record["changeset"]["changes"][0]["accepted"]
