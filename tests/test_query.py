"""db.query: reads across tiers with JSON1; every write form refused, store unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import cortexdb
from cortexdb import _sqlite

SEED_VALIDATION_QUERIES = [
    """SELECT name FROM sqlite_master WHERE type='table' AND name IN (
  'health_reports','maintenance_runs','creation_sessions','plugins',
  'workspace_databases','workspace_apis','workspace_frameworks'
)""",
    """SELECT plugin_id, hook, error_message, started_at
FROM plugin_hook_executions
WHERE status='failed'
ORDER BY started_at DESC
LIMIT 10""",
    """SELECT file_path, total_chunks, completed, failed, started_at
FROM creation_sessions
WHERE completed=0
ORDER BY started_at DESC""",
    """SELECT database_type, host, database_name, table_count,
       datetime(discovered_at, 'unixepoch') as discovered
FROM workspace_databases
ORDER BY discovered_at DESC""",
    """SELECT api_type, base_url, authentication_type,
       datetime(last_verified, 'unixepoch') as last_verified
FROM workspace_apis
WHERE last_verified > (strftime('%s', 'now') - 86400 * 30)  -- Last 30 days
ORDER BY api_type, base_url""",
    """SELECT framework_type, version, components_count, routes_count,
       datetime(discovered_at, 'unixepoch') as discovered
FROM workspace_frameworks
ORDER BY framework_type""",
]

WRITES = [
    "INSERT INTO conversations (conversation_id) VALUES ('x')",
    "REPLACE INTO conversations (conversation_id) VALUES ('x')",
    "UPDATE store_identity SET declared_role = 'prod'",
    "DELETE FROM store_identity",
    "WITH c(x) AS (SELECT 'y') INSERT INTO conversations (conversation_id) SELECT x FROM c",
    "SELECT 1; DELETE FROM store_identity",
    "CREATE TABLE tier1.evil (x)",
    "CREATE TEMP TABLE evil (x)",
    "CREATE INDEX tier1.evil_idx ON conversations(title)",
    "CREATE VIEW tier1.evil_view AS SELECT 1",
    "CREATE TRIGGER tier1.evil_trg AFTER INSERT ON conversations BEGIN SELECT 1; END",
    "CREATE VIRTUAL TABLE tier1.evil_fts USING fts5(x)",
    "DROP TABLE tier1.messages",
    "DROP INDEX tier1.idx_conversations_active",
    "ALTER TABLE conversations ADD COLUMN evil TEXT",
    "ALTER TABLE conversations RENAME TO convs",
    "ATTACH ':memory:' AS evil",
    "DETACH tier3",
    "PRAGMA tier1.user_version = 5",
    "PRAGMA tier1.journal_mode = DELETE",
    "PRAGMA writable_schema = ON",
    "PRAGMA tier0.application_id = 7",
    "PRAGMA foreign_keys = OFF",
    "PRAGMA wal_checkpoint",
    "PRAGMA optimize",
    "PRAGMA tier1.incremental_vacuum",
    "SELECT load_extension('/tmp/evil.so')",
    "VACUUM",
    "VACUUM tier1 INTO '/tmp/cortexdb-evil-copy.db'",
    "REINDEX",
    "ANALYZE",
    "BEGIN",
    "BEGIN IMMEDIATE",
    "SAVEPOINT s1",
    "COMMIT",
]


def fingerprint(db: cortexdb.Store) -> str:
    """A digest of every tier's schema, pragmas and rows."""
    h = hashlib.sha256()
    for tier in _sqlite.TIERS:
        for pragma in ("user_version", "application_id", "journal_mode", "schema_version"):
            h.update(repr(db.execute(f"PRAGMA {tier}.{pragma}")).encode())
        for name, sql in db.execute(f"SELECT name, sql FROM {tier}.sqlite_master ORDER BY name"):
            h.update(repr((name, sql)).encode())
            if sql and sql.startswith("CREATE TABLE"):
                h.update(repr(sorted(map(repr, db.execute(f'SELECT * FROM {tier}."{name}"')))).encode())
    h.update(repr(db.execute("PRAGMA database_list")).encode())
    return h.hexdigest()


@pytest.mark.parametrize("sql", WRITES)
def test_every_write_form_is_refused(db: cortexdb.Store, sql: str) -> None:
    with db.transaction():
        db.execute("INSERT INTO tier1.conversations (conversation_id, title) VALUES ('keep', 'kept')")
    before = fingerprint(db)
    with pytest.raises(cortexdb.ReadOnlyError):
        db.query(sql)
    assert fingerprint(db) == before
    assert not Path("/tmp/cortexdb-evil-copy.db").exists()
    assert not db.conn.in_transaction
    db.query("SELECT 1")  # the store still works afterwards
    with db.transaction():
        db.execute("UPDATE tier1.conversations SET title = 'still writable' WHERE conversation_id = 'keep'")


def test_cached_write_statement_cannot_be_reused_through_query(db: cortexdb.Store) -> None:
    sql = "INSERT INTO tier1.conversations (conversation_id) VALUES ('cached')"
    with db.transaction():
        db.execute(sql)
        db.execute("DELETE FROM tier1.conversations")
    with pytest.raises(cortexdb.ReadOnlyError):
        db.query(sql)
    assert db.query("SELECT count(*) AS n FROM conversations")[0]["n"] == 0


@pytest.mark.parametrize("sql", SEED_VALIDATION_QUERIES)
def test_seed_validation_queries_run_unchanged(db: cortexdb.Store, sql: str) -> None:
    assert isinstance(db.query(sql), list)


def test_cross_tier_schema_view_lists_seed_tables(db: cortexdb.Store) -> None:
    rows = db.query(
        "SELECT tier, name FROM cortexdb_schema WHERE type='table' AND name IN ("
        "'health_reports','maintenance_runs','creation_sessions','plugins',"
        "'workspace_databases','workspace_apis','workspace_frameworks')")
    assert {(r["tier"], r["name"]) for r in rows} == {
        ("tier3", "health_reports"), ("tier3", "maintenance_runs"), ("tier1", "creation_sessions"),
        ("tier0", "plugins"), ("tier2", "workspace_databases"), ("tier2", "workspace_apis"),
        ("tier2", "workspace_frameworks")}


def test_reads_across_tiers_with_json1(db: cortexdb.Store) -> None:
    with db.transaction():
        db.execute("INSERT INTO tier1.conversations (conversation_id, title) VALUES ('c1', 'login')")
        db.execute("INSERT INTO tier1.messages (conversation_id, role, content, metadata) VALUES "
                   "('c1', 'user', 'hi', '{\"path\": \"web/login.ts\", \"tags\": [\"a\", \"b\"]}')")
    rows = db.query(
        "SELECT m.content, json_extract(m.metadata, '$.path') AS path, m.metadata ->> '$.path' AS p2, "
        "(SELECT count(*) FROM json_each(m.metadata, '$.tags')) AS ntags, s.declared_role "
        "FROM tier1.messages m JOIN conversations c USING (conversation_id), tier0.store_identity s "
        "WHERE c.title = ?", ("login",))
    assert rows == [{"content": "hi", "path": "web/login.ts", "p2": "web/login.ts", "ntags": 2,
                     "declared_role": "staging"}]


def test_read_pragmas_allowed(db: cortexdb.Store) -> None:
    assert db.query("PRAGMA tier1.table_info(conversations)")
    assert db.query("SELECT name FROM pragma_table_info('messages')")
    assert db.query("PRAGMA tier1.user_version")[0]["user_version"] > 0
    assert db.query("PRAGMA tier1.integrity_check")[0]["integrity_check"] == "ok"


def test_named_parameters_and_bad_sql(db: cortexdb.Store) -> None:
    assert db.query("SELECT :a + :b AS s", {"a": 1, "b": 2}) == [{"s": 3}]
    with pytest.raises(cortexdb.CortexError):
        db.query("SELEC nonsense")
    with pytest.raises(cortexdb.ValidationError):
        db.query(123)  # type: ignore[arg-type]
