"""``db.audit``: the per-tier SHA-256 audit chains, their verification, and governance decisions.

Triggers (SQL only, see :mod:`.triggers`) append an unsealed row to ``audit_log_<tier>`` in the same
transaction as each audited write. :meth:`AuditLog.seal` then gives every unsealed row, in id
order, the next ``position`` and ``hash = sha256(canonical JSON of the row incl. prev_hash)``, and
records the new chain head in ``tier0.audit_seals`` (the anchor that makes a truncated tail
visible). An open store seals promptly (:mod:`.sealing`), on close, and at the next open after a
crash. :meth:`AuditLog.verify` checks each chain as found, reports the first broken link and the
rows still outside the chain per tier, and only then seals those rows.

Canonical JSON of a sealed row: the JSON array (orjson, no whitespace)
``[position, id, table_name, operation, row_key, old_values, new_values, actor, created_at,
sealed_at, prev_hash]``; position 1's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from .. import _sqlite
from .._boundary import public_api
from .._json import dumps, loads
from ..errors import BusyError, IntegrityError, NotFoundError, ValidationError
from ..store import SCHEMA_VIEW
from .sealing import CHAINED, AuditSealer
from .triggers import AUDITED, OPERATIONS, audit_table, switchboard

if TYPE_CHECKING:
    from ..store import Store

GENESIS = "0" * 64
_COLUMNS = "id, table_name, operation, row_key, old_values, new_values, actor, created_at, sealed_at, position, prev_hash, hash"
_TRIGGER_SUFFIX = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}
DECISIONS = ("approved", "rejected", "deferred", "revoked")
RISK_LEVELS = ("low", "medium", "high", "critical")


def row_hash(position: int, row_id: int, table_name: str, operation: str, row_key: str | None,
             old_values: str | None, new_values: str | None, actor: str | None, created_at: str,
             sealed_at: str | None, prev_hash: str) -> str:
    """The hash of one sealed audit row (see the module docstring for the canonical form)."""
    canonical = orjson.dumps([position, row_id, table_name, operation, row_key, old_values, new_values, actor,
                              created_at, sealed_at, prev_hash])
    return hashlib.sha256(canonical).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One audit row. ``old_values``/``new_values`` are the row before/after as dicts."""

    tier: str
    id: int
    table_name: str
    operation: str
    row_key: str | None
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None
    actor: str | None
    created_at: str
    position: int | None
    hash: str | None


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops verifying: ``position`` and ``kind`` (missing, duplicate, inserted, link,
    reordered, changed, truncated, anchor, stray) with a sentence saying what was found."""

    position: int
    kind: str
    detail: str


@dataclass(frozen=True)
class TierVerification:
    """One tier's chain: rows checked, the head, the first break, and ``unsealed``: audit rows found
    outside the chain when it was checked (written outside cortexdb, or since the last seal; nothing
    proves they were not altered). ``sealed`` says how many of them this verify then sealed, and
    ``sealed_at_open`` how many this store found unsealed, and sealed, when it was opened."""

    tier: str
    ok: bool
    rows_checked: int
    head_position: int
    head_hash: str | None
    unsealed: int
    first_break: ChainBreak | None
    duration_ms: float
    sealed: int = 0
    sealed_at_open: int = 0


@dataclass(frozen=True)
class VerifyReport:
    """``verify()``'s answer: ``ok`` only if every tier's chain verifies."""

    ok: bool
    verified_at: str
    tiers: list[TierVerification] = field(default_factory=list)

    def broken(self) -> list[TierVerification]:
        return [t for t in self.tiers if not t.ok]


@dataclass(frozen=True)
class AuditedTable:
    """A table with audit triggers: its tier, which operations, and whether auditing is on."""

    tier: str
    table: str
    operations: tuple[str, ...]
    enabled: bool
    configurable: bool


@dataclass(frozen=True)
class GovernanceDecision:
    """An immutable governance decision (seed 004); a change is a new decision that supersedes it."""

    decision_id: str
    decision_type: str
    subject: str
    decision: str
    risk_level: str
    rationale: str | None
    decided_by: str
    supersedes: str | None
    metadata: dict[str, Any]
    decided_at: str


def _tiers(tier: str | None) -> tuple[str, ...]:
    if tier is None:
        return _sqlite.TIERS
    if tier not in _sqlite.TIERS:
        raise ValidationError("tier", f"{tier!r} is not one of {', '.join(_sqlite.TIERS)}")
    return (tier,)


def verify_rows(rows: Iterable[tuple[Any, ...]],
                anchor: tuple[int, str] | None) -> tuple[int, str | None, ChainBreak | None]:
    """Walk sealed rows (``_COLUMNS`` order, integer positions >= 1, sorted); return (count, head
    hash, first break).

    Checks per position i: the row holds position i (else *missing*), its ``prev_hash`` is the
    previous row's hash (else *link*, or *inserted* at i-1 when it skips exactly one row), ids
    rise with positions (else *reordered*), and its hash recomputes (else *changed*). Finally the
    chain must reach the newest anchor in ``audit_seals`` with the same hash (else *truncated* or
    *anchor*).
    """
    prev, prev_prev, last_id, count = GENESIS, None, 0, 0
    hashes: dict[int, str] = {}
    anchor_pos = anchor[0] if anchor else 0
    for row in rows:
        row_id, table, op, key, old, new, actor, created, sealed, position, prev_hash, stored = row
        index = count + 1
        if position == count and count:
            return count, prev, ChainBreak(
                count, "duplicate", f"position {count} is held by two rows (ids {last_id} and {row_id}): one was copied")
        if position != index:
            return count, prev, ChainBreak(
                index, "missing", f"position {index} is missing (next sealed row holds position {position})")
        if prev_hash != prev:
            if prev_prev is not None and prev_hash == prev_prev:
                return count, prev, ChainBreak(
                    index - 1, "inserted",
                    f"position {index - 1} was inserted: position {index} links past it to position {index - 2}")
            return count, prev, ChainBreak(
                index, "link", f"position {index} does not link to the hash of position {index - 1}")
        if row_id <= last_id:
            return count, prev, ChainBreak(
                index, "reordered", f"position {index} holds row id {row_id}, not after row id {last_id}")
        if row_hash(position, row_id, table, op, key, old, new, actor, created, sealed, prev_hash) != stored:
            return count, prev, ChainBreak(
                index, "changed",
                f"position {index} (row id {row_id}, {table} {op}) does not match its hash: a field was changed")
        prev_prev, prev, last_id, count = prev, stored, row_id, index
        if index == anchor_pos:
            hashes[index] = stored
    if anchor:
        position, expected = anchor
        if count < position:
            return count, prev, ChainBreak(
                count + 1, "truncated",
                f"the chain ends at position {count} but was sealed up to {position}: rows were removed from the tail")
        if hashes.get(position) != expected:
            return count, prev, ChainBreak(
                position, "anchor",
                f"position {position} differs from the hash recorded when it was sealed: the chain was rewritten")
    return count, prev, None


@public_api
class AuditLog:
    """The audit chains of one store (``db.audit``)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.sealed_at_open: dict[str, int] = {}
        """Rows per tier found unsealed and sealed when this store was opened (after a crash, or
        left by another process or program); also recorded as ``sealed_at_open`` EVENT rows."""
        self._heads_at_open: dict[str, int] = {}
        """Each tier's sealed head id as :meth:`seal_at_open` found it with nothing unsealed after it."""

    # -- sealing -------------------------------------------------------------------------------
    def seal(self, tier: str | None = None, *, strict: bool = True) -> dict[str, int]:
        """Seal every unsealed audit row into its tier's chain; return rows sealed per tier.

        A chain that no longer reaches its last recorded head is not extended: IntegrityError, or
        with ``strict=False`` that tier is skipped (cortexdb's own automatic seals; ``verify``
        reports it). ReadOnlyError on a read-only store or replica. The new head of each tier is recorded in
        ``tier0.audit_seals`` after the tier's rows commit (so a crash leaves the anchor behind the
        chain, never ahead of it).
        """
        store = self._store
        store.require_writable()
        out: dict[str, int] = {}
        for name in _tiers(tier):
            try:
                sealed = self._seal_tier(name)
            except IntegrityError:
                if strict:
                    raise
                continue
            if sealed:
                out[name] = sealed
        return out

    def _seal_tier(self, name: str) -> int:
        store = self._store
        log = audit_table(name)
        head_sql = f"SELECT id, position, hash FROM {name}.{log} WHERE {CHAINED} ORDER BY position DESC LIMIT 1"
        head = store.execute(head_sql)
        # unsealed rows always follow the head's id (rows are sealed in id order), so no index
        # on "hash IS NULL" is needed and audited writes stay cheap
        if not store.execute(f"SELECT 1 FROM {name}.{log} WHERE id > ? LIMIT 1", (head[0][0] if head else 0,)):
            return 0
        with store.transaction():
            head = store.execute(head_sql)
            head_id, position, prev = head[0] if head else (0, 0, GENESIS)
            self._check_anchor(name, position)
            sealed_at = store.timestamp()
            updates = []
            for row_id, table, op, key, old, new, actor, created in store.execute(
                    f"SELECT id, table_name, operation, row_key, old_values, new_values, actor, created_at "
                    f"FROM {name}.{log} WHERE id > ? AND hash IS NULL ORDER BY id", (head_id,)):
                position += 1
                digest = row_hash(position, row_id, table, op, key, old, new, actor, created, sealed_at, prev)
                updates.append((position, prev, digest, sealed_at, row_id))
                prev = digest
            if not updates:  # rows past the head, none of them unsealed (forged): verify() reports them
                return 0
            store.conn.executemany(
                f"UPDATE {name}.{log} SET position = ?, prev_hash = ?, hash = ?, sealed_at = ? WHERE id = ?", updates)
            if name == "tier0":
                self._anchor(name, position, prev, sealed_at)
        if name != "tier0":
            with store.transaction():
                self._anchor(name, position, prev, sealed_at)
        return len(updates)

    def _check_anchor(self, tier: str, head_position: int) -> None:
        """Refuse to extend a chain that no longer reaches its last anchor (a truncated or
        rewritten chain must not be hidden behind a fresh seal)."""
        anchor = self._store.execute("SELECT position, hash FROM tier0.audit_seals WHERE tier = ? ORDER BY id DESC LIMIT 1",
                                     (tier,))
        if not anchor:
            return
        position, expected = anchor[0]
        found = self._store.execute(f"SELECT hash FROM {tier}.{audit_table(tier)} WHERE position = ?", (position,))
        if head_position < position or not found or found[0][0] != expected:
            raise IntegrityError(
                f"the {tier} audit chain no longer reaches its last sealed head (position {position}); it was "
                "tampered with, so it is not sealed further. Run `cortexdb audit verify` to see where")

    def _anchor(self, tier: str, position: int, head: str, sealed_at: str) -> None:
        self._store.execute("INSERT INTO tier0.audit_seals (tier, position, hash, sealed_at) VALUES (?, ?, ?, ?)",
                            (tier, position, head, sealed_at))

    def head(self, tier: str) -> tuple[int, str]:
        """(position, hash) of a tier's chain head; keep it outside the store to detect a rewrite."""
        (tier,) = _tiers(tier)
        rows = self._store.execute(f"SELECT position, hash FROM {tier}.{audit_table(tier)} WHERE {CHAINED} "
                                   "ORDER BY position DESC LIMIT 1")
        return (rows[0][0], rows[0][1]) if rows else (0, GENESIS)

    # -- verification --------------------------------------------------------------------------
    def verify(self, *, tier: str | None = None, seal: bool = True, record: bool = True) -> VerifyReport:
        """Check every chain as it is found and report per tier the first broken link and how many
        rows are outside the chain (``unsealed``). Nothing is sealed before it is checked; then,
        unless ``seal=False``, the rows found unsealed are sealed into chains that verified
        (``sealed``). Each tier's result is recorded in ``chain_verification`` (skipped on a
        read-only store)."""
        store = self._store
        results = []
        for name in _tiers(tier):
            started = time.perf_counter()
            count, head, problem, unsealed = self._check_tier(name)
            sealed = 0
            if seal and unsealed and problem is None and not store.readonly:
                with contextlib.suppress(IntegrityError):  # a chain broken since the check stays as reported
                    sealed = self._seal_tier(name)
            results.append(TierVerification(name, problem is None, count, count, head if count else None, unsealed,
                                            problem, round((time.perf_counter() - started) * 1000, 3), sealed,
                                            self.sealed_at_open.get(name, 0)))
        report = VerifyReport(all(t.ok for t in results), store.timestamp(), results)
        if record and not store.readonly:
            with store.transaction():
                store.conn.executemany(
                    "INSERT INTO tier0.chain_verification (verified_at, tier, ok, rows_checked, head_position, head_hash, "
                    "first_bad_position, problem, duration_ms, unsealed) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [(report.verified_at, t.tier, int(t.ok), t.rows_checked, t.head_position, t.head_hash,
                      t.first_break.position if t.first_break else None,
                      f"{t.first_break.kind}: {t.first_break.detail}" if t.first_break else None, t.duration_ms,
                      t.unsealed)
                     for t in results])
        return report

    def _check_tier(self, name: str) -> tuple[int, str | None, ChainBreak | None, int]:
        """(rows in the chain, head hash, first break, rows outside the chain) of one tier, as found."""
        store = self._store
        log = f"{name}.{audit_table(name)}"
        anchor_rows = store.execute("SELECT position, hash FROM tier0.audit_seals WHERE tier = ? "
                                    "ORDER BY id DESC LIMIT 1", (name,))
        with store._lock:
            cursor = store.conn.cursor()
            rows = cursor.execute(f"SELECT {_COLUMNS} FROM {log} WHERE typeof(position) = 'integer' "
                                  "AND position >= 1 ORDER BY position, id")
            count, head, problem = verify_rows(rows, anchor_rows[0] if anchor_rows else None)
        if problem is None:
            problem = self._stray(log, count)
        unsealed = store.execute(f"SELECT count(*) FROM {log} WHERE hash IS NULL AND position IS NULL")[0][0]
        return count, head, problem, unsealed

    def _stray(self, log: str, count: int) -> ChainBreak | None:
        """A row outside an intact chain that cortexdb never writes: a position off the chain, a row
        half sealed (hash, position, prev_hash and sealed_at are set together), or an unsealed row
        older than the head (cortexdb seals in id order, so only a forger puts one there)."""
        store = self._store
        stray = store.execute(f"SELECT id, position FROM {log} WHERE position IS NOT NULL AND NOT "
                              "(typeof(position) = 'integer' AND position >= 1) LIMIT 1")
        if stray:
            return ChainBreak(count + 1, "stray", f"row id {stray[0][0]} holds position {stray[0][1]!r}, "
                              "outside the chain: it was forged or moved")
        half = store.execute(f"SELECT id FROM {log} WHERE (position IS NULL) <> (hash IS NULL) OR (hash IS NULL) <> "
                             "(prev_hash IS NULL) OR (hash IS NULL) <> (sealed_at IS NULL) LIMIT 1")
        if half:
            return ChainBreak(count + 1, "stray", f"row id {half[0][0]} is half sealed (hash, position, prev_hash "
                              "and sealed_at are not all set or all empty): it was forged or copied")
        inside = store.execute(
            f"SELECT u.id, (SELECT count(*) FROM {log} s WHERE s.position IS NOT NULL AND s.id < u.id) FROM {log} u "
            f"WHERE u.hash IS NULL AND u.position IS NULL AND u.id < (SELECT max(id) FROM {log} WHERE position "
            "IS NOT NULL) ORDER BY u.id LIMIT 1")
        if inside:
            row_id, before = inside[0]
            return ChainBreak(before + 1, "inserted", f"unsealed row id {row_id} sits inside the sealed chain "
                              f"(after position {before}): rows are sealed in id order, so it was added there later")
        return None

    # -- prompt sealing ------------------------------------------------------------------------
    def seal_at_open(self) -> dict[str, int]:
        """Seal the rows an earlier process left unsealed (killed, or still running); record what
        was found in each tier's own log (an EVENT row ``sealed_at_open``) and in
        :attr:`sealed_at_open`. Called by ``cortexdb.open()`` before anything else writes."""
        store = self._store
        names = {(r[0], r[1]) for r in store.execute(f"SELECT tier, name FROM temp.{SCHEMA_VIEW} WHERE type = 'table'")}
        if ("tier0", "audit_seals") not in names:
            return {}
        found: dict[str, int] = {}
        self._heads_at_open = {}
        for name in _sqlite.TIERS:
            log = audit_table(name)
            if (name, log) not in names:
                continue
            head = store.execute(f"SELECT coalesce((SELECT id FROM {name}.{log} WHERE {CHAINED} "
                                 "ORDER BY position DESC LIMIT 1), 0)")[0][0]
            span = store.execute(f"SELECT min(id), max(id), min(created_at), max(created_at) FROM {name}.{log} "
                                 "WHERE id > ? AND hash IS NULL", (head,))[0]
            if span[0] is None:
                self._heads_at_open[name] = head
                continue
            try:
                # under the home lock: a write here may meet a racing process switching a new tier
                # file to WAL, which SQLite refuses at once rather than waiting (see home_lock)
                with _sqlite.home_lock(store.home):
                    sealed = self._seal_tier(name)
                    if sealed:
                        self.record(name, log, row_key="sealed_at_open", actor="cortexdb", new={
                            "rows": sealed, "first_id": span[0], "last_id": span[1], "first_created_at": span[2],
                            "last_created_at": span[3],
                            "reason": "found unsealed when the store was opened: left by a process that was killed "
                                      "or is still running, or written outside cortexdb"})
                        found[name] = sealed
                        self._seal_tier(name)  # the EVENT row just recorded
            except IntegrityError:
                continue  # a tampered chain is not extended; verify() reports it
            except BusyError:
                continue  # another process is creating or recovering the files: the sealer seals them later
        self.sealed_at_open = found
        return found

    def start_sealing(self, *, written: bool = True) -> AuditSealer | None:
        """Seal what is pending and install the prompt sealer on the store's commit path (called by
        ``cortexdb.open()`` on a writable store whose audit tables exist).

        ``written=False`` says nothing was written since :meth:`seal_at_open`: where it found every
        tier's head with nothing unsealed after it, those heads stand and are not read again."""
        store = self._store
        heads = self._heads_at_open if not written and len(self._heads_at_open) == len(_sqlite.TIERS) else None
        if heads is None:
            present = store.execute(f"SELECT count(*) FROM temp.{SCHEMA_VIEW} WHERE type = 'table' AND ((tier = "
                                    "'tier0' AND name = 'audit_seals') OR name = 'audit_log_' || tier)")[0][0]
            if present != len(_sqlite.TIERS) + 1:
                return None  # opened with migrate=False before the audit tables exist
            with contextlib.suppress(BusyError):  # the sealer retries at the first commit, its timer or close
                self.seal(strict=False)  # this open's own migration rows
        store._sealer = AuditSealer(store, self, heads=heads)
        return store._sealer

    @property
    def sealing(self) -> AuditSealer | None:
        """The prompt sealer of this store (``max_rows``, ``max_seconds``, ``configure()``), or
        None on a read-only store."""
        return self._store._sealer

    def verifications(self, *, limit: int = 20) -> list[dict[str, Any]]:
        """The newest ``chain_verification`` rows."""
        return self._store.query("SELECT * FROM tier0.chain_verification ORDER BY id DESC LIMIT ?", (int(limit),))

    # -- reading -------------------------------------------------------------------------------
    def log(self, *, tier: str | None = None, table: str | None = None, row_key: str | None = None,
            operation: str | None = None, limit: int = 100, newest_first: bool = False) -> list[AuditEntry]:
        """Audit rows, filtered; oldest first per tier unless ``newest_first``."""
        if limit < 1:
            raise ValidationError("limit", "must be >= 1")
        where, params = [], []
        for column, value in (("table_name", table), ("row_key", row_key), ("operation", operation)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        order = "DESC" if newest_first else "ASC"
        out: list[AuditEntry] = []
        for name in _tiers(tier):
            rows = self._store.execute(
                f"SELECT {_COLUMNS} FROM {name}.{audit_table(name)}{clause} ORDER BY id {order} LIMIT ?", (*params, limit))
            out += [_entry(name, r) for r in rows]
        if tier is None:
            out.sort(key=lambda e: (e.created_at, e.tier, e.id), reverse=newest_first)
            out = out[:limit]
        return out

    def tail(self, n: int = 20) -> list[AuditEntry]:
        """The ``n`` newest audit rows across every tier, newest last."""
        return list(reversed(self.log(limit=n, newest_first=True)))

    # -- writing -------------------------------------------------------------------------------
    def record(self, tier: str, table: str, *, operation: str = "EVENT", row_key: str | None = None,
               old: dict[str, Any] | None = None, new: dict[str, Any] | None = None, actor: str | None = None) -> int:
        """Append an audit row written from Python (retention deletions, archival moves, events
        that no trigger sees), in the caller's transaction if one is open; return its id.
        ``created_at`` is SQLite's wall clock, as for trigger-written rows, so one order holds."""
        (tier,) = _tiers(tier)
        if operation not in (*OPERATIONS, "EVENT"):
            raise ValidationError("operation", f"{operation!r} is not one of INSERT, UPDATE, DELETE, EVENT")
        if not table or len(table) > 128:
            raise ValidationError("table", "must be a non-empty table name")
        store = self._store
        with store.transaction():
            store.execute(
                f"INSERT INTO {tier}.{audit_table(tier)} (table_name, operation, row_key, old_values, new_values, actor) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (table, operation, None if row_key is None else str(row_key),
                 None if old is None else dumps(old, field="old"), None if new is None else dumps(new, field="new"),
                 actor))
            return store.conn.last_insert_rowid()

    @contextlib.contextmanager
    def actor(self, name: str) -> Iterator[Store]:
        """A write transaction whose trigger-written audit rows are attributed to ``name``.

        Triggers cannot know who is writing, so they leave ``actor`` NULL ("direct SQL"); rows
        written inside this block get ``name`` just before the transaction commits (the only
        change the append-only trigger allows, and only on unsealed rows without an actor).
        """
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise ValidationError("name", "must be a non-empty string of at most 200 characters")
        store = self._store
        with store.transaction():
            start = {t: store.execute(f"SELECT coalesce(max(id), 0) FROM {t}.{audit_table(t)}")[0][0]
                     for t in _sqlite.TIERS}
            yield store
            for tier, last in start.items():
                store.execute(f"UPDATE {tier}.{audit_table(tier)} SET actor = ? WHERE id > ? AND actor IS NULL "
                              "AND hash IS NULL", (name, last))

    # -- configuration -------------------------------------------------------------------------
    def tables(self) -> list[AuditedTable]:
        """Every table that has audit triggers, per tier, with its switchboard state."""
        store = self._store
        out = []
        for tier in _sqlite.TIERS:
            log = audit_table(tier)
            found: dict[str, list[str]] = {}
            for name, table, sql in store.execute(
                    f"SELECT name, tbl_name, sql FROM {tier}.sqlite_master WHERE type = 'trigger' AND name LIKE 'audit\\_%' ESCAPE '\\'"):
                suffix = name.rsplit("_", 1)[-1]
                if suffix in _TRIGGER_SUFFIX and f"INSERT INTO {log} " in sql:
                    found.setdefault(table, []).append(_TRIGGER_SUFFIX[suffix])
            flags = dict(store.execute(f"SELECT table_name, enabled FROM {tier}.{switchboard(tier)}"))
            for table in sorted(found):
                out.append(AuditedTable(tier, table, tuple(o for o in OPERATIONS if o in found[table]),
                                        bool(flags.get(table, 1)), table != switchboard(tier)))
        return out

    def configure(self, table: str, *, enabled: bool) -> AuditedTable:
        """Switch auditing of ``table`` on or off (the change itself is audited)."""
        match = [t for t in self.tables() if t.table == table]
        if not match:
            known = ", ".join(sorted({t.table for t in self.tables()}))
            raise NotFoundError(f"{table!r} has no audit triggers; audited tables: {known}")
        target = match[0]
        if not target.configurable:
            raise ValidationError("table", f"{table} is the audit switchboard; its changes are always audited")
        store = self._store
        with store.transaction():
            store.execute(
                f"INSERT INTO {target.tier}.{switchboard(target.tier)} (table_name, enabled, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (table_name) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
                (table, int(bool(enabled)), store.timestamp()))
        self.seal(target.tier, strict=False)
        return AuditedTable(target.tier, table, target.operations, bool(enabled), True)

    # -- governance decisions ------------------------------------------------------------------
    def record_decision(self, decision_type: str, subject: str, decision: str, *, decided_by: str,
                        risk_level: str = "low", rationale: str | None = None, supersedes: str | None = None,
                        metadata: dict[str, Any] | None = None) -> GovernanceDecision:
        """Record an immutable governance decision (UPDATE and DELETE are refused by triggers)."""
        if decision not in DECISIONS:
            raise ValidationError("decision", f"{decision!r} is not one of {', '.join(DECISIONS)}")
        if risk_level not in RISK_LEVELS:
            raise ValidationError("risk_level", f"{risk_level!r} is not one of {', '.join(RISK_LEVELS)}")
        for name, value in (("decision_type", decision_type), ("subject", subject), ("decided_by", decided_by)):
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(name, "must be a non-empty string")
        store = self._store
        meta = metadata or {}
        with store.transaction():
            if supersedes is not None and not store.execute(
                    "SELECT 1 FROM tier0.governance_decisions WHERE decision_id = ?", (supersedes,)):
                raise NotFoundError(f"supersedes: no decision {supersedes!r}")
            result = GovernanceDecision(str(uuid.uuid4()), decision_type, subject, decision, risk_level, rationale,
                                        decided_by, supersedes, meta, store.timestamp())
            store.execute(
                "INSERT INTO tier0.governance_decisions (decision_id, decision_type, subject, decision, risk_level, "
                "rationale, decided_by, supersedes, metadata, decided_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (result.decision_id, decision_type, subject, decision, risk_level, rationale, decided_by, supersedes,
                 dumps(meta, field="metadata"), result.decided_at))
        self.seal("tier0", strict=False)
        return result

    def decisions(self, *, subject: str | None = None, limit: int = 100) -> list[GovernanceDecision]:
        """Governance decisions, newest first, optionally for one subject."""
        sql = ("SELECT decision_id, decision_type, subject, decision, risk_level, rationale, decided_by, supersedes, "
               "metadata, decided_at FROM tier0.governance_decisions")
        params: tuple[Any, ...] = ()
        if subject is not None:
            sql += " WHERE subject = ?"
            params = (subject,)
        rows = self._store.execute(sql + " ORDER BY id DESC LIMIT ?", (*params, int(limit)))
        return [GovernanceDecision(decision_id, kind, subj, decision, risk, rationale, by, supersedes, loads(meta), at)
                for decision_id, kind, subj, decision, risk, rationale, by, supersedes, meta, at in rows]


def _entry(tier: str, row: tuple[Any, ...]) -> AuditEntry:
    row_id, table, op, key, old, new, actor, created, _sealed, position, _prev, stored = row
    return AuditEntry(tier, row_id, table, op, key, None if old is None else loads(old),
                      None if new is None else loads(new), actor, created, position, stored)


__all__ = ["AUDITED", "AuditEntry", "AuditLog", "AuditedTable", "ChainBreak", "GovernanceDecision",
           "TierVerification", "VerifyReport", "row_hash", "verify_rows"]
