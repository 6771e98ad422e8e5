"""Graph: adjacency sets keyed by node, optionally directed, with edge weights.

Nodes are any hashable, sortable values (usually strings). Traversals visit neighbours
in sorted order so results are deterministic.
"""

from __future__ import annotations

from collections import deque
from typing import Hashable, Iterable, Iterator

from graphs.errors import CycleError, NodeNotFoundError

Node = Hashable


class Graph:
    def __init__(self, *, directed: bool = False):
        self.directed = directed
        self._adj: dict[Node, dict[Node, float]] = {}

    @classmethod
    def from_edges(cls, edges: Iterable[tuple], *, directed: bool = False) -> "Graph":
        """Build from (u, v) or (u, v, weight) tuples."""
        g = cls(directed=directed)
        for edge in edges:
            g.add_edge(*edge)
        return g

    # -- structure ----------------------------------------------------------------------

    def add_node(self, node: Node) -> None:
        self._adj.setdefault(node, {})

    def add_edge(self, u: Node, v: Node, weight: float = 1) -> None:
        """Add (or re-weight) an edge; missing nodes are created."""
        if weight < 0:
            raise ValueError("weights must be non-negative")
        self.add_node(u)
        self.add_node(v)
        self._adj[u][v] = weight
        if not self.directed:
            self._adj[v][u] = weight

    def remove_edge(self, u: Node, v: Node) -> None:
        self._require(u)
        self._require(v)
        if v not in self._adj[u]:
            raise KeyError(f"no edge {u!r} -> {v!r}")
        del self._adj[u][v]
        if not self.directed:
            del self._adj[v][u]

    def remove_node(self, node: Node) -> None:
        """Remove a node and every edge touching it."""
        self._require(node)
        del self._adj[node]
        for targets in self._adj.values():
            targets.pop(node, None)

    def _require(self, node: Node) -> None:
        if node not in self._adj:
            raise NodeNotFoundError(node)

    # -- queries --------------------------------------------------------------------------

    def __contains__(self, node: object) -> bool:
        return node in self._adj

    def __len__(self) -> int:
        return len(self._adj)

    def __iter__(self) -> Iterator[Node]:
        return iter(sorted(self._adj))

    def nodes(self) -> list[Node]:
        return sorted(self._adj)

    def edges(self) -> list[tuple[Node, Node, float]]:
        """(u, v, weight) sorted; undirected edges are listed once with u <= v."""
        out = []
        for u in sorted(self._adj):
            for v in sorted(self._adj[u]):
                if self.directed or u <= v:
                    out.append((u, v, self._adj[u][v]))
        return out

    def neighbors(self, node: Node) -> list[Node]:
        """Successors of ``node`` in sorted order."""
        self._require(node)
        return sorted(self._adj[node])

    def has_edge(self, u: Node, v: Node) -> bool:
        return u in self._adj and v in self._adj[u]

    def weight(self, u: Node, v: Node) -> float:
        self._require(u)
        if v not in self._adj[u]:
            raise KeyError(f"no edge {u!r} -> {v!r}")
        return self._adj[u][v]

    def degree(self, node: Node) -> int:
        """Out-degree for directed graphs, degree otherwise."""
        self._require(node)
        return len(self._adj[node])

    def in_degree(self, node: Node) -> int:
        self._require(node)
        return sum(1 for targets in self._adj.values() if node in targets)

    # -- traversals -------------------------------------------------------------------------

    def bfs(self, start: Node) -> list[Node]:
        """Nodes reachable from ``start`` in breadth-first order."""
        self._require(start)
        seen = {start}
        order = []
        queue = deque([start])
        while queue:
            node = queue.popleft()
            order.append(node)
            for nxt in self.neighbors(node):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return order

    def dfs(self, start: Node) -> list[Node]:
        """Nodes reachable from ``start`` in depth-first (pre-)order."""
        self._require(start)
        seen: set[Node] = set()
        order: list[Node] = []

        def visit(node: Node) -> None:
            seen.add(node)
            order.append(node)
            for nxt in self.neighbors(node):
                if nxt not in seen:
                    visit(nxt)

        visit(start)
        return order

    def has_path(self, start: Node, goal: Node) -> bool:
        self._require(goal)
        return goal in self.bfs(start)

    def connected_components(self) -> list[list[Node]]:
        """Components of an undirected graph, each sorted, ordered by their first node."""
        if self.directed:
            raise ValueError("connected_components needs an undirected graph")
        seen: set[Node] = set()
        components = []
        for node in self.nodes():
            if node not in seen:
                component = sorted(self.bfs(node))
                seen.update(component)
                components.append(component)
        return components

    def topological_sort(self) -> list[Node]:
        """Kahn's algorithm; ties are broken by sorted order. Directed graphs only."""
        if not self.directed:
            raise ValueError("topological_sort needs a directed graph")
        indegree = {node: 0 for node in self._adj}
        for targets in self._adj.values():
            for v in targets:
                indegree[v] += 1
        ready = sorted(n for n, d in indegree.items() if d == 0)
        order = []
        while ready:
            node = ready.pop(0)
            order.append(node)
            for v in self.neighbors(node):
                indegree[v] -= 1
                if indegree[v] == 0:
                    ready.append(v)
                    ready.sort()
        if len(order) != len(self._adj):
            raise CycleError("graph has a cycle")
        return order

    def total_weight(self) -> float:
        return sum(w for _, _, w in self.edges())

    def copy(self) -> "Graph":
        g = Graph(directed=self.directed)
        for node, targets in self._adj.items():
            g._adj[node] = dict(targets)
        return g

    def reversed(self) -> "Graph":
        """A directed graph with every edge pointing the other way."""
        if not self.directed:
            return self.copy()
        g = Graph(directed=True)
        for node in self._adj:
            g.add_node(node)
        for u, v, w in self.edges():
            g.add_edge(v, u, w)
        return g
