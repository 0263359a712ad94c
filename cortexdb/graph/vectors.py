"""Embeddings of graph nodes (entities and patterns): enabling, writing, reading, re-embedding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import vectors as v
from . import _common as c
from .model import Entity, Pattern

if TYPE_CHECKING:
    from ..store import Store

SPACE = v.SPACES["graph"]
_WRITE = ("INSERT INTO tier2.graph_embeddings (entity_id, embedding, generation) VALUES (?, ?, ?) "
          "ON CONFLICT (entity_id) DO UPDATE SET embedding = excluded.embedding, generation = excluded.generation")
# The text an embedder sees for a node: ``name (kind)`` then title, content and observations.
_TEXT = ("SELECT id, name || ' (' || kind || ')' || CASE WHEN body = '' THEN '' ELSE char(10) || body END "
         "FROM tier2.graph_entities WHERE id IN (SELECT value FROM json_each(?))")


def prepare(store: Store, embeddings: Mapping[int, Any], field: str) -> dict[int, bytes]:
    """Validate caller-given vectors (``{item index: vector}``) before anything is written."""
    if not embeddings:
        return {}
    cfg = v.require(store, SPACE, field)
    return {i: v.encode(cfg, value, field.format(i=i)) for i, value in embeddings.items()}


def write(store: Store, ids: Sequence[int], given: Mapping[int, bytes], *, embed_missing: Iterable[int] = ()) -> None:
    """Inside a write transaction: store the given vectors (``{position in ids: bytes}``) and, when
    an embedder is registered, embed the nodes at ``embed_missing`` positions from their text."""
    rows = [(ids[i], blob) for i, blob in given.items()]
    embedder = store.embedder
    wanted = [ids[i] for i in dict.fromkeys(embed_missing) if i not in given] if embedder else []
    if wanted and embedder is not None:
        cfg = v.config(store, SPACE)
        if cfg is not None:
            texts = dict(store.execute(_TEXT, (c.int_list(wanted),)))
            order = [i for i in wanted if i in texts]
            vectors = v.embed_texts(embedder, [texts[i] for i in order], "embedding")
            rows += [(i, v.encode(cfg, vec, "embedding")) for i, vec in zip(order, vectors, strict=True)]
    if rows:
        generation = v.next_generation(store, SPACE)
        store.conn.executemany(_WRITE, [(i, blob, generation) for i, blob in rows])


class VectorsMixin:
    """Vector methods of :class:`cortexdb.graph.Graph`."""

    store: Store

    def enable_vectors(self, *, dim: int, metric: str = "cosine") -> v.VectorConfig:
        """Declare the graph's vector space once: ``dim`` numbers per vector, ``metric`` ``"cosine"``
        or ``"l2"``. Recorded in the store; every vector written is checked against it. Enabling
        again with the same values is a no-op; different values raise ValidationError."""
        return v.enable(self.store, SPACE, dim, metric)

    def vector_config(self) -> v.VectorConfig | None:
        """The declared dimension and metric, or None when vectors are not enabled."""
        return v.config(self.store, SPACE)

    def set_embedding(self, node: Entity | Pattern | int | str, embedding: Sequence[float], *,
                      namespace: str = "default") -> None:
        """Store (or replace) the vector of one entity or pattern."""
        blob = prepare(self.store, {0: embedding}, "embedding")
        with self.store.transaction():
            node_id = c.resolve(self.store, node if not isinstance(node, Pattern) else node.id, namespace=namespace)
            write(self.store, [node_id], blob)

    def embedding(self, node: Entity | Pattern | int | str, *, namespace: str = "default") -> list[float] | None:
        """The node's stored vector (float32 values as floats), or None if it has none."""
        import array

        node_id = c.resolve(self.store, node if not isinstance(node, Pattern) else node.id, namespace=namespace)
        rows = self.store.execute("SELECT embedding FROM tier2.graph_embeddings WHERE entity_id = ?", (node_id,))
        if not rows:
            return None
        values = array.array("f")
        values.frombytes(rows[0][0])
        return values.tolist()

    def reembed(self, *, namespace: str | None = None) -> int:
        """Embed every node of ``namespace`` (default: all) with the registered embedder,
        replacing stored vectors; returns how many were written."""
        if self.store.embedder is None:
            from ..errors import ValidationError

            raise ValidationError("embedder", "no embedder registered; call db.set_embedder(callable) first")
        v.require(self.store, SPACE, "embedding")
        with self.store.transaction():
            sql = "SELECT id FROM tier2.graph_entities" + (" WHERE namespace = ?" if namespace is not None else "")
            ids = [r[0] for r in self.store.execute(sql, (c.namespace_name(namespace),) if namespace is not None else ())]
            write(self.store, ids, {}, embed_missing=range(len(ids)))
        return len(ids)
