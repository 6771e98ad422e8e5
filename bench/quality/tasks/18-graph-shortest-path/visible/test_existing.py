"""Existing behaviour of the graphs package (tests that pass before the planned change)."""

import pytest

from graphs import CycleError, Graph, GraphError, NodeNotFoundError


def diamond():
    return Graph.from_edges([("A", "C"), ("A", "B"), ("B", "D"), ("C", "D"), ("D", "E", 5)])


def test_structure_and_edges():
    g = diamond()
    assert g.nodes() == ["A", "B", "C", "D", "E"]
    assert len(g) == 5 and "E" in g and "Z" not in g
    assert list(g) == ["A", "B", "C", "D", "E"]
    assert g.edges() == [("A", "B", 1), ("A", "C", 1), ("B", "D", 1), ("C", "D", 1), ("D", "E", 5)]
    assert g.has_edge("E", "D") and g.weight("E", "D") == 5
    assert g.total_weight() == 9
    with pytest.raises(ValueError):
        g.add_edge("A", "B", -1)


def test_neighbors_sorted_and_directed():
    g = diamond()
    assert g.neighbors("D") == ["B", "C", "E"]
    assert g.degree("D") == 3
    dg = Graph.from_edges([("A", "B"), ("C", "B")], directed=True)
    assert dg.neighbors("B") == []
    assert (dg.degree("A"), dg.in_degree("B")) == (1, 2)
    assert not dg.has_edge("B", "A")


def test_node_not_found():
    g = diamond()
    with pytest.raises(NodeNotFoundError) as info:
        g.neighbors("Z")
    assert info.value.node == "Z"
    assert str(info.value) == "node not found: 'Z'"
    assert isinstance(info.value, GraphError) and isinstance(info.value, KeyError)
    with pytest.raises(NodeNotFoundError):
        g.bfs("Z")


def test_bfs_and_dfs_orders():
    g = diamond()
    assert g.bfs("A") == ["A", "B", "C", "D", "E"]
    assert g.dfs("A") == ["A", "B", "D", "C", "E"]
    dg = Graph.from_edges([("A", "B"), ("B", "C"), ("D", "A")], directed=True)
    assert dg.bfs("A") == ["A", "B", "C"]
    assert dg.bfs("C") == ["C"]


def test_has_path():
    dg = Graph.from_edges([("A", "B"), ("B", "C")], directed=True)
    dg.add_node("X")
    assert dg.has_path("A", "C") is True
    assert dg.has_path("C", "A") is False
    assert dg.has_path("X", "X") is True
    with pytest.raises(NodeNotFoundError):
        dg.has_path("A", "Z")


def test_remove_edge_and_node():
    g = diamond()
    g.remove_edge("A", "B")
    assert not g.has_edge("B", "A")
    g.remove_node("D")
    assert g.nodes() == ["A", "B", "C", "E"]
    assert g.edges() == [("A", "C", 1)]
    with pytest.raises(KeyError):
        g.remove_edge("A", "E")


def test_components_and_topological_sort():
    g = Graph.from_edges([("b", "a"), ("d", "c")])
    g.add_node("e")
    assert g.connected_components() == [["a", "b"], ["c", "d"], ["e"]]
    dg = Graph.from_edges([("shirt", "tie"), ("tie", "jacket"), ("pants", "shoes"), ("pants", "jacket")], directed=True)
    assert dg.topological_sort() == ["pants", "shirt", "shoes", "tie", "jacket"]
    dg.add_edge("jacket", "shirt")
    with pytest.raises(CycleError):
        dg.topological_sort()


def test_copy_and_reversed():
    dg = Graph.from_edges([("A", "B", 2)], directed=True)
    rev = dg.reversed()
    assert rev.edges() == [("B", "A", 2)]
    clone = dg.copy()
    clone.add_edge("B", "C")
    assert dg.nodes() == ["A", "B"]
