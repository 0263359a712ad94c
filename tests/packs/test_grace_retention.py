"""The Grace retention rules as lifecycle retention policies, applied with the manual clock."""

from __future__ import annotations

import cortexdb
from cortexdb.clock import to_timestamp

DAY = 86400.0


def test_policies_are_installed_with_the_pack(grace: cortexdb.Store) -> None:
    policies = {p.table_name: p for p in grace.retention.policies() if p.module == "grace"}
    assert set(policies) == {"bronze_raw_events", "silver_records", "processing_metrics"}
    assert policies["bronze_raw_events"].action == "delete" and policies["bronze_raw_events"].max_age_days == 365
    assert policies["silver_records"].action == "compress" and policies["silver_records"].max_age_days == 90
    assert policies["processing_metrics"].options["steps"] == [[7, "hour"], [30, "day"]]


def test_bronze_is_deleted_after_its_source_retention(grace: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    ingress = grace.grace.ingress
    ingress.add_source("default", "Default retention")
    ingress.add_source("short", "Short retention", retention_days=30)
    old = [ingress.ingest(s, {"n": 1}).id for s in ("default", "short")]
    clock.advance(40 * DAY)
    fresh = ingress.ingest("short", {"n": 2}).id
    report = grace.retention.apply(tables=["bronze_raw_events"])
    assert report is not None
    left = {r[0] for r in grace.execute("SELECT event_id FROM tier2.bronze_raw_events")}
    assert left == {old[0], fresh}  # the 30-day source lost its 40-day-old event; the default kept its own
    clock.advance(330 * DAY)
    grace.retention.apply(tables=["bronze_raw_events"])
    assert {r[0] for r in grace.execute("SELECT event_id FROM tier2.bronze_raw_events")} == set()


def test_silver_is_compressed_after_90_days(grace: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    ingress = grace.grace.ingress
    ingress.add_source("news", "News")
    old = ingress.add_silver("news", {"body": "old " * 100}).id
    clock.advance(91 * DAY)
    new = ingress.add_silver("news", {"body": "new"}).id
    grace.retention.apply(tables=["silver_records"])
    rows = {r[0]: (r[1], r[2]) for r in grace.execute("SELECT record_id, compressed, record_json IS NULL FROM tier2.silver_records")}
    assert rows == {old: (1, 1), new: (0, 0)}
    assert ingress.silver(old)["record"] == {"body": "old " * 100}
    assert ingress.silver(new)["record"] == {"body": "new"}
    assert grace.retention.apply(tables=["silver_records"]) is not None  # nothing left to compress: idempotent
    assert ingress.silver(old)["compressed"] == 1


def test_metrics_downsampled_hourly_then_daily(grace: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    start = clock()
    rows = []
    for minute in range(0, 120, 10):  # two hours of 10-minute samples, 12 rows
        rows.append(("s1", to_timestamp(start + minute * 60), 0.1 if minute < 60 else 0.3, 10, 5))
    with grace.transaction():
        grace.conn.executemany("INSERT INTO tier3.processing_metrics (source_id, timestamp, error_rate, records_in, samples) "
                               "VALUES (?, ?, ?, ?, ?)", rows)
    clock.advance(8 * DAY)
    grace.retention.apply(tables=["processing_metrics"])
    hourly = grace.query("SELECT granularity, timestamp, error_rate, records_in, samples FROM tier3.processing_metrics "
                         "ORDER BY timestamp")
    assert [r["granularity"] for r in hourly] == ["hour", "hour"]
    assert [round(r["error_rate"], 6) for r in hourly] == [0.1, 0.3]
    assert [(r["records_in"], r["samples"]) for r in hourly] == [(60, 30), (60, 30)]
    clock.advance(30 * DAY)
    grace.retention.apply(tables=["processing_metrics"])
    daily = grace.query("SELECT granularity, error_rate, records_in, samples FROM tier3.processing_metrics")
    assert len(daily) == 1 and daily[0]["granularity"] == "day"
    assert round(daily[0]["error_rate"], 6) == 0.2 and daily[0]["records_in"] == 120 and daily[0]["samples"] == 60
