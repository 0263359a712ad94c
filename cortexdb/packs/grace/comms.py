"""``db.grace.comms``: the dead-letter queue with retry and exponential backoff, and message dedupe.

A failed message goes to ``dlq_entries``; :meth:`GraceComms.due` lists entries whose retry time
has come. A failed retry schedules the next one ``base_delay * 2**attempts`` seconds later
(capped at ``max_delay``) until ``max_attempts``, then the entry is ``dead``; a successful retry
marks it ``resolved``. :meth:`GraceComms.first_seen` answers whether a message id is new inside
the dedupe window (store clock), counting repeats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._boundary import public_api
from ...errors import NotFoundError, ValidationError
from ...memory import _common as c
from ._common import canonical, new_id, require_pack

if TYPE_CHECKING:
    from ...store import Store


@public_api
class GraceComms:
    """Dead-letter queue and dedupe window; see the module docstring."""

    def __init__(self, store: Store, *, base_delay: float = 1.0, max_delay: float = 3600.0) -> None:
        require_pack(store)
        self._store = store
        self.base_delay = c.number("base_delay", base_delay, minimum=0.001)
        self.max_delay = c.number("max_delay", max_delay, minimum=self.base_delay)

    def dead_letter(self, message_id: str, topic: str, payload: Any, *, error: str | None = None,
                    max_attempts: int = 5) -> str:
        """Put a failed message on the queue, first retry after ``base_delay``; return the entry id."""
        c.text("message_id", message_id, max_len=255)
        c.text("topic", topic, max_len=255)
        c.optional_text("error", error)
        c.integer("max_attempts", max_attempts, minimum=1)
        store, entry_id, now = self._store, new_id(), self._store.timestamp()
        with store.transaction():
            store.execute("INSERT INTO tier1.dlq_entries (entry_id, message_id, topic, payload_json, error, max_attempts, "
                          "next_retry_epoch, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (entry_id, message_id, topic, canonical(payload, field="payload"), error, max_attempts,
                           store.now() + self.base_delay, now, now))
        return entry_id

    def due(self, *, limit: int = 100) -> list[dict[str, Any]]:
        """Entries whose retry time has come, oldest first."""
        c.limit(limit)
        return self._store.query("SELECT * FROM tier1.dlq_entries WHERE status IN ('pending', 'retrying') "
                                 "AND next_retry_epoch <= ? ORDER BY next_retry_epoch LIMIT ?", (self._store.now(), limit))

    def retried(self, entry_id: str, *, ok: bool, error: str | None = None) -> dict[str, Any]:
        """Record a retry's outcome: resolved, or the next retry with backoff, or dead; return the row."""
        c.text("entry_id", entry_id, max_len=255)
        c.optional_text("error", error)
        store = self._store
        with store.transaction():
            rows = store.execute("SELECT attempts, max_attempts, status FROM tier1.dlq_entries WHERE entry_id = ?", (entry_id,))
            if not rows:
                raise NotFoundError(f"no dead-letter entry {entry_id!r}")
            attempts, max_attempts, status = rows[0]
            if status in ("resolved", "dead"):
                raise ValidationError("entry_id", f"entry {entry_id!r} is already {status}")
            attempts += 1
            if ok:
                status, next_at = "resolved", None
            elif attempts >= max_attempts:
                status, next_at = "dead", None
            else:
                status, next_at = "retrying", store.now() + min(self.max_delay, self.base_delay * 2 ** attempts)
            store.execute("UPDATE tier1.dlq_entries SET attempts = ?, status = ?, next_retry_epoch = ?, "
                          "error = coalesce(?, error), updated_at = ? WHERE entry_id = ?",
                          (attempts, status, next_at, error, store.timestamp(), entry_id))
        return self._store.query("SELECT * FROM tier1.dlq_entries WHERE entry_id = ?", (entry_id,))[0]

    def first_seen(self, message_id: str, topic: str, *, window: float = 300.0) -> bool:
        """True the first time ``message_id`` is seen inside ``window`` seconds; False for a repeat."""
        c.text("message_id", message_id, max_len=255)
        c.text("topic", topic, max_len=255)
        c.number("window", window, minimum=0.001)
        store, now = self._store, self._store.now()
        with store.transaction():
            rows = store.execute(
                "INSERT INTO tier1.message_dedupe (message_id, topic, first_seen_at, expires_at) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT (message_id) DO UPDATE SET "
                "seen_count = CASE WHEN expires_at > ?5 THEN seen_count + 1 ELSE 1 END, "
                "first_seen_at = CASE WHEN expires_at > ?5 THEN first_seen_at ELSE ?3 END, "
                "expires_at = CASE WHEN expires_at > ?5 THEN expires_at ELSE ?4 END RETURNING seen_count",
                (message_id, topic, store.timestamp(), now + window, now))
        return bool(rows[0][0] == 1)

    def purge_dedupe(self) -> int:
        """Drop dedupe entries whose window has passed; return how many."""
        store = self._store
        with store.transaction():
            return len(store.execute("DELETE FROM tier1.message_dedupe WHERE expires_at <= ? RETURNING 1", (store.now(),)))
