"""The archive (tier 3's ``archived_*`` tables) goes to the authority, kept there per source store.

Push only: an archive is one store's history, so nothing is pulled back. Local triggers append
every archived row written or removed to ``tier3.sync_archive_log`` (a restore removes rows); a
push replays the log oldest first, a batch per authority transaction: the batch's keys are
deleted from this store's copy (``sync_store_id``) and the rows that still exist locally are
copied in. The entries sent are dropped locally once the run ends (one durable tier-3 commit,
not one per batch). Replaying an entry twice leaves the same copy, so a crash anywhere is
repaired by the next push, which replays what was not dropped.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from .pg_schema import copy_rows
from .side_tables import json_text

if TYPE_CHECKING:
    from ..store import Store

KEYS: dict[str, tuple[str, ...]] = {
    "archived_conversations": ("conversation_id",),
    "archived_messages": ("id",),
    "archived_conversation_actions": ("id",),
    "archived_conversation_state_snapshots": ("id",),
    "archived_provenance_links": ("id",),
    "archived_workspace_databases": ("id",),
    "archived_workspace_apis": ("id",),
    "archived_workspace_frameworks": ("id",),
    "archived_graph_entities": ("uuid",),
    "archived_graph_patterns": ("entity_uuid",),
    "archived_graph_observations": ("entity_uuid", "content"),
    "archived_graph_tags": ("entity_uuid", "tag"),
    "archived_graph_relations": ("uuid",),
    "archived_graph_workspace_links": ("pattern_uuid", "relationship_type", "object_entity_type", "object_entity_id"),
    "archived_graph_embeddings": ("entity_uuid",),
    "archived_message_embeddings": ("message_id",),
    "archived_langgraph_threads": ("thread_id",),
    "archived_langgraph_checkpoints": ("thread_id", "checkpoint_ns", "checkpoint_id"),
    "archived_langgraph_writes": ("thread_id", "checkpoint_ns", "checkpoint_id", "task_id", "idx"),
}
"""Each archived table and its key, as ``schema/sync/tier3/0001_archive_log.sql`` logs it."""
_COLUMNS: weakref.WeakKeyDictionary[Any, dict[str, dict[str, str]]] = weakref.WeakKeyDictionary()
"""The authority's archive columns, read once per connection: the connection brought the authority's
schema up to this version's when it opened, and a later, newer migration adds nothing this version
holds locally."""
ARCHIVE_LOCK = 0x61726368  # "arch", with the hash of the store id: one archive replay at a time per store


def pending(store: Store) -> int:
    return int(store.execute("SELECT count(*) FROM tier3.sync_archive_log")[0][0])


def push(store: Store, conn: Any, store_id: str, limit: int) -> int:
    """Replay the archive log against this store's copy on the authority; rows copied or removed."""
    sent = done = 0
    pg_columns: dict[str, dict[str, str]] | None = None
    local_columns: dict[str, list[str]] = {}
    try:
        while entries := store.execute("SELECT seq, table_name, row_key, removed FROM tier3.sync_archive_log "
                                       "WHERE seq > ? ORDER BY seq LIMIT ?", (done, limit)):
            if pg_columns is None:
                pg_columns = _COLUMNS.get(conn) or _COLUMNS.setdefault(conn, _pg_columns(conn))
            by_table: dict[str, dict[str, None]] = {}      # each key once: its row is replaced whole
            for _seq, table, key, _removed in entries:
                if table in KEYS:
                    by_table.setdefault(table, {})[key] = None
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (ARCHIVE_LOCK, store_id))
                for table, keys in by_table.items():
                    if table not in local_columns:
                        local_columns[table] = [r[1] for r in store.execute(f"PRAGMA tier3.table_info({table})")]
                    _replace(store, conn, store_id, table, list(keys), pg_columns[table], local_columns[table])
                    sent += len(keys)
            done = entries[-1][0]
    finally:
        if done:                        # one durable tier-3 commit for the whole run, not one per batch
            with store.transaction():
                store.execute("DELETE FROM tier3.sync_archive_log WHERE seq <= ?", (done,))
    return sent


def _pg_columns(conn: Any) -> dict[str, dict[str, str]]:
    """Each archived table's columns on the authority and their types (``bigint``, ``jsonb``, ...)."""
    out: dict[str, dict[str, str]] = {table: {} for table in KEYS}
    for table, column, kind in conn.execute(
            "SELECT c.relname, a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid WHERE c.oid = ANY(%s::regclass[]) AND a.attnum > 0 "
            "AND NOT a.attisdropped", (list(KEYS),)):
        out[table][column] = kind
    return out


def _replace(store: Store, conn: Any, store_id: str, table: str, keys: list[str], remote: dict[str, str],
             local: list[str]) -> None:
    """Delete ``keys`` from this store's copy of ``table``, then copy in the local rows that exist
    (``local``: the table's columns here)."""
    key = KEYS[table]
    match = " AND ".join(f"t.{c} = (k ->> {i})::{remote[c]}" for i, c in enumerate(key))
    conn.execute(f"DELETE FROM {table} t USING jsonb_array_elements(%s::jsonb) k WHERE t.sync_store_id = %s AND {match}",
                 (f"[{','.join(keys)}]", store_id))
    columns = [c for c in local if c in remote]
    json_at = {i for i, c in enumerate(columns) if remote[c] == "jsonb"}
    matched = " AND ".join(f"t.{c} IS k.value ->> {i}" for i, c in enumerate(key))
    rows = store.execute(f"SELECT {', '.join('t.' + c for c in columns)} FROM json_each(?) k "
                         f"JOIN tier3.{table} t ON {matched}", (f"[{','.join(keys)}]",))
    if rows:
        copy_rows(conn, f"COPY {table} (sync_store_id, {', '.join(columns)}) FROM STDIN",
                  ((store_id, *(json_text(v) if i in json_at else v for i, v in enumerate(row))) for row in rows))

