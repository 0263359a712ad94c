"""The knowledge graph (tier 2): entities, patterns, relations, observations, search, traversal.

``db.graph`` is a :class:`Graph`; ``db.provenance`` and ``db.workspace`` live beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._boundary import public_api
from .entities import EntitiesMixin
from .model import DecayChange, DecayReport, Entity, Neighbor, Path, Pattern, Relation, SearchHit, Subgraph
from .patterns import PATTERN_TYPES, PatternsMixin
from .property_indexes import PropertyIndex, PropertyIndexesMixin
from .relations import RelationsMixin
from .search import SearchMixin, fts_query
from .traversal import TraversalMixin
from .vectors import VectorsMixin

if TYPE_CHECKING:
    from ..store import Store


@public_api
class Graph(EntitiesMixin, RelationsMixin, SearchMixin, TraversalMixin, PatternsMixin, VectorsMixin, PropertyIndexesMixin):
    """The knowledge graph of one store. Entity arguments accept an Entity, its id or its name
    (looked up in ``namespace``, default ``"default"``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return f"<cortexdb.Graph of {self.store!r}>"


__all__ = [
    "PATTERN_TYPES",
    "DecayChange",
    "DecayReport",
    "Entity",
    "Graph",
    "Neighbor",
    "Path",
    "Pattern",
    "PropertyIndex",
    "Relation",
    "SearchHit",
    "Subgraph",
    "fts_query",
]
