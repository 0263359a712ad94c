"""Result types of the knowledge graph: small frozen dataclasses, safe to keep and compare."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Entity:
    """A node of the graph. ``id`` is the local key; ``uuid`` stays stable if the row moves tiers."""

    id: int
    uuid: str
    namespace: str
    name: str
    kind: str
    properties: dict[str, Any] = field(hash=False, compare=True)
    observations: tuple[str, ...]
    tags: tuple[str, ...]
    confidence: float
    pinned: bool
    access_count: int
    last_accessed: str | None
    archived_at: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Pattern:
    """A CORTEX pattern: a node of the same graph (``id`` is its node id, an int)."""

    id: int
    uuid: str
    namespace: str
    name: str
    title: str
    content: str
    pattern_type: str
    scope: str
    confidence: float
    pinned: bool
    tags: tuple[str, ...]
    access_count: int
    last_accessed: str | None
    archived_at: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Relation:
    """A typed, directed edge, with valid time (``valid_from``/``valid_to``) and the time recorded."""

    id: int
    uuid: str
    source_id: int
    source_name: str
    relation_type: str
    target_id: int
    target_name: str
    strength: float
    confidence: float
    properties: dict[str, Any] = field(hash=False, compare=True)
    valid_from: str = ""
    valid_to: str | None = None
    recorded_at: str = ""
    ended_at: str | None = None

    @property
    def current(self) -> bool:
        """True while the relation has not been ended."""
        return self.valid_to is None


@dataclass(frozen=True)
class SearchHit:
    """One ranked search result, best first by ``score`` (higher is better): -bm25 for
    ``method="text"``, -distance for ``"semantic"``, the fused rank score for ``"hybrid"``.
    ``text_score`` (-bm25) and ``distance`` (to the query vector) are each set when known:
    ``text_score`` when the node matched the text, ``distance`` when it has a vector and the
    search had one. ``snippet`` marks text matches **like this**."""

    entity: Entity
    score: float
    snippet: str
    text_score: float | None = None
    distance: float | None = None


@dataclass(frozen=True)
class Neighbor:
    """An entity reached by traversal, ``depth`` hops (the shortest) from the start."""

    entity: Entity
    depth: int


@dataclass(frozen=True)
class Path:
    """A shortest path: ``entities[0]`` is the start, ``relations[i]`` joins entities i and i+1."""

    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]

    def __len__(self) -> int:
        return len(self.relations)


@dataclass(frozen=True)
class Subgraph:
    """Entities around a start node and the current relations among them."""

    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]


@dataclass(frozen=True)
class DecayChange:
    """One confidence change made by ``apply_decay`` (also written to ``graph_decay_log``)."""

    entity_id: int
    name: str
    old_confidence: float
    new_confidence: float
    idle_days: float
    archived: bool


@dataclass(frozen=True)
class DecayReport:
    """What one ``apply_decay`` run changed."""

    examined: int
    decayed: int
    archived: int
    changes: tuple[DecayChange, ...]
    moved: int = 0
    """Nodes moved to the tier-3 archive by this run (including ones marked by earlier runs)."""
