"""The registry of archivable groups: what moves together between a live tier and the archive.

A group is a root table (with a stable key) plus child tables reached from the root by a link
column. Adding a kind of row to the archive (graph patterns, entities, ...) is one
:func:`register_group` call plus a tier-3 migration creating its ``archived_*`` tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ValidationError

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def ident(name: str, field_name: str = "identifier") -> str:
    """Return ``name`` if it is a plain lower-case SQL identifier, else raise ValidationError."""
    if not isinstance(name, str) or not _IDENT.match(name):
        raise ValidationError(field_name, f"{name!r} is not a plain identifier ([a-z_][a-z0-9_]*)")
    return name


@dataclass(frozen=True)
class Child:
    """A table moving with its group's root: rows whose ``link`` equals the root's ``root_link``.

    Tables that point at the root by a *reusable* local id (an ``INTEGER PRIMARY KEY`` without
    AUTOINCREMENT, like ``graph_entities.id``) use ``refs`` instead of ``link``: pairs ``(live
    column, archive column)``; the archive table stores the root's stable key in the archive
    column, and a restore maps it back to the root's live id. A row moves when *any* ref points at
    a moved root (relations: ``source_id`` or ``target_id``); it is restored only once *every* ref
    resolves to a live root. ``key`` is then the row's stable identity in live column names (a
    tuple for composite keys; ref columns compare through the root's stable key), and
    ``fresh_id`` names a local id column that a restore leaves to SQLite to assign (the archived
    value may have been reused meanwhile).
    """

    table: str
    archive_table: str
    key: str | tuple[str, ...] = "id"
    link: str = "conversation_id"
    root_link: str = "conversation_id"
    refs: tuple[tuple[str, str], ...] = ()
    fresh_id: str | None = None

    @property
    def key_columns(self) -> tuple[str, ...]:
        return (self.key,) if isinstance(self.key, str) else tuple(self.key)


@dataclass(frozen=True)
class ArchiveGroup:
    """Rows that move as one unit. ``key`` is the root's stable key (uuid, natural key or an
    AUTOINCREMENT id, which SQLite never reuses). ``flag_column`` is set to 1 in the archive
    and back to 0 on restore. ``time_column`` gives the operation's oldest/newest record."""

    name: str
    tier: str
    table: str
    archive_table: str
    key: str
    children: tuple[Child, ...] = field(default_factory=tuple)
    flag_column: str | None = None
    time_column: str | None = None
    local_id: str | None = None
    """The root's reusable local id that children's ``refs`` point at. A restore keeps the
    archived value when it is free in the live table, else SQLite assigns a new one (and the
    children's refs follow, since they are mapped through the stable ``key``)."""
    unique: tuple[tuple[str, ...], ...] = ()
    """Column sets unique in the live root table besides ``key``: a restore refuses, before
    moving anything, when a different live row holds the same values."""
    restore_set: tuple[tuple[str, str], ...] = ()
    """Root columns a restore overwrites: ``(column, "null" | "now" | "zero")`` (``now`` = store
    timestamp; ``zero`` for counters that the live tier's triggers rebuild as the children return)."""
    restore_first: tuple[str, ...] = ()
    """Statements a restore runs before copying, in the same transaction (parameters ``:op`` and
    ``:now``): they create the live rows the roots refer to but do not carry, so a bundle
    imported into another store restores there too."""

    def tables(self) -> list[tuple[str, str, str | tuple[str, ...]]]:
        """(live table, archive table, key) for the root then each child."""
        return [(self.table, self.archive_table, self.key)] + [(c.table, c.archive_table, c.key) for c in self.children]


GROUPS: dict[str, ArchiveGroup] = {}
RESTORE_VALUES = {"null": "NULL", "now": ":now", "zero": "0"}


def register_group(group: ArchiveGroup) -> ArchiveGroup:
    """Add (or replace) an archivable group; identifiers are validated here, once."""
    if group.tier not in ("tier1", "tier2"):
        raise ValidationError("tier", "archive groups move rows from tier1 or tier2 into tier3")
    for name in (group.name, group.table, group.archive_table, group.key, group.flag_column or "x",
                 group.time_column or "x"):
        ident(name)
    for name in [group.local_id or "x"] + [c for cols in group.unique for c in cols] + [c for c, _ in group.restore_set]:
        ident(name)
    for _column, value in group.restore_set:
        if value not in RESTORE_VALUES:
            raise ValidationError("restore_set", f"values are {', '.join(RESTORE_VALUES)}; got {value!r}")
    for child in group.children:
        for name in (child.table, child.archive_table, child.link, child.root_link, *child.key_columns,
                     *(c for pair in child.refs for c in pair), child.fresh_id or "x"):
            ident(name)
        if child.refs and not group.local_id:
            raise ValidationError("refs", f"{child.table}: refs need the group's local_id (the column they point at)")
    GROUPS[group.name] = group
    return group


def get_group(name: str) -> ArchiveGroup:
    """The registered group called ``name``."""
    try:
        return GROUPS[name]
    except KeyError:
        raise ValidationError("group", f"unknown archive group {name!r}; known: {', '.join(sorted(GROUPS))}") from None


register_group(ArchiveGroup(
    "conversations", "tier1", "conversations", "archived_conversations", "conversation_id",
    children=(
        Child("messages", "archived_messages", "id", "conversation_id", "conversation_id"),
        Child("conversation_actions", "archived_conversation_actions", "id", "session_id", "session_id"),
        Child("conversation_state_snapshots", "archived_conversation_state_snapshots", "id", "session_id", "session_id"),
        Child("message_embeddings", "archived_message_embeddings", "message_id", "conversation_id", "conversation_id"),
    ),
    # message_count is kept by tier-1 triggers on messages: restored messages count themselves.
    flag_column="archived", time_column="last_updated", restore_set=(("message_count", "zero"),)))
register_group(ArchiveGroup("conversation_actions", "tier1", "conversation_actions", "archived_conversation_actions",
                            "id", time_column="created_at"))
register_group(ArchiveGroup("conversation_state_snapshots", "tier1", "conversation_state_snapshots",
                            "archived_conversation_state_snapshots", "id", time_column="created_at"))
register_group(ArchiveGroup("provenance_links", "tier2", "provenance_links", "archived_provenance_links", "id",
                            time_column="created_at"))
for _name in ("workspace_databases", "workspace_apis", "workspace_frameworks"):
    register_group(ArchiveGroup(_name, "tier2", _name, f"archived_{_name}", "id", time_column="discovered_at"))

# Knowledge-graph nodes (tier 2): an entity or pattern row moves with its pattern side row,
# observations, tags, vector, every relation touching it (either end) and its workspace links. Node and
# relation ids are reusable INTEGER PRIMARY KEYs, so the archive is keyed on uuids and children
# refer to their node by uuid there (see docs/lifecycle.md, "Graph nodes").
register_group(ArchiveGroup(
    "graph_nodes", "tier2", "graph_entities", "archived_graph_entities", "uuid",
    children=(
        Child("graph_patterns", "archived_graph_patterns", "id", refs=(("id", "entity_uuid"),)),
        Child("graph_observations", "archived_graph_observations", ("entity_id", "content"),
              refs=(("entity_id", "entity_uuid"),), fresh_id="id"),
        Child("graph_tags", "archived_graph_tags", ("entity_id", "tag"), refs=(("entity_id", "entity_uuid"),)),
        Child("graph_embeddings", "archived_graph_embeddings", "entity_id", refs=(("entity_id", "entity_uuid"),)),
        Child("graph_relations", "archived_graph_relations", "uuid",
              refs=(("source_id", "source_uuid"), ("target_id", "target_uuid")), fresh_id="id"),
        Child("graph_workspace_links", "archived_graph_workspace_links",
              ("subject_pattern_id", "relationship_type", "object_entity_type", "object_entity_id"),
              refs=(("subject_pattern_id", "pattern_uuid"),), fresh_id="id"),
    ),
    time_column="updated_at", local_id="id", unique=(("namespace", "name"),),
    restore_set=(("archived_at", "null"), ("last_accessed", "now")),
    # a node's namespace is part of its identity: another store may not have it yet
    restore_first=("INSERT OR IGNORE INTO tier2.graph_namespaces (name, created_at) SELECT DISTINCT namespace, :now "
                   "FROM tier3.archived_graph_entities WHERE uuid IN "
                   "(SELECT root_key FROM tier3.archival_operation_keys WHERE op_id = :op)",)))

# LangGraph threads (tier 1, cortexdb.langgraph): an idle thread moves with every checkpoint and
# pending write of every namespace; each row's stable key is its LangGraph primary key.
register_group(ArchiveGroup(
    "langgraph_threads", "tier1", "langgraph_threads", "archived_langgraph_threads", "thread_id",
    children=(
        Child("langgraph_checkpoints", "archived_langgraph_checkpoints", ("thread_id", "checkpoint_ns", "checkpoint_id"),
              "thread_id", "thread_id"),
        Child("langgraph_writes", "archived_langgraph_writes",
              ("thread_id", "checkpoint_ns", "checkpoint_id", "task_id", "idx"), "thread_id", "thread_id"),
    ),
    time_column="updated_at"))
