"""Notice when a greedy answer has fallen into a loop, so generation can stop early.

At temperature 0 a small model can repeat the same block until the token budget runs out
(minutes on a CPU). Everything after the loop starts is a copy of what came before, so
stopping there loses nothing and gives the time back to the checks and a repair turn.
"""

from __future__ import annotations

__all__ = ["LoopGuard"]


class LoopGuard:
    """Feed streamed text; `looping` turns true once its tail has already occurred `repeats` times.

    A tail of `window` characters seen `repeats` times before is far longer than anything
    code legitimately repeats that often (SEARCH/REPLACE pairs repeat text once).
    """

    def __init__(self, *, window: int = 240, repeats: int = 3, every: int = 40) -> None:
        self.window = window
        self.repeats = repeats
        self.every = every
        self.text = ""
        self._checked = 0
        self.looping = False

    def feed(self, piece: str) -> bool:
        self.text += piece
        if self.looping or len(self.text) - self._checked < self.every or len(self.text) < self.window * (self.repeats + 1):
            return self.looping
        self._checked = len(self.text)
        tail = self.text[-self.window:]
        # Occurrences before the tail itself (non-overlapping).
        self.looping = self.text.count(tail, 0, len(self.text) - self.window) >= self.repeats
        return self.looping
