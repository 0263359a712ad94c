"""WAL checkpoints on a background thread, and the bound on every store's WAL file.

SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold, so one call in
every few dozen pays for copying thousands of pages back into the tier file and syncing it (a
40-50 ms stall per 10,000 pages here). :class:`BackgroundCheckpointer` replaces it on the store's
connection with a WAL hook that only wakes a thread; the thread runs a PASSIVE checkpoint on its
own connection, which takes no lock a writer needs, so the writer returns at once and the copy
overlaps the time the process waits for its next request. Every writable store installs one
(:func:`bound_wal`); the thread starts on the first wake-up, so short-lived stores never start it.

The thread is woken at ``pages`` and then every further quarter of ``pages`` (each checkpoint
syncs the tier file; a wake-up per commit would sync per commit). A WAL starts over only when a
write begins after every frame was copied and no reader still reads from the WAL. A writer that
never pauses, or a reader in another connection that keeps taking snapshots, never leaves such a
moment; so at ``hard_limit`` pages the hook runs a RESTART checkpoint in line: it copies what is
left and waits (at most ``wait_ms``, polling every millisecond) for the readers' current snapshots
to end, after which new readers read the tier file and the next write restarts the WAL
(``journal_size_limit`` then truncates the file). Failing that, it tries again after every further
quarter of ``pages``. A store's WAL so stays under 64 MiB as long as readers' snapshots last less
than half a second; a reader that holds one snapshot for ever pins the WAL (SQLite's rule: no
writer can copy frames a reader may still need).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import apsw

from ._sqlite import TIERS
from .errors import ValidationError

if TYPE_CHECKING:
    from .store import Store

PAGE_BYTES = 4096
WAL_CHECKPOINT_PAGES = 4096
"""WAL pages (16 MiB) that wake a store's background checkpoint."""
WAL_HARD_LIMIT_PAGES = 10_240
"""WAL pages (40 MiB) at which a store checkpoints in line; with the retries that a reader's
snapshot may cost, the WAL file stays under the documented 64 MiB."""


class BackgroundCheckpointer:
    """Checkpoint a store's tiers off the writing thread once their WAL reaches ``pages`` pages.

    Installed on ``store``'s connection until the store closes; the WAL file is kept to about
    ``pages`` pages after each restart (``journal_size_limit``) and passes ``hard_limit`` pages
    only while another process's reader holds an old snapshot (as with SQLite's own checkpoints).
    """

    def __init__(self, store: Store, *, pages: int = 10_000, hard_limit: int = 20_000, wait_ms: int = 500) -> None:
        if not 0 < pages <= hard_limit:
            raise ValidationError("pages", f"need 0 < pages <= hard_limit, got pages={pages}, hard_limit={hard_limit}")
        self.pages = pages
        self.hard_limit = hard_limit
        self.wait_ms = wait_ms
        self.checkpoints = 0
        """Background checkpoints completed so far (for tests and diagnostics)."""
        self.restarts = 0
        """Background passes that finished the WAL (RESTART), so the next write starts it over."""
        self.inline_checkpoints = 0
        """Checkpoints the hook ran in line because the WAL reached ``hard_limit``."""
        self._home = store.home
        self._due: set[str] = set()
        self._woken: dict[str, int] = {}
        self._forced: dict[str, int] = {}
        self._busy_ms = store.busy_ms
        self._busy = False
        self._stopping = False
        self._wake = threading.Condition()
        for tier in TIERS:
            store.execute(f"PRAGMA {tier}.journal_size_limit = {pages * PAGE_BYTES}")
        self._thread: threading.Thread | None = None
        previous, store.checkpointer = store.checkpointer, self
        if previous is not None:
            previous.close()
        store.conn.set_wal_hook(self._hook)
        store.on_close(self.close)

    def _hook(self, conn: apsw.Connection, schema: str, pages: int) -> int:
        """Called by SQLite after each commit to a WAL database, with that WAL's size in pages."""
        woken = self._woken.get(schema, 0)
        if pages < woken:  # the WAL started over
            woken = self._woken[schema] = 0
            self._forced.pop(schema, None)
        if pages >= self.hard_limit and pages >= self._forced.get(schema, 0) + self.pages // 4:
            self._forced[schema] = pages  # retried only after a further quarter of ``pages``
            self._checkpoint_in_line(conn, schema)
        elif pages >= self.pages and pages >= woken + self.pages // 4:
            self._woken[schema] = pages
            with self._wake:
                if self._thread is None and not self._stopping:
                    self._thread = threading.Thread(target=self._run, name="cortexdb-checkpoint", daemon=True)
                    self._thread.start()
                self._due.add(schema)
                self._wake.notify_all()
        return apsw.SQLITE_OK

    def _checkpoint_in_line(self, conn: apsw.Connection, schema: str) -> None:
        """RESTART: copy what the thread has not, wait briefly for readers' snapshots to end."""
        deadline = time.monotonic() + self.wait_ms / 1000

        def poll(_attempts: int) -> bool:  # every millisecond: a reader's pause between snapshots may be short
            time.sleep(0.001)
            return time.monotonic() < deadline

        conn.set_busy_handler(poll)
        try:
            conn.wal_checkpoint(schema, apsw.SQLITE_CHECKPOINT_RESTART)
            self.inline_checkpoints += 1
        except apsw.Error:
            pass  # a reader kept its snapshot, or the thread is mid-checkpoint: retried further on
        finally:
            conn.set_busy_timeout(self._busy_ms)

    def _run(self) -> None:
        connections: dict[str, apsw.Connection] = {}
        try:
            while True:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()
                    while not self._due and not self._stopping:
                        self._wake.wait()
                    if self._stopping:
                        return
                    due, self._due, self._busy = self._due, set(), True
                for schema in sorted(due):
                    try:
                        conn = connections.get(schema)
                        if conn is None:
                            conn = apsw.Connection(str(self._home / f"{schema}.db"), flags=apsw.SQLITE_OPEN_READWRITE)
                            # A connection opens the WAL on its first read; until then a
                            # checkpoint does nothing and reports (-1, -1).
                            conn.execute("PRAGMA schema_version").fetchall()
                            connections[schema] = conn
                        if conn.wal_checkpoint(mode=apsw.SQLITE_CHECKPOINT_PASSIVE)[0] >= 0:
                            self.checkpoints += 1
                        # Frames committed during that pass: copied under the write lock, taken
                        # only if free (no busy handler), so a writer waits for a short remainder
                        # at most; then the next write starts the WAL over.
                        if conn.wal_checkpoint(mode=apsw.SQLITE_CHECKPOINT_RESTART)[0] >= 0:
                            self.restarts += 1
                    except apsw.Error:
                        pass  # busy or gone: the next commit past the threshold wakes us again
        finally:
            for conn in connections.values():
                conn.close()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no checkpoint is due or running (True), or ``timeout`` seconds pass (False)."""
        with self._wake:
            return self._wake.wait_for(lambda: self._stopping or not (self._due or self._busy), timeout)

    def close(self) -> None:
        """Stop the thread after the checkpoint under way, if any (closing the store's connection
        then checkpoints whatever is left, as SQLite does for the last connection)."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join()


def bound_wal(store: Store) -> BackgroundCheckpointer:
    """Keep each tier's WAL of a writable store under 64 MiB (see the module docstring)."""
    return BackgroundCheckpointer(store, pages=WAL_CHECKPOINT_PAGES, hard_limit=WAL_HARD_LIMIT_PAGES)
