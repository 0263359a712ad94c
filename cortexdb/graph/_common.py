"""Shared helpers of the graph modules: validation, entity resolution, row decoding."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from .. import _records as records
from .._json import dumps, loads
from ..clock import to_timestamp
from ..errors import NotFoundError, ValidationError, wrap_apsw
from .model import Entity, Pattern, Relation

if TYPE_CHECKING:
    from ..store import Store

NAMESPACE_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")
MAX_LIMIT = 100_000
MAX_DEPTH = 32
DIRECTIONS = ("out", "in", "both")

UUID7_SQL = (
    "printf('%012x7%03x%x%015x', CAST(unixepoch('subsec') * 1000 AS INTEGER), random() & 4095, "
    "8 + (random() & 3), random() & 1152921504606846975)"
)
"""A new row's ``uuid``: a UUIDv7 as 32 lowercase hex digits (48-bit Unix milliseconds first).
The column default (random hex) would scatter each batch's keys over the whole uuid index, a
dirty page per row at every commit; time-ordered keys append to its last page."""

ENTITY_COLUMNS = (
    "e.id, e.uuid, e.namespace, e.name, e.kind, e.properties, e.confidence, e.pinned, e.access_count, "
    "e.last_accessed, e.archived_at, e.created_at, e.updated_at"
)
_DETAILS = (
    "SELECT 0, entity_id, content FROM (SELECT entity_id, content FROM tier2.graph_observations "
    "WHERE entity_id IN (SELECT value FROM json_each(?1)) ORDER BY id) "
    "UNION ALL SELECT 1, entity_id, tag FROM tier2.graph_tags WHERE entity_id IN (SELECT value FROM json_each(?1))"
)
N_ENTITY_COLUMNS = 13

RELATION_SELECT = (
    "SELECT r.id, r.uuid, r.source_id, s.name, r.relation_type, r.target_id, t.name, r.strength, r.confidence, "
    "r.properties, r.valid_from, r.valid_to, r.recorded_at, r.ended_at FROM tier2.graph_relations r "
    "JOIN tier2.graph_entities s ON s.id = r.source_id JOIN tier2.graph_entities t ON t.id = r.target_id"
)

PATTERN_SELECT = (
    "SELECT e.id, e.uuid, e.namespace, e.name, p.title, p.content, p.pattern_type, p.scope, e.confidence, e.pinned, "
    "(SELECT json_group_array(tag) FROM (SELECT tag FROM tier2.graph_tags t WHERE t.entity_id = e.id ORDER BY tag)), "
    "e.access_count, e.last_accessed, e.archived_at, e.created_at, e.updated_at "
    "FROM tier2.graph_patterns p JOIN tier2.graph_entities e ON e.id = p.id"
)


def entities_from_rows(store: Store, rows: list[tuple[Any, ...]], offset: int = 0) -> list[Entity]:
    """Entities from rows holding ENTITY_COLUMNS at ``offset``; observations (in insertion order)
    and tags (sorted) are fetched for all of them in one statement."""
    if not rows:
        return []
    observations: dict[int, list[str]] = {}
    tags: dict[int, list[str]] = {}
    for which, entity_id, value in store.execute(_DETAILS, (int_list([row[offset] for row in rows]),)):
        (tags if which else observations).setdefault(entity_id, []).append(value)
    out = []
    new, install, decode, no = records.new, records.install, orjson.loads, ()
    end = offset + N_ENTITY_COLUMNS
    for row in rows:
        i, uuid, namespace, name, kind, props, confidence, pinned, count, accessed, archived, created, updated = \
            row if len(row) == N_ENTITY_COLUMNS else row[offset:end]
        entity = new(Entity)  # records.record() inlined: results are built on every read
        install(entity, "__dict__", {
            "id": i, "uuid": uuid, "namespace": namespace, "name": name, "kind": kind, "properties": decode(props),
            "observations": tuple(observations.get(i, no)), "tags": tuple(sorted(tags[i])) if i in tags else no,
            "confidence": confidence, "pinned": bool(pinned), "access_count": count, "last_accessed": accessed,
            "archived_at": archived, "created_at": created, "updated_at": updated})
        out.append(entity)
    return out


def int_list(ids: list[int]) -> str:
    """A list of ints as JSON text (no round-trip check needed) for ``json_each`` binding."""
    return orjson.dumps(ids).decode()


def relation_from_row(row: tuple[Any, ...]) -> Relation:
    return Relation(id=row[0], uuid=row[1], source_id=row[2], source_name=row[3], relation_type=row[4],
                    target_id=row[5], target_name=row[6], strength=row[7], confidence=row[8],
                    properties=loads(row[9]), valid_from=row[10], valid_to=row[11], recorded_at=row[12],
                    ended_at=row[13])


def pattern_from_row(row: tuple[Any, ...]) -> Pattern:
    return Pattern(id=row[0], uuid=row[1], namespace=row[2], name=row[3], title=row[4], content=row[5],
                   pattern_type=row[6], scope=row[7], confidence=row[8], pinned=bool(row[9]),
                   tags=tuple(loads(row[10])), access_count=row[11], last_accessed=row[12], archived_at=row[13],
                   created_at=row[14], updated_at=row[15])


# -- validation ----------------------------------------------------------------------------------

def text(field: str, value: Any, *, max_len: int = 1000) -> str:
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise ValidationError(field, f"must be a non-empty string of at most {max_len} characters, got {value!r:.80}")
    if "\x00" in value:
        raise ValidationError(field, "must not contain NUL characters")
    return value


def bulk_item(index: int, item: Any, allowed: set[str], shape: str) -> Mapping[str, Any]:
    """One dict of a bulk call (``items[index]``), refusing keys outside ``allowed``."""
    if not isinstance(item, Mapping):
        raise ValidationError(f"items[{index}]", f"must be a dict with {shape}")
    unknown = set(item) - allowed
    if unknown:
        raise ValidationError(f"items[{index}]", f"unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    return item


def unit(field: str, value: Any) -> float:
    """A number in [0, 1] (confidence, strength)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 1:
        raise ValidationError(field, f"must be a number between 0 and 1, got {value!r}")
    return float(value)


def positive(field: str, value: Any, *, maximum: int = MAX_LIMIT, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValidationError(field, f"must be an integer between {minimum} and {maximum}, got {value!r}")
    return value


def namespace_name(value: Any, field: str = "namespace") -> str:
    if not isinstance(value, str) or not NAMESPACE_RE.match(value):
        raise ValidationError(field, f"{value!r} is not a namespace name (1-100 of letters, digits, _ . : -)")
    return value


def direction(value: Any) -> str:
    if value not in DIRECTIONS:
        raise ValidationError("direction", f"must be one of {', '.join(DIRECTIONS)}, got {value!r}")
    return value


def str_list(field: str, values: Any, *, max_len: int = 100) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValidationError(field, f"must be a list of strings, got {values!r:.80}")
    return [text(field, v, max_len=max_len) for v in values]


def properties_json(value: Any, field: str = "properties") -> str:
    if not isinstance(value, dict):
        raise ValidationError(field, f"must be a dict, got {type(value).__name__}")
    return dumps(value, field=field)


def timestamp(field: str, value: Any) -> str:
    """A point in time given as epoch seconds, datetime or the store's timestamp text."""
    if isinstance(value, bool):
        raise ValidationError(field, "must be a time, not a bool")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValidationError(field, "must be a finite epoch time")
        return to_timestamp(float(value), field=field)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return to_timestamp(moment.timestamp(), field=field)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as error:
            raise ValidationError(field, f"{value!r} is not a timestamp like 2026-01-01 12:00:00.000") from error
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return to_timestamp(moment.timestamp(), field=field)
    raise ValidationError(field, f"must be epoch seconds, a datetime or timestamp text, got {value!r}")


# -- resolution ----------------------------------------------------------------------------------

def require_namespace(store: Store, namespace: str) -> str:
    """Check ``namespace`` exists (call inside a write transaction)."""
    namespace_name(namespace)
    if namespace == "default":  # always exists; created on first use (snapshots carry no rows)
        store.execute("INSERT OR IGNORE INTO tier2.graph_namespaces (name, created_at) VALUES ('default', ?)",
                      (store.timestamp(),))
        return namespace
    if not store.execute("SELECT 1 FROM tier2.graph_namespaces WHERE name = ?", (namespace,)):
        raise NotFoundError(f"namespace: no namespace {namespace!r}; create it with db.graph.add_namespace({namespace!r})")
    return namespace


def resolve(store: Store, ref: Any, *, field: str = "entity", namespace: str = "default") -> int:
    """The node id of an Entity / Pattern, an id, or a name in ``namespace``; NotFoundError if absent."""
    if isinstance(ref, (Entity, Pattern)):
        ref = ref.id
    if isinstance(ref, bool):
        raise ValidationError(field, "must be an Entity, an entity id or a name, not a bool")
    if isinstance(ref, int):
        rows = store.execute("SELECT id FROM tier2.graph_entities WHERE id = ?", (ref,))
        if not rows:
            raise NotFoundError(f"{field}: no entity with id {ref}")
        return ref
    if isinstance(ref, str):
        text(field, ref)
        namespace_name(namespace)
        rows = store.execute("SELECT id FROM tier2.graph_entities WHERE namespace = ? AND name = ?", (namespace, ref))
        if not rows:
            raise NotFoundError(f"{field}: no entity named {ref!r} in namespace {namespace!r}")
        return rows[0][0]
    raise ValidationError(field, f"must be an Entity, an entity id or a name, got {type(ref).__name__}")


def load_entities(store: Store, ids: list[int]) -> dict[int, Entity]:
    """Entities by id, in one statement."""
    if not ids:
        return {}
    rows = store.execute(f"SELECT {ENTITY_COLUMNS} FROM tier2.graph_entities e "
                         "WHERE e.id IN (SELECT value FROM json_each(?))", (int_list(ids),))
    return {e.id: e for e in entities_from_rows(store, rows)}


def load_relations(store: Store, ids: list[int]) -> list[Relation]:
    if not ids:
        return []
    rows = store.execute(RELATION_SELECT + " WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY r.id",
                         (dumps(ids),))
    return [relation_from_row(row) for row in rows]


_ADD_OBSERVATIONS = (
    "INSERT OR IGNORE INTO tier2.graph_observations (entity_id, content, created_at) "
    "SELECT j.value ->> 0, j.value ->> 1, ?2 FROM json_each(?1) j"
)


def add_observations(store: Store, pairs: Iterable[tuple[int, str]], now: str) -> None:
    """Insert ``(entity_id, content)`` pairs in order, existing ones ignored, in ONE statement.

    Not executemany: FTS5 flushes its pending index into a new segment at every statement
    savepoint, so a statement per observation costs an index segment (and later merges) each.
    """
    pairs = list(pairs)
    if pairs:
        with wrap_apsw():
            store.conn.execute(_ADD_OBSERVATIONS, (orjson.dumps(pairs).decode(), now))
