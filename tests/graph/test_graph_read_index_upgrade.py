"""Migration tier2 0009 (the graph's read indexes for search_nodes) on a store that already holds
entities and relations, current and ended: the rows survive, the indexes hold every row, and the
touching-relations answers (both directions, ended ones left out) are what they were."""

from __future__ import annotations

from pathlib import Path

from store_helpers import tier_before

import cortexdb
from cortexdb.mcp import MemoryTools


def _tier2_before_0009(home: Path) -> None:
    """tier2.db as cortexdb made it before 0009, holding a small graph."""
    with tier_before(home, "tier2", 9) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'graph_entities_names'").get == 0
        conn.execute("INSERT INTO graph_namespaces (name, created_at) VALUES ('default', 'x') ON CONFLICT DO NOTHING")
        for name in ("alpha", "beta", "gamma", "delta"):
            conn.execute("INSERT INTO graph_entities (namespace, name, kind, created_at, updated_at) "
                         "VALUES ('default', ?, 'thing', 't0', 't0')", (name,))
        conn.execute("INSERT INTO graph_observations (entity_id, content, created_at) VALUES (1, 'first', 't0'), "
                     "(1, 'second', 't0')")
        rows = [(1, "uses", 2, "t0", None), (3, "uses", 1, "t0", None), (4, "knows", 1, "t0", "t1"),  # ended
                (2, "knows", 3, "t0", None), (4, "uses", 3, "t0", None)]
        conn.executemany("INSERT INTO graph_relations (source_id, relation_type, target_id, valid_from, valid_to, "
                         "recorded_at) VALUES (?, ?, ?, ?, ?, 't0')", rows)


def test_read_indexes_upgrade_a_store_holding_a_graph(tmp_path: Path) -> None:
    home = tmp_path / "s"
    _tier2_before_0009(home)
    with cortexdb.open(home) as db:
        assert any("0009_graph_read_indexes" in label for label in db.migrated)
        columns = [r[2] for r in db.execute("PRAGMA tier2.index_info(graph_relations_target)")]
        assert columns == ["target_id", "valid_from", "source_id", "relation_type", "valid_to"]
        assert [r[2] for r in db.execute("PRAGMA tier2.index_info(graph_entities_names)")] == ["id", "name"]
        assert db.execute("PRAGMA tier2.integrity_check")[0][0] == "ok"
        tools = MemoryTools(db)
        found = tools.search_nodes("alph")
        assert found["entities"] == [{"name": "alpha", "entityType": "thing", "observations": ["first", "second"]}]
        assert found["relations"] == [{"from": "alpha", "to": "beta", "relationType": "uses"},
                                      {"from": "gamma", "to": "alpha", "relationType": "uses"}]
        assert tools.search_nodes_json("alph").value() == found
        opened = tools.open_nodes(["gamma", "beta"])
        assert opened["relations"] == [{"from": "alpha", "to": "beta", "relationType": "uses"},
                                       {"from": "gamma", "to": "alpha", "relationType": "uses"},
                                       {"from": "beta", "to": "gamma", "relationType": "knows"},
                                       {"from": "delta", "to": "gamma", "relationType": "uses"}]
        assert [r.source_name for r in db.graph.relations("alpha", direction="in")] == ["gamma"]
        assert tools.read_graph()["relations"][0] == {"from": "alpha", "to": "beta", "relationType": "uses"}
