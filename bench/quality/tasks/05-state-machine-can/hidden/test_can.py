import pytest

from workflow import GuardRejected, InvalidTransition, StateMachine
from workflow.orders import Order


def machine():
    calls = []
    flag = {"ok": False}
    m = StateMachine("a", final={"z"})
    m.add_transition("go", "a", "b")
    m.add_transition("jump", "a", "c", guard=lambda: flag["ok"])
    m.add_transition("stop", "*", "z")
    m.add_transition("reset", "b", "a")
    m.on_transition(lambda s, e, t: calls.append(e))
    m.on_enter("b", lambda s, e, t: calls.append("enter-b"))
    return m, calls, flag


def test_can_basic():
    m, calls, flag = machine()
    assert m.can("go") is True
    assert m.can("reset") is False
    assert m.can("unknown") is False
    assert m.can("stop") is True


def test_can_respects_guard():
    m, calls, flag = machine()
    assert m.can("jump") is False
    flag["ok"] = True
    assert m.can("jump") is True


def test_can_has_no_side_effects():
    m, calls, flag = machine()
    m.can("go")
    m.available_events()
    assert m.state == "a"
    assert m.history() == []
    assert calls == []


def test_available_events_sorted():
    m, calls, flag = machine()
    assert m.available_events() == ["go", "stop"]
    flag["ok"] = True
    assert m.available_events() == ["go", "jump", "stop"]
    m.fire("go")
    assert m.available_events() == ["reset", "stop"]


def test_final_state():
    m, calls, flag = machine()
    m.fire("stop")
    assert m.can("stop") is False
    assert m.can("go") is False
    assert m.available_events() == []


def test_exact_source_guard_beats_wildcard():
    m = StateMachine("a")
    m.add_transition("x", "*", "b")
    m.add_transition("x", "a", "c", guard=lambda: False)
    assert m.can("x") is False
    with pytest.raises(GuardRejected):
        m.fire("x")


def test_order_next_actions():
    o = Order("o1", 500)
    assert o.next_actions() == ["cancel", "place"]
    o.machine.fire("place")
    assert o.next_actions() == ["cancel"]
    o.record_payment(500)
    assert o.next_actions() == ["cancel", "pay"]
    assert o.log == ["draft -place-> placed"]


def test_existing_behaviour_unchanged():
    o = Order("o2", 100)
    o.machine.fire("place")
    with pytest.raises(GuardRejected):
        o.machine.fire("pay")
    o.record_payment(100)
    assert o.machine.fire("pay") == "paid"
    assert o.machine.fire("ship") == "shipped"
    with pytest.raises(InvalidTransition):
        o.machine.fire("cancel")
    assert o.status == "shipped"
