"""Several processes opening one fresh home at once; SIGKILL in the middle of a migration."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import apsw
import pytest
from store_helpers import write_migration

import cortexdb
from cortexdb import migrations

OPENER = """
import json, os, sys, time
import cortexdb
home, barrier = sys.argv[1], sys.argv[2]
while not os.path.exists(barrier):
    time.sleep(0.001)
db = cortexdb.open(home, busy_timeout=30)
print(json.dumps(db.migrated))
db.close()
"""


@pytest.mark.slow
def test_eight_processes_open_a_fresh_home_ten_rounds(tmp_path: Path) -> None:
    expected = {m.label for tier in ("tier0", "tier1", "tier2", "tier3")
                for m in migrations.plan(migrations.schema_roots(), tier, migrations.BASE_MODULES)}
    for round_number in range(10):
        home, barrier = tmp_path / f"home{round_number}", tmp_path / f"go{round_number}"
        procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(home), str(barrier)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(8)]
        time.sleep(0.3)  # let the interpreters start, so the opens really overlap
        barrier.touch()
        applied: list[str] = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0 and not err, err
            applied += json.loads(out)
        assert sorted(applied) == sorted(expected), "each migration applied exactly once"
        with cortexdb.open(home) as db:
            assert db.migrated == []
            assert db.query("SELECT count(*) AS n FROM store_identity")[0]["n"] == 1
            for tier in ("tier0", "tier1", "tier2", "tier3"):
                assert db.query(f"PRAGMA {tier}.integrity_check")[0]["integrity_check"] == "ok"


@pytest.mark.slow
def test_twelve_processes_opening_a_fresh_store_leave_one_identity_write(tmp_path: Path) -> None:
    """Racers that find the identity row already written do not rewrite it (an UPDATE with
    unchanged values would still leave a store_identity UPDATE row in the audit log)."""
    home, barrier = tmp_path / "home", tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(home), str(barrier)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(12)]
    time.sleep(0.5)
    barrier.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0 and not err, err
    with cortexdb.open(home) as db:
        writes = db.query("SELECT operation, count(*) AS n FROM tier0.audit_log_tier0 "
                          "WHERE table_name = 'store_identity' GROUP BY operation")
    assert {r["operation"]: r["n"] for r in writes} == {"INSERT": 1}


SLOW_SQL = """CREATE TABLE slow_data (n INTEGER PRIMARY KEY, payload TEXT);
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 400000)
INSERT INTO slow_data SELECT n, hex(randomblob(24)) FROM c;
CREATE INDEX slow_data_payload ON slow_data(payload);
"""

SLOW_OPENER = """
import sys
import cortexdb
print("opening", flush=True)
cortexdb.open(sys.argv[1], modules=["slowtest"]).close()
print("done", flush=True)
"""


def _consistent(home: Path) -> bool:
    """Ledger and schema agree for the slow migration; the file passes integrity_check."""
    conn = apsw.Connection(str(home / "tier1.db"))
    try:
        assert conn.execute("PRAGMA integrity_check").get == "ok"
        in_ledger = bool(conn.execute(
            "SELECT 1 FROM cortexdb_migrations WHERE module = 'slowtest' AND version = 1").get)
        has_table = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'slow_data'").get)
        has_index = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'slow_data_payload'").get)
        assert in_ledger == has_table == has_index
        if has_table:
            assert conn.execute("SELECT count(*) FROM slow_data").get == 400000
        return in_ledger
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_mid_migration_leaves_all_or_nothing(tmp_path: Path, extra_schema: Path) -> None:
    write_migration(extra_schema, "slowtest", "tier1", 1, "slow", SLOW_SQL)
    env = {**os.environ, "CORTEXDB_SCHEMA_PATH": str(extra_schema)}
    rng = random.Random(1234)
    outcomes = []
    for trial in range(6):
        home = tmp_path / f"s{trial}"
        cortexdb.open(home).close()
        proc = subprocess.Popen([sys.executable, "-c", SLOW_OPENER, str(home)], stdout=subprocess.PIPE, env=env, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "opening"
        time.sleep(rng.uniform(0.0, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        outcomes.append(_consistent(home))
        with cortexdb.open(home, modules=["slowtest"]) as db:  # reopening completes the migration
            assert db.query("SELECT count(*) AS n FROM slow_data")[0]["n"] == 400000
        assert _consistent(home)
    assert False in outcomes, "at least one kill should land before the commit"
