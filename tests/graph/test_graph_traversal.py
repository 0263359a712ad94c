"""Traversal agrees with networkx on random graphs (hypothesis); limits, cycles, filters."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cortexdb
from cortexdb import ManualClock, ValidationError

TYPES = ("a", "b")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    store = cortexdb.open(tmp_path_factory.mktemp("trav") / "s", clock=ManualClock())
    yield store
    store.close()


graphs = st.integers(min_value=2, max_value=12).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(TYPES), st.integers(0, n - 1))
             .filter(lambda t: t[0] != t[2]), max_size=30, unique_by=lambda t: t)))


def load(db, n, edges):
    """Replace the store's graph with nodes 0..n-1 and the edges; return name -> id."""
    g = db.graph
    with db.transaction():
        db.execute("DELETE FROM tier2.graph_entities")
        ids = g.upsert_entities([{"name": f"n{i}", "kind": "node"} for i in range(n)])
        g.relate_many([{"source": ids[s], "relation_type": t, "target": ids[d]} for s, t, d in edges])
    return ids


def nx_graph(n, edges, types=None, direction="out"):
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((s, d) for s, t, d in edges if types is None or t in types)
    if direction == "in":
        return graph.reverse()
    if direction == "both":
        return graph.to_undirected()
    return graph


settings_ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings_
@given(graphs, st.integers(1, 4), st.sampled_from(["out", "in", "both"]), st.sampled_from([None, ("a",)]),
       st.data())
def test_neighbors_match_networkx(db, graph, depth, direction, types, data):
    n, edges = graph
    ids = load(db, n, edges)
    start = data.draw(st.integers(0, n - 1))
    expected = nx.single_source_shortest_path_length(nx_graph(n, edges, types, direction), start, cutoff=depth)
    expected.pop(start)
    got = db.graph.neighbors(ids[start], depth=depth, direction=direction, relations=types, limit=1000)
    index = {v: k for k, v in enumerate(ids)}
    assert {index[x.entity.id]: x.depth for x in got} == expected
    assert [(x.depth, x.entity.id) for x in got] == sorted((x.depth, x.entity.id) for x in got)
    limited = db.graph.neighbors(ids[start], depth=depth, direction=direction, relations=types, limit=2)
    assert limited == got[:2]


@settings_
@given(graphs, st.sampled_from(["out", "in", "both"]), st.data())
def test_shortest_path_matches_networkx(db, graph, direction, data):
    n, edges = graph
    ids = load(db, n, edges)
    a, b = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
    reference = nx_graph(n, edges, None, direction)
    try:
        expected = nx.shortest_path_length(reference, a, b)
    except nx.NetworkXNoPath:
        expected = None
    path = db.graph.shortest_path(ids[a], ids[b], max_depth=12, direction=direction)
    if expected is None:
        assert path is None
        return
    assert path is not None and len(path) == expected
    index = {v: k for k, v in enumerate(ids)}
    nodes = [index[e.id] for e in path.entities]
    assert nodes[0] == a and nodes[-1] == b
    for (u, v), rel in zip(itertools.pairwise(nodes), path.relations, strict=False):
        assert reference.has_edge(u, v)
        assert {index[rel.source_id], index[rel.target_id]} == {u, v}
    if expected > 1:
        assert db.graph.shortest_path(ids[a], ids[b], max_depth=expected - 1, direction=direction) is None


def test_cycles_limits_and_ended_relations(db):
    ids = load(db, 4, [(0, "a", 1), (1, "a", 2), (2, "a", 0), (2, "b", 3)])
    g = db.graph
    assert [(x.entity.name, x.depth) for x in g.neighbors(ids[0], depth=10, direction="out")] == [
        ("n1", 1), ("n2", 2), ("n3", 3)]
    assert len(g.neighbors(ids[0], depth=10, limit=1)) == 1
    g.unrelate(ids[2], "b", ids[3])
    assert [x.entity.name for x in g.neighbors(ids[0], depth=10, direction="out")] == ["n1", "n2"]
    assert g.shortest_path(ids[0], ids[3]) is None
    sub = g.subgraph(ids[0], depth=1)
    assert {e.name for e in sub.entities} == {"n0", "n1", "n2"}
    assert {(r.source_name, r.target_name) for r in sub.relations} == {("n0", "n1"), ("n1", "n2"), ("n2", "n0")}
    assert g.neighbors(ids[0], relations=[]) == []
    for bad in ({"depth": 0}, {"depth": 1000}, {"limit": 0}, {"direction": "sideways"}):
        with pytest.raises(ValidationError):
            g.neighbors(ids[0], **bad)
