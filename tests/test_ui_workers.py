"""The workers behind the window: one thread owns the engine, text comes in batches, Stop is quick.

Replayed answers (ReplayEngine) keep these deterministic and fast; test_ui_e2e.py runs the
same paths with the real model.
"""

from __future__ import annotations

import random
import string
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal, Slot
from test_saved_runs import ANSWER, PLAN, REFLECTION, codebase  # noqa: F401 (the fixture)

from desktop.core.pipeline import RunOptions
from desktop.core.plan import plan_from_text
from desktop.core.records import load_run
from desktop.errors import ModelFileError
from desktop.llm.replay_engine import ReplayEngine
from desktop.ui.stream_view import StreamView
from desktop.ui.workers import (TEXT_BATCH_S, EngineSpec, IoWorker, RunRequest, RunWorker, ScanRequest, local_engine,
                                 start_in_thread, stop_thread)

SPEC = EngineSpec(Path("replay.gguf"), 4096, 1, 0)


class Client(QObject):
    """Lives in the GUI (test) thread: asks through signals, collects answers in @Slot methods."""

    reflect = Signal(object)
    implement = Signal(object)
    follow_up = Signal(object)
    shutdown = Signal()

    def __init__(self, worker: RunWorker) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.failures: list[str] = []
        self.finished: list[tuple[str, str, float]] = []
        self.slot_threads: set[int] = set()
        self.reflect.connect(worker.reflect)
        self.implement.connect(worker.implement)
        self.follow_up.connect(worker.follow_up)
        self.shutdown.connect(worker.shutdown)
        worker.text_ready.connect(self.on_text)
        worker.failed.connect(self.on_failed)
        worker.finished.connect(self.on_finished)

    @Slot(str, object)
    def on_text(self, text: str, _stats) -> None:
        self.slot_threads.add(threading.get_ident())
        self.texts.append(text)

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self.failures.append(message)

    @Slot(str, str, float)
    def on_finished(self, operation: str, phase: str, ended: float) -> None:
        self.finished.append((operation, phase, ended))


@pytest.fixture
def worker_with(app_paths):
    """A RunWorker in its own thread with the given engine factory; shut down and joined after the test."""
    started = []

    def start(factory):
        worker = RunWorker(paths=app_paths, engine_factory=factory)
        thread = start_in_thread(worker, name="test-model")
        client = Client(worker)
        started.append((client, thread))
        return worker, client

    yield start
    for client, thread in started:
        client.shutdown.emit()
        stop_thread(thread)


def finish(qtbot, client: Client, send) -> tuple[str, str, float]:
    """Ask, then wait until the answer reached the client's slot in this thread.

    Not qtbot.waitSignal(worker.finished): pytest-qt's receiver is no QObject, so a signal
    from the worker thread reaches it directly in that thread, before the queued slots here.
    """
    seen = len(client.finished)
    send()
    qtbot.waitUntil(lambda: len(client.finished) > seen, timeout=20_000)
    return client.finished[-1]


def request(codebase, **fields) -> RunRequest:
    options = fields.pop("options", RunOptions(reflection_tokens=5000, answer_tokens=500, max_repairs=0))
    return RunRequest(engine=SPEC, options=options, plan=plan_from_text(PLAN), codebase=codebase, **fields)


def test_the_engine_lives_on_the_worker_thread_and_text_comes_in_batches(qtbot, worker_with, codebase, app_paths):
    # Within the reflection budget of a short plan (its word limit sets it, about 400 tokens).
    # Words that do not repeat (`word0 word1 ...` is a counting loop the loop guard stops).
    rng = random.Random(7)
    words = ("".join(rng.choices(string.ascii_lowercase, k=5)) for _ in range(300))
    long_reflection = " ".join(words) + "\n" + REFLECTION
    engine = ReplayEngine([long_reflection], delay=0.002)
    made_on = []

    def factory(spec):
        made_on.append(threading.get_ident())
        return engine

    worker, client = worker_with(factory)
    started = time.perf_counter()
    finish(qtbot, client, lambda: client.reflect.emit(request(codebase)))
    elapsed = time.perf_counter() - started
    assert made_on and made_on[0] != threading.get_ident()
    assert client.slot_threads == {threading.get_ident()}  # answers are handled in the GUI thread
    assert "".join(client.texts) == long_reflection
    pieces = engine.last_usage.generated_tokens
    # Batched by time, never one signal per token: timed batches are at least TEXT_BATCH_S apart,
    # so at most one per TEXT_BATCH_S plus the first (sent at once) and the last (sent with the
    # turn's end). Counted against the time it took, so a loaded machine cannot fail it.
    assert pieces > 300 and len(client.texts) <= elapsed / TEXT_BATCH_S + 2
    assert client.finished[-1][:2] == ("reflect", "reflected")
    assert load_run(worker.run_id, runs_dir=app_paths.runs_dir)["reflection"] == long_reflection


def test_stop_ends_generation_within_half_a_second(qtbot, worker_with, codebase, app_paths):
    engine = ReplayEngine([" ".join(["tick"] * 5000)], delay=0.005)
    worker, client = worker_with(lambda spec: engine)
    req = request(codebase)
    client.reflect.emit(req)
    qtbot.waitUntil(lambda: len(client.texts) >= 3, timeout=10_000)
    pressed = time.perf_counter()
    operation, phase, ended = finish(qtbot, client, req.stop.set)
    assert (operation, phase) == ("reflect", "stopped")
    assert ended - pressed < 0.5
    record = load_run(worker.run_id, runs_dir=app_paths.runs_dir)
    assert record["phase"] == "stopped" and record["reflection"].startswith("tick tick")


def test_a_model_that_cannot_load_is_a_message(qtbot, worker_with, codebase):
    def factory(spec):
        raise ModelFileError(f"{spec.model_path.name} is not a GGUF model file.")

    worker, client = worker_with(factory)
    finish(qtbot, client, lambda: client.reflect.emit(request(codebase)))
    assert client.failures == ["replay.gguf is not a GGUF model file."]
    assert client.finished[-1][:2] == ("reflect", "idle")


class BrokenEngine(ReplayEngine):
    def stream(self, messages, **kwargs):
        raise RuntimeError("llama_decode returned -3")
        yield ""  # pragma: no cover


def test_an_unexpected_failure_is_one_readable_line(qtbot, worker_with, codebase):
    worker, client = worker_with(lambda spec: BrokenEngine())
    finish(qtbot, client, lambda: client.reflect.emit(request(codebase)))
    assert len(client.failures) == 1
    assert "llama_decode returned -3" in client.failures[0] and "Traceback" not in client.failures[0]
    assert client.finished[-1][:2] == ("reflect", "failed")


def test_phase_two_and_follow_up_continue_the_same_run(qtbot, worker_with, codebase):
    engine = ReplayEngine([REFLECTION, ANSWER, ANSWER])
    worker, client = worker_with(lambda spec: engine)
    finish(qtbot, client, lambda: client.reflect.emit(request(codebase)))
    finish(qtbot, client, lambda: client.implement.emit(request(codebase, text="My own reflection.\n")))
    assert engine.prompts[-1][2] == {"role": "assistant", "content": "My own reflection.\n"}
    finish(qtbot, client, lambda: client.follow_up.emit(request(codebase, text="Also handle empty names.")))
    assert "Also handle empty names." in engine.prompts[-1][-1]["content"]
    assert [t.kind for t in worker.run.turns] == ["reflection", "implementation", "followup"]
    assert [f[:2] for f in client.finished] == [("reflect", "reflected"), ("implement", "done"), ("follow_up", "done")]


class ScanClient(QObject):
    scan = Signal(object)

    def __init__(self, worker: IoWorker) -> None:
        super().__init__()
        self.progress: list[int] = []
        self.results: list[tuple] = []
        self.scan.connect(worker.scan)
        worker.scan_progress.connect(self.on_progress)
        worker.scan_finished.connect(self.on_finished)
        worker.scan_failed.connect(self.on_failed)

    @Slot(object, int)
    def on_progress(self, _request, seen: int) -> None:
        self.progress.append(seen)

    @Slot(object, object, object)
    def on_finished(self, request, codebase, ranked) -> None:
        self.results.append(("done", request, codebase, ranked))

    @Slot(object, str)
    def on_failed(self, request, message: str) -> None:
        self.results.append(("failed", request, message))


def test_scanning_reports_progress_ranks_and_can_be_cancelled(qtbot, app_paths, tmp_path):
    repo = tmp_path / "big"
    for i in range(620):
        (repo / f"m{i // 100}").mkdir(parents=True, exist_ok=True)
        (repo / f"m{i // 100}" / f"f{i}.py").write_text(f"def f{i}():\n    return {i}\n")
    (repo / "m0" / "farewell_words.py").write_text("def farewell():\n    return 'bye'\n")
    worker = IoWorker(paths=app_paths)
    thread = start_in_thread(worker, name="test-files")
    try:
        client = ScanClient(worker)
        req = ScanRequest(root=repo, plan=plan_from_text("# Plan\nChange `farewell` in m0/farewell_words.py.\n"), max_file_bytes=100_000)
        client.scan.emit(req)
        qtbot.waitUntil(lambda: bool(client.results), timeout=20_000)
        kind, got, codebase, ranked = client.results[-1]
        assert kind == "done" and got is req and len(codebase.files) == 621
        assert client.progress and client.progress[0] >= 500
        assert ranked[0].rel_path == "m0/farewell_words.py"

        cancelled = ScanRequest(root=repo, plan=None, max_file_bytes=100_000)
        cancelled.cancel.set()
        client.scan.emit(cancelled)
        qtbot.waitUntil(lambda: len(client.results) == 2, timeout=20_000)
        assert client.results[-1] == ("failed", cancelled, "")
    finally:
        stop_thread(thread)


def test_stream_view_buffers_and_appends_without_new_paragraphs(qtbot):
    view = StreamView()
    qtbot.addWidget(view)
    for piece in ["Hel", "lo", " wor", "ld\n", "next"]:
        view.append(piece)
    assert view.editor.toPlainText() == ""  # nothing is drawn until the timer flushes
    qtbot.waitUntil(lambda: view.editor.toPlainText() == "Hello world\nnext", timeout=1_000)
    assert view.editor.document().blockCount() == 2
    assert view.text() == "Hello world\nnext" and not view.is_edited()
    view.show_markdown()
    assert view.is_markdown_shown() and "Hello world" in view.rendered.toPlainText()
    view.set_editing(True)
    view.editor.setPlainText("mine")
    assert view.is_edited() and view.text() == "mine"
    view.clear()
    assert view.text() == "" and not view.is_edited()


def test_the_model_sha256_the_store_knows_goes_to_the_local_engine_for_the_record(qtbot, worker_with, codebase, app_paths, smollm2_path):
    from desktop.llm.store import hash_index

    hash_index(app_paths).put(smollm2_path, "ab" * 32)  # as the store leaves it after verifying the file
    specs = []
    engine = ReplayEngine([REFLECTION])

    def factory(spec):
        specs.append(spec)
        return engine

    worker, client = worker_with(factory)
    spec = EngineSpec(smollm2_path, 2048, 1, 0)
    finish(qtbot, client, lambda: client.reflect.emit(RunRequest(
        engine=spec, options=RunOptions(reflection_tokens=500, answer_tokens=500, max_repairs=0),
        plan=plan_from_text(PLAN), codebase=codebase)))
    assert specs[0].sha256 == "ab" * 32
    made = local_engine(specs[0])
    assert made.info().sha256 == "ab" * 32
