"""Several processes writing audited rows and sealing at once still build one valid chain per tier."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import cortexdb

WORKER = textwrap.dedent("""
    import sys, cortexdb
    home, name = sys.argv[1], sys.argv[2]
    with cortexdb.open(home, busy_timeout=30) as db:
        for i in range(40):
            with db.audit.actor(name):
                db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, "
                           "relation) VALUES ('file', ?, 'entity', 'E', 'generated')", (f"{name}-{i}",))
                db.execute("INSERT INTO tier0.governance_settings (key, value, updated_at) VALUES (?, '1', 'now')",
                           (f"{name}-{i}",))
            if i % 5 == 0:
                db.audit.seal()
""")


def test_concurrent_writers_and_sealers_keep_every_chain_valid(tmp_path: Path) -> None:
    home = tmp_path / "s"
    cortexdb.open(home).close()
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(home), f"w{n}"]) for n in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    with cortexdb.open(home) as db:
        report = db.audit.verify()
        assert report.ok, report.broken()
        links = db.audit.log(tier="tier2", table="provenance_links", limit=1000)
        assert len(links) == 120 and {e.actor for e in links} == {"w0", "w1", "w2"}
        assert all(e.position for e in links)
        positions = [e.position for e in db.audit.log(tier="tier0", limit=10_000)]
        assert positions == list(range(1, len(positions) + 1))


CRASHER = textwrap.dedent("""
    import sys, cortexdb
    with cortexdb.open(sys.argv[1]) as db:
        i = 0
        while True:
            with db.transaction():
                for j in range(20):
                    db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, "
                               "target_ref, relation) VALUES ('file', ?, 'entity', 'E', 'generated')", (f"{i}-{j}",))
                    db.execute("INSERT INTO tier3.boundary_events (event_type, path, allowed) VALUES ('read', ?, 0)",
                               (f"/x/{i}/{j}",))
            db.audit.seal()
            i += 1
            print(i, flush=True)
""")


def test_sigkill_while_writing_and_sealing_leaves_verifiable_chains(tmp_path: Path) -> None:
    import signal

    home = tmp_path / "s"
    cortexdb.open(home).close()
    for round_ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", CRASHER, str(home)], stdout=subprocess.PIPE, text=True)
        for _ in range(5 + 7 * round_):  # let it seal a few batches, then kill it mid-flight
            assert proc.stdout.readline()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        with cortexdb.open(home) as db:
            report = db.audit.verify()
            assert report.ok, report.broken()
            assert all(t.unsealed == 0 for t in report.tiers)
