#!/usr/bin/env python
"""Build the Grace system's 81 tables (the Grace pack), as the Grace documentation's
``build_all_tables.py`` does: ``--db sqlite --path FILE`` builds one SQLite file holding all of
them; ``--db postgres --host --dbname --user --password [--schema]`` builds them in a PostgreSQL
database (needs psycopg); ``--list`` prints the components and tables. A thin wrapper over
``cortexdb.packs.grace.build``; a cortexdb store gets the same tables with
``cortexdb init --module grace``. ``--db mysql`` (MySQL / MariaDB, needs PyMySQL) builds them
in ``--dbname``.
"""

from __future__ import annotations

import argparse
import sys

from cortexdb.errors import CortexError
from cortexdb.packs.grace.build import build_mysql, build_postgres, build_sqlite
from cortexdb.packs.grace.catalog import COMPONENTS, TABLES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "mysql"], default="sqlite")
    parser.add_argument("--path", default="grace_system.db", help="SQLite file to build (default grace_system.db)")
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int)
    parser.add_argument("--dbname", default="grace")
    parser.add_argument("--user", default="grace")
    parser.add_argument("--password", default="")
    parser.add_argument("--schema", default="public", help="PostgreSQL schema to build in (default public)")
    parser.add_argument("--list", action="store_true", help="List all components and tables, then exit")
    args = parser.parse_args(argv)
    if args.list:
        for component in COMPONENTS:
            tables = [t for t in TABLES if t.component == component]
            print(f"{component} ({len(tables)} tables)")
            for table in tables:
                print(f"  {table.name:<28} {table.tier}  {table.purpose}")
        print(f"Total: {len(TABLES)} tables across {len(COMPONENTS)} components")
        return 0
    try:
        if args.db == "mysql":
            present = build_mysql(host=args.host, dbname=args.dbname, user=args.user, password=args.password,
                                  port=args.port or 3306)
            print(f"mysql {args.host}/{args.dbname}: {present} of {len(TABLES)} tables present")
            return 0 if present == len(TABLES) else 1
        if args.db == "postgres":
            present = build_postgres(host=args.host, dbname=args.dbname, user=args.user, password=args.password,
                                     port=args.port or 5432, schema=args.schema)
            print(f"postgres {args.host}/{args.dbname} schema {args.schema}: {present} of {len(TABLES)} tables present")
            return 0 if present == len(TABLES) else 1
        created = build_sqlite(args.path)
    except CortexError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{args.path}: {len(TABLES)} tables present ({len(created)} objects created)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
