"""The Grace pack's key patterns through db.grace, on real files with the manual clock."""

from __future__ import annotations

import sqlite3

import pytest

import cortexdb
from cortexdb.errors import IntegrityError, NotFoundError, ValidationError


def test_audit_entries_sealed_and_verified_by_the_chain(grace: cortexdb.Store) -> None:
    core = grace.grace.core
    ids = [core.log("governance", {"n": i}, transparency_level="public") for i in range(3)]
    assert core.seal() == 3
    check = core.verify()
    assert check.ok and check.entries_checked == 3 and check.bad_entries == []
    rows = grace.query("SELECT entry_id, chain_position, previous_hash, chain_hash, verified FROM tier0.audit_logs "
                       "ORDER BY chain_position")
    assert {r["entry_id"] for r in rows} == set(ids) and all(r["verified"] == 1 for r in rows)
    assert rows[1]["previous_hash"] is not None and rows[0]["chain_hash"] != rows[1]["chain_hash"]
    assert grace.query("SELECT entry_count FROM tier0.log_categories WHERE category = 'governance'") == [{"entry_count": 3}]
    assert grace.query("SELECT count(*) AS n FROM tier0.chain_verification WHERE tier = 'tier0'")[0]["n"] >= 1
    assert core.entries(category="governance", limit=1)[0]["data"] == {"n": 2}


def test_audit_entry_tampering_is_detected(grace: cortexdb.Store) -> None:
    core = grace.grace.core
    entry = core.log("ops", {"amount": 10})
    core.seal()
    path = grace.home / "tier0.db"
    grace.close()
    conn = sqlite3.connect(path)  # an outside writer removes the guard and edits the entry
    conn.execute("DROP TRIGGER audit_logs_append_only")
    conn.execute("UPDATE audit_logs SET data_json = '{\"amount\":99}' WHERE entry_id = ?", (entry,))
    conn.commit()
    conn.close()
    with cortexdb.open(grace.home) as db:
        check = db.grace.core.verify()
        assert not check.ok and check.bad_entries == [entry]


def test_lightning_cache_ttl_and_access_counting(grace: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    memory = grace.grace.memory
    memory.lightning_set("session", {"user": "a"}, ttl=10)
    memory.lightning_set("blob", b"\x00\x01")
    assert memory.lightning_get("session") == {"user": "a"}
    assert memory.lightning_get("blob") == b"\x00\x01"
    assert grace.query("SELECT access_count FROM tier1.lightning_memory WHERE key = 'session'") == [{"access_count": 1}]
    clock.advance(11)
    assert memory.lightning_get("session", "gone") == "gone"
    assert memory.purge_expired() == 1
    with pytest.raises(ValidationError, match="ttl"):
        memory.lightning_set("x", 1, ttl=-1)


def test_structured_memory_is_the_ttl_engine(grace: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    grace.memory.set("pref", {"lang": "en"}, ttl=5)
    assert grace.memory.get("pref") == {"lang": "en"}
    clock.advance(6)
    assert grace.memory.get("pref") is None


def test_fusion_compresses_above_threshold_and_verifies_checksum(grace: cortexdb.Store) -> None:
    memory = grace.grace.memory
    big = b"grace " * 2000
    memory.put("big", big, tags=["report", "q3"], metadata={"owner": "ops"})
    memory.put("small", b"tiny")
    stored = {r["key"]: r for r in grace.query("SELECT key, compressed, compression_type, length(content) AS n, size_bytes "
                                               "FROM tier2.fusion_memory")}
    assert stored["big"]["compressed"] == 1 and stored["big"]["compression_type"] == "zstd"
    assert stored["big"]["n"] < stored["big"]["size_bytes"] == len(big)
    assert stored["small"]["compressed"] == 0
    entry = memory.get("big")
    assert entry is not None and entry.content == big and entry.tags == ["report", "q3"] and entry.metadata == {"owner": "ops"}
    assert memory.get("missing") is None
    # tamper with the compressed blob: flip one byte inside the zstd frame
    blob = bytearray(grace.execute("SELECT content FROM tier2.fusion_memory WHERE key = 'big'")[0][0])
    blob[len(blob) // 2] ^= 0xFF
    with grace.transaction():
        grace.execute("UPDATE tier2.fusion_memory SET content = ? WHERE key = 'big'", (bytes(blob),))
    with pytest.raises(IntegrityError, match="big"):
        memory.get("big")
    # tamper with an uncompressed blob keeping its length
    with grace.transaction():
        grace.execute("UPDATE tier2.fusion_memory SET content = x'74696e79' WHERE key = 'small'")  # same bytes: fine
        grace.execute("UPDATE tier2.fusion_memory SET content = CAST('tinY' AS BLOB) WHERE key = 'small'")
    with pytest.raises(IntegrityError, match="checksum"):
        memory.get("small")


def test_librarian_search_by_content_and_tag(grace: cortexdb.Store) -> None:
    memory = grace.grace.memory
    memory.put("doc1", b"...", tags=["finance"])
    memory.put("doc2", b"...", tags=["ops", "finance"])
    memory.index("doc1", "quarterly revenue grew in the northern region")
    memory.index("doc2", "incident review of the payment outage", index_type="content")
    assert [r["key"] for r in memory.search("revenue northern")] == ["doc1"]
    assert [r["key"] for r in memory.search("outage", index_type="content")] == ["doc2"]
    assert memory.by_tag("finance") == ["doc1", "doc2"]
    assert sorted(r["key"] for r in memory.search("finance", index_type="tag")) == ["doc1", "doc2"]
    memory.put("doc2", b"...", tags=["ops"])  # re-tagging replaces the tag index
    assert memory.by_tag("finance") == ["doc1"]
    assert memory.delete("doc1") and memory.search("revenue") == []


def test_access_patterns_recorded_only_when_enabled(grace: cortexdb.Store) -> None:
    memory = grace.grace.memory
    memory.lightning_set("k", 1)
    memory.lightning_get("k")
    assert memory.access_patterns() == []
    memory.record_access = True
    memory.lightning_get("k")
    memory.lightning_get("nope")
    memory.put("f", b"x")
    memory.get("f")
    got = {(r["memory_tier"], r["key"]): (r["reads"], r["writes"], r["misses"]) for r in memory.access_patterns()}
    assert got == {("lightning", "k"): (1, 0, 0), ("lightning", "nope"): (0, 0, 1), ("fusion", "f"): (1, 1, 0)}


def test_circuit_breaker_closed_open_half_open(grace: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    res = grace.grace.resilience
    res.breaker("payments", failure_threshold=3, recovery_timeout=30)
    assert [res.record_failure("payments") for _ in range(3)] == ["closed", "closed", "open"]
    assert res.allow("payments") is False
    clock.advance(31)
    assert res.allow("payments") is True and res.state("payments")["state"] == "half_open"
    assert res.record_failure("payments") == "open"  # a failure while half open re-opens
    clock.advance(31)
    assert res.allow("payments") is True
    assert res.record_success("payments") == "closed"
    assert res.state("payments")["trip_count"] == 2
    with pytest.raises(NotFoundError):
        res.record_failure("unknown")


def test_canary_advances_and_rolls_back_on_slo_violation(grace: cortexdb.Store) -> None:
    dep = grace.grace.deployments
    model = dep.register_model("ranker", "2.0")
    with pytest.raises(IntegrityError, match="approval"):
        dep.promote(model, "production")
    dep.approve(model, "production", approver="council")
    dep.promote(model, "production")
    slos = {"error_rate": {"max": 0.05}, "accuracy": {"min": 0.9}}
    good = dep.start_canary(model, slos=slos)
    for expected in (25, 50, 100):
        assert dep.observe(good, {"error_rate": 0.01, "accuracy": 0.95}) == []
        assert dep.advance(good) == expected
    assert dep.status(good)["status"] == "active"
    bad = dep.start_canary(model, slos=slos)
    assert dep.advance(bad) == 25
    assert dep.observe(bad, {"error_rate": 0.2, "accuracy": 0.95}) == ["error_rate"]
    status = dep.status(bad)
    assert status["status"] == "rolled_back" and status["traffic_percent"] == 0
    assert [s["status"] for s in status["stages"]] == ["passed", "rolled_back"]
    history = grace.query("SELECT from_percent, reason FROM tier2.deployment_rollback_history WHERE deployment_id = ?", (bad,))
    assert history == [{"from_percent": 25, "reason": "SLO violated: error_rate"}]
    assert grace.query("SELECT count(*) AS n FROM tier3.alerts WHERE slo_violation_id IS NOT NULL")[0]["n"] == 1
    with pytest.raises(ValidationError, match="rolled_back"):
        dep.advance(bad)
    with pytest.raises(IntegrityError, match="immutable"), grace.transaction():
        grace.execute("DELETE FROM tier2.model_approvals")


def test_dead_letter_retry_with_backoff(grace: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    comms = grace.grace.comms
    entry = comms.dead_letter("m1", "orders", {"id": 1}, error="timeout", max_attempts=3)
    assert comms.due() == []
    clock.advance(1)
    assert [r["entry_id"] for r in comms.due()] == [entry]
    row = comms.retried(entry, ok=False)
    assert row["status"] == "retrying" and row["next_retry_epoch"] == pytest.approx(clock() + 2)
    clock.advance(2)
    row = comms.retried(entry, ok=False)
    assert row["next_retry_epoch"] == pytest.approx(clock() + 4)
    assert comms.retried(entry, ok=False)["status"] == "dead"
    with pytest.raises(ValidationError, match="dead"):
        comms.retried(entry, ok=True)
    other = comms.dead_letter("m2", "orders", {"id": 2})
    assert comms.retried(other, ok=True)["status"] == "resolved"


def test_message_dedupe_window(grace: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    comms = grace.grace.comms
    assert comms.first_seen("m1", "t", window=60) is True
    clock.advance(30)
    assert comms.first_seen("m1", "t", window=60) is False
    clock.advance(31)
    assert comms.first_seen("m1", "t", window=60) is True  # the window passed: new again
    clock.advance(61)
    assert comms.purge_dedupe() == 1
