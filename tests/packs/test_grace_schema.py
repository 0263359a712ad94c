"""The Grace pack's schema: exactly the seed's 81 tables in their components, checked JSON,
clean foreign keys, idempotent enabling on a store with data, and staying enabled."""

from __future__ import annotations

import collections
import re
import sqlite3
from pathlib import Path

import pytest

import cortexdb
from cortexdb.errors import IntegrityError
from cortexdb.packs.grace import HEALTH_CHECKS, TABLES

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "004_8298f9b382176f04.txt"
COUNTS = {"Core": 6, "Ingress": 13, "Intelligence": 9, "Learning": 15, "Memory": 8, "Orchestration": 5, "Resilience": 8,
          "MLT Core": 5, "MLDL Components": 8, "Communications": 2, "Common": 2}


def seed_tables() -> dict[str, str]:
    """Table name -> component, read from the seed's component sections."""
    text = SEED.read_text()
    body = text[text.index("## Components"):text.index("## Data Governance")]
    out = {}
    for section in re.split(r"\n### \d+\. ", body)[1:]:
        component = section.split(" (", 1)[0].replace(" Kernel", "")
        for name in re.findall(r"`([a-z_]+)`", section):
            out[name] = component
    return out


def tables_of(store: cortexdb.Store, tier: str) -> set[str]:
    return {r["name"] for r in store.query(f"SELECT name FROM {tier}.sqlite_master WHERE type = 'table'")}


@pytest.mark.skipif(not SEED.exists(), reason="seed 004 is not beside the checkout (../shared/seeds)")
def test_catalog_is_exactly_the_seed() -> None:
    seed = seed_tables()
    assert len(seed) == 81
    assert {t.name: t.component for t in TABLES} == seed
    assert collections.Counter(t.component for t in TABLES) == COUNTS


def test_every_table_exists_in_its_tier(grace: cortexdb.Store) -> None:
    for table in TABLES:
        assert table.name in tables_of(grace, table.tier), table
    names = {t.name for t in TABLES}
    assert len(names) == 81
    pack = set()
    for tier in ("tier0", "tier1", "tier2", "tier3"):
        rows = grace.query(f"SELECT name, sql FROM {tier}.sqlite_master WHERE type = 'table' AND sql LIKE '%grace%' "
                           "OR (type = 'table' AND name IN (SELECT value FROM json_each(?)))", (cortexdb._json.dumps(sorted(names)),))
        pack |= {r["name"] for r in rows}
    assert pack == names


def test_base_store_has_none_of_the_pack_tables(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "plain") as db:
        present = set().union(*(tables_of(db, t) for t in ("tier0", "tier1", "tier2", "tier3")))
    own = {t.name for t in TABLES if t.module == "grace"}
    assert not own & present
    assert {t.name for t in TABLES if t.module != "grace"} <= present


def test_json_columns_are_checked(grace: cortexdb.Store) -> None:
    unchecked = []
    for table in TABLES:
        sql = grace.query(f"SELECT sql FROM {table.tier}.sqlite_master WHERE name = ?", (table.name,))[0]["sql"]
        for column in grace.query(f"SELECT name FROM {table.tier}.pragma_table_info(?)", (table.name,)):
            name = column["name"]
            is_json = name.endswith("_json") or name in ("metadata", "tags", "pii_flags", "old_values", "new_values")
            if is_json and not re.search(rf"json_valid\(\s*{name}\s*\)", sql):
                unchecked.append(f"{table.name}.{name}")
    assert unchecked == []


def test_enumerations_are_checked(grace: cortexdb.Store) -> None:
    def refused(sql: str, params: tuple[object, ...] = ()) -> None:
        with pytest.raises(IntegrityError), grace.transaction():
            grace.execute(sql, params)

    refused("INSERT INTO circuit_breakers (component_name, state) VALUES ('x', 'broken')")
    refused("INSERT INTO degradation_policies (policy_id, component, level) VALUES ('p', 'x', 'extreme')")
    refused("INSERT INTO models (model_id, name, version, stage) VALUES ('m', 'n', '1', 'beta')")
    refused("INSERT INTO sources (source_id, name, kind, governance_label) VALUES ('s', 's', 'api', 'secret')")
    refused("INSERT INTO sources (source_id, name, kind, trust_score) VALUES ('s', 's', 'api', 1.5)")
    refused("INSERT INTO intel_canary_deployments (deployment_id, model_id, stage_percent) VALUES ('d', 'm', 10)")
    refused("INSERT INTO orchestration_loops (loop_id, name, phases_json, schedule) VALUES ('l', 'l', '[1,2,3]', '* * * * *')")
    refused("INSERT INTO fusion_memory (entry_id, key, content, size_bytes, checksum, tags) VALUES "
            "('e', 'k', x'00', 1, printf('%064d', 0), 'not json')")


def test_foreign_keys_clean_and_enforced(grace: cortexdb.Store) -> None:
    with pytest.raises(IntegrityError), grace.transaction():
        grace.execute("INSERT INTO tier2.bronze_raw_events (event_id, source_id, payload_json, content_hash) "
                      "VALUES ('e', 'nope', '{}', 'h')")
    for tier in ("tier0", "tier1", "tier2", "tier3"):
        assert grace.query(f"PRAGMA {tier}.foreign_key_check") == []


def test_immutable_and_append_only(grace: cortexdb.Store) -> None:
    with grace.transaction():
        grace.execute("INSERT INTO tier2.datasets (dataset_id, name) VALUES ('d1', 'reviews')")
        grace.execute("UPDATE tier2.datasets SET name = 'reviews-2' WHERE dataset_id = 'd1'")  # no version yet: allowed
        grace.execute("INSERT INTO tier2.dataset_versions (version_id, dataset_id, version, manifest_json, content_hash) "
                      "VALUES ('v1', 'd1', 1, '{}', 'h')")
    for sql in ("UPDATE tier2.dataset_versions SET row_count = 5", "DELETE FROM tier2.dataset_versions",
                "UPDATE tier2.datasets SET name = 'other'", "UPDATE tier2.bronze_raw_events SET payload_json = '{}'",
                "DELETE FROM tier0.audit_logs"):
        if "bronze" in sql:
            with grace.transaction():
                grace.execute("INSERT INTO tier2.sources (source_id, name, kind) VALUES ('s', 's', 'api')")
                grace.execute("INSERT INTO tier2.bronze_raw_events (event_id, source_id, payload_json, content_hash) "
                              "VALUES ('e', 's', '{}', 'h')")
        if "audit_logs" in sql:
            grace.grace.core.log("ops", {"a": 1})
        with pytest.raises(IntegrityError, match=r"immutable|append-only"), grace.transaction():
            grace.execute(sql)
    decision = grace.audit.record_decision("policy", "s", "approved", decided_by="me")
    with pytest.raises(IntegrityError, match="immutable"), grace.transaction():
        grace.execute("UPDATE tier0.governance_decisions SET decision = 'rejected' WHERE decision_id = ?",
                      (decision.decision_id,))


def test_health_checks_run_unchanged(grace: cortexdb.Store) -> None:
    text = SEED.read_text() if SEED.exists() else ""
    for sql in HEALTH_CHECKS.values():
        if text:
            assert sql.rstrip(";").strip() in text.replace(" \n", " \n")
    with grace.transaction():
        grace.execute("INSERT INTO tier1.orchestration_tasks (task_id, name, status, started_at) "
                      "VALUES ('t', 'stuck', 'running', datetime('now', '-2 hours'))")
        grace.execute("INSERT INTO tier3.processing_metrics (source_id, error_rate, timestamp) "
                      "VALUES ('s', 0.2, strftime('%Y-%m-%d %H:%M:%f', 'now'))")
        grace.execute("INSERT INTO tier1.circuit_breakers (component_name, state, failure_count) VALUES ('api', 'open', 5)")
    found = grace.grace.health()
    assert [r["task_id"] for r in found["stuck_tasks"]] == ["t"]
    assert found["high_error_rates"] == [{"source_id": "s", "avg_error_rate": 0.2}]
    assert found["open_circuit_breakers"] == [{"component_name": "api", "state": "open", "failure_count": 5}]


def test_enabling_later_is_idempotent_and_sticky(tmp_path: Path) -> None:
    home = tmp_path / "store"
    with cortexdb.open(home) as db:
        db.memory.set("k", {"v": 1})
    for _ in range(2):
        with cortexdb.open(home, modules=["grace"]) as db:
            assert db.memory.get("k") == {"v": 1}
            assert "audit_logs" in tables_of(db, "tier0")
    with cortexdb.open(home) as db:  # not named again: the pack stays enabled, nothing is dropped
        assert "grace" in db.modules
        db.grace.core.log("ops", {"after": True})
    conn = sqlite3.connect(home / "tier2.db")
    assert conn.execute("SELECT count(*) FROM fusion_memory").fetchone() == (0,)
    conn.close()


def test_pack_api_needs_the_pack(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "plain") as db, pytest.raises(cortexdb.ValidationError, match="grace pack is not enabled"):
        db.grace.core.log("x", {})


def test_two_path_covers_the_pack() -> None:
    from cortexdb.governance.doctor import two_path

    report = two_path(packs=["grace"])
    assert report.ok, [t.problems for t in report.tiers]


def test_health_review_runs_the_pack_checks(grace: cortexdb.Store, tmp_path: Path) -> None:
    with grace.transaction():
        grace.execute("INSERT INTO tier1.circuit_breakers (component_name, state, failure_count) VALUES ('search', 'open', 7)")
    report = grace.health.review()
    assert any("circuit breaker" in i["title"] and "search" in i["description"] for i in report.issues)
    with cortexdb.open(tmp_path / "plain") as plain:
        assert not any("circuit breaker" in i["title"] for i in plain.health.review().issues)
