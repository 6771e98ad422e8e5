"""How a turn's answer is streamed: the rules a small local model needs, or plain streaming.

`Run` streams every Phase 2 turn through a strategy. `SmallModelStrategy` (for engines that
can continue a reply they did not write, `Engine.supports_prefill`) starts the reply at the
first target, cuts copies of unchanged definitions (see `steer.Steer`), makes a turn that
wrote no code block go on in one and one whose file closed without a stub go on at the stub,
and starts a repair at a stub that is all that is left. `PlainStrategy` streams the answer as
the model writes it, for a large model or a team server; both stop a greedy loop.
"""

from __future__ import annotations

from desktop.core.repetition import LoopGuard
from desktop.core.steer import Cut, Steer, Target

__all__ = ["PlainStrategy", "SmallModelStrategy", "choose_strategy"]


def _has_block(text: str) -> bool:
    return "```" in text or "~~~" in text


class PlainStrategy:
    name = "plain"

    def __init__(self, steer: Steer) -> None:
        self.steer = steer

    def loop_guard(self) -> LoopGuard:
        return LoopGuard()

    def opening(self) -> str:
        return ""

    def copy_start(self, text: str, *, after: int, written: str) -> Cut | None:
        return None

    def redirect(self, text: str, cut: Cut, *, written: str, end: bool) -> tuple[str, bool]:
        return text, False

    def continuation(self, text: str, *, after: int) -> str:
        """Text to add before generation goes on after the answer ended; "" to end the turn."""
        return ""

    def repair_opening(self, proposed: dict[str, str]) -> str:
        """The start of a repair's reply, given the answers' new text of each file; "" for none."""
        return ""

    def reopen(self, text: str, *, written: str) -> tuple[str, Target] | None:
        """The ended answer, reopened at a target its file's block left out (see `Steer.reopen`)."""
        return None


class SmallModelStrategy(PlainStrategy):
    name = "small-model"

    def opening(self) -> str:
        return self.steer.opening()

    def copy_start(self, text: str, *, after: int, written: str) -> Cut | None:
        return self.steer.copy_start(text, after=after, written=written)

    def redirect(self, text: str, cut: Cut, *, written: str, end: bool) -> tuple[str, bool]:
        return self.steer.redirect(text, cut, written=written, end=end)

    def repair_opening(self, proposed: dict[str, str]) -> str:
        return self.steer.repair_opening(proposed)

    def reopen(self, text: str, *, written: str) -> tuple[str, Target] | None:
        return self.steer.reopen(text, written=written)

    def continuation(self, text: str, *, after: int) -> str:
        if _has_block(text[after:]) or _has_block(text):
            return ""
        opening = self.steer.block_opening()
        return ("\n\n" + opening) if opening else ""


def choose_strategy(name: str, *, supports_prefill: bool, steer: Steer) -> PlainStrategy:
    """`name` "auto" picks the small-model rules where the engine can continue a reply."""
    if name == "plain" or (name == "auto" and not supports_prefill):
        return PlainStrategy(steer)
    if not supports_prefill:
        return PlainStrategy(steer)  # the rules continue a reply: without a prefill they cannot
    return SmallModelStrategy(steer)
