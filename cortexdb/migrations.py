"""Schema migrations: discovery, ledger, apply, bootstrap-from-snapshot, drift and rollback.

Files live at ``schema/<module>/<tier>/NNNN_<name>.sql``; text after a line ``-- down`` is the
reverse. Every tier file keeps a ledger (``cortexdb_migrations``). A migration and its ledger row
commit in one ``BEGIN IMMEDIATE`` transaction, and the ledger is re-read inside that lock, so
any number of processes opening a fresh store apply each migration exactly once.

``PRAGMA user_version`` of each tier holds a fingerprint of the migrations applied to it; an
open whose expected fingerprint matches does no further work. A brand-new tier is bootstrapped
from ``schema/snapshot/<tier>.sql`` and the ledger stamped (seed 003's path B), when the snapshot
was generated from exactly the current files; otherwise every migration runs (path A).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import apsw

from . import _sqlite
from ._boundary import public_function
from .clock import Clock, to_timestamp
from .errors import MigrationDriftError, MigrationError, SchemaTooNewError, StoreFileError, ValidationError

LEDGER = "cortexdb_migrations"
LEDGER_DDL = f"""CREATE TABLE IF NOT EXISTS {LEDGER} (
    module TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    PRIMARY KEY (module, version)
)"""
BASE_MODULES = ("core", "cortex", "governance")
"""Always installed, applied in this order per tier: identity, the seed tables, then governance
(audit chains and triggers over the tables before it)."""
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_DOWN = re.compile(r"^--\s*down\s*$", re.MULTILINE | re.IGNORECASE)
_ALTER_ADD = re.compile(r'^ALTER\s+TABLE\s+"?(\w+)"?\s+ADD\s+(?:COLUMN\s+)?"?(\w+)"?', re.IGNORECASE)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Migration:
    """One migration file."""

    module: str
    tier: str
    version: int
    name: str
    path: Path
    checksum: str
    up: str
    down: str | None

    @property
    def label(self) -> str:
        return f"{self.module}/{self.tier}/{self.path.name}"


@dataclass(frozen=True)
class AppliedMigration:
    """A ledger row."""

    module: str
    version: int
    name: str
    checksum: str
    applied_at: str
    duration_ms: float


# -- discovery ----------------------------------------------------------------------------------

def schema_roots() -> tuple[Path, ...]:
    """Where migration modules are found: the packaged ``schema/`` (in a wheel it sits inside the
    package; in a source checkout beside it), then each directory in ``CORTEXDB_SCHEMA_PATH``."""
    here = Path(__file__).resolve().parent
    packaged = here / "schema"
    roots = [packaged if packaged.is_dir() else here.parent / "schema"]
    extra = os.environ.get("CORTEXDB_SCHEMA_PATH", "")
    roots += [Path(p) for p in extra.split(os.pathsep) if p]
    return tuple(roots)


def split_file(text: str) -> tuple[str, str | None]:
    """Split a migration file into its forward SQL and its optional ``-- down`` section."""
    parts = _DOWN.split(text, maxsplit=1)
    down = parts[1].strip() if len(parts) == 2 else None
    return parts[0], (down or None)


@functools.lru_cache(maxsize=8)
def catalog(roots: tuple[Path, ...]) -> dict[tuple[str, str], tuple[Migration, ...]]:
    """Every migration file under ``roots``, keyed by (module, tier), in version order.

    Cached per process: the files ship with the package and do not change under a running one.
    """
    found: dict[tuple[str, str], list[Migration]] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for module_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "snapshot"):
            for tier in _sqlite.TIERS:
                for path in sorted((module_dir / tier).glob("*.sql")):
                    match = _FILE.match(path.name)
                    if not match:
                        raise MigrationError(f"{path}: migration files are named NNNN_lowercase_name.sql")
                    raw = path.read_bytes()
                    up, down = split_file(raw.decode("utf-8"))
                    found.setdefault((module_dir.name, tier), []).append(Migration(
                        module_dir.name, tier, int(match.group(1)), match.group(2), path,
                        hashlib.sha256(raw).hexdigest(), up, down))
    for key, items in found.items():
        versions = [m.version for m in items]
        if len(set(versions)) != len(versions):
            raise MigrationError(f"module {key[0]} tier {key[1]} has two migrations with the same number")
    return {key: tuple(sorted(items, key=lambda m: m.version)) for key, items in found.items()}


def reload() -> None:
    """Forget the cached migration catalog (after migration files change under a running process)."""
    catalog.cache_clear()
    expected_fingerprint.cache_clear()


def known_modules(roots: tuple[Path, ...]) -> set[str]:
    return {module for module, _tier in catalog(roots)} | set(BASE_MODULES)


def plan(roots: tuple[Path, ...], tier: str, modules: Sequence[str]) -> list[Migration]:
    """The migrations a tier should have, for ``modules`` in order."""
    cat = catalog(roots)
    return [m for module in modules for m in cat.get((module, tier), ())]


def fingerprint(entries: Iterable[tuple[str, int, str]]) -> int:
    """A nonzero 31-bit digest of (module, version, checksum) triples, for ``user_version``."""
    text = "\n".join(f"{m}:{v}:{c}" for m, v, c in sorted(entries))
    value = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) & 0x7FFFFFFF
    return value or 1


@functools.lru_cache(maxsize=64)
def expected_fingerprint(roots: tuple[Path, ...], tier: str, modules: tuple[str, ...]) -> int:
    return fingerprint((m.module, m.version, m.checksum) for m in plan(roots, tier, modules))


# -- statements ---------------------------------------------------------------------------------

def split_statements(sql: str) -> list[str]:
    """Split SQL text into complete statements, using SQLite's own notion of completeness
    (so semicolons inside strings and trigger bodies are kept)."""
    statements, start = [], 0
    for index, char in enumerate(sql):
        if char == ";" and apsw.complete(sql[start:index + 1]):
            statements.append(sql[start:index + 1])
            start = index + 1
    statements.append(sql[start:])
    return [s.strip() for s in statements if _strip_comments(s)]


def _strip_comments(statement: str) -> str:
    lines = [line for line in statement.splitlines() if not line.strip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";").strip()


def _run_statements(conn: apsw.Connection, migration: Migration, sql: str) -> None:
    """Run each statement; an ``ALTER TABLE .. ADD COLUMN`` whose column exists is skipped
    (seed 001's guarded ALTER), so stores that predate the ledger upgrade cleanly."""
    for statement in split_statements(sql):
        body = _strip_comments(statement)
        alter = _ALTER_ADD.match(body)
        if alter and conn.execute("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", alter.groups()).get:
            continue
        try:
            conn.execute(statement)
        except apsw.Error as error:
            raise MigrationError(
                f"migration {migration.label} failed at statement:\n  {body[:300]}\n{error}; "
                "it was rolled back and the store is at its previous version"
            ) from error


# -- one tier -----------------------------------------------------------------------------------

class TierMigrator:
    """Brings one tier file up to date, on a connection of its own where the tier is ``main``."""

    def __init__(self, path: Path, tier: str, *, roots: tuple[Path, ...], busy_ms: int, clock: Clock,
                 backups_dir: Path | None, keep_backups: int, readonly: bool = False) -> None:
        self.path, self.tier, self.roots, self.clock = path, tier, roots, clock
        self.backups_dir, self.keep_backups = backups_dir, keep_backups
        self.conn = _sqlite.connect(path, busy_ms=busy_ms, readonly=readonly)

    def close(self) -> None:
        self.conn.close()

    # ledger -----------------------------------------------------------------------------------
    def applied(self) -> dict[tuple[str, int], AppliedMigration]:
        if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (LEDGER,)).get:
            return {}
        rows = self.conn.execute(f"SELECT module, version, name, checksum, applied_at, duration_ms FROM {LEDGER}")
        return {(r[0], r[1]): AppliedMigration(*r) for r in rows}

    def claim(self) -> None:
        """Mark a new file as a cortexdb tier (application_id, WAL, ledger); refuse a foreign one."""
        conn = self.conn
        ours = _sqlite.refuse_foreign(conn, "main", self.path)
        if conn.execute("PRAGMA journal_mode").get != "wal":
            _sqlite.wal(conn, "main")
        if ours:
            return
        with _immediate(conn):
            found = conn.execute("PRAGMA application_id").get
            if found == 0:
                conn.execute(f"PRAGMA application_id = {_sqlite.APPLICATION_ID}")
                conn.execute(LEDGER_DDL)
            else:
                _sqlite.check_application_id(found, self.path)

    def check(self, modules: Sequence[str]) -> tuple[list[Migration], dict[tuple[str, int], AppliedMigration]]:
        """Return (pending, applied); raise on drift or on a ledger newer than the package."""
        applied = self.applied()
        cat = catalog(self.roots)
        for (module, version), row in applied.items():
            files = {m.version: m for m in cat.get((module, self.tier), ())}
            if module not in known_modules(self.roots) or version not in files:
                raise SchemaTooNewError(
                    f"{self.tier} has migration {module} {version:04d}_{row.name} applied, which this cortexdb "
                    "does not have: the store was written by a newer version. Upgrade cortexdb, or open with "
                    "readonly=True to read it"
                )
            if files[version].checksum != row.checksum:
                raise MigrationDriftError(
                    f"migration {files[version].label} changed after it was applied (module {module}, tier "
                    f"{self.tier}, file {files[version].path}); restore the file, or add a new migration instead"
                )
        pending = [m for m in plan(self.roots, self.tier, modules) if (m.module, m.version) not in applied]
        return pending, applied

    def upgrade(self, modules: Sequence[str], *, bootstrap: bool = True) -> list[Migration]:
        """Apply what is pending; return what this process applied (or stamped from the snapshot).

        ``bootstrap=False`` forces path A (every migration file) on a new tier.
        """
        self.claim()
        pending, applied = self.check(modules)
        done: list[Migration] = []
        if pending and applied and self.backups_dir is not None:
            backup_tier(self.conn, self.tier, self.backups_dir, self.clock, keep=self.keep_backups)
        if pending and not applied and bootstrap:
            done = self._bootstrap(modules)
            if done:
                pending, applied = self.check(modules)
        for migration in pending:
            if self._apply(migration):
                done.append(migration)
        self._stamp_fingerprint(modules)
        return done

    def _bootstrap(self, modules: Sequence[str]) -> list[Migration]:
        """Path B: create the schema from the snapshot and stamp the ledger, if the snapshot is
        current; return the migrations stamped (none if another process got there first)."""
        snapshot = read_snapshot(self.roots, self.tier)
        if snapshot is None or not set(BASE_MODULES) <= set(modules):
            return []
        stamped = plan(self.roots, self.tier, BASE_MODULES)
        with _immediate(self.conn):
            objects = self.conn.execute("SELECT count(*) FROM sqlite_master WHERE name NOT IN (?, ?)",
                                        (LEDGER, f"sqlite_autoindex_{LEDGER}_1")).get
            if self.applied() or objects:
                return []  # applied meanwhile, or a pre-ledger store: run the (idempotent) files
            for statement in split_statements(snapshot):
                self.conn.execute(statement)
            for migration in stamped:
                self._record(migration, 0.0)
        return stamped

    def _apply(self, migration: Migration) -> bool:
        with _immediate(self.conn):
            if self.conn.execute(f"SELECT 1 FROM {LEDGER} WHERE module = ? AND version = ?",
                                 (migration.module, migration.version)).get:
                return False  # another process applied it while we waited for the lock
            started = time.perf_counter()
            _run_statements(self.conn, migration, migration.up)
            self._record(migration, (time.perf_counter() - started) * 1000)
        return True

    def _record(self, migration: Migration, duration_ms: float) -> None:
        self.conn.execute(
            f"INSERT INTO {LEDGER} (module, version, name, checksum, applied_at, duration_ms) VALUES (?,?,?,?,?,?)",
            (migration.module, migration.version, migration.name, migration.checksum,
             to_timestamp(self.clock()), round(duration_ms, 3)))

    def _stamp_fingerprint(self, modules: Sequence[str]) -> None:
        with _immediate(self.conn):
            entries = [(a.module, a.version, a.checksum) for a in self.applied().values()]
            wanted = {(m.module, m.version) for m in plan(self.roots, self.tier, modules)}
            if wanted <= {(m, v) for m, v, _c in entries}:
                self.conn.execute(f"PRAGMA user_version = {fingerprint(entries)}")

    def rollback_last(self, module: str) -> AppliedMigration | None:
        """Reverse the newest applied migration of ``module`` in this tier with its down section."""
        with _immediate(self.conn):
            row = self.conn.execute(
                f"SELECT module, version, name, checksum, applied_at, duration_ms FROM {LEDGER} "
                "WHERE module = ? ORDER BY version DESC LIMIT 1", (module,)).fetchone()
            if row is None:
                return None
            last = AppliedMigration(*row)
            files = {m.version: m for m in catalog(self.roots).get((module, self.tier), ())}
            migration = files.get(last.version)
            if migration is None or migration.down is None:
                raise MigrationError(
                    f"migration {module}/{self.tier}/{last.version:04d}_{last.name} has no '-- down' section; "
                    "it cannot be rolled back. Restore the tier from backups/ instead")
            _run_statements(self.conn, migration, migration.down)
            self.conn.execute(f"DELETE FROM {LEDGER} WHERE module = ? AND version = ?", (module, last.version))
            self.conn.execute("PRAGMA user_version = 0")
        return last


class _immediate:
    """``BEGIN IMMEDIATE`` … COMMIT, rolled back on any error."""

    def __init__(self, conn: apsw.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, _value: object, _tb: object) -> None:
        self.conn.execute("ROLLBACK" if kind else "COMMIT")


# -- snapshots and backups ----------------------------------------------------------------------

SNAPSHOT_HEADER = "-- cortexdb schema snapshot; generated by scripts/dump_schema.py, do not edit\n-- fingerprint: {fp}\n"


def snapshot_path(roots: tuple[Path, ...], tier: str) -> Path:
    return roots[0] / "snapshot" / f"{tier}.sql"


def read_snapshot(roots: tuple[Path, ...], tier: str) -> str | None:
    """The snapshot SQL for ``tier``, or None if missing or generated from other files."""
    path = snapshot_path(roots, tier)
    if not path.is_file():
        return None
    text = path.read_text("utf-8")
    expected = SNAPSHOT_HEADER.format(fp=expected_fingerprint(roots, tier, BASE_MODULES))
    return text[len(expected):] if text.startswith(expected) else None


def dump_schema(conn: apsw.Connection, schema: str = "main") -> list[str]:
    """The CREATE statements of ``schema`` in creation order, without SQLite's internal and FTS
    shadow tables (the virtual table recreates those) and without the ledger; then the options of
    each FTS5 table set by migrations (``INSERT INTO t (t, rank) VALUES ('automerge', 8)``, kept
    in its ``t_config`` shadow table), so a store created from the snapshot gets them too."""
    shadow = {r[0] for r in conn.execute("SELECT name FROM pragma_table_list WHERE schema = ? AND type = 'shadow'", (schema,))}
    rows: list[tuple[str, str]] = conn.execute(  # type: ignore[assignment]  # apsw types rows as SQLite values
        f"SELECT name, sql FROM {schema}.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "ORDER BY rowid").fetchall()
    statements = [sql + ";" for name, sql in rows if name not in shadow and name != LEDGER]
    for name, _ in rows:
        if f"{name}_config" in shadow:  # an FTS5 table
            for key, value in conn.execute(f'SELECT k, v FROM {schema}."{name}_config" WHERE k <> \'version\' ORDER BY k'):
                literal = value if isinstance(value, (int, float)) else "'" + str(value).replace("'", "''") + "'"
                statements.append(f"INSERT INTO {name} ({name}, rank) VALUES ('{key}', {literal});")
    return statements


def normalized_schema(conn: apsw.Connection, schema: str = "main") -> list[tuple[str, str, str]]:
    """(type, name, sql with whitespace collapsed), sorted: equal for equal schemas."""
    rows = conn.execute(f"SELECT type, name, sql FROM {schema}.sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
    return [(t, n, " ".join((s or "").split())) for t, n, s in rows]


def backup_tier(source: apsw.Connection, tier: str, backups_dir: Path, clock: Clock, *, keep: int,
                schema: str = "main") -> Path:
    """Online backup of one tier into ``backups_dir``; keep the newest ``keep`` of that tier."""
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = to_timestamp(clock()).replace(" ", "T").replace(":", "").replace("-", "")
    target = backups_dir / f"{tier}-{stamp}-{os.getpid()}.db"
    copy_database(source, schema, target)
    old = sorted(backups_dir.glob(f"{tier}-*.db"), key=lambda p: (p.stat().st_mtime, p.name))
    for stale in old[:-keep] if keep > 0 else []:
        stale.unlink(missing_ok=True)
    return target


def copy_database(source: apsw.Connection, schema: str, target: Path) -> None:
    """Copy a live database with SQLite's online backup API, to a temp name then renamed."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    dest = apsw.Connection(str(partial))
    try:
        with dest.backup("main", source, schema) as job:
            job.step(-1)
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
    os.replace(partial, target)


def check_backup_tier(conn: apsw.Connection, backup: Path, tier: str) -> None:
    """Refuse a backup whose migration ledger belongs to another tier (or that has none).

    Each ledger row is matched by module, version and checksum against every tier's migration
    files; the tier asked for must match at least as many rows as any other tier.
    """
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (LEDGER,)).get:
        raise StoreFileError(f"{backup} has no migration ledger ({LEDGER}); it is not a cortexdb tier backup")
    applied = set(conn.execute(f"SELECT module, version, checksum FROM {LEDGER}").fetchall())
    matches = {t: sum((m.module, m.version, m.checksum) in applied
                      for (_, mt), items in catalog(schema_roots()).items() if mt == t for m in items)
               for t in _sqlite.TIERS}
    best = max(matches, key=lambda t: matches[t])
    if not applied or matches[tier] < matches[best]:
        owner = f"; it holds {best}'s schema, so restore it as {best}" if matches[best] else ""
        raise StoreFileError(f"{backup} is not a backup of {tier}{owner}. Nothing was replaced")


@public_function
def restore_backup(backup: str | os.PathLike[str], home: str | os.PathLike[str], tier: str) -> Path:
    """Replace a tier file with a backup of that tier. The store must be closed in every process."""
    backup, home = Path(backup).expanduser(), Path(home).expanduser()
    if tier not in _sqlite.TIERS:
        raise ValidationError("tier", f"{tier!r} is not one of {', '.join(_sqlite.TIERS)}")
    if _sqlite.inspect_file(backup):
        raise StoreFileError(f"{backup} is empty or missing; nothing to restore")
    target = home / f"{tier}.db"
    conn = apsw.Connection(str(backup), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        _sqlite.check_application_id(conn.execute("PRAGMA application_id").get, backup)
        check_backup_tier(conn, backup, tier)
        copy_database(conn, "main", target.with_name(target.name + ".restore"))
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(target.with_name(target.name + ".restore"), target)
    return target


def validate_name(kind: str, value: str) -> str:
    if not _NAME.match(value):
        raise ValidationError(kind, f"{value!r} must be lowercase letters, digits and _ , starting with a letter")
    return value
