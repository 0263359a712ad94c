"""Migration tier2 0010 on a store holding entities: graph_substring merges 16 segments at a time
afterwards, its index still holds every entity, and substring search finds them as before."""

from __future__ import annotations

from pathlib import Path

from store_helpers import tier_before

import cortexdb


def test_substring_index_survives_the_automerge_change(tmp_path: Path) -> None:
    home = tmp_path / "s"
    with tier_before(home, "tier2", 10) as conn:
        conn.execute("INSERT INTO graph_namespaces (name, created_at) VALUES ('default', 'x') ON CONFLICT DO NOTHING")
        for n in range(30):
            conn.execute("INSERT INTO graph_entities (namespace, name, kind, body, created_at, updated_at) "
                         "VALUES ('default', ?, 'service', ?, 't0', 't0')", (f"svc-{n:02d}", f"handles Payments {n}"))
        assert conn.execute("SELECT v FROM graph_substring_config WHERE k = 'automerge'").get == 8
    with cortexdb.open(home) as db:
        assert any("0010_substring_automerge_16" in label for label in db.migrated)
        assert db.execute("SELECT v FROM tier2.graph_substring_config WHERE k = 'automerge'")[0][0] == 16
        hits = db.execute("SELECT rowid FROM tier2.graph_substring WHERE graph_substring MATCH '\"ayment\"' ORDER BY rowid")
        assert [r[0] for r in hits] == list(range(1, 31))
        db.graph.upsert_entities([{"name": f"new-{n}", "kind": "service", "observations": [f"bills Payments {n}"]}
                                  for n in range(20)])
        assert len(db.execute("SELECT rowid FROM tier2.graph_substring WHERE graph_substring MATCH '\"ayment\"'")) == 50
        db.execute("INSERT INTO tier2.graph_substring (graph_substring, rank) VALUES ('integrity-check', 1)")
