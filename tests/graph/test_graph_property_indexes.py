"""Property indexes users declare (tier2 0007): created on exactly the expression find() uses,
recorded, listed by status, expected by doctor, dropped by path; on an upgraded store with data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import apsw
import pytest
from store_helpers import tier_before

import cortexdb
from cortexdb import NotFoundError, ReadOnlyError, ValidationError
from cortexdb.governance import doctor


def _tier2_before_0007(home: Path) -> None:
    with tier_before(home, "tier2", 7) as conn:
        conn.execute("INSERT INTO graph_namespaces (name, created_at) VALUES ('default', 'x') ON CONFLICT DO NOTHING")
        for i in range(300):
            conn.execute("INSERT INTO graph_entities (namespace, name, kind, properties, created_at, updated_at) "
                         "VALUES ('default', ?, 'person', json_object('team', ?, 'level', ?), 't0', 't0')",
                         (f"p{i}", f"team{i % 30}", i % 5))


def _find_plans(db: cortexdb.Store, **kwargs: Any) -> tuple[list[cortexdb.graph.Entity], list[str]]:
    """find()'s result and the query plan of the statement it ran."""
    plans: list[str] = []

    def tracer(_cursor: apsw.Cursor, sql: str, bindings: Any) -> bool:
        if "FROM tier2.graph_entities e WHERE" in sql and not sql.startswith("EXPLAIN"):
            plans.extend(str(r[3]) for r in db.conn.execute("EXPLAIN QUERY PLAN " + sql, bindings))
        return True

    db.conn.exec_trace = tracer
    try:
        found = db.graph.find(**kwargs)
    finally:
        db.conn.exec_trace = None
    return found, plans


def test_declared_index_on_an_upgraded_store(tmp_path: Path) -> None:
    home = tmp_path / "s"
    _tier2_before_0007(home)
    with cortexdb.open(home) as db:
        assert any("0007_property_indexes" in label for label in db.migrated)
        assert [(i.path, i.declared_by) for i in db.graph.property_indexes()] == [("$.engine", "schema"), ("$.lang", "schema")]
        before, plans = _find_plans(db, where={"$.team": "team7"})
        assert not any("graph_entities_property_" in p for p in plans), plans
        declared = db.graph.index_property("$.team")
        assert declared.path == "$.team" and declared.declared_by == "user"
        assert db.graph.index_property("$.team") == declared  # declaring again changes nothing
        after, plans = _find_plans(db, where={"$.team": "team7"})
        assert any(f"USING INDEX {declared.index_name}" in p for p in plans), plans
        assert [e.name for e in after] == [e.name for e in before] == [f"p{i}" for i in range(7, 300, 30)]
        in_list, plans = _find_plans(db, where={"$.team": ["team1", "team2"]}, limit=100)
        assert len(in_list) == 20 and any(declared.index_name in p for p in plans), plans
        assert db.status().property_indexes == ["$.engine", "$.lang", "$.team"]
        report = doctor.check(db, record=False)
        assert report.differences == [], report.differences
        db.graph.index_property("$.profile.langs[0]")  # nested paths and array items too
        db.graph.drop_property_index("$.team")
        assert db.execute("SELECT count(*) FROM tier2.sqlite_master WHERE name = ?", (declared.index_name,))[0][0] == 0
        again, plans = _find_plans(db, where={"$.team": "team7"})
        assert [e.name for e in again] == [e.name for e in before]
        assert not any(declared.index_name in p for p in plans)
        assert [i.path for i in db.graph.property_indexes()] == ["$.engine", "$.lang", "$.profile.langs[0]"]
        assert doctor.check(db, record=False).differences == []
    with cortexdb.open(home, readonly=True) as db:
        assert db.status().property_indexes == ["$.engine", "$.lang", "$.profile.langs[0]"]
        with pytest.raises(ReadOnlyError):
            db.graph.index_property("$.other")


@pytest.mark.parametrize("path", ["team", "$.team'); DROP TABLE graph_entities; --", "$..x", "$.a b", "", 7, None])
def test_paths_are_validated_before_sql(db: cortexdb.Store, path: Any) -> None:
    with pytest.raises(ValidationError, match="path"):
        db.graph.index_property(path)
    with pytest.raises(ValidationError, match="path"):
        db.graph.drop_property_index(path)
    assert [i.path for i in db.graph.property_indexes()] == ["$.engine", "$.lang"]


def test_drop_refuses_unknown_and_schema_indexes(db: cortexdb.Store) -> None:
    with pytest.raises(NotFoundError, match=r"\$\.team"):
        db.graph.drop_property_index("$.team")
    with pytest.raises(ValidationError, match="part of the schema"):
        db.graph.drop_property_index("$.engine")
    assert db.execute("SELECT count(*) FROM tier2.sqlite_master WHERE name = 'graph_entities_prop_engine'")[0][0] == 1


def test_similar_paths_get_distinct_indexes(db: cortexdb.Store) -> None:
    first = db.graph.index_property("$.a_b")
    second = db.graph.index_property("$.a.b")
    assert first.index_name != second.index_name
    db.graph.upsert_entity("x", kind="k", properties={"a_b": 1, "a": {"b": 2}})
    assert [e.name for e in db.graph.find(where={"$.a.b": 2})] == ["x"]
    assert db.graph.find(where={"$.a_b": 2}) == []
