"""scripts/build_all_tables.py: one SQLite file with the 81 tables, readable and enforced by plain sqlite3."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cortexdb.packs.grace import TABLES

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_all_tables.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


def test_builds_one_sqlite_file_with_all_81_tables(tmp_path: Path) -> None:
    path = tmp_path / "grace_system.db"
    first = run("--db", "sqlite", "--path", str(path))
    assert first.returncode == 0, first.stderr
    again = run("--db", "sqlite", "--path", str(path))
    assert again.returncode == 0 and "(0 objects created)" in again.stdout
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
                                         "AND name NOT LIKE 'librarian_index_fts_%' AND name <> 'sqlite_sequence'")}
    assert tables == {t.name for t in TABLES}
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.execute("INSERT INTO datasets (dataset_id, name) VALUES ('d', 'n')")
    conn.execute("INSERT INTO dataset_versions (version_id, dataset_id, version, manifest_json, content_hash) "
                 "VALUES ('v', 'd', 1, '{}', 'h')")
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        conn.execute("UPDATE dataset_versions SET row_count = 1")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO dataset_versions (version_id, dataset_id, version, manifest_json, content_hash) "
                     "VALUES ('w', 'missing', 1, '{}', 'h')")
    conn.execute("INSERT INTO librarian_index (entry_key, index_type, index_value) VALUES ('k', 'content', 'quarterly revenue')")
    assert conn.execute("SELECT rowid FROM librarian_index_fts WHERE librarian_index_fts MATCH 'revenue'").fetchall() == [(1,)]
    conn.close()


def test_list_and_unreachable_server() -> None:
    listed = run("--list")
    assert listed.returncode == 0 and "Total: 81 tables across 11 components" in listed.stdout
    assert "Learning (15 tables)" in listed.stdout
    unreachable = run("--db", "mysql", "--host", "127.0.0.1", "--port", "1", "--dbname", "test", "--user", "root")
    assert unreachable.returncode == 2 and unreachable.stderr.startswith("error: MySQL at 127.0.0.1:1/test")
