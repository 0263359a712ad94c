"""Search over the graph: full text (FTS5, bm25), semantic (vector distance) and hybrid (fused)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .. import _fts
from .. import vectors as v
from .._json import dumps
from ..errors import CortexError, ValidationError
from . import _common as c
from .model import SearchHit
from .vectors import SPACE

if TYPE_CHECKING:
    from ..store import Store

_WORD = re.compile(r"\w", re.UNICODE)
_BM25 = "bm25(graph_search, 4.0, 1.0, 1.0)"  # name weighs four times kind and body
_OWN_RANK = "cortexdb_bm25(graph_search, :idf, 4.0, 1.0, 1.0)"  # the same with estimated frequencies: cortexdb._fts
MODES = ("all", "any")


def fts_query(text: str, *, mode: str = "all") -> str | None:
    """Turn any user text into a safe FTS5 query: each whitespace-separated chunk becomes a
    quoted phrase (inner quotes doubled), so operators, parentheses and quotes are plain text.
    Returns None when nothing searchable is left."""
    return _joined(_phrases(text), mode)


def _phrases(text: str) -> list[str]:
    """The quoted phrases of :func:`fts_query`, in order."""
    if not isinstance(text, str):
        raise ValidationError("query", f"must be a string, got {type(text).__name__}")
    return ['"' + chunk.replace('"', '""') + '"' for chunk in text.replace("\x00", " ").split() if _WORD.search(chunk)]


def _joined(phrases: list[str], mode: str) -> str | None:
    if mode not in MODES:
        raise ValidationError("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
    return (" OR " if mode == "any" else " AND ").join(phrases) if phrases else None


class SearchMixin:
    """Search methods of :class:`cortexdb.graph.Graph`."""

    store: Store

    def search(self, query: str | None = None, *, embedding: Sequence[float] | None = None, method: str = "text",
               kinds: Iterable[str] | None = None, namespace: str | None = None, min_confidence: float | None = None,
               tags: Iterable[str] | None = None, since: Any = None, until: Any = None, limit: int = 10,
               mode: str = "all", include_archived: bool = False, weights: Sequence[float] = (1.0, 1.0),
               rrf_k: float = 60.0, candidates: int | None = None, exhaustive: bool = False) -> list[SearchHit]:
        """Ranked hits, best first, each with a snippet (text matches marked **like this**).

        ``method="text"`` (default) ranks ``query`` by bm25: ``mode="all"`` needs every word,
        ``"any"`` one of them (any text is valid). ``"semantic"`` ranks nodes by distance from
        ``embedding`` (or from ``query`` embedded by the registered embedder). ``"hybrid"``
        fuses both rankings by reciprocal rank fusion: a node scores ``weights[0] / (rrf_k +
        text rank) + weights[1] / (rrf_k + vector rank)`` over the best ``candidates`` (default
        ``max(50, 4 * limit)``) of each ranking.

        Filters apply inside the search, so ``limit`` hits come back when that many match:
        entity ``kinds``, ``namespace``, ``min_confidence``, ``tags`` (any of them),
        ``since``/``until`` on ``updated_at``. Archived nodes are skipped unless
        ``include_archived``: then nodes marked by decay rank with the rest, and (text method)
        nodes the lifecycle moved to tier 3 follow the live hits (case-insensitive substring match
        over name, kind and body, score 0, newest archived first) up to ``limit``.
        A text query matching more than ``cortexdb._fts.RANKED_CANDIDATES`` nodes ranks only the
        newest that many (docs/graph.md, "Search"); ``exhaustive=True`` ranks every match.
        """
        c.positive("limit", limit)
        v.check_method(method, query, embedding, can_embed=self.store.query_embedder is not None)
        text_weight, vector_weight = v.check_fusion(weights, rrf_k)
        depth = max(50, 4 * limit) if candidates is None else c.positive("candidates", candidates)
        phrases = _phrases(query) if query is not None else []
        match = _joined(phrases, mode) if query is not None else None
        clauses, params = self._filters(kinds, namespace, min_confidence, tags, since, until, include_archived)
        if method == "text":
            if match is None:
                return []
            ranked = self._text_ranked(match, phrases, query or "", clauses, params, limit, exhaustive)
            hits = self._hits([(key, -rank, snip, -rank, None) for key, rank, snip in ranked])
            if include_archived and len(hits) < limit:
                hits += self._archived(query or "", mode, kinds, namespace, min_confidence, tags, limit - len(hits))
            return hits
        cfg = v.require(self.store, SPACE, "embedding")
        blob = self._query_vector(cfg, query, embedding)
        near = v.nearest(self.store, SPACE, cfg, blob, limit if method == "semantic" else depth,
                         join="JOIN tier2.graph_entities e ON e.id = v.k", where=clauses, params=params)
        if method == "semantic":
            return self._hits([(key, -dist, None, None, dist) for key, dist in near])
        texts = {key: (rank, snip) for key, rank, snip in
                 (self._text_ranked(match, phrases, query or "", clauses, params, depth, exhaustive) if match is not None else [])}
        fused = v.fuse([list(texts), [key for key, _ in near]], (text_weight, vector_weight), rrf_k)[:limit]
        dist = dict(near)
        missing = [key for key, _ in fused if key not in dist]
        dist.update(v.distances(self.store, SPACE, cfg, blob, missing))
        return self._hits([(key, score, texts[key][1] if key in texts else None,
                            -texts[key][0] if key in texts else None, dist.get(key)) for key, score in fused])

    def _filters(self, kinds: Iterable[str] | None, namespace: str | None, min_confidence: float | None,
                 tags: Iterable[str] | None, since: Any, until: Any, include_archived: bool) -> tuple[list[str], dict[str, Any]]:
        """SQL conditions on ``e`` (tier2.graph_entities) and their named parameters."""
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if kinds is not None:
            clauses.append("e.kind IN (SELECT value FROM json_each(:kinds))")
            params["kinds"] = dumps(c.str_list("kinds", kinds))
        if namespace is not None:
            clauses.append("e.namespace = :namespace")
            params["namespace"] = c.namespace_name(namespace)
        if min_confidence is not None:
            clauses.append("e.confidence >= :min_confidence")
            params["min_confidence"] = c.unit("min_confidence", min_confidence)
        if tags is not None:
            clauses.append("e.id IN (SELECT entity_id FROM tier2.graph_tags WHERE tag IN (SELECT value FROM json_each(:tags)))")
            params["tags"] = dumps(c.str_list("tags", tags))
        if since is not None:
            clauses.append("e.updated_at >= :since")
            params["since"] = c.timestamp("since", since)
        if until is not None:
            clauses.append("e.updated_at < :until")
            params["until"] = c.timestamp("until", until)
        if not include_archived:
            clauses.append("e.archived_at IS NULL")
        return clauses, params

    def _text_ranked(self, match: str, phrases: list[str], query: str, clauses: list[str], params: dict[str, Any],
                     limit: int, exhaustive: bool) -> list[tuple[int, float, str]]:
        """``(node id, bm25, snippet)`` of the best ``limit`` text matches passing the filters. A query
        matching many nodes ranks only the newest (``cortexdb._fts``); snippets are made for the
        returned rows only."""
        sql = ("WITH hits AS (SELECT graph_search.rowid AS id, {rank} AS rank "
               "FROM tier2.graph_search JOIN tier2.graph_entities e ON e.id = graph_search.rowid WHERE " +
               " AND ".join(["graph_search MATCH :match", "graph_search.rowid >= :floor", *clauses]) +
               " ORDER BY rank, graph_search.rowid LIMIT :limit) "
               "SELECT hits.id, hits.rank, (SELECT snippet(graph_search, -1, '**', '**', '…', 12) FROM tier2.graph_search "
               "WHERE graph_search MATCH :match AND graph_search.rowid = hits.id) FROM hits ORDER BY hits.rank, hits.id")
        candidates = max(_fts.RANKED_CANDIDATES, limit)
        try:
            while True:
                floor, idf = (0, None) if exhaustive else _fts.plan(self.store.execute, "tier2.graph_search", match,
                                                                    phrases, candidates=candidates)
                bound = {**params, "match": match, "limit": limit, "floor": floor, "idf": idf}
                try:
                    rows = self.store.execute(sql.format(rank=_BM25 if idf is None else _OWN_RANK), bound)
                except _fts.PhraseMismatch:
                    rows = self.store.execute(sql.format(rank=_BM25), bound)
                if not floor or len(rows) >= limit:
                    break
                candidates *= 4  # the filters left too few of the newest candidates: widen
        except CortexError as error:  # should not happen with quoted phrases; never leak FTS5 syntax errors
            if "fts5" in str(error).lower():
                raise ValidationError("query", f"cannot search for {query!r}") from error
            raise
        return [(r[0], r[1], r[2].replace("\n", " | ")) for r in rows]

    def _query_vector(self, cfg: v.VectorConfig, query: str | None, embedding: Any) -> bytes:
        if embedding is None:
            embedder = self.store.query_embedder
            assert embedder is not None and query is not None  # check_method made sure
            [embedding] = v.embed_texts(embedder, [query], "embedding")
        return v.encode(cfg, embedding, "embedding")

    def _hits(self, ranked: list[tuple[int, float, str | None, float | None, float | None]]) -> list[SearchHit]:
        """Hits in the given order from ``(node id, score, snippet, text score, distance)``."""
        if not ranked:
            return []
        rows = self.store.execute(f"SELECT {c.ENTITY_COLUMNS}, e.body FROM tier2.graph_entities e "
                                  "WHERE e.id IN (SELECT value FROM json_each(?))", (c.int_list([r[0] for r in ranked]),))
        by_id = {e.id: (e, row[-1]) for e, row in zip(c.entities_from_rows(self.store, rows), rows, strict=True)}
        hits = []
        for key, score, snippet, text_score, distance in ranked:
            if key in by_id:
                entity, body = by_id[key]
                excerpt = snippet if snippet is not None else _excerpt(entity.name, body)
                hits.append(SearchHit(entity=entity, score=score, snippet=excerpt, text_score=text_score,
                                      distance=distance))
        return hits

    def _archived(self, query: str, mode: str, kinds: Iterable[str] | None, namespace: str | None,
                  min_confidence: float | None, tags: Iterable[str] | None, limit: int) -> list[SearchHit]:
        from . import archived

        words = [chunk for chunk in query.replace("\x00", " ").split() if _WORD.search(chunk)]
        return archived.search(
            self.store, words, mode=mode, kinds=None if kinds is None else c.str_list("kinds", kinds),
            namespace=namespace, min_confidence=min_confidence, tags=None if tags is None else c.str_list("tags", tags),
            limit=limit)


def _excerpt(name: str, body: str, width: int = 120) -> str:
    """The start of a node's text, for hits found by vector alone."""
    text = (name + (" | " + body.replace("\n", " | ") if body else ""))
    return text[:width] + ("…" if len(text) > width else "")
