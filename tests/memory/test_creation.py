"""Incremental creation: start/resume, chunk marks, flags, progress, bad input."""

from __future__ import annotations

import pytest

import cortexdb
from cortexdb.errors import NotFoundError, ValidationError
from cortexdb.memory.creation import ChunkSpec

PLAN = [("header", 1, 3), {"chunk_type": "section", "line_start": 4, "line_end": 40, "estimated_tokens": 300},
        ChunkSpec("code_block", 41, 60, 120), ("footer", 61, 62, 5)]


def test_resume_after_reopen(tmp_path, clock):
    with cortexdb.open(tmp_path / "s", clock=clock) as db:
        session = db.creation.start("docs/big.md", "markdown", chunks=PLAN)
        assert not session.resumed and session.total_chunks == 4
        db.creation.mark("docs/big.md", 1, "written")
        db.creation.mark("docs/big.md", 2, "written", warnings=["line too long", {"line": 12}])
    with cortexdb.open(tmp_path / "s", clock=clock) as db:
        again = db.creation.start("docs/big.md", "markdown", chunks=PLAN)
        assert again.resumed and again.total_chunks == 4
        assert db.creation.start("docs/big.md", "markdown").resumed
        nxt = db.creation.next_pending("docs/big.md")
        assert nxt.chunk_number == 3 and nxt.chunk_type == "code_block" and nxt.estimated_tokens == 120
        assert db.creation.chunks("docs/big.md")[1].validation_warnings == ["line too long", {"line": 12}]


def test_flags_and_progress(db, clock):
    db.creation.start("a.py", "python", chunks=PLAN)
    clock.advance(3)
    db.creation.mark("a.py", 1, "written")
    db.creation.mark("a.py", 2, "failed", warnings=["syntax error"])
    p = db.creation.progress("a.py")
    assert (p.written, p.failed, p.pending, p.skipped, p.percent) == (1, 1, 2, 0, 25.0)
    assert p.has_failures and not p.completed and p.last_update == "2026-01-01 00:00:03.000"
    assert db.creation.get("a.py").failed
    db.creation.mark("a.py", 2, "written")
    db.creation.mark("a.py", 3, "skipped")
    assert not db.creation.progress("a.py").completed
    db.creation.mark("a.py", 4, "written")
    p = db.creation.progress("a.py")
    assert p.completed and not p.has_failures and p.percent == 100.0
    assert db.creation.next_pending("a.py") is None
    assert db.creation.chunks("a.py")[1].validation_warnings == ["syntax error"]
    assert [s.file_path for s in db.creation.sessions(incomplete=True)] == []
    rows = db.query("SELECT file_path, completed, failed FROM creation_sessions WHERE completed = 1")
    assert rows == [{"file_path": "a.py", "completed": 1, "failed": 0}]


def test_different_plan_refused_unless_restart(db):
    db.creation.start("a.md", "markdown", chunks=PLAN)
    db.creation.mark("a.md", 1, "written")
    with pytest.raises(ValidationError) as error:
        db.creation.start("a.md", "markdown", chunks=PLAN[:2])
    assert error.value.field == "chunks"
    fresh = db.creation.start("a.md", "markdown", chunks=PLAN[:2], restart=True)
    assert not fresh.resumed and fresh.total_chunks == 2
    assert db.creation.next_pending("a.md").chunk_number == 1
    assert db.query("SELECT count(*) AS n FROM creation_chunks")[0]["n"] == 2


@pytest.mark.parametrize(("call", "field"), [
    (lambda db: db.creation.start("b.md", "markdown"), "chunks"),
    (lambda db: db.creation.start("b.md", "rust", chunks=PLAN), "file_type"),
    (lambda db: db.creation.start("b.md", "markdown", chunks=[]), "chunks"),
    (lambda db: db.creation.start("b.md", "markdown", chunks=[("prose", 1, 2)]), "chunks[0].chunk_type"),
    (lambda db: db.creation.start("b.md", "markdown", chunks=[("header", 5, 2)]), "chunks[0].line_end"),
    (lambda db: db.creation.start("b.md", "markdown", chunks=[("header", 1, 2), ("list", 0, 2)]), "chunks[1].line_start"),
    (lambda db: db.creation.start("b.md", "markdown", chunks=[{"chunk_type": "list"}]), "chunks[0]"),
    (lambda db: db.creation.mark("a.md", 5, "written"), "chunk_number"),
    (lambda db: db.creation.mark("a.md", 0, "written"), "chunk_number"),
    (lambda db: db.creation.mark("a.md", 1, "done"), "status"),
    (lambda db: db.creation.mark("a.md", 1, "written", warnings="oops"), "warnings"),
    (lambda db: db.creation.mark("a.md", 1, "written", warnings=[float("nan")]), "warnings"),
    (lambda db: db.creation.start("\ud800", "markdown", chunks=PLAN), "path"),
])
def test_bad_input_names_the_field(db, call, field):
    db.creation.start("a.md", "markdown", chunks=PLAN)
    before = db.query("SELECT status, validation_warnings FROM creation_chunks ORDER BY id")
    with pytest.raises(ValidationError) as error:
        call(db)
    assert error.value.field == field
    assert before == db.query("SELECT status, validation_warnings FROM creation_chunks ORDER BY id")
    assert db.query("SELECT count(*) AS n FROM creation_sessions")[0]["n"] == 1


def test_unknown_path(db):
    for call in (lambda: db.creation.mark("nope", 1, "written"), lambda: db.creation.next_pending("nope"),
                 lambda: db.creation.progress("nope"), lambda: db.creation.get("nope")):
        with pytest.raises(NotFoundError):
            call()
