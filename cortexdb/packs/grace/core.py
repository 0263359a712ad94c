"""``db.grace.core``: Grace's audit entries, fed into and verified by cortexdb's audit chain.

An entry's ``hash`` is the sha256 of its canonical JSON (entry_id, category, data, transparency
level, timestamp). Its insert is written by a trigger into ``audit_log_tier0``; sealing that chain
(``db.audit.seal``) gives the entry its ``chain_position``, ``previous_hash`` and ``chain_hash``,
copied here once. :meth:`GraceCore.verify` walks the chain (``chain_verification`` rows) and then
checks every entry against its content hash and its chain row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..._boundary import public_api
from ..._json import loads
from ...memory import _common as c
from ._common import canonical, new_id, require_pack, sha256

if TYPE_CHECKING:
    from ...store import Store

LEVELS = ("public", "internal", "restricted")


@dataclass(frozen=True)
class AuditCheck:
    """Result of :meth:`GraceCore.verify`: the chain's verdict and the entries that do not match."""

    chain_ok: bool
    entries_checked: int
    bad_entries: list[str]

    @property
    def ok(self) -> bool:
        return self.chain_ok and not self.bad_entries


def entry_hash(entry_id: str, category: str, data_json: str, level: str, timestamp: str) -> str:
    return sha256(canonical([entry_id, category, data_json, level, timestamp]))


@public_api
class GraceCore:
    """Append-only audit entries with categories; see the module docstring."""

    def __init__(self, store: Store) -> None:
        require_pack(store)
        self._store = store

    def log(self, category: str, data: Any, *, transparency_level: str = "internal") -> str:
        """Append an audit entry; return its entry_id (the category is created on first use)."""
        c.text("category", category, max_len=100)
        c.choice("transparency_level", transparency_level, LEVELS)
        data_json = canonical(data, field="data")
        store, entry_id, now = self._store, new_id(), self._store.timestamp()
        digest = entry_hash(entry_id, category, data_json, transparency_level, now)
        with store.transaction():
            store.execute("INSERT OR IGNORE INTO tier0.log_categories (category, created_at) VALUES (?, ?)", (category, now))
            store.execute("INSERT INTO tier0.audit_logs (entry_id, category, data_json, transparency_level, timestamp, hash) "
                          "VALUES (?, ?, ?, ?, ?, ?)", (entry_id, category, data_json, transparency_level, now, digest))
        return entry_id

    def seal(self) -> int:
        """Seal the audit chain and copy each new entry's chain position and hashes; return entries sealed."""
        store = self._store
        store.audit.seal("tier0")
        with store.transaction():
            rows = store.execute(
                "UPDATE tier0.audit_logs AS a SET chain_position = l.position, previous_hash = l.prev_hash, chain_hash = l.hash "
                "FROM tier0.audit_log_tier0 AS l WHERE a.chain_position IS NULL AND l.table_name = 'audit_logs' "
                "AND l.operation = 'INSERT' AND l.row_key = a.entry_id AND l.position IS NOT NULL RETURNING 1")
        return len(rows)

    def verify(self) -> AuditCheck:
        """Verify the tier-0 chain (recorded in ``chain_verification``) and every entry: its hash
        recomputes, and its chain row holds the same content and hash. Good entries get verified = 1."""
        store = self._store
        self.seal()
        report = store.audit.verify(tier="tier0", seal=False)
        chain_ok = report.ok
        rows = store.execute(
            "SELECT a.entry_id, a.category, a.data_json, a.transparency_level, a.timestamp, a.hash, a.chain_hash, "
            "l.new_values, l.hash FROM tier0.audit_logs AS a LEFT JOIN tier0.audit_log_tier0 AS l "
            "ON l.table_name = 'audit_logs' AND l.operation = 'INSERT' AND l.row_key = a.entry_id ORDER BY a.timestamp")
        bad: list[str] = []
        good: list[str] = []
        for entry_id, category, data_json, level, ts, digest, chain_hash, logged, log_hash in rows:
            recorded = loads(logged) if logged else {}
            matches = (entry_hash(entry_id, category, data_json, level, ts) == digest and recorded.get("hash") == digest
                       and recorded.get("data_json") == data_json and chain_hash == log_hash and chain_hash is not None)
            (good if matches else bad).append(entry_id)
        if chain_ok and good:
            with store.transaction():
                store.execute("UPDATE tier0.audit_logs SET verified = 1 WHERE verified = 0 AND entry_id IN "
                              "(SELECT value FROM json_each(?))", (canonical(good),))
        return AuditCheck(chain_ok, len(rows), bad)

    def entries(self, *, category: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The newest entries (optionally of one category), data decoded."""
        c.limit(limit)
        if category is not None:
            c.text("category", category, max_len=100)
        rows = self._store.query("SELECT * FROM tier0.audit_logs WHERE ?1 IS NULL OR category = ?1 "
                                 "ORDER BY timestamp DESC, rowid DESC LIMIT ?2", (category, limit))
        for row in rows:
            row["data"] = loads(row.pop("data_json"))
        return rows
