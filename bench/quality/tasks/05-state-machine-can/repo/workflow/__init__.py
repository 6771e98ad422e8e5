"""A tiny finite-state machine and the order workflow built on it."""

from workflow.machine import GuardRejected, InvalidTransition, StateMachine, Transition

__all__ = ["GuardRejected", "InvalidTransition", "StateMachine", "Transition"]
