"""``CortexStore``: LangGraph's long-term memory store (``BaseStore``) on a cortexdb store.

Items live in ``tier1.langgraph_store`` keyed by namespace (labels joined by '.') and key, the
value as JSON text, so ``search(filter=...)`` runs as SQL over ``json_extract``. TTLs count on the
store's clock (``open(clock=)``): an item past its ``expires_at`` is invisible at once and deleted
by :meth:`CortexStore.sweep_ttl`, by the ``sweep_interval_minutes`` of ``ttl_config`` (checked on
writes, no background thread) or by the retention policy on ``langgraph_store``.

With ``index=IndexConfig(dims, embed, fields)`` items are embedded as they are put and
``search(query=...)`` ranks them by cosine similarity (see :mod:`.store_index`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from langgraph.store.base import (
    NOT_PROVIDED,
    BaseStore,
    GetOp,
    IndexConfig,
    Item,
    ListNamespacesOp,
    NotProvided,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
)

from .._json import dumps
from ..errors import ValidationError
from ..memory._common import integer, run, text
from ._common import in_executor
from .store_index import Embedded, StoreIndex

if TYPE_CHECKING:
    from ..store import Store

_ITEM = "namespace, key, value, created_at, updated_at"
_OPERATORS = {"$eq": "=", "$ne": "IS NOT", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


class CortexStore(BaseStore):
    """A LangGraph ``BaseStore`` on ``db``: put / get / search (with filters) / delete /
    list_namespaces, TTL per item (minutes, ``ttl_config`` defaults), sync and async."""

    supports_ttl = True

    def __init__(self, db: Store, *, ttl: TTLConfig | None = None, index: IndexConfig | None = None) -> None:
        if ttl is not None and not isinstance(ttl, dict):
            raise ValidationError("ttl", "must be a TTLConfig dict (default_ttl, refresh_on_read, sweep_interval_minutes)")
        self.db = db
        self.ttl_config = ttl
        self.index_config = index
        self._index = None if index is None else StoreIndex(db, index)
        self._last_sweep = db.now()

    # -- the BaseStore protocol -------------------------------------------------------------------------
    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the operations in order; one result per op (None for puts)."""
        ops = list(ops)
        return self._run(ops, self._index.embed_sync(ops) if self._index else Embedded())

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        ops = list(ops)
        embedded = await self._index.embed_async(ops) if self._index else Embedded()
        return await in_executor(self._run, ops, embedded)

    def _run(self, ops: list[Op], embedded: Embedded) -> list[Result]:
        """The ops against the database, with their vectors already computed and checked."""
        results: list[Result] = []
        writes = any(isinstance(op, PutOp) for op in ops)
        with self.db.transaction() if writes or self._refreshes(ops) else self.db._lock:
            for position, op in enumerate(ops):
                if isinstance(op, GetOp):
                    results.append(self._get(op))
                elif isinstance(op, SearchOp):
                    results.append(self._search(op, embedded.queries.get(op.query or "")))
                elif isinstance(op, PutOp):
                    self._put(op, embedded.puts.get(position, []))
                    results.append(None)
                elif isinstance(op, ListNamespacesOp):
                    results.append(self._list_namespaces(op))
                else:
                    raise ValidationError("ops", f"unknown store operation {type(op).__name__}")
        if writes:
            self._maybe_sweep()
        return results

    def put(self, namespace: tuple[str, ...], key: str, value: Mapping[str, Any], index: Any = None,
            *, ttl: float | NotProvided | None = NOT_PROVIDED) -> None:
        _namespace(namespace, "namespace", root=True)
        super().put(namespace, key, value, index, ttl=ttl)

    async def aput(self, namespace: tuple[str, ...], key: str, value: Mapping[str, Any], index: Any = None,
                   *, ttl: float | NotProvided | None = NOT_PROVIDED) -> None:
        _namespace(namespace, "namespace", root=True)
        await super().aput(namespace, key, value, index, ttl=ttl)

    def sweep_ttl(self) -> int:
        """Delete items past their expiry (store's clock); returns how many."""
        with self.db.transaction():
            self.db.conn.execute("DELETE FROM tier1.langgraph_store WHERE expires_at <= ?", (self.db.now(),))
            deleted = self.db.conn.changes()
        self._last_sweep = self.db.now()
        return deleted

    async def asweep_ttl(self) -> int:
        return await in_executor(self.sweep_ttl)

    # -- operations --------------------------------------------------------------------------------------
    def _refreshes(self, ops: Sequence[Op]) -> bool:
        return not self.db.readonly and any(isinstance(op, (GetOp, SearchOp)) and op.refresh_ttl for op in ops)

    def _get(self, op: GetOp) -> Item | None:
        ns = _namespace(op.namespace, "namespace")
        key = text("key", op.key)
        rows = run(self.db, f"SELECT {_ITEM} FROM tier1.langgraph_store WHERE namespace = ? AND key = ? "
                            "AND (expires_at IS NULL OR expires_at > ?)", (ns, key, self.db.now()))
        if not rows:
            return None
        if self._refreshes([op]):
            self._refresh([(ns, key)])
        return _item(rows[0], Item)

    def _search(self, op: SearchOp, query: bytes | None) -> list[SearchItem]:
        prefix = _namespace(op.namespace_prefix, "namespace_prefix", allow_empty=True)
        clauses = ["(s.expires_at IS NULL OR s.expires_at > ?)"]
        params: list[Any] = [self.db.now()]
        if prefix:
            clauses.append("(s.namespace = ? OR substr(s.namespace, 1, ?) = ?)")
            params += [prefix, len(prefix) + 1, prefix + "."]
        if op.filter is not None:
            if not isinstance(op.filter, dict):
                raise ValidationError("filter", "must be a dict of value keys to values or {$op: value}")
            for key, wanted in op.filter.items():
                sql, values = _value_match(_path("filter", key), wanted)
                clauses.append(sql)
                params += values
        limit = integer("limit", op.limit, minimum=0)
        offset = integer("offset", op.offset, minimum=0)
        where = " AND ".join(clauses)
        if query is not None and self._index is not None:
            found = self._ranked(query, where, params, limit, offset)
        else:
            rows = run(self.db, f"SELECT {_ITEM} FROM tier1.langgraph_store s WHERE {where} "
                                "ORDER BY updated_at DESC, namespace, key LIMIT ? OFFSET ?", [*params, limit, offset])
            found = [(row, None) for row in rows]
        if found and self._refreshes([op]):
            self._refresh([(row[0], row[1]) for row, _ in found])
        return [_item(row, SearchItem, score) for row, score in found]

    def _ranked(self, query: bytes, where: str, params: list[Any], limit: int,
                offset: int) -> list[tuple[tuple[Any, ...], float | None]]:
        """Items by similarity to ``query``; when the embedded ones run out, items without vectors
        (``index=False``, nothing to embed) follow newest first with ``score`` None, as in
        LangGraph's InMemoryStore."""
        assert self._index is not None
        need = offset + limit
        scored = self._index.ranked(self.db, query, where, params, need) if need else []
        rows = {(r[0], r[1]): r for r in run(
            self.db, f"SELECT {_ITEM} FROM tier1.langgraph_store WHERE (namespace, key) IN "
                     "(SELECT value ->> 0, value ->> 1 FROM json_each(?))",
            (orjson.dumps([[ns, key] for ns, key, _ in scored]).decode(),))}
        found: list[tuple[tuple[Any, ...], float | None]] = [(rows[(ns, key)], score) for ns, key, score in scored]
        if len(found) < need:
            rest = run(self.db, f"SELECT {_ITEM} FROM tier1.langgraph_store s WHERE {where} AND NOT EXISTS "
                                "(SELECT 1 FROM tier1.langgraph_store_vectors lv WHERE lv.namespace = s.namespace "
                                "AND lv.key = s.key) ORDER BY updated_at DESC, namespace, key LIMIT ?",
                       [*params, need - len(found)])
            found += [(row, None) for row in rest]
        return found[offset:need]

    def _put(self, op: PutOp, vectors: list[tuple[str, bytes]]) -> None:
        ns = _namespace(op.namespace, "namespace", root=True)
        key = text("key", op.key)
        conn = self.db.conn
        if op.value is None:
            conn.execute("DELETE FROM tier1.langgraph_store WHERE namespace = ? AND key = ?", (ns, key))
            return
        if not isinstance(op.value, dict):
            raise ValidationError("value", f"must be a dict, got {type(op.value).__name__}")
        ttl = None if op.ttl is None or isinstance(op.ttl, NotProvided) else op.ttl
        if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or ttl <= 0):
            raise ValidationError("ttl", f"must be a positive number of minutes or None, got {ttl!r}")
        now = self.db.now()
        stamp = self.db.timestamp()
        conn.execute(
            "INSERT INTO tier1.langgraph_store (namespace, key, value, created_at, updated_at, expires_at, ttl_minutes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at, expires_at = excluded.expires_at, ttl_minutes = excluded.ttl_minutes, "
            "created_at = CASE WHEN langgraph_store.expires_at <= ? THEN excluded.created_at ELSE langgraph_store.created_at END",
            (ns, key, dumps(op.value, field="value"), stamp, stamp, None if ttl is None else now + ttl * 60, ttl, now))
        if self._index is not None:
            self._index.write(self.db, ns, key, vectors)

    def _list_namespaces(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        rows = run(self.db, "SELECT DISTINCT namespace FROM tier1.langgraph_store WHERE expires_at IS NULL OR expires_at > ?",
                   (self.db.now(),))
        depth = None if op.max_depth is None else integer("max_depth", op.max_depth, minimum=1)
        conditions = list(op.match_conditions or ())
        for condition in conditions:
            if condition.match_type not in ("prefix", "suffix"):
                raise ValidationError("match_type", f"must be 'prefix' or 'suffix', got {condition.match_type!r}")
        found = set()
        for (ns,) in rows:
            labels = tuple(ns.split("."))
            if all(_matches(condition.match_type, tuple(condition.path), labels) for condition in conditions):
                found.add(labels[:depth] if depth else labels)
        offset = integer("offset", op.offset, minimum=0)
        return sorted(found)[offset:offset + integer("limit", op.limit, minimum=0)]

    def _refresh(self, keys: list[tuple[str, str]]) -> None:
        """Restart the TTL of items just read (those stored with a TTL)."""
        self.db.conn.execute(
            "UPDATE tier1.langgraph_store SET expires_at = ? + ttl_minutes * 60 WHERE ttl_minutes IS NOT NULL "
            "AND (namespace, key) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))",
            (self.db.now(), orjson.dumps(keys).decode()))

    def _maybe_sweep(self) -> None:
        interval = (self.ttl_config or {}).get("sweep_interval_minutes")
        if interval and self.db.now() - self._last_sweep >= interval * 60:
            self.sweep_ttl()


def _namespace(namespace: Any, field: str, *, allow_empty: bool = False, root: bool = False) -> str:
    """Namespace labels joined by '.'; labels are non-empty text without '.' or NUL."""
    if not isinstance(namespace, tuple):
        raise ValidationError(field, f"must be a tuple of strings, got {type(namespace).__name__}")
    if not namespace and not allow_empty:
        raise ValidationError(field, "must not be empty")
    for label in namespace:
        text(field, label)
        if "." in label or "\x00" in label:
            raise ValidationError(field, f"label {label!r} contains '.' or NUL, which namespaces cannot hold")
    if root and namespace[0] == "langgraph":
        raise ValidationError(field, "the root label 'langgraph' is reserved by LangGraph")
    return ".".join(namespace)


def _matches(kind: str, path: tuple[str, ...], labels: tuple[str, ...]) -> bool:
    if len(labels) < len(path):
        return False
    pairs = zip(labels, path, strict=False) if kind == "prefix" else zip(reversed(labels), reversed(path), strict=False)
    return all(want == "*" or have == want for have, want in pairs)


def _path(field: str, key: Any) -> str:
    if not isinstance(key, str) or not key or '"' in key or "\\" in key:
        raise ValidationError(field, f"keys must be non-empty strings without quotes or backslashes, got {key!r}")
    return f'"{key}"'


def _value_match(path: str, wanted: Any) -> tuple[str, list[Any]]:
    """SQL condition over the item's value at ``$.path``: equality by JSON type, nested dicts
    key by key, ``{"$gt": 3, ...}`` comparisons (LangGraph's filter semantics)."""
    full = "$." + path
    if isinstance(wanted, dict) and wanted and all(isinstance(k, str) and k.startswith("$") for k in wanted):
        parts, params = [], []
        for op, operand in wanted.items():
            if op not in _OPERATORS:
                raise ValidationError("filter", f"unknown operator {op!r}; use {', '.join(_OPERATORS)}")
            if op == "$eq":
                sql, values = _value_match(path, operand)
                parts.append(sql)
                params += values
                continue
            parts.append(f"json_extract(value, ?) {_OPERATORS[op]} ?")
            params += [full, _sql_scalar(operand)]
        return "(" + " AND ".join(parts) + ")", params
    if isinstance(wanted, dict):
        parts, params = [], []
        for key, sub in wanted.items():
            sql, values = _value_match(f"{path}.{_path('filter', key)}", sub)
            parts.append(sql)
            params += values
        return "(" + " AND ".join(parts or ["json_type(value, ?) = 'object'"]) + ")", params or [full]
    if wanted is None:
        return "json_type(value, ?) = 'null'", [full]
    if isinstance(wanted, bool):
        return "json_type(value, ?) = ?", [full, "true" if wanted else "false"]
    if isinstance(wanted, (int, float)):
        return "(json_type(value, ?) IN ('integer', 'real') AND json_extract(value, ?) = ?)", [full, full, wanted]
    if isinstance(wanted, str):
        return "(json_type(value, ?) = 'text' AND json_extract(value, ?) = ?)", [full, full, wanted]
    return "value -> ? = json(?)", [full, dumps(list(wanted) if isinstance(wanted, tuple) else wanted, field="filter")]


def _sql_scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if value is None or isinstance(value, (int, float, str)):
        return value
    raise ValidationError("filter", f"comparison operands must be numbers, strings, booleans or None, got {type(value).__name__}")


def _item(row: tuple[Any, ...], kind: type[Item], score: float | None = None) -> Any:
    ns, key, value, created, updated = row
    extra = {"score": score} if kind is SearchItem else {}
    return kind(namespace=tuple(ns.split(".")), key=key, value=orjson.loads(value),
                created_at=_when(created), updated_at=_when(updated), **extra)


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC)
