"""Build the Grace pack's 81 tables in one standalone SQLite file (the Grace system's
``build_all_tables.py --db sqlite``), from the same migrations a store runs.

A store spreads the tables over its four tier files; this file holds them together, with their
indexes, CHECKs, foreign keys, the librarian's FTS5 index and the immutability / append-only
triggers. Triggers that feed cortexdb's per-tier audit chain (``audit_*``) are left out: the
chain lives in the store, not in this file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import apsw

from ...errors import StoreFileError, ValidationError
from .catalog import MODULE, TABLES


def _statements(store: Any) -> list[tuple[str, str, str]]:
    """(type, name, sql) of every table, FTS index, index and trigger of the 81 tables, in order."""
    tables: list[tuple[str, str, str]] = []
    extra: list[tuple[str, str, str]] = []
    for table in TABLES:
        rows = store.execute(f"SELECT type, name, sql FROM {table.tier}.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
                             "ORDER BY type = 'table' DESC, type = 'index' DESC, rowid", (table.name,))
        for kind, name, sql in rows:
            if kind == "trigger" and name.startswith("audit_"):
                continue
            (tables if kind == "table" else extra).append((kind, name, sql))
        for kind, name, sql in store.execute(f"SELECT type, name, sql FROM {table.tier}.sqlite_master WHERE type = 'table' "
                                             "AND name = ? AND sql LIKE 'CREATE VIRTUAL TABLE%'", (table.name + "_fts",)):
            tables.append((kind, name, sql))
    return tables + extra


def build_sqlite(path: str | Path) -> list[str]:
    """Create the 81 tables (and their indexes and triggers) in the SQLite file at ``path``;
    objects already there are kept. Return the names of the objects created."""
    import cortexdb

    target = Path(path).expanduser()
    if target.exists() and not target.is_file():
        raise ValidationError("path", f"{target} is not a file")
    with tempfile.TemporaryDirectory() as tmp, cortexdb.open(Path(tmp) / "store", modules=[MODULE]) as store:
        statements = _statements(store)
    try:
        conn = apsw.Connection(str(target))
    except apsw.Error as error:
        raise StoreFileError(f"cannot open {target}: {error}") from error
    try:
        existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        created = []
        with conn:
            for _kind, name, sql in statements:
                if name not in existing:
                    conn.execute(sql)
                    created.append(name)
        return created
    finally:
        conn.close()
