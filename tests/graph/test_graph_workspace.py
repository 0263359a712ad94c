"""Workspace discovery: the seed tables, re-recording through the UNIQUE keys, stale marking,
and seed 001's validation queries through db.query."""

from __future__ import annotations

import pytest

import cortexdb
from cortexdb import NotFoundError, ValidationError

DAY = 86_400


def test_record_and_rerecord_databases(db, clock):
    ws = db.workspace
    row = ws.record_database(database_type="postgresql", connection_string="postgresql://localhost/app",
                             host="localhost", port=5432, database_name="app", schemas=["public"],
                             metadata={"version": "16"})
    assert row["schemas"] == ["public"] and row["metadata"] == {"version": "16"} and row["table_count"] == 0
    assert row["discovered_at"] == row["last_verified"] == clock.now
    clock.advance(100)
    again = ws.record_database(database_type="postgresql", connection_string="postgresql://localhost/app2",
                               host="localhost", port=5432, database_name="app", table_count=12)
    assert again["id"] == row["id"] and again["last_verified"] == clock.now and again["discovered_at"] == row["discovered_at"]
    assert again["connection_string"].endswith("app2") and again["table_count"] == 12 and again["schemas"] == ["public"]
    # NULL key columns still identify the same discovery
    clock.advance(1)
    a = ws.record_database(database_type="sqlite", connection_string="app.db")
    b = ws.record_database(database_type="sqlite", connection_string="app.db")
    assert a["id"] == b["id"]
    assert [r["database_type"] for r in ws.query_discovered_databases()] == ["sqlite", "postgresql"]
    assert [r["id"] for r in ws.query_discovered_databases("postgresql")] == [row["id"]]


def test_apis_frameworks_and_stale(db, clock):
    ws = db.workspace
    api = ws.record_api(api_type="rest", base_url="https://api.example.com", authentication_type="bearer",
                        endpoints=["/users", "/orders"])
    ws.record_api(api_type="graphql", base_url="https://api.example.com/graphql")
    fw = ws.record_framework(framework_type="react", version="18.2", config_location="web/package.json",
                             components_count=40, routes_count=7)
    assert api["endpoints"] == ["/users", "/orders"] and fw["routes_count"] == 7
    assert [r["api_type"] for r in ws.query_discovered_apis(api_type="rest")] == ["rest"]
    assert len(ws.query_discovered_frameworks()) == 1
    clock.advance(10 * DAY)
    ws.record_api(api_type="rest", base_url="https://api.example.com")  # re-verified
    assert ws.mark_stale(5 * DAY) == 2
    assert sorted(r["kind"] for r in ws.stale()) == ["workspace_api", "workspace_framework"]
    assert [r["api_type"] for r in ws.query_discovered_apis()] == ["rest"]
    assert len(ws.query_discovered_apis(include_stale=True)) == 2
    ws.record_framework(framework_type="react", config_location="web/package.json")
    assert [r["kind"] for r in ws.stale()] == ["workspace_api"]


@pytest.mark.parametrize("kwargs, field", [
    ({"connection_string": "x"}, "database_type"),
    ({"database_type": "pg"}, "connection_string"),
    ({"database_type": "pg", "connection_string": "x", "port": -1}, "port"),
    ({"database_type": "pg", "connection_string": "x", "metadata": {"v": float("inf")}}, "metadata"),
])
def test_bad_discoveries(db, kwargs, field):
    with pytest.raises((ValidationError, TypeError)) as info:
        db.workspace.record_database(**kwargs)
    if isinstance(info.value, ValidationError):
        assert info.value.field == field
    assert db.query("SELECT count(*) AS n FROM workspace_databases")[0]["n"] == 0
    with pytest.raises(NotFoundError):
        db.workspace.get("workspace_database", 99)


def test_seed_validation_queries(tmp_path):
    """Seed 001's validation queries for the workspace tables, verbatim, via db.query."""
    with cortexdb.open(tmp_path / "real") as db:  # the system clock: the seed's query compares with 'now'
        db.workspace.record_database(database_type="postgresql", connection_string="postgresql://h/app",
                                     host="h", port=5432, database_name="app", table_count=3)
        db.workspace.record_api(api_type="rest", base_url="https://api.example.com", authentication_type="bearer")
        db.workspace.record_framework(framework_type="flask", version="3.0", config_location="requirements.txt",
                                      components_count=2, routes_count=5)
        tables = db.query("""SELECT name FROM sqlite_master WHERE type='table' AND name IN (
  'health_reports','maintenance_runs','creation_sessions','plugins',
  'workspace_databases','workspace_apis','workspace_frameworks'
)""")
        assert tables == []  # db.query's sqlite_master is the in-memory main; tiers are in cortexdb_schema:
        listed = db.query("SELECT name FROM cortexdb_schema WHERE type = 'table' AND name LIKE 'workspace_%'")
        assert {r["name"] for r in listed} == {"workspace_databases", "workspace_apis", "workspace_frameworks"}
        dbs = db.query("""SELECT database_type, host, database_name, table_count,
       datetime(discovered_at, 'unixepoch') as discovered
FROM workspace_databases
ORDER BY discovered_at DESC;""")
        assert [(r["database_type"], r["host"], r["database_name"], r["table_count"]) for r in dbs] == [
            ("postgresql", "h", "app", 3)]
        assert dbs[0]["discovered"]
        apis = db.query("""SELECT api_type, base_url, authentication_type,
       datetime(last_verified, 'unixepoch') as last_verified
FROM workspace_apis
WHERE last_verified > (strftime('%s', 'now') - 86400 * 30)  -- Last 30 days
ORDER BY api_type, base_url;""")
        assert [(r["api_type"], r["base_url"], r["authentication_type"]) for r in apis] == [
            ("rest", "https://api.example.com", "bearer")]
        frameworks = db.query("""SELECT framework_type, version, components_count, routes_count,
       datetime(discovered_at, 'unixepoch') as discovered
FROM workspace_frameworks
ORDER BY framework_type;""")
        assert [(r["framework_type"], r["version"], r["components_count"], r["routes_count"]) for r in frameworks] == [
            ("flask", "3.0", 2, 5)]
