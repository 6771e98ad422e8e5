"""The in-process engine with the real SmolLM2-135M model."""

from __future__ import annotations

import threading
import time

import pytest

from desktop.errors import ContextError, ModelFileError
from desktop.llm.llama_engine import LlamaEngine

USER = [{"role": "user", "content": "Write a Python function that reverses a string."}]


def test_streams_text_and_reports_usage(smollm2_engine):
    progress = []
    text = "".join(smollm2_engine.stream(USER, max_tokens=40, on_prompt_progress=lambda d, t: progress.append((d, t))))
    usage = smollm2_engine.last_usage
    assert text.strip()
    assert usage.generated_tokens > 0 and usage.generated_tokens <= 40
    assert usage.prompt_tokens == smollm2_engine.count_message_tokens(USER)
    assert progress[-1][0] == progress[-1][1]  # prompt reading reached the end
    assert usage.tokens_per_second > 0 and usage.prompt_seconds > 0


def test_greedy_is_deterministic(smollm2_engine):
    a = "".join(smollm2_engine.stream(USER, max_tokens=30))
    # Same engine: the cache now holds the first answer, so the prompt prefix is reused.
    b = "".join(smollm2_engine.stream(USER, max_tokens=30))
    assert a == b
    assert smollm2_engine.last_usage.cached_tokens > 0


def test_followup_reuses_the_kv_cache_of_prompt_and_answer(smollm2_engine):
    long_user = [{"role": "user", "content": "Explain this code.\n" + "def f(x):\n    return x * 2\n" * 40}]
    answer = "".join(smollm2_engine.stream(long_user, max_tokens=60))
    first = smollm2_engine.last_usage
    follow = long_user + [{"role": "assistant", "content": answer}, {"role": "user", "content": "Shorter, please."}]
    tokens = smollm2_engine.prompt_tokens(follow)
    # The token list continues exactly what the model read and sampled.
    assert tokens[: first.prompt_tokens] == smollm2_engine.prompt_tokens(long_user)
    "".join(smollm2_engine.stream(follow, max_tokens=10))
    second = smollm2_engine.last_usage
    assert second.cached_tokens >= first.prompt_tokens + first.generated_tokens - 1
    assert second.prompt_tokens - second.cached_tokens < 30


def test_a_prompt_moved_away_from_is_not_read_again(smollm2_engine):
    """Two conversations in turn (kv_copies.py): coming back to the first reads only what is new,
    and greedy answers are the same as from a prompt read whole."""
    system = {"role": "system", "content": "You review Python code. " * 10}
    first = [system, {"role": "user", "content": "Explain this code.\n" + "def f(x):\n    return x * 2\n" * 30}]
    other = [system, {"role": "user", "content": "Name three sorting algorithms."}]
    smollm2_engine.forget()
    answer = "".join(smollm2_engine.stream(first, max_tokens=20))
    read = smollm2_engine.last_usage
    "".join(smollm2_engine.stream(other, max_tokens=20))
    assert smollm2_engine.last_usage.cached_tokens < 80  # only the system prompt was shared
    again = "".join(smollm2_engine.stream(first, max_tokens=20))
    assert smollm2_engine.last_usage.cached_tokens >= read.prompt_tokens - 1  # from the copy
    assert again == answer
    smollm2_engine.forget()  # drops the copies too
    assert "".join(smollm2_engine.stream(first, max_tokens=20)) == answer
    assert smollm2_engine.last_usage.cached_tokens == 0


def test_no_copies_within_a_zero_byte_limit(smollm2_path):
    engine = LlamaEngine(smollm2_path, context_size=2048, threads=1, kv_copy_bytes=0)
    try:
        system = {"role": "system", "content": "You review Python code. " * 10}
        first = [system, {"role": "user", "content": "def f(x):\n    return x * 2\n" * 30}]
        "".join(engine.stream(first, max_tokens=5))
        "".join(engine.stream([system, {"role": "user", "content": "Hello."}], max_tokens=5))
        "".join(engine.stream(first, max_tokens=5))
        assert engine.last_usage.cached_tokens < 80  # read again: nothing was kept
    finally:
        engine.close()


def test_stop_ends_generation_quickly(smollm2_engine):
    stop = threading.Event()
    pieces = []
    stopped_at = []

    def consume():
        for piece in smollm2_engine.stream(
            [{"role": "user", "content": "Count from 1 to 5000, one number per line."}],
            max_tokens=3000,
            stop_event=stop,
            ignore_eos=True,
        ):
            pieces.append(piece)
        stopped_at.append(time.perf_counter())

    worker = threading.Thread(target=consume)
    worker.start()
    while len(pieces) < 20:
        time.sleep(0.01)
    t0 = time.perf_counter()
    stop.set()
    worker.join(5)
    assert not worker.is_alive()
    assert stopped_at[0] - t0 < 0.5
    assert smollm2_engine.last_usage.finish_reason == "cancelled"
    assert "".join(pieces)  # the text so far stays


def test_stop_interrupts_prompt_reading(smollm2_path):
    engine = LlamaEngine(smollm2_path, context_size=8192, threads=2, n_batch=2048)
    long_prompt = [{"role": "user", "content": "word " * 7000}]
    stop = threading.Event()
    progress = []
    done_at = []

    def consume():
        list(engine.stream(long_prompt, max_tokens=5, stop_event=stop, on_prompt_progress=lambda d, t: progress.append(d)))
        done_at.append(time.perf_counter())

    engine.load()
    worker = threading.Thread(target=consume)
    worker.start()
    while not progress:
        time.sleep(0.005)
    time.sleep(0.05)
    t0 = time.perf_counter()
    stop.set()
    worker.join(10)
    assert done_at and done_at[0] - t0 < 2.0
    assert engine.last_usage.finish_reason == "cancelled"
    assert engine.last_usage.generated_tokens == 0
    # The engine is still usable after an abort.
    assert "".join(engine.stream(USER, max_tokens=5))
    engine.close()


def test_prompt_larger_than_context_is_refused(smollm2_path):
    engine = LlamaEngine(smollm2_path, context_size=512, threads=2)
    with pytest.raises(ContextError, match="context"):
        list(engine.stream([{"role": "user", "content": "word " * 2000}], max_tokens=10))
    engine.close()


@pytest.mark.parametrize("content", [b"", b"this is not a model\n" * 100, b"GGUF\x03\x00\x00\x00"])
def test_bad_model_file_gives_a_typed_error(tmp_path, content):
    fake = tmp_path / "model.gguf"
    fake.write_bytes(content)
    engine = LlamaEngine(fake)
    with pytest.raises(ModelFileError):
        engine.load()


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelFileError, match="not found|does not exist|No such"):
        LlamaEngine(tmp_path / "nope.gguf").load()


def test_prefill_starts_the_reply_and_the_next_turn_still_reuses_the_cache(smollm2_engine):
    start = "def reverse(text):\n"
    text = "".join(smollm2_engine.stream(USER, max_tokens=24, prefill=start))
    first = smollm2_engine.last_usage
    assert first.prompt_tokens > smollm2_engine.count_message_tokens(USER)  # the prefill was read as prompt
    follow = USER + [{"role": "assistant", "content": start + text}, {"role": "user", "content": "Thanks."}]
    "".join(smollm2_engine.stream(follow, max_tokens=4))
    assert smollm2_engine.last_usage.cached_tokens >= first.prompt_tokens + first.generated_tokens - 1


def test_a_seed_makes_sampling_repeatable_and_another_seed_samples_otherwise(smollm2_engine):
    def sample(seed):
        return "".join(smollm2_engine.stream(USER, max_tokens=40, temperature=1.2, seed=seed))

    sample(1)  # the first call reads the prompt cold; the next ones re-read only its last token
    first = sample(1)
    assert sample(1) == first
    assert any(sample(s) != first for s in (2, 3, 4))


def test_a_reader_that_stops_early_is_not_reported_as_the_length_limit(smollm2_engine):
    stream = smollm2_engine.stream(USER, max_tokens=200)
    for n, _ in enumerate(stream):
        if n == 5:
            break
    stream.close()  # as the loop guard does
    assert smollm2_engine.last_usage.finish_reason == "stop"
    assert "".join(smollm2_engine.stream(USER, max_tokens=3)) and smollm2_engine.last_usage.finish_reason == "length"
