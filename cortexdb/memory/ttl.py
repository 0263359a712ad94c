"""TTL memory (``tier1.structured_memory``, seed 004's structured / lightning memory): keys per
namespace holding any JSON value or bytes, with expiry by the store's clock and access counting.

Reads are kept as cheap as a primary-key lookup: ``get`` does not write. Each hit is counted in
an in-process buffer (one slot per key) that is written (``access_count += n``,
``last_accessed``) in one transaction once ``FLUSH_SECONDS`` of store-clock time have passed
since the last flush or ``MAX_PENDING_KEYS`` distinct keys are waiting, before any other memory
write, on :meth:`Memory.entry`, on :meth:`Memory.flush`, when the store is closed (once ``db.memory`` was used), and at
interpreter exit. Counts buffered in a process that is killed are lost (they are advisory).
"""

from __future__ import annotations

import atexit
import math
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import apsw
import orjson

from .._boundary import public_api
from .._json import dumps
from ..clock import to_timestamp
from ..errors import BusyError, CortexError, ValidationError, translate
from . import _common as c

if TYPE_CHECKING:
    from ..store import Store

MAX_PENDING_KEYS = 4096
FLUSH_SECONDS = 5.0
MAX_KEY = 1024
MAX_NAMESPACE = 255

_GET = "SELECT value_type, value, expires_at FROM tier1.structured_memory WHERE namespace = ? AND key = ?"
_MISSING = object()


@dataclass(frozen=True)
class MemoryEntry:
    """A stored key with its bookkeeping; ``expires_at`` is epoch seconds (None = never)."""

    namespace: str
    key: str
    value: Any
    value_type: str
    created_at: str
    updated_at: str
    expires_at: float | None
    access_count: int
    last_accessed: str | None


def _ttl(ttl: Any) -> float | None:
    if ttl is None:
        return None
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not math.isfinite(ttl) or ttl <= 0:
        raise ValidationError("ttl", f"must be a positive number of seconds or None (never expires), got {ttl!r}")
    return float(ttl)


def _encode(value: Any) -> tuple[str, str | bytes]:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes", bytes(value)
    return "json", dumps(value, field="value")


def _decode(value_type: str, value: Any) -> Any:
    return orjson.loads(value) if value_type == "json" else value


def _flush_at_exit(ref: weakref.ref[Memory]) -> None:
    memory = ref()
    if memory is not None:
        try:
            memory.flush()
        except CortexError:
            pass  # the store was closed or locked: those counts are lost, as documented


@public_api
class Memory:
    """``db.memory``: ``set`` / ``get`` / ``delete`` keys with a TTL, per namespace."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._clock = store.clock
        self._readonly = store.readonly
        self._pending: dict[tuple[str, str], list[Any]] = {}
        self._last_flush = store.now()
        atexit.register(_flush_at_exit, weakref.ref(self))
        if not store.readonly:
            me = weakref.ref(self)
            store.on_close(lambda: _flush_at_exit(me))  # buffered hit counts are written before closing

    def set(self, key: str, value: Any, *, ttl: float | None = None, namespace: str = "default") -> None:
        """Store ``value`` (any JSON value, or bytes) under ``key``; ``ttl`` seconds until it expires.

        Overwriting keeps ``created_at`` and the access count unless the old value had expired.
        """
        store = self._store
        store.require_writable()
        c.text("key", key, max_len=MAX_KEY)
        c.text("namespace", namespace, max_len=MAX_NAMESPACE)
        seconds = _ttl(ttl)
        value_type, data = _encode(value)
        now = store.now()
        ts = to_timestamp(now)
        expires = None if seconds is None else now + seconds
        self.flush()  # buffered hits first, in their own transaction, so a failed write cannot lose them
        with store.transaction():
            store.execute(
                "INSERT INTO tier1.structured_memory (namespace, key, value_type, value, created_at, updated_at, "
                "expires_at, access_count, last_accessed) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, 0, NULL) "
                "ON CONFLICT (namespace, key) DO UPDATE SET value_type = excluded.value_type, value = excluded.value, "
                "updated_at = excluded.updated_at, expires_at = excluded.expires_at, "
                "created_at = iif(expires_at IS NOT NULL AND expires_at <= ?7, excluded.created_at, created_at), "
                "access_count = iif(expires_at IS NOT NULL AND expires_at <= ?7, 0, access_count), "
                "last_accessed = iif(expires_at IS NOT NULL AND expires_at <= ?7, NULL, last_accessed)",
                (namespace, key, value_type, data, ts, expires, now))

    def get(self, key: str, *, namespace: str = "default", default: Any = None) -> Any:
        """The value of ``key``, or ``default`` if it is missing or expired (a miss)."""
        if type(key) is not str or not key or not key.isascii():
            c.text("key", key)
        if type(namespace) is not str or not namespace or not namespace.isascii():
            c.text("namespace", namespace)
        store = self._store
        with store._lock:
            conn = store._conn
            if conn is None:
                conn = store.conn  # raises ClosedError
            try:
                row = conn.execute(_GET, (namespace, key)).fetchone()
            except apsw.Error as error:
                raise translate(error) from error
            if row is None:
                return default
            now = self._clock()
            if row[2] is not None and row[2] <= now:
                return default
            if not self._readonly:
                slot = self._pending.get((namespace, key))
                if slot is None:
                    self._pending[(namespace, key)] = [1, now]
                    if len(self._pending) >= MAX_PENDING_KEYS or now - self._last_flush >= FLUSH_SECONDS:
                        self._flush_quietly()
                else:
                    slot[0] += 1
                    if now > slot[1]:
                        slot[1] = now
                    if now - self._last_flush >= FLUSH_SECONDS:
                        self._flush_quietly()
        return orjson.loads(row[1]) if row[0] == "json" else row[1]

    def entry(self, key: str, *, namespace: str = "default") -> MemoryEntry | None:
        """The key with its bookkeeping (counts include buffered hits), or None; not counted as a hit."""
        c.text("key", key)
        c.text("namespace", namespace)
        store = self._store
        if not store.readonly:
            self.flush()
        rows = c.run(store, "SELECT namespace, key, value, value_type, created_at, updated_at, expires_at, access_count, "
                            "last_accessed FROM tier1.structured_memory WHERE namespace = ? AND key = ? AND "
                            "(expires_at IS NULL OR expires_at > ?)", (namespace, key, store.now()))
        if not rows:
            return None
        r = rows[0]
        return MemoryEntry(r[0], r[1], _decode(r[3], r[2]), r[3], r[4], r[5], r[6], r[7], r[8])

    def delete(self, key: str, *, namespace: str = "default") -> bool:
        """Remove ``key``; True if it was there (expired or not)."""
        store = self._store
        store.require_writable()
        c.text("key", key)
        c.text("namespace", namespace)
        self.flush()  # buffered hits first, in their own transaction, so a failed write cannot lose them
        with store.transaction():
            return bool(store.execute("DELETE FROM tier1.structured_memory WHERE namespace = ? AND key = ? RETURNING 1",
                                      (namespace, key)))

    def keys(self, *, namespace: str = "default", prefix: str = "") -> list[str]:
        """Unexpired keys of ``namespace`` (starting with ``prefix``), sorted."""
        c.text("namespace", namespace)
        c.text("prefix", prefix, allow_empty=True)
        rows = c.run(self._store, "SELECT key FROM tier1.structured_memory WHERE namespace = ? AND "
                                  "substr(key, 1, ?) = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key",
                                  (namespace, len(prefix), prefix, self._store.now()))
        return [r[0] for r in rows]

    def namespaces(self) -> dict[str, int]:
        """Each namespace with its number of unexpired keys."""
        rows = c.run(self._store, "SELECT namespace, count(*) FROM tier1.structured_memory WHERE expires_at IS NULL "
                                  "OR expires_at > ? GROUP BY namespace ORDER BY namespace", (self._store.now(),))
        return dict(rows)

    def purge_expired(self, *, namespace: str | None = None) -> int:
        """Delete every expired key (of one namespace if given); returns how many."""
        store = self._store
        store.require_writable()
        sql = "DELETE FROM tier1.structured_memory WHERE expires_at IS NOT NULL AND expires_at <= ?"
        params: list[Any] = [store.now()]
        if namespace is not None:
            sql += " AND namespace = ?"
            params.append(c.text("namespace", namespace))
        self.flush()  # buffered hits first, in their own transaction, so a failed write cannot lose them
        with store.transaction():
            return len(store.execute(sql + " RETURNING 1", params))

    def clear(self, *, namespace: str) -> int:
        """Delete every key of ``namespace``; returns how many."""
        store = self._store
        store.require_writable()
        c.text("namespace", namespace)
        self.flush()  # buffered hits first, in their own transaction, so a failed write cannot lose them
        with store.transaction():
            return len(store.execute("DELETE FROM tier1.structured_memory WHERE namespace = ? RETURNING 1", (namespace,)))

    def flush(self) -> int:
        """Write buffered hit counts now; returns how many keys were updated."""
        store = self._store
        if store.readonly or not self._pending:
            return 0
        with store.transaction():
            return self._write_pending()

    # -- internals ------------------------------------------------------------------------------
    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except BusyError:
            pass  # another writer holds the lock; the counts stay buffered for the next flush

    def _write_pending(self) -> int:
        """Inside an open transaction: add the buffered hits to their rows (restored on failure)."""
        with self._store._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = self._clock()
        if not pending:
            return 0
        rows = [(n, to_timestamp(last), ns, key) for (ns, key), (n, last) in pending.items()]
        try:
            with self._store._lock:
                self._store.conn.executemany(
                    "UPDATE tier1.structured_memory SET access_count = access_count + ?1, "
                    "last_accessed = max(coalesce(last_accessed, ''), ?2) WHERE namespace = ?3 AND key = ?4", rows)
        except BaseException:
            with self._store._lock:
                for slot_key, (n, last) in pending.items():
                    slot = self._pending.setdefault(slot_key, [0, last])
                    slot[0] += n
                    slot[1] = max(slot[1], last)
            raise
        return len(rows)

