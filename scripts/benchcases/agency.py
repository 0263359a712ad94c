"""The agency pack: create_task, record_metric and create_waiver beside raw single-row inserts,
list_active_waivers beside a raw indexed select.

Each raw baseline opens the store's own tier file with a plain apsw connection (same schema,
triggers, including the audit triggers on tasks and waivers, and indexes, and the store's
durability: synchronous FULL for tiers 0 and 3, NORMAL otherwise) and does one
BEGIN IMMEDIATE / INSERT / COMMIT per row, as the library does; the ratio is what cortexdb adds:
validation, JSON encoding, uuid and timestamp, the result object.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import apsw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case
from benchcases.memory import raw_connection

import cortexdb
from cortexdb._sqlite import DURABLE_TIERS

ROWS = 100


def cases(workdir: Path) -> list[Case]:
    db = cortexdb.open(workdir / "agency", modules=["agency"])
    agency = db.agency
    tier0, tier1, tier3 = (raw_connection(workdir / "agency" / f"{t}.db") for t in ("tier0", "tier1", "tier3"))
    for tier, conn in (("tier0", tier0), ("tier1", tier1), ("tier3", tier3)):
        conn.execute(f"PRAGMA synchronous = {'FULL' if tier in DURABLE_TIERS else 'NORMAL'}")
    waiver = dict(title="Skip mutation gate", reason="flaky infra", description="mutation runner is down",
                  gates=["mutation", "coverage"], approved_by="lead@example.com", mitigation_plan="rerun when fixed",
                  expires_at="2999-01-01 00:00:00")

    def single_rows(conn: object, sql: str, make: object) -> object:
        def run() -> None:
            for _ in range(ROWS):
                conn.execute("BEGIN IMMEDIATE")  # type: ignore[attr-defined]
                conn.execute(sql, make())  # type: ignore[attr-defined, operator]
                conn.execute("COMMIT")  # type: ignore[attr-defined]
        return run

    def create_task() -> None:
        for _ in range(ROWS):
            agency.create_task("benchmark task", metadata={"area": "bench"})

    raw_task = single_rows(tier1, "INSERT INTO tasks (id, task_id, description, status, execution_mode, risk_tier, created_at, "
                                  "updated_at, metadata) VALUES (?, ?, 'benchmark task', 'pending', 'auto', 2, ?, ?, ?)",
                           lambda: (str(uuid.uuid4()), f"task-{uuid.uuid4().hex}", db.timestamp(), db.timestamp(),
                                    '{"area":"bench"}'))

    def record_metric() -> None:
        for _ in range(ROWS):
            agency.record_metric("queue_depth", 3.5, labels={"queue": "main"})

    raw_metric = single_rows(tier3, "INSERT INTO system_metrics (id, metric_name, metric_value, labels, collected_at) "
                                    "VALUES (?, 'queue_depth', 3.5, '{\"queue\":\"main\"}', ?)",
                             lambda: (str(uuid.uuid4()), db.timestamp()))

    def create_waiver() -> None:
        for _ in range(ROWS):
            agency.create_waiver(**waiver)  # type: ignore[arg-type]

    raw_waiver = single_rows(tier0, "INSERT INTO waivers (id, title, reason, description, gates, approved_by, impact_level, "
                                    "mitigation_plan, expires_at, status, created_at, updated_at) VALUES (?, 'Skip mutation gate', "
                                    "'flaky infra', 'mutation runner is down', '[\"mutation\",\"coverage\"]', 'lead@example.com', "
                                    "'medium', 'rerun when fixed', '2999-01-01 00:00:00.000', 'active', ?, ?)",
                             lambda: (str(uuid.uuid4()), db.timestamp(), db.timestamp()))

    # -- list_active_waivers: 2000 waivers of which N are in force (stores of their own: create_waiver
    # adds more). Building the 12-field results costs per row, so the ratio grows with N.
    def listing_case(home: Path, in_force: int) -> tuple[cortexdb.Store, apsw.Connection, object, object]:
        store = cortexdb.open(home, modules=["agency"])
        with store.transaction():
            for n in range(2000):
                active = n % (2000 // in_force) == 0
                store.execute("INSERT INTO tier0.waivers (id, title, reason, description, gates, approved_by, "
                              "mitigation_plan, expires_at, status) VALUES (?, 't', 'r', 'd', '[\"lint\"]', 'a', 'm', ?, ?)",
                              (str(uuid.uuid4()), "2999-01-01 00:00:00.000" if active else "2000-01-01 00:00:00.000",
                               "active" if active else "expired"))
        conn = raw_connection(home / "tier0.db")

        def run() -> None:
            for _ in range(20):
                store.agency.list_active_waivers()

        def raw() -> None:
            for _ in range(20):
                conn.execute("SELECT id, title, reason, description, gates, approved_by, impact_level, mitigation_plan, "
                             "expires_at, status, created_at, updated_at FROM waivers WHERE status = 'active' "
                             "AND expires_at > ? ORDER BY expires_at, id", (store.timestamp(),)).fetchall()
        return store, conn, run, raw

    few = listing_case(workdir / "agency-list10", 10)
    many = listing_case(workdir / "agency-list50", 50)

    def close() -> None:
        for conn in (tier0, tier1, tier3, few[1], many[1]):
            conn.close()
        for store in (db, few[0], many[0]):
            store.close()

    return [
        Case("agency.create_task, 1 row per transaction", create_task, raw_task, ops=ROWS, target=1.5,  # type: ignore[arg-type]
             notes="raw: BEGIN IMMEDIATE + INSERT (audited) + COMMIT on tier1.db"),
        Case("agency.record_metric, 1 row per transaction", record_metric, raw_metric, ops=ROWS, target=1.5,  # type: ignore[arg-type]
             notes="raw: BEGIN IMMEDIATE + INSERT + COMMIT on tier3.db (synchronous FULL, as the store)"),
        Case("agency.create_waiver, 1 row per transaction", create_waiver, raw_waiver, ops=ROWS, target=1.5,  # type: ignore[arg-type]
             notes="raw: BEGIN IMMEDIATE + INSERT (audited) + COMMIT on tier0.db (synchronous FULL, as the store)"),
        Case("agency.list_active_waivers (10 of 2000 in force)", few[2], few[3], ops=20, target=2.0,  # type: ignore[arg-type]
             notes="raw: the same indexed SELECT + fetchall, no decoding"),
        Case("(info) agency.list_active_waivers (50 of 2000 in force)", many[2], many[3], ops=20,  # type: ignore[arg-type]
             notes="50 results: per-row decoding (gates JSON, frozen result) dominates", teardown=close),
    ]
