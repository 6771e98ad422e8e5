import pytest

import graphs
from graphs import CycleError, Graph, GraphError, NodeNotFoundError


def sample():
    return Graph.from_edges([
        ("A", "B"), ("B", "C"), ("C", "D"), ("A", "E"), ("E", "D", 100), ("D", "F"),
    ])


def test_shortest_path_fewest_edges_ignores_weights():
    g = sample()
    assert g.shortest_path("A", "D") == ["A", "E", "D"]
    assert g.shortest_path("A", "F") == ["A", "E", "D", "F"]
    assert g.shortest_path("F", "B") == ["F", "D", "C", "B"]


def test_same_node_and_distance():
    g = sample()
    g.add_node("lonely")
    assert g.shortest_path("lonely", "lonely") == ["lonely"]
    assert g.distance("lonely", "lonely") == 0
    assert g.distance("A", "F") == 3
    assert g.distance("B", "E") == 2


def test_deterministic_tie_break():
    g = Graph.from_edges([("S", "Y"), ("S", "X"), ("X", "T"), ("Y", "T")])
    assert g.shortest_path("S", "T") == ["S", "X", "T"]


def test_directed():
    g = Graph.from_edges([("A", "B"), ("B", "C"), ("C", "A")], directed=True)
    assert g.shortest_path("A", "C") == ["A", "B", "C"]
    assert g.shortest_path("C", "B") == ["C", "A", "B"]
    g2 = Graph.from_edges([("A", "B")], directed=True)
    with pytest.raises(graphs.NoPathError):
        g2.shortest_path("B", "A")


def test_no_path_error():
    g = sample()
    g.add_edge("Y", "Z")
    with pytest.raises(graphs.NoPathError) as exc:
        g.shortest_path("A", "Z")
    err = exc.value
    assert isinstance(err, GraphError)
    assert (err.start, err.goal) == ("A", "Z")
    assert str(err) == "no path from 'A' to 'Z'"
    with pytest.raises(graphs.NoPathError):
        g.distance("Z", "A")
    assert "NoPathError" in graphs.__all__
    from graphs.errors import NoPathError

    assert NoPathError is graphs.NoPathError


def test_missing_nodes():
    g = sample()
    with pytest.raises(NodeNotFoundError) as exc:
        g.shortest_path("nope", "also-nope")
    assert exc.value.node == "nope"
    with pytest.raises(NodeNotFoundError) as exc:
        g.shortest_path("A", "missing")
    assert exc.value.node == "missing"


def test_existing_behaviour_unchanged():
    g = sample()
    assert g.bfs("A") == ["A", "B", "E", "C", "D", "F"]
    assert g.has_path("A", "F")
    d = Graph.from_edges([("a", "b"), ("b", "c")], directed=True)
    assert d.topological_sort() == ["a", "b", "c"]
    d.add_edge("c", "a")
    with pytest.raises(CycleError):
        d.topological_sort()
