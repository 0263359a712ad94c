"""Tamper evidence: random single tampers of sealed audit rows, each detected at the right position.

The attacker works as one would: a raw apsw connection on the tier file, dropping the
append-only triggers, then editing, deleting, inserting (with a correctly recomputed hash),
truncating or reordering sealed rows. The store is then opened by cortexdb and verified.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import apsw
import pytest

import cortexdb
from cortexdb import IntegrityError, ManualClock
from cortexdb.governance.audit import GENESIS, row_hash

TIERS = ("tier0", "tier1", "tier2", "tier3")
FIELDS = ("id", "table_name", "operation", "row_key", "old_values", "new_values", "actor", "created_at",
          "sealed_at", "position", "prev_hash", "hash")
KINDS = ("change", "delete", "insert", "truncate", "reorder")


def populate(db: cortexdb.Store, rounds: int = 4) -> None:
    """Audited activity in every tier, sealed in several batches (so there are several anchors)."""
    for r in range(rounds):
        with db.transaction():
            for i in range(6):
                db.execute("INSERT INTO tier0.governance_settings (key, value, updated_at) VALUES (?, ?, ?) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           (f"k{i}", f'{{"round": {r}}}', db.timestamp()))
                db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, "
                           "relation) VALUES ('file', ?, 'entity', ?, 'generated')", (f"f{r}{i}", f"e{i}"))
                db.execute("INSERT INTO tier3.boundary_events (event_type, path, allowed, reason) VALUES "
                           "('read', ?, 0, 'outside root')", (f"/etc/x{r}{i}",))
            db.execute("DELETE FROM tier2.provenance_links WHERE id % 5 = 0")
        for i in range(5):
            db.audit.record("tier1", "tasks", operation="UPDATE", row_key=f"t{r}{i}",
                            old={"status": "pending"}, new={"status": "done"}, actor="agent")
        db.audit.seal()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("audit") / "store"
    with cortexdb.open(home, clock=ManualClock()) as db:
        populate(db)
        assert db.audit.verify(record=False).ok
        db.execute("PRAGMA tier0.wal_checkpoint(TRUNCATE)")
    return home


def disarm(conn: apsw.Connection, schema: str, tier: str) -> None:
    """What an attacker does first: drop the append-only triggers and ignore CHECKs."""
    log = f"audit_log_{tier}"
    for trigger in (f"{log}_no_update", f"{log}_no_delete", f"{log}_sealed_by_cortexdb"):
        conn.execute(f"DROP TRIGGER IF EXISTS {schema}.{trigger}")
    conn.execute("PRAGMA ignore_check_constraints = ON")


def raw(path: Path, tier: str) -> apsw.Connection:
    conn = apsw.Connection(str(path / f"{tier}.db"))
    disarm(conn, "main", tier)
    return conn


def sealed(conn: apsw.Connection, tier: str, schema: str = "main") -> list[tuple]:
    return conn.execute(f"SELECT {', '.join(FIELDS)} FROM {schema}.audit_log_{tier} WHERE position IS NOT NULL "
                        "ORDER BY position").fetchall()


def different(rng: random.Random, field: str, value: object, rows: list[tuple]) -> object:
    """A new value for ``field`` that differs from ``value`` and violates no UNIQUE constraint."""
    if field in ("id", "position"):
        used = {r[FIELDS.index(field)] for r in rows}
        while True:
            candidate = rng.choice([rng.randint(-50, -1), rng.randint(10_000, 99_999)] +
                                   ([value + 0.5, "x", 0] if field == "position" else []))
            if candidate not in used:
                return candidate
    options = {
        "operation": ["INSERT", "UPDATE", "DELETE", "EVENT"],
        "old_values": [None, '{"tampered": true}', '{"status": "approved"}'],
        "new_values": [None, '{"tampered": true}', '{"value": "{\\"round\\": 99}"}'],
        "actor": [None, "root", "agent", "mallory"],
    }.get(field)
    while True:
        if options:
            candidate = rng.choice(options)
        elif field in ("prev_hash", "hash"):
            candidate = rng.choice([GENESIS, f"{rng.getrandbits(256):064x}", None])
        else:
            candidate = rng.choice([None, "", "x", str(value) + "!", "2026-01-01 00:00:00.000"])
        if candidate != value and not (field in ("table_name", "created_at") and candidate is None):
            return candidate


def tamper(home: Path, tier: str, kind: str, rng: random.Random) -> int:
    """Apply one tamper of ``kind`` to ``tier``'s file and return the position verify must report."""
    conn = raw(home, tier)
    with conn:
        expected = apply_tamper(conn, "main", tier, kind, rng)
    conn.close()
    return expected


def apply_tamper(conn: apsw.Connection, schema: str, tier: str, kind: str, rng: random.Random) -> int:
    log = f"{schema}.audit_log_{tier}"
    rows = sealed(conn, tier, schema)
    n = len(rows)
    p = rng.randint(1, n)
    row = rows[p - 1]
    if True:
        if kind == "change":
            field = rng.choice(FIELDS)
            value = different(rng, field, row[FIELDS.index(field)], rows)
            conn.execute(f"UPDATE {log} SET {field} = ? WHERE id = ?", (value, row[0]))
            if field == "prev_hash" and p == 2 and value == GENESIS:
                return 1  # row 2 now links to position 0, exactly what an inserted row 1 looks like
        elif kind == "delete":
            if rng.random() < 0.5:  # and close the gap, as a careful attacker would
                conn.execute(f"DELETE FROM {log} WHERE id = ?", (row[0],))
                conn.execute(f"UPDATE {log} SET position = -position WHERE position > ?", (p,))
                conn.execute(f"UPDATE {log} SET position = -position - 1 WHERE position < 0")
            else:
                conn.execute(f"DELETE FROM {log} WHERE id = ?", (row[0],))
        elif kind == "insert":
            conn.execute(f"UPDATE {log} SET position = -position WHERE position >= ?", (p,))
            conn.execute(f"UPDATE {log} SET position = -position + 1 WHERE position < 0")
            prev = rows[p - 2][FIELDS.index("hash")] if p > 1 else GENESIS
            new_id = conn.execute(f"SELECT max(id) + 1 FROM {log}").get
            forged = (new_id, "governance_decisions", "DELETE", "forged", '{"decision": "rejected"}', None, None,
                      row[7], row[8])
            digest = row_hash(p, *forged, prev) if rng.random() < 0.7 else f"{rng.getrandbits(256):064x}"
            conn.execute(f"INSERT INTO {log} ({', '.join(FIELDS)}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                         (*forged, p, prev, digest))
        elif kind == "truncate":
            conn.execute(f"DELETE FROM {log} WHERE position >= ?", (p,))
        elif kind == "reorder":
            if n < 2:
                raise AssertionError("chain too short to reorder")
            q = rng.randint(1, n)
            while q == p:
                q = rng.randint(1, n)
            p, q = min(p, q), max(p, q)
            a, b = rows[p - 1][0], rows[q - 1][0]
            conn.execute(f"UPDATE {log} SET position = -1 WHERE id = ?", (a,))
            conn.execute(f"UPDATE {log} SET position = ? WHERE id = ?", (p, b))
            conn.execute(f"UPDATE {log} SET position = ? WHERE id = ?", (q, a))
    return p


def test_random_single_tampers_are_each_detected_at_the_right_position(template: Path, tmp_path: Path) -> None:
    rng = random.Random(20261122)
    detected = 0
    for attempt in range(80):
        home = tmp_path / f"t{attempt}"
        shutil.copytree(template, home)
        tier = rng.choice(TIERS)
        kind = KINDS[attempt % len(KINDS)]
        expected = tamper(home, tier, kind, rng)
        with cortexdb.open(home, clock=ManualClock()) as db:
            report = db.audit.verify(seal=False, record=False)
        broken = {t.tier: t.first_break for t in report.tiers if not t.ok}
        assert not report.ok, (attempt, tier, kind)
        assert set(broken) == {tier}, (attempt, tier, kind, broken)
        assert broken[tier].position == expected, (attempt, tier, kind, expected, broken[tier])
        detected += 1
        shutil.rmtree(home)
    assert detected == 80


def test_many_more_tampers_inside_a_rolled_back_transaction(template: Path, tmp_path: Path) -> None:
    """The same attacker on the store's own apsw connection (DDL and edits inside a transaction
    that is rolled back after verifying), so hundreds of tampers run fast."""
    home = tmp_path / "live"
    shutil.copytree(template, home)
    rng = random.Random(7)
    with cortexdb.open(home, clock=ManualClock()) as db:
        conn = db.conn
        for attempt in range(200):
            tier = rng.choice(TIERS)
            kind = KINDS[attempt % len(KINDS)]
            conn.execute("BEGIN")
            try:
                disarm(conn, tier, tier)
                expected = apply_tamper(conn, tier, tier, kind, rng)
                report = db.audit.verify(seal=False, record=False)
            finally:
                conn.execute("ROLLBACK")
                conn.execute("PRAGMA ignore_check_constraints = OFF")
            broken = {t.tier: t.first_break for t in report.tiers if not t.ok}
            assert set(broken) == {tier}, (attempt, tier, kind, broken)
            assert broken[tier].position == expected, (attempt, tier, kind, expected, broken[tier])
        assert db.audit.verify(record=False).ok  # every tamper was rolled back


def test_untampered_copy_verifies_and_records(template: Path, tmp_path: Path) -> None:
    home = tmp_path / "clean"
    shutil.copytree(template, home)
    with cortexdb.open(home, clock=ManualClock()) as db:
        report = db.audit.verify()
        assert report.ok and all(t.rows_checked > 5 for t in report.tiers)
        rows = db.audit.verifications(limit=4)
        assert {r["tier"] for r in rows} == set(TIERS) and all(r["ok"] == 1 for r in rows)


def test_a_truncated_chain_is_not_resealed_over(template: Path, tmp_path: Path) -> None:
    home = tmp_path / "trunc"
    shutil.copytree(template, home)
    conn = raw(home, "tier2")
    n = len(sealed(conn, "tier2"))
    with conn:
        conn.execute("DELETE FROM audit_log_tier2 WHERE position >= ?", (n - 2,))
    conn.close()
    with cortexdb.open(home, clock=ManualClock()) as db:
        db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, relation) "
                   "VALUES ('file', 'a', 'file', 'b', 'updated')")
        with pytest.raises(IntegrityError, match="tier2 audit chain no longer reaches"):
            db.audit.seal("tier2")
        report = db.audit.verify()  # seals what it can, reports the break
        (bad,) = report.broken()
        assert bad.tier == "tier2" and bad.first_break.position == n - 2 and bad.first_break.kind == "truncated"
        assert bad.unsealed == 1
