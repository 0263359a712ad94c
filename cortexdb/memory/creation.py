"""Incremental creation (seed 001 ``creation_sessions`` / ``creation_chunks``): write a large file
chunk by chunk and resume after an interruption.

One session per file path (the seed's ``UNIQUE(file_path)``): starting again resumes it.
``completed`` is set once every chunk is written or skipped; ``failed`` while any chunk is
failed; ``last_update`` on every change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._boundary import public_api
from .._json import dumps_or_none, loads
from ..errors import NotFoundError, ValidationError
from . import _common as c

if TYPE_CHECKING:
    from ..store import Store

FILE_TYPES = ("markdown", "python", "json", "other")
CHUNK_TYPES = ("header", "section", "code_block", "list", "table", "footer")
CHUNK_STATUSES = ("pending", "written", "failed", "skipped")


@dataclass(frozen=True)
class ChunkSpec:
    """A planned chunk: its kind and line range (``estimated_tokens`` optional)."""

    chunk_type: str
    line_start: int
    line_end: int
    estimated_tokens: int | None = None


@dataclass(frozen=True)
class Chunk:
    """One chunk row; ``chunk_number`` counts from 1."""

    chunk_number: int
    chunk_type: str
    line_start: int
    line_end: int
    estimated_tokens: int | None
    status: str
    validation_warnings: list[Any]
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class CreationSession:
    """A creation session; ``resumed`` tells whether ``start`` found it already there."""

    file_path: str
    file_type: str
    total_chunks: int
    started_at: str
    last_update: str
    completed: bool
    failed: bool
    resumed: bool = False


@dataclass(frozen=True)
class CreationProgress:
    """Counts per chunk status for one file."""

    file_path: str
    total_chunks: int
    pending: int
    written: int
    failed: int
    skipped: int
    percent: float
    completed: bool
    has_failures: bool
    last_update: str


def _spec(index: int, item: Any) -> ChunkSpec:
    field = f"chunks[{index}]"
    if isinstance(item, ChunkSpec):
        spec = item
    elif isinstance(item, Mapping):
        unknown = set(item) - {"chunk_type", "line_start", "line_end", "estimated_tokens"}
        if unknown:
            raise ValidationError(field, f"unknown keys {sorted(unknown)}; use chunk_type, line_start, line_end, "
                                  "estimated_tokens")
        try:
            spec = ChunkSpec(item["chunk_type"], item["line_start"], item["line_end"], item.get("estimated_tokens"))
        except KeyError as error:
            raise ValidationError(field, f"missing {error.args[0]!r}") from error
    elif isinstance(item, (tuple, list)) and len(item) in (3, 4):
        spec = ChunkSpec(*item)
    else:
        raise ValidationError(field, "must be a ChunkSpec, a dict, or (chunk_type, line_start, line_end[, tokens])")
    c.choice(f"{field}.chunk_type", spec.chunk_type, CHUNK_TYPES)
    c.integer(f"{field}.line_start", spec.line_start, minimum=1)
    c.integer(f"{field}.line_end", spec.line_end, minimum=spec.line_start)
    if spec.estimated_tokens is not None:
        c.integer(f"{field}.estimated_tokens", spec.estimated_tokens, minimum=0)
    return spec


@public_api
class Creation:
    """``db.creation``: start/resume a chunked file creation, mark chunks, find the next one."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def start(self, path: str, file_type: str, chunks: Sequence[Any] | None = None, *,
              restart: bool = False) -> CreationSession:
        """Start the session for ``path``, or resume it if one exists (``resumed=True``).

        ``chunks`` plans the file: ChunkSpecs, dicts or ``(chunk_type, line_start, line_end[,
        estimated_tokens])`` tuples, numbered from 1. Resuming with a different plan is refused
        unless ``restart=True``, which discards the old session and its chunks.
        """
        store = self._store
        store.require_writable()
        c.text("path", path, max_len=4096)
        c.choice("file_type", file_type, FILE_TYPES)
        specs = None
        if chunks is not None:
            if isinstance(chunks, (str, bytes, Mapping)):
                raise ValidationError("chunks", "must be a list of chunk specs")
            specs = [_spec(i, item) for i, item in enumerate(chunks)]
            if not specs:
                raise ValidationError("chunks", "must plan at least one chunk")
        ts = store.timestamp()
        with store.transaction():
            existing = store.execute("SELECT id, file_type FROM tier1.creation_sessions WHERE file_path = ?", (path,))
            if existing and restart:
                store.execute("DELETE FROM tier1.creation_sessions WHERE id = ?", (existing[0][0],))
                existing = []
            if existing:
                sid, stored_type = existing[0]
                if specs is not None:
                    planned = [ChunkSpec(*r) for r in store.execute(
                        "SELECT chunk_type, line_start, line_end, estimated_tokens FROM tier1.creation_chunks "
                        "WHERE session_id = ? ORDER BY chunk_number", (sid,))]
                    if planned != specs or stored_type != file_type:
                        raise ValidationError("chunks", f"a session for {path!r} exists with a different plan; pass "
                                              "the same chunks (or none) to resume, or restart=True to start over")
                return self._session(path, resumed=True)
            if specs is None:
                raise ValidationError("chunks", f"no session for {path!r} yet; pass the chunk plan to start one")
            store.execute(
                "INSERT INTO tier1.creation_sessions (file_path, file_type, total_chunks, started_at, last_update, "
                "completed, failed) VALUES (?, ?, ?, ?, ?, 0, 0)", (path, file_type, len(specs), ts, ts))
            sid = store.conn.last_insert_rowid()
            with store._lock:
                store.conn.executemany(
                    "INSERT INTO tier1.creation_chunks (session_id, chunk_number, chunk_type, line_start, line_end, "
                    "estimated_tokens, status, validation_warnings, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'pending', '[]', ?, ?)",
                    [(sid, n, s.chunk_type, s.line_start, s.line_end, s.estimated_tokens, ts, ts)
                     for n, s in enumerate(specs, start=1)])
            return self._session(path, resumed=False)

    def mark(self, path: str, chunk_number: int, status: str, *, warnings: Sequence[Any] | None = None) -> Chunk:
        """Set a chunk's status (pending|written|failed|skipped) and optional validation warnings
        (a list of JSON values, stored as a JSON array); updates the session flags."""
        store = self._store
        store.require_writable()
        c.text("path", path, max_len=4096)
        c.integer("chunk_number", chunk_number, minimum=1)
        c.choice("status", status, CHUNK_STATUSES)
        if warnings is not None and not isinstance(warnings, (list, tuple)):
            raise ValidationError("warnings", "must be a list (stored as a JSON array)")
        warn = dumps_or_none(None if warnings is None else list(warnings), field="warnings")
        ts = store.timestamp()
        with store.transaction():
            sid, total = self._session_id(path)
            if chunk_number > total:
                raise ValidationError("chunk_number", f"{chunk_number} is out of range; {path!r} has {total} chunks")
            store.execute(
                "UPDATE tier1.creation_chunks SET status = ?, updated_at = ?, "
                "validation_warnings = coalesce(?, validation_warnings) WHERE session_id = ? AND chunk_number = ?",
                (status, ts, warn, sid, chunk_number))
            store.execute(
                "UPDATE tier1.creation_sessions SET last_update = ?1, "
                "completed = (SELECT count(*) FROM tier1.creation_chunks WHERE session_id = ?2 AND status IN "
                "('written', 'skipped')) = total_chunks, "
                "failed = EXISTS (SELECT 1 FROM tier1.creation_chunks WHERE session_id = ?2 AND status = 'failed') "
                "WHERE id = ?2", (ts, sid))
            return self._chunks(sid, chunk_number)[0]

    def next_pending(self, path: str) -> Chunk | None:
        """The lowest-numbered pending chunk, or None when none is pending."""
        c.text("path", path, max_len=4096)
        sid, _ = self._session_id(path)
        rows = self._chunk_rows(sid, "AND status = 'pending' ORDER BY chunk_number LIMIT 1", ())
        return rows[0] if rows else None

    def chunks(self, path: str) -> list[Chunk]:
        """Every chunk of the file's session, in order."""
        c.text("path", path, max_len=4096)
        sid, _ = self._session_id(path)
        return self._chunk_rows(sid, "ORDER BY chunk_number", ())

    def progress(self, path: str) -> CreationProgress:
        """How far the file's creation is (counts per status, percent done)."""
        c.text("path", path, max_len=4096)
        rows = c.run(self._store,
                     "SELECT s.id, s.total_chunks, s.completed, s.failed, s.last_update, "
                     "sum(k.status = 'pending'), sum(k.status = 'written'), sum(k.status = 'failed'), "
                     "sum(k.status = 'skipped') FROM tier1.creation_sessions AS s LEFT JOIN tier1.creation_chunks AS k "
                     "ON k.session_id = s.id WHERE s.file_path = ? GROUP BY s.id", (path,))
        if not rows:
            raise self._not_found(path)
        _, total, completed, failed, last, pending, written, nfailed, skipped = rows[0]
        done = (written or 0) + (skipped or 0)
        return CreationProgress(path, total, pending or 0, written or 0, nfailed or 0, skipped or 0,
                                round(100.0 * done / total, 2) if total else 100.0, bool(completed), bool(failed), last)

    def get(self, path: str) -> CreationSession:
        """The session row for ``path`` (NotFoundError if none)."""
        c.text("path", path, max_len=4096)
        return self._session(path, resumed=False)

    def sessions(self, *, incomplete: bool = False, limit: int = 100) -> list[CreationSession]:
        """Sessions, newest first; ``incomplete=True`` only those not completed (status index)."""
        c.limit(limit)
        where = "WHERE completed = 0 " if incomplete else ""
        rows = c.run(self._store, "SELECT file_path, file_type, total_chunks, started_at, last_update, completed, "
                                  f"failed FROM tier1.creation_sessions {where}ORDER BY started_at DESC LIMIT ?", (limit,))
        return [CreationSession(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6])) for r in rows]

    # -- internals ------------------------------------------------------------------------------
    def _session(self, path: str, *, resumed: bool) -> CreationSession:
        rows = c.run(self._store, "SELECT file_path, file_type, total_chunks, started_at, last_update, completed, "
                                  "failed FROM tier1.creation_sessions WHERE file_path = ?", (path,))
        if not rows:
            raise self._not_found(path)
        r = rows[0]
        return CreationSession(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), resumed)

    def _session_id(self, path: str) -> tuple[int, int]:
        rows = c.run(self._store, "SELECT id, total_chunks FROM tier1.creation_sessions WHERE file_path = ?", (path,))
        if not rows:
            raise self._not_found(path)
        return rows[0][0], rows[0][1]

    def _chunks(self, sid: int, number: int) -> list[Chunk]:
        return self._chunk_rows(sid, "AND chunk_number = ?", (number,))

    def _chunk_rows(self, sid: int, tail: str, params: tuple[Any, ...]) -> list[Chunk]:
        rows = c.run(self._store,
                     "SELECT chunk_number, chunk_type, line_start, line_end, estimated_tokens, status, "
                     f"validation_warnings, created_at, updated_at FROM tier1.creation_chunks WHERE session_id = ? {tail}",
                     (sid, *params))
        return [Chunk(r[0], r[1], r[2], r[3], r[4], r[5], loads(r[6]) or [], r[7], r[8]) for r in rows]

    @staticmethod
    def _not_found(path: str) -> NotFoundError:
        return NotFoundError(f"no creation session for {path!r}; start one with db.creation.start(path, file_type, chunks)")
