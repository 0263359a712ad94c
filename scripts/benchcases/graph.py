"""Knowledge graph: bulk upserts, search, neighbors(depth=3) and find beside raw apsw.

The dataset (``GRAPH_BENCH_ENTITIES`` entities, default 100k, with 5 relations each, one
observation each from a Zipf-like vocabulary, properties with an ``engine``) is built once in
setup; the raw baselines run the same statements on their own apsw connection to the same files.
"""

from __future__ import annotations

import itertools
import os
import random
import sys
import time
from pathlib import Path

import apsw
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case

import cortexdb
from cortexdb.graph import entities as graph_entities

N = int(os.environ.get("GRAPH_BENCH_ENTITIES", "100000"))
DEGREE = 5
KINDS = ["file", "function", "class", "module", "database", "service", "change", "issue", "person", "doc"]
ENGINES = ["postgresql", "mysql", "sqlite", "oracle", "mssql", "redis", "mongodb", "duckdb"] + [f"e{i}" for i in range(42)]
VOCAB = [f"w{i}" for i in range(5000)]
WEIGHTS = [1 / (i + 1) for i in range(len(VOCAB))]
BATCH = 2000


def _entity(rng: random.Random, name: str, i: int) -> dict:
    return {"name": name, "kind": KINDS[i % len(KINDS)],
            "properties": {"engine": ENGINES[i % len(ENGINES)], "n": i},
            "observations": [" ".join(rng.choices(VOCAB, WEIGHTS, k=8))]}


def build(home: Path) -> None:
    rng = random.Random(7)
    started = time.perf_counter()
    with cortexdb.open(home) as db:
        if db.execute("SELECT count(*) FROM tier2.graph_entities")[0][0] >= N:
            return
        g = db.graph
        for start in range(0, N, 10_000):
            g.upsert_entities([_entity(rng, f"e{i}", i) for i in range(start, min(N, start + 10_000))])
        ids = [r[0] for r in db.execute("SELECT id FROM tier2.graph_entities ORDER BY id")]
        now = db.timestamp()
        rows = set()
        while len(rows) < N * DEGREE:
            s, t = rng.choice(ids), rng.choice(ids)
            if s != t:
                rows.add((s, rng.choice(("uses", "calls", "fixed_by", "relates_to")), t))
        with db.transaction():
            db.conn.executemany(
                "INSERT OR IGNORE INTO tier2.graph_relations (source_id, relation_type, target_id, valid_from, "
                "recorded_at) VALUES (?, ?, ?, ?, ?)", [(s, r, t, now, now) for s, r, t in rows])
        db.execute("ANALYZE tier2")
    print(f"  (graph dataset: {N} entities, {N * DEGREE} relations, built in {time.perf_counter() - started:.0f}s)",
          file=sys.stderr)


def raw_connection(home: Path) -> apsw.Connection:
    conn = apsw.Connection(":memory:")
    conn.set_busy_timeout(5000)
    conn.execute("PRAGMA foreign_keys = ON")
    for tier in ("tier0", "tier1", "tier2", "tier3"):
        conn.execute(f"ATTACH ? AS {tier}", (str(home / f"{tier}.db"),))
    return conn


RAW_NEIGHBORS = (
    "WITH RECURSIVE walk(id, depth) AS (SELECT ?1, 0 UNION "
    "SELECT r.target_id, w.depth + 1 FROM walk w JOIN tier2.graph_relations r ON r.source_id = w.id "
    "AND r.valid_to IS NULL WHERE w.depth < 3 UNION "
    "SELECT r.source_id, w.depth + 1 FROM walk w JOIN tier2.graph_relations r ON r.target_id = w.id "
    "AND r.valid_to IS NULL WHERE w.depth < 3), "
    "best(id, depth) AS (SELECT id, min(depth) FROM walk WHERE id <> ?1 GROUP BY id ORDER BY 2, 1 LIMIT 100) "
    "SELECT best.depth, e.id, e.name, e.kind, e.properties FROM best JOIN tier2.graph_entities e ON e.id = best.id "
    "ORDER BY best.depth, best.id")
RAW_SEARCH = (
    "SELECT e.id, e.name, e.kind, e.properties, bm25(graph_search, 4.0, 1.0, 1.0) AS rank, "
    "snippet(graph_search, -1, '**', '**', '…', 12) FROM tier2.graph_search "
    "JOIN tier2.graph_entities e ON e.id = graph_search.rowid WHERE graph_search MATCH ? AND e.archived_at IS NULL "
    "ORDER BY rank LIMIT 10")
RAW_DETAILS = (
    "SELECT 0, entity_id, content FROM (SELECT entity_id, content FROM tier2.graph_observations "
    "WHERE entity_id IN (SELECT value FROM json_each(?1)) ORDER BY id) "
    "UNION ALL SELECT 1, entity_id, tag FROM tier2.graph_tags WHERE entity_id IN (SELECT value FROM json_each(?1))")
RAW_FIND = ("SELECT e.id, e.uuid, e.namespace, e.name, e.kind, e.properties, e.confidence, e.pinned, e.access_count, "
            "e.last_accessed, e.archived_at, e.created_at, e.updated_at FROM tier2.graph_entities e WHERE "
            "e.archived_at IS NULL AND json_extract(e.properties, '$.engine') = ? ORDER BY e.id LIMIT 50")


def cases(workdir: Path) -> list[Case]:
    home = workdir / "store"
    build(home)
    db = cortexdb.open(home)
    g = db.graph
    raw = raw_connection(home)
    counter = itertools.count()
    rng = random.Random(11)
    start_ids = itertools.cycle(rng.sample(range(1, N + 1), 200))

    def batch(prefix: str) -> list[dict]:
        k = next(counter)
        return [_entity(rng, f"{prefix}{k}-{i}", i) for i in range(BATCH)]

    def upsert() -> None:
        g.upsert_entities(batch("c"))

    def raw_upsert() -> None:
        items = batch("r")
        now = db.timestamp()
        rows = [{"namespace": "default", "name": it["name"], "kind": it["kind"],
                 "properties": cortexdb._json.dumps(it["properties"]), "confidence": None, "pinned": None, "now": now}
                for it in items]
        raw.execute("BEGIN IMMEDIATE")
        ids = [r[0] for r in raw.executemany(graph_entities._UPSERT, rows)]
        raw.executemany(graph_entities._ADD_OBSERVATION,
                        [(ids[i], o, now) for i, it in enumerate(items) for o in it["observations"]])
        raw.execute("COMMIT")

    def raw_find(engine: str) -> None:
        rows = raw.execute(RAW_FIND, (engine,)).fetchall()
        raw.execute(RAW_DETAILS, (orjson.dumps([r[0] for r in rows]).decode(),)).fetchall()

    queries = itertools.cycle(["w3 w7", "w12", "w1 w40", "w100", "w5 w9 w2"])
    engines = itertools.cycle(ENGINES[:8])

    return [
        Case("bulk upsert 2000 entities (+observation)", upsert, raw_upsert, ops=BATCH, target=2.0, repeat=9,
             notes="one transaction; raw = same INSERT .. ON CONFLICT + observations via executemany"),
        Case("search (FTS5 bm25, top 10)", lambda: g.search(next(queries)),
             lambda: raw.execute(RAW_SEARCH, (_quote(next(queries)),)).fetchall(), target=2.0,
             notes="cortexdb also returns each hit's observations and tags"),
        Case("neighbors(depth=3, both, limit 100)", lambda: g.neighbors(next(start_ids), depth=3, limit=100),
             lambda: raw.execute(RAW_NEIGHBORS, (next(start_ids),)).fetchall(), target=2.0,
             notes="cortexdb also resolves the start node and returns observations and tags"),
        Case("find $.engine = x, limit 50 (expr. index)",
             lambda: g.find(where={"$.engine": next(engines)}, limit=50), lambda: raw_find(next(engines)),
             target=2.0, notes="2000 matches per engine; both fetch the 50 rows with their observations and tags"),
        Case("find, raw without observations (info)",
             lambda: g.find(where={"$.engine": next(engines)}, limit=50),
             lambda: raw.execute(RAW_FIND, (next(engines),)).fetchall(),
             notes="raw returns entity rows only, cortexdb full entities: the cost of the richer result"),
    ]


def _quote(text: str) -> str:
    return " AND ".join(f'"{w}"' for w in text.split())
