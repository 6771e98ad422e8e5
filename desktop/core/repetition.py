"""Notice when a greedy answer has fallen into a loop, so generation can stop early.

At temperature 0 a small model can repeat the same block until the token budget runs out
(minutes on a CPU). Everything after the loop starts is a copy of what came before, so
stopping there loses nothing and gives the time back to the checks and a repair turn.

A loop may also count: `if n == 8: return True`, `if n == 10: return True`, ... to the
budget's end, the same lines with only their numbers changing. That is caught too, after one
more round, since a table of numbers may legitimately repeat its shape a few times.
"""

from __future__ import annotations

import re

__all__ = ["LoopGuard"]

_NUMBER = re.compile(r"\d+")


def _count(text: str, window: int) -> int:
    """How often the last `window` characters occurred before them (non-overlapping)."""
    return text.count(text[-window:], 0, len(text) - window)


class LoopGuard:
    """Feed streamed text; `looping` turns true once its tail has already occurred `repeats` times
    (or `repeats + 1` times with every number taken as the same).

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
        self.counting = False  # the loop repeats its lines with only their numbers changing

    def feed(self, piece: str) -> bool:
        self.text += piece
        if self.looping or len(self.text) - self._checked < self.every or len(self.text) < self.window * (self.repeats + 1):
            return self.looping
        self._checked = len(self.text)
        self.looping = _count(self.text, self.window) >= self.repeats
        if not self.looping and len(self.text) >= self.window * (self.repeats + 2):
            self.counting = self.looping = _count(_NUMBER.sub("0", self.text), self.window) >= self.repeats + 1
        return self.looping
