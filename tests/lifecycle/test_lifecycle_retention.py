"""Retention policies: defaults from seed 001, evaluate (dry run, recorded), apply per action."""

from __future__ import annotations

import json

import pytest
from lifecycle_helpers import census, populate

from cortexdb.clock import to_timestamp
from cortexdb.errors import ValidationError

DAY = 86400


def test_defaults_seeded_from_seed_001(db):
    policies = {p.table_name: p for p in db.retention.policies()}
    assert policies["health_reports"].action == "delete" and policies["health_reports"].max_age_days == 180
    assert policies["conversation_state_snapshots"].keep_last_n == 5
    assert policies["conversations"].action == "capacity" and policies["conversations"].keep_last_n == 20
    from cortexdb.lifecycle.retention import DEFAULT_POLICIES

    assert set(policies) == {p["table_name"] for p in DEFAULT_POLICIES}  # seed 001's 17 rows + seed 002's tasks
    assert policies["task_progress"].max_age_days == 90


def test_evaluate_is_a_recorded_dry_run(db, clock):
    populate(db, 25, 1, status="done")
    clock.advance(200 * DAY)
    before = census(db)
    report = db.retention.evaluate()
    assert census(db) == before
    by = {f.table: f for f in report.findings}
    assert by["conversations"].count_violations == 5 and "archive 5" in by["conversations"].planned
    assert by["conversation_actions"].age_violations == 25
    rows = db.execute("SELECT tier, violations_count, actions_taken, policy_json FROM tier3.retention_policy_snapshots")
    assert {r[0] for r in rows} == {"tier0", "tier1", "tier2", "tier3"} and all(r[2] is None for r in rows)
    assert json.loads(next(r for r in rows if r[0] == "tier1")[3])["findings"]


def test_capacity_evicts_oldest_inactive_never_open(db, clock):
    populate(db, 10, 2, status="open", prefix="open")
    clock.advance(10)
    populate(db, 8, 2, status="done", prefix="done")
    clock.advance(10)
    populate(db, 8, 2, status="in_progress", prefix="busy")
    report = db.retention.apply(actions=["capacity"])
    finding = report.findings[0]
    assert finding.count_violations == 6 and finding.affected == 6
    archived = [r[0] for r in db.execute("SELECT conversation_id FROM tier3.archived_conversations ORDER BY 1")]
    assert archived == [f"done{i:05d}" for i in range(6)]
    # still over the cap, but only open / in-progress / recent-done ones are left: nothing evicted
    db.retention.set("conversations", keep_last_n=3)
    report = db.retention.apply(actions=["capacity"])
    assert db.execute("SELECT count(*) FROM tier3.archived_conversations")[0][0] == 8
    assert db.execute("SELECT count(*) FROM tier1.conversations WHERE task_status IN ('open','in_progress')")[0][0] == 18
    taken = json.loads(db.execute("SELECT actions_taken FROM tier3.retention_policy_snapshots ORDER BY id DESC LIMIT 1")[0][0])
    assert taken[0]["table"] == "conversations"


def test_capacity_idle_blocked_conversation_is_evicted_after_age(db, clock):
    db.retention.set("conversations", keep_last_n=1, max_age_days=7)
    populate(db, 2, 1, status="blocked")
    assert db.retention.apply(actions=["capacity"]).findings[0].affected == 0
    clock.advance(8 * DAY)
    assert db.retention.apply(actions=["capacity"]).findings[0].affected == 1


def test_keep_last_n_snapshots(db):
    with db.transaction():
        for turn in range(8):
            db.execute("INSERT INTO tier1.conversation_state_snapshots (session_id, turn_number, state_json) VALUES ('s', ?, '{}')",
                       (turn,))
        db.execute("INSERT INTO tier1.conversation_state_snapshots (session_id, turn_number, state_json) VALUES ('t', 1, '{}')")
    db.retention.apply(tables=["conversation_state_snapshots"])
    turns = [r[0] for r in db.execute("SELECT turn_number FROM tier1.conversation_state_snapshots WHERE session_id = 's' ORDER BY 1")]
    assert turns == [3, 4, 5, 6, 7]
    assert db.execute("SELECT count(*) FROM tier1.conversation_state_snapshots WHERE session_id = 't'")[0][0] == 1


def test_delete_with_condition_and_cascade(db, clock):
    old = to_timestamp(clock() - 40 * DAY)
    with db.transaction():
        for i, done in enumerate((1, 0)):
            db.execute("INSERT INTO tier1.creation_sessions (file_path, file_type, total_chunks, completed, last_update) "
                       "VALUES (?, 'python', 1, ?, ?)", (f"f{i}.py", done, old))
            db.execute("INSERT INTO tier1.creation_chunks (session_id, chunk_number, chunk_type, line_start, line_end) "
                       "VALUES (?, 1, 'header', 1, 2)", (db.conn.last_insert_rowid(),))
    report = db.retention.apply(tables=["creation_sessions"])
    assert report.findings[0].affected == 1
    assert db.execute("SELECT file_path FROM tier1.creation_sessions") == [("f1.py",)]
    assert db.execute("SELECT count(*) FROM tier1.creation_chunks")[0][0] == 1


def test_archive_action_moves_old_actions(db, clock):
    populate(db, 3, 1, age_days=70)
    populate(db, 2, 1, prefix="n")
    db.retention.apply(tables=["conversation_actions"])
    c = census(db)["conversation_actions"]
    assert c == (2, 3, 0)


def test_aggregate_then_drop_maintenance_runs(db, clock):
    old = to_timestamp(clock() - 100 * DAY)
    with db.transaction():
        for i in range(4):
            db.execute("INSERT INTO tier3.maintenance_runs (started_at, tier, operations, speedup, status) "
                       "VALUES (?, 'tier1', '[]', ?, ?)", (old, 1.0 + i, "success" if i else "failed"))
        db.execute("INSERT INTO tier3.maintenance_runs (tier, operations, status, started_at) VALUES ('tier1', '[]', 'success', ?)",
                   (to_timestamp(clock()),))
    db.retention.apply(tables=["maintenance_runs"])
    assert db.execute("SELECT count(*) FROM tier3.maintenance_runs")[0][0] == 1
    row = db.execute("SELECT row_count, stats_json, group_key FROM tier3.retention_rollups")[0]
    stats = json.loads(row[1])
    assert row[0] == 4 and stats["sum"]["speedup"] == 10.0 and stats["count_by"] == {"failed": 1, "success": 3}
    db.retention.apply(tables=["maintenance_runs"])  # nothing new: not counted twice
    assert db.execute("SELECT row_count FROM tier3.retention_rollups")[0][0] == 4


def test_export_before_purge_boundary_events(db, clock):
    old = to_timestamp(clock() - 100 * DAY)
    with db.transaction():
        for allowed in (0, 1, 0):
            db.execute("INSERT INTO tier3.boundary_events (occurred_at, event_type, path, allowed) VALUES (?, 'read', '/x', ?)",
                       (old, allowed))
        db.execute("INSERT INTO tier3.boundary_events (occurred_at, event_type, path, allowed) VALUES (?, 'read', '/y', 0)",
                   (to_timestamp(clock()),))
    report = db.retention.apply(tables=["boundary_events"])
    assert report.findings[0].affected == 3 and "exported" in report.findings[0].done
    assert db.execute("SELECT path FROM tier3.boundary_events") == [("/y",)]
    [name] = db.archive.bundles()
    info = db.archive.verify(db.home / "cold" / name)
    assert info.ok and info.tables == {"boundary_events": 2}


def test_set_validates(db):
    with pytest.raises(ValidationError):
        db.retention.set("messages", action="explode")
    with pytest.raises(ValidationError):
        db.retention.set("health_reports", time_column="nope")
    with pytest.raises(ValidationError):
        db.retention.set("brand_new", action="delete")
    assert db.retention.set("health_reports", max_age_days=30).max_age_days == 30


def test_pack_default_policy_is_inserted(db):
    from cortexdb.lifecycle import register_default_policy
    from cortexdb.lifecycle.retention import DEFAULT_POLICIES

    before = list(DEFAULT_POLICIES)
    try:
        register_default_policy(table_name="pack_events", tier="tier3", action="delete", max_age_days=7,
                                time_column="created_at", module="pack")
        db.retention._seeded = False
        policy = db.retention.get("pack_events")
        assert policy.module == "pack" and policy.max_age_days == 7
        finding = next(f for f in db.retention.evaluate().findings if f.table == "pack_events")
        assert finding.skipped == "table not in this store"
    finally:
        DEFAULT_POLICIES[:] = before


def test_a_failing_policy_is_recorded_and_others_run(db, clock):
    populate(db, 3, 1, age_days=70)
    with db.transaction():
        db.execute("ALTER TABLE tier1.conversation_actions ADD COLUMN extra TEXT")
    report = db.retention.apply(tables=["conversation_actions", "conversation_state_snapshots"])
    by = {f.table: f for f in report.findings}
    assert by["conversation_actions"].done.startswith("failed:") and "extra" in by["conversation_actions"].done
    taken = json.loads(db.execute("SELECT actions_taken FROM tier3.retention_policy_snapshots ORDER BY id DESC LIMIT 1")[0][0])
    assert any(t["done"].startswith("failed") for t in taken)
