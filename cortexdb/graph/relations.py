"""Typed, directed, bitemporal relations between nodes (entities and patterns)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._json import dumps
from ..errors import NotFoundError, ValidationError
from . import _common as c
from .model import Entity, Pattern, Relation

if TYPE_CHECKING:
    from ..store import Store

Ref = Entity | Pattern | int | str


class RelationsMixin:
    """Relation methods of :class:`cortexdb.graph.Graph`."""

    store: Store

    def relate(self, source: Ref, relation_type: str, target: Ref, *, properties: Mapping[str, Any] | None = None,
               strength: float = 1.0, confidence: float = 1.0, valid_from: Any = None,
               namespace: str = "default") -> Relation:
        """Record ``source -relation_type-> target`` as currently true.

        Both endpoints must exist and differ. If the same current relation exists with the same
        strength, confidence and properties it is returned unchanged; otherwise the old one is
        ended (kept as history) and superseded by the new one.
        """
        [relation] = self.relate_many([{
            "source": source, "relation_type": relation_type, "target": target, "properties": properties,
            "strength": strength, "confidence": confidence, "valid_from": valid_from}], namespace=namespace)
        return relation

    def relate_many(self, items: Iterable[Mapping[str, Any]], *, namespace: str = "default") -> list[Relation]:
        """Several :meth:`relate` calls in one transaction (dicts with source, relation_type, target, ...)."""
        store = self.store
        prepared = []
        allowed = {"source", "relation_type", "target", "properties", "strength", "confidence", "valid_from"}
        for index, item in enumerate(items):
            c.bulk_item(index, item, allowed, "source, relation_type, target")
            props = item.get("properties")
            prepared.append((
                item.get("source"), c.text("relation_type", item.get("relation_type"), max_len=100), item.get("target"),
                c.properties_json({} if props is None else dict(props) if isinstance(props, Mapping) else props),
                c.unit("strength", item.get("strength", 1.0)), c.unit("confidence", item.get("confidence", 1.0)),
                None if item.get("valid_from") is None else c.timestamp("valid_from", item["valid_from"])))
        ids = []
        with store.transaction():
            now = store.timestamp()
            for source, rtype, target, props, strength, confidence, valid_from in prepared:
                source_id = c.resolve(store, source, field="source", namespace=namespace)
                target_id = c.resolve(store, target, field="target", namespace=namespace)
                if source_id == target_id:
                    raise ValidationError("target", "a relation cannot link an entity to itself")
                current = store.execute(
                    "SELECT id, strength, confidence, properties, valid_from FROM tier2.graph_relations "
                    "WHERE source_id = ? AND relation_type = ? AND target_id = ? AND valid_to IS NULL",
                    (source_id, rtype, target_id))
                start = valid_from or now
                if current:
                    rid, old_strength, old_conf, old_props, old_from = current[0]
                    if (old_strength, old_conf, old_props) == (strength, confidence, props) and valid_from in (None, old_from):
                        ids.append(rid)
                        continue
                    end = max(start, old_from)
                    store.execute("UPDATE tier2.graph_relations SET valid_to = ?, ended_at = ? WHERE id = ?",
                                  (end, now, rid))
                    start = end
                rows = store.execute(
                    "INSERT INTO tier2.graph_relations (uuid, source_id, relation_type, target_id, strength, confidence, "
                    f"properties, valid_from, recorded_at) VALUES ({c.UUID7_SQL}, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (source_id, rtype, target_id, strength, confidence, props, start, now))
                ids.append(rows[0][0])
        return c.load_relations(store, ids)

    def unrelate(self, source: Ref, relation_type: str, target: Ref, *, at: Any = None,
                 namespace: str = "default") -> Relation:
        """End the current relation (its ``valid_to`` becomes ``at`` or now); history is kept."""
        c.text("relation_type", relation_type, max_len=100)
        store = self.store
        with store.transaction():
            source_id = c.resolve(store, source, field="source", namespace=namespace)
            target_id = c.resolve(store, target, field="target", namespace=namespace)
            now = store.timestamp()
            end = now if at is None else c.timestamp("at", at)
            rows = store.execute(
                "SELECT id, valid_from FROM tier2.graph_relations WHERE source_id = ? AND relation_type = ? "
                "AND target_id = ? AND valid_to IS NULL", (source_id, relation_type, target_id))
            if not rows:
                raise NotFoundError(f"relation: no current {relation_type!r} relation from {source!r} to {target!r}")
            if end < rows[0][1]:
                raise ValidationError("at", f"must not be before the relation's valid_from {rows[0][1]}")
            store.execute("UPDATE tier2.graph_relations SET valid_to = ?, ended_at = ? WHERE id = ?",
                          (end, now, rows[0][0]))
        return c.load_relations(store, [rows[0][0]])[0]

    def unrelate_many(self, items: Iterable[Mapping[str, Any]], *, namespace: str = "default",
                      missing_ok: bool = True) -> int:
        """End several relations (dicts with source, relation_type, target) in one transaction."""
        ended = 0
        with self.store.transaction():
            for item in items:
                try:
                    self.unrelate(item["source"], item["relation_type"], item["target"], namespace=namespace)
                    ended += 1
                except NotFoundError:
                    if not missing_ok:
                        raise
                except (KeyError, TypeError) as error:
                    raise ValidationError("items", "each item needs source, relation_type and target") from error
        return ended

    def relations(self, entity: Ref, *, direction: str = "both", relation_types: Iterable[str] | None = None,
                  as_of: Any = None, known_at: Any = None, include_ended: bool = False, limit: int = 1000,
                  namespace: str = "default") -> list[Relation]:
        """Relations touching ``entity``.

        By default the current ones. ``as_of`` (valid time) gives those true at that moment;
        ``known_at`` (transaction time) those the store had recorded and not yet ended then;
        ``include_ended`` gives the full history.
        """
        c.direction(direction)
        c.positive("limit", limit)
        store = self.store
        entity_id = c.resolve(store, entity, namespace=namespace)
        clauses: list[str] = []
        params: list[Any] = []
        if direction == "out":
            clauses.append("r.source_id = ?")
            params.append(entity_id)
        elif direction == "in":
            clauses.append("r.target_id = ?")
            params.append(entity_id)
        else:
            clauses.append("(r.source_id = ? OR r.target_id = ?)")
            params += [entity_id, entity_id]
        if relation_types is not None:
            types = c.str_list("relation_types", relation_types)
            clauses.append(f"r.relation_type IN ({', '.join('?' * len(types))})" if types else "0")
            params += types
        if as_of is not None:
            moment = c.timestamp("as_of", as_of)
            clauses.append("r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to > ?)")
            params += [moment, moment]
        if known_at is not None:
            moment = c.timestamp("known_at", known_at)
            clauses.append("r.recorded_at <= ? AND (r.ended_at IS NULL OR r.ended_at > ?)")
            params += [moment, moment]
        if as_of is None and known_at is None and not include_ended:
            clauses.append("r.valid_to IS NULL")
        rows = store.execute(c.RELATION_SELECT + " WHERE " + " AND ".join(clauses) + " ORDER BY r.id LIMIT ?",
                             (*params, limit))
        return [c.relation_from_row(r) for r in rows]

    def relations_touching(self, entities: Iterable[Ref], *, only_between: bool = False, limit: int = 10_000,
                           namespace: str = "default") -> list[Relation]:
        """Current relations touching any of ``entities`` (``only_between=True``: both endpoints
        among them), e.g. the relations to show beside search hits or opened nodes."""
        c.positive("limit", limit)
        ids = [c.resolve(self.store, ref, namespace=namespace) for ref in entities]
        if not ids:
            return []
        joiner = "AND" if only_between else "OR"
        rows = self.store.execute(
            c.RELATION_SELECT + " WHERE r.valid_to IS NULL AND (r.source_id IN (SELECT value FROM json_each(?1)) "
            f"{joiner} r.target_id IN (SELECT value FROM json_each(?1))) ORDER BY r.id LIMIT ?2",
            (dumps(ids), limit))
        return [c.relation_from_row(r) for r in rows]
