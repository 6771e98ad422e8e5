import pytest

from eventbus import EventBus, HandlerError, Subscription


def test_fires_once():
    bus = EventBus()
    seen = []
    sub = bus.subscribe_once("app.ready", lambda t, p: seen.append(p))
    assert isinstance(sub, Subscription) and sub.once is True
    assert len(bus) == 1
    assert bus.publish("app.ready", 1) == 1
    assert bus.publish("app.ready", 2) == 0
    assert seen == [1]
    assert len(bus) == 0
    assert bus.subscriptions() == []


def test_normal_subscribe_not_once():
    bus = EventBus()
    assert bus.subscribe("a", lambda t, p: None).once is False


def test_pattern_not_consumed_by_other_topic():
    bus = EventBus()
    seen = []
    bus.subscribe_once("orders.*", lambda t, p: seen.append(t))
    bus.publish("users.created")
    bus.publish("orders.created")
    bus.publish("orders.paid")
    assert seen == ["orders.created"]


def test_priority_and_count():
    bus = EventBus()
    order = []
    bus.subscribe("x", lambda t, p: order.append("normal"))
    bus.subscribe_once("x", lambda t, p: order.append("once-high"), priority=10)
    assert bus.publish("x") == 2
    assert bus.publish("x") == 1
    assert order == ["once-high", "normal", "normal"]


def test_two_once_handlers_both_fire():
    bus = EventBus()
    seen = []
    bus.subscribe_once("x", lambda t, p: seen.append("a"))
    bus.subscribe_once("x", lambda t, p: seen.append("b"))
    assert bus.publish("x") == 2
    assert bus.publish("x") == 0
    assert seen == ["a", "b"]


def test_reentrant_publish_does_not_refire():
    bus = EventBus()
    seen = []

    def handler(topic, payload):
        seen.append(payload)
        bus.publish("x", payload + 1)

    bus.subscribe_once("x", handler)
    bus.publish("x", 1)
    assert seen == [1]


def test_raising_handler_is_still_removed():
    bus = EventBus()

    def boom(topic, payload):
        raise RuntimeError("boom")

    bus.subscribe_once("x", boom)
    with pytest.raises(HandlerError):
        bus.publish("x")
    assert bus.publish("x") == 0


def test_unsubscribe_before_and_after():
    bus = EventBus()
    seen = []
    sub = bus.subscribe_once("x", lambda t, p: seen.append(p))
    assert bus.unsubscribe(sub) is True
    bus.publish("x", 1)
    assert seen == []
    sub2 = bus.subscribe_once("x", lambda t, p: seen.append(p))
    bus.publish("x", 2)
    assert bus.unsubscribe(sub2) is False
    assert seen == [2]


def test_paused_then_resumed():
    bus = EventBus()
    seen = []
    bus.subscribe_once("x", lambda t, p: seen.append(p))
    bus.pause()
    bus.publish("x", 1)
    bus.publish("x", 2)
    assert seen == []
    assert bus.resume() == 1
    assert seen == [1]


def test_validation_like_subscribe():
    bus = EventBus()
    with pytest.raises(ValueError):
        bus.subscribe_once("Bad Topic", lambda t, p: None)
    with pytest.raises(TypeError):
        bus.subscribe_once("x", "not callable")


def test_existing_behaviour_unchanged():
    bus = EventBus(keep_history=5)
    seen = []
    bus.subscribe("orders.#", lambda t, p: seen.append(t))
    assert bus.publish("orders.created.eu") == 1
    assert bus.publish("nobody.listens") == 0
    assert bus.dead_letters() == [("nobody.listens", None)]
    assert seen == ["orders.created.eu"]
