"""Run records: every run saved under the user data folder, to reopen, compare and audit.

A record holds source code (prompts quote the codebase), so it stays in the user's own
data folder and can be deleted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from desktop.errors import PlansmithError

_ID = re.compile(r"^\d{8}-\d{6}-[a-z0-9-]{0,48}$")
# The layout of run.json. A record without the field is from before it (the same layout, 1);
# one from a newer Plansmith is refused with that said, never half read.
SCHEMA = 1


class RunRecord(TypedDict, total=False):
    """What run.json holds (layout SCHEMA). Saved and read as plain JSON: each reader takes the
    fields it needs with .get(), so a record of an earlier layout still opens."""

    schema: int  # the layout; absent: 1
    run_id: str
    title: str  # the plan's title
    plan: dict  # path (or None), sha256, text
    codebase: str  # the folder the run was made for
    model: dict  # name, sha256, backend, context_size
    options: dict  # the RunOptions the run used
    phase: str  # pipeline.Phase's value when saved
    error: str | None
    context: dict | None  # ContextPack.to_dict(): the files the prompt held
    reflection: str
    reflection_edited: bool
    turns: list[dict]  # turns.Turn.to_dict() of each turn, the reflection first
    repairs: int
    changeset: dict | None  # ChangeSet.to_dict() as reviewed (ticks and hand edits)
    shown_answer: int | None  # which answer the review shows when the run wrote several
    started_at: float
    finished_at: float


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    title: str
    codebase: str
    phase: str
    model: str
    started_at: float
    changes: int
    repairs: int

    def line(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started_at))
        return f"{self.run_id}  {when}  {self.phase:<9} {self.changes:>2} files  {self.model}  {self.title}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def new_run_id(title: str, *, when: float | None = None) -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(when or time.time())) + "-" + _slug(title)


def save_run(record: RunRecord, *, runs_dir: Path, run_id: str | None = None) -> str:
    """Write (or overwrite) one run atomically; returns its id."""
    title = record.get("title") or "run"
    run_id = run_id or record.get("run_id")
    if run_id:
        folder = runs_dir / run_id
        folder.mkdir(parents=True, exist_ok=True)
    else:
        run_id, folder = _claim_folder(runs_dir, new_run_id(title, when=record.get("started_at")))
    record = dict(record, run_id=run_id, title=title, schema=SCHEMA)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f, indent=1)
        os.replace(tmp, folder / "run.json")
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PlansmithError(f"Could not save the run record in {folder}: {exc.strerror or exc}") from exc
    return run_id


def _claim_folder(runs_dir: Path, base: str) -> tuple[str, Path]:
    """A new run's folder, made here and nowhere else: two runs started in the same second
    on the same plan get `base` and `base-2` (mkdir is atomic, also across processes)."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        run_id = base if n == 1 else f"{base}-{n}"
        try:
            (runs_dir / run_id).mkdir()
        except FileExistsError:
            n += 1
            continue
        except OSError as exc:
            raise PlansmithError(f"Could not save the run record in {runs_dir}: {exc.strerror or exc}") from exc
        return run_id, runs_dir / run_id


def _check_id(run_id: str) -> str:
    if not _ID.match(run_id):
        raise PlansmithError(f"No saved run is called {run_id!r}.")
    return run_id


def load_run(run_id: str, *, runs_dir: Path) -> RunRecord:
    path = runs_dir / _check_id(run_id) / "run.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlansmithError(f"No saved run is called {run_id!r}.") from None
    except (OSError, ValueError) as exc:
        raise PlansmithError(f"The run record {path} cannot be read: {exc}") from exc
    return _checked(record, path)


def _checked(record: object, path: Path) -> RunRecord:
    """The record, if this version can read it."""
    if not isinstance(record, dict):
        raise PlansmithError(f"The run record {path} cannot be read: it holds no run.")
    schema = record.get("schema", 1)
    if not isinstance(schema, int) or schema > SCHEMA:
        raise PlansmithError(f"The run record {path} was saved by a newer Plansmith (record layout {schema}; "
                             f"this version reads up to {SCHEMA}). Open it with that version.")
    return record


def list_runs(*, runs_dir: Path) -> list[RunSummary]:
    """Newest first; unreadable records are skipped, not fatal."""
    out = []
    if not runs_dir.is_dir():
        return out
    for folder in runs_dir.iterdir():
        if not _ID.match(folder.name):
            continue
        try:
            rec = json.loads((folder / "run.json").read_text(encoding="utf-8"))
            cs = rec.get("changeset") or {}
            out.append(
                RunSummary(
                    run_id=folder.name,
                    title=str(rec.get("title", "")),
                    codebase=str(rec.get("codebase", "")),
                    phase=str(rec.get("phase", "")),
                    model=str((rec.get("model") or {}).get("name", "")),
                    started_at=float(rec.get("started_at") or 0),
                    changes=len(cs.get("changes", [])),
                    repairs=int(rec.get("repairs") or 0),
                )
            )
        except (OSError, ValueError, TypeError, AttributeError):
            continue  # unreadable (a record from a newer version is listed: opening it says why)
    out.sort(key=lambda r: (r.started_at, r.run_id), reverse=True)
    return out


def delete_run(run_id: str, *, runs_dir: Path) -> None:
    folder = runs_dir / _check_id(run_id)
    if not folder.is_dir():
        raise PlansmithError(f"No saved run is called {run_id!r}.")
    shutil.rmtree(folder)
