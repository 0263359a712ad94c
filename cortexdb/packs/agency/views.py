"""Seed 002's ``audit_log``: the governance audit chains of all four tiers under the seed's column
names, as a TEMP view on each connection of a store with the agency pack.

A view stored in a tier file may only read that file, and the audited tables live in two tiers
(tasks in tier 1, waivers in tier 0), so the union is a temporary view: ``db.query("SELECT * FROM
audit_log")`` reads it; from the plain ``sqlite3`` shell read ``audit_log_tier0`` .. ``tier3``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import _sqlite
from ...errors import wrap_apsw

if TYPE_CHECKING:
    from ...store import Store

AUDIT_VIEW = "audit_log"
AUDIT_VIEW_SQL = f"CREATE TEMP VIEW IF NOT EXISTS {AUDIT_VIEW} AS " + " UNION ALL ".join(
    f"SELECT '{tier}' AS tier, id, table_name, operation, old_values, new_values, actor AS user_id, "
    f"created_at AS timestamp, created_at, row_key, position, hash FROM {tier}.audit_log_{tier}"
    for tier in _sqlite.TIERS)
"""Columns: seed 002's (table_name, operation, old_values, new_values, user_id, timestamp), then
created_at (what its retention function reads), the tier, the chain position and hash."""


def attach(store: Store) -> None:
    with store._lock, wrap_apsw():
        store.conn.execute(AUDIT_VIEW_SQL)
