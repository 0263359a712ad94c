"""LangGraph long-term store with semantic search: CortexStore beside LangGraph's InMemoryStore.

Both stores get the same IndexConfig (a deterministic hashing bag-of-words embedder, 128
dimensions, field ``text``) and the same 5,000 items in 10 namespaces; the embedder is cheap, so
the figures are the stores' own work. ``search(query=...)`` runs 50 queries, top 10, across all
namespaces, then with a namespace prefix and a filter (one kind in four). The put case (info)
writes 200 items, embedding included, as one batch each side; CortexStore writes them to disk.
"""

from __future__ import annotations

import itertools
import random
import re
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langgraph.store.base import IndexConfig, PutOp
from langgraph.store.memory import InMemoryStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case

import cortexdb
from cortexdb.langgraph import CortexStore

ITEMS, DIMS, QUERIES, TOP = 5000, 128, 50, 10
KINDS = ("note", "fact", "task", "event")


def embed(texts: Sequence[str]) -> list[list[float]]:
    out = []
    for text in texts:
        vector = [0.0] * DIMS
        for word in re.findall(r"\w+", text):
            h = zlib.crc32(word.encode())
            vector[h % DIMS] += 1.0 + (h >> 8) % 89 / 89  # uneven weights: few exact ties between items
        out.append(vector)
    return out


def make_items() -> tuple[list[tuple[tuple[str, ...], str, dict[str, Any]]], list[str]]:
    rng = random.Random(7)
    words = [f"w{n}" for n in range(2000)]
    items = [(("memories", f"user{n % 10}"), f"item{n}",
              {"text": " ".join(rng.choices(words, k=12)), "kind": KINDS[n % 4], "n": n}) for n in range(ITEMS)]
    queries = [" ".join(rng.choices(words, k=4)) for _ in range(QUERIES)]
    return items, queries


def cases(workdir: Path) -> list[Case]:
    items, queries = make_items()
    index = IndexConfig(dims=DIMS, embed=embed, fields=["text"])
    db = cortexdb.open(workdir / "cortex-store")
    cortex = CortexStore(db, index=index)
    memory = InMemoryStore(index=index)
    for store in (cortex, memory):
        for chunk in range(0, ITEMS, 500):
            store.batch([PutOp(ns, key, value) for ns, key, value in items[chunk:chunk + 500]])

    def search(store: Any) -> None:
        for query in queries:
            assert len(store.search((), query=query, limit=TOP)) == TOP

    def search_filtered(store: Any) -> None:
        for query in queries:
            assert len(store.search(("memories",), query=query, filter={"kind": "fact"}, limit=TOP)) == TOP

    check = [(i.key, round(i.score or 0, 5)) for i in cortex.search((), query=queries[0], limit=TOP)]
    expected = [(i.key, round(i.score or 0, 5)) for i in memory.search((), query=queries[0], limit=TOP)]
    agree = "same top 10 and scores" if check == expected else f"top 10 differ: {check} vs {expected}"
    print(f"    CortexStore vs InMemoryStore on query 0: {agree}")

    runs = itertools.count()
    fresh = [[PutOp(("bench", "puts"), f"p{n}", value) for n, (_ns, _key, value) in enumerate(items[:200])]]

    def put(store: Any) -> None:
        run = next(runs)
        store.batch([PutOp(("bench", f"r{run}"), op.key, op.value) for op in fresh[0]])

    return [
        Case(f"search(query) top {TOP} over {ITEMS} items x {DIMS} dims vs InMemoryStore", ops=QUERIES,
             run=lambda: search(cortex), baseline=lambda: search(memory), notes=agree),
        Case(f"search(query, prefix, filter 1 in 4) top {TOP} vs InMemoryStore", ops=QUERIES,
             run=lambda: search_filtered(cortex), baseline=lambda: search_filtered(memory)),
        Case("(info) put 200 items with embedding, one batch, vs InMemoryStore", ops=200, repeat=7,
             run=lambda: put(cortex), baseline=lambda: put(memory), teardown=db.close,
             notes="CortexStore commits to disk (WAL, synchronous=NORMAL); InMemoryStore keeps dicts"),
    ]
