"""``cortexdb sync push|pull|status`` and ``cortexdb schema --dialect``."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

import cortexdb
from cortexdb.cli import main


def test_sync_commands_push_pull_and_report(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CORTEXDB_AUTHORITY", raising=False)
    runner = CliRunner()
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    with cortexdb.open(a) as db:
        db.graph.upsert_entity("alice", kind="person")
    result = runner.invoke(main, ["--home", a, "sync", "status"])
    assert result.exit_code == 2 and "no authority is declared" in result.output
    result = runner.invoke(main, ["--home", a, "--json", "sync", "push", "--authority", pg_url])
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.output)["entities"] == 1
    monkeypatch.setenv("CORTEXDB_AUTHORITY", pg_url)
    result = runner.invoke(main, ["--home", b, "--json", "sync", "pull", "--batch-size", "10"])
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.output)["entities"] == 1
    result = runner.invoke(main, ["--home", b, "--json", "sync", "status"])
    status = orjson.loads(result.output)
    assert status["pending_push"] == 0 and status["pulled_seq"] == status["authority_seq"] > 0
    assert runner.invoke(main, ["--home", b, "sync", "status"]).exit_code == 0
    result = runner.invoke(main, ["--home", b, "sync", "push", "--authority-role", "prod"])
    assert result.exit_code == 2 and "recorded as a 'staging' authority" in result.output


def test_schema_prints_the_ddl_of_either_dialect() -> None:
    runner = CliRunner()
    pg = runner.invoke(main, ["schema", "--dialect", "postgres", "--module", "cortex"])
    assert pg.exit_code == 0 and "JSONB" in pg.output and "USING GIN" in pg.output and "to_tsvector" in pg.output
    lite = runner.invoke(main, ["schema", "--module", "cortex"])
    assert lite.exit_code == 0 and "USING fts5(" in lite.output and "USING GIN" not in lite.output
    missing = runner.invoke(main, ["schema", "--dialect", "postgres", "--module", "nosuch"])
    assert missing.exit_code == 2 and "no PostgreSQL migrations for nosuch" in missing.output
