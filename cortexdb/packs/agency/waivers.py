"""Quality-gate waivers (tier 0, audited on every change).

Status transitions: ``active`` -> ``revoked`` (by :meth:`revoke_waiver`) or ``expired`` (by
:meth:`expire_waivers`, once ``expires_at`` has passed on the store's clock); both are final.
Whatever its stored status, a waiver past ``expires_at`` is never active: :meth:`list_active_waivers`
and :meth:`use_waiver` compare with the clock.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson

from ..._json import dumps
from ...errors import NotFoundError, ValidationError, WaiverError
from ...memory import _common as c
from . import _common as a
from .models import Waiver, field_names, from_row

if TYPE_CHECKING:
    from ...store import Store

IMPACT_LEVELS = ("low", "medium", "high", "critical")
WAIVER_STATUSES = ("active", "expired", "revoked")
_COLUMNS = ("id, title, reason, description, gates, approved_by, impact_level, mitigation_plan, expires_at, status, "
            "created_at, updated_at")

_WAIVER_FIELDS = field_names(Waiver)

def _waiver(row: tuple[Any, ...]) -> Waiver:
    return from_row(Waiver, _WAIVER_FIELDS, row, gates=orjson.loads(row[4]))


def _gates(gates: Any) -> list[str]:
    if isinstance(gates, str) or not isinstance(gates, Sequence) or not gates:
        raise ValidationError("gates", "must be a non-empty list of gate names, e.g. ['coverage', 'mutation']")
    return [c.text("gates", g, max_len=100) for g in gates]


class WaiverMethods:
    _store: Store

    def create_waiver(self, *, title: str, reason: str, description: str, gates: Sequence[str], approved_by: str,
                      mitigation_plan: str, expires_at: Any, impact_level: str = "medium") -> Waiver:
        """Record an approved, active waiver of ``gates`` until ``expires_at`` (a timezone-aware
        datetime or the store's timestamp text). A waiver without an approver, or already
        expired, is refused with WaiverError."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        c.text("title", title, max_len=255)
        c.text("reason", reason, max_len=100)
        c.text("description", description)
        gate_list = _gates(gates)
        if approved_by is None or approved_by == "":
            raise WaiverError("an unapproved waiver cannot be recorded: approved_by must name who approved it")
        c.text("approved_by", approved_by, max_len=255)
        c.choice("impact_level", impact_level, IMPACT_LEVELS)
        c.text("mitigation_plan", mitigation_plan)
        expires = a.timestamp("expires_at", expires_at)
        now = store.timestamp()
        if expires <= now:
            raise WaiverError(f"expires_at {expires} is not after now ({now}): the waiver would already be expired")
        wid = str(uuid.uuid4())
        with store.transaction():
            store.execute(
                "INSERT INTO tier0.waivers (id, title, reason, description, gates, approved_by, impact_level, "
                "mitigation_plan, expires_at, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,'active',?,?)",
                (wid, title, reason, description, dumps(gate_list), approved_by, impact_level, mitigation_plan,
                 expires, now, now))
        return Waiver(wid, title, reason, description, gate_list, approved_by, impact_level, mitigation_plan, expires,
                      "active", now, now)

    def list_active_waivers(self, *, gate: str | None = None) -> builtins.list[Waiver]:
        """Waivers active now (status active and not yet expired), soonest expiry first;
        ``gate`` keeps those covering that gate."""
        store = self._store
        a.require_pack(store)
        sql = f"SELECT {_COLUMNS} FROM tier0.waivers WHERE status = 'active' AND expires_at > ?"
        params: builtins.list[Any] = [store.timestamp()]
        if gate is not None:
            sql += " AND EXISTS (SELECT 1 FROM json_each(gates) WHERE value = ?)"
            params.append(c.text("gate", gate, max_len=100))
        return [_waiver(r) for r in c.run(store, sql + " ORDER BY expires_at, id", params)]

    def get_waiver(self, waiver_id: str) -> Waiver:
        a.require_pack(self._store)
        c.text("waiver_id", waiver_id, max_len=64)
        rows = c.run(self._store, f"SELECT {_COLUMNS} FROM tier0.waivers WHERE id = ?", (waiver_id,))
        if not rows:
            raise NotFoundError(f"no waiver {waiver_id!r}; list them with db.agency.waivers()")
        return _waiver(rows[0])

    def waivers(self, *, status: str | None = None, limit: int = 100) -> builtins.list[Waiver]:
        """Waivers by stored status (newest first)."""
        a.require_pack(self._store)
        c.limit(limit)
        if status is None:
            rows = c.run(self._store, f"SELECT {_COLUMNS} FROM tier0.waivers ORDER BY created_at DESC, id LIMIT ?", (limit,))
        else:
            c.choice("status", status, WAIVER_STATUSES)
            rows = c.run(self._store, f"SELECT {_COLUMNS} FROM tier0.waivers WHERE status = ? "
                                      "ORDER BY created_at DESC, id LIMIT ?", (status, limit))
        return [_waiver(r) for r in rows]

    def use_waiver(self, waiver_id: str, gate: str) -> Waiver:
        """The waiver, if it lets ``gate`` be skipped now; WaiverError if it is expired, revoked or
        does not cover the gate."""
        c.text("gate", gate, max_len=100)
        waiver = self.get_waiver(waiver_id)
        now = self._store.timestamp()
        if waiver.status != "active":
            raise WaiverError(f"waiver {waiver_id} is {waiver.status}; create a new waiver")
        if waiver.expires_at <= now:
            raise WaiverError(f"waiver {waiver_id} expired at {waiver.expires_at}; create a new waiver")
        if gate not in waiver.gates:
            raise WaiverError(f"waiver {waiver_id} covers {', '.join(waiver.gates)}, not {gate!r}")
        return waiver

    def revoke_waiver(self, waiver_id: str) -> Waiver:
        """End an active waiver before its expiry."""
        store = self._store
        store.require_writable()
        with store.transaction():
            waiver = self.get_waiver(waiver_id)
            if waiver.status != "active":
                raise WaiverError(f"waiver {waiver_id} is already {waiver.status}")
            store.execute("UPDATE tier0.waivers SET status = 'revoked', updated_at = ? WHERE id = ?",
                          (store.timestamp(), waiver_id))
            return self.get_waiver(waiver_id)

    def expire_waivers(self) -> int:
        """Mark active waivers past ``expires_at`` as expired; return how many."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        now = store.timestamp()
        with store.transaction():
            store.execute("UPDATE tier0.waivers SET status = 'expired', updated_at = ? "
                          "WHERE status = 'active' AND expires_at <= ?", (now, now))
            return store.conn.changes()
