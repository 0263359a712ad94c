"""The first-push path: entities the authority has never seen land directly, and every case where
that would bend a rule (a tombstone, a uuid held under another key, a target removed on the
authority, a bare target another store's state is newer than) still ends as the merge rules say.
Concurrent first pushes of the same entities from two stores converge."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
from sync_state import authority_state, local_state

import cortexdb
from cortexdb.store import Store


@pytest.fixture
def clock() -> cortexdb.ManualClock:
    return cortexdb.ManualClock()


@pytest.fixture
def stores(tmp_path: Path, pg_url: str, clock: cortexdb.ManualClock):  # type: ignore[no-untyped-def]
    opened: list[Store] = []

    def make(name: str) -> Store:
        db = cortexdb.open(tmp_path / name, authority=pg_url, clock=clock)
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.close()


def _authority(db: Store, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r.values()) for r in db.sync.query(sql)]


def _numbered_once(db: Store) -> None:
    """Every entity a push numbered has one change row, and nothing landed twice."""
    assert _authority(db, "SELECT count(*) FROM sync_entity_changes c LEFT JOIN graph_entities g ON g.id = c.entity_id "
                          "WHERE g.id IS NULL") == [(0,)]
    assert _authority(db, "SELECT count(*) - count(DISTINCT (entity_id, content)) FROM graph_observations") == [(0,)]
    assert _authority(db, "SELECT count(*) - count(DISTINCT uuid) FROM graph_relations") == [(0,)]


def test_a_first_push_lands_directly_and_is_its_stores_echo(stores) -> None:  # type: ignore[no-untyped-def]
    a, b = stores("a"), stores("b")
    a.graph.upsert_entities([{"name": f"e{i}", "kind": "thing", "properties": {"i": i},
                              "observations": [f"fact {i}", f"more {i}"]} for i in range(7)])
    a.graph.relate_many([{"source": f"e{i}", "relation_type": "next", "target": f"e{i + 1}"} for i in range(6)])
    a.graph.tag("e0", ["first"])
    a.graph.add_pattern("retry", "Retry", "wait, then retry", "solution", tags=["ops"])
    report = a.sync.push(batch_size=3)              # relation targets in later batches land bare, then adopted
    assert report.entities == 8
    assert _authority(a, "SELECT count(*) FROM graph_entities WHERE sync_store_id IS NULL") == [(0,)]
    assert _authority(a, "SELECT count(*) AS n, count(DISTINCT sync_seq) AS seqs FROM sync_entity_changes "
                         f"WHERE sync_echo = '{a.sync.store_id}'") == [(8, 8)]
    assert a.sync.pull().rows == 0                  # all of it is the store's own echo
    assert b.sync.pull().entities == 8
    assert local_state(a) == local_state(b) == authority_state(a)
    _numbered_once(a)


def test_an_entity_the_authority_removed_takes_the_merge_rules(stores, clock) -> None:  # type: ignore[no-untyped-def]
    a, b, c = stores("a"), stores("b"), stores("c")
    for name in ("gone", "gone2", "kept"):
        a.graph.upsert_entity(name, kind="thing")
    a.graph.add_observations("kept", ["old fact"])
    a.sync.push()
    b.sync.pull()
    b.graph.relate("kept", "mentions", "gone")      # recorded before the removal below
    c.graph.upsert_entity("gone", kind="early")     # c never pulls before pushing: these look new to it,
    c.graph.upsert_entity("gone2", kind="early")    # but they are no later than the removal
    clock.advance(1)
    a.graph.delete_entity("gone")
    a.graph.delete_entity("gone2")
    a.graph.remove_observations("kept", ["old fact"])
    a.sync.push()                                   # tombstones on the authority
    b.sync.push()                                   # the relation to a removed entity is refused
    clock.advance(1)
    c.graph.upsert_entity("gone", kind="back")      # later than the removal: it survives
    c.graph.upsert_entity("kept", kind="thing")
    c.graph.add_observations("kept", ["old fact"])  # re-added after the removal: it stays
    c.sync.push()
    for db in (a, b, c):
        db.sync.pull()
    assert sorted((e.name, e.kind) for e in a.graph.find()) == [("gone", "back"), ("kept", "thing")]
    assert a.graph.get_entity("kept").observations == ("old fact",)
    assert local_state(a) == local_state(b) == local_state(c) == authority_state(a)
    _numbered_once(a)


def test_a_bare_target_newer_than_the_pushed_state_is_not_overwritten(stores, clock) -> None:  # type: ignore[no-untyped-def]
    a, b = stores("a"), stores("b")
    a.graph.upsert_entity("svc", kind="old-view")
    clock.advance(1)
    b.graph.upsert_entity("app", kind="thing")
    b.graph.upsert_entity("svc", kind="new-view")
    b.graph.relate("app", "uses", "svc")
    b.graph.upsert_entity("svc", kind="new-view", properties={"v": 2})   # marks svc after app

    def stop_after_the_first_batch(_done: int, _total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        b.sync.push(batch_size=1, progress=stop_after_the_first_batch)
    assert _authority(b, "SELECT kind, sync_store_id FROM graph_entities WHERE name = 'svc'") == [("new-view", None)]
    a.sync.push()                                   # older than the bare target b's relation left: it loses
    assert _authority(a, "SELECT kind, sync_store_id FROM graph_entities WHERE name = 'svc'") == [("new-view", None)]
    b.sync.push()
    for db in (a, b):
        db.sync.pull()
    assert a.graph.get_entity("svc").properties == {"v": 2}
    assert local_state(a) == local_state(b) == authority_state(a)


def test_a_bare_target_is_adopted_by_its_own_later_push(stores, clock) -> None:  # type: ignore[no-untyped-def]
    a, b = stores("a"), stores("b")
    a.graph.upsert_entity("x", kind="thing")
    a.graph.upsert_entity("y", kind="thing")
    a.graph.relate("x", "next", "y")
    clock.advance(1)
    a.graph.upsert_entity("y", kind="changed", properties={"v": 2})
    a.graph.add_observations("y", ["y fact"])       # marks: x, then y: x lands first with y bare
    a.sync.push(batch_size=1)
    assert _authority(a, "SELECT kind, sync_store_id::text FROM graph_entities WHERE name = 'y'") == [
        ("changed", a.sync.store_id)]
    assert a.sync.pull().rows == 0
    b.sync.pull()
    assert b.graph.get_entity("y").observations == ("y fact",)
    assert local_state(a) == local_state(b) == authority_state(a)


def test_a_uuid_the_authority_holds_under_another_name_is_not_inserted_twice(stores, clock) -> None:  # type: ignore[no-untyped-def]
    a, b = stores("a"), stores("b")
    a.graph.upsert_entity("before", kind="thing")
    a.sync.push()
    clock.advance(1)
    with a.transaction():                           # a rename keeps the uuid and removes the old name
        a.execute("UPDATE tier2.graph_entities SET name = 'after', updated_at = ? WHERE name = 'before'",
                  (a.timestamp(),))
    a.sync.push()
    b.sync.pull()
    assert [e.name for e in b.graph.find(kind="thing")] == ["after"]
    assert local_state(a) == local_state(b) == authority_state(a)


def test_a_relation_uuid_the_authority_holds_keeps_a_new_entity_off_the_direct_path(stores) -> None:  # type: ignore[no-untyped-def]
    a = stores("a")
    a.graph.upsert_entity("x", kind="thing")
    a.graph.upsert_entity("y", kind="thing")
    relation = a.graph.relate("x", "next", "y")
    a.sync.push()
    a.graph.upsert_entity("z", kind="thing")
    with a.transaction():                           # moved by hand: the relation's uuid now has a new source
        a.execute("UPDATE tier2.graph_relations SET source_id = (SELECT id FROM tier2.graph_entities WHERE name = 'z')")
    assert a.sync.push().entities == 1              # merged by uuid (already held), not inserted twice
    assert _authority(a, "SELECT s.name FROM graph_relations r JOIN graph_entities s ON s.id = r.source_id "
                         f"WHERE r.uuid = '{relation.uuid}'") == [("x",)]
    assert _authority(a, "SELECT kind FROM graph_entities WHERE name = 'z'") == [("thing",)]


def _write(db: Store, who: str) -> None:
    db.graph.upsert_entities([{"name": f"shared{i}", "kind": "thing", "properties": {"by": who},
                               "observations": [f"{who} saw {i}", "common"]} for i in range(40)]
                             + [{"name": f"{who}{i}", "kind": "own"} for i in range(10)])
    db.graph.relate_many([{"source": f"shared{i}", "relation_type": f"{who}-next", "target": f"shared{i + 1}"}
                          for i in range(39)] + [{"source": f"{who}{i}", "relation_type": "about",
                                                  "target": f"shared{i}"} for i in range(10)])
    db.graph.tag("shared0", [who])


@pytest.mark.parametrize("batch_size", [7, 2000])
def test_concurrent_first_pushes_of_the_same_entities_converge(tmp_path: Path, pg_url: str, batch_size: int) -> None:
    clock = cortexdb.ManualClock()
    a = cortexdb.open(tmp_path / "a", authority=pg_url, clock=clock)
    b = cortexdb.open(tmp_path / "b", authority=pg_url, clock=clock)
    try:
        a.sync.status()                             # migrate before the race
        _write(a, "a")
        clock.advance(0.001)
        _write(b, "b")
        start, errors = threading.Barrier(2), []

        def push(db: Store) -> None:
            try:
                start.wait()
                db.sync.push(batch_size=batch_size)
            except BaseException as error:          # reported below
                errors.append(error)

        threads = [threading.Thread(target=push, args=(db,)) for db in (a, b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        for db in (a, b, a):
            db.sync.pull()
        assert local_state(a) == local_state(b) == authority_state(a)
        assert a.graph.get_entity("shared3").properties == {"by": "b"}       # the later writer
        assert sorted(a.graph.get_entity("shared3").observations) == ["a saw 3", "b saw 3", "common"]
        assert len(local_state(a)["entities"]) == 60
        assert len(a.graph.relations("shared3", direction="out")) == 2
        _numbered_once(a)
        with psycopg.connect(pg_url) as conn:
            assert conn.execute("SELECT count(*) FROM sync_entity_changes").fetchone()[0] == 60
    finally:
        a.close()
        b.close()
