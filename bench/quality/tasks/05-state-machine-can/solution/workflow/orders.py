"""The order workflow: draft -> placed -> paid -> shipped -> delivered, or cancelled."""

from __future__ import annotations

from workflow.machine import StateMachine


class Order:
    def __init__(self, order_id: str, total_cents: int):
        self.order_id = order_id
        self.total_cents = total_cents
        self.paid_cents = 0
        self.log: list[str] = []
        self.machine = StateMachine("draft", final={"delivered", "cancelled"})
        m = self.machine
        m.add_transition("place", "draft", "placed", guard=lambda: self.total_cents > 0)
        m.add_transition("pay", "placed", "paid", guard=lambda: self.paid_cents >= self.total_cents)
        m.add_transition("ship", "paid", "shipped")
        m.add_transition("deliver", "shipped", "delivered")
        m.add_transition("cancel", ["draft", "placed", "paid"], "cancelled")
        m.on_transition(lambda s, e, t: self.log.append(f"{s} -{e}-> {t}"))

    @property
    def status(self) -> str:
        return self.machine.state

    def record_payment(self, cents: int) -> None:
        if cents <= 0:
            raise ValueError("payment must be positive")
        self.paid_cents += cents

    def next_actions(self) -> list[str]:
        """Events the order can take now."""
        return self.machine.available_events()
