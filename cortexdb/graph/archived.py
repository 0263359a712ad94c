"""Reading graph nodes that the lifecycle archiver moved to tier 3 (``archived_graph_*``).

Archived nodes keep their columns; their observations, tags and pattern rows refer to them by
uuid (ids are reusable in tier 2). These helpers turn archived rows back into the graph's result
types, so ``get_entity`` / ``get_pattern`` / ``search`` can answer with ``include_archived=True``.
Restoring (``db.archive.restore("graph_nodes", [uuid])``) brings a node back to tier 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from .._json import loads
from . import _common as c
from .model import Entity, Pattern, SearchHit

if TYPE_CHECKING:
    from ..store import Store

GROUP = "graph_nodes"
_COLUMNS = ("a.id, a.uuid, a.namespace, a.name, a.kind, a.properties, a.confidence, a.pinned, a.access_count, "
            "a.last_accessed, a.archived_at, a.created_at, a.updated_at")


def _entities(store: Store, rows: list[tuple[Any, ...]], offset: int = 0) -> list[Entity]:
    if not rows:
        return []
    uuids = orjson.dumps([r[offset + 1] for r in rows]).decode()
    obs: dict[str, list[str]] = {}
    tags: dict[str, list[str]] = {}
    for uuid, content in store.execute("SELECT entity_uuid, content FROM tier3.archived_graph_observations WHERE "
                                       "entity_uuid IN (SELECT value FROM json_each(?)) ORDER BY entity_uuid, id", (uuids,)):
        obs.setdefault(uuid, []).append(content)
    for uuid, tag in store.execute("SELECT entity_uuid, tag FROM tier3.archived_graph_tags WHERE "
                                   "entity_uuid IN (SELECT value FROM json_each(?))", (uuids,)):
        tags.setdefault(uuid, []).append(tag)
    out = []
    for row in rows:
        r = row[offset:]
        out.append(Entity(id=r[0], uuid=r[1], namespace=r[2], name=r[3], kind=r[4], properties=loads(r[5]),
                          observations=tuple(obs.get(r[1], ())), tags=tuple(sorted(tags.get(r[1], ()))),
                          confidence=r[6], pinned=bool(r[7]), access_count=r[8], last_accessed=r[9],
                          archived_at=r[10], created_at=r[11], updated_at=r[12]))
    return out


def find_uuid(store: Store, ref: Any, namespace: str) -> str | None:
    """The uuid of the archived node ``ref`` (Entity/Pattern: its uuid; name: in ``namespace``;
    id: the id it had when archived), newest archived first; None when not archived."""
    if isinstance(ref, (Entity, Pattern)):
        rows = store.execute("SELECT uuid FROM tier3.archived_graph_entities WHERE uuid = ?", (ref.uuid,))
    elif isinstance(ref, int) and not isinstance(ref, bool):
        rows = store.execute("SELECT uuid FROM tier3.archived_graph_entities WHERE id = ? "
                             "ORDER BY archived_at DESC LIMIT 1", (ref,))
    elif isinstance(ref, str):
        c.namespace_name(namespace)
        rows = store.execute("SELECT uuid FROM tier3.archived_graph_entities WHERE namespace = ? AND name = ? "
                             "ORDER BY archived_at DESC LIMIT 1", (namespace, ref))
    else:
        return None
    return rows[0][0] if rows else None


def entity(store: Store, uuid: str) -> Entity:
    """An archived node as an :class:`Entity` (``archived_at`` is set)."""
    rows = store.execute(f"SELECT {_COLUMNS} FROM tier3.archived_graph_entities a WHERE a.uuid = ?", (uuid,))
    return _entities(store, rows)[0]


def pattern(store: Store, uuid: str) -> Pattern | None:
    """An archived pattern, or None if the archived node is not a pattern."""
    rows = store.execute(
        "SELECT a.id, a.uuid, a.namespace, a.name, p.title, p.content, p.pattern_type, p.scope, a.confidence, a.pinned, "
        "(SELECT json_group_array(tag) FROM (SELECT tag FROM tier3.archived_graph_tags t WHERE t.entity_uuid = a.uuid "
        "ORDER BY tag)), a.access_count, a.last_accessed, a.archived_at, a.created_at, a.updated_at "
        "FROM tier3.archived_graph_patterns p JOIN tier3.archived_graph_entities a ON a.uuid = p.entity_uuid "
        "WHERE a.uuid = ?", (uuid,))
    return c.pattern_from_row(rows[0]) if rows else None


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(store: Store, words: list[str], *, mode: str, kinds: list[str] | None, namespace: str | None,
           min_confidence: float | None, tags: list[str] | None, limit: int) -> list[SearchHit]:
    """Archived nodes whose name, kind or body contain the words (case-insensitive substrings;
    every word, or any with ``mode="any"``), newest archived first. Score 0: they rank after
    the live bm25 hits."""
    if not words or limit < 1:
        return []
    text = "(a.name || ' ' || a.kind || ' ' || a.body)"
    match = (" OR " if mode == "any" else " AND ").join(f"{text} LIKE ? ESCAPE '\\'" for _ in words)
    clauses: list[str] = [f"({match})"]
    params: list[Any] = [_like(w) for w in words]
    if kinds is not None:
        clauses.append(f"a.kind IN ({', '.join('?' * len(kinds))})" if kinds else "0")
        params += kinds
    if namespace is not None:
        clauses.append("a.namespace = ?")
        params.append(namespace)
    if min_confidence is not None:
        clauses.append("a.confidence >= ?")
        params.append(min_confidence)
    if tags is not None:
        clauses.append(f"a.uuid IN (SELECT entity_uuid FROM tier3.archived_graph_tags WHERE tag IN ({', '.join('?' * len(tags))}))"
                       if tags else "0")
        params += tags
    rows = store.execute(f"SELECT {_COLUMNS}, a.body FROM tier3.archived_graph_entities a WHERE {' AND '.join(clauses)} "
                         "ORDER BY a.archived_at DESC, a.uuid LIMIT ?", (*params, limit))
    hits = []
    for found, row in zip(_entities(store, rows), rows, strict=False):
        body = (row[13] or found.name).replace("\n", " | ")
        hits.append(SearchHit(entity=found, score=0.0, snippet=body[:120] + ("…" if len(body) > 120 else "")))
    return hits


def relations(store: Store, uuid: str) -> list[dict[str, Any]]:
    """The relations archived with (or waiting for) the archived node ``uuid``, endpoints named
    from the live graph or the archive; oldest first."""
    name = ("coalesce((SELECT e.name FROM tier2.graph_entities e WHERE e.uuid = {0}), "
            "(SELECT a.name FROM tier3.archived_graph_entities a WHERE a.uuid = {0}))")
    rows = store.execute(
        f"SELECT r.uuid, {name.format('r.source_uuid')}, r.relation_type, {name.format('r.target_uuid')}, r.strength, "
        "r.confidence, r.valid_from, r.valid_to FROM tier3.archived_graph_relations r "
        "WHERE r.source_uuid = ?1 OR r.target_uuid = ?1 ORDER BY r.valid_from, r.uuid", (uuid,))
    cols = ("uuid", "source", "relation", "target", "strength", "confidence", "valid_from", "valid_to")
    return [dict(zip(cols, r, strict=False)) for r in rows]
