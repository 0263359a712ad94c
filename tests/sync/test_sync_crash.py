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

import pg_server
import psycopg
import pytest
from sync_state import authority_state, local_state

import cortexdb
from cortexdb.governance.audit import verify_rows
from cortexdb.sync import chains

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


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str, str]]:
    """A filled store never pushed, an empty store, a migrated empty authority and one holding the
    filled store's push (PostgreSQL template databases, copied per trial)."""
    base = tmp_path_factory.mktemp("crash")
    admin = pg_server.admin()
    blank, pushed = (f"cortexdb_tmpl_{random.randrange(10**9)}_{kind}" for kind in ("blank", "pushed"))
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
        yield base / "filled", base / "empty", blank, pushed
    finally:
        for name in (blank, pushed):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _kill_during(home: Path, url: str, action: str, rng: random.Random) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(home), url, action], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "go", child.stderr.read() if child.stderr else ""
    time.sleep(rng.uniform(0, 1.0))               # the whole run takes about a second
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
                                    "JOIN graph_entities g ON g.id = entity_id").fetchone() == (59, 59)
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
                    assert db.sync.push().rows == 0 and db.sync.pull().rows == 0
                    assert db.audit.verify(record=False).ok
                    status = db.sync.status()
                    assert status.pending_push == 0
                    if action == "pull":
                        assert status.pulled_seq == status.authority_seq
                        assert len(local_state(db)["entities"]) == 59
                    else:
                        _landed_chains_verify(db, url)
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()
