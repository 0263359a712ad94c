"""Several processes appending to one conversation: no errors, exact counts."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import cortexdb

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import cortexdb
    home, cid, n, worker, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], Path(sys.argv[5])
    with cortexdb.open(home, busy_timeout=120) as db:
        conv = db.conversations.resume(cid)
        while not go.exists():
            time.sleep(0.005)
        for i in range(n):
            conv.add_message("user", f"worker {worker} message {i}", metadata={"w": worker, "i": i})
        db.memory.set(f"done-{worker}", n, namespace="workers")
    print("ok")
""")


@pytest.mark.slow
def test_four_processes_append_2000_messages_each(tmp_path):
    home = tmp_path / "s"
    with cortexdb.open(home) as db:
        cid = db.conversations.start("shared").conversation_id
    go = tmp_path / "go"
    n, workers = 2000, 4
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(home), cid, str(n), str(w), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(workers)]
    go.touch()
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=False):
        assert proc.returncode == 0, err
        assert out.strip() == "ok"
    with cortexdb.open(home) as db:
        info = db.conversations.get(cid)
        assert info.message_count == n * workers
        rows = db.query("SELECT json_extract(metadata, '$.w') AS w, count(*) AS n, count(DISTINCT content) AS d "
                        "FROM messages WHERE conversation_id = ? GROUP BY w ORDER BY w", (cid,))
        assert rows == [{"w": str(w), "n": n, "d": n} for w in range(workers)]
        assert db.memory.namespaces() == {"workers": workers}
        assert len(db.conversations.search("worker message", per_conversation=True)) == 1


BATCHER = textwrap.dedent("""
    import sys
    import cortexdb
    home, cid = sys.argv[1], sys.argv[2]
    with cortexdb.open(home) as db:
        conv = db.conversations.resume(cid)
        batch = 0
        while True:
            conv.add_messages([("user", f"batch {batch} row {i}") for i in range(250)])
            batch += 1
            if batch == 2:
                print("ready", flush=True)
""")


@pytest.mark.slow
def test_sigkill_during_batches_leaves_whole_batches(tmp_path):
    import signal
    import time

    home = tmp_path / "s"
    with cortexdb.open(home) as db:
        cid = db.conversations.start("crash").conversation_id
    proc = subprocess.Popen([sys.executable, "-c", BATCHER, str(home), cid], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.2)  # let it run into the middle of a batch; the assertion below does not depend on timing
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with cortexdb.open(home) as db:
        rows = db.query("SELECT count(*) AS n FROM messages WHERE conversation_id = ?", (cid,))[0]["n"]
        assert rows >= 500 and rows % 250 == 0
        assert db.conversations.get(cid).message_count == rows
        db.execute("INSERT INTO tier1.messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
        assert len(db.conversations.search("row", limit=10_000)) == min(rows, 10_000)
