"""The answers a store and the authority give to the same graph questions, for comparing them."""

from __future__ import annotations

from typing import Any

import orjson

from cortexdb.store import Store

_TS = "YYYY-MM-DD HH24:MI:SS.MS"


def local_state(db: Store) -> dict[str, Any]:
    entities = {(r[0], r[1]): (r[2], orjson.loads(r[3]), bool(r[4]), r[5], r[6], r[7]) for r in db.execute(
        "SELECT e.namespace, e.name, e.kind, e.properties, e.pinned, e.updated_at, p.title, p.content "
        "FROM tier2.graph_entities e LEFT JOIN tier2.graph_patterns p ON p.id = e.id")}
    observations = sorted(db.execute(
        "SELECT e.namespace, e.name, o.content FROM tier2.graph_observations o JOIN tier2.graph_entities e "
        "ON e.id = o.entity_id"))
    tags = sorted(db.execute("SELECT e.namespace, e.name, t.tag FROM tier2.graph_tags t JOIN tier2.graph_entities e "
                             "ON e.id = t.entity_id"))
    relations = sorted(db.execute(
        "SELECT r.uuid, s.name, r.relation_type, t.name, r.valid_from, r.valid_to FROM tier2.graph_relations r "
        "JOIN tier2.graph_entities s ON s.id = r.source_id JOIN tier2.graph_entities t ON t.id = r.target_id"))
    return {"entities": entities, "observations": [tuple(r) for r in observations], "tags": [tuple(r) for r in tags],
            "relations": [tuple(r) for r in relations]}


def authority_state(db: Store) -> dict[str, Any]:
    q = db.sync.query
    entities = {(r["namespace"], r["name"]): (r["kind"], r["properties"], r["pinned"], r["updated_at"], r["title"],
                                              r["content"]) for r in q(
        f"SELECT e.namespace, e.name, e.kind, e.properties, e.pinned, to_char(e.updated_at AT TIME ZONE 'UTC', "
        f"'{_TS}') AS updated_at, p.title, p.content FROM graph_entities e LEFT JOIN graph_patterns p ON p.id = e.id")}
    observations = sorted((r["namespace"], r["name"], r["content"]) for r in q(
        "SELECT e.namespace, e.name, o.content FROM graph_observations o JOIN graph_entities e ON e.id = o.entity_id"))
    tags = sorted((r["namespace"], r["name"], r["tag"]) for r in q(
        "SELECT e.namespace, e.name, t.tag FROM graph_tags t JOIN graph_entities e ON e.id = t.entity_id"))
    relations = sorted((r["uuid"], r["s"], r["relation_type"], r["t"], r["valid_from"], r["valid_to"]) for r in q(
        f"SELECT replace(r.uuid::text, '-', '') AS uuid, s.name AS s, r.relation_type, t.name AS t, "
        f"to_char(r.valid_from AT TIME ZONE 'UTC', '{_TS}') AS valid_from, "
        f"to_char(r.valid_to AT TIME ZONE 'UTC', '{_TS}') AS valid_to FROM graph_relations r "
        "JOIN graph_entities s ON s.id = r.source_id JOIN graph_entities t ON t.id = r.target_id"))
    return {"entities": entities, "observations": observations, "tags": tags, "relations": relations}


def _end(kind: str, ref: str, key: tuple[str, str] | None) -> Any:
    return tuple(key) if key else (kind, ref)


def _json(text: Any) -> Any:
    return None if text is None else orjson.dumps(orjson.loads(text), option=orjson.OPT_SORT_KEYS).decode()


WORKSPACE = {"workspace_databases": ("database_type", "connection_string", "host", "port", "database_name",
                                     "discovered_at", "last_verified", "schemas", "table_count", "metadata",
                                     "stale_since"),
             "workspace_apis": ("api_type", "base_url", "spec_location", "endpoints", "discovered_at", "last_verified",
                                "authentication_type", "metadata", "stale_since"),
             "workspace_frameworks": ("framework_type", "version", "config_location", "components_count",
                                      "routes_count", "discovered_at", "last_verified", "metadata", "stale_since")}
_JSON = {"schemas", "endpoints", "metadata"}
_OBJECTS = {"workspace_database": ("workspace_databases", ("database_type", "host", "port", "database_name")),
            "workspace_api": ("workspace_apis", ("api_type", "base_url")),
            "workspace_framework": ("workspace_frameworks", ("framework_type", "config_location"))}
"""A pattern -> discovery link's object type: its table and the natural key it is compared by."""


def local_side_state(db: Store) -> dict[str, Any]:
    """Provenance links (entity ends by (namespace, name)) and workspace rows of a store."""
    entities = {str(r[0]): (r[1], r[2]) for r in db.execute("SELECT id, namespace, name FROM tier2.graph_entities")}

    def end(kind: str, ref: str) -> Any:
        return _end(kind, ref, entities.get(ref) if kind in ("entity", "pattern") else None)

    links = [(r[0], r[1], end(r[1], r[2]), r[3], end(r[3], r[4]), r[5], r[6], r[7]) for r in db.execute(
        "SELECT uuid, source_type, source_ref, target_type, target_ref, relation, confidence, created_at "
        "FROM tier2.provenance_links")]
    workspace = {table: [tuple(_json(v) if c in _JSON else v for c, v in zip(cols, r, strict=True))
                         for r in db.execute(f"SELECT {', '.join(cols)} FROM tier2.{table}")]
                 for table, cols in WORKSPACE.items()}
    objects = {kind: {r[0]: tuple(r[1:]) for r in db.execute(f"SELECT id, {', '.join(key)} FROM tier2.{table}")}
               for kind, (table, key) in _OBJECTS.items()}
    workspace_links = [(r[0], r[1], r[2], r[3], objects[r[3]].get(r[4]), r[5]) for r in db.execute(
        "SELECT e.namespace, e.name, l.relationship_type, l.object_entity_type, l.object_entity_id, l.created_at "
        "FROM tier2.graph_workspace_links l JOIN tier2.graph_entities e ON e.id = l.subject_pattern_id")]
    return {name: sorted(rows, key=repr)
            for name, rows in {"links": links, **workspace, "workspace_links": workspace_links}.items()}


def authority_side_state(db: Store) -> dict[str, Any]:
    q = db.sync.query
    links = [(r["uuid"], r["source_type"], _end(r["source_type"], r["source_ref"], r["sk"]), r["target_type"],
              _end(r["target_type"], r["target_ref"], r["tk"]), r["relation"], r["confidence"], r["created_at"])
             for r in q(f"SELECT replace(uuid::text, '-', '') AS uuid, source_type, source_ref, target_type, "
                        f"target_ref, relation, confidence, to_char(created_at AT TIME ZONE 'UTC', '{_TS}') AS "
                        "created_at, sync_source_key AS sk, sync_target_key AS tk FROM provenance_links")]
    workspace = {table: [tuple(_json(r[c]) if c in _JSON else r[c] for c in cols) for r in q(
        f"SELECT {', '.join(c + '::text' if c in _JSON else c for c in cols)} FROM {table}")]
                 for table, cols in WORKSPACE.items()}
    objects = {kind: {r["id"]: tuple(r[c] for c in key) for r in q(f"SELECT id, {', '.join(key)} FROM {table}")}
               for kind, (table, key) in _OBJECTS.items()}
    workspace_links = [(r["namespace"], r["name"], r["relationship_type"], r["object_entity_type"],
                        objects[r["object_entity_type"]].get(r["object_entity_id"]), r["created_at"]) for r in q(
        "SELECT e.namespace, e.name, l.relationship_type, l.object_entity_type, l.object_entity_id, "
        f"to_char(l.created_at AT TIME ZONE 'UTC', '{_TS}') AS created_at FROM graph_workspace_links l "
        "JOIN graph_entities e ON e.id = l.subject_pattern_id")]
    return {name: sorted(rows, key=repr)
            for name, rows in {"links": links, **workspace, "workspace_links": workspace_links}.items()}
