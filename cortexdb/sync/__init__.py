"""``db.sync``: share a store's knowledge graph through a PostgreSQL authority.

Nothing is contacted unless an authority is declared (``cortexdb.open(home, authority=URL)`` or
``CORTEXDB_AUTHORITY``). The first call connects (psycopg 3, one connection per store, reused
until the store closes), brings the authority's schema up to date as its declared role allows,
and checks it is the authority this store already syncs with. See docs/sync.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from .. import authority, migrations
from .._boundary import public_api
from .._version import __version__
from ..errors import AuthorityError, CortexError, ReadOnlyError, ValidationError
from . import archive_push, chains, pg_schema, pull, push, side_tables

if TYPE_CHECKING:
    from ..store import Store

AUTHORITY_MODULES = (*migrations.BASE_MODULES, "sync")
"""What the authority holds: the always-installed modules and sync's bookkeeping."""
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SyncReport:
    """What one push or pull moved."""

    direction: str
    batches: int
    entities: int
    rows: int
    audit_rows: int = 0
    side_rows: int = 0
    """Of ``rows``: provenance links, workspace discoveries and pattern -> discovery links."""
    archive_rows: int = 0
    """Of ``rows``: archived rows (tier 3) copied to or removed from this store's archive on the authority."""


@dataclass(frozen=True)
class SyncStatus:
    """Where this store stands with its authority."""

    authority: str
    authority_id: str
    authority_role: str
    store_id: str
    pending_push: int
    pulled_seq: int
    authority_seq: int
    migrated: list[str]
    pending_side: int = 0
    """Provenance links and workspace discoveries changed here and not pushed yet."""
    pending_archive: int = 0
    """Archive changes (tier 3) not pushed yet."""
    pending_links: int = 0
    """Pulled links waiting for what they name: provenance links for their graph entity, pattern ->
    discovery links for their pattern or discovery."""


@public_api
class Sync:
    """Push, pull, status and read-only queries against the declared authority."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._conn: Any = None
        self._state: pg_schema.AuthorityState | None = None
        self._chain_heads: dict[str, int] | None = None
        """The authority's audit chain heads for this store, read once per connection."""
        self._audit_mark: tuple[int, ...] | None = None
        """The local audit logs' last ids when their chains were last pushed whole."""
        self._store_id: str | None = None
        self._lock = threading.RLock()
        store.on_close(self.close)

    # -- connection ---------------------------------------------------------------------------------
    @property
    def declaration(self) -> authority.AuthorityDeclaration:
        declared = self._store.authority
        if declared is None:
            raise AuthorityError(
                "no authority is declared for this store, so nothing was contacted: open it with "
                f"cortexdb.open(home, authority='postgresql://...') or set {authority.ENV_AUTHORITY}")
        return declared

    def _connection(self) -> tuple[Any, pg_schema.AuthorityState]:
        if self._conn is not None and self._state is not None and not self._conn.closed:
            return self._conn, self._state
        declaration = self.declaration
        try:
            import psycopg
        except ImportError as error:
            raise CortexError("syncing needs psycopg: pip install 'cortexdb[postgres]'") from error
        try:
            conn = psycopg.connect(declaration.url, autocommit=True, connect_timeout=10, options="-c TimeZone=UTC")
        except psycopg.Error as error:
            raise CortexError(f"cannot reach the authority {declaration.display}: {error}") from error
        try:
            state = pg_schema.upgrade(conn, declaration, AUTHORITY_MODULES)
            remembered = self._store.execute("SELECT authority_id FROM tier2.sync_state WHERE id = 1")[0][0]
            authority.check_same_authority(remembered, state.authority_id, declaration, self._store.home)
            if remembered is None and not self._store.readonly:
                with self._store.transaction():
                    self._store.execute("UPDATE tier2.sync_state SET authority_id = ? WHERE id = 1",
                                        (state.authority_id,))
        except BaseException:
            conn.close()
            raise
        self._conn, self._state = conn, state
        return conn, state

    def close(self) -> None:
        """Close the connection to the authority (the store does this when it closes)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn, self._state, self._chain_heads, self._audit_mark = None, None, None, None

    @property
    def store_id(self) -> str:
        if self._store_id is None:                  # a store's identity never changes
            self._store_id = str(self._store.identity()["store_id"])
        return self._store_id

    # -- push / pull ------------------------------------------------------------------------------
    def push(self, *, batch_size: int = 2000, progress: Progress | None = None) -> SyncReport:
        """Send every entity changed since the last push, the removals, the changed provenance links and
        workspace discoveries, the archive's changes, and the sealed audit chains.

        Resumable: interrupted at any point, the next push sends what was not confirmed, and
        re-sending changes nothing.
        """
        _check_batch(batch_size)
        with self._lock, _translated():
            conn, state = self._connection()
            if state.role == "replica":
                raise AuthorityError(f"{self.declaration.display} is a replica authority and never takes writes")
            self._store.require_writable()
            store_id = self.store_id
            if self._chain_heads is None:               # first push on this connection
                self._register(conn, store_id)
                self._chain_heads = chains.remote_heads(conn, store_id)
            total = self._store.execute("SELECT count(*) FROM tier2.sync_dirty")[0][0]
            batches = entities = rows = 0
            while total and (batch := push.read_batch(self._store, batch_size)) is not None:
                with conn.transaction():
                    push.merge(conn, batch, store_id, self._store.timestamp())
                push.clear_marks(self._store, batch)
                batches, entities, rows = batches + 1, entities + len(batch.marks), rows + batch.rows
                if progress:
                    progress(entities, max(total, entities))
            side_rows = side_tables.push(self._store, conn, store_id, batch_size)
            archive_rows = archive_push.push(self._store, conn, store_id, batch_size)
            audit_rows = 0
            mark = chains.local_mark(self._store)
            if mark != self._audit_mark:                # new audit rows since the chains were last pushed
                try:
                    audit_rows = chains.push(self._store, conn, store_id, self._chain_heads)
                except BaseException:
                    self._chain_heads = None            # re-read them next time
                    raise
                self._audit_mark = mark
        return SyncReport("push", batches, entities, rows + side_rows + archive_rows, audit_rows, side_rows,
                          archive_rows)

    def pull(self, *, batch_size: int = 2000, progress: Progress | None = None) -> SyncReport:
        """Apply the authority's graph, provenance and workspace changes since this store's cursors to tier 2."""
        _check_batch(batch_size)
        with self._lock, _translated():
            conn, _state = self._connection()
            self._store.require_writable()
            store_id = self.store_id
            after = self._store.execute("SELECT pulled_seq FROM tier2.sync_state WHERE id = 1")[0][0]
            head = _head(conn) if progress else 0
            # both cursors' next runs in one round trip (a pull with nothing to do costs just this one)
            upto, side_upto = conn.execute(f"SELECT ({pull.NEXT}), ({side_tables.NEXT})", {
                "after": after, "side_after": side_tables.cursor(self._store), "n": batch_size}).fetchone()
            batches = entities = rows = 0
            while upto is not None:
                changes = pull.fetch(conn, after, upto, store_id)
                pull.apply(self._store, changes)
                after = upto
                batches, entities, rows = batches + 1, entities + len(changes.entities), rows + changes.rows
                if progress:
                    progress(min(after, head), max(head, after))
                upto = pull.next_end(conn, after, batch_size)
            side_rows = side_tables.pull(self._store, conn, store_id, batch_size, side_upto)
        return SyncReport("pull", batches, entities, rows + side_rows, side_rows=side_rows)

    def status(self) -> SyncStatus:
        """The authority, its role, what this store has not pushed, and how far it has pulled."""
        with self._lock, _translated():
            conn, state = self._connection()
            pending = self._store.execute("SELECT count(*) FROM tier2.sync_dirty")[0][0]
            pulled = self._store.execute("SELECT pulled_seq FROM tier2.sync_state WHERE id = 1")[0][0]
            return SyncStatus(self.declaration.display, state.authority_id, state.role, self.store_id, pending, pulled,
                              _head(conn), state.applied, side_tables.pending_push(self._store),
                              archive_push.pending(self._store), side_tables.pending_links(self._store))

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Run SQL against the authority in a READ ONLY transaction; rows as dicts.

        PostgreSQL itself refuses any write (``ReadOnlyError``), so an agent can ask the team's
        graph directly and change nothing.
        """
        if not isinstance(sql, str) or not sql.strip():
            raise ValidationError("sql", "must be a non-empty string")
        if not isinstance(params, (Sequence, dict)) or isinstance(params, str):
            raise ValidationError("params", "must be a sequence or a dict of values")
        with self._lock, _translated():
            conn, _state = self._connection()
            import psycopg
            from psycopg.rows import dict_row

            try:
                with conn.transaction(), conn.cursor(row_factory=dict_row) as cursor:
                    cursor.execute("SET TRANSACTION READ ONLY")
                    cursor.execute(sql, params or None)
                    return cursor.fetchall() if cursor.description else []
            except psycopg.errors.ReadOnlySqlTransaction as error:
                raise ReadOnlyError(f"db.sync.query runs reads only; refused: {sql.strip()[:200]}") from error

    def _register(self, conn: Any, store_id: str) -> None:
        """Record this store in the authority's store_identity (once)."""
        identity = self._store.identity()
        conn.execute("INSERT INTO store_identity (store_id, created_at, library_version, enabled_modules, declared_role) "
                     "VALUES (%s, %s, %s, %s::jsonb, %s) ON CONFLICT (store_id) DO UPDATE SET library_version = "
                     "EXCLUDED.library_version, enabled_modules = EXCLUDED.enabled_modules",
                     (store_id, identity["created_at"], __version__,
                      orjson.dumps(identity["enabled_modules"]).decode(), identity["declared_role"]))


def _head(conn: Any) -> int:
    return int(conn.execute("SELECT greatest((SELECT max(sync_seq) FROM sync_entity_changes), "
                            "(SELECT max(sync_seq) FROM sync_tombstones), 0)").fetchone()[0])


def _check_batch(batch_size: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValidationError("batch_size", "must be a positive integer")


class _translated:
    """Turn psycopg errors into CortexError naming the authority's message."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: object) -> None:
        if error is None or isinstance(error, CortexError):
            return
        import psycopg

        if isinstance(error, psycopg.Error):
            raise CortexError(f"the authority refused or failed: {str(error).strip()}") from error
