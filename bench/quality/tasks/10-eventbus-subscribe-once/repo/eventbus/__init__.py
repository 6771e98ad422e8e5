"""An in-process publish/subscribe event bus."""

from eventbus.bus import EventBus, HandlerError, Subscription
from eventbus.topics import matches, validate_topic

__all__ = ["EventBus", "HandlerError", "Subscription", "matches", "validate_topic"]
