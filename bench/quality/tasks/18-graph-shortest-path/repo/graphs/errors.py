"""Errors raised by graph operations."""


class GraphError(Exception):
    """Base class for graph errors."""


class NodeNotFoundError(GraphError, KeyError):
    def __init__(self, node: object):
        super().__init__(node)
        self.node = node

    def __str__(self) -> str:
        return f"node not found: {self.node!r}"


class CycleError(GraphError):
    """A topological order was requested for a graph with a cycle."""
