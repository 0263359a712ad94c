"""SIGKILL during push and during pull, at random moments: the next run finishes the job, and
nothing is lost or duplicated on either side; the audit chains verify on both."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pg_server
import psycopg
import pytest
from sync_state import authority_side_state, authority_state, local_side_state, local_state

import cortexdb
from cortexdb.governance.audit import verify_rows
from cortexdb.graph.compat import KnowledgeGraph
from cortexdb.sync import archive_push, chains

WINDOW = {"push": 1.0, "pull": 1.0}
"""Seconds a whole push or pull takes in a child, measured once per module."""
TRIALS = int(__import__("os").environ.get("SYNC_CRASH_TRIALS", "30"))
CHILD = """
import sys, cortexdb
db = cortexdb.open(sys.argv[1], authority=sys.argv[2])
db.sync.status()                                  # connected and migrated: the parent may kill from here on
print("go", flush=True)
getattr(db.sync, sys.argv[3])(batch_size=4)
print("done", flush=True)
"""

# Killed at a chosen point of the first push's direct path: after the rows landed, before the
# commit ("landed"), or after the commit, before the marks are cleared ("confirmed").
CHILD_AT = """
import os, signal, sys, cortexdb
from cortexdb.sync import fresh, push
point, batch = sys.argv[3], int(sys.argv[4])
seen = {"landed": 0, "confirmed": 0}

def kill_at(name, original):
    def wrapped(*args, **kwargs):
        if name == "confirmed":
            seen[name] += 1
            if point == name and seen[name] == batch:
                os.kill(os.getpid(), signal.SIGKILL)
        result = original(*args, **kwargs)
        if name == "landed":
            seen[name] += 1
            if point == name and seen[name] == batch:
                os.kill(os.getpid(), signal.SIGKILL)
        return result
    return wrapped

fresh.land = kill_at("landed", fresh.land)
push.clear_marks = kill_at("confirmed", push.clear_marks)
db = cortexdb.open(sys.argv[1], authority=sys.argv[2])
db.sync.push(batch_size=8)
print("done", flush=True)
"""


def _fill(db: cortexdb.Store) -> None:
    names = [f"n{i}" for i in range(60)]
    db.graph.upsert_entities([{"name": n, "kind": "thing", "properties": {"i": i}} for i, n in enumerate(names)])
    for i, name in enumerate(names):
        db.graph.add_observations(name, [f"o{i}", f"p{i}"])
        if i:
            db.graph.relate(names[i - 1], "next", name)
    db.graph.tag(names[0], ["first"])
    db.graph.delete_entity(names[-1])
    ids = dict(db.execute("SELECT name, id FROM tier2.graph_entities"))
    for i, name in enumerate(names[:40]):                 # links naming entities travel by the entity's key
        db.provenance.link("file", f"src/f{i}.py", "entity" if i % 2 else "pattern", str(ids[name]), "generated")
    for i in range(12):
        db.workspace.record_database(database_type="postgresql", connection_string=f"pg://h{i}", host=f"h{i}",
                                     port=5432 if i % 2 else None, metadata={"i": i})
        db.workspace.record_api(api_type="rest", base_url=f"http://api{i}", endpoints=[f"/e{i}"])
        db.workspace.record_framework(framework_type="flask", config_location=f"app{i}" if i % 3 else None)
    patterns = [db.graph.add_pattern(f"pattern{j}", "Retry", "wait, then retry", "solution").id for j in range(2)]
    databases = [r[0] for r in db.execute("SELECT id FROM tier2.workspace_databases ORDER BY id")]
    for i in range(6):                                    # pattern -> discovery links travel by stable keys
        KnowledgeGraph(db).add_relationship(patterns[i % 2], "uses", databases[i], "workspace_database")
    db.graph.upsert_entity("retired", kind="thing", observations=["kept in the archive"], tags=["old"])
    db.archive.move("graph_nodes", [db.graph.get_entity("retired", touch=False).uuid])
    db.archive.move("provenance_links", [r[0] for r in db.execute("SELECT id FROM tier2.provenance_links LIMIT 8")])
    db.archive.move("workspace_apis", [r[0] for r in db.execute("SELECT id FROM tier2.workspace_apis LIMIT 4")])


def _archive_state(db: cortexdb.Store, authority: bool) -> dict[str, Any]:
    """Each archived table's row count, and the archived links' (id, uuid), here or in this store's copy."""
    if authority:
        counts = {t: db.sync.query(f"SELECT count(*) AS n FROM {t} WHERE sync_store_id = %s", [db.sync.store_id])[0]["n"]
                  for t in archive_push.KEYS}
        links = [(r["id"], r["uuid"]) for r in db.sync.query(
            "SELECT id, replace(uuid::text, '-', '') AS uuid FROM archived_provenance_links WHERE sync_store_id = %s "
            "ORDER BY id", [db.sync.store_id])]
    else:
        counts = {t: db.execute(f"SELECT count(*) FROM tier3.{t}")[0][0] for t in archive_push.KEYS}
        links = [tuple(r) for r in db.execute("SELECT id, uuid FROM tier3.archived_provenance_links ORDER BY id")]
    return {"counts": counts, "links": links}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str, str]]:
    """A filled store never pushed, an empty store, a migrated empty authority and one holding the
    filled store's push (PostgreSQL template databases, copied per trial)."""
    base = tmp_path_factory.mktemp("crash")
    admin = pg_server.admin()
    blank, pushed, *timed = (f"cortexdb_tmpl_{random.randrange(10**9)}_{kind}"
                             for kind in ("blank", "pushed", "timed_push", "timed_pull"))
    admin.execute(f'CREATE DATABASE "{blank}"')
    server = pg_server.SERVER.rsplit("/", 1)[0]
    try:
        with cortexdb.open(base / "empty", authority=f"{server}/{blank}") as db:
            db.sync.status()
            db.execute("UPDATE tier2.sync_state SET authority_id = NULL")   # trials use copies of the authority
        admin.execute(f'CREATE DATABASE "{pushed}" TEMPLATE "{blank}"')
        with cortexdb.open(base / "filled") as db:
            _fill(db)
            db.audit.seal(strict=False)
        shutil.copytree(base / "filled", base / "pusher")
        with cortexdb.open(base / "pusher", authority=f"{server}/{pushed}") as db:
            db.sync.push()
        for action, home, template, target in (("push", "filled", blank, timed[0]), ("pull", "empty", pushed, timed[1])):
            admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
            WINDOW[action] = _run(base / home, f"{server}/{target}", action)   # the window to kill in
        yield base / "filled", base / "empty", blank, pushed
    finally:
        for name in (blank, pushed, *timed):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _start(home: Path, url: str, action: str) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(home), url, action], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "go", child.stderr.read() if child.stderr else ""
    return child


def _run(home: Path, url: str, action: str) -> float:
    """Seconds from "go" to "done" of one whole run in a child, on a copy of ``home``."""
    scratch = home.with_name(home.name + "_timed")
    shutil.copytree(home, scratch)
    child = _start(scratch, url, action)
    started = time.perf_counter()
    assert child.communicate(timeout=120)[0].strip() == "done"
    return time.perf_counter() - started


def _kill_during(home: Path, url: str, action: str, rng: random.Random) -> None:
    child = _start(home, url, action)
    time.sleep(rng.uniform(0, WINDOW[action]))    # anywhere in the run: graph, links, archive, chains
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)


def _landed_chains_verify(db: cortexdb.Store, url: str) -> None:
    store_id = db.sync.store_id
    with psycopg.connect(url, options="-c TimeZone=UTC") as conn:
        for tier in ("tier0", "tier1", "tier2", "tier3"):
            rows = conn.execute(chains._LANDED.format(table=f"audit_log_{tier}"), (store_id,)).fetchall()
            _count, _head, problem = verify_rows(rows, None)
            assert problem is None, (tier, problem)


@pytest.mark.parametrize(("point", "batch"), [("landed", 1), ("landed", 4), ("confirmed", 1), ("confirmed", 4)])
def test_sigkill_inside_a_first_push_then_resume(tmp_path: Path, pg_url: str, templates: tuple[Path, Path, str, str],
                                                  point: str, batch: int) -> None:
    filled, empty, blank, _pushed = templates
    name = pg_url.rsplit("/", 1)[1] + "_first"
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    admin = psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{blank}"')
    try:
        shutil.copytree(filled, tmp_path / "s")
        shutil.copytree(empty, tmp_path / "reader")
        child = subprocess.run([sys.executable, "-c", CHILD_AT, str(tmp_path / "s"), url, point, str(batch)],
                               capture_output=True, text=True, timeout=120)
        assert child.returncode == -signal.SIGKILL, child.stderr
        with cortexdb.open(tmp_path / "s", authority=url) as db:
            db.sync.push()
            assert local_state(db) == authority_state(db)
            assert db.sync.push().rows == 0 and db.sync.pull().rows == 0
            assert db.sync.status().pending_push == 0
            assert db.audit.verify(record=False).ok
            _landed_chains_verify(db, url)
            with psycopg.connect(url) as conn:      # each entity numbered once, nothing landed twice
                assert conn.execute("SELECT count(*), count(DISTINCT entity_id) FROM sync_entity_changes "
                                    "JOIN graph_entities g ON g.id = entity_id").fetchone() == (61, 61)
                assert conn.execute("SELECT count(*) FROM graph_observations").fetchone()[0] == 118
            with cortexdb.open(tmp_path / "reader", authority=url) as reader:
                reader.sync.pull()
                assert local_state(reader) == local_state(db)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.slow
@pytest.mark.parametrize("action", ["push", "pull"])
def test_sigkill_then_resume_loses_and_duplicates_nothing(tmp_path: Path, pg_url: str, action: str,
                                                          templates: tuple[Path, Path, str, str]) -> None:
    filled, empty, blank, pushed = templates
    rng = random.Random(action)
    admin = psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
    try:
        for trial in range(TRIALS):
            name = f"{pg_url.rsplit('/', 1)[1]}_{trial}"
            url = pg_url.rsplit("/", 1)[0] + "/" + name
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{blank if action == "push" else pushed}"')
            try:
                home = tmp_path / f"t{trial}"
                shutil.copytree(filled if action == "push" else empty, home)
                _kill_during(home, url, action, rng)
                with cortexdb.open(home, authority=url) as db:
                    getattr(db.sync, action)()
                    assert local_state(db) == authority_state(db)
                    assert local_side_state(db) == authority_side_state(db)
                    assert db.sync.push().rows == 0 and db.sync.pull().rows == 0
                    assert db.audit.verify(record=False).ok
                    status = db.sync.status()
                    assert status.pending_push == status.pending_side == status.pending_archive == 0
                    if action == "pull":
                        assert status.pulled_seq == status.authority_seq
                        assert len(local_state(db)["entities"]) == 61
                        assert status.pending_links == 0
                        assert len(local_side_state(db)["links"]) == 32 and len(local_side_state(db)["workspace_apis"]) == 8
                        assert len(local_side_state(db)["workspace_links"]) == 6
                    else:
                        _landed_chains_verify(db, url)
                        assert _archive_state(db, authority=True) == _archive_state(db, authority=False)
                        assert sum(_archive_state(db, authority=False)["counts"].values()) == 15
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()
