"""Prompt-lookup decoding at temperature 0: guesses copied from the prompt, checked in one batch.

Phase 2 answers repeat much of what the model was shown (a whole file with a few lines
changed, the lines around an edit). When the last tokens written also stand earlier in the
prompt or the answer, the tokens that followed them there are a cheap guess at what comes
next. The current token and the guess are evaluated in one batch, and each guessed token the
model would have picked itself (the argmax of its logits) is kept, up to the first it would
not have. Greedy decoding gives the same tokens either way, up to the float rounding of a
batched evaluation; only the time changes. A guess pays only when its batch takes less time
per token it produced than a one-token step (timed as it goes): where guesses keep failing
(prose), or where the machine computes a batch no faster per token than single steps (a small
CPU: measured 0.95x on a whole-file answer), the next guess waits 1, 2, 4 ... 256 tokens, so
decoding falls back to plain steps by itself.

Unlike llama-cpp-python's `LlamaPromptLookupDecoding`, which needs `logits_all=True` (a
context × vocabulary float array: 2.5 GB at 4,096 tokens for Qwen2.5), only the batch's own
logits are read, straight from llama.cpp.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

__all__ = ["NgramIndex", "greedy_lookup_tokens"]

NGRAM_SIZES = (3, 2)  # the longest match wins; a single token guesses too often in prose
DRAFT_TOKENS = 10
MAX_PAUSE = 256  # tokens without guessing after guesses that did not pay several times


class NgramIndex:
    """Where each short run of tokens last appeared with a known continuation."""

    def __init__(self, tokens: list[int], *, sizes: tuple[int, ...] = NGRAM_SIZES) -> None:
        self.sizes = sizes
        self.tokens: list[int] = []
        self._after: dict[tuple[int, ...], int] = {}
        for token in tokens:
            self.append(token)

    def append(self, token: int) -> None:
        end = len(self.tokens)  # the run ending here is followed by `token`
        for n in self.sizes:
            if end >= n:
                self._after[tuple(self.tokens[end - n:end])] = end
        self.tokens.append(token)

    def draft(self, limit: int) -> list[int]:
        """The tokens that followed the latest earlier occurrence of the current ending."""
        if limit <= 0:
            return []
        end = len(self.tokens)
        for n in self.sizes:
            if end < n:
                continue
            at = self._after.get(tuple(self.tokens[end - n:end]))
            if at is not None:
                return self.tokens[at:at + limit]
        return []


def greedy_lookup_tokens(llm, prompt: list[int], *, max_draft: int = DRAFT_TOKENS) -> Iterator[int]:
    """Greedy tokens after `prompt`, whose every token is already in `llm`'s KV cache with the
    last one's logits fresh (as `LlamaEngine._read_prompt` leaves it). Stops when the reader
    stops reading or the context is full; the reader decides about end-of-text and budgets."""
    import numpy as np
    import llama_cpp
    from llama_cpp._internals import LlamaBatch

    ctx = llm._ctx.ctx
    n_vocab = llm.n_vocab()
    n_ctx = llm.n_ctx()
    batch = LlamaBatch(n_tokens=max_draft + 1, embd=0, n_seq_max=1)

    def best(i: int) -> int:
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, i), shape=(n_vocab,))
        return int(logits.argmax())

    index = NgramIndex(prompt)
    token = best(-1)
    backoff = pause = 0  # after a guess that did not pay, guess again only later
    step = None  # seconds of a one-token step (moving average): what a guess must beat
    while True:
        yield token
        index.append(token)
        n_past = llm.n_tokens
        room = n_ctx - n_past - 1
        if room < 0:
            return
        if pause:
            pause -= 1
            run = [token]
        else:
            run = [token] + index.draft(min(max_draft, room))
        started = time.perf_counter()
        llm._ctx.kv_cache_seq_rm(-1, n_past, -1)  # entries of guesses rejected last time
        batch.set_batch(batch=run, n_past=n_past, logits_all=True)
        llm._ctx.decode(batch)
        llm.input_ids[n_past:n_past + len(run)] = run
        kept = 0
        for i, guess in enumerate(run[1:]):
            if best(i) != guess:
                break
            kept += 1
        llm.n_tokens = n_past + 1 + kept
        seconds = time.perf_counter() - started
        if len(run) == 1:
            step = seconds if step is None else 0.8 * step + 0.2 * seconds
        else:
            # A guess pays when its batch took less time per token it produced than one step.
            paid = kept > 0 and step is not None and seconds / (1 + kept) < step
            backoff = 0 if paid else min(2 * backoff or 1, MAX_PAUSE)
            pause = backoff
        for guess in run[1:1 + kept]:
            yield guess
            index.append(guess)
        token = best(kept)
