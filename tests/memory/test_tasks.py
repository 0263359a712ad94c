"""Tasks: status graph, timestamps, progress, artifacts, seed 002's window-function query."""

from __future__ import annotations

import pytest

from cortexdb.errors import NotFoundError, ValidationError
from cortexdb.memory.tasks import TRANSITIONS


def test_lifecycle_sets_timestamps(db, clock):
    task = db.tasks.create("migrate auth", risk_tier=2, metadata={"owner": "me"})
    assert task.status == "pending" and task.started_at is None and task.metadata == {"owner": "me"}
    assert task.task_id.startswith("task-") and len(task.id) == 36
    clock.advance(10)
    running = db.tasks.update_status(task.task_id, "running")
    assert running.started_at == running.updated_at == "2026-01-01 00:00:10.000"
    clock.advance(5)
    db.tasks.update_status(task.task_id, "paused")
    clock.advance(5)
    resumed = db.tasks.update_status(task.task_id, "running")
    assert resumed.started_at == "2026-01-01 00:00:10.000"  # resuming keeps the first start
    clock.advance(5)
    failed = db.tasks.update_status(task.task_id, "failed", error="tests red")
    assert failed.completed_at == "2026-01-01 00:00:25.000" and failed.error_message == "tests red"
    clock.advance(5)
    retried = db.tasks.update_status(task.task_id, "pending")
    assert retried.completed_at is None and retried.error_message is None
    clock.advance(5)
    again = db.tasks.update_status(task.task_id, "running")
    assert again.started_at == "2026-01-01 00:00:35.000"
    done = db.tasks.update_status(task.task_id, "completed")
    assert done.completed_at == "2026-01-01 00:00:35.000"
    assert db.tasks.update_status(task.task_id, "archived").status == "archived"


@pytest.mark.parametrize("source", list(TRANSITIONS))
def test_every_invalid_transition_is_refused(db, source):
    paths = {"pending": [], "running": ["running"], "paused": ["running", "paused"],
             "failed": ["running", "failed"], "completed": ["running", "completed"],
             "cancelled": ["cancelled"], "archived": ["cancelled", "archived"]}
    task = db.tasks.create("t")
    for step in paths[source]:
        db.tasks.update_status(task.task_id, step)
    assert db.tasks.get(task.task_id).status == source
    for target in TRANSITIONS:
        if target in TRANSITIONS[source]:
            continue
        with pytest.raises(ValidationError) as error:
            db.tasks.update_status(task.task_id, target)
        assert error.value.field == "status"
        assert db.tasks.get(task.task_id).status == source


def test_progress_and_artifacts(db, clock):
    task = db.tasks.create("t", task_id="T-1")
    db.tasks.update_status("T-1", "running")
    clock.advance(1)
    first = db.tasks.add_progress("T-1", "plan", 40.0, "drafted")
    clock.advance(1)
    db.tasks.add_progress("T-1", "build", 33.336, None, metadata={"step": 2})
    clock.advance(1)
    db.tasks.add_progress("T-1", "build", 100)
    assert first.progress_percentage == 40.0
    progress = db.tasks.progress("T-1")
    assert [p.progress_percentage for p in progress] == [40.0, 33.34, 100.0]
    assert progress[1].metadata == {"step": 2}
    art = db.tasks.add_artifact("T-1", "diff", {"files": ["a.py"], "lines": 12})
    assert db.tasks.artifacts("T-1") == [art]
    assert db.tasks.artifacts("T-1", artifact_type="log") == []
    assert db.tasks.get("T-1").updated_at == art.created_at
    assert task.id == db.tasks.get("T-1").id


def test_seed_002_window_function_query_through_db_query(db, clock):
    task = db.tasks.create("t")
    for pct in (10, 35.5, 80):
        clock.advance(1)
        db.tasks.add_progress(task.task_id, "run", pct)
    rows = db.query("""
        SELECT task_id,
               phase,
               progress_percentage,
               LAG(progress_percentage) OVER (PARTITION BY task_id ORDER BY created_at) as prev_progress
        FROM task_progress
        WHERE task_id = ?
        ORDER BY created_at DESC""", (task.id,))
    assert [(r["progress_percentage"], r["prev_progress"]) for r in rows] == [(80, 35.5), (35.5, 10), (10, None)]
    assert {r["task_id"] for r in rows} == {task.id}


def test_list_by_status_newest_first(db, clock):
    names = []
    for i in range(4):
        clock.advance(1)
        names.append(db.tasks.create(f"t{i}", task_id=f"T{i}").task_id)
    db.tasks.update_status("T1", "running")
    db.tasks.update_status("T3", "running")
    assert [t.task_id for t in db.tasks.list(status="running")] == ["T3", "T1"]
    assert [t.task_id for t in db.tasks.list()] == ["T3", "T2", "T1", "T0"]
    assert [t.task_id for t in db.tasks.list(limit=1)] == ["T3"]
    plan = db.query("EXPLAIN QUERY PLAN SELECT * FROM tier1.tasks WHERE status = 'running'")
    assert any("idx_tasks_status" in r["detail"] for r in plan)


@pytest.mark.parametrize(("call", "field"), [
    (lambda db: db.tasks.create(""), "description"),
    (lambda db: db.tasks.create("t", risk_tier=7), "risk_tier"),
    (lambda db: db.tasks.create("t", risk_tier=True), "risk_tier"),
    (lambda db: db.tasks.create("t", task_id="x" * 256), "task_id"),
    (lambda db: db.tasks.create("t", execution_mode="m" * 21), "execution_mode"),
    (lambda db: db.tasks.create("t", metadata={"x": float("inf")}), "metadata"),
    (lambda db: db.tasks.update_status("T", "exploded"), "status"),
    (lambda db: db.tasks.update_status("T", "running", error="x"), "error"),
    (lambda db: db.tasks.add_progress("T", "plan", 100.5), "progress_percentage"),
    (lambda db: db.tasks.add_progress("T", "plan", -1), "progress_percentage"),
    (lambda db: db.tasks.add_progress("T", "plan", float("nan")), "progress_percentage"),
    (lambda db: db.tasks.add_progress("T", "plan", "50"), "progress_percentage"),
    (lambda db: db.tasks.add_progress("T", "p" * 101, 5), "phase"),
    (lambda db: db.tasks.add_artifact("T", "a" * 51, {}), "artifact_type"),
    (lambda db: db.tasks.add_artifact("T", "diff", {"k": b"bytes"}), "content"),
    (lambda db: db.tasks.list(status="nope"), "status"),
])
def test_bad_input_names_the_field(db, call, field):
    db.tasks.create("t", task_id="T")
    before = db.query("SELECT (SELECT count(*) FROM task_progress) AS p, (SELECT count(*) FROM task_artifacts) AS a, "
                      "(SELECT count(*) FROM tasks) AS t, (SELECT status FROM tasks) AS s")
    with pytest.raises(ValidationError) as error:
        call(db)
    assert error.value.field == field
    assert before == db.query("SELECT (SELECT count(*) FROM task_progress) AS p, (SELECT count(*) FROM task_artifacts) "
                              "AS a, (SELECT count(*) FROM tasks) AS t, (SELECT status FROM tasks) AS s")


def test_duplicate_and_unknown_task_ids(db):
    db.tasks.create("t", task_id="T")
    with pytest.raises(ValidationError) as error:
        db.tasks.create("again", task_id="T")
    assert error.value.field == "task_id"
    for call in (lambda: db.tasks.get("nope"), lambda: db.tasks.update_status("nope", "running"),
                 lambda: db.tasks.add_progress("nope", "p", 1), lambda: db.tasks.add_artifact("nope", "x", {}),
                 lambda: db.tasks.progress("nope"), lambda: db.tasks.artifacts("nope")):
        with pytest.raises(NotFoundError):
            call()
