"""Conversations (tier 1): messages, per-turn actions, state snapshots, status, full-text search.

``message_count`` and ``last_updated`` follow ``tier1.messages`` through triggers, so they are
true in the writing statement's own transaction whoever writes (seed 001 columns). Actions and
snapshots are keyed by ``session_id`` as in seed 001; a conversation's session defaults to its
own id. Search is FTS5 (bm25 ranking, snippets) over message content and titles.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import apsw
import orjson

from .. import _fts, vectors
from .. import _records as records
from .._boundary import public_api
from .._json import dumps, dumps_or_none, encode, loads
from ..errors import CortexError, NotFoundError, ValidationError, translate
from . import _common as c
from . import message_vectors

if TYPE_CHECKING:
    from ..store import Store

ROLES = ("user", "assistant", "system", "tool")
TASK_STATUSES = ("open", "in_progress", "blocked", "done")
ACTION_TYPES = ("retrieval", "generation", "write", "maintenance", "self_review")
KEEP_SNAPSHOTS = 5
"""Seed 001 retention: the last 5 state snapshots per session are kept."""

_CONV_COLUMNS = ("conversation_id, session_id, title, created_at, last_updated, message_count, is_active, "
                 "summary, task_status, archived, last_action_at, metadata")
_INSERT_MESSAGE = ("INSERT INTO tier1.messages (conversation_id, role, content, metadata, created_at) "
                   "VALUES (?, ?, ?, ?, ?)")
# A batch is one statement: FTS5 (messages_fts, fed by a trigger) flushes its pending terms into a
# new index segment at every statement, so executemany would write a segment per message.
_INSERT_MESSAGES = ("INSERT INTO tier1.messages (conversation_id, role, content, metadata, created_at) "
                    "SELECT ?1, j.value ->> 0, j.value ->> 1, j.value ->> 2, ?2 FROM json_each(?3) j")


@dataclass(frozen=True)
class ConversationInfo:
    """One row of ``tier1.conversations``."""

    conversation_id: str
    session_id: str | None
    title: str | None
    created_at: str
    last_updated: str
    message_count: int
    is_active: bool
    summary: str | None
    task_status: str | None
    archived: bool
    last_action_at: str | None
    metadata: Any


@dataclass(frozen=True)
class Message:
    """One message; ``id`` orders messages within and across conversations."""

    id: int
    conversation_id: str
    role: str
    content: str
    metadata: Any
    created_at: str


@dataclass(frozen=True)
class Action:
    """One logged agent action (seed 001 ``conversation_actions``)."""

    id: int
    session_id: str
    turn_number: int
    action_type: str
    description: str
    metadata: Any
    success: bool
    created_at: str


@dataclass(frozen=True)
class Snapshot:
    """A full state checkpoint for one turn of a session."""

    session_id: str
    turn_number: int
    state: Any
    created_at: str


@dataclass(frozen=True)
class SearchHit:
    """A match in a message (``message_id`` set) or in a conversation's title (``message_id`` None)."""

    conversation_id: str
    title: str | None
    score: float
    snippet: str
    message_id: int | None
    role: str | None
    created_at: str | None
    archived: bool
    text_score: float | None = None
    """bm25 of a text match (lower is better, as ``score`` for the text method)."""
    distance: float | None = None
    """Distance from the query vector (semantic and hybrid methods)."""


_SNIPPET_MAX = 32_000
# FTS5 consumes ORDER BY rank, so LIMIT stops early and snippets are made for returned rows only.
# LIMIT is a validated int written into the text: with a bound LIMIT the same statement measured
# 25-30 µs slower (211 against 184 µs on a 2M-message store).
# FTS5's snippet() is quadratic in the hits of one document: long messages (octet_length, since
# length() stops at a NUL) get a window cut in Python around the first matching word instead.
_SEARCH_MESSAGES = (
    f"SELECT f.rowid, m.conversation_id, m.role, m.created_at, f.rank, CASE WHEN octet_length(m.content) <= {_SNIPPET_MAX} "
    "THEN snippet(messages_fts, 0, '[', ']', '…', 12) END, "
    f"CASE WHEN octet_length(m.content) > {_SNIPPET_MAX} THEN m.content END, c.title, c.archived "
    "FROM tier1.messages_fts AS f JOIN tier1.messages AS m ON m.id = f.rowid "
    "JOIN tier1.conversations AS c ON c.conversation_id = m.conversation_id "
    "WHERE messages_fts MATCH ? AND f.rowid >= ? AND f.rank MATCH ? ORDER BY f.rank LIMIT {limit:d}")  # floor, rank: cortexdb._fts
_SEARCH_TITLES = (
    "SELECT t.conversation_id, t.rank, highlight(conversation_titles_fts, 0, '[', ']'), c.title, c.archived "
    "FROM tier1.conversation_titles_fts AS t JOIN tier1.conversations AS c ON c.conversation_id = t.conversation_id "
    "WHERE conversation_titles_fts MATCH ? ORDER BY t.rank LIMIT {limit:d}")  # bytes; octet_length, since length() stops at a NUL


def _window(content: str, query: str, *, width: int = 60) -> str:
    """A short excerpt of ``content`` around the first word of ``query`` it contains, marked [..]."""
    words = [w for w in re.findall(r"\w+", query.casefold()) if w.upper() not in ("AND", "OR", "NOT", "NEAR")]
    folded = content.casefold() if len(content) == len(content.casefold()) else content.lower()
    found = [(folded.find(w), w) for w in words]
    found = [(i, w) for i, w in found if i >= 0]
    if not found:
        return content[: 2 * width] + ("…" if len(content) > 2 * width else "")
    index, word = min(found)
    start, end = max(0, index - width), index + len(word)
    return (("…" if start else "") + content[start:index] + "[" + content[index:end] + "]"
            + content[end:end + width] + ("…" if end + width < len(content) else ""))


def _info(row: tuple[Any, ...]) -> ConversationInfo:
    return ConversationInfo(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7], row[8],
                            bool(row[9]), row[10], loads(row[11]))


def _message_tuple(conversation_id: str, item: Any, ts: str, index: int) -> tuple[Any, ...]:
    """Validate one ``add_messages`` item: ``(role, content[, metadata])`` or a dict."""
    if isinstance(item, dict):
        unknown = set(item) - {"role", "content", "metadata", "embedding"}
        if unknown:
            raise ValidationError(f"messages[{index}]", f"unknown keys {sorted(unknown)}; use role, content, metadata, embedding")
        role, content, metadata = item.get("role"), item.get("content"), item.get("metadata")
    elif isinstance(item, (tuple, list)) and len(item) in (2, 3):
        role, content = item[0], item[1]
        metadata = item[2] if len(item) == 3 else None
    else:
        raise ValidationError(f"messages[{index}]", "must be (role, content[, metadata]) or a dict with those keys")
    c.choice(f"messages[{index}].role", role, ROLES)
    c.text(f"messages[{index}].content", content, allow_empty=True)
    return (conversation_id, role, content, dumps_or_none(metadata, field=f"messages[{index}].metadata"), ts)


@public_api
@dataclass(frozen=True)
class Conversation:
    """A handle on one conversation: write messages, actions, snapshots and its status.

    Cheap to create and hold; it stores only the ids (``db.conversations.resume(id)`` makes one).
    """

    conversation_id: str
    session_id: str
    _store: Store = field(repr=False, compare=False)

    # -- messages -----------------------------------------------------------------------------
    def add_message(self, role: str, content: str, *, metadata: Any = None, embedding: Sequence[float] | None = None) -> int:
        """Append one message (its own transaction unless one is open) and return its id.

        ``embedding`` stores its vector (see ``db.conversations.enable_vectors``); without one, a
        registered embedder embeds the content."""
        store = self._store
        store.require_writable()
        if role not in ROLES:
            c.choice("role", role, ROLES)
        if not isinstance(content, str) or not content.isascii():
            c.text("content", content, allow_empty=True)
        meta = None if metadata is None else dumps(metadata, field="metadata")
        if embedding is not None or store.embedder is not None:
            given = message_vectors.prepare(store, {} if embedding is None else {0: embedding}, "embedding")
            with store.transaction():
                self._require()
                [message_id] = self.add_messages([{"role": role, "content": content, "metadata": metadata}], _given=given)
            return message_id
        params = (self.conversation_id, role, content, meta, store.timestamp())
        with store._lock:
            conn = store.conn
            try:
                conn.execute(_INSERT_MESSAGE, params)
                return conn.last_insert_rowid()
            except apsw.ConstraintError as error:
                raise self._missing_or(error) from error
            except apsw.Error as error:
                raise translate(error) from error

    def add_messages(self, messages: Iterable[Any], *, _given: dict[int, bytes] | None = None) -> list[int]:
        """Append many messages in one transaction (all or none); return their ids in order.

        Each item is ``(role, content)``, ``(role, content, metadata)`` or a dict with those keys
        (and optionally ``embedding``, its vector).
        """
        store = self._store
        store.require_writable()
        if isinstance(messages, (str, bytes, dict)) or not isinstance(messages, Iterable):
            raise ValidationError("messages", "must be a list of (role, content[, metadata]) items, "
                                              f"got {type(messages).__name__}")
        items = list(messages)
        ts = store.timestamp()
        rows = [_message_tuple(self.conversation_id, item, ts, index) for index, item in enumerate(items)]
        if not rows:
            return []
        given = _given if _given is not None else message_vectors.prepare(
            store, {i: item["embedding"] for i, item in enumerate(items)
                    if isinstance(item, dict) and item.get("embedding") is not None}, "messages[{i}].embedding")
        with store.transaction():
            self._require()
            with store._lock:
                batch = orjson.dumps([row[1:4] for row in rows]).decode()
                store.conn.execute(_INSERT_MESSAGES, (self.conversation_id, ts, batch))
                last = store.conn.last_insert_rowid()
            ids = list(range(last - len(rows) + 1, last + 1))
            if given or store.embedder is not None:
                message_vectors.write(store, self.conversation_id, ids, [row[2] for row in rows], given)
        return ids

    def messages(self, *, limit: int | None = None, after_id: int = 0, newest: bool = False) -> list[Message]:
        """Messages in order (oldest first); ``after_id`` pages on, ``newest`` takes the last ``limit``."""
        return self._store.conversations.messages(self.conversation_id, limit=limit, after_id=after_id, newest=newest)

    # -- actions and snapshots ------------------------------------------------------------------
    def log_action(self, *, turn: int, action_type: str, description: str, metadata: Any = None,
                   success: bool = True) -> int:
        """Record what the agent did in ``turn``; sets ``last_action_at``. Returns the action id."""
        store = self._store
        store.require_writable()
        c.integer("turn", turn, minimum=0)
        c.choice("action_type", action_type, ACTION_TYPES)
        c.text("description", description)
        if not isinstance(success, bool):
            raise ValidationError("success", f"must be True or False, got {type(success).__name__}")
        meta = dumps_or_none(metadata, field="metadata")
        ts = store.timestamp()
        with store.transaction():
            self._touch(ts, action=True)
            store.execute(
                "INSERT INTO tier1.conversation_actions (session_id, turn_number, action_type, description, "
                "metadata_json, success, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self.session_id, turn, action_type, description, meta, int(success), ts))
            return store.conn.last_insert_rowid()

    def actions(self, *, turn: int | None = None) -> list[Action]:
        """This session's actions in turn order (one turn if given)."""
        sql = ("SELECT id, session_id, turn_number, action_type, description, metadata_json, success, created_at "
               "FROM tier1.conversation_actions WHERE session_id = ?")
        params: list[Any] = [self.session_id]
        if turn is not None:
            sql += " AND turn_number = ?"
            params.append(c.integer("turn", turn, minimum=0))
        rows = c.run(self._store, sql + " ORDER BY turn_number, id", params)
        return [Action(r[0], r[1], r[2], r[3], r[4], loads(r[5]), bool(r[6]), r[7]) for r in rows]

    def snapshot(self, *, turn: int, state: Any) -> Snapshot:
        """Checkpoint the full ``state`` (any JSON value) at ``turn``; writing a turn again replaces it.

        Only the last 5 turns of the session are kept (seed 001); older ones are deleted in the
        same transaction.
        """
        store = self._store
        store.require_writable()
        c.integer("turn", turn, minimum=0)
        text, stored = encode(state, field="state")
        ts = store.timestamp()
        with store.transaction():
            self._touch(ts)
            store.execute(
                "INSERT INTO tier1.conversation_state_snapshots (session_id, turn_number, state_json, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (session_id, turn_number) DO UPDATE SET "
                "state_json = excluded.state_json, created_at = excluded.created_at",
                (self.session_id, turn, text, ts))
            store.execute(
                "DELETE FROM tier1.conversation_state_snapshots WHERE session_id = ?1 AND turn_number NOT IN "
                "(SELECT turn_number FROM tier1.conversation_state_snapshots WHERE session_id = ?1 "
                "ORDER BY turn_number DESC LIMIT ?2)", (self.session_id, KEEP_SNAPSHOTS))
        return Snapshot(self.session_id, turn, stored, ts)

    def latest_snapshot(self) -> Snapshot | None:
        """The snapshot of the session's highest turn, or None."""
        rows = c.run(self._store,
                     "SELECT session_id, turn_number, state_json, created_at FROM tier1.conversation_state_snapshots "
                     "WHERE session_id = ? ORDER BY turn_number DESC LIMIT 1", (self.session_id,))
        if not rows:
            return None
        session, turn, state, at = rows[0]
        return records.record(Snapshot, {"session_id": session, "turn_number": turn, "state": loads(state),
                                         "created_at": at})

    def snapshots(self) -> list[Snapshot]:
        """The kept snapshots of the session, newest turn first."""
        rows = c.run(self._store,
                     "SELECT session_id, turn_number, state_json, created_at FROM tier1.conversation_state_snapshots "
                     "WHERE session_id = ? ORDER BY turn_number DESC", (self.session_id,))
        return [Snapshot(r[0], r[1], loads(r[2]), r[3]) for r in rows]

    # -- status ---------------------------------------------------------------------------------
    def set_status(self, status: str) -> None:
        """Set the task status: open | in_progress | blocked | done."""
        store = self._store
        store.require_writable()
        c.choice("status", status, TASK_STATUSES)
        with store.transaction():
            self._touch(store.timestamp(), status=status)

    def info(self) -> ConversationInfo:
        """The conversation's current row."""
        return self._store.conversations.get(self.conversation_id)

    # -- internals ------------------------------------------------------------------------------
    def _touch(self, ts: str, *, action: bool = False, status: str | None = None) -> None:
        """Update last_updated (and last_action_at / task_status); NotFoundError if it is gone."""
        sets = "last_updated = max(last_updated, ?1)"
        if action:
            sets += ", last_action_at = ?1"
        params: list[Any] = [ts, self.conversation_id]
        if status is not None:
            sets += ", task_status = ?3"
            params.append(status)
        rows = self._store.execute(
            f"UPDATE tier1.conversations SET {sets} WHERE conversation_id = ?2 RETURNING 1", params)
        if not rows:
            raise self._not_found()

    def _require(self) -> None:
        if not self._store.execute("SELECT 1 FROM tier1.conversations WHERE conversation_id = ?",
                                   (self.conversation_id,)):
            raise self._not_found()

    def _not_found(self) -> NotFoundError:
        return NotFoundError(f"no conversation {self.conversation_id!r} in tier 1; "
                             "check the id (db.conversations.recent()) or restore it from the archive")

    def _missing_or(self, error: apsw.Error) -> CortexError:
        if "FOREIGN KEY" in str(error) and not self._store.conn.execute(
                "SELECT 1 FROM tier1.conversations WHERE conversation_id = ?", (self.conversation_id,)).fetchall():
            return self._not_found()
        return translate(error)


@public_api
class Conversations:
    """``db.conversations``: start, find, list and search conversations."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def start(self, title: str | None, *, session_id: str | None = None, metadata: Any = None,
              conversation_id: str | None = None) -> Conversation:
        """Create a conversation and return its handle.

        ``session_id`` groups actions and snapshots (seed 001 keys them by session); it defaults
        to the new conversation's id. ``conversation_id`` defaults to a uuid4.
        """
        store = self._store
        store.require_writable()
        c.optional_text("title", title)
        cid = str(uuid.uuid4()) if conversation_id is None else c.text("conversation_id", conversation_id, max_len=255)
        sid = cid if session_id is None else c.text("session_id", session_id, max_len=255)
        meta = dumps_or_none(metadata, field="metadata")
        ts = store.timestamp()
        with store.transaction():
            if store.execute("SELECT 1 FROM tier1.conversations WHERE conversation_id = ?", (cid,)):
                raise ValidationError("conversation_id", f"{cid!r} already exists; use db.conversations.resume()")
            store.execute(
                "INSERT INTO tier1.conversations (conversation_id, title, created_at, last_updated, message_count, "
                "is_active, session_id, task_status, archived, metadata) VALUES (?, ?, ?, ?, 0, 1, ?, 'open', 0, ?)",
                (cid, title, ts, ts, sid, meta))
        return Conversation(cid, sid, store)

    def get(self, conversation_id: str, *, include_archived: bool = False) -> ConversationInfo:
        """The conversation's row; with ``include_archived`` also one moved to tier 3 (its
        ``archived`` is True). NotFoundError for an unknown id."""
        c.text("conversation_id", conversation_id)
        rows = c.run(self._store, f"SELECT {_CONV_COLUMNS} FROM tier1.conversations WHERE conversation_id = ?",
                     (conversation_id,))
        if not rows and include_archived:
            rows = c.run(self._store, f"SELECT {_CONV_COLUMNS} FROM tier3.archived_conversations "
                                      "WHERE conversation_id = ?", (conversation_id,))
        if not rows:
            raise NotFoundError(f"no conversation {conversation_id!r} in tier 1; check the id (db.conversations.recent())")
        return _info(rows[0])

    def resume(self, conversation_id: str) -> Conversation:
        """A handle on an existing conversation (NotFoundError if unknown)."""
        info = self.get(conversation_id)
        return Conversation(info.conversation_id, info.session_id or info.conversation_id, self._store)

    def recent(self, limit: int = 20, *, include_archived: bool = False) -> list[ConversationInfo]:
        """Most recently updated first (uses ``idx_conversations_active``); ``include_archived``
        adds conversations moved to tier 3, after the live ones."""
        c.limit(limit)
        sql = f"SELECT {_CONV_COLUMNS} FROM tier1.conversations WHERE archived = 0 ORDER BY last_updated DESC LIMIT ?"
        if include_archived:
            sql = (f"SELECT * FROM (SELECT {_CONV_COLUMNS} FROM tier1.conversations ORDER BY archived, last_updated DESC "
                   f"LIMIT :n) UNION ALL SELECT * FROM (SELECT {_CONV_COLUMNS} FROM tier3.archived_conversations "
                   "ORDER BY last_updated DESC LIMIT :n) LIMIT :n")
            return [_info(r) for r in c.run(self._store, sql, {"n": limit})]
        return [_info(r) for r in c.run(self._store, sql, (limit,))]

    def messages(self, conversation_id: str, *, limit: int | None = None, after_id: int = 0,
                 newest: bool = False) -> list[Message]:
        """Messages of a conversation, oldest first (NotFoundError if it does not exist)."""
        c.text("conversation_id", conversation_id)
        c.integer("after_id", after_id, minimum=0)
        if limit is not None:
            c.limit(limit, maximum=10**9)
        order = "DESC" if newest else "ASC"
        rows = c.run(self._store,
                     "SELECT id, conversation_id, role, content, metadata, created_at FROM tier1.messages "
                     f"WHERE conversation_id = ? AND id > ? ORDER BY id {order} LIMIT ?",
                     (conversation_id, after_id, -1 if limit is None else limit))
        if not rows:
            self.get(conversation_id)  # raises NotFoundError for an unknown id
        if newest:
            rows.reverse()
        new, install, decode = records.new, records.install, orjson.loads
        out = []
        for mid, cid, role, content, metadata, at in rows:
            message = new(Message)  # records.record() inlined: read on every turn
            install(message, "__dict__", {"id": mid, "conversation_id": cid, "role": role, "content": content,
                                          "metadata": None if metadata is None else decode(metadata),
                                          "created_at": at})
            out.append(message)
        return out

    def delete(self, conversation_id: str) -> None:
        """Delete a conversation with its messages (and its session's actions and snapshots when no
        other conversation shares the session)."""
        store = self._store
        store.require_writable()
        info = self.get(conversation_id)
        with store.transaction():
            store.execute("DELETE FROM tier1.conversations WHERE conversation_id = ?", (conversation_id,))
            sid = info.session_id
            if sid is not None and not store.execute(
                    "SELECT 1 FROM tier1.conversations WHERE session_id = ? LIMIT 1", (sid,)):
                store.execute("DELETE FROM tier1.conversation_actions WHERE session_id = ?", (sid,))
                store.execute("DELETE FROM tier1.conversation_state_snapshots WHERE session_id = ?", (sid,))

    def recount(self) -> int:
        """Repair ``message_count`` from the rows (after raw edits or restores); returns rows fixed."""
        store = self._store
        store.require_writable()
        with store.transaction():
            rows = store.execute(
                "UPDATE tier1.conversations AS cv SET message_count = (SELECT count(*) FROM tier1.messages AS m "
                "WHERE m.conversation_id = cv.conversation_id) WHERE message_count IS NOT (SELECT count(*) "
                "FROM tier1.messages AS m WHERE m.conversation_id = cv.conversation_id) RETURNING 1")
        return len(rows)

    def enable_vectors(self, *, dim: int, metric: str = "cosine") -> vectors.VectorConfig:
        """Declare the messages' vector space once (``dim``, ``metric`` ``"cosine"`` or ``"l2"``);
        recorded in the store and checked on every vector written."""
        return vectors.enable(self._store, message_vectors.SPACE, dim, metric)

    def vector_config(self) -> vectors.VectorConfig | None:
        """The declared dimension and metric, or None when message vectors are not enabled."""
        return vectors.config(self._store, message_vectors.SPACE)

    def search(self, query: str | None = None, *, embedding: Sequence[float] | None = None, method: str = "text",
               limit: int = 20, syntax: str = "plain", per_conversation: bool = False, include_archived: bool = False,
               weights: Sequence[float] = (1.0, 1.0), rrf_k: float = 60.0, candidates: int | None = None,
               exhaustive: bool = False) -> list[SearchHit]:
        """Messages and conversation titles matching ``query``, best first (FTS5 bm25, snippets).

        ``method="semantic"`` ranks messages by distance from ``embedding`` (or ``query`` embedded
        by the registered embedder); ``"hybrid"`` fuses that with the text ranking of messages by
        reciprocal rank fusion (``weights``, ``rrf_k``, ``candidates`` as in ``db.graph.search``);
        both search live messages only, and their ``score`` is higher-is-better (-distance, or the
        fused score). The rest of this describes ``method="text"``:

        ``syntax="plain"`` (default) matches every word of ``query`` (each taken literally);
        ``syntax="fts5"`` passes an FTS5 query expression (``"exact phrase"``, ``OR``, ``NEAR``,
        ``prefix*``). A title match is a hit with ``message_id=None``. ``per_conversation=True``
        keeps only the best hit of each conversation (``limit`` conversations).
        ``include_archived`` appends hits from conversations moved to tier 3 (plain words,
        matched case-insensitively as substrings, newest first, ``archived=True``, score 0).
        A query matching more than ``cortexdb._fts.RANKED_CANDIDATES`` messages ranks only the
        newest that many (docs/memory.md, "Search"); ``exhaustive=True`` ranks every match by FTS5's
        bm25, at a cost that grows with the matches.
        """
        vectors.check_method(method, query, embedding, can_embed=self._store.query_embedder is not None)
        if method != "text":
            return self._vector_search(query, embedding, method, limit=limit, syntax=syntax,
                                       per_conversation=per_conversation, weights=weights, rrf_k=rrf_k,
                                       candidates=candidates)
        assert query is not None
        if include_archived:
            live = self.search(query, limit=limit, syntax=syntax, per_conversation=per_conversation,
                               exhaustive=exhaustive)
            return (live + self._search_archive(query, limit - len(live)))[:limit]
        c.text("query", query)
        c.limit(limit, maximum=10_000)
        c.choice("syntax", syntax, ("plain", "fts5"))
        if syntax == "plain":
            words = query.split()
            if not words:
                raise ValidationError("query", "has no words to search for")
            quoted = ['"' + w.replace('"', '""') + '"' for w in words]
            phrases: list[str] | None = quoted
            expr = " ".join(quoted)
        else:
            phrases, expr = None, query
        store = self._store
        found: list[SearchHit] = []
        try:
            with store._lock:
                conn = store.conn
                cap = limit * 3 if per_conversation else limit
                candidates = max(_fts.RANKED_CANDIDATES, cap)  # a floor leaves at least cap rows

                def execute(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
                    return conn.execute(sql, params).fetchall()

                while True:  # per conversation: widen the window (and the candidates) until enough conversations
                    floor, idf = (0, None) if exhaustive else _fts.plan(execute, "tier1.messages_fts", expr, phrases,
                                                                        candidates=candidates)
                    sql = _SEARCH_MESSAGES.format(limit=cap)
                    try:  # idf: a JSON list of floats, read by FTS5 as the rank function's argument
                        rows = execute(sql, (expr, floor, "bm25()" if idf is None else f"cortexdb_bm25('{idf}')"))
                    except _fts.PhraseMismatch:
                        rows = execute(sql, (expr, floor, "bm25()"))
                    seen: set[str] = set()
                    found = []
                    new, install = records.new, records.install
                    for mid, cid, role, at, score, snip, content, title, archived in rows:
                        if per_conversation and cid in seen:
                            continue
                        seen.add(cid)
                        hit = new(SearchHit)  # records.record() inlined
                        install(hit, "__dict__", {
                            "conversation_id": cid, "title": title, "score": float(score),
                            "snippet": snip if snip is not None else _window(content, query), "message_id": mid,
                            "role": role, "created_at": at, "archived": bool(archived), "text_score": None,
                            "distance": None})
                        found.append(hit)
                    if not per_conversation or len(seen) >= limit or len(rows) < cap:
                        break
                    cap *= 4
                    candidates = max(candidates, cap)
                titles = execute(_SEARCH_TITLES.format(limit=limit), (expr,))
                for cid, score, marked, title, archived in titles:
                    if per_conversation and cid in seen:
                        found = [h if h.conversation_id != cid or h.score <= score else
                                 SearchHit(cid, title, float(score), marked, None, None, None, bool(archived))
                                 for h in found]
                    else:
                        found.append(SearchHit(cid, title, float(score), marked, None, None, None, bool(archived)))
        except apsw.SQLError as error:
            if syntax == "fts5":
                raise ValidationError("query", f"is not a valid FTS5 query ({error}); use syntax='plain' for "
                                      "literal words") from error
            raise translate(error) from error
        except apsw.Error as error:
            raise translate(error) from error
        found.sort(key=lambda h: h.score)
        return found[:limit]

    def _vector_search(self, query: str | None, embedding: Any, method: str, *, limit: int, syntax: str,
                       per_conversation: bool, weights: Any, rrf_k: Any, candidates: int | None) -> list[SearchHit]:
        c.limit(limit, maximum=10_000)
        pair = vectors.check_fusion(weights, rrf_k)
        depth = max(50, 4 * limit) if candidates is None else c.limit(candidates, field="candidates", maximum=10_000)
        if query is not None:
            c.text("query", query)

        def text_ranked(n: int) -> list[tuple[int, float, str]]:
            hits = self.search(query, limit=n, syntax=syntax)
            return [(h.message_id, h.score, h.snippet) for h in hits if h.message_id is not None]

        store = self._store
        rows = message_vectors.ranked(store, query, embedding, method, limit=depth if per_conversation else limit,
                                      depth=depth, weights=pair, rrf_k=float(rrf_k), text_ranked=text_ranked)
        found = message_vectors.hit_rows(store, [r[0] for r in rows])
        hits: list[SearchHit] = []
        seen: set[str] = set()
        for key, score, snippet, text_score, distance in rows:
            if key not in found:
                continue
            mid, cid, role, at, content, title, archived = found[key]
            if per_conversation and cid in seen:
                continue
            seen.add(cid)
            excerpt = snippet if snippet is not None else _window(content, query or "")
            hits.append(SearchHit(cid, title, score, excerpt, mid, role, at, bool(archived), text_score, distance))
        return hits[:limit]

    def _search_archive(self, query: str, limit: int) -> list[SearchHit]:
        """Archived messages containing every word of ``query`` (no FTS index in the archive)."""
        words = query.split()
        if limit <= 0 or not words:
            return []
        like = " AND ".join("m.content LIKE ? ESCAPE '\\'" for _ in words)
        patterns = ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words]
        rows = c.run(self._store,
                     "SELECT m.conversation_id, a.title, m.content, m.id, m.role, m.created_at "
                     "FROM tier3.archived_messages AS m JOIN tier3.archived_conversations AS a USING (conversation_id) "
                     f"WHERE {like} ORDER BY m.id DESC LIMIT ?", (*patterns, limit))
        return [SearchHit(cid, title, 0.0, _window(content, query), mid, role, at, True)
                for cid, title, content, mid, role, at in rows]

__all__: Sequence[str] = (
    "ACTION_TYPES",
    "ROLES",
    "TASK_STATUSES",
    "Action",
    "Conversation",
    "ConversationInfo",
    "Conversations",
    "Message",
    "SearchHit",
    "Snapshot",
)
