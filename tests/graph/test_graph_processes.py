"""Two processes writing the graph at once: every write lands, the FTS index stays consistent."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cortexdb

WRITER = """
import sys, cortexdb
db = cortexdb.open(sys.argv[1])
g = db.graph
tag = sys.argv[2]
for i in range(40):
    g.upsert_entities([{"name": f"{tag}-{i}-{j}", "kind": "k", "observations": [f"word{tag} {j}"]} for j in range(5)])
    g.relate(f"{tag}-{i}-0", "next", f"{tag}-{i}-1")
    g.add_observations(f"{tag}-{i}-0", ["extra"])
db.close()
"""


@pytest.mark.slow
def test_concurrent_writers(tmp_path):
    home = tmp_path / "s"
    cortexdb.open(home).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(home), tag]) for tag in ("a", "b")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    with cortexdb.open(home) as db:
        assert db.query("SELECT count(*) AS n FROM graph_entities")[0]["n"] == 400
        assert db.query("SELECT count(*) AS n FROM graph_relations")[0]["n"] == 80
        assert len(db.graph.search("worda", limit=1000)) == 200
        assert len(db.graph.search("extra", limit=1000)) == 80
        db.execute("INSERT INTO tier2.graph_search(graph_search, rank) VALUES ('integrity-check', 1)")
