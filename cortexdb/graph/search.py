"""Full-text search over names, kinds, observations and pattern text (FTS5, bm25-ranked)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._fts import rank_floor
from ..errors import CortexError, ValidationError
from . import _common as c
from .model import SearchHit

if TYPE_CHECKING:
    from ..store import Store

_WORD = re.compile(r"\w", re.UNICODE)
MODES = ("all", "any")


def fts_query(text: str, *, mode: str = "all") -> str | None:
    """Turn any user text into a safe FTS5 query: each whitespace-separated chunk becomes a
    quoted phrase (inner quotes doubled), so operators, parentheses and quotes are plain text.
    Returns None when nothing searchable is left."""
    if not isinstance(text, str):
        raise ValidationError("query", f"must be a string, got {type(text).__name__}")
    if mode not in MODES:
        raise ValidationError("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
    phrases = ['"' + chunk.replace('"', '""') + '"' for chunk in text.replace("\x00", " ").split()
               if _WORD.search(chunk)]
    if not phrases:
        return None
    return (" OR " if mode == "any" else " AND ").join(phrases)


class SearchMixin:
    """Search methods of :class:`cortexdb.graph.Graph`."""

    store: Store

    def search(self, query: str, *, kinds: Iterable[str] | None = None, namespace: str | None = None,
               min_confidence: float | None = None, tags: Iterable[str] | None = None, limit: int = 10,
               mode: str = "all", include_archived: bool = False) -> list[SearchHit]:
        """Ranked hits for ``query`` (any text is valid), best first, with a snippet (matches marked **like this**).

        ``mode="all"`` needs every word, ``"any"`` one of them. Filters: entity ``kinds``,
        ``namespace``, ``min_confidence``, ``tags`` (any of them). Archived nodes are skipped
        unless ``include_archived``: then nodes marked by decay rank with the rest, and nodes the
        lifecycle moved to tier 3 follow the live hits (case-insensitive substring match over
        name, kind and body, score 0, newest archived first) up to ``limit``.
        """
        c.positive("limit", limit)
        match = fts_query(query, mode=mode)
        if match is None:
            return []
        clauses: list[str] = ["graph_search MATCH ?", "graph_search.rowid >= ?"]  # rowid floor: cortexdb._fts
        params: list[Any] = [match, 0]
        if kinds is not None:
            kind_list = c.str_list("kinds", kinds)
            clauses.append(f"e.kind IN ({', '.join('?' * len(kind_list))})" if kind_list else "0")
            params += kind_list
        if namespace is not None:
            clauses.append("e.namespace = ?")
            params.append(c.namespace_name(namespace))
        if min_confidence is not None:
            clauses.append("e.confidence >= ?")
            params.append(c.unit("min_confidence", min_confidence))
        if tags is not None:
            tag_list = c.str_list("tags", tags)
            clauses.append(f"e.id IN (SELECT entity_id FROM tier2.graph_tags WHERE tag IN ({', '.join('?' * len(tag_list))}))"
                           if tag_list else "0")
            params += tag_list
        if not include_archived:
            clauses.append("e.archived_at IS NULL")
        sql = (
            "WITH hits AS (SELECT graph_search.rowid AS id, bm25(graph_search, 4.0, 1.0, 1.0) AS rank "
            "FROM tier2.graph_search "
            "JOIN tier2.graph_entities e ON e.id = graph_search.rowid WHERE " + " AND ".join(clauses) +
            " ORDER BY rank LIMIT ?) "
            # snippets for the returned rows only (in the ranking query they were made for every candidate)
            "SELECT hits.rank, (SELECT snippet(graph_search, -1, '**', '**', '…', 12) FROM tier2.graph_search "
            f"WHERE graph_search MATCH ? AND graph_search.rowid = hits.id), {c.ENTITY_COLUMNS} "
            "FROM hits JOIN tier2.graph_entities e ON e.id = hits.id ORDER BY hits.rank, e.id")
        try:
            params[1] = rank_floor(self.store.execute, "tier2.graph_search", match)
            rows = self.store.execute(sql, (*params, limit, match))
            if params[1] and len(rows) < limit:  # filters left too few of the newest candidates: rank every match
                params[1] = 0
                rows = self.store.execute(sql, (*params, limit, match))
        except CortexError as error:  # should not happen with quoted phrases; never leak FTS5 syntax errors
            if "fts5" in str(error).lower():
                raise ValidationError("query", f"cannot search for {query!r}") from error
            raise
        entities = c.entities_from_rows(self.store, rows, 2)
        hits = [SearchHit(entity=e, score=-row[0], snippet=row[1].replace("\n", " | ")) for e, row in zip(entities, rows, strict=False)]
        if include_archived and len(hits) < limit:
            from . import archived

            words = [chunk for chunk in query.replace("\x00", " ").split() if _WORD.search(chunk)]
            hits += archived.search(
                self.store, words, mode=mode, kinds=None if kinds is None else kind_list,
                namespace=namespace, min_confidence=min_confidence, tags=None if tags is None else tag_list,
                limit=limit - len(hits))
        return hits
