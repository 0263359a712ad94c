"""The Grace pack's 81 tables on the machine's PostgreSQL (127.0.0.1:5432), built by
scripts/build_all_tables.py --db postgres into a throwaway schema."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cortexdb.packs.grace import TABLES

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'cortexdb[postgres]')")
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_all_tables.py"
CONNINFO = dict(host="127.0.0.1", dbname="test", user=os.environ.get("CORTEXDB_PG_USER", "postgres"))


def _reachable() -> bool:
    try:
        psycopg.connect(**CONNINFO, connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


pytestmark = pytest.mark.skipif(not _reachable() and not os.environ.get("CI"),
                                reason="no PostgreSQL reachable on 127.0.0.1:5432")


@pytest.fixture
def schema() -> Iterator[str]:
    name = f"grace_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(**CONNINFO, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def test_builds_the_81_tables_on_postgres(schema: str) -> None:
    argv = [sys.executable, str(SCRIPT), "--db", "postgres", "--host", CONNINFO["host"], "--dbname", CONNINFO["dbname"],
            "--user", CONNINFO["user"], "--schema", schema]
    for _ in range(2):  # idempotent
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "81 of 81 tables present" in result.stdout
    with psycopg.connect(**CONNINFO, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        names = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                                            (schema,))}
        assert names == {t.name for t in TABLES}
        types = dict(conn.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s "
                                  "AND table_name = 'fusion_memory'", (schema,)).fetchall())
        assert types["content"] == "bytea" and types["metadata"] == "jsonb" and types["created_at"].startswith("timestamp")
        conn.execute("INSERT INTO datasets (dataset_id, name) VALUES ('d', 'n')")
        conn.execute("INSERT INTO dataset_versions (version_id, dataset_id, version, manifest_json, content_hash) "
                     "VALUES ('v', 'd', 1, '{}', 'h')")
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="immutable"):
            conn.execute("UPDATE dataset_versions SET row_count = 1")
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("INSERT INTO bronze_raw_events (event_id, source_id, payload_json, content_hash) "
                         "VALUES ('e', 'missing', '{}', 'h')")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO circuit_breakers (component_name, state) VALUES ('x', 'broken')")
        conn.execute("INSERT INTO models (model_id, name, version) VALUES ('m', 'r', '1')")
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="approval"):
            conn.execute("UPDATE models SET stage = 'production'")
        conn.execute("INSERT INTO librarian_index (entry_key, index_type, index_value) VALUES ('k', 'content', 'quarterly revenue')")
        assert conn.execute("SELECT entry_key FROM librarian_index WHERE to_tsvector('simple', index_value) "
                            "@@ plainto_tsquery('simple', 'revenue')").fetchall() == [("k",)]
