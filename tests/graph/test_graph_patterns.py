"""Patterns and the CORTEX decay rule, driven by a ManualClock."""

from __future__ import annotations

import pytest

from cortexdb import NotFoundError, ValidationError

DAY = 86_400


def test_add_pattern_and_update(db):
    g = db.graph
    p = g.add_pattern("auth-retry", "Retry auth once", "retry on 401", "solution", confidence=0.8, tags=["auth"])
    assert isinstance(p.id, int) and p.pattern_type == "solution" and p.confidence == 0.8 and p.tags == ("auth",)
    q = g.add_pattern("auth-retry", "Retry auth twice", "retry on 401", "workflow")
    assert q.id == p.id and q.title == "Retry auth twice" and q.pattern_type == "workflow"
    assert [x.name for x in g.patterns()] == ["auth-retry"]
    assert [x.name for x in g.patterns(pattern_type="solution")] == []
    g.upsert_entity("auth-retry", observations=["seen in PR-3"])  # kind stays 'pattern'
    assert g.get_pattern("auth-retry").title == "Retry auth twice"
    assert g.get_entity("auth-retry").kind == "pattern"
    with pytest.raises(ValidationError):
        g.upsert_entity("auth-retry", kind="file")
    assert g.get_entity("auth-retry").kind == "pattern"


@pytest.mark.parametrize("args, kwargs, field", [
    (("p", "t", "c", "recipe"), {}, "pattern_type"),
    (("p", "t", "c", "solution"), {"confidence": 1.2}, "confidence"),
    (("p", "", "c", "solution"), {}, "title"),
])
def test_bad_patterns(db, args, kwargs, field):
    with pytest.raises(ValidationError) as info:
        db.graph.add_pattern(*args, **kwargs)
    assert info.value.field == field
    assert db.graph.patterns() == []


def test_pattern_name_clash_and_not_a_pattern(db):
    g = db.graph
    e = g.upsert_entity("x", kind="file")
    with pytest.raises(ValidationError):
        g.add_pattern("x", "t", "c", "solution")
    with pytest.raises(NotFoundError):
        g.get_pattern(e)


def test_decay_rule(db, clock):
    g = db.graph
    p = g.add_pattern("p", "Stale", "words", "solution", confidence=0.8)
    pinned = g.add_pattern("pinned", "Pinned", "words", "principle", confidence=0.5, pinned=True)
    fresh = g.add_pattern("fresh", "Fresh", "words", "context", confidence=0.9)
    g.upsert_entity("file", kind="file", confidence=0.5)
    clock.advance(60 * DAY)
    g.get_pattern(fresh)  # accessed: its idle clock restarts
    assert g.apply_decay().decayed == 0  # exactly 60 days idle: nothing yet
    clock.advance(10 * DAY)
    report = g.apply_decay()
    assert [(ch.name, ch.old_confidence, ch.new_confidence) for ch in report.changes] == [("p", 0.8, 0.7)]
    assert g.apply_decay().decayed == 0  # the same days are never counted twice
    clock.advance(5 * DAY + 3600)
    assert g.apply_decay().changes[0].new_confidence == pytest.approx(0.65)
    assert g.get_pattern(pinned, touch=False).confidence == 0.5
    assert g.get_entity("file", touch=False).confidence == 0.5  # patterns only by default
    clock.advance(36 * DAY)
    report = g.apply_decay()
    assert report.archived == 1 and report.changes[0].new_confidence == pytest.approx(0.29)
    assert report.moved == 1 and g.get_pattern(p, touch=False, include_archived=True).archived_at is not None
    assert g.search("stale") == [] and [x.name for x in g.patterns()] == ["fresh", "pinned"]
    assert g.apply_decay().decayed == 0  # fresh: idle 51 days since its access
    clock.advance(10 * DAY)
    assert [(ch.name, ch.new_confidence) for ch in g.apply_decay().changes] == [("fresh", pytest.approx(0.89))]
    log = g.decay_log(p)
    assert [row["action"] for row in log] == ["archived", "decayed", "decayed", "decayed"]


def test_decay_thresholds_configurable(db, clock):
    g = db.graph
    g.upsert_entity("e", kind="note", confidence=0.5)
    clock.advance(3 * DAY)
    report = g.apply_decay(idle_days=1, rate_per_day=0.1, archive_below=0.35, kinds=None)
    assert report.changes[0].new_confidence == pytest.approx(0.3) and report.archived == 1
    with pytest.raises(ValidationError):
        g.apply_decay(rate_per_day=-1)
