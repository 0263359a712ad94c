"""The Store: one apsw connection with the four tier files ATTACHed, transactions, read-only SQL.

Sub-APIs (``db.migrations``, ``db.conversations``, ``db.graph``, ...) hang off the Store as
lazily created attributes, each in its own module.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import apsw
import platformdirs

from . import _sqlite, migrations
from . import authority as rules
from ._boundary import BINDING, binding_error, file_error, public_api, public_function, translates_itself
from ._checkpoint import BackgroundCheckpointer, bound_wal
from ._version import __version__
from .clock import Clock, system_clock, to_timestamp
from .errors import (
    ClosedError,
    CortexError,
    MigrationError,
    ReadOnlyError,
    SchemaTooNewError,
    StoreFileError,
    ValidationError,
    translate,
    wrap_apsw,
)

if TYPE_CHECKING:
    from .governance.audit import AuditLog
    from .governance.boundary import BoundaryGuard
    from .governance.plugins import PluginRegistry
    from .governance.sealing import AuditSealer
    from .graph import Graph
    from .graph.provenance import Provenance
    from .graph.workspace import Workspace
    from .lifecycle.archive import Archive
    from .lifecycle.health import HealthReview
    from .lifecycle.maintenance import Maintenance
    from .lifecycle.retention import RetentionManager
    from .memory.conversations import Conversations
    from .memory.creation import Creation
    from .memory.tasks import Tasks
    from .memory.ttl import Memory
    from .packs.agency import Agency
    from .packs.grace import Grace
    from .schema_manager import SchemaManager
    from .sync import Sync

SCHEMA_VIEW = "cortexdb_schema"


def resolve_home(path: str | os.PathLike[str] | None) -> Path:
    """An explicit path, else ``CORTEXDB_HOME``, else the platform's user data directory."""
    if path is not None:
        if isinstance(path, (str, os.PathLike)) and not os.fspath(path):
            raise ValidationError("path", "is empty; pass a store directory, or None for the default home")
        return Path(path).expanduser()
    env = os.environ.get("CORTEXDB_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("cortexdb"))


@dataclass(frozen=True)
class TierStatus:
    """One tier file as ``Store.status()`` reports it."""

    name: str
    path: str
    size_bytes: int
    wal_bytes: int
    schema_versions: dict[str, int]
    row_counts: dict[str, int]


@dataclass(frozen=True)
class StoreStatus:
    """What ``cortexdb status`` prints."""

    home: str
    store_id: str | None
    role: str | None
    library_version: str
    enabled_modules: list[str]
    tiers: list[TierStatus] = field(default_factory=list)
    property_indexes: list[str] = field(default_factory=list)
    """JSON paths of entity properties with an index (``db.graph.index_property``)."""


@public_api
class Store:
    """An open cortexdb store. Create it with :func:`cortexdb.open`; use it as a context manager."""

    role: str = "staging"
    """The role in force (staging, prod or replica), set by open() from the declared and recorded role."""
    confirm_migrations: bool = False
    """Whether pending migrations of a prod store may be applied (seed 003)."""
    authority: rules.AuthorityDeclaration | None = None
    """The PostgreSQL authority this store syncs with, when one is declared (``db.sync``)."""

    def __init__(self, home: Path, conn: apsw.Connection, *, clock: Clock, readonly: bool,
                 modules: tuple[str, ...], roots: tuple[Path, ...], busy_ms: int, keep_backups: int) -> None:
        self.home = home
        self.clock = clock
        self.readonly = readonly
        self.modules = modules
        self._conn: apsw.Connection | None = conn
        self._roots = roots
        self._busy_ms = busy_ms
        self.checkpointer: BackgroundCheckpointer | None = None
        """The WAL checkpointer of a writable store (cortexdb._checkpoint), else None."""
        self._keep_backups = keep_backups
        self._lock = threading.RLock()
        self._depth = 0
        self._close_hooks: list[Callable[[], None]] = []
        self._sealer: AuditSealer | None = None
        self.migrated: list[str] = []
        """Migrations this open applied (``module/tier/file``), for logs and tests."""
        self.embedder: Callable[[list[str]], Sequence[Sequence[float]]] | None = None
        """Fills missing vectors of nodes and messages (see :meth:`set_embedder`)."""
        self.query_embedder: Callable[[list[str]], Sequence[Sequence[float]]] | None = None
        """Embeds search text; the document embedder unless the embedder has a ``query`` method."""

    # -- lifecycle --------------------------------------------------------------------------------
    @property
    def conn(self) -> apsw.Connection:
        """The underlying apsw connection, for cortexdb's own modules."""
        if self._conn is None:
            raise ClosedError("the store was closed; open it again with cortexdb.open()")
        return self._conn

    @property
    def busy_ms(self) -> int:
        """How long a statement waits for another connection's lock (milliseconds)."""
        return self._busy_ms

    @property
    def closed(self) -> bool:
        return self._conn is None

    def on_close(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` just before the connection closes (sub-APIs flush buffered state here)."""
        if not callable(hook):
            raise ValidationError("hook", f"must be a callable taking no arguments, got {type(hook).__name__}")
        self._close_hooks.append(hook)

    def close(self) -> None:
        """Close the connection, after running the ``on_close`` hooks and sealing every pending
        audit row into its chain (see docs/governance.md); safe to call twice."""
        with self._lock:
            if self._conn is not None:
                hooks, self._close_hooks = self._close_hooks, []
                try:
                    for hook in hooks:
                        hook()
                finally:
                    sealer, self._sealer = self._sealer, None
                    try:
                        if sealer is not None:
                            sealer.stop()
                            if not self._conn.in_transaction:
                                sealer.seal_pending()
                    finally:
                        conn, self._conn = self._conn, None
                        with wrap_apsw():
                            conn.close()

    def second_connection(self) -> Store:
        """Another writable Store on the same files (same clock and settings), for a background
        thread: an apsw connection must not be used from two threads at once. Close it after use."""
        self.require_writable()
        conn = _attach_tiers(self.home, readonly=False, busy_ms=self._busy_ms)
        with _close_on_error(conn.close):
            for tier in _sqlite.TIERS:
                for pragma in _sqlite.TIER_PRAGMAS:
                    pragma(conn, tier)
        twin = Store(self.home, conn, clock=self.clock, readonly=False, modules=self.modules, roots=self._roots,
                     busy_ms=self._busy_ms, keep_backups=self._keep_backups)
        twin.role = self.role
        return twin

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<cortexdb.Store {str(self.home)!r}{' closed' if self.closed else ''}>"

    # -- time ---------------------------------------------------------------------------------------
    def now(self) -> float:
        """Seconds since the epoch, from the store's clock."""
        return self.clock()

    def timestamp(self) -> str:
        """The store's clock as timestamp text (``YYYY-MM-DD HH:MM:SS.SSS`` UTC)."""
        return to_timestamp(self.clock())

    # -- embeddings -----------------------------------------------------------------------------------
    def set_embedder(self, embedder: Callable[[list[str]], Sequence[Sequence[float]]] | None) -> None:
        """Register ``embedder(texts) -> vectors``: nodes and messages written without an
        ``embedding`` get one from their text, and search text is embedded for semantic and
        hybrid search. An embedder with a ``query(texts)`` method (e5-style models prefix queries
        and passages differently) embeds search text with it. ``None`` unregisters it."""
        if embedder is not None and not callable(embedder):
            raise ValidationError("embedder", f"must be a callable taking a list of texts, got {type(embedder).__name__}")
        query = getattr(embedder, "query", None)
        self.embedder = embedder
        self.query_embedder = query if callable(query) else embedder

    # -- writing ------------------------------------------------------------------------------------
    def require_writable(self) -> None:
        """Raise ReadOnlyError if this store was opened read-only."""
        if self.readonly:
            if self.role == "replica":
                raise ReadOnlyError(f"{self.home} is a replica and never takes writes; write to its primary")
            raise ReadOnlyError(f"{self.home} was opened read-only; open it without readonly=True to write")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """A write transaction: ``BEGIN IMMEDIATE`` outermost, a SAVEPOINT when nested.

        Everything inside commits together or not at all; an exception rolls back this level.
        """
        self.require_writable()
        with self._lock:
            conn = self.conn
            depth = self._depth
            name = f"cortexdb_sp{depth}"
            with wrap_apsw():
                conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self
            except BaseException as error:
                self._depth -= 1
                with wrap_apsw():
                    conn.execute("ROLLBACK" if depth == 0 else f"ROLLBACK TO {name}; RELEASE {name}")
                if isinstance(error, apsw.Error):
                    raise translate(error) from error
                raise
            else:
                self._depth -= 1
                try:
                    conn.execute("COMMIT" if depth == 0 else f"RELEASE {name}")
                except apsw.Error as error:
                    if depth == 0 and not conn.in_transaction:
                        raise translate(error) from error
                    conn.execute("ROLLBACK" if depth == 0 else f"ROLLBACK TO {name}; RELEASE {name}")
                    raise translate(error) from error
                if depth == 0 and self._sealer is not None:
                    self._sealer.after_commit()

    @translates_itself
    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        """Run one internal statement and return its rows; for cortexdb's own modules."""
        with self._lock:  # try/except, not wrap_apsw(): a context manager costs ~1 µs per statement
            try:
                rows = self.conn.execute(sql, params).fetchall()
            except apsw.Error as error:
                raise translate(error) from error
            except BINDING as error:
                raise binding_error(params, error) from error
            if self._depth == 0 and self._sealer is not None:
                try:
                    self._sealer.after_commit()  # an autocommit write is audited like a transaction
                except apsw.Error as error:
                    raise translate(error) from error
            return rows

    # -- reading ------------------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Run read-only SQL across every tier and return rows as dicts.

        Tables are addressed as ``tier1.messages`` or, since names are unique across tiers, just
        ``messages``; JSON1 (``json_extract``, ``->>``, ``json_each``) works. Any write form
        (INSERT, UPDATE, DELETE, DDL, ATTACH, writing PRAGMAs, load_extension) raises
        ReadOnlyError and changes nothing. ``cortexdb_schema`` lists every tier's objects.
        """
        if not isinstance(sql, str):
            raise ValidationError("sql", "must be a string")
        if "\x00" in sql:
            raise ValidationError("sql", "contains a NUL character")
        if not isinstance(params, (Sequence, Mapping)) or isinstance(params, (str, bytes)):
            raise ValidationError("params", f"must be a sequence or a dict of values, got {type(params).__name__}")
        with self._lock:
            conn = self.conn
            cursor = conn.cursor()
            cursor.exec_trace = _refuse_writes
            cursor.row_trace = _row_as_dict
            denied: list[str] = []
            conn.authorizer = _sqlite.readonly_authorizer(denied)
            try:
                return list(cursor.execute(sql, params, can_cache=False))
            except apsw.Error as error:
                if denied or isinstance(error, (apsw.AuthError, apsw.ExecTraceAbort)):
                    what = f" ({denied[0]})" if denied else ""
                    raise ReadOnlyError(
                        f"db.query runs reads only; refused{what}: {sql.strip()[:200]}") from error
                raise translate(error) from error
            except CortexError:
                raise
            except BINDING as error:
                raise binding_error(params, error) from error
            finally:
                conn.authorizer = None

    def status(self) -> StoreStatus:
        """Tiers, files, sizes, schema versions, row counts and role."""
        identity = self.identity()
        tiers = []
        for tier in _sqlite.TIERS:
            path = self.home / f"{tier}.db"
            wal = Path(str(path) + "-wal")
            versions = {r["module"]: r["version"] for r in self.query(
                f"SELECT module, max(version) AS version FROM {tier}.{migrations.LEDGER} GROUP BY module")}
            tables = [r["name"] for r in self.query(
                "SELECT name FROM pragma_table_list WHERE schema = ? AND type IN ('table', 'virtual') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name", (tier,))]
            counts = {t: self.query(f'SELECT count(*) AS n FROM {tier}."{t}"')[0]["n"] for t in tables}
            tiers.append(TierStatus(tier, str(path), path.stat().st_size if path.exists() else 0,
                                    wal.stat().st_size if wal.exists() else 0, versions, counts))
        indexed = [index.path for index in self.graph.property_indexes()]
        return StoreStatus(str(self.home), identity.get("store_id"), identity.get("declared_role"), __version__,
                           identity.get("enabled_modules", list(self.modules)), tiers, indexed)

    def identity(self) -> dict[str, Any]:
        """The store identity row (store id, created_at, library version, modules, role)."""
        from ._json import loads

        rows = self.query("SELECT * FROM tier0.store_identity WHERE id = 1")
        if not rows:
            return {}
        row = rows[0]
        row["enabled_modules"] = loads(row["enabled_modules"])
        return row

    def backup(self, destination: str | os.PathLike[str]) -> list[Path]:
        """Copy every tier, consistently and online, into the directory ``destination``."""
        target = Path(destination).expanduser()
        if target.exists() and not target.is_dir():
            raise StoreFileError(f"backup destination {target} is a file; pass a directory (it is created if missing)")
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise file_error(error, path=target) from error
        out = []
        with self._lock, wrap_apsw():
            for tier in _sqlite.TIERS:
                out.append(target / f"{tier}.db")
                migrations.copy_database(self.conn, tier, out[-1])
        return out

    # -- sub-APIs -------------------------------------------------------------------------------------
    @functools.cached_property
    def migrations(self) -> SchemaManager:
        """Migration status, upgrade, rollback (``cortexdb migrate``)."""
        from .schema_manager import SchemaManager

        return SchemaManager(self)

    @functools.cached_property
    def sync(self) -> Sync:
        """Push, pull and query the declared PostgreSQL authority (``cortexdb sync``)."""
        from .sync import Sync

        return Sync(self)

    @functools.cached_property
    def graph(self) -> Graph:
        """The knowledge graph: entities, patterns, relations, search, traversal, decay."""
        from .graph import Graph

        return Graph(self)

    @functools.cached_property
    def provenance(self) -> Provenance:
        """Provenance links with recursive lineage (seed 001 ``provenance_links``)."""
        from .graph.provenance import Provenance

        return Provenance(self)

    @functools.cached_property
    def workspace(self) -> Workspace:
        """Workspace discovery: databases, APIs and frameworks the crawler found."""
        from .graph.workspace import Workspace

        return Workspace(self)

    @functools.cached_property
    def retention(self) -> RetentionManager:
        """Retention policies: evaluate (dry run), apply, edit (``cortexdb retention``)."""
        from .lifecycle.retention import RetentionManager

        return RetentionManager(self)

    @functools.cached_property
    def archive(self) -> Archive:
        """Crash-safe archival to tier 3, restore, and cold-storage bundles (``cortexdb archive``)."""
        from .lifecycle.archive import Archive

        return Archive(self)

    @functools.cached_property
    def maintenance(self) -> Maintenance:
        """ANALYZE / optimize / checkpoint, FTS upkeep, VACUUM and REINDEX (``cortexdb maintain``)."""
        from .lifecycle.maintenance import Maintenance

        return Maintenance(self)

    @functools.cached_property
    def health(self) -> HealthReview:
        """The self-review filling health_reports / health_issues (``cortexdb health``)."""
        from .lifecycle.health import HealthReview

        return HealthReview(self)

    @functools.cached_property
    def audit(self) -> AuditLog:
        """Per-tier SHA-256 audit chains: seal, verify, log, tail, governance decisions."""
        from .governance.audit import AuditLog

        return AuditLog(self)

    @functools.cached_property
    def boundary(self) -> BoundaryGuard:
        """The boundary guard: workspace root, allow/deny rules, ``check(path, op)``."""
        from .governance.boundary import BoundaryGuard

        return BoundaryGuard(self)

    @functools.cached_property
    def plugins(self) -> PluginRegistry:
        """Plugin registry and hook execution with per-plugin time budgets."""
        from .governance.plugins import PluginRegistry

        return PluginRegistry(self)

    @functools.cached_property
    def conversations(self) -> Conversations:
        """Conversations, messages, actions, snapshots and their search (tier 1)."""
        from .memory.conversations import Conversations

        return Conversations(self)

    @functools.cached_property
    def creation(self) -> Creation:
        """Incremental, resumable creation of large files chunk by chunk (tier 1)."""
        from .memory.creation import Creation

        return Creation(self)

    @functools.cached_property
    def tasks(self) -> Tasks:
        """Tasks with enforced status transitions, progress and artifacts (tier 1)."""
        from .memory.tasks import Tasks

        return Tasks(self)

    @functools.cached_property
    def agency(self) -> Agency:
        """The agency pack (``modules=["agency"]``): tasks, waivers, council verdicts, signed
        provenance, metrics, SLOs and alerts, with seed 002's DatabaseClient method names."""
        from .packs.agency import Agency

        return Agency(self)

    @functools.cached_property
    def grace(self) -> Grace:
        """The Grace pack (``modules=["grace"]``): its 81 tables' key patterns per component
        (``db.grace.core``, ``.memory``, ``.ingress``, ``.resilience``, ``.deployments``, ``.comms``)."""
        from .packs.grace import Grace

        return Grace(self)

    @functools.cached_property
    def memory(self) -> Memory:
        """TTL key/value memory per namespace with access counting (tier 1)."""
        from .memory.ttl import Memory

        return Memory(self)


def _refuse_writes(cursor: apsw.Cursor, _sql: str, _bindings: object) -> bool:
    """Exec tracer for db.query: a statement that is not read-only never starts."""
    return cursor.is_readonly


def _row_as_dict(cursor: apsw.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    names = [d[0] for d in cursor.get_description()]
    out = dict(zip(names, row, strict=True))
    if len(out) < len(row):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise ValidationError("sql", f"result columns {', '.join(map(repr, duplicates))} appear more than once; "
                                     "give each a distinct name with AS (rows are dicts keyed by column name)")
    return out


@public_function
def open(path: str | os.PathLike[str] | None = None, *, role: str | None = None, modules: Sequence[str] = (),
         clock: Clock | None = None, readonly: bool = False, migrate: bool = True, busy_timeout: float = 5.0,
         keep_backups: int = 5, confirm_migrations: bool | None = None, authority: str | None = None,
         authority_role: str | None = None) -> Store:
    """Open (creating if needed) the store at ``path`` and bring its schema up to date.

    ``path`` defaults to ``CORTEXDB_HOME``, else ``platformdirs.user_data_dir("cortexdb")``.
    ``modules`` adds opt-in schema packs to ``core``, ``cortex`` and ``governance``. ``clock`` returns epoch
    seconds (tests pass a ManualClock). ``readonly`` opens the files read-only and never migrates.
    ``migrate=False`` opens without applying pending migrations (to inspect them first).
    Pending migrations back each changed tier up into ``backups/`` first, keeping ``keep_backups``.

    ``role`` (else ``CORTEXDB_ROLE``) declares the store's role (see ``cortexdb.authority``): a new
    store records it (default ``staging``); an existing one must match its recorded role; ``prod``
    must be declared and migrates only with ``confirm_migrations=True`` (else
    ``CORTEXDB_CONFIRM_PROD_MIGRATIONS=true``); ``replica`` opens read-only and never migrates.

    ``authority`` (else ``CORTEXDB_AUTHORITY``) declares the PostgreSQL authority ``db.sync`` talks
    to, ``authority_role`` (else ``CORTEXDB_AUTHORITY_ROLE``) its role; nothing is contacted here,
    and nothing at all unless declared. A declared authority adds the ``sync`` schema module.
    """
    home = resolve_home(path)
    declared_authority = rules.declared_authority(authority, authority_role, confirm_migrations)
    if declared_authority is not None and "sync" not in modules:
        modules = (*modules, "sync")
    role = rules.declared_role(role)
    if role == "replica":
        if not (home / "tier0.db").exists():
            rules.resolve(role, None, home)
        readonly = True
    for module in modules:
        migrations.validate_name("modules", module)
    if isinstance(busy_timeout, bool) or not isinstance(busy_timeout, (int, float)) or not 0 <= busy_timeout <= 86_400:
        raise ValidationError("busy_timeout", f"must be a number of seconds from 0 to 86400, got {busy_timeout!r}")
    if clock is not None and not callable(clock):
        raise ValidationError("clock", f"must be a callable returning epoch seconds, got {type(clock).__name__}")
    if isinstance(keep_backups, bool) or not isinstance(keep_backups, int) or keep_backups < 0:
        raise ValidationError("keep_backups", f"must be an integer >= 0, got {keep_backups!r}")
    wanted = tuple(dict.fromkeys([*migrations.BASE_MODULES, *modules]))
    roots = migrations.schema_roots()
    known = migrations.known_modules(roots)
    unknown = set(wanted) - known
    if unknown:
        raise ValidationError("modules", f"no schema module named {', '.join(sorted(unknown))}")
    if readonly and not (home / "tier0.db").exists():
        raise CortexError(f"no store at {home}; open it once without readonly=True to create it")
    if home.exists() and not home.is_dir():
        raise StoreFileError(f"{home} is a file, not a store directory; pass a directory path")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise file_error(error, path=home) from error
    busy_ms = int(busy_timeout * 1000)
    clock = clock or system_clock
    try:
        conn = _attach_tiers(home, readonly=readonly, busy_ms=busy_ms)
    except CortexError as error:
        if isinstance(error.__cause__, apsw.CantOpenError):
            raise _sqlite.unopenable(home) from error.__cause__
        raise
    with _close_on_error(conn.close):
        recorded = _recorded_role(conn)
        wanted = tuple(dict.fromkeys([*wanted, *(m for m in _recorded_modules(conn) if m in known)]))
        effective = rules.resolve(role, recorded, home)
    if effective == "replica" and not readonly:
        conn.close()
        readonly = True
        conn = _attach_tiers(home, readonly=True, busy_ms=busy_ms)
    store = Store(home, conn, clock=clock, readonly=readonly, modules=wanted, roots=roots, busy_ms=busy_ms,
                  keep_backups=keep_backups)
    store.role = effective
    store.confirm_migrations = rules.confirmed(confirm_migrations)
    store.authority = declared_authority
    with _close_on_error(store.close):
        if not readonly:
            store.audit.seal_at_open()  # rows a killed process left unsealed, reported, before anything new
        stale = [t for t in _sqlite.TIERS
                 if conn.execute(f"PRAGMA {t}.user_version").get != migrations.expected_fingerprint(roots, t, wanted)]
        if stale:
            _bring_up_to_date(store, stale, migrate=migrate, role=effective, existing=recorded is not None)
        for tier in _sqlite.TIERS:
            for pragma in _sqlite.TIER_PRAGMAS:
                pragma(conn, tier)
        if not readonly:
            bound_wal(store)
            store.audit.start_sealing(written=bool(stale))
        from .packs import attach_packs

        attach_packs(store)
    return store


def _recorded_modules(conn: apsw.Connection) -> list[str]:
    """The modules a store has enabled (``store_identity.enabled_modules``): an opt-in pack stays
    enabled once a store has it, whatever later opens pass as ``modules``."""
    from ._json import loads

    if not conn.execute("SELECT 1 FROM tier0.sqlite_master WHERE type = 'table' AND name = 'store_identity'").get:
        return []
    row = conn.execute("SELECT enabled_modules FROM tier0.store_identity WHERE id = 1").get
    return [m for m in (loads(row) if row else []) if isinstance(m, str)]


@contextlib.contextmanager
def _close_on_error(close: Callable[[], None]) -> Iterator[None]:
    """Close what was just opened if the block fails, translating apsw errors."""
    try:
        yield
    except apsw.Error as error:
        close()
        raise translate(error) from error
    except BaseException:
        close()
        raise


def _attach_tiers(home: Path, *, readonly: bool, busy_ms: int) -> apsw.Connection:
    """A connection with ``main`` in memory and the four tier files attached by name.

    Existing files are checked before anything could write to them: header first (non-SQLite
    or truncated), then application_id.
    """
    existing = {tier: not _sqlite.inspect_file(home / f"{tier}.db") for tier in _sqlite.TIERS}
    with wrap_apsw():
        conn = _sqlite.connect(":memory:", busy_ms=busy_ms)
    with _close_on_error(conn.close):
        for tier in _sqlite.TIERS:
            path = home / f"{tier}.db"
            if readonly and not existing[tier]:
                raise CortexError(f"{path} is missing; open the store once without readonly=True to create it")
            conn.execute("ATTACH ? AS " + tier, (_sqlite.file_uri(path, readonly=readonly),))
            if existing[tier]:
                _sqlite.refuse_foreign(conn, tier, path)
        union = " UNION ALL ".join(
            f"SELECT '{t}' AS tier, type, name, tbl_name, sql FROM {t}.sqlite_master" for t in _sqlite.TIERS)
        conn.execute(f"CREATE TEMP VIEW {SCHEMA_VIEW} AS {union}")
    return conn


def _bring_up_to_date(store: Store, stale: list[str], *, migrate: bool, role: str | None,
                      existing: bool = True) -> None:
    """The slow path: apply pending migrations of the stale tiers (read-only: only check them).

    An existing prod store migrates only when confirmed; a replica never migrates.
    """
    if not migrate and not store.readonly:
        return  # migrate=False: the caller inspects and applies through db.migrations
    if store.readonly:
        _check_tiers(store, stale)
        return
    with _sqlite.home_lock(store.home):
        if existing and store.role == "prod" and not store.confirm_migrations:
            pending = []
            for tier in stale:
                migrator = store.migrations.migrator(tier)
                try:
                    pending += migrator.check(store.modules)[0]
                finally:
                    migrator.close()
            rules.check_migrations(store.role, store.confirm_migrations, store.home,
                                       [_pending_label(m) for m in pending])
        for tier in stale:
            migrator = store.migrations.migrator(tier)
            try:
                store.migrated += [m.label for m in migrator.upgrade(store.modules)]
            finally:
                migrator.close()
        _record_identity(store, role)


def _check_tiers(store: Store, stale: list[str]) -> None:
    """Read-only open: refuse a store that is behind; reading a newer one is allowed."""
    for tier in stale:
        migrator = store.migrations.migrator(tier)
        try:
            pending, _ = migrator.check(store.modules)
        except SchemaTooNewError:
            continue  # reading a newer store is the documented way to inspect it
        finally:
            migrator.close()
        if pending and store.role == "replica":
            rules.check_migrations("replica", False, f"{store.home} ({tier})", [_pending_label(m) for m in pending])
        if pending:
            raise MigrationError(
                f"{tier} has {len(pending)} pending migration(s) and the store is opened read-only; "
                "open it once without readonly=True to migrate it")


def _recorded_role(conn: apsw.Connection) -> str | None:
    """The role recorded in ``tier0.store_identity`` (None for a store not created yet)."""
    if not conn.execute("SELECT 1 FROM tier0.sqlite_master WHERE type = 'table' AND name = 'store_identity'").get:
        return None
    row = conn.execute("SELECT declared_role FROM tier0.store_identity WHERE id = 1").fetchone()
    return row[0] if row else None


def _pending_label(m: migrations.Migration) -> str:
    return f"{m.tier}: {m.module} {m.version:04d}_{m.name}"


def _record_identity(store: Store, role: str | None) -> None:
    """Write the identity row once, and keep ``enabled_modules`` the union of every open's modules.

    The row is updated only when a module or the library version is new: processes racing to
    open a fresh store each get here, and an unchanged rewrite would still leave an audit row."""
    from ._json import dumps, loads

    with store.transaction():
        row = store.execute("SELECT enabled_modules, library_version FROM tier0.store_identity WHERE id = 1")
        if not row:
            store.execute(
                "INSERT INTO tier0.store_identity (id, store_id, created_at, library_version, enabled_modules, "
                "declared_role) VALUES (1, ?, ?, ?, ?, ?)",
                (str(uuid.uuid4()), store.timestamp(), __version__, dumps(list(store.modules)), role or "staging"))
            return
        recorded = loads(row[0][0])
        enabled = list(dict.fromkeys([*recorded, *store.modules]))
        if enabled == recorded and row[0][1] == __version__:
            return
        store.execute("UPDATE tier0.store_identity SET enabled_modules = ?, library_version = ? WHERE id = 1",
                      (dumps(enabled), __version__))
