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
