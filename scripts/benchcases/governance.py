"""Governance: audited writes, chain verification and boundary checks, beside raw baselines.

- audited write (the issue's target, audited >= 0.5x unaudited, ratio <= 2.0): the same public
  call, ``db.provenance.link``, on a store with and one without provenance_links' audit triggers,
  one call per alternating repetition.
- the same call in blocks of 2,000, so the audited side's prompt seals (cortexdb.governance.sealing)
  fall inside the measured time.
- information: the same INSERT through cortexdb's transaction vs raw apsw without the trigger, and
  the trigger alone in raw apsw, one row and 1,000 rows per transaction (bulk inserts pay the JSON
  row image per row: 2.3-2.8x).
- verify: ``db.audit.verify`` over a sealed chain vs plain ``hashlib.sha256`` of each row's JSON
  read with raw apsw (issue: >= 0.5x, target 2.0).
- boundary.check: canonicalize + rules vs ``os.path.realpath`` + ``fnmatch`` over the same patterns.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import apsw
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case

import cortexdb

INSERT = ("INSERT INTO {t}provenance_links (source_type, source_ref, target_type, target_ref, relation, confidence) "
          "VALUES ('file', ?, 'entity', ?, 'generated', 0.9)")
CHAIN_ROWS = 20_000
LINK_BLOCK = 2000
PATTERNS = ["**/.env", "secrets/**", "**/*.pem", "build/**", "node_modules/**", "**/.git/**", "*.log",
            "data/private/**", "**/id_rsa*", "tmp/**"]


def raw_connection(path: Path) -> apsw.Connection:
    conn = apsw.Connection(str(path))
    conn.set_busy_timeout(5000)
    conn.execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
    return conn


def raw_store(home: Path) -> apsw.Connection:
    """The store's layout with raw apsw: main in memory, the four tier files attached, same pragmas."""
    conn = apsw.Connection(":memory:")
    conn.set_busy_timeout(5000)
    conn.execute("PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF")
    for tier in ("tier0", "tier1", "tier2", "tier3"):
        conn.execute(f"ATTACH ? AS {tier}", (str(home / f"{tier}.db"),))
        conn.execute(f"PRAGMA {tier}.synchronous = {'FULL' if tier in ('tier0', 'tier3') else 'NORMAL'}")
    return conn


def cases(workdir: Path) -> list[Case]:
    home = workdir / "store"
    cortexdb.open(home).close()
    # the unaudited twin: a copy of the same store, provenance_links' audit triggers dropped
    shutil.copytree(home, workdir / "raw")
    raw = raw_store(workdir / "raw")
    for (name,) in raw.execute("SELECT name FROM tier2.sqlite_master WHERE type = 'trigger' "
                               "AND tbl_name = 'provenance_links'").fetchall():
        raw.execute(f"DROP TRIGGER tier2.{name}")
    shutil.copytree(home, workdir / "raw_audited")
    raw_audited = raw_store(workdir / "raw_audited")   # the same layout with the audit triggers
    db = cortexdb.open(home)
    counter = iter(range(10**9))

    def single(conn: apsw.Connection) -> Callable[[], None]:
        def run() -> None:
            for _ in range(100):
                n = next(counter)
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(INSERT.format(t="tier2."), (f"f{n}", f"e{n}"))
                conn.execute("COMMIT")
        return run

    def batch(conn: apsw.Connection) -> Callable[[], None]:
        def run() -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(INSERT.format(t="tier2."), [(f"f{n}", f"e{n}") for n in (next(counter) for _ in range(1000))])
            conn.execute("COMMIT")
        return run

    def audited_single() -> None:
        for _ in range(100):
            n = next(counter)
            with db.transaction():
                db.execute(INSERT.format(t="tier2."), (f"f{n}", f"e{n}"))

    def raw_single() -> None:
        for _ in range(100):
            n = next(counter)
            raw.execute("BEGIN IMMEDIATE")
            raw.execute(INSERT.format(t="tier2."), (f"f{n}", f"e{n}"))
            raw.execute("COMMIT")

    def audited_batch() -> None:
        with db.transaction():
            db.conn.executemany(INSERT.format(t="tier2."), [(f"f{n}", f"e{n}") for n in (next(counter) for _ in range(1000))])

    def raw_batch() -> None:
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany(INSERT.format(t="tier2."), [(f"f{n}", f"e{n}") for n in (next(counter) for _ in range(1000))])
        raw.execute("COMMIT")

    def seal_batch() -> None:
        audited_batch()
        db.audit.seal("tier2")

    # a long sealed chain for verify
    vhome = workdir / "verify"
    vdb = cortexdb.open(vhome)
    with vdb.transaction():
        vdb.conn.executemany(INSERT.format(t="tier2."), [(f"f{n}", f"e{n}") for n in range(CHAIN_ROWS)])
    vdb.audit.seal()
    vraw = raw_connection(vhome / "tier2.db")
    columns = ("id, table_name, operation, row_key, old_values, new_values, actor, created_at, sealed_at, position, "
               "prev_hash, hash")

    def verify() -> None:
        report = vdb.audit.verify(tier="tier2", seal=False, record=False)
        assert report.ok and report.tiers[0].rows_checked >= CHAIN_ROWS

    def plain_sha() -> None:
        for row in vraw.execute(f"SELECT {columns} FROM audit_log_tier2 WHERE position IS NOT NULL ORDER BY position"):
            hashlib.sha256(orjson.dumps(row)).hexdigest()

    # boundary
    ws = workdir / "ws"
    (ws / "src" / "pkg").mkdir(parents=True)
    db.boundary.set_root(ws)
    for pattern in PATTERNS:
        db.boundary.add_rule("deny", pattern)
    root = str(ws.resolve())
    path = "src/pkg/module.py"

    def check() -> None:
        for _ in range(1000):
            db.boundary.check(path, "read")

    def raw_check() -> None:
        for _ in range(1000):
            real = os.path.realpath(os.path.join(root, path))
            rel = real[len(root) + 1:] if real.startswith(root + "/") else None
            any(fnmatch.fnmatchcase(rel or real, p) for p in PATTERNS)

    def denied_check() -> None:
        for _ in range(20):
            db.boundary.check("../outside/secret", "read")

    for (name,) in raw.execute("SELECT name FROM tier3.sqlite_master WHERE type = 'trigger' "
                               "AND tbl_name = 'boundary_events'").fetchall():
        raw.execute(f"DROP TRIGGER tier3.{name}")

    def raw_denied() -> None:
        """Resolve, see it is outside, and log the event row (no audit row) in its own transaction."""
        for _ in range(20):
            real = os.path.realpath(os.path.join(root, "../outside/secret"))
            assert not real.startswith(root + "/")
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("INSERT INTO tier3.boundary_events (occurred_at, event_type, path, allowed, reason, "
                        "rule_reference) VALUES ('2026-01-01 00:00:00.000', 'read', ?, 0, 'outside', 'builtin')", (real,))
            raw.execute("COMMIT")

    # The same public write on two cortexdb stores, one without provenance_links' audit triggers:
    # what auditing adds to a write an agent makes (issue: audited >= 0.5x the same write unaudited).
    shutil.copytree(home, workdir / "unaudited")
    plain_db = cortexdb.open(workdir / "unaudited")
    with plain_db.transaction():
        for (name,) in plain_db.execute("SELECT name FROM tier2.sqlite_master WHERE type = 'trigger' "
                                        "AND tbl_name = 'provenance_links'"):
            plain_db.execute(f"DROP TRIGGER tier2.{name}")

    def link(store: cortexdb.Store) -> Callable[[], None]:
        def run() -> None:
            n = next(counter)
            store.provenance.link("file", f"f{n}", "conversation", f"c{n}", "generated", confidence=0.9)
        return run

    def links(store: cortexdb.Store) -> Callable[[], None]:
        call = link(store)

        def run() -> None:
            for _ in range(LINK_BLOCK):
                call()
        return run

    return [
        # One call per repetition, alternating: blocks of 100 calls put the rare WAL checkpoint
        # (an fsync) into more of one side's blocks than the other's, and the block median jumps.
        Case("provenance.link, audited vs the same call unaudited", link(db), link(plain_db), target=2.0, repeat=3001,
             notes="one public write per transaction on two cortexdb stores; the baseline store lacks only "
                   "the audit triggers; per-call medians over 3001 alternating calls"),
        Case(f"provenance.link x{LINK_BLOCK}, audited and sealed within bounds vs unaudited", links(db), links(plain_db),
             ops=LINK_BLOCK, target=2.0, repeat=21,
             notes=f"blocks of {LINK_BLOCK} calls, so the audited side pays its prompt seals (every 1000 audit rows or "
                   "1 s) in the figure; the per-call median above never contains one"),
        Case("audited write, 1 row per transaction", audited_single, raw_single, ops=100,
             notes="cortexdb transaction + trigger-written audit row vs raw BEGIN/INSERT/COMMIT without trigger"),
        Case("audited write, 1000 rows per transaction", audited_batch, raw_batch, ops=1000,
             notes="bulk: every row also writes its JSON row image, and each commit of 1000 audit rows is sealed "
                   "at once (the row bound)"),
        Case("audit trigger alone, 1 row per transaction", single(raw_audited), single(raw), ops=100,
             notes="raw apsw both sides: the same write with vs without the audit trigger (isolates the audit cost "
                   "from cortexdb's Python transaction wrapper)"),
        Case("audit trigger alone, 1000 rows per transaction", batch(raw_audited), batch(raw), ops=1000),
        Case("audited write + seal, 1000 rows", seal_batch, raw_batch, ops=1000,
             notes="includes hashing the 1000 new audit rows into the chain (no target; sealing is deferred work)"),
        Case(f"audit verify, {CHAIN_ROWS} sealed rows", verify, plain_sha, ops=CHAIN_ROWS, target=2.0, repeat=7,
             notes="verify vs plain hashlib.sha256 of each row's JSON"),
        Case("boundary.check, allowed, 10 rules", check, raw_check, ops=1000,
             notes="latency per check; baseline realpath + fnmatch (no hostile-input checks)"),
        Case("boundary.check, denied (logged)", denied_check, raw_denied, ops=20,
             notes="a denial writes a boundary_events row (and its audit row) in its own transaction; "
                   "baseline writes the event row without audit"),
    ]
