"""Background workers: RunWorker owns the model and the Run; IoWorker scans folders and lists models.

Each lives in its own QThread (moveToThread). The GUI reaches them only through queued
signals connected to their @Slot methods; they answer with signals that the GUI connects
to @Slot methods of objects living in the GUI thread. Stop is a threading.Event set from
the GUI thread: a queued "stop" slot would never run while the worker is busy.
Constraint: nothing here touches a widget.
"""

from __future__ import annotations

import atexit
import dataclasses
import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop.core.codebase import Codebase, RankedFile, rank_files, scan_codebase
from desktop.core.pipeline import Phase, Run, RunEvent, RunOptions
from desktop.core.plan import Plan
from desktop.core.prompts import Prompts
from desktop.core.records import RunRecord
from desktop.core.session import Session
from desktop.core.turns import Turn
from desktop.errors import Cancelled, PlansmithError
from desktop.llm.engine import Engine, Usage
from desktop.paths import AppPaths
from desktop.settings import Settings

log = logging.getLogger(__name__)

# The worker sends text at most this often; the view flushes its own buffer on a timer too.
TEXT_BATCH_S = 0.03


@dataclass(frozen=True)
class EngineSpec:
    """What the loaded engine must match; a different spec reloads the model."""

    model_path: Path | None  # None with a team server
    context_size: int
    threads: int
    gpu_layers: int
    server_url: str = ""  # set: the team server (OpenAI-compatible) instead of the local model
    server_model: str = ""
    sha256: str | None = None  # the model file's, where the store knows it (for the run record)
    prompt_lookup: bool = False
    server_timeouts: tuple[float, float, float] = (10.0, 120.0, 60.0)  # connect, first byte, silence

    @classmethod
    def from_settings(cls, settings: Settings, *, model_path: Path | None) -> "EngineSpec":
        if settings.engine == "server" and settings.server_url:
            return cls(None, settings.context_size, settings.threads_for(headless=False), settings.gpu_layers,
                       server_url=settings.server_url, server_model=settings.server_model,
                       server_timeouts=(settings.server_connect_timeout, settings.server_first_byte_timeout,
                                        settings.server_idle_timeout))
        return cls(Path(model_path), settings.context_size, settings.threads_for(headless=False), settings.gpu_layers,
                   prompt_lookup=settings.prompt_lookup)

    @property
    def name(self) -> str:
        return self.server_url if self.server_url else self.model_path.stem


EngineFactory = Callable[[EngineSpec], Engine]


def local_engine(spec: EngineSpec) -> Engine:
    """The engine the spec names: the team server, else the in-process llama.cpp engine
    (llama_cpp itself is imported only when it loads)."""
    from desktop.llm.factory import make_local_engine, make_server_engine

    connect, first_byte, idle = spec.server_timeouts
    settings = Settings(context_size=spec.context_size, threads=spec.threads, gpu_layers=spec.gpu_layers,
                        server_url=spec.server_url, server_model=spec.server_model, prompt_lookup=spec.prompt_lookup,
                        server_connect_timeout=connect, server_first_byte_timeout=first_byte,
                        server_idle_timeout=idle)
    if spec.server_url:
        return make_server_engine(settings)
    return make_local_engine(settings, model_path=spec.model_path, sha256=spec.sha256)


@dataclass
class RunRequest:
    """One thing asked of the RunWorker, with everything it needs (the GUI keeps no shared state)."""

    engine: EngineSpec
    options: RunOptions
    stop: threading.Event = field(default_factory=threading.Event)
    plan: Plan | None = None
    codebase: Codebase | None = None
    ranked: list[RankedFile] | None = None
    pinned: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    new_run: bool = True  # reflect: start a new run (and record) instead of redoing this one
    text: str | None = None  # implement: the edited reflection (None: as generated); follow_up: the instruction
    record: RunRecord | None = None  # a saved run to continue


@dataclass(frozen=True)
class ModelState:
    name: str
    backend: str  # "llama.cpp (CPU)", "llama.cpp (GPU, 31 layers)", ...
    context_size: int
    fallback_reason: str | None = None


@dataclass(frozen=True)
class LiveStats:
    generated: int  # tokens generated in this turn so far
    prompt_tokens: int
    context_size: int
    tokens_per_second: float


class RunWorker(QObject):
    """Owns the engine and the current Run. Every slot runs on the worker's own thread."""

    model_loading = Signal(str)
    model_loaded = Signal(object)  # ModelState
    model_released = Signal()
    context_ready = Signal(object)  # ContextPack
    phase_changed = Signal(str)
    text_ready = Signal(str, object)  # a batch of text, LiveStats
    prompt_progress = Signal(int, int)  # tokens read, tokens to read
    turn_done = Signal(str, object)  # turn kind, Usage
    notice = Signal(str)
    reflection_ready = Signal(str)
    answers_ready = Signal(object)  # copies of the run's turns, for the answers the review can open
    changeset_ready = Signal(object)  # ChangeSet
    review_not_saved = Signal(str)  # why the user's ticks and edits could not be saved with the run
    record_saved = Signal(str)  # run id
    failed = Signal(str)  # a message for the user
    finished = Signal(str, str, float)  # operation, the run's phase, perf_counter() when the work ended

    def __init__(self, *, paths: AppPaths, engine_factory: EngineFactory | None = None) -> None:
        super().__init__()
        self._paths = paths
        self._factory = engine_factory or local_engine
        self._engine: Engine | None = None
        self._spec: EngineSpec | None = None
        self._context_size = 0
        self.session = Session(runs_dir=paths.runs_dir,
                               prompts=lambda: Prompts.load(override_dir=paths.prompts_override_dir),
                               on_event=self._on_event)
        self._pending: list[str] = []
        self._tokens = 0
        self._first_token_at: float | None = None
        self._last_emit = 0.0

    @property
    def run(self) -> Run | None:
        return self.session.run

    @property
    def run_id(self) -> str | None:
        return self.session.run_id

    # -- operations (slots) -------------------------------------------------------------

    @Slot(object)
    def prepare(self, request: RunRequest) -> None:
        def body() -> None:
            run = self._run_for(request, reuse=True)
            self.context_ready.emit(run.prepare(pinned=request.pinned, dropped=request.dropped, cancel=request.stop))

        self._operate("prepare", request, body)

    @Slot(object)
    def reflect(self, request: RunRequest) -> None:
        def body() -> None:
            run = self._run_for(request, reuse=not request.new_run)
            self.context_ready.emit(run.prepare(pinned=request.pinned, dropped=request.dropped, cancel=request.stop))
            if request.stop.is_set():
                raise Cancelled()
            self.reflection_ready.emit(run.reflect(stop_event=request.stop))

        self._operate("reflect", request, body)

    @Slot(object)
    def implement(self, request: RunRequest) -> None:
        def body() -> None:
            run = self._current_run(request)
            if request.text is not None:
                run.set_reflection(request.text)
            changeset = run.implement(stop_event=request.stop)
            self.answers_ready.emit([Turn.from_dict(t.to_dict()) for t in run.turns])
            self.changeset_ready.emit(changeset)

        self._operate("implement", request, body)

    @Slot(object)
    def follow_up(self, request: RunRequest) -> None:
        def body() -> None:
            run = self._current_run(request)
            changeset = run.follow_up(request.text or "", stop_event=request.stop)
            self.answers_ready.emit([Turn.from_dict(t.to_dict()) for t in run.turns])
            self.changeset_ready.emit(changeset)

        self._operate("follow_up", request, body)

    @Slot()
    def release_engine(self) -> None:
        """Unload the model (switching models); the next operation loads the new one."""
        self._close_engine()
        self.model_released.emit()

    @Slot()
    def shutdown(self) -> None:
        """Last call: unload on the owning thread, then end the thread's event loop."""
        self._close_engine()
        QThread.currentThread().quit()

    # -- plumbing -------------------------------------------------------------------------

    def _operate(self, name: str, request: RunRequest, body: Callable[[], None]) -> None:
        self._pending, self._tokens, self._first_token_at = [], 0, None
        error: BaseException | None = None
        try:
            self._ensure_engine(request.engine)
            if request.stop.is_set():
                raise Cancelled()
            body()
        except Exception as exc:  # PlansmithError, Cancelled, or a bug: the session says which
            error = exc
        finally:
            self._flush_text()
            ended = time.perf_counter()
            message = self.session.ended(error, operation=name)
            if message:
                self.failed.emit(message)
            if name != "prepare":
                self._save_record()
            phase = self.run.phase.value if self.run is not None else Phase.IDLE.value
            self.finished.emit(name, phase, ended)

    def _ensure_engine(self, spec: EngineSpec) -> None:
        if spec.model_path is not None and spec.sha256 is None:
            from desktop.llm.store import hash_index

            # Known when the store verified or hashed the file; never hashed here (that takes a while).
            try:
                spec = dataclasses.replace(spec, sha256=hash_index(self._paths).get(spec.model_path))
            except OSError:
                pass  # a file that is not there: loading it says so
        if self._engine is not None and self._spec == spec:
            return
        self._close_engine()
        self.model_loading.emit(spec.name)
        engine = self._factory(spec)
        try:
            engine.load()
        except BaseException:
            engine.close()
            raise
        self._engine, self._spec = engine, spec
        # Loading imports llama_cpp and builds many long-lived objects. A full garbage
        # collection walks all of them while holding the GIL, stalling the GUI thread for
        # milliseconds; freezing moves them out of the collector's reach.
        gc.collect()
        gc.freeze()
        info = engine.info()
        self._context_size = info.context_size
        self.session.set_engine(engine)  # same conversation, new model: its KV cache starts empty
        self.model_loaded.emit(ModelState(info.name, info.backend, info.context_size, engine.gpu_fallback_reason))

    def _close_engine(self) -> None:
        if self._engine is not None:
            try:
                self._engine.close()
            finally:
                self._engine, self._spec = None, None

    def _run_for(self, request: RunRequest, *, reuse: bool) -> Run:
        run = self.run
        same = run is not None and run.plan is request.plan and run.codebase is request.codebase
        if reuse and same:
            return self.session.current(request.options)
        if request.plan is None or request.codebase is None:
            raise PlansmithError("Open a plan and choose the codebase folder first.")
        return self.session.start(plan=request.plan, codebase=request.codebase, engine=self._engine,
                                  options=request.options, ranked=request.ranked)

    def _current_run(self, request: RunRequest) -> Run:
        if request.record is not None:
            if request.plan is None or request.codebase is None:
                raise PlansmithError("The saved run's codebase folder is not scanned yet: wait for the scan, then try again.")
            self.session.resume(request.record, plan=request.plan, codebase=request.codebase,
                                engine=self._engine, options=request.options)
        return self.session.current(request.options)

    @Slot(str, object, int)
    def save_review(self, run_id: str, changeset: dict, answer: int = 0) -> None:
        """The user's ticks and hand edits, into the saved run, so History brings them back."""
        try:
            self.session.save_review(run_id, changeset, answer=answer)
        except PlansmithError as exc:
            log.warning("could not save the review of run %s: %s", run_id, exc)
            self.review_not_saved.emit(str(exc))

    def _save_record(self) -> None:
        try:
            run_id = self.session.save()
        except PlansmithError as exc:
            self.failed.emit(str(exc))
            return
        if run_id is not None:
            self.record_saved.emit(run_id)

    # -- events from the Run, on this thread ---------------------------------------------

    def _on_event(self, event: RunEvent) -> None:
        if event.kind == "text":
            now = time.perf_counter()
            if self._first_token_at is None:
                self._first_token_at = now
            self._pending.append(event.text)
            self._tokens += 1
            if now - self._last_emit >= TEXT_BATCH_S:
                self._flush_text(now)
            return
        self._flush_text()
        if event.kind == "prompt_progress":
            self.prompt_progress.emit(event.done, event.total)
        elif event.kind == "phase":
            self.phase_changed.emit(event.phase.value)
        elif event.kind == "turn_done":
            self.turn_done.emit(event.text, event.usage)
            self._tokens, self._first_token_at = 0, None
        elif event.kind == "notice":
            self.notice.emit(event.text)

    def _flush_text(self, now: float | None = None) -> None:
        if not self._pending:
            return
        now = now or time.perf_counter()
        text = "".join(self._pending)
        self._pending = []
        self._last_emit = now
        elapsed = now - (self._first_token_at or now)
        usage = self._engine.last_usage if self._engine is not None else Usage()
        stats = LiveStats(
            generated=self._tokens,
            prompt_tokens=usage.prompt_tokens,
            context_size=self._context_size,
            tokens_per_second=self._tokens / elapsed if elapsed > 0 else 0.0,
        )
        self.text_ready.emit(text, stats)


@dataclass(frozen=True)
class ScanRequest:
    root: Path
    plan: Plan | None
    max_file_bytes: int
    cancel: threading.Event = field(default_factory=threading.Event)
    codebase: Codebase | None = None  # set: rank this one again (a new plan), no scan


class IoWorker(QObject):
    """Scans codebases, ranks their files against a plan, and lists installed models."""

    scan_progress = Signal(object, int)  # ScanRequest, files looked at
    scan_finished = Signal(object, object, object)  # ScanRequest, Codebase, ranked files (None without a plan)
    scan_failed = Signal(object, str)  # ScanRequest, message ("" when cancelled)
    models_listed = Signal(object, object)  # installed models, the default one (or None)
    models_failed = Signal(str)

    def __init__(self, *, paths: AppPaths) -> None:
        super().__init__()
        self._paths = paths

    @Slot(object)
    def scan(self, request: ScanRequest) -> None:
        try:
            codebase = request.codebase or scan_codebase(
                request.root,
                max_file_bytes=request.max_file_bytes,
                cancel=request.cancel,
                on_progress=lambda n: self.scan_progress.emit(request, n),
            )
            ranked = rank_files(codebase, request.plan, cancel=request.cancel) if request.plan else None
        except Cancelled:
            self.scan_failed.emit(request, "")
        except PlansmithError as exc:
            self.scan_failed.emit(request, str(exc))
        except Exception as exc:
            log.exception("scan failed")
            self.scan_failed.emit(request, f"Scanning {request.root} failed: {exc}")
        else:
            self.scan_finished.emit(request, codebase, ranked)

    @Slot(object)
    def list_models(self, settings: Settings) -> None:
        try:
            from desktop.llm.catalog import load_catalog
            from desktop.llm.store import ModelStore, default_model

            store = ModelStore(paths=self._paths, catalog=load_catalog(), settings=settings)
            models = store.list(hashes=False)
            self.models_listed.emit(models, default_model(models, settings=settings))
        except PlansmithError as exc:
            self.models_failed.emit(str(exc))
        except Exception as exc:
            log.exception("listing models failed")
            self.models_failed.emit(f"Could not list the installed models: {exc}")


# Every started worker thread with its worker, until stop_thread. Holding them here means a
# window that is garbage-collected without being closed cannot destroy a running QThread
# (Qt aborts the process then); at exit the leftovers are stopped and joined.
_live: dict[QThread, QObject] = {}


def start_in_thread(worker: QObject, *, name: str) -> QThread:
    """Move a worker to a new, started QThread; end it with stop_thread."""
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    _live[thread] = worker
    thread.start()
    return thread


def stop_thread(thread: QThread) -> None:
    """End the thread's event loop once its current slot returns, and wait for it."""
    thread.quit()
    thread.wait()
    _live.pop(thread, None)


@atexit.register
def _stop_leftover_threads() -> None:
    for thread in list(_live):
        stop_thread(thread)
