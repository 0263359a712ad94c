"""Provenance links and workspace discoveries travel by their stable keys; the archive (tier 3)
is pushed per source store. Incremental, idempotent, with the documented conflict rules."""

from __future__ import annotations

from pathlib import Path

import apsw
import psycopg
import pytest
from sync_state import authority_side_state, local_side_state

import cortexdb
from cortexdb import authority, migrations
from cortexdb.graph.compat import KnowledgeGraph
from cortexdb.sync import AUTHORITY_MODULES, pg_schema
from cortexdb.sync.push import ZERO_UUID

ROOT = Path(__file__).resolve().parents[2]


def _open(tmp_path: Path, name: str, url: str, clock: cortexdb.ManualClock | None = None) -> cortexdb.Store:
    return cortexdb.open(tmp_path / name, authority=url, clock=clock or cortexdb.ManualClock())


def test_links_map_entity_ends_to_each_stores_own_ids(tmp_path: Path, pg_url: str) -> None:
    a, b = _open(tmp_path, "a", pg_url), _open(tmp_path, "b", pg_url)
    try:
        b.graph.upsert_entities([{"name": f"local{i}", "kind": "thing"} for i in range(5)])   # b's ids differ
        auth = a.graph.upsert_entity("auth", kind="pattern-ish")
        a.provenance.link("pattern", str(auth.id), "conversation", "c-1", "generated", confidence=0.9)
        a.provenance.link("file", "login.ts", "entity", str(auth.id), "referenced")
        a.provenance.link("file", "login.ts", "file", "auth.ts", "updated")
        first = a.sync.push()
        assert first.side_rows == 3
        assert a.sync.push().rows == 0                          # incremental: nothing new, nothing sent
        b.sync.pull()
        local_auth = b.graph.get_entity("auth", touch=False).id
        assert local_auth != auth.id
        assert {(s.type, s.ref) for s in b.provenance.lineage("file", "login.ts")} >= {("entity", str(local_auth)),
                                                                                      ("file", "auth.ts")}
        assert [(s.type, s.ref) for s in b.provenance.lineage("pattern", str(local_auth))] == [("conversation", "c-1")]
        assert b.sync.pull().rows == 0
        assert local_side_state(a)["links"] == local_side_state(b)["links"] == authority_side_state(a)["links"]
        authority_ref = a.sync.query("SELECT g.id::text AS id FROM graph_entities g WHERE g.name = 'auth'")[0]["id"]
        assert {r["source_ref"] for r in a.sync.query(
            "SELECT source_ref FROM provenance_links WHERE source_type = 'pattern'")} == {authority_ref}
        b.sync.push()
        assert b.sync.status().pending_side == 0 and a.sync.pull().side_rows == 0    # nothing echoes back
    finally:
        a.close()
        b.close()


def test_a_link_to_an_entity_not_held_here_waits_for_it(tmp_path: Path, pg_url: str) -> None:
    a, b = _open(tmp_path, "a", pg_url), _open(tmp_path, "b", pg_url)
    try:
        a.graph.upsert_entity("svc", kind="service")
        a.sync.push()
        b.sync.pull()
        b.graph.delete_entity("svc")                           # b removed it and has not pushed that yet
        svc = a.graph.get_entity("svc", touch=False)
        a.provenance.link("file", "svc.py", "entity", str(svc.id), "generated")
        a.sync.push()
        b.sync.pull()
        assert b.execute("SELECT count(*) FROM tier2.provenance_links")[0][0] == 0
        assert b.sync.status().pending_links == 1
        again = b.graph.upsert_entity("svc", kind="service")
        b.sync.pull()                                          # nothing new, but the waiting link lands
        assert b.sync.status().pending_links == 0
        assert [(s.type, s.ref) for s in b.provenance.lineage("file", "svc.py")] == [("entity", str(again.id))]
    finally:
        a.close()
        b.close()


def test_pattern_workspace_links_travel_by_stable_keys(tmp_path: Path, pg_url: str) -> None:
    """A pattern -> discovery link lands as each store's own ids (the pattern's and the
    discovery's differ between stores), once (a union), and waits where a side is missing."""
    a, b, c = (_open(tmp_path, n, pg_url) for n in "abc")
    try:
        b.graph.upsert_entities([{"name": f"local{i}", "kind": "thing"} for i in range(3)])     # b's ids differ
        b.workspace.record_api(api_type="rest", base_url="http://other")
        b.sync.push()
        pattern = a.graph.add_pattern("retry", "Retry with backoff", "wait, then retry", "solution")
        api = a.workspace.record_api(api_type="rest", base_url="http://api", endpoints=["/x"])
        db = a.workspace.record_database(database_type="postgresql", connection_string="pg://h", host="h",
                                         port=5432, database_name="app")
        graph = KnowledgeGraph(a)
        graph.add_relationship(pattern.id, "uses_api", api["id"], "workspace_api")
        graph.add_relationship(pattern.id, "uses_database", db["id"], "workspace_database")
        assert a.sync.push().side_rows == 4                    # two discoveries, two links
        assert a.sync.push().rows == 0
        assert b.sync.pull().side_rows == 4
        assert local_side_state(b) == authority_side_state(a)
        assert len(local_side_state(b)["workspace_links"]) == 2
        b_api = b.execute("SELECT id FROM tier2.workspace_apis WHERE base_url = 'http://api'")[0][0]
        assert b.execute("SELECT subject_pattern_id, object_entity_id FROM tier2.graph_workspace_links "
                         "WHERE object_entity_type = 'workspace_api'") == [(b.graph.get_pattern("retry").id, b_api)]
        assert b_api != api["id"]
        KnowledgeGraph(b).add_relationship(b.graph.get_pattern("retry").id, "uses_api", b_api, "workspace_api")
        assert b.sync.push().side_rows == 0                    # it already held that link: nothing new
        KnowledgeGraph(b).add_relationship(b.graph.get_pattern("retry").id, "documents", b_api, "workspace_api")
        b.sync.push()                                          # a second link from b: a union on the authority
        a.sync.pull()
        c.sync.pull()
        assert local_side_state(a) == local_side_state(b) == local_side_state(c) == authority_side_state(a)
        assert len(local_side_state(c)["workspace_links"]) == 3
    finally:
        for store in (a, b, c):
            store.close()


def test_a_store_upgraded_to_syncing_workspace_links_pushes_the_ones_it_held(tmp_path: Path, pg_url: str) -> None:
    """A syncing store as the previous cortexdb left it (sync tier2 0001-0002: no workspace-link
    trigger, the links it holds unmarked) upgrades at open and pushes the links it already held."""
    a = _open(tmp_path, "a", pg_url)
    pattern = a.graph.add_pattern("retry", "Retry", "wait, then retry", "solution")
    api = a.workspace.record_api(api_type="rest", base_url="http://api")
    KnowledgeGraph(a).add_relationship(pattern.id, "uses_api", api["id"], "workspace_api")
    a.close()
    migration = ROOT / "schema" / "sync" / "tier2" / "0003_workspace_links.sql"
    down = migrations.split_file(migration.read_text())[1]
    conn = apsw.Connection(str(tmp_path / "a" / "tier2.db"))
    with conn:                                                   # back to before the migration
        conn.execute(down)
        conn.execute(f"DELETE FROM {migrations.LEDGER} WHERE module = 'sync' AND version = 3")
        conn.execute("PRAGMA user_version = 0")
    conn.close()
    a = _open(tmp_path, "a", pg_url)
    try:
        assert a.execute(f"SELECT count(*) FROM tier2.{migrations.LEDGER} WHERE module = 'sync' AND version = 3") \
            == [(1,)]
        assert a.sync.push().side_rows == 2                    # the discovery and the link it held
        assert len(authority_side_state(a)["workspace_links"]) == 1
        assert local_side_state(a) == authority_side_state(a)
    finally:
        a.close()


def test_a_pulled_workspace_link_waits_for_its_pattern(tmp_path: Path, pg_url: str) -> None:
    a, b = _open(tmp_path, "a", pg_url), _open(tmp_path, "b", pg_url)
    try:
        pattern = a.graph.add_pattern("cache", "Cache reads", "memoize", "solution")
        api = a.workspace.record_api(api_type="rest", base_url="http://api")
        KnowledgeGraph(a).add_relationship(pattern.id, "uses_api", api["id"], "workspace_api")
        a.sync.push()
        b.sync.pull()
        b.graph.delete_entity("cache")                         # removed here, not pushed: the link waits
        a.graph.upsert_entity("other", kind="thing")
        a.sync.push()
        b.execute("UPDATE tier2.sync_side_state SET pulled_seq = 0")
        b.sync.pull()
        assert b.execute("SELECT count(*) FROM tier2.graph_workspace_links")[0][0] == 0
        assert b.sync.status().pending_links == 1
        b.graph.add_pattern("cache", "Cache reads", "memoize", "solution")
        b.sync.pull()                                          # nothing new, but the waiting link lands
        assert b.sync.status().pending_links == 0
        assert b.execute("SELECT count(*) FROM tier2.graph_workspace_links")[0][0] == 1
    finally:
        a.close()
        b.close()


def test_discoveries_last_verification_wins_and_stale_marks_travel(tmp_path: Path, pg_url: str) -> None:
    clock = cortexdb.ManualClock()
    a, b = _open(tmp_path, "a", pg_url, clock), _open(tmp_path, "b", pg_url, clock)
    try:
        a.workspace.record_database(database_type="postgresql", connection_string="pg://old", host="db", port=5432,
                                    database_name="app", schemas=["public"])
        clock.advance(10)
        b.workspace.record_database(database_type="postgresql", connection_string="pg://new", host="db", port=5432,
                                    database_name="app", metadata={"version": "15"})
        b.workspace.record_api(api_type="rest", base_url="http://api")
        a.workspace.record_framework(framework_type="flask")          # config_location NULL: part of the key
        b.sync.push()
        a.sync.push()                                                 # a's earlier verification loses
        a.sync.pull()
        b.sync.pull()
        for db in (a, b):
            (row,) = db.workspace.query_discovered_databases("postgresql")
            assert row["connection_string"] == "pg://new" and row["metadata"] == {"version": "15"}
            assert len(db.workspace.query_discovered_frameworks()) == 1
        assert local_side_state(a) == local_side_state(b) == authority_side_state(a)
        clock.advance(100)
        assert a.workspace.mark_stale(50) == 3                        # marked after the last verification
        a.sync.push()
        b.sync.pull()
        assert len(b.workspace.stale()) == 3 and b.workspace.query_discovered_apis() == []
        clock.advance(1)
        b.workspace.record_api(api_type="rest", base_url="http://api")  # verified again: no longer stale
        b.sync.push()
        a.sync.pull()
        assert [r["base_url"] for r in a.workspace.query_discovered_apis()] == ["http://api"]
        assert local_side_state(a) == local_side_state(b) == authority_side_state(a)
        assert a.sync.push().rows + a.sync.pull().rows + b.sync.push().rows + b.sync.pull().rows == 0
    finally:
        a.close()
        b.close()


def test_same_verification_time_is_broken_by_store_id(tmp_path: Path, pg_url: str) -> None:
    clock = cortexdb.ManualClock()
    a, b = _open(tmp_path, "a", pg_url, clock), _open(tmp_path, "b", pg_url, clock)
    try:
        for db, text in ((a, "from a"), (b, "from b")):
            db.workspace.record_framework(framework_type="django", config_location="app/settings.py", version=text)
        winner = "from a" if a.sync.store_id > b.sync.store_id else "from b"
        for first, second in ((a, b), (b, a)):
            first.sync.push()
            second.sync.pull()                 # before its own push: its own change stands if it wins
        a.sync.push()
        b.sync.push()
        a.sync.pull()
        b.sync.pull()
        for db in (a, b):
            assert db.workspace.query_discovered_frameworks()[0]["version"] == winner
        assert local_side_state(a) == local_side_state(b) == authority_side_state(a)
    finally:
        a.close()
        b.close()


def test_archive_is_pushed_per_store_and_follows_restores(tmp_path: Path, pg_url: str) -> None:
    a, b = _open(tmp_path, "a", pg_url), _open(tmp_path, "b", pg_url)
    try:
        for db in (a, b):                      # the same local keys in both stores: kept apart by store
            for i in range(3):
                db.provenance.link("file", f"f{i}.py", "conversation", "c-1", "generated")
            db.graph.upsert_entity("old", kind="thing", observations=["was here"], tags=["legacy"])
            db.archive.move("provenance_links", [1, 2, 3])
            db.archive.move("graph_nodes", [db.graph.get_entity("old", touch=False).uuid])
        assert a.sync.status().pending_archive > 0
        report = a.sync.push()
        assert report.archive_rows == a.execute("SELECT (SELECT count(*) FROM tier3.archived_provenance_links) + "
                                                "(SELECT count(*) FROM tier3.archived_graph_entities) + "
                                                "(SELECT count(*) FROM tier3.archived_graph_observations) + "
                                                "(SELECT count(*) FROM tier3.archived_graph_tags)")[0][0] == 6
        b.sync.push()
        assert a.sync.push().rows == 0 and a.sync.status().pending_archive == 0
        count = "SELECT sync_store_id::text AS s, count(*) AS n FROM archived_provenance_links GROUP BY 1 ORDER BY 1"
        assert a.sync.query(count) == sorted([{"s": a.sync.store_id, "n": 3}, {"s": b.sync.store_id, "n": 3}],
                                             key=lambda r: r["s"])
        landed = a.sync.query("SELECT replace(uuid::text, '-', '') AS uuid, source_ref FROM archived_provenance_links "
                              "WHERE sync_store_id = %s ORDER BY id", [a.sync.store_id])
        assert [(r["uuid"], r["source_ref"]) for r in landed] == [tuple(r) for r in a.execute(
            "SELECT uuid, source_ref FROM tier3.archived_provenance_links ORDER BY id")]
        assert a.sync.query("SELECT content FROM archived_graph_observations WHERE sync_store_id = %s",
                            [a.sync.store_id]) == [{"content": "was here"}]
        a.archive.restore("provenance_links", [2])
        a.sync.push()
        assert a.sync.query(count)[[r["s"] for r in a.sync.query(count)].index(a.sync.store_id)]["n"] == 2
        assert b.sync.pull().side_rows == 1                     # the restored link is live again, so it flows
    finally:
        a.close()
        b.close()


def test_a_push_killed_between_the_two_commits_resends_without_duplicates(tmp_path: Path, pg_url: str) -> None:
    """The authority committed, the local marks and archive log were not cleared: re-sending is a no-op."""
    a = _open(tmp_path, "a", pg_url)
    try:
        a.provenance.link("file", "x.py", "conversation", "c-1", "generated")
        a.workspace.record_api(api_type="grpc", base_url="grpc://x")
        a.archive.move("provenance_links", [1])
        a.provenance.link("file", "y.py", "conversation", "c-1", "generated")
        with a.transaction():
            saved_marks = a.execute("SELECT table_name, row_key, seq FROM tier2.sync_side_dirty")
            saved_log = a.execute("SELECT seq, table_name, row_key, removed FROM tier3.sync_archive_log")
        a.sync.push()
        with a.transaction():
            a.conn.executemany("INSERT INTO tier2.sync_side_dirty VALUES (?, ?, ?)", saved_marks)
            a.conn.executemany("INSERT INTO tier3.sync_archive_log VALUES (?, ?, ?, ?)", saved_log)
        before = a.sync.query("SELECT max(sync_seq) AS seq FROM provenance_links")[0]["seq"]
        a.sync.push()
        assert a.sync.query("SELECT max(sync_seq) AS seq FROM provenance_links")[0]["seq"] == before
        with psycopg.connect(pg_url) as conn:
            assert conn.execute("SELECT count(*) FROM provenance_links").fetchone()[0] == 1
            assert conn.execute("SELECT count(*) FROM workspace_apis").fetchone()[0] == 1
            assert conn.execute("SELECT count(*) FROM archived_provenance_links").fetchone()[0] == 1
        assert local_side_state(a) == authority_side_state(a)
    finally:
        a.close()


def test_a_store_that_declares_an_authority_late_pushes_its_links_discoveries_and_archive(tmp_path: Path,
                                                                                         pg_url: str) -> None:
    with cortexdb.open(tmp_path / "a") as offline:                  # no sync module yet
        for i in range(4):
            offline.provenance.link("file", f"f{i}.py", "conversation", "c-1", "generated")
        database = offline.workspace.record_database(database_type="sqlite", connection_string="file:a.db")
        offline.workspace.record_api(api_type="rest", base_url="http://a")
        pattern = offline.graph.add_pattern("retry", "Retry", "wait, then retry", "solution")
        KnowledgeGraph(offline).add_relationship(pattern.id, "uses", database["id"], "workspace_database")
        offline.archive.move("provenance_links", [1])
        offline.archive.move("workspace_apis", [1])
    a = _open(tmp_path, "a", pg_url)
    try:
        status = a.sync.status()
        assert (status.pending_side, status.pending_archive) == (5, 2)  # the live rows; the archived ones
        assert a.sync.push(batch_size=1).side_rows == 5        # all marked alike: the link still goes last
        assert local_side_state(a) == authority_side_state(a)
        assert len(local_side_state(a)["workspace_links"]) == 1
        assert a.sync.query("SELECT count(*) AS n FROM archived_workspace_apis")[0]["n"] == 1
        assert a.sync.push().rows == 0
    finally:
        a.close()


def test_an_authority_holding_links_discoveries_and_archives_upgrades_to_keyed_tables(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    declaration = authority.AuthorityDeclaration(pg_url, "staging", False)
    real = pg_schema.plan
    added = {("cortex", 4), ("sync", 2)}
    monkeypatch.setattr(pg_schema, "plan", lambda modules, roots=None: [
        m for m in real(modules, roots) if (m.module, m.version) not in added])
    with psycopg.connect(pg_url, autocommit=True) as conn:
        pg_schema.upgrade(conn, declaration, AUTHORITY_MODULES)
        for i in range(3):
            conn.execute("INSERT INTO provenance_links (source_type, source_ref, target_type, target_ref, relation) "
                         "VALUES ('file', %s, 'conversation', 'c', 'generated')", (f"f{i}",))
        conn.execute("INSERT INTO workspace_apis (api_type, base_url, discovered_at) VALUES ('rest', 'http://a', 1)")
        conn.execute("INSERT INTO archived_messages (id, conversation_id, role, content, archived_at) "
                     "VALUES (1, 'c', 'user', 'hi', now())")
        monkeypatch.undo()
        state = pg_schema.upgrade(conn, declaration, AUTHORITY_MODULES)
        assert state.applied == ["cortex/postgres/0004_provenance_workspace_keys.sql",
                                 "sync/postgres/0002_side_tables_archive.sql"]
        assert conn.execute("SELECT count(DISTINCT uuid) FROM provenance_links").fetchone()[0] == 3
        assert conn.execute("SELECT sync_store_id::text FROM archived_messages").fetchone()[0] == ZERO_UUID
        conn.execute("INSERT INTO archived_messages (sync_store_id, id, conversation_id, role, content, archived_at) "
                     "VALUES (gen_random_uuid(), 1, 'c', 'user', 'same id, another store', now())")
        conn.execute("INSERT INTO workspace_frameworks (framework_type, discovered_at) VALUES ('flask', 1)")
        with pytest.raises(psycopg.errors.UniqueViolation):       # NULL config_location: one discovery
            conn.execute("INSERT INTO workspace_frameworks (framework_type, discovered_at) VALUES ('flask', 2)")
