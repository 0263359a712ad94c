"""The reference memory server's JSON schemas (draft-07, as its zod definitions produce them),
published unchanged by ``cortexdb mcp`` so clients see the same tool definitions. cortexdb only
adds optional ``limit`` / ``cursor`` inputs to read_graph and search_nodes and an optional
``nextCursor`` to their results (see docs/mcp.md, "Bounded reads")."""

from __future__ import annotations

from typing import Any

from .tools import DEFAULT_READ_LIMIT, DEFAULT_SEARCH_LIMIT, MAX_LIMIT

DRAFT7 = "http://json-schema.org/draft-07/schema#"


def _strings(description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
    if description:
        out["description"] = description
    return out


def _object(properties: dict[str, Any], *, closed: bool, top: bool = False, required: list[str] | None = None
            ) -> dict[str, Any]:
    out: dict[str, Any] = {"$schema": DRAFT7} if top else {}
    out |= {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required}
    if not required and required is not None:
        del out["required"]
    if closed:
        out["additionalProperties"] = False
    return out


def _entity(closed: bool) -> dict[str, Any]:
    return _object({"name": {"type": "string", "description": "The name of the entity"},
                    "entityType": {"type": "string", "description": "The type of the entity"},
                    "observations": _strings("An array of observation contents associated with the entity")},
                   closed=closed)


def _relation(closed: bool) -> dict[str, Any]:
    return _object({"from": {"type": "string", "description": "The name of the entity where the relation starts"},
                    "to": {"type": "string", "description": "The name of the entity where the relation ends"},
                    "relationType": {"type": "string", "description": "The type of the relation"}}, closed=closed)


def _array(items: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    out = {"type": "array", "items": items}
    if description:
        out["description"] = description
    return out


_CURSOR = {"type": "string", "description": "nextCursor of the previous call, to get the next page"}


def _limit(default: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": default,
            "description": f"Most entities to return (default {default}); nextCursor is set when more follow"}


INPUT_SCHEMAS: dict[str, dict[str, Any]] = {
    "create_entities": _object({"entities": _array(_entity(False))}, closed=False, top=True),
    "create_relations": _object({"relations": _array(_relation(False))}, closed=False, top=True),
    "add_observations": _object({"observations": _array(_object({
        "entityName": {"type": "string", "description": "The name of the entity to add the observations to"},
        "contents": _strings("An array of observation contents to add")}, closed=False))}, closed=False, top=True),
    "delete_entities": _object({"entityNames": _strings("An array of entity names to delete")}, closed=False, top=True),
    "delete_observations": _object({"deletions": _array(_object({
        "entityName": {"type": "string", "description": "The name of the entity containing the observations"},
        "observations": _strings("An array of observations to delete")}, closed=False))}, closed=False, top=True),
    "delete_relations": _object({"relations": _array(_relation(False), "An array of relations to delete")},
                                closed=False, top=True),
    "read_graph": _object({"limit": _limit(DEFAULT_READ_LIMIT), "cursor": _CURSOR}, closed=False, top=True,
                          required=[]),
    "search_nodes": _object({"query": {"type": "string", "description": "The search query to match against entity "
                                                                        "names, types, and observation content"},
                             "limit": _limit(DEFAULT_SEARCH_LIMIT), "cursor": _CURSOR},
                            closed=False, top=True, required=["query"]),
    "open_nodes": _object({"names": _strings("An array of entity names to retrieve")}, closed=False, top=True),
}

_STATUS = _object({"success": {"type": "boolean"}, "message": {"type": "string"}}, closed=True, top=True)
_NEXT = {"type": "string", "description": "Set when more entities follow: pass it back as cursor"}


def _graph(paged: bool) -> dict[str, Any]:
    properties = {"entities": _array(_entity(True)), "relations": _array(_relation(True))}
    if paged:
        properties["nextCursor"] = _NEXT
    return _object(properties, closed=True, top=True, required=["entities", "relations"])


OUTPUT_SCHEMAS: dict[str, dict[str, Any]] = {
    "create_entities": _object({"entities": _array(_entity(True))}, closed=True, top=True),
    "create_relations": _object({"relations": _array(_relation(True))}, closed=True, top=True),
    "add_observations": _object({"results": _array(_object({
        "entityName": {"type": "string"}, "addedObservations": _strings()}, closed=True))}, closed=True, top=True),
    "delete_entities": _STATUS, "delete_observations": _STATUS, "delete_relations": _STATUS,
    "read_graph": _graph(True), "search_nodes": _graph(True), "open_nodes": _graph(False),
}
