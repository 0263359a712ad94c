"""Connection set-up: tier file checks, per-tier pragmas, the read-only authorizer.

Each pragma is one small function so its reason sits beside it (the shape of apsw's
``bestpractice``); they are applied to cortexdb's own connections only, never through the
process-wide ``apsw.connection_hooks``.
"""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path

import apsw

from . import _fts
from .errors import StoreFileError

APPLICATION_ID = 0x43545844  # "CTXD": marks a file as a cortexdb tier
TIERS = ("tier0", "tier1", "tier2", "tier3")
DURABLE_TIERS = frozenset({"tier0", "tier3"})
"""Tiers whose commits must survive power loss before another tier changes: governance (tier0)
and the archive (tier3), which rows reach before their source copy is deleted."""

_MAGIC = b"SQLite format 3\x00"


# -- tier file checks ---------------------------------------------------------------------------

def inspect_file(path: Path) -> bool:
    """Return True if ``path`` is new (missing or empty), False if it looks like a SQLite file.

    Raises StoreFileError, touching nothing, for a non-SQLite or truncated file. The
    application id is checked after opening, because in WAL mode the header on disk may lag.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return True
    if size == 0:
        return True
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or header[:16] != _MAGIC:
        kind = "truncated" if _MAGIC.startswith(header[:16]) and header else "not a SQLite database"
        raise StoreFileError(f"{path} is {kind}; cortexdb left it untouched. Move it aside, or restore the tier from backups/")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", header[24:32])
    valid_for = struct.unpack(">I", header[92:96])[0]
    # A checkpoint killed after writing page 1 (with the new page count) but before the pages after
    # it leaves the file shorter than its header says; the WAL still holds them, so that is no loss.
    wal = Path(f"{path}-wal")
    wal_pending = wal.exists() and wal.stat().st_size > 0
    if size % page_size or (page_count and change_counter == valid_for and size < page_count * page_size
                            and not wal_pending):
        raise StoreFileError(
            f"{path} is truncated ({size} bytes, header says {page_count} pages of {page_size}); "
            "cortexdb left it untouched. Restore the tier from backups/"
        )
    return False


def tier_identity(conn: apsw.Connection, schema: str) -> tuple[int, int]:
    """(application_id, number of schema objects) read in one snapshot, so a file another
    process is creating at this moment is never seen half-made."""
    with conn:  # one read transaction; nothing is written
        app = conn.execute(f"PRAGMA {schema}.application_id").get
        objects = conn.execute(f"SELECT count(*) FROM {schema}.sqlite_master").get
    return app, objects


def refuse_foreign(conn: apsw.Connection, schema: str, path: Path) -> bool:
    """Raise StoreFileError unless the file is ours or still empty; return True if it is ours."""
    app, objects = tier_identity(conn, schema)
    if app == APPLICATION_ID:
        return True
    if app or objects:
        check_application_id(app or -1, path)
    return False


def unopenable(home: Path) -> StoreFileError:
    """Why SQLite could not open the tier files in ``home``, and what to do about it."""
    for tier in TIERS:
        path = home / f"{tier}.db"
        if path.is_dir():
            return StoreFileError(f"{path} is a directory; move it away or choose another store directory")
    try:
        read_only_fs = bool(os.statvfs(home).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): judge by permissions alone
        read_only_fs = False
    if read_only_fs:
        return StoreFileError(
            f"{home} is on a read-only filesystem; SQLite creates WAL files beside the tiers even to read "
            "them, so copy the store directory to a writable location (or mount it writable) and open it there")
    blocked = [p for p in (home, *(home / f"{t}.db" for t in TIERS)) if p.exists() and not os.access(p, os.W_OK)]
    if blocked:
        return StoreFileError(
            f"{blocked[0]} is not writable by this user; make it writable (chmod u+w) or open a store elsewhere "
            "(pass path= or set CORTEXDB_HOME)")
    return StoreFileError(f"SQLite cannot open the tier files in {home}; check its permissions and free space")


@contextlib.contextmanager
def home_lock(home: Path) -> Iterator[None]:
    """Serialize creating and migrating a store across processes (an advisory file lock).

    The ledger protocol is correct without it; the lock only spares racing processes the busy
    errors SQLite gives without waiting (switching a new file to WAL, WAL recovery).
    """
    try:
        import fcntl
    except ImportError:  # Windows: rely on SQLite's own locking
        yield
        return
    with open(home / "cortexdb.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_application_id(found: int, path: Path) -> None:
    """Refuse a SQLite file that another program made."""
    if found != APPLICATION_ID:
        raise StoreFileError(
            f"{path} is a SQLite database that cortexdb did not create (application_id {found:#x}); "
            "cortexdb left it untouched. Point cortexdb at another directory, or move the file aside"
        )


# -- pragmas ------------------------------------------------------------------------------------

Pragma = Callable[[apsw.Connection, str], None]


def busy_timeout(ms: int) -> Callable[[apsw.Connection], None]:
    """Wait up to ``ms`` for another process's write lock instead of failing at once."""
    def apply(conn: apsw.Connection) -> None:
        conn.set_busy_timeout(ms)
    return apply


def strict_strings(conn: apsw.Connection) -> None:
    """Double-quoted strings are identifiers only: a typo'd column name is an error, not a string."""
    conn.config(apsw.SQLITE_DBCONFIG_DQS_DML, 0)
    conn.config(apsw.SQLITE_DBCONFIG_DQS_DDL, 0)


def foreign_keys(conn: apsw.Connection) -> None:
    """Enforce the seeds' FOREIGN KEY clauses (SQLite leaves them off by default)."""
    conn.execute("PRAGMA foreign_keys = ON")


def untrusted_schema(conn: apsw.Connection) -> None:
    """A tier file edited by someone else cannot make its triggers or views call risky functions."""
    conn.execute("PRAGMA trusted_schema = OFF")


def memory_temp_store(conn: apsw.Connection) -> None:
    """Statement journals (and temp tables) in memory: a batch statement (one INSERT ... SELECT
    FROM json_each of a whole call) journals every page it touches, and past 64 KiB SQLite would
    otherwise spill that journal to a temporary file, a pwrite per page on the hot path."""
    conn.execute("PRAGMA temp_store = MEMORY")


def wal(conn: apsw.Connection, schema: str) -> None:
    """WAL lets readers proceed while one process writes; it persists in the file."""
    mode = conn.execute(f"PRAGMA {schema}.journal_mode = WAL").get
    if mode != "wal":
        raise StoreFileError(f"could not put {schema} in WAL mode (got {mode!r}); is the directory on a network filesystem?")


def synchronous(conn: apsw.Connection, schema: str) -> None:
    """FULL for tiers that must be durable before another tier changes; NORMAL (safe in WAL
    against process crashes, faster) for the rest."""
    level = "FULL" if schema in DURABLE_TIERS else "NORMAL"
    conn.execute(f"PRAGMA {schema}.synchronous = {level}")


CONNECTION_PRAGMAS: tuple[Callable[[apsw.Connection], None], ...] = (strict_strings, foreign_keys, untrusted_schema,
                                                                     memory_temp_store)
TIER_PRAGMAS: tuple[Pragma, ...] = (synchronous,)


def connect(path: str | os.PathLike[str], *, busy_ms: int, readonly: bool = False) -> apsw.Connection:
    """Open one apsw connection with the connection-wide pragmas applied."""
    flags = apsw.SQLITE_OPEN_URI | (apsw.SQLITE_OPEN_READONLY if readonly else apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE)
    conn = apsw.Connection(str(path), flags=flags)
    busy_timeout(busy_ms)(conn)
    for pragma in CONNECTION_PRAGMAS:
        pragma(conn)
    _fts.register(conn)
    return conn


def file_uri(path: Path, *, readonly: bool) -> str:
    """A URI for ATTACH that cannot be misread as a query string; ``mode=ro`` when read-only."""
    from urllib.parse import quote

    uri = "file:" + quote(str(path.resolve()))
    return uri + ("?mode=ro" if readonly else "")


# -- read-only authorizer -----------------------------------------------------------------------

_READ_PRAGMAS_WITH_ARG = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check",
})
_READ_PRAGMAS = _READ_PRAGMAS_WITH_ARG | frozenset({
    "user_version", "application_id", "schema_version", "journal_mode", "page_count", "page_size",
    "freelist_count", "encoding", "data_version", "database_list", "compile_options",
    "function_list", "module_list", "pragma_list", "collation_list", "foreign_keys",
    "synchronous", "busy_timeout", "auto_vacuum", "cache_size",
})
_DENIED_FUNCTIONS = frozenset({"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"})
_ALLOWED_ACTIONS = frozenset({
    apsw.SQLITE_SELECT, apsw.SQLITE_READ, apsw.SQLITE_RECURSIVE,
})


def readonly_authorizer(denied: list[str]) -> Callable[[int, str | None, str | None, str | None, str | None], int]:
    """An authorizer allowing reads, read-only pragmas and ordinary functions, denying every
    write form and appending what it denied to ``denied``.

    Installed only while ``Store.query`` runs. Internal statements SQLite prepares (FTS5 shadow
    reads) are reads too, so they pass.
    """
    def authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
        if action in _ALLOWED_ACTIONS:
            return apsw.SQLITE_OK
        if action == apsw.SQLITE_FUNCTION and (arg2 or "").lower() not in _DENIED_FUNCTIONS:
            return apsw.SQLITE_OK
        if action == apsw.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name in _READ_PRAGMAS_WITH_ARG or (name in _READ_PRAGMAS and arg2 is None):
                return apsw.SQLITE_OK
        denied.append(" ".join(filter(None, [str(apsw.mapping_authorizer_function.get(action, action)), arg1, arg2])))
        return apsw.SQLITE_DENY
    return authorize
