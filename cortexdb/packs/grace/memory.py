"""``db.grace.memory``: Grace's memory kernel over its tables.

- lightning: a TTL cache (``tier1.lightning_memory``) with the TTL engine's value encoding and
  expiry by the store's clock (epoch ``expires_at``, an expired key reads as missing and is
  purged by :meth:`GraceMemory.purge_expired`), access counted on every hit;
- structured memory is cortexdb's TTL engine itself: ``db.memory`` (``tier1.structured_memory``);
- fusion: persistent blobs (``tier2.fusion_memory``), zstd-compressed when larger than
  ``compress_threshold`` bytes, with the sha256 of the original checked on every read (a tampered
  blob raises IntegrityError instead of returning wrong bytes);
- librarian: index entries per key (content, semantic, tag) searchable through FTS5;
- access patterns: per key and hour counts in ``tier3.memory_access_patterns``, only while
  ``record_access`` is on (they cost a write per read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import zstandard

from ..._boundary import public_api
from ..._json import loads
from ...errors import IntegrityError, ValidationError
from ...memory import _common as c
from ...memory.ttl import _decode, _encode, _ttl
from ._common import canonical, new_id, require_pack, sha256

if TYPE_CHECKING:
    from ...store import Store

COMPRESS_THRESHOLD = 1024
MEMORY_TIERS = ("lightning", "fusion", "structured", "librarian")
INDEX_TYPES = ("content", "semantic", "tag")
_CONTENT_TYPES = {"json": "application/json", "bytes": "application/octet-stream"}


@dataclass(frozen=True)
class FusionEntry:
    """A fusion memory entry as read back (content decompressed and checksum-verified)."""

    entry_id: str
    key: str
    content: bytes
    content_type: str
    size_bytes: int
    compressed: bool
    metadata: dict[str, Any]
    tags: list[str]
    accessed_count: int


@public_api
class GraceMemory:
    """Lightning cache, fusion storage, librarian search and access patterns; see the module docstring."""

    def __init__(self, store: Store, *, compress_threshold: int = COMPRESS_THRESHOLD, record_access: bool = False) -> None:
        require_pack(store)
        self._store = store
        self.compress_threshold = c.integer("compress_threshold", compress_threshold, minimum=0)
        self.record_access = bool(record_access)
        self._zstd_c = zstandard.ZstdCompressor(level=3)
        self._zstd_d = zstandard.ZstdDecompressor()

    # -- lightning ---------------------------------------------------------------------------------
    def lightning_set(self, key: str, value: Any, *, ttl: float | None = None) -> None:
        """Cache ``value`` (JSON value or bytes) under ``key``, expiring ``ttl`` seconds from now."""
        c.text("key", key, max_len=1024)
        seconds = _ttl(ttl)
        value_type, stored = _encode(value)
        store, now = self._store, self._store.now()
        with store.transaction():
            store.execute(
                "INSERT INTO tier1.lightning_memory (key, value, content_type, ttl_seconds, created_at, expires_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (key) DO UPDATE SET value = ?2, content_type = ?3, "
                "ttl_seconds = ?4, expires_at = ?6",
                (key, stored if isinstance(stored, bytes) else stored.encode(), _CONTENT_TYPES[value_type], seconds,
                 store.timestamp(), None if seconds is None else now + seconds))
            self._pattern("lightning", key, "writes")

    def lightning_get(self, key: str, default: Any = None) -> Any:
        """The cached value, or ``default`` when missing or expired; a hit counts an access."""
        c.text("key", key, max_len=1024)
        store = self._store
        with store.transaction():
            rows = store.execute(
                "UPDATE tier1.lightning_memory SET access_count = access_count + 1, last_accessed_at = ? "
                "WHERE key = ? AND (expires_at IS NULL OR expires_at > ?) RETURNING content_type, value",
                (store.timestamp(), key, store.now()))
            self._pattern("lightning", key, "reads" if rows else "misses")
        if not rows:
            return default
        content_type, value = rows[0]
        return _decode("json" if content_type == _CONTENT_TYPES["json"] else "bytes", value)

    def purge_expired(self) -> int:
        """Delete expired lightning entries; return how many."""
        store = self._store
        with store.transaction():
            return len(store.execute("DELETE FROM tier1.lightning_memory WHERE expires_at IS NOT NULL AND expires_at <= ? "
                                     "RETURNING 1", (store.now(),)))

    # -- fusion ------------------------------------------------------------------------------------
    def put(self, key: str, content: bytes, *, content_type: str = "application/octet-stream",
            metadata: dict[str, Any] | None = None, tags: list[str] | None = None) -> str:
        """Store ``content`` under ``key`` (replacing it), compressed with zstd above the threshold,
        indexing its tags in the librarian; return the entry_id."""
        c.text("key", key, max_len=1024)
        if not isinstance(content, (bytes, bytearray, memoryview)):
            raise ValidationError("content", f"must be bytes, got {type(content).__name__}")
        c.text("content_type", content_type, max_len=255)
        raw = bytes(content)
        if metadata is not None and not isinstance(metadata, dict):
            raise ValidationError("metadata", f"must be a dict, got {type(metadata).__name__}")
        meta = canonical(metadata or {}, field="metadata")
        tag_list = [c.text("tags", t, max_len=255) for t in (tags or [])]
        compressed = len(raw) > self.compress_threshold
        blob = self._zstd_c.compress(raw) if compressed else raw
        store, now = self._store, self._store.timestamp()
        with store.transaction():
            entry_id = store.execute(
                "INSERT INTO tier2.fusion_memory (entry_id, key, content, content_type, size_bytes, checksum, compressed, "
                "compression_type, metadata, tags, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) "
                "ON CONFLICT (key) DO UPDATE SET content = ?3, content_type = ?4, size_bytes = ?5, checksum = ?6, "
                "compressed = ?7, compression_type = ?8, metadata = ?9, tags = ?10, updated_at = ?11 RETURNING entry_id",
                (new_id(), key, blob, content_type, len(raw), sha256(raw), int(compressed), "zstd" if compressed else None,
                 meta, canonical(tag_list), now))[0][0]
            store.execute("DELETE FROM tier2.librarian_index WHERE entry_key = ? AND index_type = 'tag'", (key,))
            for tag in dict.fromkeys(tag_list):
                self._index(key, "tag", tag, 1.0, now)
            self._pattern("fusion", key, "writes")
        return str(entry_id)

    def get(self, key: str) -> FusionEntry | None:
        """The entry under ``key`` (None if absent); IntegrityError if its content fails its checksum."""
        c.text("key", key, max_len=1024)
        store = self._store
        with store.transaction():
            rows = store.execute(
                "UPDATE tier2.fusion_memory SET accessed_count = accessed_count + 1, last_accessed_at = ? WHERE key = ? "
                "RETURNING entry_id, content, content_type, size_bytes, checksum, compressed, compression_type, metadata, "
                "tags, accessed_count", (store.timestamp(), key))
            self._pattern("fusion", key, "reads" if rows else "misses")
        if not rows:
            return None
        entry_id, blob, content_type, size, checksum, compressed, kind, meta, tags, count = rows[0]
        content = self._unpack(key, blob, kind) if compressed else bytes(blob)
        if len(content) != size or sha256(content) != checksum:
            raise IntegrityError(f"fusion memory {key!r}: content does not match its checksum (changed outside cortexdb); "
                                 "restore it from a backup or put it again")
        return FusionEntry(entry_id, key, content, content_type, size, bool(compressed), loads(meta), loads(tags), count)

    def _unpack(self, key: str, blob: bytes, kind: str) -> bytes:
        if kind != "zstd":
            raise IntegrityError(f"fusion memory {key!r}: compression {kind!r} is not readable by cortexdb (zstd only)")
        try:
            return self._zstd_d.decompress(blob)
        except zstandard.ZstdError as error:
            raise IntegrityError(f"fusion memory {key!r}: compressed content is corrupt ({error}); restore it from a backup") from error

    def delete(self, key: str) -> bool:
        """Delete a fusion entry and its librarian index entries; True if it existed."""
        c.text("key", key, max_len=1024)
        store = self._store
        with store.transaction():
            store.execute("DELETE FROM tier2.librarian_index WHERE entry_key = ?", (key,))
            return bool(store.execute("DELETE FROM tier2.fusion_memory WHERE key = ? RETURNING 1", (key,)))

    # -- librarian ---------------------------------------------------------------------------------
    def index(self, key: str, value: str, *, index_type: str = "content", weight: float = 1.0) -> None:
        """Index ``value`` (text, a tag or a semantic label) for ``key``."""
        c.text("key", key, max_len=1024)
        c.text("value", value)
        c.choice("index_type", index_type, INDEX_TYPES)
        c.number("weight", weight, minimum=0)
        store = self._store
        with store.transaction():
            self._index(key, index_type, value, float(weight), store.timestamp())

    def _index(self, key: str, index_type: str, value: str, weight: float, now: str) -> None:
        self._store.execute(
            "INSERT INTO tier2.librarian_index (entry_key, index_type, index_value, weight, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (entry_key, index_type, index_value) "
            "DO UPDATE SET weight = ?4, updated_at = ?5", (key, index_type, value, weight, now))

    def search(self, query: str, *, index_type: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """Keys whose indexed text matches ``query`` (every word, as FTS5 prefix-free terms), best first."""
        c.text("query", query, max_len=1000)
        c.limit(limit, maximum=1000)
        if index_type is not None:
            c.choice("index_type", index_type, INDEX_TYPES)
        terms = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
        if not terms:
            raise ValidationError("query", "must contain a word")
        return self._store.query(
            "SELECT i.entry_key AS key, i.index_type, i.index_value, i.weight, bm25(librarian_index_fts) AS rank "
            "FROM tier2.librarian_index_fts JOIN tier2.librarian_index AS i ON i.id = librarian_index_fts.rowid "
            "WHERE librarian_index_fts MATCH ?1 AND (?2 IS NULL OR i.index_type = ?2) "
            "ORDER BY rank - i.weight LIMIT ?3", (terms, index_type, limit))

    def by_tag(self, tag: str) -> list[str]:
        """Keys carrying exactly ``tag``."""
        c.text("tag", tag, max_len=255)
        return [r[0] for r in c.run(self._store, "SELECT entry_key FROM tier2.librarian_index WHERE index_type = 'tag' "
                                                 "AND index_value = ? ORDER BY entry_key", (tag,))]

    # -- access patterns ---------------------------------------------------------------------------
    def _pattern(self, memory_tier: str, key: str, column: str) -> None:
        if not self.record_access:
            return
        hour = self._store.timestamp()[:13] + ":00"
        self._store.execute(
            f"INSERT INTO tier3.memory_access_patterns (memory_tier, key, hour_bucket, {column}) VALUES (?, ?, ?, 1) "
            f"ON CONFLICT (memory_tier, key, hour_bucket) DO UPDATE SET {column} = {column} + 1", (memory_tier, key, hour))

    def access_patterns(self, *, memory_tier: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Recorded reads/writes/misses per key and hour, busiest first."""
        c.limit(limit)
        if memory_tier is not None:
            c.choice("memory_tier", memory_tier, MEMORY_TIERS)
        return self._store.query(
            "SELECT * FROM tier3.memory_access_patterns WHERE ?1 IS NULL OR memory_tier = ?1 "
            "ORDER BY reads + writes DESC, hour_bucket DESC LIMIT ?2", (memory_tier, limit))
