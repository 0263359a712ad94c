"""Declared authority (seed 003 mapped onto an embedded store): roles are declared, never guessed.

A store records its role at creation in ``tier0.store_identity.declared_role``: ``staging`` (the
default for a new local store), ``prod`` or ``replica``. The role in force is the one declared by
``cortexdb.open(role=...)`` or ``CORTEXDB_ROLE``:

- a declared role that contradicts the recorded one is an :class:`AuthorityError` naming both;
- a ``prod`` store must be opened with the role declared (undeclared: AuthorityError), and its
  pending migrations apply only with ``confirm_migrations=True`` or
  ``CORTEXDB_CONFIRM_PROD_MIGRATIONS=true`` (otherwise the open fails, listing them);
- a ``replica`` is opened read-only at the SQLite level and never migrates.

Roles change only through :func:`set_role` (audited, since ``store_identity`` is audited), and a
replica is made from a primary with :func:`create_replica`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import apsw

from .. import _sqlite, migrations
from .._boundary import public_function
from ..errors import AuthorityError, ValidationError, wrap_apsw

if TYPE_CHECKING:
    from ..store import Store

ROLES = ("staging", "prod", "replica")
ENV_ROLE = "CORTEXDB_ROLE"
ENV_CONFIRM = "CORTEXDB_CONFIRM_PROD_MIGRATIONS"


def declared_role(role: str | None) -> str | None:
    """The role the caller declares: ``role``, else ``CORTEXDB_ROLE``, else None (undeclared)."""
    value = role if role is not None else (os.environ.get(ENV_ROLE) or None)
    if value is not None and value not in ROLES:
        raise ValidationError("role", f"{value!r} is not one of {', '.join(ROLES)}")
    return value


def confirmed(confirm_migrations: bool | None) -> bool:
    """Whether prod migrations are confirmed: the argument, else ``CORTEXDB_CONFIRM_PROD_MIGRATIONS=true``."""
    if confirm_migrations is not None:
        return bool(confirm_migrations)
    return os.environ.get(ENV_CONFIRM, "").strip().lower() == "true"


def recorded_role(conn: apsw.Connection) -> str | None:
    """The role recorded in ``tier0.store_identity`` (None for a store not created yet)."""
    if not conn.execute("SELECT 1 FROM tier0.sqlite_master WHERE type = 'table' AND name = 'store_identity'").get:
        return None
    row = conn.execute("SELECT declared_role FROM tier0.store_identity WHERE id = 1").fetchone()
    return row[0] if row else None


def resolve(declared: str | None, recorded: str | None, home: Path) -> str:
    """The role in force, or AuthorityError when the declaration is missing or contradicts."""
    if recorded is not None and declared is not None and declared != recorded:
        raise AuthorityError(
            f"{home} is recorded as a {recorded!r} store but was opened with role {declared!r}: authority is "
            f"declared, never inferred. Open it with role={recorded!r} (or {ENV_ROLE}={recorded}), or change the "
            "recorded role with `cortexdb authority set-role` from a process that declares the current role")
    if recorded == "prod" and declared is None:
        raise AuthorityError(
            f"{home} is a 'prod' store: declare the role explicitly with cortexdb.open(..., role='prod') or "
            f"{ENV_ROLE}=prod")
    if declared == "replica" and recorded is None:
        raise AuthorityError(
            f"{home} holds no store to open as a replica; make a replica from its primary with "
            "`cortexdb authority make-replica DEST` (cortexdb.governance.authority.create_replica)")
    return declared or recorded or "staging"


def check_prod_migrations(store: Store, pending: Sequence[migrations.Migration | Any]) -> None:
    """Refuse to migrate a prod store unless migrations were confirmed; list what is pending."""
    if getattr(store, "role", "staging") != "prod" or not pending or getattr(store, "confirm_migrations", False):
        return
    names = "\n  ".join(f"{m.tier}: {m.module} {m.version:04d}_{m.name}" for m in pending)
    raise AuthorityError(
        f"{store.home} is a prod store with {len(pending)} pending migration(s):\n  {names}\n"
        f"apply them only deliberately: open with confirm_migrations=True or set {ENV_CONFIRM}=true "
        "(take a backup first: `cortexdb backup DEST`)")


def replica_behind(store: Store, tier: str, pending: Sequence[migrations.Migration]) -> None:
    from ..errors import MigrationError

    names = ", ".join(f"{m.module} {m.version:04d}_{m.name}" for m in pending)
    raise MigrationError(
        f"{store.home} is a replica and its {tier} is behind this cortexdb's schema ({names} pending); a replica "
        "never migrates: migrate the primary, then refresh the replica from it (`cortexdb authority make-replica`)")


@public_function
def set_role(store: Store, role: str) -> str:
    """Change the role recorded for this store (audited). The store must be open with its current
    role declared; prod -> anything and anything -> prod are deliberate acts, so the caller declares
    the current role explicitly. A replica is read-only and cannot change its own role."""
    if role not in ROLES:
        raise ValidationError("role", f"{role!r} is not one of {', '.join(ROLES)}")
    if role == "replica":
        raise ValidationError("role", "make a replica with create_replica(store, dest); a primary does not become one")
    store.require_writable()
    with store.transaction():
        store.execute("UPDATE tier0.store_identity SET declared_role = ? WHERE id = 1", (role,))
    store.role = role
    store.audit.seal("tier0", strict=False)
    return role


@public_function
def create_replica(store: Store, destination: str | os.PathLike[str]) -> Path:
    """Copy the store online into ``destination`` and record the copy's role as ``replica``.

    The copy is in rollback-journal mode, so opening it read-only never needs a -wal or -shm
    file. Refresh a replica by making it again after the primary changed.
    """
    target = Path(destination)
    if target.resolve() == store.home.resolve():
        raise ValidationError("destination", "a replica cannot be made over its own primary; choose another directory")
    if (target / "tier0.db").exists():
        existing = _role_of(target / "tier0.db")
        if existing != "replica":
            raise AuthorityError(
                f"{target} holds a {existing or 'non-cortexdb'} store, not a replica; refusing to overwrite it")
        for tier in _sqlite.TIERS:
            for suffix in ("", "-wal", "-shm"):
                Path(str(target / f"{tier}.db") + suffix).unlink(missing_ok=True)
    files = store.backup(target)
    with wrap_apsw():
        conn = apsw.Connection(str(target / "tier0.db"))
        try:
            with conn:
                conn.execute("UPDATE store_identity SET declared_role = 'replica' WHERE id = 1")
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
    for path in files:
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    return target


def _role_of(tier0: Path) -> str | None:
    """The recorded role in a tier0 file, read without changing it (None if unreadable)."""
    try:
        conn = apsw.Connection(_sqlite.file_uri(tier0, readonly=True),
                               flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI)
    except apsw.Error:
        return None
    try:
        row = conn.execute("SELECT declared_role FROM store_identity WHERE id = 1").fetchone()
        return row[0] if row else None
    except apsw.Error:
        return None
    finally:
        conn.close()
