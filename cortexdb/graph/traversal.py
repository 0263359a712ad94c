"""Graph traversal over current relations: neighbors (recursive CTE), shortest paths, subgraphs.

Every walk is cycle-safe (visited (node, depth) pairs are deduplicated and depth is bounded) and
every result is bounded by ``limit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._json import dumps
from . import _common as c
from .model import Entity, Neighbor, Path, Pattern, Subgraph

if TYPE_CHECKING:
    from ..store import Store

Ref = Entity | Pattern | int | str


def _type_filter(relations: Iterable[str] | None) -> tuple[str, list[str]]:
    if relations is None:
        return "", []
    types = c.str_list("relations", relations)
    if not types:
        return " AND 0", []
    return f" AND r.relation_type IN ({', '.join('?' * len(types))})", types


def _steps(direction: str, type_sql: str) -> list[str]:
    """The recursive SELECTs of the walk CTE (``?2`` is max depth) for one direction."""
    out = ("SELECT r.target_id, w.depth + 1 FROM walk w JOIN tier2.graph_relations r ON r.source_id = w.id "
           f"AND r.valid_to IS NULL{type_sql} WHERE w.depth < ?2")
    inn = ("SELECT r.source_id, w.depth + 1 FROM walk w JOIN tier2.graph_relations r ON r.target_id = w.id "
           f"AND r.valid_to IS NULL{type_sql} WHERE w.depth < ?2")
    return {"out": [out], "in": [inn], "both": [out, inn]}[direction]


class TraversalMixin:
    """Traversal methods of :class:`cortexdb.graph.Graph`."""

    store: Store

    def neighbors(self, entity: Ref, *, depth: int = 1, relations: Iterable[str] | None = None,
                  direction: str = "both", limit: int = 100, namespace: str = "default") -> list[Neighbor]:
        """Entities within ``depth`` hops over current relations, nearest first (ties by id).

        ``relations`` restricts the relation types followed; ``direction`` is out, in or both.
        """
        c.positive("depth", depth, maximum=c.MAX_DEPTH)
        c.positive("limit", limit)
        c.direction(direction)
        start = c.resolve(self.store, entity, namespace=namespace)
        _, types = _type_filter(relations)
        numbered = " AND r.relation_type IN (SELECT value FROM json_each(?4))" if types else ""
        if relations is not None and not types:
            return []
        steps = " UNION ".join(_steps(direction, numbered))
        sql = (f"WITH RECURSIVE walk(id, depth) AS (SELECT ?1, 0 UNION {steps}), "
               "best(id, depth) AS (SELECT id, min(depth) FROM walk WHERE id <> ?1 GROUP BY id "
               "ORDER BY 2, 1 LIMIT ?3) "
               f"SELECT best.depth, {c.ENTITY_COLUMNS} FROM best JOIN tier2.graph_entities e ON e.id = best.id "
               "ORDER BY best.depth, best.id")
        params: tuple[Any, ...] = (start, depth, limit) + ((dumps(types),) if types else ())
        rows = self.store.execute(sql, params)
        entities = c.entities_from_rows(self.store, rows, 1)
        return [Neighbor(entity=e, depth=row[0]) for e, row in zip(entities, rows, strict=False)]

    def shortest_path(self, source: Ref, target: Ref, *, max_depth: int = 6, relations: Iterable[str] | None = None,
                      direction: str = "out", namespace: str = "default") -> Path | None:
        """A shortest path over current relations, or None if none within ``max_depth`` hops.

        Breadth-first, one SQL step per level from the start (frontier bound as JSON); ties go
        to the lowest node id, then the lowest relation id, so the answer is deterministic.
        """
        c.positive("max_depth", max_depth, maximum=c.MAX_DEPTH)
        c.direction(direction)
        store = self.store
        start = c.resolve(store, source, field="source", namespace=namespace)
        goal = c.resolve(store, target, field="target", namespace=namespace)
        if start == goal:
            return Path(entities=(c.load_entities(store, [start])[start],), relations=())
        type_sql, types = _type_filter(relations)
        parts = []
        if direction in ("out", "both"):
            parts.append("SELECT r.source_id AS here, r.target_id AS there, r.id AS rid FROM tier2.graph_relations r "
                         f"WHERE r.source_id IN (SELECT value FROM json_each(?1)) AND r.valid_to IS NULL{type_sql}")
        if direction in ("in", "both"):
            parts.append("SELECT r.target_id AS here, r.source_id AS there, r.id AS rid FROM tier2.graph_relations r "
                         f"WHERE r.target_id IN (SELECT value FROM json_each(?1)) AND r.valid_to IS NULL{type_sql}")
        step_sql = " UNION ALL ".join(parts) + " ORDER BY here, rid"
        parent: dict[int, tuple[int, int]] = {}
        seen = {start}
        frontier = [start]
        for _level in range(max_depth):
            if not frontier:
                break
            rows = store.execute(step_sql.replace("?1", "?"), _step_params(frontier, types, len(parts)))
            next_frontier = []
            for here, there, rid in rows:
                if there not in seen:
                    seen.add(there)
                    parent[there] = (here, rid)
                    next_frontier.append(there)
            if goal in seen:
                break
            frontier = sorted(next_frontier)
        if goal not in seen:
            return None
        nodes, rels = [goal], []
        while nodes[-1] != start:
            here, rid = parent[nodes[-1]]
            rels.append(rid)
            nodes.append(here)
        nodes.reverse()
        rels.reverse()
        entities = c.load_entities(store, nodes)
        by_id = {r.id: r for r in c.load_relations(store, rels)}
        return Path(entities=tuple(entities[n] for n in nodes), relations=tuple(by_id[r] for r in rels))

    def subgraph(self, entity: Ref, *, depth: int = 2, relations: Iterable[str] | None = None,
                 direction: str = "both", limit: int = 100, namespace: str = "default") -> Subgraph:
        """The start entity, its neighbors within ``depth`` (at most ``limit``), and the current
        relations among them."""
        start = c.resolve(self.store, entity, namespace=namespace)
        around = self.neighbors(start, depth=depth, relations=relations, direction=direction, limit=limit)
        ids = [start] + [n.entity.id for n in around]
        type_sql, types = _type_filter(relations)
        rows = self.store.execute(
            "SELECT r.id FROM tier2.graph_relations r WHERE r.valid_to IS NULL "
            "AND r.source_id IN (SELECT value FROM json_each(?)) AND r.target_id IN (SELECT value FROM json_each(?))"
            f"{type_sql} ORDER BY r.id LIMIT ?", (dumps(ids), dumps(ids), *types, c.MAX_LIMIT))
        root = c.load_entities(self.store, [start])[start]
        return Subgraph(entities=(root, *(n.entity for n in around)),
                        relations=tuple(c.load_relations(self.store, [r[0] for r in rows])))


def _step_params(frontier: list[int], types: list[str], parts: int) -> tuple[Any, ...]:
    frontier_json = dumps(frontier)
    params: list[Any] = []
    for _ in range(parts):
        params += [frontier_json, *types]
    return tuple(params)
