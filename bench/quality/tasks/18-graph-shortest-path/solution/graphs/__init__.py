"""Small directed/undirected graphs with classic traversals."""

from graphs.errors import CycleError, GraphError, NodeNotFoundError, NoPathError
from graphs.graph import Graph

__all__ = ["CycleError", "Graph", "GraphError", "NodeNotFoundError", "NoPathError"]
