"""Search ranks at most RANKED_CANDIDATES matches (the newest): queries with fewer matches rank
exactly as full scoring does; very common ones rank the newest candidates; filters that leave
too few of them fall back to ranking every match."""

from __future__ import annotations

import json
import math

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


def _count(db: cortexdb.Store, table: str, expr: str) -> int:
    name = table.rsplit(".", 1)[-1]
    return int(db.execute(f"SELECT count(*) FROM {table} WHERE {name} MATCH ?", (expr,))[0][0])


def _idf(rows: int, matches: int) -> float:
    return max(math.log((rows - matches + 0.5) / (matches + 0.5)), 1e-6)


@pytest.mark.parametrize("query", ['"common"', '"rare" "common"', '"w3" OR "v5"', '"filler1"'])
def test_own_bm25_with_counted_frequencies_is_fts5_bm25(filled: cortexdb.Store, query: str) -> None:
    rows = _count(filled, "tier1.messages_fts", '"common"')
    assert _fts.total_rows(filled.execute, "tier1.messages_fts") == rows == 400
    phrases = [p for p in query.split() if p != "OR"]
    idf = json.dumps([_idf(rows, _count(filled, "tier1.messages_fts", p)) for p in phrases])
    builtin = filled.execute("SELECT rowid, bm25(messages_fts) FROM tier1.messages_fts WHERE messages_fts MATCH ? "
                             "ORDER BY 2, 1", (query,))
    own = filled.execute("SELECT rowid, cortexdb_bm25(messages_fts, ?) FROM tier1.messages_fts "
                         "WHERE messages_fts MATCH ? ORDER BY 2, 1", (idf, query))
    assert [r[0] for r in own] == [r[0] for r in builtin] and builtin
    assert [r[1] for r in own] == pytest.approx([r[1] for r in builtin], rel=1e-12)


def test_own_bm25_applies_column_weights_as_fts5(db: cortexdb.Store) -> None:
    for i in range(30):
        db.graph.upsert_entity(f"alpha{i % 3} node{i}", kind="alpha" if i % 4 == 0 else "file",
                               observations=["alpha beta " * (i % 5) + "gamma"])
    rows = _fts.total_rows(db.execute, "tier2.graph_search")
    for query in ('"alpha"', '"alpha" AND "gamma"', '"beta" OR "node3"'):
        phrases = [p for p in query.split() if p not in ("AND", "OR")]
        idf = json.dumps([_idf(rows, _count(db, "tier2.graph_search", p)) for p in phrases])
        builtin = db.execute("SELECT rowid, bm25(graph_search, 4.0, 1.0, 1.0) FROM tier2.graph_search "
                             "WHERE graph_search MATCH ? ORDER BY 2, 1", (query,))
        own = db.execute("SELECT rowid, cortexdb_bm25(graph_search, ?, 4.0, 1.0, 1.0) FROM tier2.graph_search "
                         "WHERE graph_search MATCH ? ORDER BY 2, 1", (idf, query))
        assert [r[0] for r in own] == [r[0] for r in builtin] and builtin, query
        assert [r[1] for r in own] == pytest.approx([r[1] for r in builtin], rel=1e-12), query


def test_very_common_phrases_rank_by_estimated_frequency(filled: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A phrase with more than COUNTED_MATCHES matches: the newest candidates are ranked by
    cortexdb_bm25 with its frequency estimated from its newest matches. One phrase keeps bm25's
    order exactly, and the scores stay bm25's up to the estimate (exact here: the word is in
    every row)."""
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 50)
    monkeypatch.setattr(_fts, "WALK_SHARE", 1)  # small tables: estimate whenever counting stops
    monkeypatch.setattr(_fts, "COUNTED_MATCHES", 100)
    floor, idf = _fts.plan(filled.execute, "tier1.messages_fts", '"common"', ['"common"'])
    assert idf is not None and json.loads(idf) == pytest.approx([_idf(400, 400)])
    by_score = filled.execute("SELECT f.rowid, f.rank FROM tier1.messages_fts f WHERE messages_fts MATCH '\"common\"' "
                              "AND f.rowid >= ? ORDER BY f.rank LIMIT 20", (floor,))
    hits = [h for h in filled.conversations.search("common", limit=20) if h.message_id]
    assert [h.message_id for h in hits] == [r[0] for r in by_score]
    assert [h.score for h in hits] == pytest.approx([r[1] for r in by_score], rel=1e-9)
    # FTS5's own bm25 when it counts cheaply: below COUNTED_MATCHES, or below WALK_SHARE a candidate
    monkeypatch.setattr(_fts, "WALK_SHARE", 8)
    assert _fts.plan(filled.execute, "tier1.messages_fts", '"common"', ['"common"']) == (floor, None)
    monkeypatch.setattr(_fts, "WALK_SHARE", 1)
    monkeypatch.setattr(_fts, "COUNTED_MATCHES", 5000)
    assert _fts.plan(filled.execute, "tier1.messages_fts", '"common"', ['"common"']) == (floor, None)


def test_estimates_follow_the_newest_density(db: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A phrase with at most COUNTED_MATCHES matches is counted exactly; a commoner one is
    estimated from the rows spanned by its newest candidates."""
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 20)
    monkeypatch.setattr(_fts, "WALK_SHARE", 1)  # small tables: estimate whenever counting stops
    monkeypatch.setattr(_fts, "COUNTED_MATCHES", 10)
    conv = db.conversations.start("density")
    conv.add_messages([("user", "every" + (" half" if i % 2 else "") + (" few" if i % 50 == 0 else ""), None)
                       for i in range(400)])
    floor, idf = _fts.plan(db.execute, "tier1.messages_fts", '"every" OR "half" OR "few"', ['"every"', '"half"', '"few"'])
    assert floor > 0 and idf is not None
    estimated = json.loads(idf)
    assert estimated[0] == pytest.approx(_idf(400, 400))
    assert estimated[1] == pytest.approx(_idf(400, 20 * 400 / 39), rel=1e-9)  # 20 in a span of 39 rows
    assert estimated[2] == pytest.approx(_idf(400, 8))  # 8 matches: counted


def test_words_fts5_drops_fall_back_to_its_bm25(filled: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A word with no tokens is dropped from FTS5's AND: the phrases no longer line up with the
    estimated frequencies, and the search ranks by FTS5's bm25 instead."""
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 50)
    monkeypatch.setattr(_fts, "WALK_SHARE", 1)  # small tables: estimate whenever counting stops
    monkeypatch.setattr(_fts, "COUNTED_MATCHES", 10)
    expected = [h.message_id for h in filled.conversations.search("common", limit=10)]
    assert [h.message_id for h in filled.conversations.search("common ...", limit=10)] == expected


def test_exhaustive_ranks_every_match(filled: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 50)
    full = [r[0] for r in filled.execute(FULL, ('"common"', 20))]
    bounded = [h.message_id for h in filled.conversations.search("common", limit=20) if h.message_id]
    assert bounded != full
    assert [h.message_id for h in filled.conversations.search("common", limit=20, exhaustive=True)
            if h.message_id] == full


def test_graph_search_ranks_common_words_with_estimates(db: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 20)
    monkeypatch.setattr(_fts, "WALK_SHARE", 1)  # small tables: estimate whenever counting stops
    monkeypatch.setattr(_fts, "COUNTED_MATCHES", 10)
    db.graph.upsert_entities([{"name": f"n{i}", "kind": "file", "observations": ["shared " * (1 + i % 4) + f"w{i % 7}"]}
                              for i in range(120)])
    floor, idf = _fts.plan(db.execute, "tier2.graph_search", '"shared"', ['"shared"'])
    assert floor and idf is not None
    expected = db.execute("SELECT rowid, bm25(graph_search, 4.0, 1.0, 1.0) s FROM tier2.graph_search "
                          "WHERE graph_search MATCH '\"shared\"' AND rowid >= ? ORDER BY s, rowid LIMIT 10", (floor,))
    hits = db.graph.search("shared", limit=10)
    assert [h.entity.id for h in hits] == [r[0] for r in expected]
    assert [h.score for h in hits] == pytest.approx([-r[1] for r in expected], rel=1e-9)  # estimate exact: every row
    full = db.execute("SELECT rowid FROM tier2.graph_search WHERE graph_search MATCH '\"shared\"' "
                      "ORDER BY bm25(graph_search, 4.0, 1.0, 1.0), rowid LIMIT 10")
    assert [h.entity.id for h in db.graph.search("shared", limit=10, exhaustive=True)] == [r[0] for r in full]


def test_words_common_long_ago_are_counted(db: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The newest matches of a word common long ago span many rows, but its frequency is counted
    (up to COUNTED_MATCHES), not taken from them: ranked by FTS5's bm25 while counting is cheap,
    estimated (never below the count) when not."""
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 10)
    monkeypatch.setattr(_fts, "WALK_SHARE", 1)  # small tables: estimate whenever counting stops
    conv = db.conversations.start("history")
    conv.add_messages([("user", "old topic", None)] * 60 + ([("user", "filler", None)] * 49 + [("user", "old", None)]) * 10)
    monkeypatch.setattr(_fts, "COUNTED_MATCHES", 100)
    assert _fts.plan(db.execute, "tier1.messages_fts", '"old"', ['"old"'])[1] is None
    monkeypatch.setattr(_fts, "COUNTED_MATCHES", 20)
    _, idf = _fts.plan(db.execute, "tier1.messages_fts", '"old"', ['"old"'])
    # the newest 10 span 451 of 560 rows (12 expected), but the count already passed 20
    assert idf is not None and json.loads(idf) == pytest.approx([_idf(560, 21)])


def test_per_conversation_widens_the_candidates(db: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Too few conversations among the newest candidates: the window and the candidates widen
    together (15 → 60 → 240 rows here), each conversation's best candidate is kept."""
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 50)
    convs = [db.conversations.start(f"c{n}") for n in range(10)]
    for n, conv in enumerate(convs):
        conv.add_messages([("user", "common" + " filler" * ((i * 7 + n) % 5), None) for i in range(40)])
    hits = db.conversations.search("common", limit=5, per_conversation=True)
    assert len({h.conversation_id for h in hits}) == 5
    floor = _fts.rank_floor(db.execute, "tier1.messages_fts", '"common"', candidates=240)
    best = dict(db.execute(
        "SELECT m.conversation_id, min(f.rank) FROM tier1.messages_fts f JOIN tier1.messages m ON m.id = f.rowid "
        "WHERE messages_fts MATCH '\"common\"' AND f.rowid >= ? GROUP BY m.conversation_id", (floor,)))
    assert [h.score for h in hits] == pytest.approx(sorted(best.values())[:5])
    assert {h.conversation_id for h in hits} <= set(best)


def test_long_spans_are_estimated_without_counting_them(db: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Newest matches spread over more than SPAN_COUNTED rowids: their span is estimated from the
    table's share of live rowids, not counted row by row (which cost milliseconds on large stores)."""
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 10)
    monkeypatch.setattr(_fts, "WALK_SHARE", 1)
    monkeypatch.setattr(_fts, "COUNTED_MATCHES", 10)
    old = db.conversations.start("old")
    old.add_messages([("user", "filler", None)] * 300)
    conv = db.conversations.start("sparse")
    conv.add_messages([("user", "sparse" if i % 20 == 0 else "filler", None) for i in range(600)])
    db.conversations.delete(old.conversation_id)                               # the oldest rows gone, as archival leaves them
    statements: list[str] = []

    def execute(sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        statements.append(sql)
        return db.execute(sql, params)

    expected = json.loads(_fts.plan(db.execute, "tier1.messages_fts", '"sparse"', ['"sparse"'])[1] or "null")
    monkeypatch.setattr(_fts, "SPAN_COUNTED", 50)                 # the newest 10 span 181 rowids
    _, idf = _fts.plan(execute, "tier1.messages_fts", '"sparse"', ['"sparse"'])
    assert not [s for s in statements if "BETWEEN" in s]          # no row-by-row count of the span
    assert idf is not None and json.loads(idf) == pytest.approx(expected)  # the same estimate as counting


def test_one_phrase_with_a_short_idf_walk_is_not_counted(db: cortexdb.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """One phrase whose newest matches put its estimate under WALK_SHARE a candidate is ranked by
    FTS5's bm25 without the count walk (counting could only confirm that choice); a denser one is
    still counted, then estimated."""
    monkeypatch.setattr(_fts, "RANKED_CANDIDATES", 10)
    monkeypatch.setattr(_fts, "WALK_SHARE", 5)                    # threshold 50 matches
    monkeypatch.setattr(_fts, "COUNTED_MATCHES", 20)
    conv = db.conversations.start("mixed")
    conv.add_messages([("user", "dense" + (" sparse" if i % 20 == 0 else ""), None) for i in range(600)])
    statements: list[str] = []

    def execute(sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        statements.append(sql)
        return db.execute(sql, params)

    floor, idf = _fts.plan(execute, "tier1.messages_fts", '"sparse"', ['"sparse"'])  # 30 matches, 10 in 181 rows
    assert floor > 0 and idf is None and not [s for s in statements if "LIMIT 21" in s]
    statements.clear()
    floor, idf = _fts.plan(execute, "tier1.messages_fts", '"dense"', ['"dense"'])    # 600 matches
    assert floor > 0 and [s for s in statements if "LIMIT 21" in s]
    assert idf is not None and json.loads(idf) == pytest.approx([_idf(600, 600)])
