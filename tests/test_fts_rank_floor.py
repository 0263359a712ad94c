"""Search ranks at most RANKED_CANDIDATES matches (the newest): queries with fewer matches rank
exactly as full scoring does; very common ones rank the newest candidates; filters that leave
too few of them fall back to ranking every match."""

from __future__ import annotations

import pytest

import cortexdb
from cortexdb import _fts

FULL = ("SELECT f.rowid FROM tier1.messages_fts f WHERE messages_fts MATCH ? ORDER BY f.rank LIMIT ?")


@pytest.fixture
def filled(db: cortexdb.Store) -> cortexdb.Store:
    conv = db.conversations.start("load")
    rows = []
    for i in range(400):
        words = [f"w{i % 37}", f"v{i % 11}", "common"] + (["rare"] * (1 + i % 3) if i % 20 == 0 else [])
        rows.append(("user", " ".join(words) + f" filler{i % 5}" * (i % 4), None))
    conv.add_messages(rows)
    return db


def test_few_matches_rank_exactly_as_full_scoring(filled: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 50)
    for query in ("rare", "w3", "v5 w7"):
        expected = [r[0] for r in filled.execute(FULL, (" ".join(f'"{w}"' for w in query.split()), 10))]
        hits = [h.message_id for h in filled.conversations.search(query, limit=10) if h.message_id]
        assert hits == expected and expected, query


def test_common_queries_rank_the_newest_candidates(filled: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 50)
    newest = [r[0] for r in filled.execute(
        "SELECT rowid FROM tier1.messages_fts WHERE messages_fts MATCH '\"common\"' ORDER BY rowid DESC LIMIT 50")]
    hits = [h.message_id for h in filled.conversations.search("common", limit=20) if h.message_id]
    assert len(hits) == 20 and set(hits) <= set(newest)
    by_score = [r[0] for r in filled.execute(
        "SELECT f.rowid FROM tier1.messages_fts f WHERE messages_fts MATCH '\"common\"' AND f.rowid >= ? "
        "ORDER BY f.rank LIMIT 20", (min(newest),))]
    assert hits == by_score  # the same bm25 order as full scoring, within the candidates
    # a window wider than the candidates falls back to every match
    assert len([h for h in filled.conversations.search("common", limit=80) if h.message_id]) == 80


def test_graph_filters_fall_back_to_every_match(db: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 10)
    db.graph.upsert_entity("old-db", kind="database", observations=["shared words here"])
    for i in range(40):
        db.graph.upsert_entity(f"file{i}", kind="file", observations=["shared words here"])
    assert [h.entity.name for h in db.graph.search("shared words", kinds=["database"])] == ["old-db"]
    assert len(db.graph.search("shared words", limit=10)) == 10
