"""Provenance links: vocabulary, recursive lineage and descendants, cycles."""

from __future__ import annotations

import pytest

import cortexdb
from cortexdb import ManualClock, ValidationError


@pytest.fixture
def db(tmp_path):
    store = cortexdb.open(tmp_path / "s", clock=ManualClock())
    yield store
    store.close()


def test_link_lineage_descendants(db):
    pv = db.provenance
    link = pv.link("file", "web/login.ts", "conversation", "c-12", "generated", confidence=0.9)
    assert (link.relation, link.confidence, link.created_at) == ("generated", 0.9, "2026-01-01 00:00:00.000")
    pv.link("conversation", "c-12", "plugin", "crawler", "referenced")
    pv.link("file", "web/login.test.ts", "file", "web/login.ts", "updated")
    pv.link("plugin", "crawler", "file", "web/login.test.ts", "referenced")  # a cycle
    up = pv.lineage("file", "web/login.test.ts")
    assert [(s.type, s.ref, s.depth) for s in up] == [
        ("file", "web/login.ts", 1), ("conversation", "c-12", 2), ("plugin", "crawler", 3)]
    down = pv.descendants("conversation", "c-12")
    assert [(s.type, s.ref, s.depth) for s in down] == [
        ("file", "web/login.ts", 1), ("file", "web/login.test.ts", 2), ("plugin", "crawler", 3)]
    assert len(pv.lineage("file", "web/login.test.ts", max_depth=1)) == 1
    assert len(pv.lineage("file", "web/login.test.ts", limit=2)) == 2
    assert len(pv.links("conversation", "c-12")) == 2
    rows = db.query("SELECT source_type, source_ref, target_type, target_ref, relation FROM provenance_links "
                    "WHERE relation = 'generated'")
    assert rows == [{"source_type": "file", "source_ref": "web/login.ts", "target_type": "conversation",
                     "target_ref": "c-12", "relation": "generated"}]


@pytest.mark.parametrize("args, kwargs, field", [
    (("file", "a", "conversation", "c", "invented"), {}, "relation"),
    (("File; DROP", "a", "conversation", "c", "generated"), {}, "source_type"),
    (("file", "", "conversation", "c", "generated"), {}, "source_ref"),
    (("file", "a", "conversation", "c", "generated"), {"confidence": 2}, "confidence"),
    (("file", "a", "file", "a", "updated"), {}, "target_ref"),
])
def test_bad_links(db, args, kwargs, field):
    with pytest.raises(ValidationError) as info:
        db.provenance.link(*args, **kwargs)
    assert info.value.field == field
    assert db.query("SELECT count(*) AS n FROM provenance_links")[0]["n"] == 0
