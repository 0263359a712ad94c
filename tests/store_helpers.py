"""Helpers for the foundation tests (importable by name; conftest modules are not)."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

import apsw

from cortexdb import migrations
from cortexdb.clock import system_clock


def write_migration(root: Path, module: str, tier: str, number: int, name: str, sql: str) -> Path:
    folder = root / module / tier
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{number:04d}_{name}.sql"
    path.write_text(sql, "utf-8")
    migrations.reload()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def tier_before(home: Path, tier: str, version: int) -> Iterator[apsw.Connection]:
    """``tier``'s file as cortexdb made it before cortex migration ``version`` (every earlier
    migration applied): yields its connection to fill with data, then closes it."""
    home.mkdir(parents=True, exist_ok=True)
    roots = migrations.schema_roots()
    migrator = migrations.TierMigrator(home / f"{tier}.db", tier, roots=roots, busy_ms=1000, clock=system_clock,
                                       backups_dir=home / "backups", keep_backups=3)
    try:
        migrator.claim()
        for migration in migrations.plan(roots, tier, migrations.BASE_MODULES):
            if migration.module == "cortex" and migration.version >= version:
                break
            migrator._apply(migration)
        yield migrator.conn
    finally:
        migrator.close()
