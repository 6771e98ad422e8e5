"""EventBus: handlers subscribe to topic patterns; publish calls them in priority order.

Handlers receive ``(topic, payload)``. Higher priority runs first; equal priorities run in
subscription order. A failing handler does not stop the others: its exception is collected
and re-raised at the end of ``publish`` as a HandlerError (or only logged, if the bus was
created with ``raise_errors=False``).
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from eventbus.topics import matches, validate_topic

log = logging.getLogger(__name__)

Handler = Callable[[str, Any], None]


class HandlerError(Exception):
    """One or more handlers raised while an event was published."""

    def __init__(self, topic: str, errors: list[tuple[Handler, BaseException]]):
        names = ", ".join(getattr(h, "__name__", repr(h)) for h, _ in errors)
        super().__init__(f"{len(errors)} handler(s) failed for {topic!r}: {names}")
        self.topic = topic
        self.errors = errors


@dataclass(frozen=True)
class Subscription:
    """Token returned by subscribe; pass it to unsubscribe."""

    id: int
    pattern: str
    handler: Handler = field(compare=False)
    priority: int = 0


@dataclass
class _Record:
    topic: str
    payload: Any
    delivered: int


class EventBus:
    def __init__(self, *, raise_errors: bool = True, keep_history: int = 0):
        self._subs: dict[int, Subscription] = {}
        self._ids = itertools.count(1)
        self._raise_errors = raise_errors
        self._keep_history = keep_history
        self._history: list[_Record] = []
        self._paused = False
        self._queued: list[tuple[str, Any]] = []
        self._published: dict[str, int] = {}

    # -- subscriptions --------------------------------------------------------------

    def subscribe(self, pattern: str, handler: Handler, *, priority: int = 0) -> Subscription:
        """Call ``handler(topic, payload)`` for every published topic matching ``pattern``."""
        validate_topic(pattern, pattern=True)
        if not callable(handler):
            raise TypeError("handler must be callable")
        sub = Subscription(next(self._ids), pattern, handler, priority)
        self._subs[sub.id] = sub
        return sub

    def unsubscribe(self, sub: Subscription) -> bool:
        """Remove a subscription; return False if it was already gone."""
        return self._subs.pop(sub.id, None) is not None

    def unsubscribe_all(self, pattern: str | None = None) -> int:
        """Remove every subscription (or those with exactly ``pattern``); return how many."""
        doomed = [s.id for s in self._subs.values() if pattern is None or s.pattern == pattern]
        for sub_id in doomed:
            del self._subs[sub_id]
        return len(doomed)

    def subscriptions(self, topic: str | None = None) -> list[Subscription]:
        """Subscriptions in call order, optionally only those matching ``topic``."""
        subs = [s for s in self._subs.values() if topic is None or matches(s.pattern, topic)]
        return sorted(subs, key=lambda s: (-s.priority, s.id))

    def has_subscribers(self, topic: str) -> bool:
        return any(matches(s.pattern, topic) for s in self._subs.values())

    def on(self, pattern: str, *, priority: int = 0) -> Callable[[Handler], Handler]:
        """Decorator form of subscribe; returns the function unchanged."""

        def register(handler: Handler) -> Handler:
            self.subscribe(pattern, handler, priority=priority)
            return handler

        return register

    def __len__(self) -> int:
        """Number of active subscriptions."""
        return len(self._subs)

    # -- publishing -------------------------------------------------------------------

    def publish(self, topic: str, payload: Any = None) -> int:
        """Deliver an event; return the number of handlers called."""
        validate_topic(topic)
        if self._paused:
            self._queued.append((topic, payload))
            return 0
        errors: list[tuple[Handler, BaseException]] = []
        called = 0
        for sub in self.subscriptions(topic):
            if sub.id not in self._subs:
                continue  # removed by an earlier handler during this publish
            called += 1
            try:
                sub.handler(topic, payload)
            except Exception as exc:  # noqa: BLE001 - collected and reported below
                errors.append((sub.handler, exc))
        self._published[topic] = self._published.get(topic, 0) + 1
        self._remember(topic, payload, called)
        if errors:
            error = HandlerError(topic, errors)
            if self._raise_errors:
                raise error
            log.error("%s", error)
        return called

    def _remember(self, topic: str, payload: Any, delivered: int) -> None:
        if self._keep_history <= 0:
            return
        self._history.append(_Record(topic, payload, delivered))
        del self._history[: -self._keep_history]

    def history(self) -> list[tuple[str, Any, int]]:
        """(topic, payload, handlers called) of the last ``keep_history`` events."""
        return [(r.topic, r.payload, r.delivered) for r in self._history]

    def publish_many(self, events: list[tuple[str, Any]]) -> int:
        """Publish several (topic, payload) events in order; return handlers called."""
        for topic, _ in events:
            validate_topic(topic)
        return sum(self.publish(topic, payload) for topic, payload in events)

    def replay(self, pattern: str, handler: Handler) -> int:
        """Call ``handler`` for remembered events matching ``pattern``; return how many."""
        validate_topic(pattern, pattern=True)
        count = 0
        for record in list(self._history):
            if matches(pattern, record.topic):
                handler(record.topic, record.payload)
                count += 1
        return count

    def dead_letters(self) -> list[tuple[str, Any]]:
        """Remembered events that reached no handler."""
        return [(r.topic, r.payload) for r in self._history if r.delivered == 0]

    # -- pausing ------------------------------------------------------------------------

    def pause(self) -> None:
        """Queue published events instead of delivering them."""
        self._paused = True

    def resume(self) -> int:
        """Deliver queued events in order; return the number of handlers called."""
        self._paused = False
        queued, self._queued = self._queued, []
        return sum(self.publish(topic, payload) for topic, payload in queued)

    @property
    def paused(self) -> bool:
        return self._paused

    def pending(self) -> int:
        """Number of events waiting while paused."""
        return len(self._queued)

    def discard_pending(self) -> int:
        """Drop queued events without delivering them; return how many were dropped."""
        dropped = len(self._queued)
        self._queued.clear()
        return dropped

    # -- statistics ---------------------------------------------------------------------

    def publish_counts(self) -> dict[str, int]:
        """How many times each topic was published (queued events count when delivered)."""
        return dict(sorted(self._published.items()))

    def clear_history(self) -> None:
        self._history.clear()

    def __repr__(self) -> str:
        state = "paused" if self._paused else "running"
        return f"EventBus({len(self._subs)} subscriptions, {state})"
