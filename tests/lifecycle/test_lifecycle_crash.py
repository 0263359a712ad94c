"""SIGKILL at random points of archival and export, then reopen: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest
from lifecycle_helpers import census, populate

import cortexdb

pytestmark = pytest.mark.slow

ARCHIVE_CHILD = r"""
import sys, cortexdb
db = cortexdb.open(sys.argv[1])
print("ready", flush=True)
while True:
    live = [r[0] for r in db.execute("SELECT conversation_id FROM tier1.conversations")]
    db.archive.move("conversations", live, batch_size=3)
    gone = [r[0] for r in db.execute("SELECT conversation_id FROM tier3.archived_conversations")]
    db.archive.restore("conversations", gone, batch_size=4)
"""

EXPORT_CHILD = r"""
import sys, cortexdb
db = cortexdb.open(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    db.archive.export(f"b{i}")
    i += 1
"""


def _kill_after(script: str, home, delay: float) -> None:
    proc = subprocess.Popen([sys.executable, "-c", script, str(home)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"ready", proc.stderr.read().decode()
        time.sleep(delay)
        assert proc.poll() is None, proc.stderr.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    home = tmp_path_factory.mktemp("tpl") / "store"
    with cortexdb.open(home) as db:
        populate(db, 12, 4)
        db.archive.move("conversations", [f"c{i:05d}" for i in range(0, 12, 2)])
    return home


def _check(home) -> int:
    with cortexdb.open(home) as db:
        interrupted = len(db.archive.interrupted())
        db.archive.resume()
        assert db.archive.interrupted() == []
        counts = census(db)
        assert counts["conversations"][0] + counts["conversations"][1] == 12, counts
        assert counts["messages"][0] + counts["messages"][1] == 48, counts
        assert counts["conversation_actions"][0] + counts["conversation_actions"][1] == 12, counts
        assert counts["conversation_state_snapshots"][0] + counts["conversation_state_snapshots"][1] == 12, counts
        assert all(both == 0 for _l, _a, both in counts.values()), counts
        for tier in ("tier0", "tier1", "tier2", "tier3"):
            assert db.execute(f"PRAGMA {tier}.integrity_check") == [("ok",)]
            assert db.execute(f"PRAGMA {tier}.foreign_key_check") == []
        # and the store keeps working: one more full cycle
        live = [r[0] for r in db.execute("SELECT conversation_id FROM tier1.conversations")]
        db.archive.move("conversations", live)
        assert census(db)["conversations"] == (0, 12, 0)
    return interrupted


def test_sigkill_during_archival_loses_and_doubles_nothing(template, tmp_path):
    rng = random.Random(5)
    trials, hits = 30, 0
    for trial in range(trials):
        home = tmp_path / f"t{trial}"
        shutil.copytree(template, home)
        _kill_after(ARCHIVE_CHILD, home, rng.uniform(0.0, 0.25))
        hits += _check(home) > 0
        shutil.rmtree(home)
    assert hits >= 3, f"only {hits} of {trials} kills interrupted an operation"


def test_sigkill_during_export_leaves_no_bundle_or_a_verified_one(template, tmp_path):
    rng = random.Random(7)
    partial = 0
    for trial in range(6):
        home = tmp_path / f"e{trial}"
        shutil.copytree(template, home)
        _kill_after(EXPORT_CHILD, home, rng.uniform(0.0, 0.4))
        with cortexdb.open(home) as db:
            cold = home / "cold"
            names = db.archive.bundles()
            for name in names:
                report = db.archive.verify(cold / name)
                assert report.ok, report
            for entry in (cold.iterdir() if cold.exists() else []):
                assert entry.name in names or entry.name.startswith("."), entry
                partial += entry.name.startswith(".")
        shutil.rmtree(home)
    assert partial >= 2, "the kills should land inside an export at least twice"
