"""The authority's migration ledger and the declared-authority rules, on a real PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from cortexdb import authority, migrations
from cortexdb.errors import AuthorityError, MigrationDriftError, MigrationError, ValidationError
from cortexdb.sync import pg_schema

MODULES = migrations.BASE_MODULES


def _upgrade(url: str, role: str | None = "staging", confirm: bool = False) -> pg_schema.AuthorityState:
    with psycopg.connect(url, autocommit=True) as conn:
        return pg_schema.upgrade(conn, authority.AuthorityDeclaration(url, role, confirm), MODULES)


def _count(url: str, sql: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_staging_authority_migrates_once_and_records_every_migration(pg_url: str) -> None:
    state = _upgrade(pg_url)
    assert state.role == "staging" and state.applied == [m.label for m in pg_schema.plan(MODULES)]
    again = _upgrade(pg_url)
    assert again.applied == [] and again.authority_id == state.authority_id
    with psycopg.connect(pg_url) as conn:
        ledger = conn.execute("SELECT module, version, checksum FROM cortexdb_migrations ORDER BY module, version").fetchall()
    assert sorted((m.module, m.version, m.checksum) for m in pg_schema.plan(MODULES)) == ledger
    assert {"graph_entities", "audit_log_tier2", "store_identity"} <= _tables(pg_url)


@pytest.mark.slow
def test_processes_racing_on_a_fresh_authority_apply_each_migration_exactly_once(pg_url: str) -> None:
    code = ("import psycopg, sys; from cortexdb import authority, migrations; from cortexdb.sync import pg_schema\n"
            "url = sys.argv[1]\n"
            "with psycopg.connect(url, autocommit=True) as conn:\n"
            "    s = pg_schema.upgrade(conn, authority.AuthorityDeclaration(url, 'staging', False), "
            "migrations.BASE_MODULES)\n"
            "print(len(s.applied))")
    procs = [subprocess.Popen([sys.executable, "-c", code, pg_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _out, err in results]
    applied = sorted(int(out) for out, _err in results)
    assert applied == [0, 0, 0, len(pg_schema.plan(MODULES))]
    assert _count(pg_url, "SELECT count(*) FROM cortexdb_migrations") == len(pg_schema.plan(MODULES))
    assert _count(pg_url, "SELECT count(*) FROM cortexdb_authority") == 1


def test_prod_authority_migrates_only_when_confirmed(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AuthorityError, match=r"prod authority with .* pending migration"):
        _upgrade(pg_url, "prod")
    assert _tables(pg_url) == set()                              # nothing was written
    monkeypatch.setenv(authority.ENV_CONFIRM, "true")
    declaration = authority.declared_authority(pg_url, "prod")
    assert declaration is not None and declaration.confirm_migrations
    assert _upgrade(pg_url, "prod", confirm=True).role == "prod"
    with pytest.raises(AuthorityError, match="'prod' authority: declare the role explicitly"):
        _upgrade(pg_url, None)                                   # prod must be declared
    with pytest.raises(AuthorityError, match="recorded as a 'prod' authority but was opened with role 'staging'"):
        _upgrade(pg_url, "staging")


def test_replica_authority_never_migrates(pg_url: str) -> None:
    with pytest.raises(AuthorityError, match="no authority to use as a replica"):
        _upgrade(pg_url, "replica")
    assert _tables(pg_url) == set()
    _upgrade(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:      # the operator turns it into a replica
        conn.execute("UPDATE cortexdb_authority SET declared_role = 'replica'")
        conn.execute("DELETE FROM cortexdb_migrations WHERE module = 'governance'")
    with pytest.raises(MigrationError, match=r"(?s)replica authority with \d+ pending.*never migrates"):
        _upgrade(pg_url, "replica")
    assert _count(pg_url, "SELECT count(*) FROM cortexdb_migrations WHERE module = 'governance'") == 0


def test_a_changed_migration_is_drift(pg_url: str) -> None:
    _upgrade(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE cortexdb_migrations SET checksum = 'x' WHERE module = 'core'")
    with pytest.raises(MigrationDriftError, match=r"core/postgres/0001_store_identity\.sql changed"):
        _upgrade(pg_url)


def test_the_declaration_is_read_never_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(authority.ENV_AUTHORITY, raising=False)
    assert authority.declared_authority(None) is None
    monkeypatch.setenv(authority.ENV_AUTHORITY, "postgresql://u:secret@db.example/team")
    declaration = authority.declared_authority(None)
    assert declaration is not None and declaration.display == "postgresql://u@db.example/team"
    for bad in ("mysql://h/db", "postgresql://h", "not a url"):
        with pytest.raises(ValidationError, match="authority"):
            authority.declared_authority(bad)
    with pytest.raises(ValidationError, match="authority_role"):
        authority.declared_authority("postgresql://h/db", "owner")
