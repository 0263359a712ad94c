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
    for proc, (out, err) in zip(procs, results):
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
