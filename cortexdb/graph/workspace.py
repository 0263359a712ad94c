"""Workspace discovery (seed 001 ``workspace_databases`` / ``workspace_apis`` / ``workspace_frameworks``).

Recording a discovery that is already known (same UNIQUE key, NULLs compared as equal) updates
the row and its ``last_verified``. Rows are returned as dicts keyed by column, JSON columns decoded.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .._boundary import public_api
from .._json import dumps_or_none, loads
from ..errors import NotFoundError, ValidationError
from . import _common as c

if TYPE_CHECKING:
    from ..store import Store

Row = dict[str, Any]


class _Table:
    def __init__(self, name: str, kind: str, type_col: str, key: tuple[str, ...], columns: dict[str, str]) -> None:
        self.name, self.kind, self.type_col, self.key, self.columns = name, kind, type_col, key, columns


# column -> "text" | "int" | "json"
TABLES = {
    "database": _Table("workspace_databases", "workspace_database", "database_type",
                       ("database_type", "host", "port", "database_name"),
                       {"database_type": "text", "connection_string": "text", "host": "text", "port": "int",
                        "database_name": "text", "schemas": "json", "table_count": "int", "metadata": "json"}),
    "api": _Table("workspace_apis", "workspace_api", "api_type", ("api_type", "base_url"),
                  {"api_type": "text", "base_url": "text", "spec_location": "text", "endpoints": "json",
                   "authentication_type": "text", "metadata": "json"}),
    "framework": _Table("workspace_frameworks", "workspace_framework", "framework_type",
                        ("framework_type", "config_location"),
                        {"framework_type": "text", "version": "text", "config_location": "text",
                         "components_count": "int", "routes_count": "int", "metadata": "json"}),
}
REQUIRED = {"database_type", "connection_string", "api_type", "base_url", "framework_type"}
JSON_COLUMNS = {"schemas", "metadata", "endpoints"}


def decode(columns: list[str], row: tuple[Any, ...]) -> Row:
    out = dict(zip(columns, row, strict=False))
    for col in JSON_COLUMNS & out.keys():
        if isinstance(out[col], str):
            try:
                out[col] = loads(out[col])
            except ValueError:
                pass  # written by another tool as plain text: keep it as it is
    return out


@public_api
class Workspace:
    """``db.workspace``: what the crawler discovered in the workspace."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._columns: dict[str, list[str]] = {}

    def _record(self, table: _Table, values: dict[str, Any]) -> Row:
        params: dict[str, Any] = {}
        for col, kind in table.columns.items():
            value = values.get(col)
            if value is None:
                if col in REQUIRED:
                    raise ValidationError(col, "is required")
                params[col] = None
            elif kind == "text":
                params[col] = c.text(col, value, max_len=10_000)
            elif kind == "int":
                params[col] = c.positive(col, value, minimum=0, maximum=2**31)
            else:
                params[col] = dumps_or_none(value, field=col)
        store = self.store
        now = store.now()
        with store.transaction():
            match = " AND ".join(f"{k} IS ?" for k in table.key)
            existing = store.execute(f"SELECT id FROM tier2.{table.name} WHERE {match}", [params[k] for k in table.key])
            if existing:
                sets = [f"{col} = coalesce(?, {col})" for col in table.columns if col not in table.key]
                store.execute(f"UPDATE tier2.{table.name} SET {', '.join(sets)}, last_verified = ?, stale_since = NULL "
                              "WHERE id = ?",
                              [*(params[col] for col in table.columns if col not in table.key), now, existing[0][0]])
                row_id = existing[0][0]
            else:
                cols = [k for k in table.columns if params[k] is not None]  # column defaults apply
                row_id = store.execute(
                    f"INSERT INTO tier2.{table.name} ({', '.join(cols)}, discovered_at, last_verified) "
                    f"VALUES ({', '.join('?' * len(cols))}, ?, ?) RETURNING id", [*(params[k] for k in cols), now, now]
                )[0][0]
        return self.get(table.kind, row_id)

    def record_database(self, *, database_type: str, connection_string: str, host: str | None = None,
                        port: int | None = None, database_name: str | None = None, schemas: list[str] | None = None,
                        table_count: int | None = None, metadata: dict[str, Any] | None = None) -> Row:
        """Record (or re-verify) a discovered database; returns its row."""
        return self._record(TABLES["database"], locals())

    def record_api(self, *, api_type: str, base_url: str, spec_location: str | None = None,
                   endpoints: list[Any] | None = None, authentication_type: str | None = None,
                   metadata: dict[str, Any] | None = None) -> Row:
        """Record (or re-verify) a discovered API; returns its row."""
        return self._record(TABLES["api"], locals())

    def record_framework(self, *, framework_type: str, version: str | None = None, config_location: str | None = None,
                         components_count: int | None = None, routes_count: int | None = None,
                         metadata: dict[str, Any] | None = None) -> Row:
        """Record (or re-verify) a discovered framework; returns its row."""
        return self._record(TABLES["framework"], locals())

    def get(self, kind: str, row_id: int) -> Row:
        """One discovered row by kind (``workspace_database`` / ``_api`` / ``_framework``) and id."""
        table = _table(kind)
        if isinstance(row_id, bool) or not isinstance(row_id, int):
            raise ValidationError("object_entity_id", f"must be an integer id, got {row_id!r}")
        rows = self._rows(f"SELECT * FROM tier2.{table.name} WHERE id = ?", [row_id])
        if not rows:
            raise NotFoundError(f"object_entity_id: no {table.kind} with id {row_id}")
        return rows[0]

    def _query(self, table: _Table, type_value: str | None, include_stale: bool) -> list[Row]:
        clauses, params = [], []
        if type_value is not None:
            clauses.append(f"{table.type_col} = ?")
            params.append(c.text(table.type_col, type_value, max_len=200))
        if not include_stale:
            clauses.append("stale_since IS NULL")
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._rows(f"SELECT * FROM tier2.{table.name}{where} ORDER BY last_verified DESC, id", params)

    def _rows(self, sql: str, params: list[Any]) -> list[Row]:
        """Run ``sql`` (``SELECT * FROM tier2.<table> ...``) and decode rows keyed by column."""
        table = sql.split("FROM tier2.", 1)[1].split()[0]
        columns = self._columns.get(table)
        if columns is None:
            columns = [r[1] for r in self.store.execute(f"PRAGMA tier2.table_info({table})")]
            self._columns[table] = columns
        select = sql.replace("SELECT *", "SELECT " + ", ".join(columns), 1)
        return [decode(columns, r) for r in self.store.execute(select, params)]

    def query_discovered_databases(self, database_type: str | None = None, *, include_stale: bool = False) -> list[Row]:
        """Discovered databases (of one type if given), most recently verified first."""
        return self._query(TABLES["database"], database_type, include_stale)

    def query_discovered_apis(self, api_type: str | None = None, *, include_stale: bool = False) -> list[Row]:
        """Discovered APIs (of one type if given), most recently verified first."""
        return self._query(TABLES["api"], api_type, include_stale)

    def query_discovered_frameworks(self, framework_type: str | None = None, *,
                                    include_stale: bool = False) -> list[Row]:
        """Discovered frameworks (of one type if given), most recently verified first."""
        return self._query(TABLES["framework"], framework_type, include_stale)

    def mark_stale(self, older_than: float) -> int:
        """Mark rows not verified for ``older_than`` seconds as stale; returns how many were marked.

        Stale rows leave the ``query_discovered_*`` results (``include_stale=True`` shows them)
        until they are recorded again."""
        if isinstance(older_than, bool) or not isinstance(older_than, (int, float)) or not math.isfinite(older_than) \
                or older_than < 0:
            raise ValidationError("older_than", f"must be a number of seconds >= 0, got {older_than!r}")
        now = self.store.now()
        marked = 0
        with self.store.transaction():
            for table in TABLES.values():
                self.store.execute(f"UPDATE tier2.{table.name} SET stale_since = ? WHERE stale_since IS NULL "
                                   "AND coalesce(last_verified, discovered_at) < ?", (now, now - older_than))
                marked += self.store.conn.changes()
        return marked

    def stale(self) -> list[Row]:
        """Every stale row of the three tables, with ``kind`` naming its table."""
        out = []
        for table in TABLES.values():
            for row in self._rows(f"SELECT * FROM tier2.{table.name} WHERE stale_since IS NOT NULL ORDER BY id", []):
                out.append({"kind": table.kind, **row})
        return out


def _table(kind: str) -> _Table:
    for table in TABLES.values():
        if kind in (table.kind, table.name):
            return table
    raise ValidationError("object_entity_type", f"must be one of {', '.join(t.kind for t in TABLES.values())}, got {kind!r}")
