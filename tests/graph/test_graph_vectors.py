"""Graph vectors: declaring the space, validation, semantic and hybrid search, the derived index,
the numpy fallback, plain-sqlite3 readability and embeddings through archive and cold storage."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

import cortexdb
from cortexdb import ValidationError
from cortexdb.vectors import backend

DIM = 8


def unit_vectors(n: int, dim: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def fill(db: cortexdb.Store, vectors: np.ndarray, *, kinds: tuple[str, ...] = ("a", "b")) -> list[int]:
    return db.graph.upsert_entities([{"name": f"n{i}", "kind": kinds[i % len(kinds)], "embedding": vec.tolist()}
                                     for i, vec in enumerate(vectors)])


def exact(vectors: np.ndarray, ids: list[int], query: np.ndarray, k: int, allowed: set[int] | None = None) -> list[int]:
    distances = 1 - (vectors @ query) / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
    order = sorted(range(len(ids)), key=lambda i: (distances[i], ids[i]))
    return [ids[i] for i in order if allowed is None or ids[i] in allowed][:k]


def test_enable_is_recorded_and_refuses_a_different_space(db, tmp_path):
    assert db.graph.vector_config() is None
    cfg = db.graph.enable_vectors(dim=DIM, metric="cosine")
    assert (cfg.dim, cfg.metric) == (DIM, "cosine")
    assert db.graph.enable_vectors(dim=DIM, metric="cosine") == cfg
    with pytest.raises(ValidationError) as error:
        db.graph.enable_vectors(dim=DIM, metric="l2")
    assert error.value.field == "metric"
    with pytest.raises(ValidationError) as error:
        db.graph.enable_vectors(dim=DIM + 1, metric="cosine")
    assert error.value.field == "dim"
    for bad in (0, -1, 10**6, 1.5, True, "8"):
        with pytest.raises(ValidationError):
            db.graph.enable_vectors(dim=bad)
    db.close()
    with cortexdb.open(tmp_path / "s") as again:
        assert again.graph.vector_config() == cfg


@pytest.mark.parametrize(("bad", "why"), [
    ([1.0] * (DIM - 1), "dimensions"), ([float("nan")] + [1.0] * (DIM - 1), "finite"),
    ([float("inf")] + [1.0] * (DIM - 1), "finite"), ([1e39] + [1.0] * (DIM - 1), "finite"),
    ([0.0] * DIM, "zero vector"), ("abcdefgh", "sequence"), (["x"] * DIM, "numbers"), (42, "sequence"),
])
def test_bad_vectors_are_refused_and_nothing_is_written(db, bad, why):
    db.graph.enable_vectors(dim=DIM)
    with pytest.raises(ValidationError, match=why) as error:
        db.graph.upsert_entity("x", kind="k", observations=["o"], embedding=bad)
    assert error.value.field == "embedding"
    with pytest.raises(ValidationError) as error:
        db.graph.upsert_entities([{"name": "ok", "kind": "k", "embedding": [1.0] * DIM},
                                  {"name": "bad", "kind": "k", "embedding": bad}])
    assert error.value.field == "items[1].embedding"
    with pytest.raises(ValidationError):
        db.graph.add_pattern("p", "t", "c", "solution", embedding=bad)
    assert db.execute("SELECT count(*) FROM tier2.graph_entities")[0][0] == 0
    assert db.execute("SELECT count(*) FROM tier2.graph_embeddings")[0][0] == 0


def test_vectors_need_the_space_enabled(db):
    with pytest.raises(ValidationError, match="enable_vectors") as error:
        db.graph.upsert_entity("x", kind="k", embedding=[1.0] * DIM)
    assert error.value.field == "embedding"
    assert db.graph.find() == []
    with pytest.raises(ValidationError, match="not enabled"):
        db.graph.search(embedding=[1.0] * DIM, method="semantic")


def test_search_arguments_are_validated(db):
    db.graph.enable_vectors(dim=DIM)
    for kwargs, field in [({"method": "fuzzy", "query": "x"}, "method"), ({"method": "semantic"}, "embedding"),
                          ({"method": "hybrid", "embedding": [1.0] * DIM}, "query"),
                          ({"method": "hybrid", "query": "x", "embedding": [1.0] * DIM, "weights": (1, -1)}, "weights"),
                          ({"method": "hybrid", "query": "x", "embedding": [1.0] * DIM, "rrf_k": 0}, "rrf_k"),
                          ({"method": "semantic", "embedding": [1.0] * 3}, "embedding")]:
        with pytest.raises(ValidationError) as error:
            db.graph.search(**kwargs)
        assert error.value.field == field


def test_semantic_filters_apply_inside_the_search(db):
    db.graph.enable_vectors(dim=DIM)
    vectors = unit_vectors(600, DIM)
    ids = fill(db, vectors, kinds=("common",) * 19 + ("rare",))
    db.graph.tag(ids[5], ["chosen"])
    rare = {i for n, i in enumerate(ids) if n % 20 == 19}
    query = vectors[3]
    hits = db.graph.search(embedding=query.tolist(), method="semantic", kinds=["rare"], limit=10)
    assert [h.entity.id for h in hits] == exact(vectors, ids, query, 10, rare)
    assert all(h.entity.kind == "rare" and h.distance is not None and h.score == -h.distance for h in hits)
    assert [h.entity.id for h in db.graph.search(embedding=query.tolist(), method="semantic", tags=["chosen"])] == [ids[5]]


def test_same_answers_with_and_without_the_extension(tmp_path, monkeypatch):
    vectors = unit_vectors(3000, 32, seed=7)
    queries = unit_vectors(15, 32, seed=8)
    results = {}
    for mode in ("1", "0"):
        monkeypatch.setenv("CORTEXDB_SQLITE_VEC", mode)
        with cortexdb.open(tmp_path / "s") as db:
            if mode == "1":
                db.graph.enable_vectors(dim=32)
                ids = fill(db, vectors)
            assert backend(db) == ("sqlite-vec" if mode == "1" else "numpy")
            results[mode] = [[(h.entity.id, h.distance) for h in db.graph.search(embedding=q.tolist(), method="semantic",
                                                                              kinds=["a"], limit=10)] for q in queries]
    for with_ext, without in zip(results["1"], results["0"], strict=True):
        assert [i for i, _ in with_ext] == [i for i, _ in without]
        assert np.allclose([d for _, d in with_ext], [d for _, d in without], atol=1e-5)
    assert [i for i, _ in results["1"][0]] == exact(vectors, ids, queries[0], 10, set(ids[0::2]))


def test_the_index_follows_writes_from_another_connection(tmp_path):
    vectors = unit_vectors(50, DIM)
    with cortexdb.open(tmp_path / "s") as db, cortexdb.open(tmp_path / "s") as other:
        db.graph.enable_vectors(dim=DIM)
        ids = fill(db, vectors)
        query = vectors[10].tolist()
        assert other.graph.search(embedding=query, method="semantic", limit=1)[0].entity.id == ids[10]
        db.graph.delete_entity(ids[10])                        # a deletion makes the index rebuild
        assert other.graph.search(embedding=query, method="semantic", limit=1)[0].entity.id != ids[10]
        db.graph.set_embedding(ids[20], query)                 # a changed vector is picked up
        assert other.graph.search(embedding=query, method="semantic", limit=1)[0].entity.id == ids[20]
        db.execute("UPDATE tier2.graph_embeddings SET embedding = ? WHERE entity_id = ?",  # a raw edit too
                   (np.asarray(query, dtype="<f4").tobytes(), ids[30]))
        top = [h.entity.id for h in other.graph.search(embedding=query, method="semantic", limit=2)]
        assert sorted(top) == sorted([ids[20], ids[30]])


def test_hybrid_fuses_ranks_and_reports_both_scores(db):
    db.graph.enable_vectors(dim=2, metric="l2")
    g = db.graph
    g.upsert_entity("alpha", kind="doc", observations=["the zebra code"], embedding=[10.0, 0.0])
    g.upsert_entity("beta", kind="doc", observations=["unrelated words"], embedding=[0.0, 0.1])
    g.upsert_entity("gamma", kind="doc", observations=["zebra again"], embedding=[0.0, 0.2])
    hits = g.search("zebra", embedding=[0.0, 0.0], method="hybrid", limit=3)
    by_name = {h.entity.name: h for h in hits}
    assert hits[0].entity.name == "gamma"  # second in both rankings beats first in one
    assert by_name["beta"].text_score is None and by_name["beta"].distance == pytest.approx(0.1)
    assert by_name["alpha"].text_score is not None and by_name["alpha"].distance == pytest.approx(10.0)
    assert hits == sorted(hits, key=lambda h: -h.score)
    text_only = g.search("zebra", embedding=[0.0, 0.0], method="hybrid", weights=(1.0, 0.0))
    assert {h.entity.name for h in text_only[:2]} == {"alpha", "gamma"}
    assert g.search("zebra")[0].distance is None  # the text method as before


def test_embedder_fills_missing_vectors_and_embeds_query_text(db):
    seen: list[list[str]] = []

    def embedder(texts: list[str]) -> list[list[float]]:
        seen.append(texts)
        return [[1.0, float("cat" in t)] for t in texts]

    db.graph.enable_vectors(dim=2)
    db.set_embedder(embedder)
    db.graph.upsert_entity("pet", kind="animal", observations=["a cat"])
    db.graph.upsert_entity("car", kind="machine", observations=["an engine"], embedding=[0.0, 1.0])
    assert seen == [["pet (animal)\na cat"]]
    assert db.graph.embedding("car") == [0.0, 1.0]
    db.graph.add_observations("car", ["no felines"])           # the text changed: embedded again
    assert db.graph.embedding("car") == [1.0, 0.0]
    hits = db.graph.search("cat", method="semantic", limit=1)  # query text through the embedder
    assert hits[0].entity.name == "pet"

    def broken(texts: list[str]) -> list[list[float]]:
        raise RuntimeError("model missing")

    db.set_embedder(broken)
    with pytest.raises(ValidationError, match="model missing"):
        db.graph.upsert_entity("new", kind="k")
    assert db.graph.find(kind="k") == []
    db.set_embedder(None)
    with pytest.raises(ValidationError):
        db.set_embedder("not callable")  # type: ignore[arg-type]


def test_tier_file_stays_readable_by_plain_sqlite3(db, tmp_path):
    db.graph.enable_vectors(dim=DIM)
    vectors = unit_vectors(20, DIM)
    fill(db, vectors)
    db.graph.search(embedding=vectors[0].tolist(), method="semantic")  # the derived index exists now
    plain = sqlite3.connect(tmp_path / "s" / "tier2.db")
    try:
        assert plain.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert not plain.execute("SELECT name FROM sqlite_master WHERE sql LIKE '%vec0%'").fetchall()
        blobs = plain.execute("SELECT embedding FROM graph_embeddings ORDER BY entity_id").fetchall()
        assert np.allclose(np.frombuffer(blobs[3][0], dtype="<f4"), vectors[3])
        for (name,) in plain.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'graph_s%'"):
            plain.execute(f'SELECT * FROM "{name}"').fetchall()
    finally:
        plain.close()


def test_embeddings_follow_archive_restore_and_cold_storage(db, tmp_path: Path):
    db.graph.enable_vectors(dim=DIM)
    vectors = unit_vectors(3, DIM)
    ids = fill(db, vectors)
    uuid = db.graph.get_entity(ids[1], touch=False).uuid
    db.archive.move("graph_nodes", [uuid])
    assert db.execute("SELECT count(*) FROM tier2.graph_embeddings")[0][0] == 2
    assert db.execute("SELECT embedding FROM tier3.archived_graph_embeddings WHERE entity_uuid = ?", (uuid,))[0][0] == \
        vectors[1].astype("<f4").tobytes()
    assert "n1" not in [h.entity.name for h in db.graph.search(embedding=vectors[1].tolist(), method="semantic")]
    info = db.archive.export("vectors")
    with cortexdb.open(tmp_path / "other") as other:
        assert other.archive.import_bundle(info.path).tables["archived_graph_embeddings"]["inserted"] == 1
        assert other.execute("SELECT embedding FROM tier3.archived_graph_embeddings WHERE entity_uuid = ?",
                             (uuid,))[0][0] == vectors[1].astype("<f4").tobytes()
    db.archive.restore("graph_nodes", [uuid])
    top = db.graph.search(embedding=vectors[1].tolist(), method="semantic", limit=1)[0]
    assert top.entity.name == "n1" and top.distance == pytest.approx(0.0, abs=1e-6)


@pytest.mark.slow
def test_knn_recall_at_10_on_50k_by_384(tmp_path):
    vectors = unit_vectors(50_000, 384, seed=3)
    queries = unit_vectors(20, 384, seed=4)
    with cortexdb.open(tmp_path / "s") as db:
        db.graph.enable_vectors(dim=384)
        ids = db.graph.upsert_entities([{"name": f"n{i}", "kind": "k", "embedding": v} for i, v in enumerate(vectors)])
        assert backend(db) == "sqlite-vec"
        found = [[h.entity.id for h in db.graph.search(embedding=q, method="semantic", limit=10)] for q in queries]
    truth = [exact(vectors, ids, q, 10) for q in queries]
    recall = sum(len(set(f) & set(t)) for f, t in zip(found, truth, strict=True)) / (10 * len(queries))
    assert recall >= 0.99


def test_without_extension_or_numpy_writes_work_and_search_says_what_to_install(tmp_path, monkeypatch):
    from cortexdb import vectors

    monkeypatch.setenv("CORTEXDB_SQLITE_VEC", "0")
    monkeypatch.setattr(vectors, "_numpy", lambda: None)
    with cortexdb.open(tmp_path / "s") as db:
        db.graph.enable_vectors(dim=3)
        db.graph.upsert_entity("a", kind="k", observations=["apples"], embedding=(1, 2.5, -3))  # the pure-Python checks
        for bad, why in [([1, 2], "dimensions"), ([True, 1, 1], "numbers"), ([0, 0, 0], "zero"), ([1, float("nan"), 1], "finite")]:
            with pytest.raises(ValidationError, match=why):
                db.graph.upsert_entity("b", kind="k", embedding=bad)
        assert db.graph.embedding("a") == [1.0, 2.5, -3.0]
        assert backend(db) == "none"
        with pytest.raises(cortexdb.SemanticSearchUnavailable, match="pip install sqlite-vec"):
            db.graph.search(embedding=[1, 0, 0], method="semantic")
        assert db.graph.search("apples")[0].entity.name == "a"  # text search still works


def test_time_filters_and_reembed(db, clock):
    db.graph.enable_vectors(dim=2)
    db.graph.upsert_entity("old", kind="k", embedding=[1.0, 0.0])
    clock.advance(3600)
    db.graph.upsert_entity("new", kind="k", embedding=[1.0, 0.1])
    cutoff = clock() - 1800
    assert [h.entity.name for h in db.graph.search(embedding=[1.0, 0.0], method="semantic", since=cutoff)] == ["new"]
    assert [h.entity.name for h in db.graph.search(embedding=[1.0, 0.0], method="semantic", until=cutoff)] == ["old"]
    with pytest.raises(ValidationError) as error:
        db.graph.reembed()
    assert error.value.field == "embedder"
    db.set_embedder(lambda texts: [[0.0, 1.0] for _ in texts])
    assert db.graph.reembed() == 2
    assert db.graph.embedding("old") == [0.0, 1.0]
