"""SIGKILL at random points of archival and export, then reopen: nothing lost, nothing doubled."""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import pytest
from lifecycle_helpers import census, populate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from crash_test import ARCHIVE_CHILD, kill_after

import cortexdb

pytestmark = pytest.mark.slow

EXPORT_CHILD = r"""
import sys, cortexdb
db = cortexdb.open(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    db.archive.export(f"b{i}")
    i += 1
"""


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
        kill_after(ARCHIVE_CHILD, home, rng.uniform(0.0, 0.25))
        hits += _check(home) > 0
        shutil.rmtree(home)
    assert hits >= 3, f"only {hits} of {trials} kills interrupted an operation"


def test_sigkill_during_export_leaves_no_bundle_or_a_verified_one(template, tmp_path):
    rng = random.Random(7)
    partial = 0
    for trial in range(6):
        home = tmp_path / f"e{trial}"
        shutil.copytree(template, home)
        kill_after(EXPORT_CHILD, home, rng.uniform(0.0, 0.4))
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
