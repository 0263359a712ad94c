"""Migrations: the three paths agree, drift/failure/downgrade are refused, backups restore."""

from __future__ import annotations

import sys
from pathlib import Path

import apsw
import pytest
from store_helpers import write_migration

import cortexdb
from cortexdb import _sqlite, migrations
from cortexdb.clock import system_clock

ROOT = Path(__file__).resolve().parents[1]


def _schemas(home: Path) -> dict[str, list[tuple[str, str, str]]]:
    out = {}
    for tier in _sqlite.TIERS:
        conn = apsw.Connection(str(home / f"{tier}.db"))
        out[tier] = migrations.normalized_schema(conn)
        out[tier + "-ledger"] = conn.execute(
            f"SELECT module, version, name, checksum FROM {migrations.LEDGER} ORDER BY module, version").fetchall()
        out[tier + "-user_version"] = conn.execute("PRAGMA user_version").get
        fts5 = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%fts5%'")]
        out[tier + "-fts5-options"] = {name: conn.execute(f"SELECT k, v FROM {name}_config ORDER BY k").fetchall() for name in fts5}
        conn.close()
    return out


def _migrator(home: Path, tier: str) -> migrations.TierMigrator:
    home.mkdir(parents=True, exist_ok=True)
    return migrations.TierMigrator(home / f"{tier}.db", tier, roots=migrations.schema_roots(), busy_ms=1000,
                                   clock=system_clock, backups_dir=home / "backups", keep_backups=3)


def test_three_paths_give_identical_schemas(tmp_path: Path) -> None:
    # Path A: every migration from an empty file.
    path_a = tmp_path / "a"
    for tier in _sqlite.TIERS:
        m = _migrator(path_a, tier)
        applied = m.upgrade(migrations.BASE_MODULES, bootstrap=False)
        assert all(row.duration_ms >= 0 for row in m.applied().values()) and applied
        m.close()
    # Path B: snapshot + stamp (what a new store does).
    path_b = tmp_path / "b"
    with cortexdb.open(path_b) as db:
        stamped = db.query("SELECT sum(duration_ms) AS d FROM tier1.cortexdb_migrations")[0]["d"]
        assert stamped == 0  # bootstrapped, not run statement by statement
    # Path C: a store made by the first migration (CORTEX 1.0 conversations), holding data, upgraded.
    path_c = tmp_path / "c"
    m = _migrator(path_c, "tier1")
    m.claim()
    first = migrations.plan(migrations.schema_roots(), "tier1", migrations.BASE_MODULES)[0]
    assert first.name == "conversations_v1"
    m._apply(first)
    m.conn.execute("INSERT INTO conversations (conversation_id, title, message_count) VALUES ('old', '1.0 chat', 2)")
    m.close()
    with cortexdb.open(path_c) as db:
        assert any("0002_conversations_v2" in label for label in db.migrated)
        row = db.query("SELECT title, task_status, archived, last_action_at FROM conversations")[0]
        assert row == {"title": "1.0 chat", "task_status": "open", "archived": 0, "last_action_at": None}
        assert list(path_c.joinpath("backups").glob("tier1-*.db"))  # backed up before migrating
    with cortexdb.open(path_a):  # path A store also gets its identity row on first open
        pass
    a, b, c = _schemas(path_a), _schemas(path_b), _schemas(path_c)
    for key in a:
        assert a[key] == b[key] == c[key], key
    assert ("automerge", 16) in a["tier2-fts5-options"]["graph_substring"]  # an FTS5 option set by a migration


def test_snapshot_is_current() -> None:
    import subprocess
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "dump_schema.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_guarded_alter_skips_existing_column(tmp_path: Path) -> None:
    """A pre-ledger 1.0 store that already had a 2.0 column upgrades without error."""
    home = tmp_path / "s"
    m = _migrator(home, "tier1")
    m.claim()
    m.conn.execute("CREATE TABLE conversations (conversation_id TEXT PRIMARY KEY, title TEXT, created_at TIMESTAMP, "
                   "last_updated TIMESTAMP, message_count INTEGER, is_active INTEGER, summary TEXT, session_id TEXT, "
                   "archived INTEGER DEFAULT 0)")
    m.close()
    with cortexdb.open(home) as db:
        cols = [r["name"] for r in db.query("SELECT name FROM pragma_table_info('conversations')")]
        assert cols.count("archived") == 1 and "task_status" in cols


def test_extra_module_applies_and_is_idempotent(tmp_path: Path, extra_schema: Path) -> None:
    cortexdb.open(tmp_path / "s").close()
    write_migration(extra_schema, "notes", "tier2", 1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);")
    with cortexdb.open(tmp_path / "s", modules=["notes"]) as db:
        assert db.migrated == ["notes/tier2/0001_notes.sql"]
        assert db.identity()["enabled_modules"] == ["core", "cortex", "governance", "notes"]
    with cortexdb.open(tmp_path / "s", modules=["notes"]) as db:
        assert db.migrated == []


def test_drift_is_refused_naming_module_tier_file(tmp_path: Path, extra_schema: Path) -> None:
    path = write_migration(extra_schema, "notes", "tier2", 1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY);")
    cortexdb.open(tmp_path / "s", modules=["notes"]).close()
    write_migration(extra_schema, "notes", "tier2", 1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, x);")
    with pytest.raises(cortexdb.MigrationDriftError) as info:
        cortexdb.open(tmp_path / "s", modules=["notes"])
    message = str(info.value)
    assert "notes" in message and "tier2" in message and str(path) in message


def test_failing_migration_rolls_back_whole(tmp_path: Path, extra_schema: Path) -> None:
    write_migration(extra_schema, "notes", "tier2", 1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY);")
    cortexdb.open(tmp_path / "s", modules=["notes"]).close()
    bad = write_migration(extra_schema, "notes", "tier2", 2, "broken",
                          "CREATE TABLE notes2 (x);\nINSERT INTO notes2 VALUES (1);\nINSERT INTO missing_table VALUES (1);\n")
    with pytest.raises(cortexdb.MigrationError) as info:
        cortexdb.open(tmp_path / "s", modules=["notes"])
    assert bad.name in str(info.value) and "INSERT INTO missing_table" in str(info.value)
    bad.unlink()
    migrations.reload()
    with cortexdb.open(tmp_path / "s", modules=["notes"]) as db:
        assert not db.query("SELECT 1 FROM cortexdb_schema WHERE name = 'notes2'")
        assert [r["version"] for r in db.query(
            "SELECT version FROM tier2.cortexdb_migrations WHERE module = 'notes'")] == [1]


def test_newer_store_refuses_writes_but_reads(tmp_path: Path, extra_schema: Path) -> None:
    write_migration(extra_schema, "notes", "tier2", 1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY);")
    newer = write_migration(extra_schema, "notes", "tier2", 2, "more", "CREATE TABLE notes_more (id);")
    cortexdb.open(tmp_path / "s", modules=["notes"]).close()
    newer.unlink()  # an older cortexdb: it lacks migration 2
    migrations.reload()
    with pytest.raises(cortexdb.SchemaTooNewError, match="newer"):
        cortexdb.open(tmp_path / "s", modules=["notes"])
    with cortexdb.open(tmp_path / "s", modules=["notes"], readonly=True) as db:
        assert db.query("SELECT count(*) AS n FROM notes_more")[0]["n"] == 0


def test_status_shows_pending_missing_and_dry_run(tmp_path: Path, extra_schema: Path) -> None:
    write_migration(extra_schema, "notes", "tier2", 1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY);")
    gone = write_migration(extra_schema, "notes", "tier3", 1, "old", "CREATE TABLE notes_old (id);")
    cortexdb.open(tmp_path / "s", modules=["notes"]).close()
    gone.unlink()
    write_migration(extra_schema, "notes", "tier2", 2, "next", "CREATE TABLE notes_next (id);")
    with cortexdb.open(tmp_path / "s", modules=["notes"], migrate=False) as db:
        states = {(m.tier, m.version, m.name): m.state for m in db.migrations.status() if m.module == "notes"}
        assert states == {("tier2", 1, "notes"): "applied", ("tier2", 2, "next"): "pending",
                          ("tier3", 1, "old"): "missing"}
        assert [m.name for m in db.migrations.up(dry_run=True)] == ["next"]
        assert not db.query("SELECT 1 FROM cortexdb_schema WHERE name = 'notes_next'")


def test_rollback_uses_down_section_and_refuses_without(tmp_path: Path, extra_schema: Path) -> None:
    write_migration(extra_schema, "notes", "tier2", 1, "notes",
                    "CREATE TABLE notes (id INTEGER PRIMARY KEY);\n-- down\nDROP TABLE notes;\n")
    write_migration(extra_schema, "notes", "tier3", 1, "oneway", "CREATE TABLE notes_oneway (id);")
    with cortexdb.open(tmp_path / "s", modules=["notes"]) as db:
        with pytest.raises(cortexdb.MigrationError, match="no '-- down' section"):
            db.migrations.rollback("notes", "tier3")
        done = db.migrations.rollback("notes", "tier2")
        assert (done.tier, done.version, done.state) == ("tier2", 1, "rolled_back")
        assert not db.query("SELECT 1 FROM cortexdb_schema WHERE name = 'notes'")
        assert [m.state for m in db.migrations.status() if m.name == "notes"] == ["pending"]
        with pytest.raises(cortexdb.NotFoundError):
            db.migrations.rollback("nosuch")


def test_backups_kept_and_restorable(tmp_path: Path, extra_schema: Path) -> None:
    home = tmp_path / "s"
    with cortexdb.open(home, keep_backups=2) as db:
        with db.transaction():
            db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, relation) "
                       "VALUES ('file', 'a.py', 'conversation', 'c1', 'generated')")
    for number in range(1, 4):
        write_migration(extra_schema, "notes", "tier2", number, f"step{number}", f"CREATE TABLE notes{number} (id);")
        with cortexdb.open(home, modules=["notes"], keep_backups=2) as db:
            with db.transaction():
                db.execute("DELETE FROM tier2.provenance_links")
    backups = sorted((home / "backups").glob("tier2-*.db"))
    assert len(backups) == 2  # only the newest two kept
    oldest_kept = backups[0]
    migrations.restore_backup(oldest_kept, home, "tier2")
    with cortexdb.open(home, modules=["notes"]) as db:
        # the backup was taken before step 3 was applied, with the row deleted after step 1 and 2
        assert db.query("SELECT count(*) AS n FROM tier2.provenance_links")[0]["n"] == 0
        assert "notes/tier2/0003_step3.sql" in db.migrated
    first = tmp_path / "manual"
    with cortexdb.open(home) as db:
        with db.transaction():
            db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, relation) "
                       "VALUES ('file', 'b.py', 'conversation', 'c2', 'updated')")
        db.backup(first)
        with db.transaction():
            db.execute("DELETE FROM tier2.provenance_links")
    migrations.restore_backup(first / "tier2.db", home, "tier2")
    with cortexdb.open(home) as db:
        assert db.query("SELECT source_ref FROM tier2.provenance_links") == [{"source_ref": "b.py"}]


def test_restore_refuses_a_foreign_file(tmp_path: Path) -> None:
    cortexdb.open(tmp_path / "s").close()
    foreign = tmp_path / "foreign.db"
    conn = apsw.Connection(str(foreign))
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(cortexdb.StoreFileError):
        migrations.restore_backup(foreign, tmp_path / "s", "tier1")


def test_split_statements_keeps_trigger_bodies() -> None:
    sql = ("CREATE TABLE t (x); -- comment; with semicolon\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN "
           "INSERT INTO t VALUES (';'); SELECT 1; END;\n-- trailing comment\n")
    parts = migrations.split_statements(sql)
    assert len(parts) == 2 and parts[1].startswith("-- comment") and parts[1].endswith("END;")


def test_dump_schema_keeps_fts5_options_as_statements() -> None:
    """FTS5 options live in a shadow table the dump skips; they come back as INSERT statements
    (numbers and quoted text alike) that recreate them."""
    source = apsw.Connection(":memory:")
    source.execute("CREATE VIRTUAL TABLE notes USING fts5(body)")
    source.execute("INSERT INTO notes (notes, rank) VALUES ('automerge', 8)")
    source.execute("INSERT INTO notes (notes, rank) VALUES ('rank', 'bm25(10.0, ''5'')')")
    statements = migrations.dump_schema(source)
    copy = apsw.Connection(":memory:")
    for statement in statements:
        copy.execute(statement)
    options = "SELECT k, v FROM notes_config ORDER BY k"
    assert copy.execute(options).fetchall() == source.execute(options).fetchall()
