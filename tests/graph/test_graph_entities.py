"""Entities, observations, tags, namespaces, find and bad input of db.graph."""

from __future__ import annotations

import pytest

import cortexdb
from cortexdb import ManualClock, NotFoundError, ValidationError


@pytest.fixture
def db(tmp_path):
    store = cortexdb.open(tmp_path / "s", clock=ManualClock())
    yield store
    store.close()


def count(db, table):
    return db.query(f"SELECT count(*) AS n FROM {table}")[0]["n"]


def test_upsert_get_update_and_refs(db):
    g = db.graph
    e = g.upsert_entity("web/login.ts", kind="file", properties={"lang": "ts"}, observations=["a", "b", "a"])
    assert (e.name, e.kind, e.properties, e.observations, e.namespace) == ("web/login.ts", "file", {"lang": "ts"}, ("a", "b"), "default")
    assert isinstance(e.id, int) and len(e.uuid) == 32
    again = g.upsert_entity("web/login.ts", properties={"lang": "tsx"}, observations=["c"], tags=["web"])
    assert again.id == e.id and again.kind == "file" and again.properties == {"lang": "tsx"}
    assert again.observations == ("a", "b", "c") and again.tags == ("web",)
    for ref in (e, e.id, "web/login.ts"):
        assert g.get_entity(ref).id == e.id
    assert g.get_entity(e).access_count == 4  # three gets above, then this one
    assert g.get_entity(e, touch=False).access_count == 4


def test_bulk_upsert_one_transaction_and_atomic(db):
    g = db.graph
    ids = g.upsert_entities([{"name": f"n{i}", "kind": "k", "observations": [f"obs {i}"]} for i in range(50)])
    assert len(ids) == 50 and len(set(ids)) == 50
    assert count(db, "graph_entities") == 50
    with pytest.raises(ValidationError) as info:
        g.upsert_entities([{"name": "fine", "kind": "k"}, {"name": "bad", "kind": "k", "confidence": 2}])
    assert info.value.field == "confidence"
    with pytest.raises(ValidationError) as info:
        g.upsert_entities([{"name": "fine", "kind": "k"}, {"name": "nokind"}])
    assert info.value.field == "kind"
    assert count(db, "graph_entities") == 50
    assert g.get_entities(["n1", "missing", "n2"]) == [g.get_entity("n1", touch=False), g.get_entity("n2", touch=False)]


def test_bulk_insert_of_new_entities_matches_row_by_row_upserts(tmp_path):
    """A batch of only new names is written in one statement (one full-text segment per index);
    its rows, ids, bodies and search index are those the per-row upsert gives."""
    items = [{"name": f"n{i}", "kind": f"k{i % 3}", "properties": {"team": f"t{i % 4}"} if i % 2 else None,
              "observations": ["\nfirst line", f"obs {i}", "\nfirst line"] if i % 5 else [], "confidence": 0.5,
              "pinned": i % 7 == 0} for i in range(40)]
    columns = "id, namespace, name, kind, properties, confidence, pinned, body, created_at, updated_at"
    stores = []
    for name, write in (("batch", lambda g: g.upsert_entities(items)),
                        ("rows", lambda g: [g.upsert_entities([item])[0] for item in items])):
        with cortexdb.open(tmp_path / name, clock=ManualClock()) as store:
            store.graph.upsert_entity("zero", kind="k")  # ids continue after existing rows
            ids = write(store.graph)
            assert ids == list(range(2, 42))
            stores.append((store.query(f"SELECT {columns} FROM graph_entities ORDER BY id"),
                           store.query("SELECT entity_id, content FROM graph_observations ORDER BY id"),
                           [h.entity.name for h in store.graph.search("first obs", limit=50)],
                           store.query("SELECT rowid FROM graph_substring WHERE graph_substring MATCH '\"irst l\"' "
                                       "ORDER BY rowid"),
                           store.query("SELECT count(*) AS n FROM graph_search_data")[0]["n"]))
    batch, rows = stores
    assert batch[:4] == rows[:4]
    assert batch[2] and len(batch[3]) == 32
    assert batch[4] < rows[4]  # fewer index pages and segments than 40 single-row statements


def test_bulk_upsert_mixing_new_and_existing_names_keeps_upsert_semantics(db):
    g = db.graph
    first = g.upsert_entities([{"name": "a", "kind": "k", "observations": ["x"]}])
    ids = g.upsert_entities([{"name": "b", "kind": "k"}, {"name": "a", "observations": ["y"]},
                             {"name": "c", "kind": "k"}, {"name": "c", "properties": {"v": 1}}])
    assert ids[1] == first[0] and ids[2] == ids[3] and ids[0] < ids[2]
    assert g.get_entity("a", touch=False).observations == ("x", "y")
    assert g.get_entity("c", touch=False).properties == {"v": 1}


def test_observations_add_remove(db):
    g = db.graph
    e = g.upsert_entity("x", kind="k")
    assert g.add_observations(e, ["one", "two", "one"]) == ["one", "two"]
    assert g.add_observations("x", ["two", "three"]) == ["three"]
    assert g.remove_observations(e.id, ["one", "nope"]) == 1
    assert g.get_entity(e).observations == ("two", "three")


def test_delete_entity_removes_relations_and_observations(db):
    g = db.graph
    a, b = g.upsert_entity("a", kind="k", observations=["o"]), g.upsert_entity("b", kind="k")
    g.relate(a, "r", b)
    g.delete_entity("a")
    assert count(db, "graph_relations") == 0 and count(db, "graph_observations") == 0
    with pytest.raises(NotFoundError):
        g.get_entity("a")
    with pytest.raises(NotFoundError):
        g.delete_entity("a")
    assert g.delete_entities(["b", "zz"], missing_ok=True) == 1


def test_namespaces(db):
    g = db.graph
    with pytest.raises(NotFoundError, match="namespace"):
        g.upsert_entity("x", kind="k", namespace="proj")
    g.add_namespace("proj")
    a = g.upsert_entity("x", kind="k", namespace="proj")
    b = g.upsert_entity("x", kind="k")
    assert a.id != b.id
    assert g.get_entity("x", namespace="proj").id == a.id
    with pytest.raises(ValidationError) as info:
        g.upsert_entity("x", kind="k", namespace="bad space")
    assert info.value.field == "namespace"
    assert g.namespaces() == ["default", "proj"]


@pytest.mark.parametrize("kwargs, field", [
    ({"name": "", "kind": "k"}, "name"),
    ({"name": "x", "kind": ""}, "kind"),
    ({"name": "x", "kind": "pattern"}, "kind"),
    ({"name": "x", "kind": "k", "properties": [1]}, "properties"),
    ({"name": "x", "kind": "k", "properties": {"v": float("nan")}}, "properties"),
    ({"name": "x", "kind": "k", "confidence": -0.1}, "confidence"),
    ({"name": "x", "kind": "k", "confidence": True}, "confidence"),
    ({"name": "x", "kind": "k", "pinned": "yes"}, "pinned"),
    ({"name": "x", "kind": "k", "observations": "not a list"}, "observations"),
])
def test_bad_entity_input(db, kwargs, field):
    name = kwargs.pop("name")
    with pytest.raises(ValidationError) as info:
        db.graph.upsert_entity(name, **kwargs)
    assert info.value.field == field
    assert count(db, "graph_entities") == 0


def test_find_json_filters(db):
    g = db.graph
    g.upsert_entities([
        {"name": "pg", "kind": "database", "properties": {"engine": "postgresql", "size": 10, "tls": True}},
        {"name": "my", "kind": "database", "properties": {"engine": "mysql", "size": 20, "tls": False}},
        {"name": "lite", "kind": "database", "properties": {"engine": "sqlite", "size": 30}},
        {"name": "f", "kind": "file", "properties": {"engine": "postgresql"}},
    ])
    names = lambda **kw: [e.name for e in g.find(**kw)]  # noqa: E731
    assert names(kind="database", where={"$.engine": "postgresql"}) == ["pg"]
    assert names(where={"$.engine": ["mysql", "sqlite"]}) == ["my", "lite"]
    assert names(where={"$.size": {"$gte": 15, "$lt": 30}}) == ["my"]
    assert names(where={"$.tls": True}) == ["pg"]
    assert names(where={"$.tls": None}, kind="database") == ["lite"]
    assert names(where={"$.engine": {"$ne": "postgresql"}}) == ["my", "lite"]
    assert names(kind="database", limit=2) == ["pg", "my"]


def test_find_uses_expression_index(db):
    plan = db.execute("EXPLAIN QUERY PLAN SELECT id FROM tier2.graph_entities e "
                      "WHERE json_extract(e.properties, '$.engine') = ?", ("postgresql",))
    assert any("graph_entities_prop_engine" in row[-1] for row in plan)
    from cortexdb.graph._filters import where_sql
    sql, params = where_sql("e.properties", {"$.engine": "postgresql"})
    assert sql == "json_extract(e.properties, '$.engine') = ?" and params == ["postgresql"]


@pytest.mark.parametrize("path", [
    "$.a') OR 1=1 --", "$.a'; DROP TABLE graph_entities; --", "engine", "$", "$..a", "$.a b", "$[x]", "$.a\"", 42,
])
def test_hostile_json_paths_refused(db, path):
    db.graph.upsert_entity("x", kind="k", properties={"a": 1})
    with pytest.raises(ValidationError) as info:
        db.graph.find(where={path: 1})
    assert info.value.field == "where"
    assert count(db, "graph_entities") == 1


def test_bad_where_values(db):
    with pytest.raises(ValidationError):
        db.graph.find(where={"$.a": {"$regex": "x"}})
    with pytest.raises(ValidationError):
        db.graph.find(where={"$.a": {"x": 1}})
    with pytest.raises(ValidationError):
        db.graph.find(where={"$.a": object()})
    with pytest.raises(ValidationError):
        db.graph.find(limit=0)
