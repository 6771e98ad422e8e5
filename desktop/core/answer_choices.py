"""The Phase 2 answers of a run that wrote more than one (fresh answers or candidates tried while
the checks failed), as choices the review can open instead of the one the checks kept.

Answer 1 is the first answer with the repairs the run kept on it; answers 2, 3, ... are those
written afresh, each on its own, numbered as the run's notices number them. Each choice says
how its checks went. A run with a follow-up has no choices: a follow-up revises the kept
answer. Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from desktop.core.changes import ChangeSet
from desktop.core.compose import compose_answers
from desktop.core.review_ticks import set_review_ticks
from desktop.core.turns import Turn, best_of_round, ran_checks, score

__all__ = ["AnswerChoice", "answer_choices", "changeset_for"]


@dataclass(frozen=True)
class AnswerChoice:
    number: int  # 1, 2, ...: "answer 2" as the run's notices call it
    turns: tuple[int, ...]  # the indices of the turns composed into its changes, in order
    kept: bool  # the answer the checks kept: the one the review shows first
    how: str  # how it was written, e.g. "first answer, 1 repair"
    verdict: str  # how its checks went, e.g. "passes its checks"

    @property
    def label(self) -> str:
        return f"Answer {self.number} ({self.how}): {self.verdict}" + (" · kept" if self.kept else "")


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _verdict(turn: Turn) -> str:
    problems = score(turn)[1]
    if not ran_checks(turn):
        return "not checked" if not problems else _count(problems, "problem") + ", not checked"
    return "passes its checks" if not problems else _count(problems, "problem") + " after its checks"


def _how(turns: list[Turn], indices: list[int]) -> str:
    first = turns[indices[0]]
    if first.kind == "implementation":
        repairs = sum(1 for i in indices if turns[i].kind == "repair")
        how = "first answer" + (", " + _count(repairs, "repair") if repairs else "")
    else:
        how = "written afresh" if first.kind == "retry" else "sampled candidate"
    if any(turns[i].kind == "edit" for i in indices):
        how += ", without an early exit it added"
    return how + (", then asked for whole" if turns[indices[-1]].kind == "final" else "")


def answer_choices(turns: list[Turn]) -> list[AnswerChoice]:
    """The run's Phase 2 answers as choices, in the order written; [] when there is only one
    (or the run went on with a follow-up)."""
    if any(t.kind == "followup" for t in turns):
        return []
    groups: dict[int, list[int]] = {}
    for i, turn in enumerate(turns[1:], 1):
        if turn.kind != "final":  # the last whole-file turn builds on the kept answer (below)
            groups.setdefault(turn.candidate, []).append(i)
    if len(groups) < 2 or 0 not in groups:
        return []
    finals = [i for i, t in enumerate(turns) if t.kind == "final" and t.kept]
    choices = []
    for number, (candidate, indices) in enumerate(sorted(groups.items()), 1):
        kept = any(turns[i].kept for i in indices)
        if kept:
            indices = [i for i in indices if turns[i].kept] + finals
        elif candidate == 0:
            # Answer 1 lost to a later one and its kept flags were reset: it is the first
            # answer with the repairs up to the best of them, as the run judged them.
            best = best_of_round(turns[:max(indices) + 1])
            indices = [i for i in indices if best is None or i <= best]
        choices.append(AnswerChoice(number, tuple(indices), kept, _how(turns, indices),
                                    _verdict(turns[indices[-1]])))
    return choices


def changeset_for(choice: AnswerChoice, turns: list[Turn], *, root: Path, files: list[str] | None,
                  plan_text: str, other_files: Callable[[], Iterable[tuple[str, str]]] = tuple
                  ) -> tuple[ChangeSet, list[str]]:
    """The changes of one answer as the review shows them (ticks set as for a run's own answer),
    with its checks' results; and a line for the user per change left unticked."""
    changeset = compose_answers([turns[i].text for i in choice.turns], root=root, files=files)
    changeset.checks = list(turns[choice.turns[-1]].checks)
    return changeset, set_review_ticks(changeset, plan_text=plan_text, other_files=other_files)
