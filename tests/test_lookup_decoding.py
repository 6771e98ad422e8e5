"""Prompt-lookup decoding: guesses from the prompt, checked by the model in one batch."""

from __future__ import annotations

import threading

import pytest

from desktop.llm.lookup_decoding import NgramIndex
from desktop.settings import Settings


def test_the_index_guesses_what_followed_the_latest_earlier_occurrence():
    index = NgramIndex([1, 2, 3, 4, 5, 9, 1, 2, 3, 7, 8])
    # The ending (2, 3) last stood before 7: the guess is what followed it there.
    index.append(1)
    index.append(2)
    index.append(3)
    assert index.draft(3) == [7, 8, 1]
    assert NgramIndex([5, 6, 7]).draft(4) == []  # an ending seen nowhere else: no guess
    assert index.draft(0) == []
    only_pairs = NgramIndex([4, 4, 4], sizes=(2,))
    assert only_pairs.draft(5) == [4]


@pytest.fixture(scope="module")
def engine(smollm2_path):
    from desktop.llm.llama_engine import LlamaEngine

    engine = LlamaEngine(smollm2_path, context_size=2048, threads=2, gpu_layers=0)
    engine.load()
    yield engine
    engine.close()


COPY = [{"role": "user", "content": "Repeat this list exactly, one item per line:\n"
         + "\n".join(f"item {n}: apples, pears and plums" for n in range(12))}]


def test_greedy_answers_with_and_without_lookup_agree_and_limits_hold(engine):
    engine.prompt_lookup = False
    engine.forget()
    plain = "".join(engine.stream(COPY, max_tokens=60))
    plain_tokens = list(engine._turn.generated)
    engine.prompt_lookup = True
    engine.forget()
    guessed = "".join(engine.stream(COPY, max_tokens=60))
    assert engine.last_usage.generated_tokens == len(engine._turn.generated) <= 60
    # Batched checking may round a near-tie the other way; on a copy the two agree far in.
    same = next((i for i, (a, b) in enumerate(zip(plain_tokens, engine._turn.generated)) if a != b), 60)
    assert same >= 40, (plain, guessed)
    # A follow-up turn continues from the tokens actually written (the KV cache stays valid).
    more = "".join(engine.stream(COPY + [{"role": "assistant", "content": guessed},
                                         {"role": "user", "content": "Now say done."}], max_tokens=8))
    assert engine.last_usage.cached_tokens > 0 and more
    stop = threading.Event()
    stop.set()
    engine.forget()
    assert "".join(engine.stream(COPY, max_tokens=60, stop_event=stop)) == ""


def test_the_setting_reaches_the_engine(smollm2_path):
    from desktop.llm.factory import make_local_engine

    assert make_local_engine(Settings(), model_path=smollm2_path).prompt_lookup is False  # measured slower here
    assert make_local_engine(Settings(prompt_lookup=True), model_path=smollm2_path).prompt_lookup is True
