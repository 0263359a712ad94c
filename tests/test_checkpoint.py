"""The background WAL checkpointer of long-lived processes (cortexdb._checkpoint)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import apsw
import pytest

import cortexdb
from cortexdb._checkpoint import PAGE_BYTES, BackgroundCheckpointer
from cortexdb.mcp import MemoryTools


def _entities(start: int, n: int) -> list[dict]:
    return [{"name": f"e{i}", "entityType": "t", "observations": [f"fact {i} " + "x" * 400]} for i in range(start, start + n)]


def _wal_frames(home: Path) -> int:
    """The size of tier2's WAL file, in frames (page + 24-byte frame header)."""
    return os.path.getsize(home / "tier2.db-wal") // (PAGE_BYTES + 24)


def test_checkpoints_run_on_the_thread_not_in_the_commit(db: cortexdb.Store) -> None:
    checkpointer = BackgroundCheckpointer(db, pages=50, hard_limit=100_000)
    calls: list[str] = []
    original = checkpointer._hook

    def spy(conn: apsw.Connection, schema: str, pages: int) -> int:
        calls.append(threading.current_thread().name)
        return original(conn, schema, pages)

    db.conn.set_wal_hook(spy)
    tools = MemoryTools(db)
    for start in range(0, 400, 20):
        tools.create_entities(_entities(start, 20))
    assert checkpointer.wait_idle(30)
    assert checkpointer.checkpoints >= 1
    assert set(calls) == {threading.main_thread().name}  # the hook itself only signals
    # Everything written is in the tier file once checkpointed and the store closed cleanly.
    home = db.home
    db.close()
    assert not checkpointer._thread.is_alive()
    with cortexdb.open(home) as again:
        assert again.execute("SELECT count(*) FROM tier2.graph_entities")[0][0] == 400
        assert again.execute("PRAGMA tier2.integrity_check")[0][0] == "ok"


def test_continuous_writes_keep_the_wal_bounded(db: cortexdb.Store) -> None:
    """A writer that never pauses leaves the thread's checkpoints no moment to restart the WAL; the
    in-line checkpoint at the hard limit lets it start over instead of growing."""
    BackgroundCheckpointer(db, pages=40, hard_limit=120)
    tools = MemoryTools(db)
    biggest = 0
    for start in range(0, 3000, 20):
        tools.create_entities(_entities(start, 20))
        biggest = max(biggest, _wal_frames(db.home))
    # A few calls past the limit at most (the in-line checkpoint waits for the thread's pass to
    # end); without the limit this loop grows the WAL past 7,000 frames.
    assert biggest < 4 * 120
    assert db.execute("SELECT count(*) FROM tier2.graph_entities")[0][0] == 3000


def test_rejects_a_limit_below_the_threshold(db: cortexdb.Store) -> None:
    with pytest.raises(cortexdb.ValidationError, match="pages <= hard_limit"):
        BackgroundCheckpointer(db, pages=100, hard_limit=10)
