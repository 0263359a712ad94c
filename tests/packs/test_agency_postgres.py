"""The agency pack's PostgreSQL DDL (schema/agency/postgres) on the real PostgreSQL at
127.0.0.1:5432: applied to a fresh database of its own, with the seed's types, indexes and
row-level security checked through a second role. Skipped with the reason when no PostgreSQL
is reachable, except under CI, where that is a failure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cortexdb
from cortexdb import migrations
from cortexdb.sync import pg_schema

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
from psycopg import sql  # noqa: E402

PG_DIR = migrations.schema_roots()[0] / "agency" / "postgres"
DSN = os.environ.get("CORTEXDB_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3")


def admin() -> Any:
    try:
        return psycopg.connect(DSN, autocommit=True)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI and is unreachable at {DSN!r}: {error}")
        pytest.skip(f"no PostgreSQL reachable at {DSN!r} ({error}); set CORTEXDB_TEST_PG to a DSN")


def pg_files() -> list[Path]:
    return sorted(PG_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))


@pytest.fixture
def pg() -> Iterator[tuple[Any, str]]:
    """A connection to a new database (dropped afterwards) with the pack's files applied, and
    the name of a second, ordinary role (dropped afterwards)."""
    name = f"cortexdb_agency_{uuid.uuid4().hex[:12]}"
    role = f"{name}_reader"
    server = admin()
    server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn = None
    try:
        conn = psycopg.connect(DSN.replace("dbname=postgres", f"dbname={name}"), autocommit=True)
        for migration in pg_schema.plan((*migrations.BASE_MODULES, "agency")):  # the pack builds on the base tables
            conn.execute(migration.sql.encode())  # a script of several statements
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            sql.Identifier(role)))
        yield conn, role
    finally:
        if conn is not None:
            conn.close()
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        server.close()


def columns(conn: Any, table: str) -> dict[str, str]:
    rows = conn.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' "
                        "AND table_name = %s ORDER BY ordinal_position", (table,)).fetchall()
    return dict(rows)


def test_seed_types_indexes_and_column_parity_with_sqlite(pg: tuple[Any, str], tmp_path: Path) -> None:
    conn, _role = pg
    assert columns(conn, "waivers")["gates"] == "ARRAY"
    assert columns(conn, "waivers")["expires_at"] == "timestamp with time zone"
    assert columns(conn, "provenance_records")["verdict_id"] == "uuid"
    assert columns(conn, "provenance_records")["decision_data"] == "jsonb"
    assert columns(conn, "slo_measurements")["measurement_period"] == "interval"
    assert columns(conn, "council_verdicts")["confidence_score"] == "numeric"
    indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
    tables = ("waivers", "council_verdicts", "caws_violations", "provenance_records", "git_commits", "system_metrics",
              "slo_measurements", "alerts", "tasks", "task_progress", "task_artifacts")
    with cortexdb.open(tmp_path / "s", modules=["agency"]) as db:
        for table in tables:
            lite = [r["name"] for r in db.query("SELECT name FROM pragma_table_info(?)", (table,))]
            assert list(columns(conn, table)) == lite, table
        lite_indexes = {r["name"] for r in db.query(
            f"SELECT name FROM cortexdb_schema WHERE type = 'index' AND name LIKE 'idx%' "
            f"AND tbl_name IN ({', '.join('?' * len(tables))})", tables)}
    assert len(lite_indexes) == 18 and lite_indexes <= indexes, lite_indexes - indexes
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("INSERT INTO provenance_records (verdict_id, task_id, decision_type, decision_data, consensus_score, "
                     "caws_compliance, git_trailer, signature) VALUES (gen_random_uuid(), gen_random_uuid(), 'merge', '{}', "
                     "1.5, '{}', 't', 's')")


def seed_rows(conn: Any, role: str) -> dict[str, str]:
    ids = {}
    for key, approved_by, status in (("mine_expired", role, "expired"), ("theirs_active", "lead", "active"),
                                     ("theirs_revoked", "lead", "revoked")):
        ids[key] = str(conn.execute(
            "INSERT INTO waivers (title, reason, description, gates, approved_by, mitigation_plan, expires_at, status) "
            "VALUES (%s, 'r', 'd', ARRAY['coverage'], %s, 'm', NOW() + INTERVAL '7 days', %s) RETURNING id",
            (key, approved_by, status)).fetchone()[0])
    task = conn.execute("INSERT INTO tasks (task_id, description) VALUES ('T1', 'ship') RETURNING id").fetchone()[0]
    for _ in range(2):
        conn.execute("INSERT INTO provenance_records (verdict_id, task_id, decision_type, decision_data, consensus_score, "
                     "caws_compliance, git_trailer, signature) VALUES (gen_random_uuid(), %s, 'merge', '{}', 0.8, '{}', "
                     "'Provenance-Decision: merge', 'hmac-sha256:k:d')", (task,))
    return ids


def as_role(conn: Any, role: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with conn.transaction():
        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def test_waiver_access_policy_seen_by_a_second_role(pg: tuple[Any, str]) -> None:
    conn, role = pg
    ids = seed_rows(conn, role)
    seen = {r[0] for r in as_role(conn, role, "SELECT title FROM waivers")}
    assert seen == {"mine_expired", "theirs_active"}  # approved by the role, or active
    assert len(conn.execute("SELECT * FROM waivers").fetchall()) == 3  # the owner is not subject to the policy
    as_role(conn, role, "UPDATE waivers SET status = 'revoked' WHERE id = %s", (ids["theirs_revoked"],))
    assert conn.execute("SELECT status FROM waivers WHERE id = %s", (ids["theirs_revoked"],)).fetchone()[0] == "revoked"
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # may not write a row it then could not see
        as_role(conn, role, "INSERT INTO waivers (title, reason, description, gates, approved_by, mitigation_plan, "
                            "expires_at, status) VALUES ('x', 'r', 'd', ARRAY['lint'], 'lead', 'm', NOW(), 'revoked')")


def test_provenance_access_policy_seen_by_a_second_role(pg: tuple[Any, str]) -> None:
    conn, role = pg
    seed_rows(conn, role)
    assert as_role(conn, role, "SELECT count(*) FROM provenance_records") == [(0,)]
    conn.execute("INSERT INTO agency_access (role_name) VALUES (%s)", (role,))
    assert as_role(conn, role, "SELECT count(*) FROM provenance_records") == [(2,)]
    conn.execute("DELETE FROM agency_access")
    assert as_role(conn, role, "SELECT count(*) FROM provenance_records") == [(0,)]


def test_audit_triggers_record_the_writer_and_the_log_is_owner_only(pg: tuple[Any, str]) -> None:
    conn, role = pg
    ids = seed_rows(conn, role)
    as_role(conn, role, "UPDATE waivers SET mitigation_plan = 'rerun nightly' WHERE id = %s", (ids["mine_expired"],))
    rows = conn.execute("SELECT table_name, operation, old_values ->> 'mitigation_plan', new_values ->> 'mitigation_plan', "
                        "user_id FROM audit_log WHERE operation = 'UPDATE'").fetchall()
    assert rows == [("waivers", "UPDATE", "m", "rerun nightly", role)]
    inserts = conn.execute("SELECT table_name, count(*) FROM audit_log WHERE operation = 'INSERT' GROUP BY 1 ORDER BY 1")
    assert inserts.fetchall() == [("tasks", 1), ("waivers", 3)]
    assert as_role(conn, role, "SELECT count(*) FROM audit_log") == [(0,)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # cannot forge rows in another's name
        as_role(conn, role, "INSERT INTO audit_log (table_name, operation, user_id) VALUES ('waivers', 'DELETE', 'lead')")


def test_down_sections_reverse_the_files(pg: tuple[Any, str]) -> None:
    conn, _role = pg
    before = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    for path in reversed(pg_files()):
        _up, down = migrations.split_file(path.read_text("utf-8"))
        assert down, path
        conn.execute(down.encode())
    left = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert "tasks" in left and left == before - {  # the base modules' tables stay
        "waivers", "council_verdicts", "caws_violations", "provenance_records", "git_commits", "system_metrics",
        "slo_measurements", "alerts", "audit_log", "agency_access"}
