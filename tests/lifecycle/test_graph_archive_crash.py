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
from crash_test import GRAPH_CHILD, graph_state, kill_after, make_graph_template

pytestmark = pytest.mark.slow

NODES, FILLERS = 12, 4


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Nodes with observations, tags and relations; the newest archived, their ids then reused."""
    home = tmp_path_factory.mktemp("gtpl") / "store"
    make_graph_template(home, NODES, FILLERS)
    return home


def _state(db) -> dict[str, list[tuple]]:
    """Every graph row by stable identity, whichever tier it is in; no row on both sides or doubled."""
    state = graph_state(db)
    for name in ("nodes", "relations"):
        assert len(state[name]) == len(set(state[name])), f"{name}: a row is on both sides or doubled"
    return state


def test_sigkill_during_graph_archival_loses_and_doubles_nothing(template, tmp_path):
    with cortexdb.open(template) as db:
        expected = _state(db)
    assert len(expected["nodes"]) == NODES + 1 + FILLERS and len(expected["observations"]) == 2 * NODES + FILLERS
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
