"""A small finite-state machine with guards, callbacks and history.

    m = StateMachine("draft", final={"done"})
    m.add_transition("submit", "draft", "review")
    m.add_transition("approve", "review", "done", guard=lambda: reviewer_ok)
    m.fire("submit")   # -> "review"
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

WILDCARD = "*"

Callback = Callable[[str, str, str], None]  # (source, event, target)


class InvalidTransition(Exception):
    """The event is not allowed in the current state."""


class GuardRejected(InvalidTransition):
    """A transition exists but its guard returned False."""


@dataclass(frozen=True)
class Transition:
    event: str
    source: str
    target: str
    guard: Callable[[], bool] | None = None

    def allowed(self) -> bool:
        return self.guard is None or bool(self.guard())


class StateMachine:
    def __init__(self, initial: str, *, final: Iterable[str] = ()):
        self._initial = initial
        self._state = initial
        self._states: set[str] = {initial}
        self._final: frozenset[str] = frozenset(final)
        self._states.update(self._final)
        self._transitions: dict[tuple[str, str], Transition] = {}
        self._on_enter: dict[str, list[Callback]] = defaultdict(list)
        self._on_exit: dict[str, list[Callback]] = defaultdict(list)
        self._listeners: list[Callback] = []
        self._history: list[tuple[str, str, str]] = []

    # -- definition ---------------------------------------------------------------

    @property
    def state(self) -> str:
        return self._state

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self._states)

    def add_state(self, name: str) -> None:
        if not name or name == WILDCARD:
            raise ValueError(f"bad state name: {name!r}")
        self._states.add(name)

    def add_transition(
        self,
        event: str,
        source: str | Iterable[str],
        target: str,
        *,
        guard: Callable[[], bool] | None = None,
    ) -> None:
        """Allow ``event`` to move from ``source`` (a state, several, or '*') to ``target``."""
        sources = [source] if isinstance(source, str) else list(source)
        if not sources:
            raise ValueError("a transition needs at least one source state")
        self.add_state(target)
        for src in sources:
            if src != WILDCARD:
                self.add_state(src)
            key = (event, src)
            if key in self._transitions:
                raise ValueError(f"duplicate transition: {event} from {src}")
            self._transitions[key] = Transition(event, src, target, guard)

    def remove_transition(self, event: str, source: str) -> bool:
        """Forget one transition; return whether it existed."""
        return self._transitions.pop((event, source), None) is not None

    def transitions_from(self, state: str) -> list[Transition]:
        """Transitions leaving ``state`` (wildcards included, guards ignored), by event."""
        found: dict[str, Transition] = {}
        for (event, src), t in self._transitions.items():
            if src == state or (src == WILDCARD and event not in found):
                found[event] = t
        return [found[event] for event in sorted(found)]

    def on_enter(self, state: str, callback: Callback) -> None:
        self._on_enter[state].append(callback)

    def on_exit(self, state: str, callback: Callback) -> None:
        self._on_exit[state].append(callback)

    def on_transition(self, callback: Callback) -> None:
        """Called after every successful transition."""
        self._listeners.append(callback)

    def events(self) -> list[str]:
        """Every event name the machine knows, sorted."""
        return sorted({event for event, _ in self._transitions})

    # -- running ------------------------------------------------------------------

    def is_final(self) -> bool:
        return self._state in self._final

    def _find(self, event: str) -> Transition | None:
        """The transition for ``event`` from the current state; an exact source beats '*'."""
        return self._transitions.get((event, self._state)) or self._transitions.get(
            (event, WILDCARD)
        )

    def fire(self, event: str) -> str:
        """Apply ``event``; return the new state."""
        if self.is_final():
            raise InvalidTransition(f"{self._state!r} is a final state")
        transition = self._find(event)
        if transition is None:
            raise InvalidTransition(f"cannot {event} from {self._state!r}")
        if not transition.allowed():
            raise GuardRejected(f"guard rejected {event} from {self._state!r}")
        source, target = self._state, transition.target
        for callback in self._on_exit.get(source, []):
            callback(source, event, target)
        self._state = target
        self._history.append((source, event, target))
        for callback in self._on_enter.get(target, []):
            callback(source, event, target)
        for callback in self._listeners:
            callback(source, event, target)
        return target

    def history(self) -> list[tuple[str, str, str]]:
        """(source, event, target) for every transition taken, oldest first."""
        return list(self._history)

    def reset(self) -> None:
        """Back to the initial state; history is cleared, callbacks are not run."""
        self._state = self._initial
        self._history.clear()

    def snapshot(self) -> dict:
        return {"state": self._state, "history": [list(h) for h in self._history]}

    def restore(self, snapshot: dict) -> None:
        state = snapshot["state"]
        if state not in self._states:
            raise ValueError(f"unknown state in snapshot: {state!r}")
        self._state = state
        self._history = [tuple(h) for h in snapshot.get("history", [])]

    # -- analysis -------------------------------------------------------------------

    def reachable(self) -> set[str]:
        """States reachable from the initial state, ignoring guards."""
        seen = {self._initial}
        frontier = [self._initial]
        while frontier:
            state = frontier.pop()
            if state in self._final:
                continue
            for (_, src), t in self._transitions.items():
                if src in (state, WILDCARD) and t.target not in seen:
                    seen.add(t.target)
                    frontier.append(t.target)
        return seen

    def unreachable(self) -> list[str]:
        """Declared states that can never be entered, sorted."""
        return sorted(self._states - self.reachable())

    def to_dot(self) -> str:
        """Graphviz text for documentation; final states get a double circle."""
        lines = ["digraph fsm {", "  rankdir=LR;"]
        for state in sorted(self._states):
            shape = "doublecircle" if state in self._final else "circle"
            lines.append(f'  "{state}" [shape={shape}];')
        for (event, src), t in sorted(self._transitions.items()):
            sources = sorted(self._states - self._final) if src == WILDCARD else [src]
            for s in sources:
                lines.append(f'  "{s}" -> "{t.target}" [label="{event}"];')
        lines.append("}")
        return "\n".join(lines)
