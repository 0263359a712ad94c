"""Cold-storage bundles: export tier-3 rows to files anyone can read, verify them, import them.

A bundle is a directory holding ``manifest.json`` and either one ``<table>.jsonl.zst`` per table
(one JSON object per row, the table's own column names; ``zstd -d`` and any JSON reader, or
DuckDB's ``read_json``, read it) or one ``archive.sqlite`` file (``format="sqlite"``) that
:func:`mount_bundle` ATTACHes read-only. The manifest records the format version, store id,
schema versions, tables with row counts, columns and time range, and the sha256 of every file.

Export streams rows in batches (bounded memory whatever the size) into a hidden staging
directory in the destination, verifies it by reading it back, fsyncs it, and only then renames
it to its final name: a crash leaves no bundle, or a complete one that verifies. Destinations
sit behind the small :class:`ColdStore` protocol; :class:`FilesystemColdStore` is the first.
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Protocol, cast, runtime_checkable

import orjson
import zstandard

from .._boundary import public_api
from .._version import __version__
from ..errors import ArchiveError, ValidationError, wrap_apsw
from .groups import ident

if TYPE_CHECKING:
    from ..store import Store

FORMAT = "cortexdb-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "archive.sqlite"
BATCH = 2000
CHUNK = 1 << 20
TIME_COLUMNS = ("archived_at", "created_at", "started_at", "occurred_at", "discovered_at")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_SKIP_TABLES = frozenset({"cortexdb_migrations"})
_NOT_IMPORTED = ("audit_log_", "audited_tables_")
"""A bundle's audit rows are the exporting store's history: they stay in the bundle, since this
store's chain takes only rows its own triggers wrote (sealed rows are refused, and importing the
switchboard could switch auditing off)."""

Progress = Callable[[int, int], None] | None


# -- destinations -------------------------------------------------------------------------------------

@runtime_checkable
class ColdStore(Protocol):
    """Where bundles go. A bundle is built in ``staging(name)`` and becomes visible under ``name``
    only through ``publish`` (atomic); ``path`` gives a local directory to read it from."""

    def staging(self, name: str) -> Path: ...

    def publish(self, staging: Path, name: str) -> Path: ...

    def path(self, name: str) -> Path: ...

    def list(self) -> builtins.list[str]: ...

    def remove(self, name: str) -> None: ...


@public_api
class FilesystemColdStore:
    """Bundles as directories under ``root``; staging directories are hidden siblings
    (``.<name>.partial-<pid>-<uuid>``) renamed into place, so the rename is atomic."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def staging(self, name: str) -> Path:
        check_name(name)
        self.root.mkdir(parents=True, exist_ok=True)
        self._sweep()
        if (self.root / name).exists():
            raise ArchiveError(f"bundle {name!r} already exists in {self.root}; choose another name")
        path = self.root / f".{name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        path.mkdir()
        return path

    def publish(self, staging: Path, name: str) -> Path:
        target = self.root / name
        if target.exists():
            raise ArchiveError(f"bundle {name!r} already exists in {self.root}; choose another name")
        for entry in staging.iterdir():
            _fsync(entry)
        _fsync(staging)
        os.rename(staging, target)
        _fsync(self.root)
        return target

    def path(self, name: str) -> Path:
        check_name(name)
        return self.root / name

    def list(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).exists())

    def remove(self, name: str) -> None:
        shutil.rmtree(self.path(name), ignore_errors=False)

    def _sweep(self) -> None:
        """Remove staging directories left by processes that died while exporting."""
        for entry in self.root.glob(".*.partial-*"):
            try:
                pid = int(entry.name.rsplit(".partial-", 1)[1].split("-")[0])
            except (IndexError, ValueError):
                continue
            if not _alive(pid):
                shutil.rmtree(entry, ignore_errors=True)


def default_cold_store(store: Store) -> FilesystemColdStore:
    """The store's own ``cold/`` directory."""
    return FilesystemColdStore(store.home / "cold")


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValidationError("name", f"{name!r}: bundle names are letters, digits, '.', '_', '-' (not starting with '.')")
    return name


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- results ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BundleInfo:
    """A written bundle: where, its format, rows per table."""

    name: str
    path: str
    format: str
    tables: dict[str, int]
    rows: int
    bytes: int


@dataclass(frozen=True)
class VerifyReport:
    """``ok`` when every file matches the manifest; otherwise ``problems`` (each naming its file)
    and ``first`` (the first of them)."""

    bundle: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def first(self) -> str | None:
        return self.problems[0] if self.problems else None


@dataclass(frozen=True)
class ImportResult:
    """Per table: rows in the bundle and rows newly inserted into tier 3; tables skipped."""

    bundle: str
    tables: dict[str, dict[str, int]]
    skipped: list[str]


@dataclass(frozen=True)
class Source:
    """One table to export: ``schema.table`` filtered by ``where`` (SQL over its own columns,
    built by cortexdb from validated identifiers) with ``params``."""

    schema: str
    table: str
    where: str = ""
    params: tuple[Any, ...] = ()


# -- export -------------------------------------------------------------------------------------------

def resolve_sources(store: Store, tables: Sequence[str] | None) -> list[Source]:
    """``tables`` as names in tier 3 or ``tierN.name``; default: every tier-3 table."""
    if tables is None:
        rows = store.execute("SELECT name, sql FROM tier3.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                             "ORDER BY name")
        virtual = [n for n, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
        # virtual tables (FTS indexes) and their shadow tables are derived data: rebuilt, not shipped
        return [Source("tier3", n) for n, _sql in rows if n not in _SKIP_TABLES and n not in virtual
                and not any(n.startswith(v + "_") for v in virtual)]
    out = []
    for spec in tables:
        schema, _, table = spec.rpartition(".")
        schema = schema or "tier3"
        if schema not in ("tier0", "tier1", "tier2", "tier3"):
            raise ValidationError("tables", f"{spec!r}: schema must be tier0..tier3")
        ident(table, "tables")
        if not store.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (table,)):
            raise ValidationError("tables", f"no table {schema}.{table}")
        out.append(Source(schema, table))
    return out


def export_bundle(store: Store, name: str | None = None, *, tables: Sequence[str] | None = None, format: str = "jsonl",
                  cold_store: ColdStore | None = None, progress: Progress = None,
                  sources: Sequence[Source] | None = None, purge: bool = False) -> BundleInfo:
    """Export ``sources`` (default: ``tables`` resolved in tier 3) to a new bundle ``name``.

    ``purge`` deletes the exported rows once the bundle is published and verified: the export then
    runs inside a write transaction, so exactly the rows in the bundle are deleted (a crash before
    the commit leaves the rows and a valid bundle; importing it later adds nothing).
    """
    if purge:
        with store.transaction():
            info = export_bundle(store, name, tables=tables, format=format, cold_store=cold_store, progress=progress,
                                 sources=sources)
            for source in (list(sources) if sources is not None else resolve_sources(store, tables)):
                store.execute(f"DELETE FROM {source.schema}.{source.table}{_where(source)}", source.params)
        return info
    if format not in ("jsonl", "sqlite"):
        raise ValidationError("format", "must be 'jsonl' or 'sqlite'")
    name = check_name(name or "archive-" + stamp(store))
    sources = list(sources) if sources is not None else resolve_sources(store, tables)
    destination = cold_store or default_cold_store(store)
    staging = destination.staging(name)
    try:
        manifest = _manifest_head(store, format)
        with store._lock, wrap_apsw():  # one read snapshot: counts and rows agree
            conn = store.conn
            own = not conn.in_transaction
            if own:
                conn.execute("BEGIN DEFERRED")
            try:
                totals = [_count(store, s) for s in sources]
                total, done = sum(totals), 0
                if format == "jsonl":
                    for source in sources:
                        done = _export_jsonl(store, source, staging, manifest, done, total, progress)
                else:
                    _export_sqlite(store, sources, staging, manifest, progress, total)
            finally:
                if own:
                    conn.execute("COMMIT")
        _finish_manifest(manifest)
        (staging / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
        report = verify_bundle(staging)
        if not report.ok:
            raise ArchiveError(f"the bundle did not verify after writing ({report.first}); nothing was published")
        final = destination.publish(staging, name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    size = sum(f["bytes"] for f in manifest["files"].values())
    return BundleInfo(name, str(final), format, {t: v["rows"] for t, v in manifest["tables"].items()},
                      manifest["rows"], size)


def stamp(store: Store) -> str:
    """The store clock as ``YYYYMMDDTHHMMSSmmmZ`` for bundle names."""
    return store.timestamp().replace("-", "").replace(":", "").replace(" ", "T").replace(".", "") + "Z"


def _manifest_head(store: Store, format: str) -> dict[str, Any]:
    versions: dict[str, dict[str, int]] = {}
    for tier in ("tier0", "tier1", "tier2", "tier3"):
        versions[tier] = {m: v for m, v in store.execute(
            f"SELECT module, max(version) FROM {tier}.cortexdb_migrations GROUP BY module")}
    store_id = store.execute("SELECT store_id FROM tier0.store_identity WHERE id = 1")
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "kind": format,
            "store_id": store_id[0][0] if store_id else None, "created_at": store.timestamp(),
            "library_version": __version__, "schema_versions": versions, "tables": {}, "files": {}}


def _finish_manifest(manifest: dict[str, Any]) -> None:
    manifest["rows"] = sum(t["rows"] for t in manifest["tables"].values())
    lows = [t["time_range"][0] for t in manifest["tables"].values() if t.get("time_range") and t["time_range"][0] is not None]
    highs = [t["time_range"][1] for t in manifest["tables"].values() if t.get("time_range") and t["time_range"][1] is not None]
    manifest["time_range"] = [min(map(str, lows)) if lows else None, max(map(str, highs)) if highs else None]


def _where(source: Source) -> str:
    return f" WHERE {source.where}" if source.where else ""


def _count(store: Store, source: Source) -> int:
    return store.conn.execute(f"SELECT count(*) FROM {source.schema}.{source.table}{_where(source)}", source.params).get


def _table_meta(store: Store, source: Source) -> tuple[list[str], str | None, list[Any]]:
    columns = [r[1] for r in store.conn.execute(f"PRAGMA {source.schema}.table_info({source.table})")]
    time_col = next((c for c in TIME_COLUMNS if c in columns), None)
    span: list[Any] = [None, None]
    if time_col:
        sql = f"SELECT min({time_col}), max({time_col}) FROM {source.schema}.{source.table}{_where(source)}"
        span = list(store.conn.execute(sql, source.params).fetchone() or span)
    return columns, time_col, span


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode()}
    raise TypeError(f"cannot export {type(value).__name__}")


class _HashingWriter:
    """A file wrapper hashing and counting what passes through (the compressed bytes)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle, self.sha, self.size = handle, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()


def _export_jsonl(store: Store, source: Source, staging: Path, manifest: dict[str, Any], done: int, total: int,
                  progress: Progress) -> int:
    columns, time_col, span = _table_meta(store, source)
    filename = f"{source.table}.jsonl.zst"
    if filename in manifest["files"]:
        raise ValidationError("tables", f"{source.table} is listed twice")
    dumps, opt = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    rows = 0
    with open(staging / filename, "wb") as raw:
        hashing = _HashingWriter(raw)
        writer = zstandard.ZstdCompressor(level=3).stream_writer(cast(IO[bytes], hashing), closefd=False)
        cursor = store.conn.cursor()
        cursor.execute(f"SELECT {', '.join(columns)} FROM {source.schema}.{source.table}{_where(source)}", source.params)
        while True:
            batch = _take(cursor, BATCH)
            if not batch:
                break
            writer.write(b"".join([dumps(dict(zip(columns, row, strict=True)), default=_default, option=opt)
                                   for row in batch]))
            rows += len(batch)
            done += len(batch)
            if progress:
                progress(done, total)
        writer.flush(zstandard.FLUSH_FRAME)
        writer.close()
    manifest["files"][filename] = {"sha256": hashing.sha.hexdigest(), "bytes": hashing.size}
    manifest["tables"][source.table] = {"file": filename, "rows": rows, "columns": columns, "source": f"{source.schema}.{source.table}",
                                        "time_column": time_col, "time_range": span}
    return done


def _take(cursor: Any, n: int) -> list[tuple[Any, ...]]:
    out = []
    for row in cursor:
        out.append(row)
        if len(out) >= n:
            break
    return out


def _export_sqlite(store: Store, sources: Sequence[Source], staging: Path, manifest: dict[str, Any], progress: Progress,
                   total: int) -> None:
    """Copy the sources into one SQLite file through a second connection reading the same files."""
    import apsw

    path = staging / SQLITE_FILE
    out = apsw.Connection(str(path))
    try:
        out.execute("PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF")
        done = 0
        for source in sources:
            columns, time_col, span = _table_meta(store, source)
            ddl = store.conn.execute(f"SELECT sql FROM {source.schema}.sqlite_master WHERE type = 'table' AND name = ?",
                                     (source.table,)).get
            ddl = re.sub(r"REFERENCES\s+\"?\w+\"?\s*\([^)]*\)(\s+ON\s+DELETE\s+\w+)?", "", ddl, flags=re.IGNORECASE)
            out.execute("BEGIN")
            out.execute(ddl)
            cursor = store.conn.cursor()
            cursor.execute(f"SELECT {', '.join(columns)} FROM {source.schema}.{source.table}{_where(source)}", source.params)
            insert = f"INSERT INTO {source.table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            rows = 0
            while True:
                batch = _take(cursor, BATCH)
                if not batch:
                    break
                out.executemany(insert, batch)
                rows += len(batch)
                done += len(batch)
                if progress:
                    progress(done, total)
            out.execute("COMMIT")
            manifest["tables"][source.table] = {"file": SQLITE_FILE, "rows": rows, "columns": columns,
                                                "source": f"{source.schema}.{source.table}", "time_column": time_col,
                                                "time_range": span}
    finally:
        out.close()
    manifest["files"][SQLITE_FILE] = {"sha256": _sha256(path), "bytes": path.stat().st_size}


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            sha.update(chunk)
    return sha.hexdigest()


# -- verify -------------------------------------------------------------------------------------------

def read_manifest(bundle: Path) -> dict[str, Any]:
    """The bundle's manifest; ArchiveError if missing or unreadable."""
    try:
        manifest = orjson.loads((bundle / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise ArchiveError(f"{bundle / MANIFEST}: missing; {bundle} is not a complete bundle") from None
    except OSError as error:
        raise ArchiveError(f"{bundle / MANIFEST}: cannot be read ({error})") from None
    except orjson.JSONDecodeError as error:
        raise ArchiveError(f"{bundle / MANIFEST}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{bundle / MANIFEST}: not a {FORMAT} manifest")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise ArchiveError(f"{bundle / MANIFEST}: format version {manifest.get('format_version')} is newer than this "
                           f"cortexdb reads ({FORMAT_VERSION}); upgrade cortexdb")
    return manifest


def verify_bundle(bundle: Path, *, deep: bool = False, progress: Progress = None) -> VerifyReport:
    """Check every file against the manifest: present, size, sha256, decompresses, line count
    equals the recorded row count (``deep`` also parses every line). Problems name their file."""
    problems: list[str] = []
    try:
        manifest = read_manifest(bundle)
    except ArchiveError as error:
        return VerifyReport(str(bundle), False, [str(error)])
    files: dict[str, Any] = manifest.get("files", {})
    tables: dict[str, Any] = manifest.get("tables", {})
    present = {p.name for p in bundle.iterdir()} - {MANIFEST}
    for extra in sorted(present - set(files)):
        problems.append(f"{extra}: not listed in the manifest")
    counts: dict[str, int] = {}
    for index, (filename, meta) in enumerate(sorted(files.items())):
        path = bundle / filename
        if not path.is_file():
            problems.append(f"{filename}: missing")
            continue
        if path.stat().st_size != meta.get("bytes"):
            problems.append(f"{filename}: {path.stat().st_size} bytes, manifest says {meta.get('bytes')}")
        if _sha256(path) != meta.get("sha256"):
            problems.append(f"{filename}: sha256 does not match the manifest")
        owners = [t for t, m in tables.items() if m.get("file") == filename]
        if filename.endswith(".jsonl.zst"):
            table = owners[0] if owners else None
            lines, problem = _count_lines(path, deep=deep)
            if problem:
                problems.append(f"{filename}: {problem}")
            elif table is not None:
                counts[table] = lines
                if lines != tables[table].get("rows"):
                    problems.append(f"{filename}: {lines} lines, manifest says {tables[table].get('rows')} rows")
        elif filename == SQLITE_FILE:
            problems.extend(f"{filename}: {p}" for p in _check_sqlite(path, {t: tables[t].get("rows") for t in owners}, counts))
        if progress:
            progress(index + 1, len(files))
    for table, meta in tables.items():
        if meta.get("file") not in files:
            problems.append(f"{meta.get('file')}: table {table} points at a file the manifest does not list")
    return VerifyReport(str(bundle), not problems, problems, counts)


def _count_lines(path: Path, *, deep: bool) -> tuple[int, str | None]:
    lines, tail = 0, b"\n"
    pending = b""
    try:
        with open(path, "rb") as handle:
            reader = zstandard.ZstdDecompressor().stream_reader(handle, read_across_frames=True)
            for chunk in iter(lambda: reader.read(CHUNK), b""):
                lines += chunk.count(b"\n")
                tail = chunk[-1:]
                if deep:
                    pending += chunk
                    *complete, pending = pending.split(b"\n")
                    for line in complete:
                        orjson.loads(line)
    except zstandard.ZstdError as error:
        return lines, f"does not decompress ({error})"
    except orjson.JSONDecodeError as error:
        return lines, f"a line is not JSON ({error})"
    if tail != b"\n":
        return lines, "ends in a partial line"
    return lines, None


def _check_sqlite(path: Path, expected: dict[str, Any], counts: dict[str, int]) -> list[str]:
    import apsw

    from .._sqlite import file_uri

    problems = []
    try:
        conn = apsw.Connection(file_uri(path, readonly=True) + "&immutable=1", flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI)
        try:
            if conn.execute("PRAGMA quick_check").get != "ok":
                problems.append("quick_check failed")
            for table, rows in expected.items():
                ident(table, "table")
                found = conn.execute(f'SELECT count(*) FROM "{table}"').get
                counts[table] = found
                if found != rows:
                    problems.append(f"table {table} has {found} rows, manifest says {rows}")
        finally:
            conn.close()
    except apsw.Error as error:
        problems.append(f"cannot be read as SQLite ({error})")
    return problems


# -- import and mount ---------------------------------------------------------------------------------

def iter_rows(bundle: Path, filename: str) -> Iterator[dict[str, Any]]:
    """Stream the rows of one ``.jsonl.zst`` file as dicts (bytes columns decoded back)."""
    pending = b""
    with open(bundle / filename, "rb") as handle:
        reader = zstandard.ZstdDecompressor().stream_reader(handle, read_across_frames=True)
        for chunk in iter(lambda: reader.read(CHUNK), b""):
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                row = orjson.loads(line)
                for key, value in row.items():
                    if isinstance(value, dict) and set(value) == {"$base64"}:
                        row[key] = base64.b64decode(value["$base64"])
                yield row


def import_bundle(store: Store, bundle: Path, *, progress: Progress = None) -> ImportResult:
    """Verify ``bundle``, then INSERT OR IGNORE its tables into tier 3 (same-named tables only;
    columns the target lacks are dropped). Idempotent: rows already there are kept."""
    store.require_writable()
    report = verify_bundle(bundle)
    if not report.ok:
        raise ArchiveError(f"{bundle} does not verify ({report.first}); nothing was imported")
    manifest = read_manifest(bundle)
    tables: dict[str, dict[str, int]] = {}
    skipped: list[str] = []
    total, done = manifest.get("rows", 0), 0
    mounted = mount_bundle(store, bundle) if manifest["kind"] == "sqlite" else None
    try:
        for table, meta in _parents_first(store, manifest["tables"]):
            ident(table, "table")
            target = [r[1] for r in store.execute(f"PRAGMA tier3.table_info({table})")]
            if not target or table.startswith(_NOT_IMPORTED):
                skipped.append(table)
                continue
            columns = [c for c in meta["columns"] if c in target]
            insert = f"INSERT OR IGNORE INTO tier3.{table} ({', '.join(columns)}) "
            count = f"SELECT count(*) FROM tier3.{table}"
            with store.transaction():
                before = store.execute(count)[0][0]  # not total_changes(): audit triggers write rows too
                if mounted:
                    store.execute(insert + f"SELECT {', '.join(columns)} FROM {mounted}.{table}")
                else:
                    values = insert + f"VALUES ({', '.join('?' * len(columns))})"
                    batch: list[tuple[Any, ...]] = []
                    for row in iter_rows(bundle, meta["file"]):
                        batch.append(tuple(row.get(c) for c in columns))
                        if len(batch) >= BATCH:
                            store.conn.executemany(values, batch)
                            done += len(batch)
                            batch.clear()
                            if progress:
                                progress(done, total)
                    if batch:
                        store.conn.executemany(values, batch)
                inserted = store.execute(count)[0][0] - before
            done += 0 if not mounted else meta["rows"]
            tables[table] = {"rows": meta["rows"], "inserted": inserted}
            if progress:
                progress(min(done, total), total)
    finally:
        if mounted:
            unmount_bundle(store, mounted)
    return ImportResult(str(bundle), tables, skipped)


def _parents_first(store: Store, tables: dict[str, Any]) -> list[tuple[str, Any]]:
    """Tables ordered so that a table comes after the tier-3 tables its foreign keys reference."""
    ordered: list[str] = []

    def visit(table: str, seen: frozenset[str]) -> None:
        if table in ordered or table in seen or table not in tables:
            return
        ident(table, "table")
        for row in store.execute(f"PRAGMA tier3.foreign_key_list({table})"):
            visit(row[2], seen | {table})
        ordered.append(table)

    for name in tables:
        visit(name, frozenset())
    return [(t, tables[t]) for t in ordered]


def mount_bundle(store: Store, bundle: Path) -> str:
    """ATTACH a SQLite-file bundle read-only (immutable) and return its schema name."""
    from .._sqlite import file_uri

    manifest = read_manifest(bundle)
    if manifest.get("kind") != "sqlite":
        raise ArchiveError(f"{bundle} is a {manifest.get('kind')} bundle; mount needs one exported with format='sqlite'")
    path = bundle / SQLITE_FILE
    if _sha256(path) != manifest["files"][SQLITE_FILE]["sha256"]:
        raise ArchiveError(f"{path}: sha256 does not match the manifest; the bundle is damaged")
    attached = {r[1] for r in store.execute("PRAGMA database_list")}
    name = next(f"cold{i}" for i in range(1, 100) if f"cold{i}" not in attached)
    with store._lock, wrap_apsw():
        store.conn.execute(f"ATTACH ? AS {name}", (file_uri(path, readonly=True) + "&immutable=1",))
    return name


def unmount_bundle(store: Store, schema: str) -> None:
    """DETACH a mounted bundle."""
    if not re.fullmatch(r"cold\d+", schema or ""):
        raise ValidationError("schema", f"{schema!r} is not a mounted bundle (cold1, cold2, ...)")
    with store._lock, wrap_apsw():
        store.conn.execute(f"DETACH {schema}")
