"""Every schema module holds the same tables and columns on SQLite and on the PostgreSQL authority.

Compared per module: table names, column names, nullability and the meaning of each type (an
SQLite TEXT column may be TEXT, TIMESTAMPTZ, UUID or JSON(B) on PostgreSQL; INTEGER may be BIGINT
or BOOLEAN; ...). Tables and columns named ``sync_*`` are sync bookkeeping that exists on one side
only. A module with SQLite migrations and no ``postgres/`` folder (or the other way round) fails:
a new SQLite migration needs its PostgreSQL twin.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

import cortexdb
from cortexdb import authority, migrations
from cortexdb.sync import pg_schema

_CREATE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)", re.IGNORECASE)
SQLITE_MEANINGS = {"integer": {"integer", "boolean"}, "real": {"real", "interval"},
                   "text": {"text", "timestamp", "uuid", "json", "array"},
                   "timestamp": {"timestamp"}, "bytes": {"bytes"}}
PG_MEANINGS = {"bigint": "integer", "integer": "integer", "smallint": "integer", "boolean": "boolean",
               "double precision": "real", "real": "real", "numeric": "real", "text": "text",
               "character varying": "text", "timestamp with time zone": "timestamp", "uuid": "uuid",
               "jsonb": "json", "json": "json", "bytea": "bytes", "interval": "interval", "ARRAY": "array"}
"""INTERVAL is seconds (REAL) on SQLite and TEXT[] a JSON array (TEXT), as the agency pack maps the seed's types."""
PG_ONLY = {"agency": {"audit_log": "a TEMP view over the audit chains on SQLite (a view in a tier file could read only that file)",
                      "agency_access": "the grants behind the seed's row-level security policies, which SQLite does not have"}}


def _sqlite_kind(declared: str) -> str:
    d = declared.upper()
    if "INT" in d:
        return "integer"
    if any(k in d for k in ("REAL", "FLOA", "DOUB", "DEC", "NUM")):
        return "real"
    if "TIMESTAMP" in d or "DATETIME" in d:
        return "timestamp"
    if "BLOB" in d:
        return "bytes"
    return "text"


def _owned(texts: list[str]) -> set[str]:
    return {name for text in texts for name in _CREATE.findall(text) if not name.startswith("sync_")}


def _sqlite_side(tmp_path: Path) -> dict[str, dict[str, dict[str, tuple[bool, str]]]]:
    roots = migrations.schema_roots()
    cat = migrations.catalog(roots)
    modules = sorted({m for m, _t in cat})
    extra = [m for m in modules if m not in migrations.BASE_MODULES]
    out: dict[str, dict[str, dict[str, tuple[bool, str]]]] = {}
    with cortexdb.open(tmp_path / "store", modules=extra) as db:
        for module in modules:
            tables: dict[str, dict[str, tuple[bool, str]]] = {}
            for tier in ("tier0", "tier1", "tier2", "tier3"):
                for table in _owned([m.up for m in cat.get((module, tier), ())]):
                    rows = db.execute(f"SELECT name, type, \"notnull\", pk FROM {tier}.pragma_table_info(?)", (table,))
                    if rows:  # a table a later migration renamed (a rebuild's *_next) is not the module's
                        tables[table] = {r[0]: (bool(r[2] or r[3]), _sqlite_kind(r[1] or ""))
                                         for r in rows if not r[0].startswith("sync_")}
            out[module] = tables
    return out


def _pg_side(url: str) -> dict[str, dict[str, dict[str, tuple[bool, str]]]]:
    cat = pg_schema.catalog(migrations.schema_roots())
    declaration = authority.AuthorityDeclaration(url, "staging", False)
    out: dict[str, dict[str, dict[str, tuple[bool, str]]]] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        base = [m for m in migrations.BASE_MODULES if m in cat]
        pg_schema.upgrade(conn, declaration, (*base, *sorted(set(cat) - set(base))))
        for module, files in cat.items():
            tables: dict[str, dict[str, tuple[bool, str]]] = {}
            for table in _owned([m.sql for m in files]) - set(PG_ONLY.get(module, {})):
                rows = conn.execute("SELECT column_name, is_nullable, data_type FROM information_schema.columns "
                                    "WHERE table_schema = current_schema() AND table_name = %s", (table,)).fetchall()
                tables[table] = {r[0]: (r[1] == "NO", PG_MEANINGS.get(r[2], str(r[2])))
                                 for r in rows if not r[0].startswith("sync_")}
            out[module] = tables
    return out


def test_every_module_has_the_same_tables_and_columns_on_both_dialects(tmp_path: Path, pg_url: str) -> None:
    sqlite, pg = _sqlite_side(tmp_path), _pg_side(pg_url)
    problems = []
    for module in sorted(set(sqlite) | set(pg)):
        if not sqlite.get(module) and not pg.get(module):
            continue
        if module not in pg:
            problems.append(f"{module}: SQLite migrations without schema/{module}/postgres/")
            continue
        if module not in sqlite:
            problems.append(f"{module}: PostgreSQL migrations without SQLite ones")
            continue
        for table in sorted(set(sqlite[module]) ^ set(pg[module])):
            side = "SQLite" if table in sqlite[module] else "PostgreSQL"
            problems.append(f"{module}: table {table} exists only on {side}")
        for table in sorted(set(sqlite[module]) & set(pg[module])):
            lite, post = sqlite[module][table], pg[module][table]
            for column in sorted(set(lite) ^ set(post)):
                side = "SQLite" if column in lite else "PostgreSQL"
                problems.append(f"{module}: {table}.{column} exists only on {side}")
            for column in sorted(set(lite) & set(post)):
                (lite_nn, lite_kind), (pg_nn, pg_kind) = lite[column], post[column]
                if lite_nn != pg_nn:
                    problems.append(f"{module}: {table}.{column} is NOT NULL on one side only")
                if pg_kind not in SQLITE_MEANINGS[lite_kind]:
                    problems.append(f"{module}: {table}.{column} is {lite_kind} on SQLite but {pg_kind} on PostgreSQL")
    assert not problems, "\n".join(problems)
    assert {"graph_entities", "graph_relations", "provenance_links"} <= set(pg["cortex"])


def test_a_sqlite_migration_without_its_postgres_twin_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  pg_url: str) -> None:
    pack = tmp_path / "packs" / "widgets" / "tier1"
    pack.mkdir(parents=True)
    (pack / "0001_widgets.sql").write_text("CREATE TABLE IF NOT EXISTS widgets (id INTEGER PRIMARY KEY, label TEXT);\n")
    monkeypatch.setenv("CORTEXDB_SCHEMA_PATH", str(tmp_path / "packs"))
    migrations.reload()
    pg_schema.catalog.cache_clear()
    try:
        with pytest.raises(AssertionError, match="widgets: SQLite migrations without schema/widgets/postgres/"):
            test_every_module_has_the_same_tables_and_columns_on_both_dialects(tmp_path, pg_url)
        twin = tmp_path / "packs" / "widgets" / "postgres"
        twin.mkdir()
        (twin / "0001_widgets.sql").write_text("CREATE TABLE IF NOT EXISTS widgets (id BIGINT PRIMARY KEY, label TEXT);\n")
        pg_schema.catalog.cache_clear()
        with psycopg.connect(pg_url, autocommit=True) as conn:  # a fresh schema for the second comparison
            conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        test_every_module_has_the_same_tables_and_columns_on_both_dialects(tmp_path / "second", pg_url)
    finally:
        monkeypatch.delenv("CORTEXDB_SCHEMA_PATH")
        migrations.reload()
        pg_schema.catalog.cache_clear()
