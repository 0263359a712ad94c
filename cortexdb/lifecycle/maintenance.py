"""Maintenance runs, recorded in ``tier3.maintenance_runs``.

Levels (seed 001's ``maintenance_runs.tier``) are cumulative:

- ``tier1``: ``ANALYZE``, ``PRAGMA optimize``, WAL checkpoint (TRUNCATE): cheap, any time;
- ``tier2``: the above, then FTS5 ``optimize`` and ``integrity-check`` on every FTS table, and
  ``PRAGMA quick_check`` of every file;
- ``tier3``: the above, then ``VACUUM`` of every file and ``REINDEX``.

Each run measures, across the tier files it touches, fragmentation (free pages / pages), size
(database + WAL, MB) and the time of a fixed probe query, before and after; it stores the space
reclaimed and the speedup (before / after probe time). Status goes ``running`` (committed first,
so a crash leaves a visible row) to ``success``, or ``failed`` with the error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import apsw

from .._boundary import public_api
from .._json import dumps
from .._sqlite import TIERS
from ..errors import CortexError, ValidationError, translate, wrap_apsw
from ..memory._common import limit as limit_value

if TYPE_CHECKING:
    from ..store import Store

Progress = Callable[[int, int], None] | None
LEVELS = {
    "tier1": ("analyze", "optimize", "wal_checkpoint"),
    "tier2": ("analyze", "optimize", "wal_checkpoint", "fts_optimize", "fts_integrity", "quick_check"),
    "tier3": ("analyze", "optimize", "wal_checkpoint", "fts_optimize", "fts_integrity", "quick_check", "vacuum", "reindex"),
}
PROBE = (
    "SELECT count(*), max(m.id) FROM tier1.conversations c JOIN tier1.messages m ON m.conversation_id = c.conversation_id "
    "WHERE c.archived = 0",
    "SELECT count(*) FROM tier1.conversation_actions WHERE session_id >= '' AND turn_number > 0",
    "SELECT count(*) FROM tier3.archived_messages",
    "SELECT count(*) FROM tier2.provenance_links WHERE source_type = 'conversation'",
    "SELECT count(*), max(e.confidence) FROM tier2.graph_relations r JOIN tier2.graph_entities e ON e.id = r.target_id "
    "WHERE r.valid_to IS NULL AND r.source_id >= 0",
)
"""The fixed probe: a join and index scans across the tiers, timed (best of 3) before and after."""


@dataclass(frozen=True)
class MaintenanceResult:
    """One maintenance run as recorded."""

    id: int
    tier: str
    operations: list[str]
    status: str
    fragmentation_before: float
    fragmentation_after: float | None
    size_before_mb: float
    size_after_mb: float | None
    space_reclaimed_mb: float | None
    query_time_before_ms: float
    query_time_after_ms: float | None
    speedup: float | None
    error: str | None = None


def fts_tables(store: Store, schemas: Sequence[str] = TIERS) -> list[tuple[str, str]]:
    """(schema, name) of every FTS5 table in the tier files."""
    out = []
    for schema in schemas:
        for (name,) in store.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
                                     "AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'"):
            out.append((schema, name))
    return out


def file_stats(store: Store, schemas: Sequence[str] = TIERS) -> tuple[float, float]:
    """(fragmentation = free pages / pages, size in MB of the files and their WALs)."""
    free = pages = 0
    size = 0
    for schema in schemas:
        pages += store.execute(f"PRAGMA {schema}.page_count")[0][0]
        free += store.execute(f"PRAGMA {schema}.freelist_count")[0][0]
        for suffix in ("", "-wal"):
            path = Path(str(store.home / f"{schema}.db") + suffix)
            size += path.stat().st_size if path.exists() else 0
    return (free / pages if pages else 0.0), size / 1_048_576


def probe(store: Store) -> float:
    """Milliseconds of the fixed probe query set (best of three)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for sql in PROBE:
            store.execute(sql)
        best = min(best, time.perf_counter() - started)
    return best * 1000


@public_api
class Maintenance:
    """``db.maintenance``: run a maintenance level and list past runs."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def run(self, *, tier: str = "tier1", files: Sequence[str] = TIERS, progress: Progress = None) -> MaintenanceResult:
        """Run maintenance level ``tier`` (tier1|tier2|tier3) over the tier ``files``; see the
        module docstring. Raises the error after recording the run as ``failed``."""
        store = self._store
        store.require_writable()
        if tier not in LEVELS:
            raise ValidationError("tier", f"must be one of {', '.join(LEVELS)}")
        for schema in files:
            if schema not in TIERS:
                raise ValidationError("files", f"{schema!r} is not one of {', '.join(TIERS)}")
        operations = list(LEVELS[tier])
        frag_before, size_before = file_stats(store, files)
        time_before = probe(store)
        with store.transaction():
            store.execute("INSERT INTO tier3.maintenance_runs (started_at, tier, operations, fragmentation_before, size_before_mb, "
                          "query_time_before_ms, status) VALUES (?, ?, ?, ?, ?, ?, 'running')",
                          (store.timestamp(), tier, dumps(operations), frag_before, size_before, time_before))
            run_id = store.conn.last_insert_rowid()
        try:
            for index, operation in enumerate(operations):
                getattr(self, "_" + operation)(files)
                if progress:
                    progress(index + 1, len(operations))
        except (CortexError, apsw.Error) as error:
            failure = translate(error) if isinstance(error, apsw.Error) else error
            with store.transaction():
                store.execute("UPDATE tier3.maintenance_runs SET status = 'failed', error_message = ?, completed_at = ? "
                              "WHERE id = ?", (str(failure), store.timestamp(), run_id))
            if failure is error:
                raise
            raise failure from error
        frag_after, size_after = file_stats(store, files)
        time_after = probe(store)
        speedup = time_before / time_after if time_after else None
        reclaimed = max(0.0, size_before - size_after)
        with store.transaction():
            store.execute("UPDATE tier3.maintenance_runs SET completed_at = ?, fragmentation_after = ?, size_after_mb = ?, "
                          "space_reclaimed_mb = ?, query_time_after_ms = ?, speedup = ?, status = 'success' WHERE id = ?",
                          (store.timestamp(), frag_after, size_after, reclaimed, time_after, speedup, run_id))
        return MaintenanceResult(run_id, tier, operations, "success", frag_before, frag_after, size_before, size_after,
                                 reclaimed, time_before, time_after, speedup)

    def runs(self, *, limit: int = 20) -> list[dict[str, Any]]:
        """Recent runs, newest first."""
        from .archive import dict_rows

        return dict_rows(self._store, "SELECT * FROM tier3.maintenance_runs ORDER BY id DESC LIMIT ?", (limit_value(limit),))

    # -- operations (outside any transaction) ---------------------------------------------------------
    def _exec(self, sql: str) -> list[Any]:
        with self._store._lock, wrap_apsw():
            return self._store.conn.execute(sql).fetchall()

    def _analyze(self, files: Sequence[str]) -> None:
        for schema in files:
            self._exec(f"ANALYZE {schema}")

    def _optimize(self, files: Sequence[str]) -> None:
        for schema in files:
            self._exec(f"PRAGMA {schema}.optimize")

    def _wal_checkpoint(self, files: Sequence[str]) -> None:
        for schema in files:
            self._exec(f"PRAGMA {schema}.wal_checkpoint(TRUNCATE)")

    def _fts_optimize(self, files: Sequence[str]) -> None:
        for schema, name in fts_tables(self._store, files):
            with self._store.transaction():
                self._store.execute(f'INSERT INTO {schema}."{name}"("{name}") VALUES (\'optimize\')')

    def _fts_integrity(self, files: Sequence[str]) -> None:
        for schema, name in fts_tables(self._store, files):
            try:
                self._exec(f'INSERT INTO {schema}."{name}"("{name}", rank) VALUES (\'integrity-check\', 1)')
            except CortexError as error:
                raise CortexError(f"FTS index {schema}.{name} failed its integrity check ({error}); "
                                  "run `cortexdb health --fix` to rebuild it") from error

    def _quick_check(self, files: Sequence[str]) -> None:
        for schema in files:
            result = self._exec(f"PRAGMA {schema}.quick_check")
            if result != [("ok",)]:
                raise CortexError(f"{schema} failed quick_check: {result[:3]}; restore it from backups/")

    def _vacuum(self, files: Sequence[str]) -> None:
        for schema in files:
            self._exec(f"VACUUM {schema}")

    def _reindex(self, files: Sequence[str]) -> None:
        self._exec("REINDEX")
