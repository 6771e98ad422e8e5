"""A session: the current Run from its start to its saved record, for the CLI and the window
alike. It makes the Run (new, or rebuilt from a saved record), records how each operation on it
ended (stopped, failed with the reason kept) and saves the record after each one, so the text
produced so far is kept on every ending. The caller runs the operations (prepare, reflect,
implement, follow-up) on the Run and hands the session how they ended. Qt-free."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from desktop.core.codebase import Codebase, RankedFile
from desktop.core.pipeline import Phase, Run, RunEvent, RunOptions
from desktop.core.plan import Plan
from desktop.core.prompts import Prompts
from desktop.core.records import RunRecord, load_run, save_run
from desktop.core.saved_runs import restore_run
from desktop.errors import Cancelled, PlansmithError
from desktop.llm.engine import Engine

__all__ = ["Session"]

log = logging.getLogger(__name__)


class Session:
    def __init__(self, *, runs_dir: Path, prompts: Callable[[], Prompts],
                 on_event: Callable[[RunEvent], None] | None = None) -> None:
        self.runs_dir = runs_dir
        self._prompts = prompts  # read when a run starts, so edited prompt files count
        self._on_event = on_event
        self.run: Run | None = None
        self.run_id: str | None = None  # set once the run is saved

    def start(self, *, plan: Plan, codebase: Codebase, engine: Engine, options: RunOptions,
              ranked: list[RankedFile] | None = None) -> Run:
        """A new run (its record is made when it is first saved)."""
        run = Run(plan=plan, codebase=codebase, engine=engine, prompts=self._prompts(), options=options,
                  on_event=self._on_event)
        if ranked is not None:
            run.ranked = list(ranked)
        self.run, self.run_id = run, None
        return run

    def resume(self, record: RunRecord, *, plan: Plan, codebase: Codebase, engine: Engine,
               options: RunOptions) -> Run:
        """The saved run rebuilt, so Phase 2 or a follow-up continues it (and its record)."""
        self.run = restore_run(record, plan=plan, codebase=codebase, engine=engine, prompts=self._prompts(),
                               options=options, on_event=self._on_event)
        self.run_id = record.get("run_id")
        return self.run

    def current(self, options: RunOptions) -> Run:
        """The run to continue, with this operation's options."""
        if self.run is None:
            raise PlansmithError("There is no run to continue: start one with Run (Ctrl+R).")
        self.run.options = options
        return self.run

    def set_engine(self, engine: Engine) -> None:
        """A new model continues the same conversation (its KV cache starts empty)."""
        if self.run is not None:
            self.run.engine = engine

    def ended(self, exc: BaseException | None, *, operation: str = "the run") -> str | None:
        """How an operation ended, into the run's phase. Returns the message for the user, or
        None (it finished, or was stopped: the phase says so)."""
        run = self.run
        if exc is None:
            return None
        if isinstance(exc, Cancelled):
            if run is not None and run.phase in (Phase.REFLECTING, Phase.IMPLEMENTING):
                run.phase = Phase.STOPPED
            return None
        if isinstance(exc, PlansmithError):
            return str(exc)
        # a bug or a backend failure: one readable line, the traceback in the log
        log.error("%s failed", operation, exc_info=exc)
        if run is not None:
            run.phase, run.error = Phase.FAILED, str(exc)
        return f"Something went wrong: {exc}. The details are in the log file."

    def save(self) -> str | None:
        """The run's record, written (again) under its id; returns the id, or None when the run
        never reached the model (nothing worth keeping). Raises PlansmithError when it cannot
        be written (a full disk): the run goes on without it."""
        run = self.run
        if run is None or not run.turns:
            return None
        record = run.to_record()
        record["title"] = run.plan.title
        self.run_id = save_run(record, runs_dir=self.runs_dir, run_id=self.run_id)
        return self.run_id

    def save_review(self, run_id: str, changeset: dict, *, answer: int = 0) -> None:
        """The user's ticks and hand edits, into the saved run, so reopening it brings them
        back; `answer`: which of the run's answers they are (0: the run has only one)."""
        record = load_run(run_id, runs_dir=self.runs_dir)
        record["changeset"] = changeset
        record["shown_answer"] = answer or None
        save_run(record, runs_dir=self.runs_dir, run_id=run_id)
