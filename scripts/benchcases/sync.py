"""Sync with the PostgreSQL authority beside raw psycopg and apsw doing the same data movement.

push: cortexdb pushes a store of ``SYNC_BENCH_ENTITIES`` entities (default 5000; each with two
observations, a tag and a relation) to an empty authority; raw: read the same rows with apsw and
``COPY`` them into the same PostgreSQL tables. pull: cortexdb pulls them into an empty store;
raw: ``SELECT`` the same rows with psycopg and insert them into tier 2 with apsw. no-op: a push
and a pull with nothing to do, beside one authority round trip and one local read. Every run gets
its own prepared store copy and database (made before timing), so no run measures set-up. Both
sides open their store and authority connection untimed before the call (cortexdb: ``open`` + the
connection with its ledger check; raw: apsw + psycopg) and close them untimed after it; the timed
call is the data movement, the raw push reading its rows from its own copy of the store. The store
declared its authority before it was filled, so its change tracking (the sync schema module, which
a store installs once, when it first declares an authority) is in place, as in ordinary use.
Needs PostgreSQL at ``CORTEXDB_BENCH_PG`` (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import apsw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case
from benchcases._authority import Scratch, Sides, url

import cortexdb

N = int(os.environ.get("SYNC_BENCH_ENTITIES", "5000"))
RUNS = 9


def _fill(db: cortexdb.Store) -> None:
    db.graph.upsert_entities([{"name": f"e{i}", "kind": "thing", "properties": {"i": i, "engine": "postgresql"},
                               "observations": [f"first fact {i}", f"second fact {i}"]} for i in range(N)])
    db.graph.relate_many([{"source": f"e{i}", "relation_type": "next", "target": f"e{i + 1}"} for i in range(N - 1)])
    with db.transaction():
        db.execute("INSERT INTO tier2.graph_tags (entity_id, tag) SELECT id, 'bench' FROM tier2.graph_entities")


def _rows(conn: apsw.Connection) -> dict[str, list[tuple]]:
    return {
        "namespaces": conn.execute("SELECT name, created_at FROM graph_namespaces").fetchall(),
        "entities": conn.execute("SELECT id, uuid, namespace, name, kind, properties, confidence, pinned = 1, "
                                 "created_at, updated_at FROM graph_entities").fetchall(),
        "observations": conn.execute("SELECT entity_id, content, created_at FROM graph_observations").fetchall(),
        "tags": conn.execute("SELECT entity_id, tag FROM graph_tags").fetchall(),
        "relations": conn.execute("SELECT uuid, source_id, relation_type, target_id, strength, confidence, "
                                  "properties, valid_from, valid_to, recorded_at, ended_at "
                                  "FROM graph_relations").fetchall(),
    }


_COPY = {
    "namespaces": "COPY graph_namespaces (name, created_at) FROM STDIN",
    "entities": "COPY graph_entities (id, uuid, namespace, name, kind, properties, confidence, pinned, created_at, "
                "updated_at) FROM STDIN",
    "observations": "COPY graph_observations (entity_id, content, created_at) FROM STDIN",
    "tags": "COPY graph_tags (entity_id, tag) FROM STDIN",
    "relations": "COPY graph_relations (uuid, source_id, relation_type, target_id, strength, confidence, properties, "
                 "valid_from, valid_to, recorded_at, ended_at) FROM STDIN",
}
_SELECT = {
    "namespaces": "SELECT name, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') FROM graph_namespaces",
    "entities": "SELECT id, replace(uuid::text, '-', ''), namespace, name, kind, properties::text, confidence, "
                "pinned::int, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), "
                "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') FROM graph_entities",
    "observations": "SELECT entity_id, content, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') "
                    "FROM graph_observations",
    "tags": "SELECT entity_id, tag FROM graph_tags",
    "relations": "SELECT replace(uuid::text, '-', ''), source_id, relation_type, target_id, strength, confidence, "
                 "properties::text, to_char(valid_from AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), NULL, "
                 "to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), NULL FROM graph_relations",
}
_INSERT = {
    "namespaces": "INSERT OR IGNORE INTO graph_namespaces (name, created_at) VALUES (?, ?)",
    "entities": "INSERT INTO graph_entities (id, uuid, namespace, name, kind, properties, confidence, pinned, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "observations": "INSERT INTO graph_observations (entity_id, content, created_at) VALUES (?, ?, ?)",
    "tags": "INSERT INTO graph_tags (entity_id, tag) VALUES (?, ?)",
    "relations": "INSERT INTO graph_relations (uuid, source_id, relation_type, target_id, strength, confidence, "
                 "properties, valid_from, valid_to, recorded_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
}


def cases(workdir: Path) -> list[Case]:
    import psycopg

    scratch = Scratch.connect("sync")
    if scratch is None:
        return []
    blank = scratch.create("blank")
    source, empty = workdir / "source", workdir / "empty"
    with cortexdb.open(empty, authority=url(blank)) as db:
        db.sync.status()                                        # migrates the blank authority
        db.execute("UPDATE tier2.sync_state SET authority_id = NULL")
    with cortexdb.open(source, authority=url(blank)) as db:     # declared from the start (not contacted):
        _fill(db)                                                  # the triggers mark what is written
    full = scratch.create("full", blank)
    shutil.copytree(source, workdir / "pushed")
    with cortexdb.open(workdir / "pushed", authority=url(full)) as db:
        db.sync.push()
        db.sync.pull()
    source_conn = apsw.Connection(str(source / "tier2.db"))
    total = sum(len(v) for v in _rows(source_conn).values())
    source_conn.close()

    push_runs = list(scratch.prepared("push", blank, source, workdir, RUNS + 2))
    copy_runs = list(scratch.prepared("copy", blank, source, workdir, RUNS + 2))
    pull_runs = [workdir / f"pull{i}" for i in range(RUNS + 2)]
    local_runs = [workdir / f"local{i}" for i in range(RUNS + 2)]
    for home in (*pull_runs, *local_runs):
        shutil.copytree(empty, home)
    opened = Sides()

    def push() -> None:
        opened["push"][0].sync.push()

    def raw_copy() -> None:
        local, conn = opened["copy"]
        rows = _rows(local)
        with conn.transaction():
            for table, statement in _COPY.items():
                with conn.cursor().copy(statement) as copy:
                    for row in rows[table]:
                        copy.write_row(row)

    def pull() -> None:
        opened["pull"][0].sync.pull()

    def raw_pull() -> None:
        local, pg = opened["local"]
        with pg.transaction():
            fetched = {table: pg.execute(sql).fetchall() for table, sql in _SELECT.items()}
        with local:
            for table, sql in _INSERT.items():
                local.executemany(sql, fetched[table])

    synced = cortexdb.open(workdir / "pushed", authority=url(full))
    synced.sync.status()
    raw_pg = psycopg.connect(url(full), autocommit=True)
    raw_local = apsw.Connection(str(workdir / "pushed" / "tier2.db"))

    def noop() -> None:
        synced.sync.push()
        synced.sync.pull()

    def raw_noop() -> None:
        raw_pg.execute("SELECT max(sync_seq) FROM sync_entity_changes").fetchone()
        raw_local.execute("SELECT count(*) FROM sync_dirty").fetchone()

    def teardown() -> None:
        opened.release()
        synced.close()
        raw_pg.close()
        raw_local.close()
        scratch.drop()

    last: Callable[[], None] = teardown
    return [
        Case(f"push {total} rows", push, raw_copy, ops=total, repeat=RUNS, target=2.0,
             setup=lambda: opened.open_store("push", *push_runs.pop()),
             baseline_setup=lambda: opened.open_raw("copy", *copy_runs.pop()), teardown=opened.release,
             notes="push: entity-state merge; raw: apsw SELECT + COPY of the same rows"),
        Case(f"pull {total} rows", pull, raw_pull, ops=total, repeat=RUNS, target=2.0,
             setup=lambda: opened.open_store("pull", pull_runs.pop(), url(full)),
             baseline_setup=lambda: opened.open_raw("local", local_runs.pop(), url(full)), teardown=opened.release,
             notes="pull: merge into tier 2; raw: SELECT + apsw executemany"),
        Case("incremental push+pull, nothing to do", noop, raw_noop, repeat=RUNS * 3, teardown=last,
             notes="raw: one authority round trip and one local read"),
    ]
