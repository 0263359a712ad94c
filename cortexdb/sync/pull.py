"""Pull: bring the authority's changes since this store's cursor into tier 2.

The authority numbers every entity change and removal (``sync_change_seq``). A batch is the next
run of numbers: the entities changed in it (unless this store's own push left them exactly as it
holds them), with their pattern, observations, tags and outgoing relations, and the removals. It
is applied in one local transaction together with the new cursor, with change tracking off, so a
crash leaves either the whole batch and its cursor or neither, and nothing pulled is pushed back.
The merge rules are push's, applied from the other side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from .push import TS

if TYPE_CHECKING:
    from ..store import Store

_UTC = "AT TIME ZONE 'UTC'"
NEXT = """
SELECT max(seq) FROM (
    SELECT seq FROM ((SELECT sync_seq AS seq FROM sync_entity_changes WHERE sync_seq > %(after)s ORDER BY sync_seq LIMIT %(n)s)
                     UNION ALL
                     (SELECT sync_seq FROM sync_tombstones WHERE sync_seq > %(after)s ORDER BY sync_seq LIMIT %(n)s)) s
    ORDER BY seq LIMIT %(n)s) s"""
_ENTITIES = f"""
SELECT g.id, g.namespace, g.name, replace(g.uuid::text, '-', ''), g.kind, g.properties::text, g.confidence, g.pinned,
       to_char(g.created_at {_UTC}, '{TS}'), to_char(g.updated_at {_UTC}, '{TS}'), coalesce(g.sync_store_id::text, ''),
       p.title, p.content, p.pattern_type, p.scope
FROM sync_entity_changes c JOIN graph_entities g ON g.id = c.entity_id LEFT JOIN graph_patterns p ON p.id = g.id
WHERE c.sync_seq > %(after)s AND c.sync_seq <= %(upto)s AND c.sync_echo IS DISTINCT FROM %(store)s"""
_OBSERVATIONS = f"""
SELECT g.namespace, g.name, o.content, to_char(o.created_at {_UTC}, '{TS}')
FROM graph_observations o JOIN graph_entities g ON g.id = o.entity_id WHERE o.entity_id = ANY(%(ids)s)"""
_TAGS = "SELECT g.namespace, g.name, t.tag FROM graph_tags t JOIN graph_entities g ON g.id = t.entity_id " \
        "WHERE t.entity_id = ANY(%(ids)s)"
_RELATIONS = f"""
SELECT replace(r.uuid::text, '-', ''), s.namespace, s.name, r.relation_type, t.namespace, t.name, r.strength,
       r.confidence, r.properties::text, to_char(r.valid_from {_UTC}, '{TS}'), to_char(r.valid_to {_UTC}, '{TS}'),
       to_char(r.recorded_at {_UTC}, '{TS}'), to_char(r.ended_at {_UTC}, '{TS}'), replace(t.uuid::text, '-', ''),
       t.kind, to_char(t.created_at {_UTC}, '{TS}'), to_char(t.updated_at {_UTC}, '{TS}')
FROM graph_relations r JOIN graph_entities s ON s.id = r.source_id JOIN graph_entities t ON t.id = r.target_id
WHERE r.source_id = ANY(%(ids)s)"""
_TOMBSTONES = f"""
SELECT namespace, name, item_kind, item, to_char(removed_at {_UTC}, '{TS}') FROM sync_tombstones
WHERE sync_seq > %(after)s AND sync_seq <= %(upto)s AND sync_store_id <> %(store)s"""


@dataclass
class Changes:
    """One batch of the authority's changes."""

    upto: int
    entities: list[dict[str, Any]]
    observations: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    relations: list[dict[str, Any]]
    removed: list[dict[str, Any]]

    @property
    def rows(self) -> int:
        return len(self.entities) + len(self.observations) + len(self.tags) + len(self.relations) + len(self.removed)


def next_end(conn: Any, after: int, limit: int) -> int | None:
    """The end of the next run of about ``limit`` change numbers after ``after``, or None when
    there are none (:data:`NEXT`)."""
    end: int | None = conn.execute(NEXT, {"after": after, "n": limit}).fetchone()[0]
    return end


def fetch(conn: Any, after: int, upto: int, store_id: str) -> Changes:
    """The changes numbered after ``after`` up to ``upto`` (the end :func:`next_end` gave)."""
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        args = {"after": after, "upto": upto, "store": store_id}
        rows = conn.execute(_ENTITIES, args).fetchall()
        ids = [r[0] for r in rows]
        entities = [{"namespace": r[1], "name": r[2], "uuid": r[3], "kind": r[4], "properties": orjson.Fragment(r[5]),
                     "confidence": r[6], "pinned": int(r[7]), "created_at": r[8], "updated_at": r[9],
                     "tie": int(r[10] >= store_id), "title": r[11], "content": r[12], "pattern_type": r[13],
                     "scope": r[14]} for r in rows]
        observations = [{"namespace": r[0], "name": r[1], "content": r[2], "created_at": r[3]}
                        for r in conn.execute(_OBSERVATIONS, {"ids": ids})] if ids else []
        tags = [{"namespace": r[0], "name": r[1], "tag": r[2]} for r in conn.execute(_TAGS, {"ids": ids})] if ids else []
        relations = [{"uuid": r[0], "s_ns": r[1], "s_name": r[2], "relation_type": r[3], "t_ns": r[4], "t_name": r[5],
                      "strength": r[6], "confidence": r[7], "properties": orjson.Fragment(r[8]), "valid_from": r[9],
                      "valid_to": r[10], "recorded_at": r[11], "ended_at": r[12], "t_uuid": r[13], "t_kind": r[14],
                      "t_created_at": r[15], "t_updated_at": r[16]}
                     for r in conn.execute(_RELATIONS, {"ids": ids})] if ids else []
        removed = [{"namespace": r[0], "name": r[1], "item_kind": r[2], "item": r[3], "removed_at": r[4]}
                   for r in conn.execute(_TOMBSTONES, args)]
    return Changes(upto, entities, observations, tags, relations, removed)


def _j(*fields: str) -> str:
    """``json_each`` rows of a JSON array of objects as named columns (for the local statements)."""
    cols = ", ".join(f"value ->> '{f}' AS {f}" for f in fields)
    return f"(SELECT {cols} FROM json_each(?))"


_ENTITY_FIELDS = ("namespace", "name", "uuid", "kind", "properties", "confidence", "pinned", "created_at",
                  "updated_at", "tie", "title", "content", "pattern_type", "scope")
_REMOVED = _j("namespace", "name", "item_kind", "item", "removed_at")
_RELATION_FIELDS = ("uuid", "s_ns", "s_name", "relation_type", "t_ns", "t_name", "strength", "confidence",
                    "properties", "valid_from", "valid_to", "recorded_at", "ended_at", "t_uuid", "t_kind",
                    "t_created_at", "t_updated_at")
_LOCAL_REMOVED = ("NOT EXISTS (SELECT 1 FROM tier2.sync_removed d WHERE d.namespace = {a}.namespace "
                  "AND d.name = {a}.name AND d.item_kind = '{kind}' AND d.item = {item} AND d.removed_at >= {at})")
_APPLY = [
    ("removed", f"DELETE FROM tier2.graph_entities WHERE id IN (SELECT e.id FROM {_REMOVED} x "
                "JOIN tier2.graph_entities e ON e.namespace = x.namespace AND e.name = x.name "
                "WHERE x.item_kind = 'entity' AND e.updated_at <= x.removed_at)"),
    ("removed", f"DELETE FROM tier2.graph_observations WHERE id IN (SELECT o.id FROM {_REMOVED} x "
                "JOIN tier2.graph_entities e ON e.namespace = x.namespace AND e.name = x.name "
                "JOIN tier2.graph_observations o ON o.entity_id = e.id "
                "WHERE x.item_kind = 'entity' AND o.created_at <= x.removed_at)"),
    ("removed", f"DELETE FROM tier2.graph_relations WHERE id IN (SELECT r.id FROM {_REMOVED} x "
                "JOIN tier2.graph_entities e ON e.namespace = x.namespace AND e.name = x.name "
                "JOIN tier2.graph_relations r ON (r.source_id = e.id OR r.target_id = e.id) "
                "WHERE x.item_kind = 'entity' AND r.recorded_at <= x.removed_at)"),
    ("removed", f"DELETE FROM tier2.graph_observations WHERE id IN (SELECT o.id FROM {_REMOVED} x "
                "JOIN tier2.graph_entities e ON e.namespace = x.namespace AND e.name = x.name "
                "JOIN tier2.graph_observations o ON o.entity_id = e.id AND o.content = x.item "
                "WHERE x.item_kind = 'observation' AND o.created_at <= x.removed_at)"),
    ("removed", f"DELETE FROM tier2.graph_tags WHERE (entity_id, tag) IN (SELECT e.id, x.item FROM {_REMOVED} x "
                "JOIN tier2.graph_entities e ON e.namespace = x.namespace AND e.name = x.name "
                "WHERE x.item_kind = 'tag')"),
    ("entities", f"INSERT OR IGNORE INTO tier2.graph_namespaces (name, created_at) SELECT namespace, min(created_at) "
                 f"FROM {_j('namespace', 'created_at')} GROUP BY namespace"),
    ("relations", f"INSERT OR IGNORE INTO tier2.graph_namespaces (name, created_at) SELECT t_ns, min(t_created_at) "
                  f"FROM {_j('t_ns', 't_created_at')} GROUP BY t_ns"),
    ("entities", "INSERT INTO tier2.graph_entities (uuid, namespace, name, kind, properties, confidence, pinned, "
                 "created_at, updated_at) SELECT uuid, namespace, name, kind, json(properties), confidence, pinned, "
                 f"created_at, updated_at FROM {_j(*_ENTITY_FIELDS)} x WHERE "
                 + _LOCAL_REMOVED.format(a="x", kind="entity", item="''", at="x.updated_at")
                 + " ORDER BY namespace, name ON CONFLICT DO NOTHING"),
    ("entities", "UPDATE tier2.graph_entities SET kind = x.kind, properties = json(x.properties), confidence = "
                 "x.confidence, pinned = x.pinned, updated_at = x.updated_at "
                 f"FROM {_j(*_ENTITY_FIELDS)} x WHERE graph_entities.namespace = x.namespace "
                 "AND graph_entities.name = x.name AND (x.updated_at > graph_entities.updated_at OR "
                 "(x.updated_at = graph_entities.updated_at AND x.tie) OR NOT EXISTS (SELECT 1 FROM tier2.sync_dirty d "
                 "WHERE d.namespace = x.namespace AND d.name = x.name))"),
    ("entities", "INSERT INTO tier2.graph_patterns (id, title, content, pattern_type, scope) "
                 f"SELECT e.id, x.title, x.content, x.pattern_type, x.scope FROM {_j(*_ENTITY_FIELDS)} x "
                 "JOIN tier2.graph_entities e ON e.namespace = x.namespace AND e.name = x.name "
                 "AND e.updated_at = x.updated_at WHERE x.title IS NOT NULL ON CONFLICT (id) DO UPDATE SET "
                 "title = excluded.title, content = excluded.content, pattern_type = excluded.pattern_type, "
                 "scope = excluded.scope"),
    ("relations", "INSERT INTO tier2.graph_entities (uuid, namespace, name, kind, created_at, updated_at) "
                  f"SELECT t_uuid, t_ns, t_name, t_kind, t_created_at, t_updated_at FROM {_j(*_RELATION_FIELDS)} x WHERE "
                  "NOT EXISTS (SELECT 1 FROM tier2.sync_removed d WHERE d.namespace = x.t_ns AND d.name = x.t_name "
                  "AND d.item_kind = 'entity' AND d.removed_at >= x.t_updated_at) "
                  "ORDER BY t_ns, t_name ON CONFLICT DO NOTHING"),
    ("observations", "INSERT OR IGNORE INTO tier2.graph_observations (entity_id, content, created_at) "
                     f"SELECT e.id, x.content, x.created_at FROM {_j('namespace', 'name', 'content', 'created_at')} x "
                     "JOIN tier2.graph_entities e ON e.namespace = x.namespace AND e.name = x.name WHERE "
                     + _LOCAL_REMOVED.format(a="x", kind="observation", item="x.content", at="x.created_at")
                     + " AND " + _LOCAL_REMOVED.format(a="x", kind="entity", item="''", at="x.created_at")),
    ("tags", "INSERT OR IGNORE INTO tier2.graph_tags (entity_id, tag) "
             f"SELECT e.id, x.tag FROM {_j('namespace', 'name', 'tag')} x "
             "JOIN tier2.graph_entities e ON e.namespace = x.namespace AND e.name = x.name WHERE NOT EXISTS ("
             "SELECT 1 FROM tier2.sync_removed d WHERE d.namespace = x.namespace AND d.name = x.name "
             "AND d.item_kind = 'tag' AND d.item = x.tag)"),
]
_RELATIONS_IN = (
    f"x AS (SELECT x.*, s.id AS source_id, t.id AS target_id FROM {_j(*_RELATION_FIELDS)} x "
    "JOIN tier2.graph_entities s ON s.namespace = x.s_ns AND s.name = x.s_name "
    "JOIN tier2.graph_entities t ON t.namespace = x.t_ns AND t.name = x.t_name "
    "WHERE NOT EXISTS (SELECT 1 FROM tier2.sync_removed d WHERE d.item_kind = 'entity' AND d.item = '' "
    "AND d.removed_at >= x.recorded_at AND ((d.namespace = x.s_ns AND d.name = x.s_name) "
    "OR (d.namespace = x.t_ns AND d.name = x.t_name))))")
_END_RELATIONS = (
    f"WITH {_RELATIONS_IN} UPDATE tier2.graph_relations SET valid_to = x.valid_to, ended_at = x.ended_at "
    "FROM x WHERE graph_relations.uuid = x.uuid AND x.valid_to IS NOT NULL AND (graph_relations.valid_to IS NULL "
    "OR (x.valid_to, x.ended_at) < (graph_relations.valid_to, graph_relations.ended_at))")
_SUPERSEDE_RELATIONS = (
    f"WITH {_RELATIONS_IN} UPDATE tier2.graph_relations SET valid_to = x.valid_from, ended_at = ? "
    "FROM x WHERE graph_relations.valid_to IS NULL AND x.valid_to IS NULL AND x.uuid <> graph_relations.uuid "
    "AND graph_relations.source_id = x.source_id AND graph_relations.relation_type = x.relation_type "
    "AND graph_relations.target_id = x.target_id "
    "AND (graph_relations.valid_from, graph_relations.uuid) < (x.valid_from, x.uuid) "
    "AND NOT EXISTS (SELECT 1 FROM tier2.graph_relations o WHERE o.uuid = x.uuid)")
_INSERT_RELATIONS = (
    f"WITH {_RELATIONS_IN} INSERT INTO tier2.graph_relations (uuid, source_id, relation_type, target_id, strength, "
    "confidence, properties, valid_from, valid_to, recorded_at, ended_at) "
    "SELECT x.uuid, x.source_id, x.relation_type, x.target_id, x.strength, x.confidence, json(x.properties), "
    "x.valid_from, coalesce(x.valid_to, c.valid_from), x.recorded_at, "
    "CASE WHEN x.valid_to IS NULL AND c.uuid IS NOT NULL THEN ? ELSE x.ended_at END "
    "FROM x LEFT JOIN tier2.graph_relations c ON x.valid_to IS NULL AND c.valid_to IS NULL "
    "AND c.source_id = x.source_id AND c.relation_type = x.relation_type AND c.target_id = x.target_id "
    "AND c.uuid <> x.uuid WHERE true ORDER BY x.valid_from ON CONFLICT DO NOTHING")


def apply(store: Store, changes: Changes) -> None:
    """Apply one batch and move the cursor, in one local transaction with change tracking off."""
    docs = {name: orjson.dumps(getattr(changes, name)).decode()
            for name in ("entities", "observations", "tags", "relations", "removed")}
    now = store.timestamp()
    with store.transaction():
        store.execute("UPDATE tier2.sync_state SET applying = 1 WHERE id = 1")
        for name, statement in _APPLY:
            if getattr(changes, name):
                store.execute(statement, (docs[name],))
        if changes.relations:
            store.execute(_END_RELATIONS, (docs["relations"],))
            store.execute(_SUPERSEDE_RELATIONS, (docs["relations"], now))
            store.execute(_INSERT_RELATIONS, (docs["relations"], now))
        store.execute("UPDATE tier2.sync_state SET applying = 0, pulled_seq = ? WHERE id = 1", (changes.upto,))
