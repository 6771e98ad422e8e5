"""One turn of a run's conversation (the reflection, or a Phase 2 answer), how it is saved in
the run record, and how its checks score it. Qt-free."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from desktop.llm.engine import Usage

__all__ = ["Turn", "best_of_round", "failed_everywhere", "ran_checks", "rank", "score"]


@dataclass
class Turn:
    # "reflection" | "implementation" | "repair" | "retry" | "candidate" | "final" | "followup",
    # or "edit": no model turn, the answer's file with an early exit left out (early_exits.py)
    kind: str
    prompt: str
    text: str = ""
    usage: Usage = field(default_factory=Usage)
    problems: str = ""  # what the checks found in this turn's answer
    checks: list = field(default_factory=list)  # CheckResult.to_dict() of each check run on it
    kept: bool = True  # False: a later check found an earlier answer better; this one is left out
    candidate: int = 0  # which Phase 2 answer the turn belongs to (0: the first answer and its repairs)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "prompt": self.prompt, "text": self.text, "usage": self.usage.as_dict(),
                "problems": self.problems, "checks": self.checks, "kept": self.kept, "candidate": self.candidate}

    @classmethod
    def from_dict(cls, d: dict) -> "Turn":
        """A turn from its record entry; fields a record lacks get their defaults."""
        known = {f.name for f in dataclasses.fields(Usage)}
        usage = Usage(**{k: v for k, v in (d.get("usage") or {}).items() if k in known})
        return cls(str(d.get("kind") or "reflection"), str(d.get("prompt") or ""), str(d.get("text") or ""), usage,
                   str(d.get("problems") or ""), list(d.get("checks") or []), bool(d.get("kept", True)),
                   int(d.get("candidate") or 0))


def ran_checks(turn: Turn) -> bool:
    """Whether a check ran on this turn's answer (not one skipped with its reason)."""
    return any(not c.get("skipped") for c in turn.checks)


def score(turn: Turn) -> tuple[int, int]:
    """Lower is better: a checked answer before an unchecked one, then fewer problems."""
    return (0 if ran_checks(turn) else 1, turn.problems.count("\n- ") + (1 if turn.problems else 0))


def _example_failures(turn: Turn) -> list[dict]:
    """The failures of the answer's example checks (a skipped check has none)."""
    return [f for c in turn.checks if c.get("kind") == "examples" for f in c.get("failures", [])]


def _gave_nothing(turn: Turn) -> int:
    """How many of the answer's failed examples gave nothing: None where a value was expected,
    or an error instead of a value."""
    messages = [f.get("message", "") for f in _example_failures(turn)]
    return sum((m.startswith("gave None (") and not m.endswith("(expected None)")) or not m.startswith("gave ")
               for m in messages)


def rank(turn: Turn) -> tuple[int, int, int]:
    """Lower is better: `score`, then fewer examples that gave nothing. Of two answers that
    fail as many checks, the one that returns values is nearer a working one than the one
    that returns None (a list sorted in place and not returned) or raises."""
    return (*score(turn), _gave_nothing(turn))


def best_of_round(turns: list[Turn]) -> int | None:
    """The index of the best answer of the last round (an answer and the repairs after it),
    or None when no check ran on any. A repair wins only when it does better (`rank`): on a
    tie the earlier answer stays."""
    scored = [i for i, t in enumerate(turns) if t.kind in ("implementation", "repair", "followup")]
    if not scored or not any(ran_checks(turns[i]) for i in scored):
        return None
    start = max(i for i in scored if turns[i].kind != "repair")  # this round's own answer
    return min((i for i in scored if i >= start), key=lambda i: (rank(turns[i]), i))


def failed_everywhere(turns: list[Turn], *, at_least: int = 3) -> tuple[list[str], int]:
    """The example checks that failed on every answer they ran on, and on how many, when they
    ran on at least `at_least`: the example itself may be what is wrong (a value the plan
    states wrongly, or words of the plan read as a call), which no answer can fix."""
    failing, order = [], []
    for turn in turns:
        if any(c.get("kind") == "examples" and not c.get("skipped") for c in turn.checks):
            details = [f["detail"] for f in _example_failures(turn) if f.get("detail")]
            failing.append(set(details))
            order += details
    if len(failing) < at_least:
        return [], len(failing)
    common = set.intersection(*failing)
    return [d for d in dict.fromkeys(order) if d in common], len(failing)
