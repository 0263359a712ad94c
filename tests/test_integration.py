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
