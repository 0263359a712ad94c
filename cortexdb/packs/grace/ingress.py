"""``db.grace.ingress``: sources and the bronze/silver ingestion path with the PII policy applied.

Every payload entering ``bronze_raw_events`` or ``silver_records`` is scanned (:mod:`.pii`); the
source's policy rewrites it or refuses it. A refused record is written to
``validation_failures`` (failure_type ``pii``, the reason, the kinds found; never the content)
and nothing else. Flags are stored as a JSON array of kinds. Source credentials are held only as
a ``secrets_ref``: an ``auth`` dict containing a secret shape is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import zstandard

from ..._boundary import public_api
from ..._json import loads
from ...errors import NotFoundError, ValidationError
from ...memory import _common as c
from ._common import canonical, new_id, require_pack, sha256
from .pii import POLICIES, PiiScanner, findings

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ...store import Store

LABELS = ("public", "internal", "restricted")
KINDS = ("api", "rss", "file", "stream", "database", "web", "other")
CONTRACTS = ("article", "transcript", "tabular", "generic")


@dataclass(frozen=True)
class Ingested:
    """What happened to one record: stored (possibly rewritten) or blocked, and the PII kinds found."""

    id: str
    stored: bool
    flags: list[str]
    reason: str | None = None


@public_api
class GraceIngress:
    """Source registry and PII-scanned ingestion; see the module docstring."""

    def __init__(self, store: Store) -> None:
        require_pack(store)
        self._store = store
        store_id = store.execute("SELECT store_id FROM tier0.store_identity WHERE id = 1")[0][0]
        self._scanner = PiiScanner(hashlib.sha256(f"cortexdb-grace-pii:{store_id}".encode()).digest())
        self._sources: dict[str, tuple[str, bool]] = {}

    def add_source(self, source_id: str, name: str, *, kind: str = "other", uri: str | None = None,
                   pii_policy: str = "mask", governance_label: str = "internal", trust_score: float = 0.5,
                   retention_days: int = 365, consent_granted: bool = False, secrets_ref: str | None = None,
                   auth: dict[str, Any] | None = None, schedule: str | None = None) -> None:
        """Register (or replace) a source."""
        c.text("source_id", source_id, max_len=255)
        c.text("name", name, max_len=255)
        c.choice("kind", kind, KINDS)
        c.optional_text("uri", uri)
        c.choice("pii_policy", pii_policy, POLICIES)
        c.choice("governance_label", governance_label, LABELS)
        c.number("trust_score", trust_score, minimum=0, maximum=1)
        c.integer("retention_days", retention_days, minimum=1)
        c.optional_text("secrets_ref", secrets_ref, max_len=1024)
        c.optional_text("schedule", schedule, max_len=255)
        if auth is not None and not isinstance(auth, dict):
            raise ValidationError("auth", f"must be a dict, got {type(auth).__name__}")
        auth_json = canonical(auth or {}, field="auth")
        if any(kind == "secret" for kind, _ in findings(auth_json)):
            raise ValidationError("auth", "holds a secret; store it in a secret manager and pass its reference as secrets_ref")
        store, now = self._store, self._store.timestamp()
        with store.transaction():
            store.execute(
                "INSERT INTO tier2.sources (source_id, name, kind, uri, auth_json, secrets_ref, schedule, governance_label, "
                "pii_policy, consent_granted, trust_score, retention_days, created_at, updated_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13) ON CONFLICT (source_id) DO UPDATE SET "
                "name = ?2, kind = ?3, uri = ?4, auth_json = ?5, secrets_ref = ?6, schedule = ?7, governance_label = ?8, "
                "pii_policy = ?9, consent_granted = ?10, trust_score = ?11, retention_days = ?12, updated_at = ?13",
                (source_id, name, kind, uri, auth_json, secrets_ref, schedule, governance_label, pii_policy,
                 int(bool(consent_granted)), float(trust_score), retention_days, now))
            store.execute("INSERT OR IGNORE INTO tier2.source_health (source_id, checked_at) VALUES (?, ?)", (source_id, now))
        self._sources.pop(source_id, None)

    def set_trust(self, source_id: str, trust_score: float, *, reason: str | None = None) -> None:
        """Change a source's trust score (0-1), recording the change in source_trust_history."""
        self._policy(source_id)
        c.number("trust_score", trust_score, minimum=0, maximum=1)
        c.optional_text("reason", reason)
        store, now = self._store, self._store.timestamp()
        with store.transaction():
            previous = store.execute("SELECT trust_score FROM tier2.sources WHERE source_id = ?", (source_id,))[0][0]
            store.execute("UPDATE tier2.sources SET trust_score = ?, updated_at = ? WHERE source_id = ?",
                          (float(trust_score), now, source_id))
            store.execute("INSERT INTO tier2.source_trust_history (source_id, trust_score, previous_score, reason, recorded_at) "
                          "VALUES (?, ?, ?, ?, ?)", (source_id, float(trust_score), previous, reason, now))

    def _policy(self, source_id: Any) -> tuple[str, bool]:
        c.text("source_id", source_id, max_len=255)
        cached = self._sources.get(source_id)
        if cached is None:
            rows = self._store.execute("SELECT pii_policy, consent_granted FROM tier2.sources WHERE source_id = ?", (source_id,))
            if not rows:
                raise NotFoundError(f"no source {source_id!r}; register it with db.grace.ingress.add_source()")
            cached = self._sources[source_id] = (rows[0][0], bool(rows[0][1]))
        return cached

    def ingest(self, source_id: str, payload: Any, *, content_uri: str | None = None) -> Ingested:
        """Scan ``payload`` (any JSON value) under the source's policy into ``bronze_raw_events``."""
        return self.ingest_many(source_id, [payload], content_uri=content_uri)[0]

    def ingest_many(self, source_id: str, payloads: Iterable[Any], *, content_uri: str | None = None) -> list[Ingested]:
        """Scan and ingest a batch in one transaction; blocked payloads land in validation_failures."""
        policy, consent = self._policy(source_id)
        c.optional_text("content_uri", content_uri)
        store, now = self._store, self._store.timestamp()
        events, failures, out = [], [], []
        for payload in payloads:
            event_id = new_id()
            result = self._scanner.scan(payload, policy, consent=consent)
            if result.blocked:
                failures.append((source_id, event_id, "bronze", "pii", result.reason, canonical({"pii_flags": result.flags}), now))
                out.append(Ingested(event_id, False, result.flags, result.reason))
                continue
            text = canonical(result.value, field="payload")
            action = policy if result.flags else "none"
            events.append((event_id, source_id, content_uri, text, sha256(text), canonical(result.flags), action, now))
            out.append(Ingested(event_id, True, result.flags))
        with store.transaction():
            store.conn.executemany(
                "INSERT INTO tier2.bronze_raw_events (event_id, source_id, content_uri, payload_json, content_hash, "
                "pii_flags, pii_action, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", events)
            store.conn.executemany(
                "INSERT INTO tier2.validation_failures (source_id, event_id, stage, failure_type, reason, details_json, "
                "failed_at) VALUES (?, ?, ?, ?, ?, ?, ?)", failures)
        return out

    def add_silver(self, source_id: str, record: Any, *, contract: str = "generic", event_id: str | None = None,
                   transforms: list[str] | None = None, quality_score: float | None = None,
                   governance_label: str = "internal") -> Ingested:
        """Scan a normalized record under the source's policy into ``silver_records`` (lineage in
        ``transforms``); blocked records land in validation_failures (stage silver)."""
        policy, consent = self._policy(source_id)
        c.choice("contract", contract, CONTRACTS)
        c.optional_text("event_id", event_id, max_len=255)
        c.choice("governance_label", governance_label, LABELS)
        if quality_score is not None:
            c.number("quality_score", quality_score, minimum=0, maximum=1)
        steps = [c.text("transforms", t, max_len=255) for t in (transforms or [])]
        store, now, record_id = self._store, self._store.timestamp(), new_id()
        result = self._scanner.scan(record, policy, consent=consent)
        with store.transaction():
            if result.blocked:
                store.execute("INSERT INTO tier2.validation_failures (source_id, event_id, stage, failure_type, reason, "
                              "details_json, failed_at) VALUES (?, ?, 'silver', 'pii', ?, ?, ?)",
                              (source_id, event_id, result.reason, canonical({"pii_flags": result.flags}), now))
                return Ingested(record_id, False, result.flags, result.reason)
            action = policy if result.flags else "none"
            store.execute(
                "INSERT INTO tier2.silver_records (record_id, event_id, source_id, contract, record_json, pii_flags, pii_action, "
                "transforms_json, quality_score, governance_label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record_id, event_id, source_id, contract, canonical(result.value, field="record"), canonical(result.flags),
                 action, canonical(steps), quality_score, governance_label, now))
        return Ingested(record_id, True, result.flags)

    def silver(self, record_id: str) -> dict[str, Any]:
        """A silver record with ``record`` decoded (decompressed if retention compressed it)."""
        c.text("record_id", record_id, max_len=255)
        rows = self._store.query("SELECT * FROM tier2.silver_records WHERE record_id = ?", (record_id,))
        if not rows:
            raise NotFoundError(f"no silver record {record_id!r}")
        row = rows[0]
        packed = row.pop("record_zstd")
        text = row.pop("record_json")
        row["record"] = loads(zstandard.ZstdDecompressor().decompress(packed) if packed is not None else text)
        for name in ("pii_flags", "transforms_json"):
            row[name] = loads(row[name])
        return row

    def failures(self, *, source_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The newest validation failures (optionally of one source)."""
        c.limit(limit)
        if source_id is not None:
            c.text("source_id", source_id, max_len=255)
        return self._store.query("SELECT * FROM tier2.validation_failures WHERE ?1 IS NULL OR source_id = ?1 "
                                 "ORDER BY id DESC LIMIT ?2", (source_id, limit))
