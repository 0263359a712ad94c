"""The audit chain is sealed promptly: within the row and time bounds while open, on close, and at
the next open after a crash; and a file-level attacker's change, deletion or duplicate of a row
written through the API is caught after close (issue reproduction: 30 tasks, sqlite3, reopen)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import cortexdb
from cortexdb import ManualClock, ValidationError

LOG = "audit_log_tier1"
COLUMNS = ("table_name, operation, row_key, old_values, new_values, actor, created_at, sealed_at, position, "
           "prev_hash, hash")


def thirty_tasks(home: Path) -> None:
    with cortexdb.open(home, clock=ManualClock()) as db:
        for n in range(30):
            db.tasks.create(f"task {n}")
        assert db.audit.verify(seal=False, record=False).tiers[1].unsealed > 0  # pending until close


def attacker(home: Path) -> sqlite3.Connection:
    """The attacker of the issue: Python's sqlite3 on tier1.db, the audit log's triggers dropped."""
    conn = sqlite3.connect(home / "tier1.db", isolation_level=None)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (LOG,)):
        conn.execute(f"DROP TRIGGER {name}")
    return conn


def middle(conn: sqlite3.Connection) -> tuple[int, int]:
    """(id, position) of a sealed tasks row in the middle of the chain."""
    rows = conn.execute(f"SELECT id, position FROM {LOG} WHERE table_name = 'tasks' ORDER BY position").fetchall()
    assert len(rows) == 30 and all(p is not None for _, p in rows)  # close() sealed them
    return rows[15]


def update_row(conn: sqlite3.Connection) -> int:
    row_id, position = middle(conn)
    conn.execute(f"UPDATE {LOG} SET new_values = json_set(new_values, '$.description', 'forged') WHERE id = ?",
                 (row_id,))
    return position


def delete_row(conn: sqlite3.Connection) -> int:
    row_id, position = middle(conn)
    conn.execute(f"DELETE FROM {LOG} WHERE id = ?", (row_id,))
    return position


def delete_row_and_close_the_gap(conn: sqlite3.Connection) -> int:
    row_id, position = middle(conn)
    conn.execute(f"DELETE FROM {LOG} WHERE id = ?", (row_id,))
    conn.execute(f"UPDATE {LOG} SET position = -position WHERE position > ?", (position,))
    conn.execute(f"UPDATE {LOG} SET position = -position - 1 WHERE position < 0")
    return position


def duplicate_row(conn: sqlite3.Connection) -> int:
    """An exact copy beside the original, same position (the unique index dropped too)."""
    row_id, position = middle(conn)
    conn.execute(f"DROP INDEX idx_{LOG}_position")
    conn.execute(f"INSERT INTO {LOG} ({COLUMNS}) SELECT {COLUMNS} FROM {LOG} WHERE id = ?", (row_id,))
    return position


def duplicate_row_into_the_chain(conn: sqlite3.Connection) -> int:
    """A copy given the next position, the positions after it shifted up by one."""
    row_id, position = middle(conn)
    conn.execute(f"UPDATE {LOG} SET position = -position WHERE position > ?", (position,))
    conn.execute(f"UPDATE {LOG} SET position = -position + 1 WHERE position < 0")
    conn.execute(f"INSERT INTO {LOG} ({COLUMNS}) SELECT {COLUMNS.replace('position', '? AS position')} "
                 f"FROM {LOG} WHERE id = ?", (position + 1, row_id))
    return position  # the copy links past its original, which is reported as the inserted one


def duplicate_row_unsealed_inside(conn: sqlite3.Connection) -> int:
    """A copy left unsealed under an id below the sealed ones (ids 0 and below are free)."""
    row_id, _ = middle(conn)
    conn.execute(f"INSERT INTO {LOG} (id, table_name, operation, row_key, old_values, new_values, actor, created_at) "
                 f"SELECT 0, table_name, operation, row_key, old_values, new_values, actor, created_at FROM {LOG} "
                 "WHERE id = ?", (row_id,))
    return 1


def duplicate_row_with_its_seal_but_no_position(conn: sqlite3.Connection) -> int:
    row_id, _ = middle(conn)
    conn.execute(f"INSERT INTO {LOG} ({COLUMNS}) SELECT {COLUMNS.replace('position', 'NULL')} FROM {LOG} "
                 "WHERE id = ?", (row_id,))
    return conn.execute(f"SELECT count(*) FROM {LOG} WHERE position IS NOT NULL").fetchone()[0] + 1


TAMPERS: dict[str, tuple[Callable[[sqlite3.Connection], int], str]] = {
    "update": (update_row, "changed"),
    "delete": (delete_row, "missing"),
    "delete, gap closed": (delete_row_and_close_the_gap, "link"),
    "duplicate, same position": (duplicate_row, "duplicate"),
    "duplicate, into the chain": (duplicate_row_into_the_chain, "inserted"),
    "duplicate, unsealed inside": (duplicate_row_unsealed_inside, "inserted"),
    "duplicate, half sealed": (duplicate_row_with_its_seal_but_no_position, "stray"),
}


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_a_file_level_tamper_after_close_is_detected(tmp_path: Path, tamper: str) -> None:
    home = tmp_path / "s"
    thirty_tasks(home)
    apply, kind = TAMPERS[tamper]
    conn = attacker(home)
    expected = apply(conn)
    conn.close()
    with cortexdb.open(home, clock=ManualClock()) as db:
        report = db.audit.verify()
        assert not report.ok
        (broken,) = report.broken()
        assert broken.tier == "tier1" and broken.first_break is not None
        assert broken.first_break.kind == kind, broken.first_break
        assert broken.first_break.position == expected, broken.first_break
        recorded = db.audit.verifications(limit=4)
        assert any(r["tier"] == "tier1" and r["ok"] == 0 and r["problem"].startswith(kind) for r in recorded)


def test_rows_appended_after_close_are_sealed_at_open_and_reported(tmp_path: Path) -> None:
    """Rows added at the tail by another program (the triggers' own way to audit shell writes, or a
    forger: the file cannot tell them apart) are never blessed silently."""
    home = tmp_path / "s"
    thirty_tasks(home)
    conn = attacker(home)
    row_id, _ = middle(conn)
    conn.execute(f"INSERT INTO {LOG} (table_name, operation, row_key, old_values, new_values, actor, created_at) "
                 f"SELECT table_name, operation, row_key, old_values, new_values, actor, created_at FROM {LOG} "
                 "WHERE id = ?", (row_id,))
    conn.close()
    with cortexdb.open(home, readonly=True) as db:
        tier1 = db.audit.verify().tiers[1]
        assert tier1.ok and tier1.unsealed == 1 and tier1.sealed == 0
    with cortexdb.open(home, clock=ManualClock()) as db:
        assert db.audit.sealed_at_open == {"tier1": 1}
        (event,) = db.audit.log(tier="tier1", row_key="sealed_at_open")
        assert event.operation == "EVENT" and event.new_values["rows"] == 1 and event.position is not None
        assert db.audit.verify().ok


def test_the_row_bound_seals_at_the_commit_that_reaches_it(db: cortexdb.Store) -> None:
    db.audit.sealing.configure(max_rows=10)
    unsealed = lambda: db.audit.verify(seal=False, record=False).tiers[1].unsealed  # noqa: E731
    for n in range(9):
        db.tasks.create(f"t{n}")
    assert unsealed() == 9
    db.tasks.create("t9")
    assert unsealed() == 0
    assert db.audit.verify(seal=False, record=False).ok


def test_the_time_bound_follows_the_store_clock(db: cortexdb.Store, clock: ManualClock) -> None:
    assert db.audit.sealing.max_seconds == 1.0 and db.audit.sealing.max_rows == 1000
    unsealed = lambda: sum(t.unsealed for t in db.audit.verify(seal=False, record=False).tiers)  # noqa: E731
    db.tasks.create("first")
    clock.advance(0.6)
    db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, relation) "
               "VALUES ('file', 'a', 'file', 'b', 'updated')")  # an autocommit write takes the same path
    assert unsealed() == 2
    clock.advance(0.5)  # the first row is now 1.1 s old: the next commit seals everything pending
    db.tasks.create("second")
    assert unsealed() == 0
    db.tasks.create("third")  # a new window starts with this row
    clock.advance(0.9)
    db.tasks.create("fourth")
    assert unsealed() == 2


def test_an_idle_store_is_sealed_by_its_timer_once_the_store_clock_says_so(db: cortexdb.Store,
                                                                             clock: ManualClock) -> None:
    """No commit follows the write: the timer (real time, on its own connection) seals it, but only
    once the store's clock has passed the bound; a timer that fires early re-arms."""
    sealer = db.audit.sealing
    sealer.configure(max_seconds=0.05)
    db.tasks.create("then nothing")
    assert not sealer.wait_idle(0.5)  # fired, saw the manual clock unmoved, armed again
    assert sealer.idle_seals == 0 and db.audit.verify(seal=False, record=False).tiers[1].unsealed == 1
    clock.advance(0.05)
    assert sealer.wait_idle(30)
    assert sealer.idle_seals == 1 and sealer.last_error is None
    report = db.audit.verify(seal=False, record=False)
    assert report.ok and report.tiers[1].unsealed == 0


def test_close_stops_the_idle_timer(tmp_path: Path) -> None:
    db = cortexdb.open(tmp_path / "s", clock=ManualClock())
    sealer = db.audit.sealing
    db.tasks.create("pending")
    assert sealer._timer is not None
    db.close()
    assert sealer._timer is None and sealer._running is None and sealer.idle_seals == 0


def test_reads_and_unaudited_writes_do_not_seal(db: cortexdb.Store, clock: ManualClock) -> None:
    db.tasks.create("pending")
    seals = db.audit.sealing.seals
    clock.advance(5)
    db.query("SELECT count(*) FROM tier1.tasks")  # a read commits nothing
    assert db.audit.sealing.seals == seals
    db.tasks.create("another")
    assert db.audit.sealing.seals == seals + 1


def test_close_seals_every_pending_row(tmp_path: Path) -> None:
    home = tmp_path / "s"
    db = cortexdb.open(home, clock=ManualClock())
    db.tasks.create("a")
    db.execute("INSERT INTO tier3.boundary_events (event_type, path, allowed) VALUES ('read', '/x', 0)")
    assert sum(t.unsealed for t in db.audit.verify(seal=False, record=False).tiers) == 2
    db.close()
    with cortexdb.open(home, readonly=True) as ro:
        report = ro.audit.verify()
        assert report.ok and all(t.unsealed == 0 for t in report.tiers)
    with cortexdb.open(home) as again:
        assert again.audit.sealed_at_open == {}


def test_verify_reports_rows_found_unsealed_before_sealing_them(db: cortexdb.Store) -> None:
    for n in range(3):
        db.tasks.create(f"t{n}")
    report = db.audit.verify()
    tier1 = report.tiers[1]
    assert report.ok and tier1.unsealed == 3 and tier1.sealed == 3
    (row,) = [r for r in db.audit.verifications(limit=4) if r["tier"] == "tier1"]
    assert row["unsealed"] == 3
    assert db.audit.verify().tiers[1].unsealed == 0


def test_a_broken_chain_is_neither_extended_nor_retried_at_every_commit(tmp_path: Path) -> None:
    home = tmp_path / "s"
    thirty_tasks(home)
    conn = attacker(home)
    conn.execute(f"DELETE FROM {LOG} WHERE position >= (SELECT max(position) - 2 FROM {LOG})")  # truncate the tail
    conn.close()
    with cortexdb.open(home, clock=ManualClock()) as db:
        db.audit.sealing.configure(max_rows=1)
        db.tasks.create("after the tamper")
        assert db.audit.sealing.refused == {"tier1"}
        seals = db.audit.sealing.seals
        db.tasks.create("again")
        assert db.audit.sealing.seals == seals  # nothing else pending: no new attempt
        report = db.audit.verify()
        (broken,) = report.broken()
        assert broken.first_break.kind == "truncated" and broken.unsealed == 2 and broken.sealed == 0


def test_sealing_bounds_are_validated(db: cortexdb.Store) -> None:
    for bad in ({"max_rows": 0}, {"max_rows": 1.5}, {"max_rows": True}, {"max_seconds": -1},
                {"max_seconds": float("nan")}, {"max_seconds": "1"}):
        with pytest.raises(ValidationError):
            db.audit.sealing.configure(**bad)


def test_a_read_only_store_has_no_sealer(tmp_path: Path) -> None:
    cortexdb.open(tmp_path / "s").close()
    with cortexdb.open(tmp_path / "s", readonly=True) as db:
        assert db.audit.sealing is None and db.audit.sealed_at_open == {}


CRASHER = textwrap.dedent("""
    import sys, time, cortexdb
    db = cortexdb.open(sys.argv[1], clock=cortexdb.ManualClock())   # the clock stands still: no time-bound seal
    for n in range(30):
        db.tasks.create(f"task {n}")
    print("written", flush=True)
    time.sleep(600)
""")


@pytest.mark.slow
def test_rows_left_unsealed_by_a_killed_process_are_sealed_at_the_next_open(tmp_path: Path) -> None:
    home = tmp_path / "s"
    cortexdb.open(home).close()
    proc = subprocess.Popen([sys.executable, "-c", CRASHER, str(home)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "written"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.stdout:
            proc.stdout.close()
    with cortexdb.open(home, readonly=True) as ro:
        assert ro.audit.verify().tiers[1].unsealed == 30
    with cortexdb.open(home) as db:
        assert db.audit.sealed_at_open == {"tier1": 30}
        (event,) = db.audit.log(tier="tier1", row_key="sealed_at_open")
        assert event.new_values["rows"] == 30 and event.actor == "cortexdb"
        report = db.audit.verify()
        assert report.ok and all(t.unsealed == 0 for t in report.tiers)
        assert report.tiers[1].sealed_at_open == 30
        health = [i for i in db.health.review().issues if "found unsealed when the store was opened" in i["title"]]
        assert len(health) == 1 and health[0]["title"].startswith("30 ") and "tier1: 30" in health[0]["description"]


def test_a_bundle_s_audit_rows_are_not_imported_into_this_store_s_chain(db: cortexdb.Store) -> None:
    db.execute("INSERT INTO tier3.boundary_events (event_type, path, allowed) VALUES ('read', '/x', 0)")
    db.audit.seal()
    bundle = db.archive.export("everything").path  # every tier-3 table, the sealed audit log included
    result = db.archive.import_bundle(bundle)
    assert {"audit_log_tier3", "audited_tables_tier3"} <= set(result.skipped)
    assert db.audit.verify().ok


WRITER = textwrap.dedent("""
    import sys, cortexdb
    home, name, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with cortexdb.open(home, busy_timeout=30) as db:
        db.audit.sealing.configure(max_rows=int(sys.argv[4]))   # seal often, so the processes' seals interleave
        for i in range(rows):
            db.tasks.create(f"{name}-{i}")
            db.execute("INSERT INTO tier2.provenance_links (source_type, source_ref, target_type, target_ref, "
                       "relation) VALUES ('file', ?, 'entity', 'E', 'generated')", (f"{name}-{i}",))
        assert db.audit.sealing.last_error is None, db.audit.sealing.last_error
""")


@pytest.mark.slow
def test_processes_sealing_promptly_at_once_build_one_valid_chain(tmp_path: Path) -> None:
    home = tmp_path / "s"
    cortexdb.open(home).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(home), f"w{n}", "60", str(3 + n)]) for n in range(3)]
    assert [p.wait(timeout=180) for p in procs] == [0, 0, 0]
    with cortexdb.open(home, readonly=True) as db:
        report = db.audit.verify()
        assert report.ok, report.broken()
        assert all(t.unsealed == 0 for t in report.tiers)  # every writer sealed its rows before close returned
        tasks = db.audit.log(tier="tier1", table="tasks", limit=1000)
        assert len(tasks) == 180 and all(e.position for e in tasks)
        for tier in ("tier1", "tier2"):
            positions = [e.position for e in db.audit.log(tier=tier, limit=10_000)]
            assert positions == list(range(1, len(positions) + 1))


def test_a_forged_row_past_the_head_is_reported_not_retried_at_every_commit(tmp_path: Path) -> None:
    home = tmp_path / "s"
    thirty_tasks(home)
    conn = attacker(home)
    row_id, _ = middle(conn)
    conn.execute(f"INSERT INTO {LOG} ({COLUMNS}) SELECT {COLUMNS.replace('position', 'NULL')} FROM {LOG} "
                 "WHERE id = ?", (row_id,))  # a half-sealed copy at the tail
    conn.close()
    with cortexdb.open(home, clock=ManualClock()) as db:
        anchors = db.execute("SELECT count(*) FROM tier0.audit_seals")[0][0]
        db.audit.sealing.configure(max_rows=1)
        seals = db.audit.sealing.seals
        for n in range(3):
            db.conversations.start(f"unaudited write {n}")  # commits that leave no audit row
        assert db.audit.sealing.seals == seals + 1  # one attempt, then the forged row is not counted as pending
        assert db.execute("SELECT count(*) FROM tier0.audit_seals")[0][0] == anchors  # no empty seals
        db.tasks.create("a real write after it")  # is still sealed promptly
        assert db.audit.sealing.seals == seals + 2 and db.audit.sealing.refused == set()
        (broken,) = db.audit.verify().broken()
        assert broken.tier == "tier1" and broken.first_break.kind == "stray" and broken.unsealed == 0
