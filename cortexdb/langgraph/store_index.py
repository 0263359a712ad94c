"""CortexStore's semantic search: LangGraph's ``IndexConfig`` on cortexdb's vector machinery.

Each embedded text of an item is one float32 row in ``tier1.langgraph_store_vectors`` (field
paths as LangGraph names them: ``"text"``, or ``"tags.0"``, ``"tags.1"`` for a path reaching
several texts). Searching with ``query`` ranks items by cosine similarity (``score`` = 1 - cosine
distance, the best of an item's fields) through :func:`cortexdb.vectors.nearest`, so prefix,
filters and expiry restrict the candidates inside the KNN. Embedding happens before the write
transaction opens, and every vector is checked before anything is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from langgraph.store.base import PutOp, SearchOp
from langgraph.store.base.embed import ensure_embeddings, get_text_at_path, tokenize_path

from .. import vectors as v
from ..errors import CortexError, ValidationError
from ..memory._common import run

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langgraph.store.base import Op

    from ..store import Store

SPACE = v.Space("langgraph_store", "tier1", "langgraph_store_vector_config", "langgraph_store_vectors", "id")
_CANDIDATES = ("JOIN tier1.langgraph_store_vectors lv ON lv.id = v.k "
               "JOIN tier1.langgraph_store s ON s.namespace = lv.namespace AND s.key = lv.key")
_WRITE = ("INSERT INTO tier1.langgraph_store_vectors (namespace, key, field, embedding, generation) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (namespace, key, field) DO UPDATE SET embedding = excluded.embedding, generation = excluded.generation")
_DROP_OTHERS = ("DELETE FROM tier1.langgraph_store_vectors WHERE namespace = ? AND key = ? "
                "AND field NOT IN (SELECT value FROM json_each(?))")

Texts = list[tuple[str, str]]
"""(field path, text) pairs of one put."""


@dataclass
class Embedded:
    """A batch's vectors, checked and encoded: per put op (by position) its ``(field, blob)`` rows,
    per query text its blob."""

    puts: dict[int, list[tuple[str, bytes]]] = field(default_factory=dict)
    queries: dict[str, bytes] = field(default_factory=dict)


class StoreIndex:
    """An ``IndexConfig`` bound to a store: declares the vector space (cosine, ``dims``) once."""

    def __init__(self, db: Store, index: Any) -> None:
        if not isinstance(index, dict):
            raise ValidationError("index", f"must be an IndexConfig dict (dims, embed, fields), got {type(index).__name__}")
        dims = index.get("dims")
        if isinstance(dims, bool) or not isinstance(dims, int) or not 1 <= dims <= v.MAX_DIM:
            raise ValidationError("index.dims", f"must be an integer between 1 and {v.MAX_DIM}, got {dims!r}")
        try:
            self.embeddings: Embeddings = ensure_embeddings(index.get("embed"))
        except Exception as error:  # LangGraph raises ValueError, or an import error for a provider string
            raise ValidationError("index.embed", f"must be an embedding function or Embeddings: {error}") from error
        query = getattr(index.get("embed"), "query", None)
        self._query: Callable[[list[str]], Sequence[Any]] | None = query if callable(query) else None
        """An embedder's own query form (e5's "query: " prefix, like ``db.set_embedder``), if it has one."""
        self.fields = _tokenized("index.fields", index.get("fields") or ["$"])
        existing = v.config(db, SPACE)
        if db.readonly:
            if existing is None:
                raise ValidationError("index", "this read-only store never indexed items for semantic search")
            self.cfg = existing
        else:
            self.cfg = v.enable(db, SPACE, dims, "cosine")
        if self.cfg.dim != dims or self.cfg.metric != "cosine":
            raise ValidationError("index.dims", f"this store's item vectors have {self.cfg.dim} dimensions, not {dims}")

    # -- before the transaction: texts and their vectors --------------------------------------------------------
    def texts(self, ops: Sequence[Op]) -> dict[int, Texts]:
        """The texts each put embeds (by op position): its ``index`` paths, or the default fields."""
        found: dict[int, Texts] = {}
        for i, op in enumerate(ops):
            if not isinstance(op, PutOp) or op.value is None or op.index is False or not isinstance(op.value, dict):
                continue
            paths = self.fields if op.index is None else _tokenized("index", op.index)
            pairs: Texts = []
            for path, tokens in paths:
                texts = get_text_at_path(op.value, tokens)
                if len(texts) == 1:
                    pairs.append((path, texts[0]))
                else:
                    pairs += [(f"{path}.{n}", text) for n, text in enumerate(texts)]
            found[i] = pairs
        return found

    def embed(self, ops: Sequence[Op], texts: dict[int, Texts], documents: list[Any],
              queries: dict[str, Any]) -> Embedded:
        """Check and encode what the embedder returned for ``unique(texts)`` and the queries."""
        unique = _unique(texts)
        if len(documents) != len(unique):
            raise ValidationError("index.embed", f"the embedder returned {len(documents)} vectors for {len(unique)} texts")
        by_text = dict(zip(unique, documents, strict=True))
        out = Embedded()
        for i, pairs in texts.items():
            op = ops[i]
            assert isinstance(op, PutOp)
            out.puts[i] = [(path, v.encode(self.cfg, by_text[text], f"index field {path!r} of item {op.key!r}"))
                           for path, text in pairs]
        out.queries = {q: v.encode(self.cfg, vector, "query") for q, vector in queries.items()}
        return out

    def embed_sync(self, ops: Sequence[Op]) -> Embedded:
        texts = self.texts(ops)
        documents = _call("index.embed", self.embeddings.embed_documents, _unique(texts)) if _unique(texts) else []
        queries = {q: _call("query", self._embed_query, q) for q in _queries(ops)}
        return self.embed(ops, texts, documents, queries)

    async def embed_async(self, ops: Sequence[Op]) -> Embedded:
        texts = self.texts(ops)
        unique = _unique(texts)
        documents = await _acall("index.embed", self.embeddings.aembed_documents, unique) if unique else []
        queries = {q: await _acall("query", self._aembed_query, q) for q in _queries(ops)}
        return self.embed(ops, texts, documents, queries)

    def _embed_query(self, query: str) -> Any:
        return self._query([query])[0] if self._query else self.embeddings.embed_query(query)

    async def _aembed_query(self, query: str) -> Any:
        if self._query:
            return await asyncio.to_thread(self._embed_query, query)
        return await self.embeddings.aembed_query(query)

    # -- inside the transaction ---------------------------------------------------------------------------------------
    def write(self, db: Store, namespace: str, key: str, rows: list[tuple[str, bytes]]) -> None:
        """Make the item's vectors exactly ``rows``: others are deleted, the rest re-embedded in place."""
        conn = db.conn
        conn.execute(_DROP_OTHERS, (namespace, key, orjson.dumps([f for f, _ in rows]).decode()))
        if rows:
            generation = v.next_generation(db, SPACE)
            conn.executemany(_WRITE, [(namespace, key, path, blob, generation) for path, blob in rows])

    def ranked(self, db: Store, query: bytes, where: str, params: list[Any], need: int) -> list[tuple[str, str, float]]:
        """Up to ``need`` ``(namespace, key, score)`` of items passing ``where`` (over ``s``, the
        item), best first; an item scores its best field."""
        named, bound = _named(where, params)
        k = need
        while True:
            near = v.nearest(db, SPACE, self.cfg, query, k, join=_CANDIDATES, where=[named], params=bound)
            owners = dict((row[0], (row[1], row[2])) for row in run(
                db, "SELECT id, namespace, key FROM tier1.langgraph_store_vectors WHERE id IN (SELECT value FROM json_each(?))",
                (orjson.dumps([key for key, _ in near]).decode(),)))
            best: dict[tuple[str, str], float] = {}
            for vector_id, distance in near:
                best.setdefault(owners[vector_id], 1.0 - distance)
            if len(best) >= need or len(near) < k:
                return [(ns, key, score) for (ns, key), score in list(best.items())[:need]]
            k *= 2


def _tokenized(name: str, paths: Any) -> list[tuple[str, Any]]:
    if isinstance(paths, str) or not isinstance(paths, (list, tuple)):
        raise ValidationError(name, f"must be a list of field paths, got {type(paths).__name__}")
    out = []
    for path in paths:
        if not isinstance(path, str) or not path:
            raise ValidationError(name, f"field paths must be non-empty strings, got {path!r}")
        try:
            out.append((path, path if path == "$" else tokenize_path(path)))
        except Exception as error:
            raise ValidationError(name, f"field path {path!r} is malformed: {error}") from error
    return out


def _unique(texts: dict[int, Texts]) -> list[str]:
    return list(dict.fromkeys(text for pairs in texts.values() for _, text in pairs))


def _queries(ops: Sequence[Op]) -> list[str]:
    found = []
    for op in ops:
        if isinstance(op, SearchOp) and op.query is not None:
            if not isinstance(op.query, str):
                raise ValidationError("query", f"must be text, got {type(op.query).__name__}")
            found.append(op.query)
    return list(dict.fromkeys(found))


def _call(name: str, func: Any, arg: Any) -> Any:
    try:
        return func(arg)
    except CortexError:
        raise
    except Exception as error:
        raise ValidationError(name, f"the embedder failed: {type(error).__name__}: {error}") from error


async def _acall(name: str, func: Any, arg: Any) -> Any:
    try:
        return await func(arg)
    except CortexError:
        raise
    except Exception as error:
        raise ValidationError(name, f"the embedder failed: {type(error).__name__}: {error}") from error


def _named(sql: str, params: list[Any]) -> tuple[str, dict[str, Any]]:
    """Positional ``?`` placeholders as ``:f0``, ``:f1``, ... (the KNN query binds by name).
    The filter SQL holds ``?`` only as placeholders: paths and values are all bound."""
    parts = sql.split("?")
    if len(parts) != len(params) + 1:
        raise CortexError("internal: filter placeholders and parameters disagree")
    text = parts[0] + "".join(f":f{n}{part}" for n, part in enumerate(parts[1:]))
    return text, {f"f{n}": value for n, value in enumerate(params)}
