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
    # Calls of 40 entities write about 70 WAL pages each, so every commit wakes the thread and the
    # last one is copied back whole after the loop; with calls under 50 pages, a last call that
    # follows a WAL restart woke nothing and left its frames for the write below to append to.
    for start in range(0, 400, 40):
        tools.create_entities(_entities(start, 40))
    assert checkpointer.wait_idle(30)
    assert checkpointer.checkpoints >= 1 and checkpointer.restarts >= 1
    assert checkpointer.inline_checkpoints == 0
    assert set(calls) == {threading.main_thread().name}  # the hook itself only signals
    # Every frame was copied back, so the next write starts the WAL over: a small WAL again.
    sizes: list[int] = []
    db.conn.set_wal_hook(lambda conn, schema, pages: sizes.append(pages) or 0)
    tools.create_entities(_entities(400, 1))
    assert sizes and sizes[-1] < 50
    # Everything written is in the tier file once checkpointed and the store closed cleanly.
    home = db.home
    db.close()
    assert not checkpointer._thread.is_alive()
    with cortexdb.open(home) as again:
        assert again.execute("SELECT count(*) FROM tier2.graph_entities")[0][0] == 401
        assert again.execute("PRAGMA tier2.integrity_check")[0][0] == "ok"


def test_hard_limit_checkpoints_in_line_when_the_thread_falls_behind(db: cortexdb.Store) -> None:
    checkpointer = BackgroundCheckpointer(db, pages=40, hard_limit=120)
    checkpointer.close()  # the thread is gone: only the hook's hard limit is left
    tools = MemoryTools(db)
    biggest = 0
    for start in range(0, 2000, 20):
        tools.create_entities(_entities(start, 20))
        biggest = max(biggest, _wal_frames(db.home))
    assert checkpointer.inline_checkpoints > 0
    assert biggest < 120 + 150  # the limit plus one call's frames (without it: about 5,000)


def test_continuous_writes_with_the_thread_lose_nothing(db: cortexdb.Store) -> None:
    """Back-to-back writes give the thread's checkpoints no quiet moment: the WAL still stays
    within a small multiple of the limit, and every row is there afterwards."""
    BackgroundCheckpointer(db, pages=40, hard_limit=120)
    tools = MemoryTools(db)
    biggest = 0
    for start in range(0, 6000, 20):
        tools.create_entities(_entities(start, 20))
        biggest = max(biggest, _wal_frames(db.home))
    assert biggest < 2_000
    assert db.execute("SELECT count(*) FROM tier2.graph_entities")[0][0] == 6000
    assert db.execute("PRAGMA tier2.integrity_check")[0][0] == "ok"


def test_rejects_a_limit_below_the_threshold(db: cortexdb.Store) -> None:
    with pytest.raises(cortexdb.ValidationError, match="pages <= hard_limit"):
        BackgroundCheckpointer(db, pages=100, hard_limit=10)
