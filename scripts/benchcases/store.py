"""Foundation: opening an up-to-date store, and creating a fresh one, beside raw apsw."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import apsw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case

import cortexdb
from cortexdb import migrations

TIERS = ("tier0", "tier1", "tier2", "tier3")


def raw_open(home: Path) -> None:
    """What opening costs with no cortexdb: connection, ATTACH the four files, same pragmas."""
    conn = apsw.Connection(":memory:")
    conn.set_busy_timeout(5000)
    conn.config(apsw.SQLITE_DBCONFIG_DQS_DML, 0)
    conn.config(apsw.SQLITE_DBCONFIG_DQS_DDL, 0)
    conn.execute("PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF")
    for tier in TIERS:
        conn.execute(f"ATTACH ? AS {tier}", (str(home / f"{tier}.db"),))
        conn.execute(f"PRAGMA {tier}.synchronous = NORMAL")
    conn.close()


def cases(workdir: Path) -> list[Case]:
    home = workdir / "store"
    cortexdb.open(home).close()
    counter = iter(range(10**9))
    fresh = workdir / "fresh"

    def create() -> None:
        path = fresh / f"s{next(counter)}"
        cortexdb.open(path).close()

    def raw_create() -> None:
        """Raw baseline for creating: four WAL files with the same schema from the snapshots."""
        path = fresh / f"r{next(counter)}"
        path.mkdir(parents=True)
        root = Path(cortexdb.__file__).resolve().parent.parent / "schema" / "snapshot"
        for tier in TIERS:
            conn = apsw.Connection(str(path / f"{tier}.db"))
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(migrations.LEDGER_DDL)  # the snapshot's audit triggers reference the ledger
            conn.execute((root / f"{tier}.sql").read_text())
            conn.execute("COMMIT")
            conn.close()

    return [
        Case("open up-to-date store", lambda: cortexdb.open(home).close(), lambda: raw_open(home), target=3.0),
        Case("create fresh store", create, raw_create, repeat=9,
             teardown=lambda: shutil.rmtree(fresh, ignore_errors=True),
             notes="cortexdb also claims files, stamps ledgers and writes the identity row"),
    ]
