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
