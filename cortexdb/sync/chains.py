"""Audit chains travel with a push: verified before they leave, stored per source store on the
authority, and verified again where they landed.

The authority's ``audit_log_<tier>`` tables hold every store's sealed rows under its
``sync_store_id``; a push sends the rows past the authority's head for this store (so a re-sent
push sends nothing twice), in one transaction that commits only if the whole landed chain, read
back from PostgreSQL, still verifies: timestamps and JSON texts come back as they were hashed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import _sqlite
from ..errors import IntegrityError
from ..governance.audit import _COLUMNS, verify_rows
from ..governance.triggers import audit_table
from .pg_schema import copy_rows
from .push import PUSH_LOCK, TS

if TYPE_CHECKING:
    from ..store import Store

_LANDED = (f"SELECT id, table_name, operation, row_key, old_values::text, new_values::text, actor, "
           f"to_char(created_at AT TIME ZONE 'UTC', '{TS}'), to_char(sealed_at AT TIME ZONE 'UTC', '{TS}'), "
           "position, prev_hash, hash FROM {table} WHERE sync_store_id = %s ORDER BY position")


def remote_heads(conn: Any, store_id: str) -> dict[str, int]:
    """The authority's chain head (last position) of each tier for this store, in one round trip."""
    heads = ", ".join(f"(SELECT coalesce(max(position), 0) FROM {audit_table(t)} WHERE sync_store_id = %(s)s)"
                      for t in _sqlite.TIERS)
    return dict(zip(_sqlite.TIERS, conn.execute(f"SELECT {heads}", {"s": store_id}).fetchone(), strict=True))


def local_mark(store: Store) -> tuple[int, ...]:
    """The last audit row id of each tier, in one local read: while it has not moved since a
    complete :func:`push`, there is nothing to seal or send."""
    ids = ", ".join(f"(SELECT coalesce(max(id), 0) FROM {t}.{audit_table(t)})" for t in _sqlite.TIERS)
    return tuple(store.execute(f"SELECT {ids}")[0])


def push(store: Store, conn: Any, store_id: str, heads: dict[str, int]) -> int:
    """Send each tier's newly sealed audit rows; return how many landed. ``heads`` (from
    :func:`remote_heads`) is updated as rows land; a stale one is corrected under the lock."""
    moved = 0
    store.audit.seal(strict=False)
    for tier in _sqlite.TIERS:
        table = audit_table(tier)
        local_head = store.execute(f"SELECT coalesce(max(position), 0) FROM {tier}.{table}")[0][0]
        if local_head <= heads[tier]:
            continue
        report = store.audit.verify(tier=tier, seal=False, record=False)
        if not report.ok:
            problem = report.tiers[0].first_break
            raise IntegrityError(f"{tier}'s audit chain does not verify here ({problem}); it was not pushed")
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (PUSH_LOCK,))
            head = _remote_head(conn, table, store_id)
            rows = store.execute(f"SELECT {_COLUMNS} FROM {tier}.{table} WHERE position > ? ORDER BY position",
                                 (head,))
            copy_rows(conn, f"COPY {table} (sync_store_id, id, table_name, operation, row_key, old_values, new_values, "
                            "actor, created_at, sealed_at, position, prev_hash, hash) FROM STDIN",
                      ((store_id, *row) for row in rows))
            landed = conn.execute(_LANDED.format(table=table), (store_id,)).fetchall()
            _count, _head, problem = verify_rows(landed, None)
            if problem is not None:
                raise IntegrityError(f"{tier}'s audit chain does not verify on the authority ({problem.detail}); "
                                     "the push of its rows was rolled back")
        heads[tier] = local_head
        moved += len(rows)
    return moved


def _remote_head(conn: Any, table: str, store_id: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(position), 0) FROM {table} WHERE sync_store_id = %s",
                            (store_id,)).fetchone()[0])
