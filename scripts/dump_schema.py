#!/usr/bin/env python
"""Regenerate schema/snapshot/<tier>.sql: the consolidated schema of modules core + cortex.

Each snapshot is built by running every migration on an empty store (path A), so bootstrapping
a new store from it (path B) gives the same schema. ``--check`` exits 1 when a checked-in
snapshot is stale (CI runs it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from cortexdb import _sqlite, migrations
from cortexdb.clock import system_clock


def build(tier: str, roots: tuple[Path, ...]) -> str:
    """The snapshot text for ``tier``, from all base-module migrations applied to an empty file."""
    with tempfile.TemporaryDirectory() as tmp:
        migrator = migrations.TierMigrator(Path(tmp) / f"{tier}.db", tier, roots=roots, busy_ms=1000,
                                           clock=system_clock, backups_dir=None, keep_backups=0)
        try:
            migrator.claim()
            for migration in migrations.plan(roots, tier, migrations.BASE_MODULES):
                migrator._apply(migration)
            statements = migrations.dump_schema(migrator.conn)
        finally:
            migrator.close()
    header = migrations.SNAPSHOT_HEADER.format(fp=migrations.expected_fingerprint(roots, tier, migrations.BASE_MODULES))
    return header + "\n\n".join(statements) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if a snapshot is stale instead of writing")
    args = parser.parse_args()
    roots = migrations.schema_roots()
    stale = []
    for tier in _sqlite.TIERS:
        path = migrations.snapshot_path(roots, tier)
        text = build(tier, roots)
        current = path.read_text("utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        print("stale schema snapshots (run python scripts/dump_schema.py): " + ", ".join(map(str, stale)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
