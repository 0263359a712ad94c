"""Migration tier2 0004 on a store that already holds relations (current and ended, repeated
triples): the rows survive, the one-current rule still holds, traversal and history still work."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import tier_before

import cortexdb
from cortexdb import IntegrityError


def _tier2_before_0004(home: Path) -> None:
    """tier2.db as cortexdb made it before 0004: every earlier migration, then some relations."""
    with tier_before(home, "tier2", 4) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'graph_relations_current_in'").get == 1
        conn.execute("INSERT INTO graph_namespaces (name, created_at) VALUES ('default', 'x') ON CONFLICT DO NOTHING")
        for name in ("a", "b", "c"):
            conn.execute("INSERT INTO graph_entities (namespace, name, kind, created_at, updated_at) "
                         "VALUES ('default', ?, 'k', 't0', 't0')", (name,))
        rows = [(1, "r", 2, "t0", "t1", "t0", "t1"), (1, "r", 2, "t1", "t1", "t1", "t1"),  # ended twice, same end
                (1, "r", 2, "t1", None, "t1", None), (3, "r", 1, "t0", None, "t0", None)]
        conn.executemany("INSERT INTO graph_relations (source_id, relation_type, target_id, valid_from, valid_to, "
                         "recorded_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def test_relations_survive_the_index_change(tmp_path: Path) -> None:
    home = tmp_path / "s"
    _tier2_before_0004(home)
    with cortexdb.open(home) as db:
        assert any("0004_relation_indexes" in label for label in db.migrated)
        indexes = {r[0] for r in db.execute("SELECT name FROM tier2.sqlite_master WHERE tbl_name = 'graph_relations' "
                                            "AND type = 'index' AND name NOT LIKE 'sqlite_%'")}
        assert indexes == {"graph_relations_key", "graph_relations_target"}
        g = db.graph
        assert len(g.relations("a", direction="out", include_ended=True)) == 3
        assert [r.target_name for r in g.relations("a", direction="out")] == ["b"]
        assert [r.source_name for r in g.relations("a", direction="in")] == ["c"]
        assert [(n.entity.name, n.depth) for n in g.neighbors("c", depth=2, direction="out")] == [("a", 1), ("b", 2)]
        with pytest.raises(IntegrityError), db.transaction():  # still one current (a, r, b)
            db.execute("INSERT INTO tier2.graph_relations (source_id, relation_type, target_id, valid_from, recorded_at) "
                       "VALUES (1, 'r', 2, 't2', 't2')")
        g.delete_entity("a")  # the cascade finds its relations through both indexes
        assert db.execute("SELECT count(*) FROM tier2.graph_relations")[0][0] == 0
        assert db.execute("PRAGMA tier2.integrity_check")[0][0] == "ok"
