"""The Grace pack's 81 tables on the machine's MariaDB (127.0.0.1:3306), built by
scripts/build_all_tables.py --db mysql into a throwaway database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cortexdb.packs.grace import TABLES
from cortexdb.packs.grace.build import mysql_statements

pymysql = pytest.importorskip("pymysql", reason="PyMySQL is not installed (pip install 'cortexdb[mysql]')")
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_all_tables.py"
SERVER = dict(host="127.0.0.1", user="root", password="")


def _reachable() -> bool:
    try:
        pymysql.connect(**SERVER, connect_timeout=3).close()
        return True
    except pymysql.MySQLError:
        return False


pytestmark = pytest.mark.skipif(not _reachable() and not os.environ.get("CI"),
                                reason="no MySQL/MariaDB reachable on 127.0.0.1:3306")


@pytest.fixture
def database() -> Iterator[str]:
    name = f"grace_{uuid.uuid4().hex[:10]}"
    conn = pymysql.connect(**SERVER, autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    yield name
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
    conn.close()


def test_splitter_follows_delimiter_lines() -> None:
    trigger = "CREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW\nBEGIN\n  SET @x = 1;\nEND"
    text = f"-- c\nCREATE TABLE a (x INT);\nDELIMITER //\n{trigger}//\nDELIMITER ;\n"
    assert mysql_statements(text) == ["CREATE TABLE a (x INT)", trigger]


def test_builds_the_81_tables_on_mariadb(database: str) -> None:
    argv = [sys.executable, str(SCRIPT), "--db", "mysql", "--host", SERVER["host"], "--dbname", database, "--user", SERVER["user"]]
    for _ in range(2):  # idempotent
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "81 of 81 tables present" in result.stdout
    conn = pymysql.connect(**SERVER, database=database, autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (database,))
        assert {r[0] for r in cursor.fetchall()} == {t.name for t in TABLES}
        cursor.execute("SELECT count(*) FROM information_schema.referential_constraints WHERE constraint_schema = %s", (database,))
        assert cursor.fetchone()[0] >= 40
        cursor.execute("INSERT INTO datasets (dataset_id, name) VALUES ('d', 'n')")
        cursor.execute("INSERT INTO dataset_versions (version_id, dataset_id, version, manifest_json, content_hash) "
                       "VALUES ('v', 'd', 1, '{}', 'h')")
        with pytest.raises(pymysql.MySQLError, match="immutable"):
            cursor.execute("UPDATE dataset_versions SET row_count = 1")
        with pytest.raises(pymysql.err.IntegrityError):
            cursor.execute("INSERT INTO bronze_raw_events (event_id, source_id, payload_json, content_hash) "
                           "VALUES ('e', 'missing', '{}', 'h')")
        with pytest.raises(pymysql.MySQLError):
            cursor.execute("INSERT INTO circuit_breakers (component_name, state) VALUES ('x', 'broken')")
        with pytest.raises(pymysql.MySQLError):
            cursor.execute("INSERT INTO fusion_memory (entry_id, `key`, content, size_bytes, checksum, tags) "
                           "VALUES ('e', 'k', 'x', 1, REPEAT('0', 64), 'not json')")
        cursor.execute("INSERT INTO librarian_index (entry_key, index_type, index_value) VALUES ('k', 'content', 'quarterly revenue')")
        cursor.execute("SELECT entry_key FROM librarian_index WHERE MATCH (index_value) AGAINST ('revenue' IN BOOLEAN MODE)")
        assert cursor.fetchall() == (("k",),)
    conn.close()
