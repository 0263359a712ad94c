"""Push and pull between local stores and a real PostgreSQL authority: what flows, the merge
rules, incremental cursors, read-only queries and the declared-authority rules."""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg
import pytest
from sync_state import authority_state, local_state

import cortexdb
from cortexdb.errors import AuthorityError, ReadOnlyError, ValidationError
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


def test_push_then_pull_carries_the_graph_and_a_second_run_moves_nothing(stores, clock) -> None:  # type: ignore[no-untyped-def]
    a, b = stores("a"), stores("b")
    a.graph.upsert_entity("alice", kind="person", properties={"lang": "en", "n": [1, 2]})
    a.graph.add_observations("alice", ["likes tea", "writes rust"])
    a.graph.upsert_entity("bob", kind="person")
    a.graph.tag("alice", ["friend", "team"])
    a.graph.relate("alice", "knows", "bob", properties={"since": 2020})
    a.graph.add_pattern("retry", "Retry with backoff", "wait, then retry", "solution", tags=["ops"])
    first = a.sync.push()
    assert first.entities == 3 and first.rows > 0 and first.audit_rows > 0
    assert a.sync.push().rows == 0                              # incremental: nothing new, nothing moves
    assert b.sync.pull(batch_size=1).entities == 3              # run after run until none is left
    assert b.sync.pull().rows == 0
    assert a.sync.pull().rows == 0                              # its own push comes back as nothing
    assert local_state(a) == local_state(b) == authority_state(a)
    assert b.graph.get_pattern("retry").title == "Retry with backoff"
    assert [h.entity.name for h in b.graph.search("rust")] == ["alice"]  # local full-text index is fed
    status = b.sync.status()
    assert status.pending_push == 0 and status.pulled_seq == status.authority_seq > 0


def test_a_sync_with_nothing_to_do_asks_the_authority_once(stores, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A push and a pull with nothing new: no statement for the push, one for both pull cursors."""
    a = stores("a")
    a.graph.upsert_entity("alice", kind="person")
    a.provenance.link("file", "a.py", "conversation", "c-1", "generated")
    a.sync.push()
    a.sync.pull()
    conn, _state = a.sync._connection()
    sent: list[str] = []
    real = type(conn).execute
    monkeypatch.setattr(type(conn), "execute", lambda self, query, *args, **kw: sent.append(str(query)) or
                        real(self, query, *args, **kw))
    assert a.sync.push().rows == 0 and a.sync.pull().rows == 0
    assert len(sent) == 1 and "sync_entity_changes" in sent[0] and "provenance_links" in sent[0]


def test_writes_during_a_push_in_small_batches_are_sent_before_it_ends(stores, clock) -> None:  # type: ignore[no-untyped-def]
    a, b = stores("a"), stores("b")
    a.graph.upsert_entities([{"name": f"e{i}", "kind": "thing", "observations": [f"fact {i}"]} for i in range(10)])
    a.graph.relate_many([{"source": f"e{i}", "relation_type": "next", "target": f"e{i + 1}"} for i in range(9)])
    calls: list[int] = []

    def write_between_batches(done: int, _total: int) -> None:   # runs after a batch is confirmed
        calls.append(done)
        if len(calls) == 1:
            clock.advance(1)
            a.graph.upsert_entity("e0", kind="changed")         # re-marks an entity already sent
            a.graph.upsert_entity("late", kind="thing")         # marks a new one mid-push

    report = a.sync.push(batch_size=3, progress=write_between_batches)
    assert report.entities == 10 + 2 and len(calls) == report.batches
    assert a.sync.status().pending_push == 0
    assert b.sync.pull().entities == 11
    assert local_state(a) == local_state(b) == authority_state(a)
    assert b.graph.get_entity("e0").kind == "changed"


def test_a_store_that_declares_an_authority_late_pushes_what_it_already_held(tmp_path: Path, pg_url: str) -> None:
    with cortexdb.open(tmp_path / "s") as db:                 # no authority yet: no change tracking
        db.graph.upsert_entity("alice", kind="person")
        db.graph.add_observations("alice", ["was here first"])
    with cortexdb.open(tmp_path / "s", authority=pg_url) as db:
        assert db.sync.push().entities == 1
        assert local_state(db) == authority_state(db)


def test_changes_made_while_the_authority_is_not_declared_are_pushed_later(tmp_path: Path, pg_url: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CORTEXDB_AUTHORITY", raising=False)
    with cortexdb.open(tmp_path / "s", authority=pg_url) as db:
        db.graph.upsert_entity("alice", kind="person")
        db.sync.push()
    with cortexdb.open(tmp_path / "s") as db:                 # offline: nothing contacted, changes still marked
        db.graph.add_observations("alice", ["met bob"])
        db.graph.upsert_entity("bob", kind="person")
    with cortexdb.open(tmp_path / "s", authority=pg_url) as db:
        assert db.sync.push().entities == 2
        assert local_state(db) == authority_state(db)


def test_properties_follow_the_last_writer_and_observations_are_a_union(stores, clock) -> None:  # type: ignore[no-untyped-def]
    a, b = stores("a"), stores("b")
    a.graph.upsert_entity("svc", kind="service", properties={"owner": "a"})
    a.sync.push()
    b.sync.pull()
    clock.advance(1)
    b.graph.upsert_entity("svc", kind="service", properties={"owner": "b"})
    b.graph.add_observations("svc", ["seen by b"])
    clock.advance(1)
    a.graph.upsert_entity("svc", kind="service", properties={"owner": "a2"})   # later: wins
    a.graph.add_observations("svc", ["seen by a"])
    b.sync.push()
    a.sync.push()
    a.sync.pull()
    b.sync.pull()
    for db in (a, b):
        entity = db.graph.get_entity("svc")
        assert entity.properties == {"owner": "a2"}
        assert sorted(entity.observations) == ["seen by a", "seen by b"]
    assert local_state(a) == local_state(b) == authority_state(a)


def test_deletions_travel_as_tombstones_and_a_later_write_survives_them(stores, clock) -> None:  # type: ignore[no-untyped-def]
    a, b = stores("a"), stores("b")
    a.graph.upsert_entity("x", kind="thing")
    a.graph.upsert_entity("y", kind="thing")
    a.graph.add_observations("x", ["one", "two"])
    a.graph.tag("x", ["t1", "t2"])
    a.sync.push()
    b.sync.pull()
    clock.advance(1)
    b.graph.delete_entity("y")
    b.graph.remove_observations("x", ["one"])
    b.graph.untag("x", ["t1"])
    b.sync.push()
    a.sync.pull()
    assert [e.name for e in a.graph.find(kind="thing")] == ["x"]
    assert a.graph.get_entity("x").observations == ("two",) and a.graph.get_entity("x").tags == ("t2",)
    clock.advance(1)
    a.graph.add_observations("x", ["one"])                      # re-added after the removal: it stays
    a.sync.push()
    b.sync.pull()
    assert sorted(b.graph.get_entity("x").observations) == ["one", "two"]
    assert local_state(a) == local_state(b) == authority_state(a)


def test_a_removal_pushed_then_a_recreation_in_the_same_millisecond_converges(stores, clock) -> None:  # type: ignore[no-untyped-def]
    """a writes x, pushes, removes x, pushes, then re-creates x and relates it, all within one
    millisecond of the store clock (the clock does not move): the removal's time is the removed
    version's, so times alone cannot order the two, yet the re-creation came after the removal and
    must stand on the authority and in every store, with its observation and relation."""
    a, b = stores("a"), stores("b")
    a.graph.upsert_entity("x", kind="thing", observations=["old"])
    a.graph.upsert_entity("y", kind="thing")
    a.graph.relate("x", "uses", "y")
    a.sync.push()
    b.sync.pull()
    a.graph.delete_entity("x")
    a.sync.push()
    a.graph.upsert_entity("x", kind="thing", properties={"v": 2}, observations=["new"])   # same millisecond
    a.graph.relate("x", "uses", "y")
    a.sync.push()
    b.sync.pull()
    assert local_state(a) == local_state(b) == authority_state(a)
    assert [r[1:4] for r in local_state(a)["relations"]] == [("x", "uses", "y")]
    assert local_state(a)["observations"] == [("default", "x", "new")]


def test_a_pull_before_pushing_a_removal_does_not_bring_back_what_the_remover_saw(stores, clock) -> None:  # type: ignore[no-untyped-def]
    """b removes x, then pulls a's later write of x before pushing the removal: x stays (a later
    write survives), but the observation and relation b saw go, here as on the authority."""
    a, b = stores("a"), stores("b")
    a.graph.upsert_entity("x", kind="thing", observations=["seen"])
    a.graph.upsert_entity("y", kind="thing")
    a.graph.relate("y", "uses", "x")
    a.sync.push()
    b.sync.pull()
    clock.advance(1)
    b.graph.delete_entity("x")
    clock.advance(1)
    a.graph.upsert_entity("x", kind="thing", properties={"v": 2})
    a.sync.push()
    b.sync.pull()                                                # before b pushes its removal
    assert b.graph.get_entity("x", touch=False).observations == ()
    assert b.execute("SELECT count(*) FROM tier2.graph_relations")[0][0] == 0
    b.sync.push()
    a.sync.pull()
    assert local_state(a) == local_state(b) == authority_state(a)
    assert local_state(a)["observations"] == [] and local_state(a)["relations"] == []


def test_relations_keep_their_bitemporal_history_across_stores(stores, clock) -> None:  # type: ignore[no-untyped-def]
    a, b = stores("a"), stores("b")
    for db in (a, b):
        db.graph.upsert_entity("svc", kind="service")
        db.graph.upsert_entity("db1", kind="database")
    a.graph.relate("svc", "uses", "db1", properties={"via": "a"})
    clock.advance(2)
    b.graph.relate("svc", "uses", "db1", properties={"via": "b"})   # a later fact from another store
    a.sync.push()
    b.sync.push()
    a.sync.pull()
    b.sync.pull()
    for db in (a, b):
        history = db.graph.relations("svc", direction="out", include_ended=True)
        assert [(r.properties, r.valid_to is None) for r in sorted(history, key=lambda r: r.valid_from)] == [
            ({"via": "a"}, False), ({"via": "b"}, True)]
    clock.advance(1)
    b.graph.unrelate("svc", "uses", "db1")
    b.sync.push()
    a.sync.pull()
    assert a.execute("SELECT count(*) FROM tier2.graph_relations WHERE valid_to IS NULL")[0][0] == 0
    assert local_state(a) == local_state(b) == authority_state(a)


def test_query_is_read_only_on_the_authority(stores) -> None:  # type: ignore[no-untyped-def]
    a = stores("a")
    a.graph.upsert_entity("alice", kind="person", properties={"lang": "en"})
    a.sync.push()
    rows = a.sync.query("SELECT name FROM graph_entities WHERE properties @> %s::jsonb", ['{"lang": "en"}'])
    assert rows == [{"name": "alice"}]
    with pytest.raises(ReadOnlyError):
        a.sync.query("DELETE FROM graph_entities")
    assert a.sync.query("SELECT count(*) AS n FROM graph_entities") == [{"n": 1}]
    with pytest.raises(ValidationError, match="sql"):
        a.sync.query("")
    hits = a.sync.query("SELECT name FROM graph_entities WHERE to_tsvector('english', name || ' ' || kind || ' ' || "
                        "body) @@ plainto_tsquery('english', 'persons')")
    assert hits == [{"name": "alice"}]                           # the graph's full-text expression, stemmed


def test_no_authority_declared_means_nothing_is_contacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CORTEXDB_AUTHORITY", raising=False)
    monkeypatch.setitem(sys.modules, "psycopg", None)           # any connection attempt would fail loudly
    with cortexdb.open(tmp_path / "s") as db:
        db.graph.upsert_entity("alice", kind="person")
        with pytest.raises(AuthorityError, match="no authority is declared"):
            db.sync.push()
        with pytest.raises(AuthorityError, match="nothing was contacted"):
            db.sync.status()
        assert "sync" not in db.modules


def test_a_url_reaching_another_authority_is_refused(tmp_path: Path, pg_url: str) -> None:
    other = pg_url + "_other"
    admin = psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{other.rsplit("/", 1)[1]}"')
    try:
        with cortexdb.open(tmp_path / "s", authority=pg_url) as db:
            db.graph.upsert_entity("alice", kind="person")
            db.sync.push()
        with cortexdb.open(tmp_path / "s", authority=other) as db, \
                pytest.raises(AuthorityError, match="contradicts the declared authority"):
            db.sync.push()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{other.rsplit("/", 1)[1]}" WITH (FORCE)')
        admin.close()


def test_a_replica_authority_never_takes_a_push(tmp_path: Path, pg_url: str) -> None:
    with cortexdb.open(tmp_path / "s", authority=pg_url) as db:
        db.graph.upsert_entity("alice", kind="person")
        db.sync.push()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE cortexdb_authority SET declared_role = 'replica'")
    with cortexdb.open(tmp_path / "s", authority=pg_url, authority_role="replica") as db:
        db.graph.upsert_entity("bob", kind="person")
        with pytest.raises(AuthorityError, match="replica authority and never takes writes"):
            db.sync.push()
        assert db.sync.pull().rows == 0                          # reading from a replica is fine
    with cortexdb.open(tmp_path / "s", authority=pg_url, authority_role="staging") as db, \
            pytest.raises(AuthorityError, match="recorded as a 'replica' authority but was opened with role 'staging'"):
        db.sync.push()


def test_a_dropped_authority_connection_is_opened_again_on_the_next_call(stores, pg_url: str) -> None:  # type: ignore[no-untyped-def]
    a = stores("a")
    a.graph.upsert_entity("alice", kind="person")
    assert a.sync.push().entities == 1
    pid = a.sync.query("SELECT pg_backend_pid() AS pid")[0]["pid"]
    with psycopg.connect(pg_url, autocommit=True) as admin:   # the server drops the store's session
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
    a.graph.upsert_entity("bob", kind="person")
    with pytest.raises(cortexdb.CortexError) as info:         # the call that meets the broken session fails cleanly
        a.sync.push()
    assert "terminating connection" in str(info.value)
    assert a.sync.push().entities == 1                        # and the next one reconnects
    assert a.sync.query("SELECT pg_backend_pid() AS pid")[0]["pid"] != pid
    assert local_state(a) == authority_state(a)
