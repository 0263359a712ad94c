"""Checks that span areas: working memory x archive, tasks x audit chain."""

from __future__ import annotations

import cortexdb


def test_archived_conversation_restores_with_true_counts_and_search(db: cortexdb.Store) -> None:
    conv = db.conversations.start("Fix login bug", session_id="s1", metadata={"repo": "web"})
    conv.add_messages([("user", "login fails on Safari", None), ("assistant", "third-party cookie blocked", None)])
    conv.log_action(turn=1, action_type="retrieval", description="read login.ts")
    conv.snapshot(turn=1, state={"file": "login.ts"})
    before = db.conversations.get(conv.conversation_id)
    db.archive.move("conversations", [conv.conversation_id])
    assert not db.conversations.search("safari")
    hits = db.conversations.search("SAFARI login", include_archived=True)
    assert [(h.conversation_id, h.archived) for h in hits] == [(conv.conversation_id, True)]
    archived = db.conversations.get(conv.conversation_id, include_archived=True)
    assert archived.archived and archived.message_count == 2
    assert [i.conversation_id for i in db.conversations.recent(include_archived=True)] == [conv.conversation_id]
    assert db.conversations.recent() == []
    assert db.query("SELECT count(*) AS n FROM tier3.archived_messages")[0]["n"] == 2
    db.archive.restore("conversations", [conv.conversation_id])
    after = db.conversations.get(conv.conversation_id)
    assert after.message_count == before.message_count == 2
    assert after.metadata == {"repo": "web"} and after.title == before.title
    assert [h.conversation_id for h in db.conversations.search("safari")] == [conv.conversation_id]
    assert db.query("PRAGMA tier1.integrity_check")[0]["integrity_check"] == "ok"


def test_task_status_changes_are_audited_and_sealed(db: cortexdb.Store) -> None:
    task = db.tasks.create("migrate auth", risk_tier=2)
    db.tasks.update_status(task.task_id, "running")
    db.tasks.add_progress(task.task_id, "plan", 40.0, "drafted")
    entries = db.audit.log(tier="tier1", table="tasks")
    assert [e.operation for e in entries] == ["INSERT", "UPDATE"]
    assert entries[1].old_values["status"] == "pending" and entries[1].new_values["status"] == "running"
    assert all(e.row_key == task.task_id for e in entries)
    db.audit.seal()
    report = db.audit.verify()
    assert report.ok


def test_stuck_running_task_is_reported(db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    task = db.tasks.create("long job")
    db.tasks.update_status(task.task_id, "running")
    assert not [i for i in db.health.review().issues if "running for over" in i["title"]]
    clock.advance(2 * 3600)
    issues = [i for i in db.health.review().issues if "running for over" in i["title"]]
    assert len(issues) == 1 and task.task_id in issues[0]["description"]


def test_task_and_ttl_retention_defaults(db: cortexdb.Store, clock: cortexdb.ManualClock) -> None:
    task = db.tasks.create("old job")
    db.tasks.add_progress(task.task_id, "plan", 10.0, "start")
    db.memory.set("k", 1, ttl=60)
    db.memory.set("forever", 2)
    clock.advance(91 * 86400)
    db.retention.apply()
    assert db.tasks.progress(task.task_id) == []
    assert db.tasks.get(task.task_id).task_id == task.task_id  # tasks themselves are kept
    assert db.query("SELECT key FROM tier1.structured_memory") == [{"key": "forever"}]
