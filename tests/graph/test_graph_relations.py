"""Relations: endpoints, self-links, ranges, one current per key, bitemporal history."""

from __future__ import annotations

import pytest

from cortexdb import IntegrityError, NotFoundError, ValidationError

DAY = 86_400


def test_relate_and_list(db):
    g = db.graph
    a, b, c = (g.upsert_entity(n, kind="k") for n in "abc")
    r = g.relate(a, "fixed_by", "b", properties={"pr": 12}, strength=0.9)
    assert (r.source_name, r.relation_type, r.target_name, r.strength, r.properties) == ("a", "fixed_by", "b", 0.9, {"pr": 12})
    assert r.current and r.valid_to is None
    assert g.relate(a, "fixed_by", b, properties={"pr": 12}, strength=0.9) == r  # unchanged: same row
    g.relate(c.id, "uses", a)
    assert [x.relation_type for x in g.relations(a)] == ["fixed_by", "uses"]
    assert [x.relation_type for x in g.relations(a, direction="out")] == ["fixed_by"]
    assert [x.relation_type for x in g.relations(a, direction="in")] == ["uses"]
    assert [x.relation_type for x in g.relations(a, relation_types=["uses"])] == ["uses"]


@pytest.mark.parametrize("kwargs, exc, field", [
    ({"target": "a"}, ValidationError, "target"),
    ({"target": "missing"}, NotFoundError, None),
    ({"source": "missing"}, NotFoundError, None),
    ({"strength": 1.5}, ValidationError, "strength"),
    ({"confidence": -1}, ValidationError, "confidence"),
    ({"relation_type": ""}, ValidationError, "relation_type"),
    ({"properties": "x"}, ValidationError, "properties"),
])
def test_bad_relations(db, kwargs, exc, field):
    g = db.graph
    g.upsert_entity("a", kind="k")
    g.upsert_entity("b", kind="k")
    args = {"source": "a", "relation_type": "r", "target": "b"} | kwargs
    with pytest.raises(exc) as info:
        g.relate(args.pop("source"), args.pop("relation_type"), args.pop("target"), **args)
    if field:
        assert info.value.field == field
    assert db.query("SELECT count(*) AS n FROM graph_relations")[0]["n"] == 0


def test_relate_many_is_atomic(db):
    g = db.graph
    g.upsert_entities([{"name": n, "kind": "k"} for n in "abc"])
    with pytest.raises(NotFoundError):
        g.relate_many([{"source": "a", "relation_type": "r", "target": "b"},
                       {"source": "a", "relation_type": "r", "target": "zzz"}])
    assert g.relations("a") == []
    rels = g.relate_many([{"source": "a", "relation_type": "r", "target": "b"},
                          {"source": "b", "relation_type": "r", "target": "c"}])
    assert [(r.source_name, r.target_name) for r in rels] == [("a", "b"), ("b", "c")]


def test_one_current_relation_enforced_by_schema(db):
    g = db.graph
    a, b = g.upsert_entity("a", kind="k"), g.upsert_entity("b", kind="k")
    g.relate(a, "r", b)
    with pytest.raises(IntegrityError), db.transaction():
        db.execute("INSERT INTO tier2.graph_relations (source_id, relation_type, target_id, valid_from, recorded_at) "
                   "VALUES (?, 'r', ?, 'x', 'x')", (a.id, b.id))


def test_bitemporal_supersede_unrelate_as_of(db, clock):
    g = db.graph
    a, b = g.upsert_entity("a", kind="k"), g.upsert_entity("b", kind="k")
    t0 = clock.now
    first = g.relate(a, "r", b, strength=0.5)
    clock.advance(DAY)
    t1 = clock.now
    second = g.relate(a, "r", b, strength=0.8)  # supersedes, keeps history
    assert second.id != first.id
    clock.advance(DAY)
    ended = g.unrelate(a, "r", b)
    assert ended.id == second.id and ended.valid_to is not None
    assert g.relations(a) == []
    history = g.relations(a, include_ended=True)
    assert [r.strength for r in history] == [0.5, 0.8]
    assert [r.strength for r in g.relations(a, as_of=t0 + 1)] == [0.5]
    assert [r.strength for r in g.relations(a, as_of=t1 + 1)] == [0.8]
    assert g.relations(a, as_of=clock.now + 1) == []
    assert [r.strength for r in g.relations(a, known_at=t1 + 1)] == [0.8]
    with pytest.raises(NotFoundError):
        g.unrelate(a, "r", b)
    again = g.relate(a, "r", b)
    assert again.current and len(g.relations(a, include_ended=True)) == 3


def test_patterns_are_nodes(db):
    g = db.graph
    p = g.add_pattern("auth-retry", "Retry auth once", "retry the login once", "solution", confidence=0.8)
    e = g.upsert_entity("web/login.ts", kind="file")
    r = g.relate(p.id, "applies_to", e)
    assert r.source_id == p.id and isinstance(p.id, int)
    assert [n.entity.name for n in g.neighbors(e)] == ["auth-retry"]
    assert g.get_entity(p.id).kind == "pattern"


def test_relations_touching(db):
    g = db.graph
    g.upsert_entities([{"name": n, "kind": "k"} for n in "abcd"])
    g.relate_many([{"source": "a", "relation_type": "r", "target": "b"},
                   {"source": "b", "relation_type": "r", "target": "c"},
                   {"source": "c", "relation_type": "r", "target": "d"}])
    assert [(r.source_name, r.target_name) for r in g.relations_touching(["b"])] == [("a", "b"), ("b", "c")]
    assert [(r.source_name, r.target_name) for r in g.relations_touching(["a", "b", "d"], only_between=True)] == [
        ("a", "b")]
    g.unrelate("a", "r", "b")
    assert [(r.source_name, r.target_name) for r in g.relations_touching(["b"])] == [("b", "c")]


def test_history_may_repeat_a_triple_ended_at_the_same_instant(db, clock):
    """graph_relations_key is unique among current relations only: ended ones differ by uuid,
    even when relate/unrelate run twice within one clock tick."""
    g = db.graph
    a, b = g.upsert_entity("a", kind="k"), g.upsert_entity("b", kind="k")
    for _ in range(2):
        g.relate(a, "r", b)
        g.unrelate(a, "r", b)
    rels = g.relations(a, direction="out", include_ended=True)
    assert len(rels) == 2 and len({(r.valid_from, r.valid_to) for r in rels}) == 1  # same instant, two rows
    assert g.relations(a, direction="out") == []
    g.relate(a, "r", b)
    assert len(g.relations(a, direction="out")) == 1
