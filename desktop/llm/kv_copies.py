"""Copies of the KV cache for prompts the engine moved away from, so it can come back to one
without reading it again.

The KV cache holds one conversation: a call whose prompt parts from it early re-reads the rest.
A run that goes between two conversations (Phase 2 answers written afresh from the plan alone,
then from the strategy, in turn) read the strategy's whole prompt again each time: on a CPU
that is about a minute per switch for the 1.5B model on one thread. So, before the cache drops
a long stretch, the engine copies it here (`llama_state_seq_get_data`, sequence 0: the KV
entries of the tokens held, a few tens of MB for a 1.5B model and a 2,000-token prompt), and a
later prompt that shares more with a copy than with the cache starts from that copy. Copies are
kept within a byte limit, the oldest dropped first. A copy holds the entries as they were
computed, often while the model wrote those tokens one at a time; read again in a batch they
can differ in the last bits, enough to tip a sampled token now and then. Only `desktop/llm`
imports llama_cpp.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

__all__ = ["KvCopies", "shared_prefix"]

MIN_TOKENS = 64  # a shorter stretch is re-read faster than it is copied back and forth


def shared_prefix(a: list[int], b: list[int]) -> int:
    """How many tokens `a` and `b` have in common from the start."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


@dataclass
class _Copy:
    tokens: list[int]
    data: ctypes.Array


class KvCopies:
    """Saved KV entries of sequence 0, most recent last; at most `max_bytes` in all (0: none)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._copies: list[_Copy] = []

    @property
    def held_bytes(self) -> int:
        return sum(len(c.data) for c in self._copies)

    def clear(self) -> None:
        self._copies.clear()

    def save(self, llm, tokens: list[int]) -> bool:
        """Copy the cache, which holds `tokens`; a copy it extends is dropped. False: too large."""
        import llama_cpp

        if len(tokens) < MIN_TOKENS or self.max_bytes <= 0:
            return False
        ctx = llm._ctx.ctx
        size = int(llama_cpp.llama_state_seq_get_size(ctx, 0))
        if size <= 0 or size > self.max_bytes:
            return False
        data = (ctypes.c_uint8 * size)()
        written = int(llama_cpp.llama_state_seq_get_data(ctx, data, size, 0))
        if written <= 0 or written > size:
            return False
        if written < size:
            data = (ctypes.c_uint8 * written).from_buffer_copy(data)
        self._copies = [c for c in self._copies if shared_prefix(c.tokens, tokens) < len(c.tokens)]
        self._copies.append(_Copy(list(tokens), data))
        while self.held_bytes > self.max_bytes:
            self._copies.pop(0)
        return True

    def best(self, tokens: list[int]) -> tuple[int, int]:
        """(index, tokens shared with `tokens`) of the copy that shares most; (-1, 0) when none."""
        found = (-1, 0)
        for i, copy in enumerate(self._copies):
            n = shared_prefix(copy.tokens, tokens)
            if n > found[1]:
                found = (i, n)
        return found

    def restore(self, llm, index: int) -> bool:
        """Put copy `index` back in the cache; the engine's token record follows. False: it failed
        (the cache is then empty, and the prompt is read whole)."""
        import llama_cpp

        copy = self._copies.pop(index)
        llm._ctx.kv_cache_seq_rm(-1, 0, -1)
        llm.n_tokens = 0
        done = int(llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, copy.data, len(copy.data), 0))
        if done <= 0:
            llm._ctx.kv_cache_seq_rm(-1, 0, -1)
            return False
        llm.input_ids[: len(copy.tokens)] = copy.tokens
        llm.n_tokens = len(copy.tokens)
        self._copies.append(copy)  # the most recent again
        return True
