"""SIGKILL at random points while graph nodes move to the archive and back (ids reused meanwhile):
after reopening and resuming, every node, observation, tag and relation exists exactly once."""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import pytest

import cortexdb

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from crash_test import GRAPH_CHILD, kill_after  # noqa: E402  (one child program and killer, shared)

pytestmark = pytest.mark.slow

NODES, FILLERS = 12, 4
PAIRS = {"graph_entities": ("archived_graph_entities", "uuid", "uuid"),
         "graph_relations": ("archived_graph_relations", "uuid", "uuid")}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    home = tmp_path_factory.mktemp("gtpl") / "store"
    with cortexdb.open(home) as db:
        g = db.graph
        for i in range(NODES):
            g.upsert_entity(f"n{i}", kind="k", observations=[f"obs {i} a", f"obs {i} b"], tags=[f"t{i % 3}"])
        for i in range(NODES):
            g.relate(f"n{i}", "next", f"n{(i + 1) % NODES}")
            g.relate(f"n{i}", "skip", f"n{(i + 5) % NODES}")
        g.add_pattern("pat", "A pattern", "content", "solution")
        g.relate("pat", "about", "n0")
        # archive the newest nodes, then let new ones take their ids: restores must remap
        newest = [r[0] for r in db.execute("SELECT uuid FROM tier2.graph_entities ORDER BY id DESC LIMIT ?", (FILLERS,))]
        db.archive.move("graph_nodes", newest)
        for i in range(FILLERS):
            g.upsert_entity(f"filler{i}", kind="k", observations=[f"filler obs {i}"])
    return home


def _state(db) -> dict[str, object]:
    """Everything the graph holds, by stable identity, whichever tier it is in."""
    out: dict[str, object] = {}
    for live, (arch, key, akey) in PAIRS.items():
        ids = [r[0] for r in db.execute(f"SELECT {key} FROM tier2.{live} UNION ALL SELECT {akey} FROM tier3.{arch}")]
        assert len(ids) == len(set(ids)), f"{live}: a row is on both sides or doubled"
        out[live] = sorted(ids)
    out["observations"] = sorted(db.execute(
        "SELECT e.uuid, o.content FROM tier2.graph_observations o JOIN tier2.graph_entities e ON e.id = o.entity_id "
        "UNION ALL SELECT entity_uuid, content FROM tier3.archived_graph_observations"))
    out["tags"] = sorted(db.execute(
        "SELECT e.uuid, t.tag FROM tier2.graph_tags t JOIN tier2.graph_entities e ON e.id = t.entity_id "
        "UNION ALL SELECT entity_uuid, tag FROM tier3.archived_graph_tags"))
    out["edges"] = sorted(db.execute(
        "SELECT r.uuid, s.uuid, t.uuid FROM tier2.graph_relations r JOIN tier2.graph_entities s ON s.id = r.source_id "
        "JOIN tier2.graph_entities t ON t.id = r.target_id "
        "UNION ALL SELECT uuid, source_uuid, target_uuid FROM tier3.archived_graph_relations"))
    out["patterns"] = db.execute("SELECT count(*) FROM tier2.graph_patterns")[0][0] + \
        db.execute("SELECT count(*) FROM tier3.archived_graph_patterns")[0][0]
    return out


def test_sigkill_during_graph_archival_loses_and_doubles_nothing(template, tmp_path):
    with cortexdb.open(template) as db:
        expected = _state(db)
    assert len(expected["graph_entities"]) == NODES + 1 + FILLERS and len(expected["observations"]) == 2 * NODES + FILLERS
    rng = random.Random(11)
    trials, hits, kinds = 12, 0, set()
    for trial in range(trials):
        home = tmp_path / f"t{trial}"
        shutil.copytree(template, home)
        kill_after(GRAPH_CHILD, home, rng.uniform(0.05, 0.4))
        with cortexdb.open(home) as db:
            ops = db.archive.interrupted()
            hits += bool(ops)
            kinds.update(f"{o.kind}:{o.state}" for o in ops)
            db.archive.resume()
            assert db.archive.interrupted() == []
            assert _state(db) == expected
            for tier in ("tier2", "tier3"):
                assert db.execute(f"PRAGMA {tier}.integrity_check") == [("ok",)]
                assert db.execute(f"PRAGMA {tier}.foreign_key_check") == []
            assert db.execute("INSERT INTO tier2.graph_search(graph_search, rank) VALUES ('integrity-check', 1)") == []
            # and it keeps working: everything back to tier 2, searchable
            gone = [r[0] for r in db.execute("SELECT uuid FROM tier3.archived_graph_entities")]
            db.archive.restore("graph_nodes", gone)
            assert _state(db) == expected
            assert db.execute("SELECT count(*) FROM tier3.archived_graph_entities")[0][0] == 0
            assert len(db.graph.search("obs", limit=100)) == NODES + FILLERS
        shutil.rmtree(home)
    assert hits >= 4 and any(k.startswith("restore") for k in kinds), (hits, kinds)
