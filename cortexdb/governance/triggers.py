"""Audit trigger DDL: one small generator, so auditing a table is a declared, checked thing.

Each tier keeps its own audit table ``audit_log_<tier>`` (triggers cannot reach another file) and
its own switchboard ``audited_tables_<tier>`` (one row per audited table, ``enabled`` 0/1, read by
the triggers' ``WHEN`` clause). The triggers use only SQLite built-ins (``json_object``,
``strftime``), so a write made from the ``sqlite3`` shell is audited too; cortexdb seals the rows
into the hash chain later (:mod:`cortexdb.governance.audit`).

To audit a new table (for example ``tasks`` in tier1 once it exists), print its DDL with::

    python -m cortexdb.governance.triggers tier1 tasks --key task_id --update-of status

and put the output in a new ``schema/governance/<tier>/NNNN_audit_<table>.sql`` migration, then add
the table to :data:`AUDITED` so the consistency test keeps the triggers in step with the columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import apsw

from .. import _sqlite

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
OPERATIONS = ("INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class AuditSpec:
    """How one table is audited: the expression naming a row (``{row}`` is NEW or OLD), which
    operations, optionally ``UPDATE OF`` columns, and whether ``audited_tables_<tier>`` can switch
    it off (the switchboard itself and the ledger-free core rows are always audited)."""

    tier: str
    table: str
    key: str
    operations: tuple[str, ...] = OPERATIONS
    update_of: tuple[str, ...] = ()
    configurable: bool = True


def audit_table(tier: str) -> str:
    return f"audit_log_{tier}"


def switchboard(tier: str) -> str:
    return f"audited_tables_{tier}"


# Tables audited by the governance module's own migrations, per tier. Tables of other areas are
# added here together with the migration that creates their triggers.
AUDITED: tuple[AuditSpec, ...] = (
    AuditSpec("tier0", "audited_tables_tier0", "{row}.table_name", configurable=False),
    AuditSpec("tier0", "cortexdb_migrations", "{row}.module || ':' || {row}.version"),
    AuditSpec("tier0", "store_identity", "{row}.store_id"),
    AuditSpec("tier0", "plugins", "{row}.plugin_id"),
    AuditSpec("tier0", "governance_settings", "{row}.key"),
    AuditSpec("tier0", "boundary_rules", "{row}.rule_id"),
    AuditSpec("tier0", "governance_decisions", "{row}.decision_id"),
    AuditSpec("tier1", "audited_tables_tier1", "{row}.table_name", configurable=False),
    AuditSpec("tier1", "cortexdb_migrations", "{row}.module || ':' || {row}.version"),
    AuditSpec("tier1", "tasks", "{row}.task_id", update_of=("status",)),
    AuditSpec("tier2", "audited_tables_tier2", "{row}.table_name", configurable=False),
    AuditSpec("tier2", "cortexdb_migrations", "{row}.module || ':' || {row}.version"),
    AuditSpec("tier2", "provenance_links", "{row}.id"),
    AuditSpec("tier3", "audited_tables_tier3", "{row}.table_name", configurable=False),
    AuditSpec("tier3", "cortexdb_migrations", "{row}.module || ':' || {row}.version"),
    AuditSpec("tier3", "boundary_events", "{row}.id"),
    AuditSpec("tier3", "archival_operations", "{row}.id"),
    AuditSpec("tier3", "retention_policy_snapshots", "{row}.id"),
)


def _check(name: str, value: str) -> str:
    if not _IDENT.match(value):
        raise ValueError(f"{name}: {value!r} is not a plain SQL identifier")
    return value


def trigger_name(table: str, operation: str) -> str:
    return f"audit_{table}_{operation.lower()[:3]}"


def columns_of(conn: apsw.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, declared type) of every column of ``schema.table``, in order."""
    rows: list[tuple[str, str | None]] = conn.execute(  # type: ignore[assignment]  # apsw types rows as SQLite values
        f"SELECT name, type FROM {_check('schema', schema)}.pragma_table_info(?)", (table,)).fetchall()
    if not rows:
        raise ValueError(f"{schema}.{table} does not exist")
    return [(r[0], r[1] or "") for r in rows]


def _values(columns: Sequence[tuple[str, str]], row: str) -> str:
    parts = []
    for name, kind in columns:
        _check("column", name)
        value = f"{row}.{name}"
        parts.append(f"'{name}', {'hex(' + value + ')' if 'BLOB' in kind.upper() else value}")
    return "json_object(" + ", ".join(parts) + ")"


def trigger_sql(spec: AuditSpec, columns: Sequence[tuple[str, str]]) -> list[str]:
    """The CREATE TRIGGER statements auditing ``spec.table`` with the given columns."""
    table, tier = _check("table", spec.table), spec.tier
    if tier not in _sqlite.TIERS:
        raise ValueError(f"tier: {tier!r} is not one of {_sqlite.TIERS}")
    log = audit_table(tier)
    out = []
    for operation in spec.operations:
        if operation not in OPERATIONS:
            raise ValueError(f"operation: {operation!r} is not one of {OPERATIONS}")
        row = "OLD" if operation == "DELETE" else "NEW"
        old = "NULL" if operation == "INSERT" else _values(columns, "OLD")
        new = "NULL" if operation == "DELETE" else _values(columns, "NEW")
        event = operation
        if operation == "UPDATE" and spec.update_of:
            event = "UPDATE OF " + ", ".join(_check("column", c) for c in spec.update_of)
        when = ""
        if spec.configurable:
            when = (f"\nWHEN coalesce((SELECT enabled FROM {switchboard(tier)} WHERE table_name = '{table}'), 1)")
        key = spec.key.format(row=row)
        out.append(
            f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, operation)} AFTER {event} ON {table}{when}\n"
            f"BEGIN\n"
            f"    INSERT INTO {log} (table_name, operation, row_key, old_values, new_values)\n"
            f"    VALUES ('{table}', '{operation}', CAST({key} AS TEXT), {old},\n"
            f"            {new});\n"
            f"END;")
    return out


def immutable_sql(table: str, remedy: str) -> list[str]:
    """Triggers making ``table`` immutable (UPDATE and DELETE abort with ``remedy`` in the message),
    as used for ``governance_decisions``; for packs with records their seed calls immutable
    (dataset versions, signed provenance records)."""
    _check("table", table)
    if "'" in remedy:
        raise ValueError("remedy: no single quotes")
    return [f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {op.upper()} ON {table}\nBEGIN\n"
            f"    SELECT RAISE(ABORT, '{table} rows are immutable: {remedy}');\nEND;" for op in ("update", "delete")]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the audit trigger DDL for a table of a freshly created store (see module docstring)."""
    import argparse
    import tempfile
    from pathlib import Path

    from ..store import open as open_store

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("tier", choices=_sqlite.TIERS)
    parser.add_argument("table")
    parser.add_argument("--key", required=True, help="column (or expression with {row}) naming a row")
    parser.add_argument("--update-of", nargs="*", default=(), help="audit UPDATE only when these columns change")
    parser.add_argument("--operations", nargs="*", default=OPERATIONS, choices=OPERATIONS)
    parser.add_argument("--module", action="append", default=[], help="opt-in modules the table needs")
    args = parser.parse_args(argv)
    key = args.key if "{row}" in args.key else "{row}." + _check("key", args.key)
    spec = AuditSpec(args.tier, args.table, key, tuple(args.operations), tuple(args.update_of))
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp), modules=args.module) as store:
        columns = columns_of(store.conn, args.tier, args.table)
    print(f"-- audit {args.tier}.{args.table} (generated by python -m cortexdb.governance.triggers)")
    print("\n".join(trigger_sql(spec, columns)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
