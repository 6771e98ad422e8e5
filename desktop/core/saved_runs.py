"""Saved runs read back: the answers as one text, whether a run can be continued (and what to
tell the user), and the Run rebuilt from its record so Phase 2 or a follow-up continues it.
Used alike by the window and anything else that reopens a record; no Qt here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop.core.codebase import Codebase
from desktop.core.pipeline import Phase, Run, RunEvent, RunOptions
from desktop.core.plan import Plan
from desktop.core.prompts import Prompts
from desktop.core.records import RunRecord
from desktop.core.turns import Turn
from desktop.errors import PlansmithError
from desktop.llm.engine import Engine

__all__ = ["answers_text", "continuation", "restore_run"]


def answers_text(record: RunRecord) -> str:
    """Phase 2's answers (implementation, repairs, follow-ups) as the answer pane shows them."""
    parts = []
    for turn in (record.get("turns") or [])[1:]:
        if parts:
            left_out = "" if turn.get("kept", True) else " (left out: an earlier answer did better on the checks)"
            parts.append(f"\n\n――― {turn.get('kind', 'answer')}{left_out} ―――\n\n")
        parts.append(turn.get("text", ""))
    return "".join(parts)


def continuation(record: RunRecord, *, current_model: str | None) -> tuple[bool, str]:
    """Whether a reopened run can be continued, and what to tell the user about it."""
    notes = [f"Reopened run {record.get('run_id', '')}."]
    root = Path(record.get("codebase") or "")
    if not record.get("codebase") or not root.is_dir():
        notes.append(f"It can be read but not continued: its codebase folder {root} is gone.")
        return False, " ".join(notes)
    if not (record.get("reflection") or "").strip() or not record.get("turns"):
        notes.append("It has no reflection, so it cannot be continued: start a new run with Run (Ctrl+R).")
        return False, " ".join(notes)
    if len(record["turns"]) < 2:
        notes.append("Approve & implement continues it with Phase 2.")
    else:
        notes.append(
            "Send a follow-up to continue it, or approve the reflection to redo Phase 2. "
            "The answers are checked against the files as they are now."
        )
    recorded = (record.get("model") or {}).get("name")
    if recorded and current_model and recorded != current_model:
        notes.append(f"It was made with {recorded}; the current model ({current_model}) continues it.")
    return True, " ".join(notes)


def restore_run(
    record: RunRecord,
    *,
    plan: Plan,
    codebase: Codebase,
    engine: Engine,
    prompts: Prompts,
    options: RunOptions,
    on_event: Callable[[RunEvent], None],
) -> Run:
    """A Run rebuilt from its record so that Phase 2 or a follow-up can continue it.

    The conversation is rebuilt exactly as Run builds it (system, then each turn's prompt,
    each earlier answer as the assistant's reply). The pipeline has no loader of its own,
    so this sets the Run's state attributes directly.
    """
    turns = record.get("turns") or []
    reflection = record.get("reflection") or ""
    if not turns or not reflection.strip():
        raise PlansmithError(
            "This run cannot be continued: it has no reflection. Start a new run with Run (Ctrl+R)."
        )
    run = Run(plan=plan, codebase=codebase, engine=engine, prompts=prompts, options=options, on_event=on_event)
    messages = run._system()  # the same system message Run builds, format included
    for i, t in enumerate(turns):
        messages.append({"role": "user", "content": t.get("prompt", "")})
        if i < len(turns) - 1:
            messages.append({"role": "assistant", "content": reflection if i == 0 else t.get("text", "")})
    run.messages = messages
    run.turns = [Turn.from_dict(t) for t in turns]
    run.reflection = reflection
    run.reflection_edited = bool(record.get("reflection_edited"))
    run.repairs = int(record.get("repairs") or 0)
    run.started_at = float(record.get("started_at") or run.started_at)
    try:
        phase = Phase(record.get("phase", "stopped"))
    except ValueError:
        phase = Phase.STOPPED
    # A run saved mid-phase (the app was killed) continues as if it had been stopped.
    run.phase = Phase.STOPPED if phase in (Phase.REFLECTING, Phase.IMPLEMENTING, Phase.IDLE) else phase
    return run
