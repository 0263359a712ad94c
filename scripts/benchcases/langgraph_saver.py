"""LangGraph persistence: CortexSaver beside langgraph-checkpoint-sqlite's SqliteSaver.

The workload is the issue's: 20 threads x 100 steps with a ~10 KB state. One step is what the
Pregel loop asks of a saver: ``put_writes`` of the node's output on the current checkpoint, then
``put`` of the next checkpoint. Threads are interleaved (step 0 of every thread, then step 1, ...),
as when agents run side by side. Each repetition uses fresh thread ids, so every run does the same
work and SqliteSaver grows by one run's worth while CortexSaver keeps its last 20 per thread.

- ``put``: 2,000 steps, each side with its defaults (SqliteSaver: WAL, sqlite3's synchronous=FULL;
  cortexdb tier 1: WAL, synchronous=NORMAL). Two info cases give SqliteSaver synchronous=NORMAL
  too, so the comparison does not rest on fsync alone: CortexSaver with its retention, and without.
- ``latest read``: ``get_tuple`` of each thread's latest checkpoint (20 reads), both savers holding
  the same 20 x 100 history.
- bytes on disk after one run of the workload on fresh files (WAL checkpointed), CortexSaver with
  its default retention (20 per thread) beside SqliteSaver: printed, and kept in the put case's notes.
"""

from __future__ import annotations

import itertools
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import empty_checkpoint
from langgraph.checkpoint.sqlite import SqliteSaver

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case

import cortexdb
from cortexdb.langgraph import CortexSaver

THREADS, STEPS, KEEP = 20, 100, 20


def make_steps() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(checkpoint, metadata) per step: ~10 KB of messages; ids increase like LangGraph's uuid6."""
    steps = []
    for step in range(STEPS):
        checkpoint = empty_checkpoint()
        checkpoint["channel_values"] = {"messages": [f"message {i} of step {step}: " + "lorem ipsum " * 8 for i in range(100)],
                                        "count": step}
        checkpoint["channel_versions"] = {"messages": f"{step + 1:032}.0", "count": f"{step + 1:032}.0"}
        steps.append((checkpoint, {"source": "loop", "step": step, "parents": {}}))
    return steps


def drive(saver: Any, prefix: str, steps: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    configs = [{"configurable": {"thread_id": f"{prefix}-{t}", "checkpoint_ns": ""}} for t in range(THREADS)]
    for step, (checkpoint, metadata) in enumerate(steps):
        for t in range(THREADS):
            if step:
                saver.put_writes(configs[t], [("count", step)], f"task-{step}")
            configs[t] = saver.put(configs[t], checkpoint, metadata, {"count": checkpoint["channel_versions"]["count"]})


def disk_bytes(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())


def disk_after_one_run(workdir: Path, steps: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    """Bytes on disk after one run of the workload on fresh files, WAL checkpointed: CortexSaver
    with its default retention beside SqliteSaver."""
    with cortexdb.open(workdir / "disk-cortex") as db:
        saver = CortexSaver(db)
        drive(saver, "disk", steps)
        db.execute("PRAGMA tier1.wal_checkpoint(TRUNCATE)")
        kept = db.execute("SELECT count(*), sum(length(checkpoint)) FROM tier1.langgraph_checkpoints")[0]
        tier1 = disk_bytes([db.home / "tier1.db", db.home / "tier1.db-wal"])
        store = disk_bytes([p for p in db.home.iterdir() if p.is_file()])
    path = workdir / "disk-sqlite.db"
    with closing(sqlite3.connect(path, check_same_thread=False)) as conn:
        drive(SqliteSaver(conn), "disk", steps)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw_rows = conn.execute("SELECT count(*) FROM checkpoints").fetchone()[0]
    raw = disk_bytes([path, Path(f"{path}-wal")])
    text = (f"disk after one run: CortexSaver tier1.db {tier1 / 1e6:.1f} MB ({kept[0]} checkpoints kept = "
            f"{THREADS} threads x {saver.keep_last}, {kept[1] / 1e6:.1f} MB of checkpoint blobs; whole store "
            f"{store / 1e6:.1f} MB) vs SqliteSaver {raw / 1e6:.1f} MB ({raw_rows} checkpoints)")
    print("    " + text)
    return text


def cases(workdir: Path) -> list[Case]:
    steps = make_steps()
    db = cortexdb.open(workdir / "cortex")
    cortex = CortexSaver(db, keep_last=KEEP)
    sqlite_path = workdir / "sqlite-saver.db"
    sqlite_conn = sqlite3.connect(sqlite_path, check_same_thread=False)
    baseline = SqliteSaver(sqlite_conn)
    baseline.setup()
    normal_path = workdir / "sqlite-saver-normal.db"
    normal_conn = sqlite3.connect(normal_path, check_same_thread=False)
    normal = SqliteSaver(normal_conn)
    normal.setup()
    normal_conn.execute("PRAGMA synchronous = NORMAL")
    runs = itertools.count()

    put_case = Case(f"put: {THREADS} threads x {STEPS} steps, 10 KB state", ops=THREADS * STEPS, target=1.0, repeat=7,
                    run=lambda: drive(cortex, f"c{next(runs)}", steps),
                    baseline=lambda: drive(baseline, f"s{next(runs)}", steps))
    put_case.notes = disk_after_one_run(workdir, steps)
    put_normal = Case("(info) put vs SqliteSaver synchronous=NORMAL", ops=THREADS * STEPS, repeat=7,
                      run=lambda: drive(cortex, f"c{next(runs)}", steps),
                      baseline=lambda: drive(normal, f"n{next(runs)}", steps),
                      notes="both sides WAL + synchronous=NORMAL (no fsync per commit)")
    unbounded = CortexSaver(db, keep_last=None)
    put_unbounded = Case("(info) put, no retention, vs synchronous=NORMAL", ops=THREADS * STEPS, repeat=7,
                         run=lambda: drive(unbounded, f"u{next(runs)}", steps),
                         baseline=lambda: drive(normal, f"n{next(runs)}", steps),
                         notes="CortexSaver(keep_last=None): what retention's deletes cost, by difference")

    # -- latest-checkpoint reads over the same full history ---------------------------------------
    read_db = cortexdb.open(workdir / "cortex-read")
    history = CortexSaver(read_db, keep_last=None)
    read_conn = sqlite3.connect(workdir / "sqlite-read.db", check_same_thread=False)
    read_baseline = SqliteSaver(read_conn)
    drive(history, "read", steps)
    drive(read_baseline, "read", steps)
    latest = [{"configurable": {"thread_id": f"read-{t}", "checkpoint_ns": ""}} for t in range(THREADS)]

    def read(saver: Any) -> None:
        for config in latest:
            assert saver.get_tuple(config).checkpoint["channel_values"]["count"] == STEPS - 1

    read_case = Case("latest checkpoint read (get_tuple)", ops=THREADS, target=1.5,
                     run=lambda: read(history), baseline=lambda: read(read_baseline),
                     notes="each thread holds 100 checkpoints on both sides")

    def close() -> None:
        for handle in (db, read_db, sqlite_conn, normal_conn, read_conn):
            handle.close()

    read_case.teardown = close
    return [put_case, put_normal, put_unbounded, read_case]
