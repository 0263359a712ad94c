"""The agency pack as a module: enabling, tables and indexes, type mapping, the audit_log view,
audit triggers, and its retention policies."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import cortexdb

TABLES = {"tier0": ["waivers"], "tier1": ["council_verdicts", "caws_violations"],
          "tier2": ["provenance_records", "git_commits"], "tier3": ["system_metrics", "slo_measurements", "alerts"]}
SEED_INDEXES = {
    "idx_council_verdicts_task_id": ("council_verdicts", ["task_id"]),
    "idx_council_verdicts_judge_type": ("council_verdicts", ["judge_type"]),
    "idx_waivers_status": ("waivers", ["status"]),
    "idx_waivers_expires_at": ("waivers", ["expires_at"]),
    "idx_waivers_approved_by": ("waivers", ["approved_by"]),
    "idx_provenance_records_task_id": ("provenance_records", ["task_id"]),
    "idx_provenance_records_git_commit_hash": ("provenance_records", ["git_commit_hash"]),
    "idx_system_metrics_name_time": ("system_metrics", ["metric_name", "collected_at"]),
    "idx_slo_measurements_name_time": ("slo_measurements", ["slo_name", "measured_at"]),
    "idx_alerts_status_created": ("alerts", ["status", "created_at"]),
}


def test_tables_in_their_tiers_with_seed_indexes(agency_db: cortexdb.Store) -> None:
    for tier, tables in TABLES.items():
        names = {r["name"] for r in agency_db.query(f"SELECT name FROM {tier}.sqlite_master WHERE type = 'table'")}
        assert set(tables) <= names, tier
    for index, (table, columns) in SEED_INDEXES.items():
        rows = agency_db.query(f"SELECT name FROM pragma_index_info('{index}')")
        assert [r["name"] for r in rows] == columns, index
        assert agency_db.query("SELECT tbl_name FROM cortexdb_schema WHERE name = ?", (index,))[0]["tbl_name"] == table


def test_seed_foreign_keys_share_a_tier(agency_db: cortexdb.Store) -> None:
    for tier, table, target in (("tier1", "council_verdicts", "tasks"), ("tier1", "caws_violations", "tasks"),
                                ("tier2", "git_commits", "provenance_records")):
        fks = agency_db.query(f"SELECT \"table\" AS t FROM {tier}.pragma_foreign_key_list('{table}')")
        assert [r["t"] for r in fks] == [target]
        assert agency_db.query(f"SELECT 1 FROM {tier}.sqlite_master WHERE name = ?", (target,))


def test_type_mapping_is_enforced_by_checks(agency_db: cortexdb.Store) -> None:
    task = agency_db.agency.create_task("t", task_id="t1")
    bad = [
        ("INSERT INTO tier1.council_verdicts (task_id, judge_type, verdict, confidence_score) VALUES (?, 'j', 'ok', 1.5)", (task.id,)),
        ("INSERT INTO tier1.council_verdicts (task_id, judge_type, verdict, evidence) VALUES (?, 'j', 'ok', '{bad')", (task.id,)),
        ("INSERT INTO tier0.waivers (title, reason, description, gates, approved_by, mitigation_plan, expires_at) "
         "VALUES ('t', 'r', 'd', '\"coverage\"', 'a', 'm', '2030-01-01 00:00:00.000')", ()),
        ("INSERT INTO tier3.slo_measurements (slo_name, compliance_percentage) VALUES ('s', 101)", ()),
        ("INSERT INTO tier3.system_metrics (metric_name, metric_value) VALUES ('m', 1e12)", ()),
        ("INSERT INTO tier2.git_commits (hash) VALUES ('XYZ')", ()),
    ]
    for sql, params in bad:
        with pytest.raises(cortexdb.IntegrityError), agency_db.transaction():
            agency_db.execute(sql, params)
    # a raw insert gets a uuid id by default, as the seed's gen_random_uuid()
    with agency_db.transaction():
        agency_db.execute("INSERT INTO tier3.system_metrics (metric_name, metric_value) VALUES ('m', 1.5)")
    uid = agency_db.query("SELECT id FROM system_metrics")[0]["id"]
    assert len(uid) == 36 and uid[14] == "4"


def test_enabling_later_is_a_normal_idempotent_migration(tmp_path: Path, clock: cortexdb.ManualClock) -> None:
    home = tmp_path / "s"
    with cortexdb.open(home, clock=clock) as db:
        db.tasks.create("existing", task_id="old")
        assert not db.query("SELECT 1 FROM cortexdb_schema WHERE name = 'waivers'")
        with pytest.raises(cortexdb.ValidationError, match="agency pack is not enabled"):
            db.agency.list_active_waivers()
    with cortexdb.open(home, modules=["agency"], clock=clock) as db:
        assert any(m.startswith("agency/") for m in db.migrated)
        assert "agency" in db.identity()["enabled_modules"]
        db.agency.record_verdict("old", "security", "approve", confidence_score=0.8)
    with cortexdb.open(home, modules=["agency"], clock=clock) as db:
        assert db.migrated == []
    with cortexdb.open(home, clock=clock) as db:  # recorded: stays enabled without modules=
        assert db.migrated == [] and "agency" in db.modules
        assert db.agency.consensus("old").verdict == "approve"
        assert db.query("SELECT count(*) AS n FROM audit_log WHERE table_name = 'tasks'")[0]["n"] >= 1


def test_tier_files_stay_plain_sqlite(agency_db: cortexdb.Store) -> None:
    agency_db.agency.create_task("t", task_id="t1")
    agency_db.agency.record_violation("t1", "no-secrets", "high")
    for tier in TABLES:
        conn = sqlite3.connect(agency_db.home / f"{tier}.db")
        try:
            for table in TABLES[tier]:
                conn.execute(f"SELECT * FROM {table}").fetchall()
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()


def test_audit_log_view_has_the_seed_columns(agency_db: cortexdb.Store) -> None:
    with agency_db.audit.actor("alice"):
        waiver = agency_db.agency.create_waiver(
            title="t", reason="flaky", description="d", gates=["coverage"], approved_by="lead", mitigation_plan="m",
            expires_at="2026-02-01 00:00:00")
    agency_db.agency.revoke_waiver(waiver.id)
    with agency_db.transaction():
        agency_db.execute("DELETE FROM tier0.waivers WHERE id = ?", (waiver.id,))
    rows = agency_db.query("SELECT table_name, operation, old_values, new_values, user_id, timestamp FROM audit_log "
                           "WHERE table_name = 'waivers' ORDER BY id")
    assert [r["operation"] for r in rows] == ["INSERT", "UPDATE", "DELETE"]
    assert rows[0]["user_id"] == "alice" and rows[0]["old_values"] is None
    assert '"revoked"' in rows[1]["new_values"] and rows[2]["new_values"] is None
    agency_db.agency.create_task("t", task_id="t9")
    assert agency_db.query("SELECT tier FROM audit_log WHERE table_name = 'tasks'")[0]["tier"] == "tier1"
    assert agency_db.audit.verify().ok
    assert {("tier0", "waivers"), ("tier1", "tasks")} <= {(t.tier, t.table) for t in agency_db.audit.tables()}


def test_waiver_audit_triggers_match_the_generator(agency_db: cortexdb.Store) -> None:
    from cortexdb.governance.triggers import AuditSpec, columns_of, trigger_name, trigger_sql

    spec = AuditSpec("tier0", "waivers", "{row}.id")
    for operation, sql in zip(spec.operations, trigger_sql(spec, columns_of(agency_db.conn, "tier0", "waivers")), strict=True):
        live = agency_db.execute("SELECT sql FROM tier0.sqlite_master WHERE name = ?", (trigger_name("waivers", operation),))
        norm = lambda s: " ".join(s.replace("IF NOT EXISTS ", "").rstrip(";").split())  # noqa: E731
        assert norm(live[0][0]) == norm(sql)


def test_retention_policies_of_the_seed(agency_db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    agency = agency_db.agency
    done = agency.create_task("finished", task_id="done")
    agency.update_task_status("done", "running")
    agency.update_task_status("done", "completed")
    agency.create_task("open", task_id="open")
    agency_db.tasks.add_progress("done", "build", 50)
    agency.record_metric("latency_ms", 12.5)
    agency.record_slo("availability", target_value=99.9, actual_value=99.5)
    policies = {p.table_name: p for p in agency_db.retention.policies()}
    assert (policies["tasks"].action, policies["tasks"].max_age_days) == ("mark", 90)
    assert (policies["system_metrics"].action, policies["system_metrics"].max_age_days) == ("delete", 30)
    assert (policies["audit_log_tier0"].action, policies["audit_log_tier0"].max_age_days) == ("keep", 365)
    clock.advance(31 * 86400)
    agency.record_metric("latency_ms", 13.0)
    agency_db.retention.apply()
    assert [m.metric_value for m in agency.metrics()] == [13.0]
    assert agency.slo_measurements() == []
    assert agency.get_task("done").status == "completed"
    clock.advance(60 * 86400)
    report = agency_db.retention.apply()
    assert agency.get_task("done").status == "archived" and agency.get_task(done.id).status == "archived"
    assert agency.get_task("open").status == "pending"
    assert agency_db.tasks.progress("done") == []
    marked = [f for f in report.findings if f.table == "tasks"]
    assert marked[0].affected == 1
    assert agency_db.retention.evaluate(record=False).findings  # applying again finds nothing to mark
    assert [f.age_violations for f in agency_db.retention.evaluate(record=False).findings if f.table == "tasks"] == [0]
    updates = agency_db.query("SELECT new_values ->> '$.status' AS s FROM audit_log WHERE table_name = 'tasks' "
                              "AND operation = 'UPDATE' ORDER BY id")
    assert updates[-1]["s"] == "archived"


def test_enabling_replaces_the_default_task_policy_but_keeps_an_edited_one(tmp_path: Path,
                                                                          clock: cortexdb.ManualClock) -> None:
    default, edited = tmp_path / "default", tmp_path / "edited"
    with cortexdb.open(default, clock=clock) as db:
        assert db.retention.get("tasks").action == "keep"
    with cortexdb.open(edited, clock=clock) as db:
        db.retention.set("tasks", action="delete", max_age_days=400, time_column="completed_at")
    with cortexdb.open(default, modules=["agency"], clock=clock) as db:
        assert (db.retention.get("tasks").action, db.retention.get("tasks").module) == ("mark", "agency")
    with cortexdb.open(edited, modules=["agency"], clock=clock) as db:
        assert db.retention.get("tasks").action == "delete"


def test_seed_queries_run_through_db_query(agency_db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    from cortexdb.packs.agency import queries

    agency = agency_db.agency
    for n in range(3):
        agency.create_task(f"task {n}", task_id=f"T{n}")
        clock.advance(1)
    agency.update_task_status("T1", "running")
    assert [r["task_id"] for r in agency_db.query(queries.TASKS_BY_STATUS, {"status": "running"})] == ["T1"]
    for pct in (10, 40, 90):
        agency_db.tasks.add_progress("T1", "build", pct)
        clock.advance(1)
    uuid = agency.get_task("T1").id
    rows = agency_db.query(queries.TASK_PROGRESS, {"task_id": uuid})
    assert [(r["progress_percentage"], r["prev_progress"]) for r in rows] == [(90, 40), (40, 10), (10, None)]
    agency.record_slo("availability", target_value=100, actual_value=95)
    since = agency_db.query("SELECT strftime('%Y-%m-%d %H:%M:%f', ?, 'unixepoch', '-24 hours') AS s", (clock.now,))[0]["s"]
    assert agency_db.query(queries.SLO_COMPLIANCE, {"since": since}) == [
        {"slo_name": "availability", "avg_compliance": 95.0, "min_compliance": 95.0}]
    assert agency_db.query(queries.DATABASE_STATUS) == [{"database_status": 1}]
    sizes = agency_db.query(queries.TABLE_SIZES, {"tier": "tier1"})
    assert {"tasks", "council_verdicts", "idx_tasks_status"} <= {r["tablename"] for r in sizes}
    assert all(r["size_bytes"] > 0 and r["schemaname"] == "tier1" for r in sizes)


def test_seed_migration_commands_map_onto_migrate(tmp_path: Path) -> None:
    """status / up / create / rollback (the last migration of any module, as the seed's rollback)."""
    from click.testing import CliRunner

    from cortexdb.cli import main

    home = tmp_path / "s"
    runner = CliRunner()
    assert runner.invoke(main, ["--home", str(home), "init", "--module", "agency"]).exit_code == 0
    status = runner.invoke(main, ["--home", str(home), "--json", "migrate", "status"])
    assert status.exit_code == 0 and '"agency"' in status.output and '"pending"' not in status.output
    out = runner.invoke(main, ["--home", str(home), "--json", "migrate", "rollback"])
    assert out.exit_code == 0, out.output
    assert '"module": "agency"' in out.output and '"tier": "tier3"' in out.output
    with cortexdb.open(home, migrate=False) as db:
        assert not db.query("SELECT 1 FROM cortexdb_schema WHERE name = 'alerts'")
        assert [m.name for m in db.migrations.pending()] == ["monitoring"]
    assert runner.invoke(main, ["--home", str(home), "migrate", "up"]).exit_code == 0
    with cortexdb.open(home) as db:
        assert db.query("SELECT 1 FROM cortexdb_schema WHERE name = 'alerts'")
    schema_dir = tmp_path / "schema"
    created = runner.invoke(main, ["--home", str(home), "--json", "migrate", "create", "agency", "tier3", "add_new_feature",
                                   "--schema-dir", str(schema_dir)])
    assert created.exit_code == 0 and (schema_dir / "agency" / "tier3" / "0001_add_new_feature.sql").is_file()
