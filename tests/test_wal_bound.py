"""Every writable store keeps its WAL files under 64 MiB under sustained writes while a reader in
another process keeps taking snapshots (cortexdb._checkpoint.bound_wal). The reader holds a
snapshot two thirds of the time; one that reads back to back without a pause starves every
checkpoint (SQLite's rule, documented in cortexdb._checkpoint)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cortexdb

READER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
stop = sys.argv[2]
reads = 0
print("ready", flush=True)
import os
while not os.path.exists(stop):
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM messages").fetchone()
    time.sleep(0.2)  # the snapshot stays open meanwhile
    conn.execute("COMMIT")
    reads += 1
    time.sleep(0.02)
print(reads, flush=True)
"""

BOUND = 64 * 1024 * 1024


@pytest.mark.slow
def test_wal_stays_bounded_with_a_reader_taking_snapshots(tmp_path: Path) -> None:
    home = tmp_path / "s"
    stop = tmp_path / "stop"
    with cortexdb.open(home) as db:
        conv = db.conversations.start("load")
        reader = subprocess.Popen([sys.executable, "-c", READER, str(home / "tier1.db"), str(stop)],
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
            wal = home / "tier1.db-wal"
            biggest = written = 0
            sizes: list[int] = []
            started = time.monotonic()
            # three times the bound of WAL frames in all, and long enough for the reader to take
            # snapshots throughout (a fast machine writes it all in about two seconds)
            while written < 3 * BOUND or time.monotonic() - started < 4:
                before = os.path.getsize(wal)
                conv.add_message("user", "a message of ordinary length about logins and cookies " * 3)
                after = os.path.getsize(wal)
                written += max(after - before, 0) or 4096
                biggest = max(biggest, after)
                sizes.append(after)
        finally:
            stop.touch()
            out, _ = reader.communicate(timeout=60)
        assert int(out.strip()) > 10  # the reader really held snapshots throughout
        checkpointer = db.checkpointer
        assert checkpointer is not None and checkpointer.inline_checkpoints + checkpointer.restarts > 0
        assert biggest < BOUND, biggest
        assert db.execute("SELECT count(*) FROM tier1.messages")[0][0] == len(sizes)
        assert db.execute("PRAGMA tier1.integrity_check")[0][0] == "ok"


def test_readonly_store_installs_no_checkpointer(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        assert db.checkpointer is not None
    with cortexdb.open(tmp_path / "s", readonly=True) as db:
        assert db.checkpointer is None


def test_a_second_checkpointer_replaces_the_first(tmp_path: Path) -> None:
    from cortexdb._checkpoint import BackgroundCheckpointer

    with cortexdb.open(tmp_path / "s") as db:
        first = db.checkpointer
        second = BackgroundCheckpointer(db, pages=100, hard_limit=200)
        assert db.checkpointer is second and first is not None and first._stopping
