"""graph_entities.observations_jsonl (cortex tier2 0011): each entity's observations as JSON
strings, one per line in insertion order, kept by the observation triggers on every path that
writes observations (graph API, MCP tools, archive and restore) and backfilled on upgrade."""

from __future__ import annotations

import json
from pathlib import Path

from store_helpers import tier_before

import cortexdb
from cortexdb.mcp import MemoryTools

TRICKY = ['quote " and \\ backslash', 'ends with a quote and comma ",', "new\nline", "emoji 😀", "\u2028 sep"]


def _jsonl(db: cortexdb.Store, name: str) -> list[str] | None:
    value = db.execute("SELECT observations_jsonl FROM tier2.graph_entities WHERE name = ?", (name,))[0][0]
    return None if value is None else [json.loads(line) for line in value.split("\n")]


def _body(db: cortexdb.Store, name: str) -> str:
    return str(db.execute("SELECT body FROM tier2.graph_entities WHERE name = ?", (name,))[0][0])


def _observations(db: cortexdb.Store, name: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT o.content FROM tier2.graph_observations o JOIN tier2.graph_entities e "
                                     "ON e.id = o.entity_id WHERE e.name = ? ORDER BY o.id", (name,))]


def test_graph_api_writes_keep_the_lines_in_insertion_order(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        db.graph.upsert_entities([{"name": "a", "kind": "k", "observations": TRICKY[:2]},
                                  {"name": "bare", "kind": "k"}])
        assert _jsonl(db, "a") == TRICKY[:2] and _jsonl(db, "bare") is None
        db.graph.add_observations("a", TRICKY[2:])
        db.graph.add_observations("bare", ["first"])
        assert _jsonl(db, "a") == TRICKY == _observations(db, "a") and _jsonl(db, "bare") == ["first"]
        db.graph.remove_observations("a", [TRICKY[0], TRICKY[3]])
        db.graph.remove_observations("bare", ["first"])
        assert _jsonl(db, "a") == [TRICKY[1], TRICKY[2], TRICKY[4]] == _observations(db, "a")
        assert _jsonl(db, "bare") is None
        assert _body(db, "a") == "\n".join(_observations(db, "a"))
        db.graph.add_pattern("p", title="T", content="C", pattern_type="principle")
        db.graph.add_observations("p", ["seen"])
        assert _jsonl(db, "p") == ["seen"]
        assert _body(db, "p") == "T\nC\nseen"


def test_mcp_writes_keep_the_lines_and_answers_match_the_rows(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        tools = MemoryTools(db)
        tools.create_entities([{"name": "n1", "entityType": "t", "observations": TRICKY},
                               {"name": "n2", "entityType": "t", "observations": []}])
        assert _jsonl(db, "n1") == TRICKY and _jsonl(db, "n2") is None
        tools.add_observations([{"entityName": "n2", "contents": ["x", "y"]}])
        tools.delete_observations([{"entityName": "n1", "observations": [TRICKY[1]]}])
        assert _jsonl(db, "n1") == _observations(db, "n1") and _jsonl(db, "n2") == ["x", "y"]
        tools.create_relations([{"from": "n1", "to": "n2", "relationType": "r"}])
        for query in ("n", "n1", "😀"):
            assert tools.search_nodes_json(query).value() == tools.search_nodes(query)
        assert tools.read_graph_json().value() == tools.read_graph()
        assert tools.open_nodes_json(["n2"]).value() == tools.open_nodes(["n2"])


def test_archive_and_restore_bring_the_lines_back(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        db.graph.upsert_entities([{"name": "old", "kind": "k", "observations": TRICKY}])
        uuid = db.graph.get_entity("old", touch=False).uuid
        db.archive.move("graph_nodes", [uuid])
        archived = db.execute("SELECT observations_jsonl FROM tier3.archived_graph_entities WHERE uuid = ?", (uuid,))
        assert [json.loads(line) for line in archived[0][0].split("\n")] == TRICKY
        db.archive.restore("graph_nodes", [uuid])
        assert _jsonl(db, "old") == _observations(db, "old")
        assert sorted(_observations(db, "old")) == sorted(TRICKY)


def test_upgrade_backfills_a_store_holding_entities(tmp_path: Path) -> None:
    home = tmp_path / "s"
    with tier_before(home, "tier2", 11) as conn:
        conn.execute("INSERT INTO graph_namespaces (name, created_at) VALUES ('default', 'x') ON CONFLICT DO NOTHING")
        for name in ("with", "without", "pattern"):
            conn.execute("INSERT INTO graph_entities (namespace, name, kind, created_at, updated_at) "
                         "VALUES ('default', ?, 'thing', 't0', 't0')", (name,))
        conn.execute("INSERT INTO graph_patterns (id, title, content, pattern_type) VALUES (3, 'T', 'C', 'principle')")
        conn.executemany("INSERT INTO graph_observations (entity_id, content, created_at) VALUES (?, ?, 't0')",
                         [(1, "second"), (1, TRICKY[1]), (3, "p1"), (1, "a first")])
        body = conn.execute("SELECT body FROM graph_entities WHERE id = 1").get
    with cortexdb.open(home) as db:
        assert any("0011_entity_observations_jsonl" in label for label in db.migrated)
        assert _jsonl(db, "with") == ["second", TRICKY[1], "a first"]
        assert _jsonl(db, "without") is None and _jsonl(db, "pattern") == ["p1"]
        assert _body(db, "with") == body == f"second\n{TRICKY[1]}\na first"
        assert db.execute("PRAGMA tier2.integrity_check")[0][0] == "ok"
        db.graph.add_observations("with", ["later"])
        assert _jsonl(db, "with") == ["second", TRICKY[1], "a first", "later"]
        tools = MemoryTools(db)
        assert tools.search_nodes_json("with").value() == tools.search_nodes("with")
