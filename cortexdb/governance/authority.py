"""The governance commands over a store's role: change it (audited) and make replicas.

The rules themselves (declaration, contradiction, prod confirmation, replicas never writing) live
in :mod:`cortexdb.authority`, which ``open()``, these commands and sync all consult. A store
records its role in ``tier0.store_identity.declared_role``; it changes only through
:func:`set_role` (audited, since ``store_identity`` is audited), and a replica is made from a
primary with :func:`create_replica`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import apsw

from .. import _sqlite
from .._boundary import public_function
from ..authority import ROLES
from ..errors import AuthorityError, ValidationError, wrap_apsw

if TYPE_CHECKING:
    from ..store import Store

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
