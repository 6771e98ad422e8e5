"""Existing tests: behaviour the workflow state machine and orders already have (unchanged by the plan)."""

import pytest

from workflow import GuardRejected, InvalidTransition, StateMachine
from workflow.orders import Order


def make_machine(flag):
    m = StateMachine("draft", final={"done"})
    m.add_transition("submit", "draft", "review")
    m.add_transition("approve", "review", "done", guard=lambda: flag["ok"])
    m.add_transition("abort", "*", "done")
    return m


def test_fire_moves_state_and_records_history():
    m = make_machine({"ok": True})
    assert m.fire("submit") == "review"
    assert m.state == "review"
    assert m.fire("approve") == "done"
    assert m.is_final()
    assert m.history() == [("draft", "submit", "review"), ("review", "approve", "done")]


def test_fire_errors():
    flag = {"ok": False}
    m = make_machine(flag)
    with pytest.raises(InvalidTransition) as info:
        m.fire("approve")
    assert str(info.value) == "cannot approve from 'draft'"
    m.fire("submit")
    with pytest.raises(GuardRejected):
        m.fire("approve")
    assert m.state == "review"
    m.fire("abort")
    with pytest.raises(InvalidTransition) as info:
        m.fire("submit")
    assert str(info.value) == "'done' is a final state"


def test_exact_source_beats_wildcard():
    m = StateMachine("a")
    m.add_transition("go", "*", "wild")
    m.add_transition("go", "a", "exact")
    assert m.fire("go") == "exact"
    assert m.fire("go") == "wild"


def test_callbacks_run_in_order():
    calls = []
    m = make_machine({"ok": True})
    m.on_exit("draft", lambda s, e, t: calls.append(("exit", s)))
    m.on_enter("review", lambda s, e, t: calls.append(("enter", t)))
    m.on_transition(lambda s, e, t: calls.append(("any", e)))
    m.fire("submit")
    assert calls == [("exit", "draft"), ("enter", "review"), ("any", "submit")]


def test_definition_queries():
    m = make_machine({"ok": True})
    assert m.events() == ["abort", "approve", "submit"]
    assert [t.event for t in m.transitions_from("draft")] == ["abort", "submit"]
    assert m.states == frozenset({"draft", "review", "done"})
    with pytest.raises(ValueError):
        m.add_transition("submit", "draft", "other")
    assert m.remove_transition("abort", "*") is True
    assert m.remove_transition("abort", "*") is False


def test_reset_snapshot_restore_and_reachable():
    m = make_machine({"ok": True})
    m.add_state("orphan")
    m.fire("submit")
    snap = m.snapshot()
    m.reset()
    assert m.state == "draft" and m.history() == []
    m.restore(snap)
    assert m.state == "review"
    assert m.history() == [("draft", "submit", "review")]
    assert m.unreachable() == ["orphan"]


def test_order_workflow_with_guards():
    order = Order("o1", 500)
    order.machine.fire("place")
    with pytest.raises(GuardRejected):
        order.machine.fire("pay")
    order.record_payment(500)
    order.machine.fire("pay")
    order.machine.fire("ship")
    assert order.status == "shipped"
    assert order.log == ["draft -place-> placed", "placed -pay-> paid", "paid -ship-> shipped"]
    with pytest.raises(ValueError):
        order.record_payment(0)


def test_order_zero_total_cannot_be_placed_but_can_be_cancelled():
    order = Order("o2", 0)
    with pytest.raises(GuardRejected):
        order.machine.fire("place")
    order.machine.fire("cancel")
    assert order.status == "cancelled"
    assert order.machine.is_final()
