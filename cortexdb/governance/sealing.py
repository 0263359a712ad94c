"""Prompt sealing: how long an audited row may stay outside its tier's hash chain.

Audit triggers append *unsealed* rows; until :meth:`AuditLog.seal` hashes a row into the chain,
anyone who can write the tier file can change, drop or duplicate it unseen. :class:`AuditSealer`
bounds that window for an open, writable store. It runs on the store's commit path (after the
outermost ``transaction()`` commits, and after an autocommit ``Store.execute``), on the store's
own connection right after the writer's commit, so it never waits for this process's own writer
and never runs beside another thread on the connection:

- a commit that changed nothing (``total_changes`` unmoved) costs one C call;
- otherwise one statement reads each tier's newest audit row id; rows above the last sealed head
  are pending, and they are sealed at once when there are ``max_rows`` of them or when the first
  was seen ``max_seconds`` ago by the store's clock (the injectable clock);
- when no commit follows (the process went idle), a timer armed with the first pending row fires
  ``IDLE_FACTOR * max_seconds`` real seconds later and, if the store's clock agrees the rows are
  ``max_seconds`` old, seals them on a short-lived connection of its own (the store's connection
  is never used from two threads: apsw refuses that);
- ``Store.close()`` seals whatever is pending before the connection closes, and ``open()`` seals
  what a killed process left behind (reported as ``db.audit.sealed_at_open``).

The timer is not the WAL checkpointer's thread (:mod:`cortexdb._checkpoint`): that one runs only
in ``cortexdb mcp`` with one connection per tier file, while sealing must happen in every writable
store and writes two tiers (the rows, then their anchor in tier0).

A sealing failure (another process held the write lock past the busy timeout) never fails the
write that already committed: the rows stay pending and the next commit, ``close()`` or open
retries; ``last_error`` keeps the failure. A tier whose chain no longer reaches its last anchor is
not sealed further (``refused``), and forged rows past a head that are not unsealed rows are not
counted as pending (so not retried at every commit); ``verify()`` reports both.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import TYPE_CHECKING

import apsw

from .. import _sqlite
from ..errors import CortexError, IntegrityError, ValidationError, translate
from .triggers import audit_table

if TYPE_CHECKING:
    from ..store import Store
    from .audit import AuditLog

MAX_ROWS = 1000
"""Default bound: pending audit rows (all tiers) that make the next commit seal them."""
MAX_SECONDS = 1.0
"""Default bound: seconds (store clock) after which the next commit seals pending rows."""

IDLE_FACTOR = 1.25
"""The idle timer fires this many bounds after the first pending row (a writer that keeps
committing seals on its own commit path first, so the timer rarely competes for the write lock)."""

CHAINED = "position IS NOT NULL AND typeof(position) = 'integer'"
"""Rows holding a chain position (a forged text or real position is never taken for the head)."""
_NEWEST_IDS = "SELECT " + ", ".join(f"(SELECT max(id) FROM {t}.{audit_table(t)})" for t in _sqlite.TIERS)


class AuditSealer:
    """Seal a store's audited rows within ``max_rows`` rows or ``max_seconds`` seconds of being written."""

    def __init__(self, store: Store, audit: AuditLog, *, max_rows: int = MAX_ROWS,
                 max_seconds: float = MAX_SECONDS, heads: dict[str, int] | None = None) -> None:
        self._store = store
        self._audit = audit
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self.seals = 0
        """Seals this sealer made (for tests and diagnostics)."""
        self.last_error: CortexError | None = None
        """The last failure to seal (the rows stayed pending and were retried), if any."""
        self.refused: set[str] = set()
        """Tiers whose chain no longer reaches its last anchor; not sealed until reopened."""
        self._heads: dict[str, int] = {}
        self._ignored: dict[str, int] = {}
        self._pending_since: float | None = None
        self._seen_changes = -1
        self._sealing = False
        self._timer: threading.Timer | None = None
        self._running: threading.Thread | None = None
        self.idle_seals = 0
        """Seals the idle timer made (for tests and diagnostics)."""
        if heads is None:
            self._read_heads()
        else:
            self._heads = dict(heads)           # read moments ago by the opening store (seal_at_open)

    def configure(self, *, max_rows: int | None = None, max_seconds: float | None = None) -> None:
        """Change the bounds (rows >= 1, seconds >= 0; 0 seals at every commit)."""
        if max_rows is not None:
            if isinstance(max_rows, bool) or not isinstance(max_rows, int) or not 1 <= max_rows <= 10**9:
                raise ValidationError("max_rows", "must be an integer from 1 to 10**9")
            self.max_rows = max_rows
        if max_seconds is not None:
            if isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float)) \
                    or not 0 <= max_seconds <= 86_400:
                raise ValidationError("max_seconds", "must be a number of seconds from 0 to 86400")
            self.max_seconds = float(max_seconds)

    def _read_heads(self) -> None:
        conn = self._store.conn
        self._heads = {t: conn.execute(f"SELECT coalesce((SELECT id FROM {t}.{audit_table(t)} WHERE {CHAINED} "
                                       "ORDER BY position DESC LIMIT 1), 0)").get for t in _sqlite.TIERS}

    def pending(self) -> dict[str, int]:
        """Audit rows per tier written after the sealed head this sealer last saw."""
        newest = self._store.conn.execute(_NEWEST_IDS).fetchall()[0]
        floor = {t: max(self._heads[t], self._ignored.get(t, 0)) for t in _sqlite.TIERS}
        return {t: n - floor[t] for t, n in zip(_sqlite.TIERS, newest, strict=True)
                if isinstance(n, int) and n > floor[t] and t not in self.refused}

    def after_commit(self) -> None:
        """Called by the store (under its lock) once a write committed; seals when a bound is reached."""
        conn = self._store.conn
        changes = conn.total_changes()
        if changes == self._seen_changes or self._sealing or conn.in_transaction:
            return
        self._seen_changes = changes
        try:
            pending = self.pending()
        except apsw.Error as error:
            self.last_error = translate(error)
            return
        if not pending:
            self._pending_since = None
            return
        now = self._store.clock()
        if self._pending_since is None:
            self._pending_since = now
        if sum(pending.values()) >= self.max_rows or now - self._pending_since >= self.max_seconds:
            self.seal_pending(pending)
        if self._pending_since is not None and self._timer is None:
            self._arm(self.max_seconds * IDLE_FACTOR)

    def _arm(self, delay: float) -> None:
        timer = threading.Timer(delay, self._idle_seal)
        timer.name, timer.daemon = "cortexdb-audit-sealer", True
        self._timer = timer
        timer.start()

    def _idle_seal(self) -> None:
        """The timer: seal rows still pending on a connection of its own (the store's stays with its
        thread). Once it runs it is no longer the armed timer, so a commit meanwhile arms another."""
        me = threading.current_thread()
        if self._timer is me:
            self._timer = None
        self._running = me
        store = self._store
        rearm: float | None = None
        try:
            since = self._pending_since
            if since is None or store.closed:
                return  # sealed by a commit meanwhile
            due_in = since + self.max_seconds - store.clock()
            if due_in > 0:
                rearm = due_in  # not due by the store's clock yet
                return
            twin = store.second_connection()
            try:
                audit = type(self._audit)(twin)
                for tier in _sqlite.TIERS:
                    if tier not in self.refused:
                        with contextlib.suppress(IntegrityError):  # a broken chain: verify() reports it
                            audit._seal_tier(tier)
            finally:
                twin.close()
            self.idle_seals += 1
        except CortexError as error:
            self.last_error = error
        finally:
            self._running = None
            if rearm is not None and self._timer is None and not store.closed and store._sealer is self:
                self._arm(rearm)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no idle timer is armed or running (True), or ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while True:
            threads = [t for t in (self._running, self._timer) if t is not None]
            remaining = deadline - time.monotonic()
            if not threads or remaining <= 0:
                return not threads
            threads[0].join(remaining)

    def stop(self) -> None:
        """Cancel the armed idle timer and wait for a seal one is running (``Store.close()``)."""
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        running = self._running
        if running is not None and running is not threading.current_thread():
            running.join()

    def seal_pending(self, pending: dict[str, int] | None = None) -> dict[str, int]:
        """Seal the pending rows now; return rows sealed per tier. Never raises a sealing failure
        (see ``last_error``); used by the commit path and by ``Store.close()``."""
        store = self._store
        sealed: dict[str, int] = {}
        nothing: list[str] = []
        self._sealing = True
        try:
            for tier in pending if pending is not None else self.pending():
                try:
                    count = self._audit._seal_tier(tier)
                except IntegrityError:
                    self.refused.add(tier)
                    continue
                except CortexError as error:
                    self.last_error = error
                    continue
                if count:
                    sealed[tier] = count
                else:
                    nothing.append(tier)
            self.seals += 1
            self._read_heads()
            for tier in nothing:  # rows past the head that are not unsealed rows (forged, verify() reports
                log = f"{tier}.{audit_table(tier)}"  # them): count only rows written after them from now on
                if not store.conn.execute(f"SELECT 1 FROM {log} WHERE id > ? AND hash IS NULL LIMIT 1",
                                          (self._heads[tier],)).fetchall():
                    self._ignored[tier] = int(store.conn.execute(f"SELECT coalesce(max(id), 0) FROM {log}").get)
            self._pending_since = self._pending_since if self.pending() else None
            self._seen_changes = store.conn.total_changes()
        except apsw.Error as error:
            self.last_error = translate(error)
        finally:
            self._sealing = False
        return sealed
