"""Crash-safe archival between a live tier (1 or 2) and the tier-3 archive, and back.

In WAL mode a transaction over ATTACHed files is atomic per file only, so a move is a
resumable protocol (ARCHITECTURE.md section 1), each step its own transaction:

1. *plan*: an ``archival_operations`` row (state ``planned``) and the root keys it moves, in tier 3;
2. *copy*: ``INSERT OR IGNORE`` every row of the group into the destination on its stable key,
   and state ``copied`` (with the row count and time range), in one destination transaction.
   When archiving, the destination is tier 3 itself, so steps 1 and 2 share one transaction;
   a restore commits step 1 in tier 3 before copying into the live tier;
3. *verify + delete*: in one source transaction, check that every source row has its copy, then
   delete the source rows (rows that appeared since the copy send the protocol back to step 2);
4. *finish*: counts, time range, space freed, state ``done`` / status ``success``.

A process killed anywhere leaves an operation that :meth:`Archive.resume` (run first by
:meth:`Archive.run`) completes: every step is idempotent, so no row is lost or duplicated.
Cold-storage bundles (export / verify / import / mount) live in :mod:`.coldstore`.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._boundary import public_api
from ..errors import ArchiveError, NotFoundError, ValidationError, wrap_apsw
from ..memory._common import integer
from ..memory._common import limit as limit_value
from .groups import GROUPS, RESTORE_VALUES, ArchiveGroup, get_group

if TYPE_CHECKING:
    from ..store import Store
    from .coldstore import BundleInfo, ColdStore, ImportResult, VerifyReport

def dict_rows(store: Store, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
    """Run internal SQL and return rows as dicts (column names from the statement)."""
    def as_dict(cursor: Any, row: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip([d[0] for d in cursor.get_description()], row, strict=False))

    with wrap_apsw():
        cursor = store.conn.cursor()
        cursor.row_trace = as_dict
        return list(cursor.execute(sql, params))


Progress = Callable[[int, int], None] | None
KEYS = "tier3.archival_operation_keys"
OPS = "tier3.archival_operations"
ARCHIVE_META = ("archived_at", "archive_op_id")
LARGE_ARCHIVE = 100
"""Root rows an archive run must move (and a tenth of its group) before it compacts FTS5 indexes."""


@dataclass(frozen=True)
class Operation:
    """One archival operation as recorded in ``tier3.archival_operations``."""

    id: int
    op_key: str
    group: str
    kind: str
    state: str
    status: str
    source_tier: str
    destination_tier: str
    records: int
    started_at: str
    completed_at: str | None
    error: str | None


@dataclass(frozen=True)
class MoveResult:
    """What one call moved: operations run, root keys moved, rows moved (all tables)."""

    operations: list[int]
    keys: int
    rows: int
    resumed: int = 0


@public_api
class Archive:
    """``db.archive``: move groups of rows to tier 3 and back, list and read them, resume
    interrupted moves, and ship the archive to cold storage."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._columns: dict[tuple[str, str], list[str]] = {}

    # -- moving -------------------------------------------------------------------------------------
    def move(self, group: str, keys: Iterable[Any], *, batch_size: int = 1000, progress: Progress = None) -> MoveResult:
        """Archive the rows of ``group`` whose root keys are ``keys`` (with their children).

        Keys already archived, or not present in the live tier, are skipped. Runs one operation
        per ``batch_size`` roots.
        """
        return self._run_kind(get_group(group), list(keys), "archive", batch_size, progress)

    def restore(self, group: str, keys: Iterable[Any], *, batch_size: int = 1000, progress: Progress = None) -> MoveResult:
        """Bring archived rows of ``group`` back to their live tier, by root key, through the same
        resumable protocol in the other direction."""
        return self._run_kind(get_group(group), list(keys), "restore", batch_size, progress)

    def run(self, *, progress: Progress = None) -> dict[str, Any]:
        """Resume interrupted operations, then archive what the retention policies say to
        (the tier-1 conversation cap and every ``archive`` policy) and the graph nodes that
        decay marked archived but that are still live. Returns a summary."""
        resumed = self.resume(progress=progress)
        report = self._store.retention.apply(actions=("archive", "capacity"), progress=progress)
        graph_nodes = self._store.graph.archive_decayed()
        return {"resumed": resumed, "retention": report, "graph_nodes": graph_nodes}

    def resume(self, *, progress: Progress = None) -> int:
        """Complete every operation left unfinished by a crash; returns how many were resumed."""
        self._store.require_writable()
        pending = self._store.execute(f"SELECT id FROM {OPS} WHERE state IN ('planned', 'copied') ORDER BY id")
        for index, (op_id,) in enumerate(pending):
            self._drive(op_id)
            if progress:
                progress(index + 1, len(pending))
        return len(pending)

    def _run_kind(self, group: ArchiveGroup, keys: builtins.list[Any], kind: str, batch_size: int, progress: Progress) -> MoveResult:
        self._store.require_writable()
        integer("batch_size", batch_size, minimum=1)
        resumed = self.resume()
        ops, moved_keys, rows = [], 0, 0
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), batch_size):
            batch = keys[start:start + batch_size]
            op_id = self._plan(group, batch, kind)
            if op_id is not None:
                rows += self._drive(op_id)
                ops.append(op_id)
                moved_keys += self._store.execute(f"SELECT count(*) FROM {KEYS} WHERE op_id = ?", (op_id,))[0][0]
            if progress:
                progress(min(start + batch_size, len(keys)), len(keys))
        if kind == "archive" and moved_keys:
            self._compact_search_indexes(group, moved_keys)
        return MoveResult(ops, moved_keys, rows, resumed)

    def _compact_search_indexes(self, group: ArchiveGroup, moved: int) -> None:
        """After a large archive run, merge the source tier's FTS5 indexes into one segment each.

        FTS5 records a deletion as a marker in a new segment; the space of deleted entries comes
        back only when segments merge, so archiving 40% of the messages left the index larger.
        'optimize' rewrites each index without them; it reads the whole index, so it runs only
        when the run moved at least LARGE_ARCHIVE roots and a tenth of what the group held.
        """
        store = self._store
        remaining = store.execute(f"SELECT count(*) FROM {group.tier}.{group.table}")[0][0]
        if moved < LARGE_ARCHIVE or moved * 10 < moved + remaining:
            return
        indexes = [r[0] for r in store.execute(
            f"SELECT name FROM {group.tier}.sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'")]
        for name in indexes:
            with store.transaction():
                store.execute(f'INSERT INTO {group.tier}."{name}" ("{name}") VALUES (\'optimize\')')

    # -- the protocol ---------------------------------------------------------------------------------
    def _sides(self, group: ArchiveGroup, kind: str) -> tuple[str, str, list[tuple[str, str, str | tuple[str, ...]]]]:
        """(source schema, destination schema, [(source table, destination table, key)])."""
        if kind == "archive":
            return group.tier, "tier3", group.tables()
        return "tier3", group.tier, [(a, t, k) for t, a, k in group.tables()]

    def _plan(self, group: ArchiveGroup, keys: Sequence[Any], kind: str) -> int | None:
        """Step 1: record the operation and the root keys present at the source and absent at
        the destination (a key on both sides is never overwritten)."""
        src, dst, tables = self._sides(group, kind)
        root_src, root_dst, key = tables[0]
        store = self._store
        with store.transaction():
            store.execute("CREATE TEMP TABLE IF NOT EXISTS lifecycle_keys (k PRIMARY KEY) WITHOUT ROWID")
            store.execute("DELETE FROM temp.lifecycle_keys")
            store.conn.executemany("INSERT OR IGNORE INTO temp.lifecycle_keys VALUES (?)", [(k,) for k in keys])
            wanted = [r[0] for r in store.execute(
                # CROSS JOIN keeps the few keys outside: the planner otherwise scans every root row
                f"SELECT s.{key} FROM temp.lifecycle_keys t CROSS JOIN {src}.{root_src} s ON s.{key} = t.k "
                f"WHERE NOT EXISTS (SELECT 1 FROM {dst}.{root_dst} d WHERE d.{key} = s.{key})")]
            if kind == "restore" and group.unique and wanted:
                clash = self._conflicts(group, f"a.{key} IN (SELECT k FROM temp.lifecycle_keys)", {})
                if clash:
                    store.execute("DELETE FROM temp.lifecycle_keys")
                    shown = "; ".join(f"{row[0]} ({', '.join(map(str, row[1:]))})" for row in clash)
                    raise ArchiveError(
                        f"cannot restore {group.name}: a live row already holds the unique values of archived {shown}; "
                        "rename or delete the live row first (nothing was restored)")
            store.execute("DELETE FROM temp.lifecycle_keys")
            if not wanted:
                return None
            store.execute(
                f"INSERT INTO {OPS} (started_at, source_tier, destination_tier, records_archived, compression_enabled, "
                "status, op_key, group_name, kind, state) VALUES (?, ?, ?, 0, 0, 'running', ?, ?, ?, 'planned')",
                (store.timestamp(), src, dst, str(uuid.uuid4()), group.name, kind))
            op_id = store.conn.last_insert_rowid()
            store.conn.executemany(f"INSERT OR IGNORE INTO {KEYS} (op_id, root_key) VALUES (?, ?)",
                                   [(op_id, k) for k in wanted])
            if kind == "archive":  # destination is tier 3 too: record and copy in one transaction
                self._copy(group, kind, op_id)
        return op_id

    def _selector(self, group: ArchiveGroup, kind: str, index: int, schema: str, alias: str) -> str:
        """SQL condition choosing, in ``schema``, the rows of table ``index`` that op ``:op`` moves."""
        _src, _dst, tables = self._sides(group, kind)
        side = 0 if schema == _src else 1
        root_table = tables[0][side]
        keys = f"(SELECT root_key FROM {KEYS} WHERE op_id = :op)"
        if index == 0:
            return f"{alias}.{group.key} IN {keys}"
        child = group.children[index - 1]
        if child.refs:
            live = f"{group.tier}.{group.table}"
            if schema == group.tier:  # live rows pointing at a moved root by any ref
                ids = f"(SELECT r.{group.local_id} FROM {live} r WHERE r.{group.key} IN {keys})"
                return "(" + " OR ".join(f"{alias}.{col} IN {ids}" for col, _ in child.refs) + ")"
            # archived rows of a moved root whose every ref resolves (moved now or already live)
            anyof = " OR ".join(f"{alias}.{stable} IN {keys}" for _, stable in child.refs)
            every = " AND ".join(f"({alias}.{stable} IN {keys} OR EXISTS (SELECT 1 FROM {live} r "
                                 f"WHERE r.{group.key} = {alias}.{stable}))" for _, stable in child.refs)
            return f"({anyof}) AND {every}"
        return (f"{alias}.{child.link} IN (SELECT r.{child.root_link} FROM {schema}.{root_table} r "
                f"WHERE r.{group.key} IN {keys})")

    def _match(self, group: ArchiveGroup, kind: str, index: int) -> str:
        """SQL condition: destination row ``d`` is the copy of source row ``s`` (table ``index``)."""
        if index == 0:
            return f"d.{group.key} = s.{group.key}"
        child = group.children[index - 1]
        refs = dict(child.refs)
        live = f"{group.tier}.{group.table}"
        parts = []
        for col in child.key_columns:
            if col not in refs:
                parts.append(f"d.{col} = s.{col}")
            elif kind == "archive":  # s live, d archived: compare the root's stable key
                parts.append(f"d.{refs[col]} = (SELECT r.{group.key} FROM {live} r WHERE r.{group.local_id} = s.{col})")
            else:  # s archived, d live: map the stable key to the root's live id
                parts.append(f"d.{col} = (SELECT r.{group.local_id} FROM {live} r WHERE r.{group.key} = s.{refs[col]})")
        return " AND ".join(parts)

    def _copy_columns(self, group: ArchiveGroup, kind: str, index: int) -> tuple[list[str], list[str], str]:
        """Columns to write at the destination, the SELECT expression for each (parameters
        ``:now`` and ``:op``), and an ORDER BY clause (may be empty)."""
        src, dst, tables = self._sides(group, kind)
        src_table, dst_table, _key = tables[index]
        child = group.children[index - 1] if index else None
        refs = dict(child.refs) if child else {}
        src_cols = self._table_columns(src, src_table)
        dst_cols = self._table_columns(dst, dst_table)
        live = f"{group.tier}.{group.table}"
        order = ""
        if kind == "archive":
            missing = [c for c in src_cols + list(refs.values()) if c not in dst_cols]
            if missing:
                raise ArchiveError(
                    f"{dst}.{dst_table} lacks column(s) {', '.join(missing)} of {src}.{src_table}; add them to the archive "
                    "table with a tier-3 migration before archiving (nothing was moved)")
            cols = list(src_cols)
            exprs = [f"s.{c}" for c in cols]
            for col, stable in refs.items():  # the archive keeps the root's stable key beside its local id
                cols.append(stable)
                exprs.append(f"(SELECT r.{group.key} FROM {live} r WHERE r.{group.local_id} = s.{col})")
        else:
            fresh = child.fresh_id if child else None
            cols = [c for c in dst_cols if c in src_cols and c != fresh]
            exprs = [f"s.{c}" for c in cols]
            for i, col in enumerate(cols):
                if col in refs:
                    exprs[i] = f"(SELECT r.{group.local_id} FROM {live} r WHERE r.{group.key} = s.{refs[col]})"
            if fresh:
                order = f" ORDER BY s.{fresh}"
            if index == 0 and group.local_id and group.local_id in cols:
                # keep the archived local id when it is free (and no other root of this op claims
                # it), else let SQLite assign one; rows keeping theirs are inserted first, so an
                # assigned id (max + 1) never takes an id a later row keeps
                lid, key = group.local_id, group.key
                keep = (f"(NOT EXISTS (SELECT 1 FROM {live} x WHERE x.{lid} = s.{lid}) AND s.{key} = "
                        f"(SELECT min(a.{key}) FROM {src}.{src_table} a WHERE a.{lid} = s.{lid} AND "
                        f"a.{key} IN (SELECT root_key FROM {KEYS} WHERE op_id = :op)))")
                exprs[cols.index(lid)] = f"CASE WHEN {keep} THEN s.{lid} END"
                order = f" ORDER BY {keep} DESC, s.{lid}"
            if index == 0:
                for col, value in group.restore_set:
                    if col in cols:
                        exprs[cols.index(col)] = RESTORE_VALUES[value]
        if group.flag_column and index == 0 and group.flag_column in cols:
            exprs[cols.index(group.flag_column)] = "1" if kind == "archive" else "0"
        if kind == "archive":
            for meta, expr in zip(ARCHIVE_META, (":now", ":op"), strict=False):
                if meta in cols:  # the live table has a column of that name (graph_entities.archived_at)
                    exprs[cols.index(meta)] = f"coalesce(s.{meta}, {expr})"
                else:
                    cols.append(meta)
                    exprs.append(expr)
        return cols, exprs, order

    def _drive(self, op_id: int) -> int:
        """Run an operation from its recorded state to ``done``; returns rows at the destination."""
        store = self._store
        row = store.execute(f"SELECT group_name, kind, state FROM {OPS} WHERE id = ?", (op_id,))
        if not row:
            raise NotFoundError(f"no archival operation {op_id}")
        name, kind, state = row[0]
        if name not in GROUPS:
            raise ArchiveError(f"operation {op_id} moves group {name!r}, which this cortexdb does not know; "
                               "open the store with the module that registers it to resume")
        group = GROUPS[name]
        for _attempt in range(5):
            if state == "planned":
                self._copy(group, kind, op_id)
                state = "copied"
            if state == "copied":
                freed = self._verify_and_delete(group, kind, op_id)
                if freed is not None:
                    return self._finish(group, kind, op_id, freed)
                state = "planned"  # rows appeared after the copy: copy again
            elif state in ("done", "failed"):
                return 0
        raise ArchiveError(f"operation {op_id} could not settle (rows kept changing); it stays resumable: run it again")

    def _conflicts(self, group: ArchiveGroup, where: str, params: dict[str, Any]) -> builtins.list[tuple[Any, ...]]:
        """Archived roots (chosen by ``where`` over alias ``a``) whose ``unique`` values a different
        live row holds: (key, *values) of the first few."""
        found: builtins.list[tuple[Any, ...]] = []
        for cols in group.unique:
            same = " AND ".join(f"x.{c} = a.{c}" for c in cols)
            found += self._store.execute(
                f"SELECT a.{group.key}, {', '.join('a.' + c for c in cols)} FROM tier3.{group.archive_table} a "
                f"WHERE {where} AND EXISTS (SELECT 1 FROM {group.tier}.{group.table} x WHERE {same} "
                f"AND x.{group.key} <> a.{group.key}) LIMIT 5", params)
        return found

    def _copy(self, group: ArchiveGroup, kind: str, op_id: int) -> None:
        """Step 2, one destination transaction: INSERT OR IGNORE each table, then state copied
        with the rows copied so far and the root rows' time range."""
        store = self._store
        src, dst, tables = self._sides(group, kind)
        params = {"now": store.timestamp(), "op": op_id}
        with store.transaction():
            if kind == "restore" and group.unique:
                # a live row took a root's unique values after planning: leave that root archived
                for row in self._conflicts(group, f"a.{group.key} IN (SELECT root_key FROM {KEYS} WHERE op_id = :op)",
                                           params):
                    store.execute(f"DELETE FROM {KEYS} WHERE op_id = ? AND root_key = ?", (op_id, row[0]))
            if kind == "restore":
                for statement in group.restore_first:
                    store.execute(statement, params)
            copied = 0
            for index, (src_table, dst_table, _key) in enumerate(tables):
                cols, exprs, order = self._copy_columns(group, kind, index)
                store.execute(
                    f"INSERT OR IGNORE INTO {dst}.{dst_table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
                    f"FROM {src}.{src_table} s WHERE {self._selector(group, kind, index, src, 's')}{order}", params)
                copied += store.conn.changes()
            oldest = newest = None
            if group.time_column:
                oldest, newest = store.execute(
                    f"SELECT min(s.{group.time_column}), max(s.{group.time_column}) FROM {src}.{tables[0][0]} s "
                    f"WHERE {self._selector(group, kind, 0, src, 's')}", params)[0]
            store.execute(f"UPDATE {OPS} SET state = 'copied', records_archived = records_archived + ?, "
                          "oldest_record_at = coalesce(?, oldest_record_at), newest_record_at = coalesce(?, newest_record_at) "
                          "WHERE id = ?", (copied, oldest, newest, op_id))

    def _missing(self, group: ArchiveGroup, kind: str, op_id: int) -> int:
        """Source rows of the operation that have no copy at the destination."""
        src, dst, tables = self._sides(group, kind)
        total = 0
        for index, (src_table, dst_table, _key) in enumerate(tables):
            total += self._store.execute(
                f"SELECT count(*) FROM {src}.{src_table} s WHERE {self._selector(group, kind, index, src, 's')} "
                f"AND NOT EXISTS (SELECT 1 FROM {dst}.{dst_table} d WHERE {self._match(group, kind, index)})",
                {"op": op_id})[0][0]
        return total

    def _verify_and_delete(self, group: ArchiveGroup, kind: str, op_id: int) -> float | None:
        """Step 3, one source transaction: verify every row has its copy, then delete the source
        rows (children first). Returns the MB of pages freed in the source file, or None,
        deleting nothing, if a row lacks its copy."""
        store = self._store
        src, _dst, tables = self._sides(group, kind)
        with store.transaction():
            if self._missing(group, kind, op_id):
                return None
            free_before = store.execute(f"PRAGMA {src}.freelist_count")[0][0]
            for index in range(len(tables) - 1, -1, -1):
                src_table = tables[index][0]
                store.execute(f"DELETE FROM {src}.{src_table} WHERE {self._selector(group, kind, index, src, src + '.' + src_table)}",
                              {"op": op_id})
            pages = store.execute(f"PRAGMA {src}.freelist_count")[0][0] - free_before
            page_size = store.execute(f"PRAGMA {src}.page_size")[0][0]
        return max(0, pages) * page_size / 1_048_576

    def _finish(self, group: ArchiveGroup, kind: str, op_id: int, freed_mb: float) -> int:
        """Step 4, tier 3: state done and the space freed at the source (counts and time range
        were recorded with the copy)."""
        store = self._store
        with store.transaction():
            store.execute(f"UPDATE {OPS} SET state = 'done', status = 'success', completed_at = ?, "
                          "space_freed_mb = coalesce(space_freed_mb, 0) + ? WHERE id = ? AND state <> 'done'",
                          (store.timestamp(), freed_mb, op_id))
            return int(store.execute(f"SELECT records_archived FROM {OPS} WHERE id = ?", (op_id,))[0][0])

    def _table_columns(self, schema: str, table: str) -> builtins.list[str]:
        cached = self._columns.get((schema, table))
        if cached is None:
            cached = [r[1] for r in self._store.execute(f"PRAGMA {schema}.table_info({table})")]
            if not cached:
                raise ArchiveError(f"{schema}.{table} does not exist; is the module that creates it installed?")
            self._columns[(schema, table)] = cached
        return cached

    # -- reading --------------------------------------------------------------------------------------
    def operations(self, *, state: str | None = None, limit: int = 100) -> builtins.list[Operation]:
        """Recent archival operations, newest first (``state='planned'|'copied'`` = interrupted)."""
        sql = (f"SELECT id, op_key, group_name, kind, state, status, source_tier, destination_tier, records_archived, "
               f"started_at, completed_at, error_message FROM {OPS}")
        params: builtins.list[Any] = []
        if state is not None:
            sql += " WHERE state = ?"
            params.append(state)
        rows = self._store.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit_value(limit)])
        return [Operation(*r) for r in rows]

    def interrupted(self) -> builtins.list[Operation]:
        """Operations a crash left unfinished (the health review reports them)."""
        return [op for op in self.operations(limit=10_000) if op.state in ("planned", "copied")]

    def list(self, group: str = "conversations", *, limit: int = 100, offset: int = 0,
             include_live: bool = False) -> builtins.list[dict[str, Any]]:
        """Root rows of ``group`` in the archive (each with ``archived=True``), newest first by
        the group's time column; ``include_live`` adds the live tier's rows (``archived=False``)."""
        g = get_group(group)
        order = f"ORDER BY {g.time_column} DESC" if g.time_column else f"ORDER BY {g.key}"
        rows = [dict(r, archived=True) for r in self._dicts(f"SELECT * FROM tier3.{g.archive_table} {order} LIMIT ? OFFSET ?",
                                                            (int(limit), int(offset)))]
        if include_live:
            rows += [dict(r, archived=False) for r in self._dicts(f"SELECT * FROM {g.tier}.{g.table} {order} LIMIT ? OFFSET ?",
                                                                  (int(limit), int(offset)))]
        return rows

    def get(self, group: str, key: Any, *, include_live: bool = True) -> dict[str, Any]:
        """A group's root row and its children by table, from the live tier if there (and
        ``include_live``), else from the archive; ``archived`` says which."""
        g = get_group(group)
        places = ([(g.tier, False)] if include_live else []) + [("tier3", True)]
        for schema, archived in places:
            root_table = g.archive_table if archived else g.table
            root = self._dicts(f"SELECT * FROM {schema}.{root_table} WHERE {g.key} = ?", (key,))
            if not root:
                continue
            out: dict[str, Any] = {"archived": archived, "root": root[0], "children": {}}
            for child in g.children:
                table = child.archive_table if archived else child.table
                order = ", ".join(child.key_columns)
                if child.refs:
                    cols = [stable if archived else col for col, stable in child.refs]
                    value = root[0][g.key] if archived else root[0][str(g.local_id)]
                    out["children"][child.table] = self._dicts(
                        f"SELECT * FROM {schema}.{table} WHERE {' OR '.join(f'{c} = :v' for c in cols)} ORDER BY {order}",
                        {"v": value})
                    continue
                out["children"][child.table] = self._dicts(
                    f"SELECT * FROM {schema}.{table} WHERE {child.link} = ? ORDER BY {order}", (root[0][child.root_link],))
            return out
        raise NotFoundError(f"no {group} row with key {key!r} in the live tier or the archive")

    def search(self, text: str, *, limit: int = 50) -> builtins.list[dict[str, Any]]:
        """Archived messages containing ``text`` (case-insensitive substring), newest first."""
        if not isinstance(text, str) or not text:
            raise ValidationError("text", "must be a non-empty string")
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return self._dicts("SELECT * FROM tier3.archived_messages WHERE content LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?",
                           (pattern, limit_value(limit)))

    def _dicts(self, sql: str, params: Sequence[Any] | dict[str, Any]) -> builtins.list[dict[str, Any]]:
        return dict_rows(self._store, sql, params)

    # -- cold storage (see coldstore.py) -------------------------------------------------------------
    def export(self, name: str | None = None, *, tables: Sequence[str] | None = None, format: str = "jsonl",
               cold_store: ColdStore | None = None, purge: bool = False, reclaim: bool = False,
               progress: Progress = None) -> BundleInfo:
        """Write tier-3 tables (default all) into a verified cold-storage bundle (see :mod:`.coldstore`).

        ``purge`` then deletes exactly the exported rows; ``reclaim`` also VACUUMs the files they
        left, giving the space back to the disk.
        """
        from .coldstore import export_bundle, resolve_sources

        if purge:
            self._store.require_writable()
        info = export_bundle(self._store, name, tables=tables, format=format, cold_store=cold_store, progress=progress,
                             purge=purge)
        if purge and reclaim:
            files = sorted({s.schema for s in resolve_sources(self._store, tables)})
            self._store.maintenance.run(tier="tier3", files=files)
        return info

    def verify(self, bundle: str | Path, *, progress: Progress = None) -> VerifyReport:
        """Check a bundle's checksums, row counts and lines; ``ok`` False names the first problem."""
        from .coldstore import verify_bundle

        return verify_bundle(Path(bundle), progress=progress)

    def import_bundle(self, bundle: str | Path, *, progress: Progress = None) -> ImportResult:
        """Re-hydrate a verified bundle into tier 3; importing twice adds nothing."""
        from .coldstore import import_bundle

        return import_bundle(self._store, Path(bundle), progress=progress)

    def mount(self, bundle: str | Path) -> str:
        """ATTACH a SQLite-file bundle read-only; returns the schema name to query it by."""
        from .coldstore import mount_bundle

        return mount_bundle(self._store, Path(bundle))

    def unmount(self, schema: str) -> None:
        """DETACH a bundle mounted by :meth:`mount`."""
        from .coldstore import unmount_bundle

        unmount_bundle(self._store, schema)

    def bundles(self, *, cold_store: ColdStore | None = None) -> builtins.list[str]:
        """Names of the bundles in ``cold_store`` (default: the store's ``cold/`` directory)."""
        from .coldstore import default_cold_store

        return (cold_store or default_cold_store(self._store)).list()
