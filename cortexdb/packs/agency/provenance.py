"""Signed provenance records and the git commits they link to (tier 2).

A record is signed when written (:mod:`.signing`); reading it back by id or by commit verifies
the signature and raises SignatureError on any change. :meth:`link_provenance_to_commit` is the
one sanctioned change: it sets ``git_commit_hash`` on a record that still verifies and signs it
again, in the same transaction that links the commit row.

``git_trailer`` is made when the record is written, in git's trailer form (``Key: value`` lines)
for the commit message of the change the decision approved; ``git interpret-trailers --parse``
reads it::

    Provenance-Verdict-Id: <verdict_id>
    Provenance-Task-Id: <task uuid>
    Provenance-Decision: <decision_type>
    Provenance-Consensus: <consensus_score, 2 places>
    Provenance-Timestamp: <timestamp, ISO 8601 UTC>
"""

from __future__ import annotations

import builtins
import functools
import re
import uuid
from typing import TYPE_CHECKING, Any

from ..._json import dumps, loads
from ...errors import NotFoundError, ValidationError
from ...memory import _common as c
from . import _common as a
from . import signing
from .models import GitCommit, ProvenanceCheck, ProvenanceRecord, ProvenanceReport, field_names, from_row

if TYPE_CHECKING:
    from ...store import Store

_HASH = re.compile(r"^[0-9a-f]{40}$")
_RECORD = ("verdict_id, task_id, decision_type, decision_data, consensus_score, judge_verdicts, caws_compliance, "
           "claim_verification, git_commit_hash, git_trailer, signature, timestamp, metadata, created_at")
_COMMIT = "hash, author, message, timestamp, provenance_record_id, created_at"


def commit_hash(value: Any, field: str = "commit_hash") -> str:
    """A full 40-hex-digit git commit hash (lower case)."""
    if not isinstance(value, str) or not _HASH.match(value.lower()):
        raise ValidationError(field, f"must be a full 40-hex-digit git commit hash, got {value!r}")
    return value.lower()


def git_trailer(verdict_id: str, task_id: str, decision_type: str, consensus_score: float, timestamp: str) -> str:
    """The trailer block for a record (see the module docstring)."""
    return (f"Provenance-Verdict-Id: {verdict_id}\nProvenance-Task-Id: {task_id}\n"
            f"Provenance-Decision: {decision_type}\nProvenance-Consensus: {consensus_score:.2f}\n"
            f"Provenance-Timestamp: {timestamp.replace(' ', 'T')}Z")

_RECORD_FIELDS = field_names(ProvenanceRecord)

def _signed_values(row: tuple[Any, ...]) -> list[Any]:
    """The SIGNED_FIELDS values of a ``_RECORD`` row (everything but signature and created_at)."""
    return [*row[:10], row[11], row[12]]


def _record(row: tuple[Any, ...]) -> ProvenanceRecord:
    return from_row(ProvenanceRecord, _RECORD_FIELDS, row, decision_data=loads(row[3]), judge_verdicts=loads(row[5]),
                    caws_compliance=loads(row[6]), claim_verification=loads(row[7]), metadata=loads(row[12]))


class ProvenanceMethods:
    _store: Store

    @functools.cached_property
    def _key(self) -> bytes:
        return signing.load_key(self._store.home, create=not self._store.readonly)

    def record_provenance(self, task: str, decision_type: str, decision_data: Any, consensus_score: float, *,
                          caws_compliance: Any, judge_verdicts: Any = None, claim_verification: Any = None,
                          metadata: Any = None, verdict_id: str | None = None) -> ProvenanceRecord:
        """Write a signed provenance record of the council's decision on a task."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        a.token("decision_type", decision_type, max_len=50)
        score = a.fraction("consensus_score", consensus_score)
        assert score is not None
        data = dumps(decision_data, field="decision_data")
        compliance = dumps(caws_compliance, field="caws_compliance")
        judges = dumps({} if judge_verdicts is None else judge_verdicts, field="judge_verdicts")
        claims = None if claim_verification is None else dumps(claim_verification, field="claim_verification")
        meta = dumps({} if metadata is None else metadata, field="metadata")
        if verdict_id is None:
            verdict_id = str(uuid.uuid4())
        else:
            try:
                verdict_id = str(uuid.UUID(c.text("verdict_id", verdict_id, max_len=36)))
            except ValueError:
                raise ValidationError("verdict_id", f"{verdict_id!r} is not a uuid") from None
        key = self._key
        ts = store.timestamp()
        with store.transaction():
            tid = a.task_uuid(store, task)
            if c.run(store, "SELECT 1 FROM tier2.provenance_records WHERE verdict_id = ?", (verdict_id,)):
                raise ValidationError("verdict_id", f"a provenance record {verdict_id} already exists")
            row = (verdict_id, tid, decision_type, data, score, judges, compliance, claims, None,
                   git_trailer(verdict_id, tid, decision_type, score, ts), "", ts, meta, ts)
            signature = signing.sign(key, _signed_values(row))
            row = (*row[:10], signature, *row[11:])
            store.execute(f"INSERT INTO tier2.provenance_records ({_RECORD}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
        return _record(row)

    def get_provenance(self, verdict_id: str) -> ProvenanceRecord:
        """The record, after verifying its signature (SignatureError if it does not verify)."""
        a.require_pack(self._store)
        c.text("verdict_id", verdict_id, max_len=64)
        rows = c.run(self._store, f"SELECT {_RECORD} FROM tier2.provenance_records WHERE verdict_id = ?", (verdict_id,))
        if not rows:
            raise NotFoundError(f"no provenance record {verdict_id!r}")
        signing.require(self._key, verdict_id, _signed_values(rows[0]), rows[0][10])
        return _record(rows[0])

    def get_provenance_by_commit(self, commit: str) -> builtins.list[ProvenanceRecord]:
        """The verified records linked to a known commit, oldest first (NotFoundError for an
        unknown commit; SignatureError if one does not verify)."""
        store = self._store
        a.require_pack(store)
        hash_ = commit_hash(commit)
        if not c.run(store, "SELECT 1 FROM tier2.git_commits WHERE hash = ?", (hash_,)):
            raise NotFoundError(f"unknown commit {hash_}; record it first with db.agency.record_commit()")
        rows = c.run(store, f"SELECT {_RECORD} FROM tier2.provenance_records WHERE git_commit_hash = ? "
                            "ORDER BY timestamp, verdict_id", (hash_,))
        for row in rows:
            signing.require(self._key, row[0], _signed_values(row), row[10])
        return [_record(r) for r in rows]

    def record_commit(self, commit: str, *, author: str | None = None, message: str | None = None,
                      timestamp: Any = None) -> GitCommit:
        """Record a git commit (idempotent for the same hash; other fields are kept from the first)."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        hash_ = commit_hash(commit)
        c.optional_text("author", author, max_len=255)
        c.optional_text("message", message)
        when = None if timestamp is None else a.timestamp("timestamp", timestamp)
        with store.transaction():
            store.execute("INSERT INTO tier2.git_commits (hash, author, message, timestamp, created_at) VALUES (?,?,?,?,?) "
                          "ON CONFLICT (hash) DO NOTHING", (hash_, author, message, when, store.timestamp()))
            return self._commit(hash_)

    def link_provenance_to_commit(self, verdict_id: str, commit: str) -> ProvenanceRecord:
        """Link a record to a recorded commit (both ways) and sign the record again."""
        store = self._store
        a.require_pack(store)
        store.require_writable()
        hash_ = commit_hash(commit)
        with store.transaction():
            self._commit(hash_)
            record = self.get_provenance(verdict_id)
            rows = c.run(store, f"SELECT {_RECORD} FROM tier2.provenance_records WHERE verdict_id = ?", (record.verdict_id,))
            row = (*rows[0][:8], hash_, *rows[0][9:])
            signature = signing.sign(self._key, _signed_values(row))
            store.execute("UPDATE tier2.provenance_records SET git_commit_hash = ?, signature = ? WHERE verdict_id = ?",
                          (hash_, signature, record.verdict_id))
            store.execute("UPDATE tier2.git_commits SET provenance_record_id = ? WHERE hash = ?", (record.verdict_id, hash_))
            return self.get_provenance(record.verdict_id)

    def verify_provenance(self, verdict_id: str | None = None) -> ProvenanceReport:
        """Check the signature of one record (or all): every signed field must be as signed."""
        store = self._store
        a.require_pack(store)
        if verdict_id is None:
            rows = c.run(store, f"SELECT {_RECORD} FROM tier2.provenance_records ORDER BY timestamp, verdict_id")
        else:
            c.text("verdict_id", verdict_id, max_len=64)
            rows = c.run(store, f"SELECT {_RECORD} FROM tier2.provenance_records WHERE verdict_id = ?", (verdict_id,))
            if not rows:
                raise NotFoundError(f"no provenance record {verdict_id!r}")
        key = self._key
        failures = []
        for row in rows:
            problem = signing.check(key, _signed_values(row), row[10])
            if problem:
                failures.append(ProvenanceCheck(row[0], False, problem))
        return ProvenanceReport(not failures, len(rows), failures)

    def provenance_records(self, task: str | None = None, *, limit: int = 100) -> builtins.list[ProvenanceRecord]:
        """Records (not verified; see :meth:`verify_provenance`), newest first, of one task if given."""
        store = self._store
        a.require_pack(store)
        c.limit(limit)
        if task is None:
            rows = c.run(store, f"SELECT {_RECORD} FROM tier2.provenance_records ORDER BY timestamp DESC LIMIT ?", (limit,))
        else:
            rows = c.run(store, f"SELECT {_RECORD} FROM tier2.provenance_records WHERE task_id = ? "
                                "ORDER BY timestamp DESC LIMIT ?", (a.task_uuid(store, task), limit))
        return [_record(r) for r in rows]

    def _commit(self, hash_: str) -> GitCommit:
        rows = c.run(self._store, f"SELECT {_COMMIT} FROM tier2.git_commits WHERE hash = ?", (hash_,))
        if not rows:
            raise NotFoundError(f"unknown commit {hash_}; record it first with db.agency.record_commit()")
        return GitCommit(*rows[0])
