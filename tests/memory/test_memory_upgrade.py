"""A tier 1 holding CORTEX 2.0 conversations before this module's migrations upgrades cleanly:
existing messages become searchable, counts become true, schemas match a fresh store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import apsw

import cortexdb
from cortexdb import migrations
from cortexdb.clock import system_clock

ROOT = Path(__file__).resolve().parents[2]


def test_upgrade_from_conversations_v2(tmp_path):
    home = tmp_path / "old"
    home.mkdir()
    migrator = migrations.TierMigrator(home / "tier1.db", "tier1", roots=migrations.schema_roots(), busy_ms=1000,
                                       clock=system_clock, backups_dir=home / "backups", keep_backups=3)
    migrator.claim()
    for migration in migrations.plan(migrations.schema_roots(), "tier1", migrations.BASE_MODULES):
        if migration.module == "cortex" and migration.version <= 3:
            migrator._apply(migration)
    migrator.conn.execute("INSERT INTO conversations (conversation_id, title, message_count) VALUES ('old', 'Old Safari chat', 7)")
    migrator.conn.execute("INSERT INTO messages (conversation_id, role, content) VALUES ('old', 'user', 'cookies on safari')")
    migrator.close()
    with cortexdb.open(home) as db:
        assert db.conversations.get("old").message_count == 1
        assert [h.message_id for h in db.conversations.search("cookies")] == [1]
        assert db.conversations.search("old")[0].conversation_id == "old"
        conv = db.conversations.resume("old")
        conv.add_message("assistant", "fixed")
        assert conv.info().message_count == 2
    with cortexdb.open(tmp_path / "fresh"):
        pass

    def schema(path: Path) -> list[tuple[str, str, str]]:
        conn = apsw.Connection(str(path / "tier1.db"))
        try:
            return migrations.normalized_schema(conn)
        finally:
            conn.close()

    assert schema(home) == schema(tmp_path / "fresh")


def test_schema_snapshots_are_current():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "dump_schema.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_tier1_file_works_from_the_sqlite3_shell_schema(tmp_path):
    """Triggers use built-in functions only: a plain apsw connection (no cortexdb) can write."""
    with cortexdb.open(tmp_path / "s") as db:
        db.conversations.start("t", conversation_id="c")
    conn = apsw.Connection(str(tmp_path / "s" / "tier1.db"))
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("INSERT INTO messages (conversation_id, role, content) VALUES ('c', 'user', 'from the shell')")
    conn.execute("INSERT INTO tasks (task_id, description) VALUES ('T', 'raw task')")
    conn.execute("INSERT INTO structured_memory (key, value_type, value) VALUES ('k', 'json', '[1]')")
    conn.close()
    with cortexdb.open(tmp_path / "s") as db:
        assert db.conversations.get("c").message_count == 1
        assert db.conversations.search("shell")[0].message_id == 1
        assert len(db.tasks.get("T").id) == 36
        assert db.memory.get("k") == [1]
