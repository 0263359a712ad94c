"""Embeddings of messages (tier 1): writing them beside the messages, semantic and hybrid search."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import vectors as v

if TYPE_CHECKING:
    from ..store import Store

SPACE = v.SPACES["messages"]
_WRITE = ("INSERT INTO tier1.message_embeddings (message_id, conversation_id, embedding, generation) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (message_id) DO UPDATE SET embedding = excluded.embedding, generation = excluded.generation")
_HIT = ("SELECT m.id, m.conversation_id, m.role, m.created_at, m.content, c.title, c.archived FROM tier1.messages m "
        "JOIN tier1.conversations c ON c.conversation_id = m.conversation_id WHERE m.id IN (SELECT value FROM json_each(?))")

Row = tuple[int, float, str | None, float | None, float | None]
"""(message id, score, snippet or None, text score, distance) of one ranked message."""


def prepare(store: Store, embeddings: Mapping[int, Any], field: str) -> dict[int, bytes]:
    """Validate caller-given vectors (``{item index: vector}``) before anything is written."""
    if not embeddings:
        return {}
    cfg = v.require(store, SPACE, field)
    return {i: v.encode(cfg, value, field.format(i=i)) for i, value in embeddings.items()}


def write(store: Store, conversation_id: str, ids: Sequence[int], contents: Sequence[str], given: Mapping[int, bytes]) -> None:
    """Inside a write transaction: store the given vectors (``{position: bytes}``) and embed the
    other non-empty messages with the registered embedder, if any."""
    rows = [(ids[i], blob) for i, blob in given.items()]
    embedder = store.embedder
    if embedder is not None:
        wanted = [i for i, text in enumerate(contents) if i not in given and text.strip()]
        cfg = v.config(store, SPACE) if wanted else None
        if cfg is not None:
            vectors = v.embed_texts(embedder, [contents[i] for i in wanted], "embedding")
            rows += [(ids[i], v.encode(cfg, vec, "embedding")) for i, vec in zip(wanted, vectors, strict=True)]
    if rows:
        generation = v.next_generation(store, SPACE)
        store.conn.executemany(_WRITE, [(mid, conversation_id, blob, generation) for mid, blob in rows])


def ranked(store: Store, query: str | None, embedding: Any, method: str, *, limit: int, depth: int,
           weights: tuple[float, float], rrf_k: float,
           text_ranked: Callable[[int], list[tuple[int, float, str]]]) -> list[Row]:
    """Messages ranked by ``"semantic"`` distance or ``"hybrid"`` fusion with ``text_ranked(n)``
    (the best ``n`` ``(message id, bm25, snippet)`` text matches)."""
    cfg = v.require(store, SPACE, "embedding")
    if embedding is None:
        embedder = store.query_embedder
        assert embedder is not None and query is not None  # check_method made sure
        [embedding] = v.embed_texts(embedder, [query], "embedding")
    blob = v.encode(cfg, embedding, "embedding")
    near = v.nearest(store, SPACE, cfg, blob, limit if method == "semantic" else depth)
    if method == "semantic":
        return [(key, -dist, None, None, dist) for key, dist in near]
    texts = {key: (rank, snip) for key, rank, snip in (text_ranked(depth) if query is not None else [])}
    fused = v.fuse([list(texts), [key for key, _ in near]], weights, rrf_k)[:limit]
    dist = dict(near)
    missing = [key for key, _ in fused if key not in dist]
    dist.update(v.distances(store, SPACE, cfg, blob, missing))
    return [(key, score, texts[key][1] if key in texts else None, texts[key][0] if key in texts else None,
             dist.get(key)) for key, score in fused]


def hit_rows(store: Store, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """``{message id: (id, conversation_id, role, created_at, content, title, archived)}``."""
    from ..graph._common import int_list

    return {row[0]: row for row in store.execute(_HIT, (int_list(ids),))}
