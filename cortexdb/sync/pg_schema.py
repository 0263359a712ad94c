"""The authority's schema: PostgreSQL migrations, their ledger, and who may apply them.

Files live beside each module's SQLite tiers, at ``schema/<module>/postgres/NNNN_<name>.sql``: one
PostgreSQL schema holds what the four tier files hold locally. The authority keeps its own ledger
(``cortexdb_migrations``: module, version, name, sha256 checksum, applied_at, duration) and its
identity (``cortexdb_authority``: a uuid and the recorded role). Upgrades run under a session
advisory lock and re-read the ledger inside it, so processes racing on a fresh authority apply
each migration exactly once; each migration commits with its ledger row or not at all.

Who may migrate follows :mod:`cortexdb.authority`: staging freely, prod only when confirmed,
replica never (and a replica never writes at all).
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import authority, migrations
from ..errors import AuthorityError, MigrationDriftError, MigrationError

DIALECT_DIR = "postgres"
LEDGER = migrations.LEDGER
IDENTITY = "cortexdb_authority"
LOCK_KEY = int.from_bytes(hashlib.sha256(b"cortexdb authority migrations").digest()[:8], "big", signed=True)
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
BOOKKEEPING_DDL = f"""
CREATE TABLE IF NOT EXISTS {LEDGER} (
    module TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    duration_ms DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (module, version)
);
CREATE TABLE IF NOT EXISTS {IDENTITY} (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    authority_id UUID NOT NULL,
    declared_role TEXT NOT NULL CHECK (declared_role IN ('staging', 'prod', 'replica')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
"""


@dataclass(frozen=True)
class PgMigration:
    """One PostgreSQL migration file of one module."""

    module: str
    version: int
    name: str
    path: Path
    checksum: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.module}/{DIALECT_DIR}/{self.path.name}"


@functools.lru_cache(maxsize=8)
def catalog(roots: tuple[Path, ...]) -> dict[str, tuple[PgMigration, ...]]:
    """Every PostgreSQL migration under ``roots``, by module, in version order."""
    found: dict[str, list[PgMigration]] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for module_dir in sorted(p for p in root.iterdir() if (p / DIALECT_DIR).is_dir()):
            for path in sorted((module_dir / DIALECT_DIR).glob("*.sql")):
                match = _FILE.match(path.name)
                if not match:
                    raise MigrationError(f"{path}: migration files are named NNNN_lowercase_name.sql")
                raw = path.read_bytes()
                found.setdefault(module_dir.name, []).append(PgMigration(
                    module_dir.name, int(match.group(1)), match.group(2), path, hashlib.sha256(raw).hexdigest(),
                    migrations.split_file(raw.decode("utf-8"))[0]))  # the forward SQL; a '-- down' section is kept apart
    return {module: tuple(sorted(items, key=lambda m: m.version)) for module, items in found.items()}


def plan(modules: tuple[str, ...], roots: tuple[Path, ...] | None = None) -> list[PgMigration]:
    """The PostgreSQL migrations ``modules`` need, module by module in the given order."""
    cat = catalog(roots or migrations.schema_roots())
    return [m for module in modules for m in cat.get(module, ())]


def ddl(modules: tuple[str, ...]) -> str:
    """The PostgreSQL DDL of ``modules`` as the authority runs it (ledger and identity first)."""
    parts = [f"-- cortexdb authority bookkeeping\n{BOOKKEEPING_DDL.strip()}"]
    parts += [f"-- {m.label}\n{m.sql.strip()}" for m in plan(modules)]
    return "\n\n".join(parts) + "\n"


@dataclass(frozen=True)
class AuthorityState:
    """What an authority database says about itself."""

    authority_id: str
    role: str
    applied: list[str]


def recorded_identity(conn: Any) -> tuple[str, str] | None:
    """(authority_id, recorded role), or None when the database is not an authority yet."""
    exists = conn.execute("SELECT to_regclass(%s)", (IDENTITY,)).fetchone()[0]
    if exists is None:
        return None
    row = conn.execute(f"SELECT authority_id::text, declared_role FROM {IDENTITY} WHERE id = 1").fetchone()
    return (row[0], row[1]) if row else None


def upgrade(conn: Any, declaration: authority.AuthorityDeclaration, modules: tuple[str, ...]) -> AuthorityState:
    """Bring the authority's schema up to date, as far as the declared role allows.

    ``conn`` is a psycopg connection in autocommit mode. Returns the authority's identity and the
    labels of the migrations this call applied.
    """
    identity = recorded_identity(conn)
    role = _resolve(declaration, identity)
    if identity is not None and not _pending(conn, modules):
        return AuthorityState(identity[0], role, [])
    conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
    try:
        identity = recorded_identity(conn)  # another process may have created it meanwhile
        role = _resolve(declaration, identity)
        todo = _pending(conn, modules)
        authority.check_migrations(role, declaration.confirm_migrations, declaration.display,
                                   [m.label for m in todo], what="authority")
        if identity is not None and not todo:
            return AuthorityState(identity[0], role, [])
        with conn.transaction():
            conn.execute(BOOKKEEPING_DDL)
            conn.execute(f"INSERT INTO {IDENTITY} (id, authority_id, declared_role) VALUES (1, %s, %s) "
                         "ON CONFLICT (id) DO NOTHING", (str(uuid.uuid4()), role))
        applied = []
        for migration in _pending(conn, modules):
            started = time.perf_counter()
            try:
                with conn.transaction():
                    conn.execute(migration.sql)
                    conn.execute(f"INSERT INTO {LEDGER} (module, version, name, checksum, duration_ms) "
                                 "VALUES (%s, %s, %s, %s, %s)",
                                 (migration.module, migration.version, migration.name, migration.checksum,
                                  (time.perf_counter() - started) * 1000))
            except Exception as error:
                if isinstance(error, (MigrationError, AuthorityError)):
                    raise
                raise MigrationError(f"{migration.label} failed on the authority: {error}") from error
            applied.append(migration.label)
        identity = recorded_identity(conn)
        assert identity is not None
        return AuthorityState(identity[0], role, applied)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


def _resolve(declaration: authority.AuthorityDeclaration, identity: tuple[str, str] | None) -> str:
    return authority.resolve(declaration.role, identity[1] if identity else None, declaration.display,
                             env=authority.ENV_AUTHORITY_ROLE, what="authority")


def _has_ledger(conn: Any) -> bool:
    return conn.execute("SELECT to_regclass(%s)", (LEDGER,)).fetchone()[0] is not None


def _pending(conn: Any, modules: tuple[str, ...]) -> list[PgMigration]:
    """The migrations not in the ledger; a changed file is MigrationDriftError, a version the
    package lacks means the authority is newer than this cortexdb."""
    wanted = plan(modules)
    if not _has_ledger(conn):
        return wanted
    applied = {(r[0], r[1]): r[2] for r in conn.execute(f"SELECT module, version, checksum FROM {LEDGER}")}
    known = {(m.module, m.version) for m in wanted}
    for m in wanted:
        checksum = applied.get((m.module, m.version))
        if checksum is not None and checksum != m.checksum:
            raise MigrationDriftError(
                f"{m.label} changed since it was applied to the authority; restore the file or add a new migration")
    newer = sorted(k for k in applied if k[0] in modules and k not in known)
    if newer:
        raise MigrationError(
            f"the authority has migrations this cortexdb lacks ({', '.join(f'{m} {v:04d}' for m, v in newer)}); "
            "upgrade cortexdb")
    return [m for m in wanted if (m.module, m.version) not in applied]


def copy_rows(conn: Any, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    """Stream ``rows`` to the authority through one ``COPY ... FROM STDIN`` statement: the way
    every sync flow lands its rows (far cheaper than INSERTs)."""
    with conn.cursor().copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
