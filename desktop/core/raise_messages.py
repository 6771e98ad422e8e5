"""The error messages a plan's code raises, checked against the answer's code.

A plan that writes `raise ValueError("row not on board")` gives the message as part of the
spec: callers and tests compare it. A small model often raises its own wording instead, or
leaves the raise out. A message counts only if the codebase does not hold it yet (one the plan
quotes from the code may be meant to go); it is found when some Python file, as the answer
leaves it, holds it inside a string constant.
"""

from __future__ import annotations

from desktop.core.plan_spec import PlannedRaise
from desktop.core.py_facts import ModuleFacts, facts_of

__all__ = ["check_raise_messages"]

MAX_LISTED = 12


def _holds(facts: ModuleFacts, message: str) -> bool:
    if facts.parses:
        return any(message in s for s in facts.strings)
    return message in facts.text  # a file that does not parse is reported on its own


def check_raise_messages(raises: tuple[PlannedRaise, ...], *, before: dict[str, str],
                         after: dict[str, str]) -> list[str]:
    """One problem naming the plan's `raise` statements whose message no Python file holds once
    the answer is applied. `before`: path to text of the codebase's Python files; `after`: the
    same with the answer's changes (and new files)."""
    if not raises:
        return []
    old = [facts_of(t) for p, t in before.items() if p.endswith(".py")]
    new = [facts_of(t) for p, t in after.items() if p.endswith(".py")]
    if not new:
        return []
    missing = [r for r in raises
               if not any(_holds(f, r.message) for f in old) and not any(_holds(f, r.message) for f in new)]
    if not missing:
        return []
    listed = "".join(f"\n  - `{r.statement}`" + (f" ({r.when})" if r.when else "") for r in missing[:MAX_LISTED])
    more = f"\n  - and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
    return [f"The plan's code raises {'this' if len(missing) == 1 else 'these'}, but your code never raises "
            f"{'its message' if len(missing) == 1 else 'their messages'}. Raise each where the plan says, with "
            f"exactly the plan's exception and message:{listed}{more}"]
