"""Property: any interleaving of audited writes, Python events, actor blocks and seals verifies."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cortexdb

OPS = st.lists(st.sampled_from(["insert", "update", "delete", "setting", "event", "actor", "seal", "verify"]),
               min_size=1, max_size=25)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    db = cortexdb.open(tmp_path_factory.mktemp("prop") / "s")
    yield db
    db.close()


def write(db: cortexdb.Store, op: str, n: int) -> None:
    if op == "insert":
        db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, relation) "
                   "VALUES ('file', ?, 'entity', 'E', 'generated')", (f"f{n}",))
    elif op == "update":
        db.execute("UPDATE tier2.provenance_links SET confidence = ? WHERE id = (SELECT max(id) FROM "
                   "tier2.provenance_links)", (n / 100,))
    elif op == "delete":
        db.execute("DELETE FROM tier2.provenance_links WHERE id = (SELECT min(id) FROM tier2.provenance_links)")
    elif op == "setting":
        db.execute("INSERT INTO tier0.governance_settings (key, value, updated_at) VALUES ('k', ?, 'now') "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(n),))
    elif op == "event":
        db.audit.record("tier1", "tasks", row_key=f"t{n}", new={"n": n})


@settings(max_examples=40, deadline=None)
@given(OPS)
def test_any_sequence_verifies_and_positions_stay_contiguous(store: cortexdb.Store, ops: list[str]) -> None:
    db = store
    for n, op in enumerate(ops):
        if op == "seal":
            db.audit.seal()
        elif op == "verify":
            assert db.audit.verify(record=False).ok
        elif op == "actor":
            with db.audit.actor("prop"):
                write(db, "insert", n)
                write(db, "event", n)
        else:
            write(db, op, n)
    report = db.audit.verify(record=False)
    assert report.ok, report.broken()
    assert all(t.sealed == t.unsealed for t in report.tiers)  # found outside the chain, then sealed
    assert all(t.unsealed == 0 for t in db.audit.verify(record=False).tiers)
    assert db.audit.seal() == {}
    for tier in ("tier0", "tier1", "tier2", "tier3"):
        positions = [e.position for e in db.audit.log(tier=tier, limit=100_000)]
        assert positions == list(range(1, len(positions) + 1))
