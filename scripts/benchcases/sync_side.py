"""Sync of provenance links, workspace discoveries and the archive, beside raw psycopg + apsw.

links push: ``SYNC_BENCH_LINKS`` links (default 5000) and a tenth as many discovered APIs, marked
for push, sent by the side-table flow (``cortexdb.sync.side_tables.push``) to an empty authority;
raw: read the same rows with apsw and ``COPY`` them into the same tables. links pull: the flow
applies them to an empty store; raw: ``SELECT`` them with psycopg and insert them with apsw.
archive push: the same number of archived links replayed from the archive log
(``cortexdb.sync.archive_push.push``) beside a raw ``COPY`` of them. Each run gets its own
prepared store copy and database (made before timing). Both sides open their store and their
authority connection untimed, before the call (cortexdb: ``open`` + the authority connection,
whose first use checks the authority's ledger; raw: apsw + psycopg), and close them untimed
after it; the timed call does the data movement only, reading the rows from the store on both
sides. What ``cortexdb.open`` and the connection cost is measured apart (docs/benchmarks.md).
Needs PostgreSQL at ``CORTEXDB_BENCH_PG`` (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import apsw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case
from benchcases._authority import Scratch, Sides, url

import cortexdb
from cortexdb.sync import archive_push, side_tables
from cortexdb.sync.push import ZERO_UUID

N = int(os.environ.get("SYNC_BENCH_LINKS", "5000"))
RUNS = 11
_LINKS = "uuid, source_type, source_ref, target_type, target_ref, relation, confidence, created_at"
_APIS = "api_type, base_url, spec_location, endpoints, discovered_at, last_verified, authentication_type, metadata"


def _fill(db: cortexdb.Store, archived: bool) -> None:
    with db.transaction():
        for i in range(N):
            db.provenance.link("file", f"src/{i}.py", "conversation", f"c-{i % 50}", "generated", confidence=0.5)
        if not archived:
            for i in range(N // 10):
                db.workspace.record_api(api_type="rest", base_url=f"http://api{i}", endpoints=[f"/e{i}"],
                                        metadata={"i": i})
    if archived:
        db.archive.move("provenance_links", range(1, N + 1), batch_size=N)


def cases(workdir: Path) -> list[Case]:
    scratch = Scratch.connect("sync_side")
    if scratch is None:
        return []
    blank = scratch.create("blank")
    empty = workdir / "empty"
    with cortexdb.open(empty, authority=url(blank)) as db:
        db.sync.status()                                        # migrates the blank authority
        db.execute("UPDATE tier2.sync_state SET authority_id = NULL")
    sources = {}
    for kind in ("live", "archived"):                          # stores of their own, everything marked
        with cortexdb.open(workdir / kind) as db:
            _fill(db, archived=kind == "archived")
        with cortexdb.open(workdir / kind, authority=url(blank)) as db:
            db.sync.status()                                    # installs sync: its migration marks every row
            db.execute("UPDATE tier2.sync_state SET authority_id = NULL")
        sources[kind] = workdir / kind
    full = scratch.create("full", blank)
    shutil.copytree(sources["live"], workdir / "pushed")
    with cortexdb.open(workdir / "pushed", authority=url(full)) as db:
        db.sync.push()
    conn = apsw.Connection(str(sources["live"] / "tier2.db"))
    links = conn.execute(f"SELECT {_LINKS} FROM provenance_links").fetchall()
    apis = conn.execute(f"SELECT {_APIS} FROM workspace_apis").fetchall()
    conn.close()
    conn = apsw.Connection(str(sources["archived"] / "tier3.db"))
    archived_cols = [r[1] for r in conn.execute("PRAGMA table_info(archived_provenance_links)")]
    archived = conn.execute(f"SELECT {', '.join(archived_cols)} FROM archived_provenance_links").fetchall()
    conn.close()

    runs = {kind: list(scratch.prepared(kind, blank, store, workdir, RUNS + 2)) for kind, store in (
        ("push", sources["live"]), ("copy", sources["live"]), ("archive", sources["archived"]),
        ("archive_copy", sources["archived"]))}
    pulls = [workdir / f"pull{i}" for i in range(RUNS + 2)]
    locals_ = [workdir / f"local{i}" for i in range(RUNS + 2)]
    for home in (*pulls, *locals_):
        shutil.copytree(empty, home)
    opened = Sides()

    def flow(side: str, step: Callable[..., Any], expected: int) -> None:
        db, pg = opened[side]
        moved = step(db, pg, db.sync.store_id, 2000)
        assert moved == expected, (moved, expected)

    def push() -> None:
        flow("push", side_tables.push, len(links) + len(apis))

    def raw_push() -> None:
        local, pg = opened["copy"]
        with pg.transaction():
            with pg.cursor().copy(f"COPY provenance_links ({_LINKS}) FROM STDIN") as copy:
                for row in local.execute(f"SELECT {_LINKS} FROM provenance_links"):
                    copy.write_row(row)
            with pg.cursor().copy(f"COPY workspace_apis ({_APIS}) FROM STDIN") as copy:
                for row in local.execute(f"SELECT {_APIS} FROM workspace_apis"):
                    copy.write_row(row)

    def pull() -> None:
        flow("pull", lambda db, pg, store_id, limit: side_tables.pull(
            db, pg, store_id, limit, side_tables.next_end(pg, side_tables.cursor(db), limit)), len(links) + len(apis))

    def raw_pull() -> None:
        local, pg = opened["local"]
        got_links = pg.execute("SELECT replace(uuid::text, '-', ''), source_type, source_ref, target_type, "
                               "target_ref, relation, confidence, to_char(created_at AT TIME ZONE 'UTC', "
                               "'YYYY-MM-DD HH24:MI:SS.MS') FROM provenance_links").fetchall()
        got_apis = pg.execute("SELECT api_type, base_url, spec_location, endpoints::text, discovered_at, "
                              "last_verified, authentication_type, metadata::text FROM workspace_apis").fetchall()
        with local:
            local.executemany(f"INSERT INTO provenance_links ({_LINKS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", got_links)
            local.executemany(f"INSERT INTO workspace_apis ({_APIS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", got_apis)

    def archive() -> None:
        flow("archive", archive_push.push, len(archived))

    def raw_archive() -> None:
        local, pg = opened["archive_copy"]
        with pg.transaction(), pg.cursor().copy(
                f"COPY archived_provenance_links (sync_store_id, {', '.join(archived_cols)}) FROM STDIN") as copy:
            for row in local.execute(f"SELECT {', '.join(archived_cols)} FROM archived_provenance_links"):
                copy.write_row((ZERO_UUID, *row))

    def teardown() -> None:
        opened.release()
        scratch.drop()

    total, archived_n = len(links) + len(apis), len(archived)
    return [
        Case(f"links+discoveries push {total} rows", push, raw_push, ops=total, repeat=RUNS, target=2.0,
             setup=lambda: opened.open_store("push", *runs["push"].pop()),
             baseline_setup=lambda: opened.open_raw("copy", *runs["copy"].pop(), "tier2"),
             teardown=opened.release, notes="side_tables.push; raw: apsw SELECT + COPY of the same rows"),
        Case(f"links+discoveries pull {total} rows", pull, raw_pull, ops=total, repeat=RUNS, target=2.0,
             setup=lambda: opened.open_store("pull", pulls.pop(), url(full)),
             baseline_setup=lambda: opened.open_raw("local", locals_.pop(), url(full), "tier2"),
             teardown=opened.release, notes="side_tables.pull into tier 2; raw: SELECT + apsw executemany"),
        Case(f"archive push {archived_n} rows", archive, raw_archive, ops=archived_n, repeat=RUNS, target=2.0,
             setup=lambda: opened.open_store("archive", *runs["archive"].pop()),
             baseline_setup=lambda: opened.open_raw("archive_copy", *runs["archive_copy"].pop(), "tier3"),
             teardown=teardown, notes="archive_push.push (log replay); raw: apsw SELECT + COPY of the same rows"),
    ]
