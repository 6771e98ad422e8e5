"""Stop latency with a real code model (Qwen2.5-Coder-0.5B Q4_K_M), by this test's own clock:
Stop during prompt reading returns within 2 s, during generation within 0.5 s."""

from __future__ import annotations

import threading
import time

import pytest

from desktop.llm.llama_engine import LlamaEngine
from fetch_models import fetch


@pytest.fixture(scope="module")
def qwen05():
    engine = LlamaEngine(fetch("qwen-0.5b"), context_size=8192, threads=2)
    engine.load()
    yield engine
    engine.close()


def _stop_after(engine: LlamaEngine, messages, *, started, **kw) -> tuple[float, list[str], list[int]]:
    """Stream in a thread; once `started(pieces, progress)` holds, press Stop and time the return."""
    stop, pieces, progress, done_at = threading.Event(), [], [], []

    def consume():
        for piece in engine.stream(messages, stop_event=stop, on_prompt_progress=lambda d, t: progress.append(d), **kw):
            pieces.append(piece)
        done_at.append(time.perf_counter())

    worker = threading.Thread(target=consume)
    worker.start()
    deadline = time.monotonic() + 120
    while not started(pieces, progress) and time.monotonic() < deadline and worker.is_alive():
        time.sleep(0.005)
    pressed = time.perf_counter()
    stop.set()
    worker.join(30)
    assert done_at, "the stream did not end after Stop"
    return done_at[0] - pressed, pieces, progress


def test_stop_during_prompt_reading_returns_within_two_seconds(qwen05):
    messages = [{"role": "user", "content": "def f():\n    return 1\n" * 700}]  # several thousand tokens
    took, pieces, progress = _stop_after(qwen05, messages, started=lambda p, g: len(g) >= 1 and g[-1] > 0,
                                         max_tokens=5)
    assert took < 2.0, f"Stop took {took:.2f} s while the prompt was read"
    assert qwen05.last_usage.finish_reason == "cancelled" and not pieces


def test_stop_during_generation_returns_within_half_a_second(qwen05):
    messages = [{"role": "user", "content": "Write the numbers from 1 to 3000 in Python, one per line."}]
    took, pieces, _ = _stop_after(qwen05, messages, started=lambda p, g: len(p) >= 10, max_tokens=2000,
                                  ignore_eos=True)
    assert took < 0.5, f"Stop took {took:.2f} s during generation"
    assert qwen05.last_usage.finish_reason == "cancelled" and "".join(pieces)
