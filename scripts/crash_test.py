#!/usr/bin/env python
"""Crash test: SIGKILL a process at random points of archival (and export), reopen, check.

Each trial copies a template store, starts a child that moves conversations to the archive and
back forever (or exports bundles forever), kills it with SIGKILL after a random delay, then
reopens the store, resumes, and checks: every row exists exactly once (live or archived),
``integrity_check`` and ``foreign_key_check`` pass, and no bundle exists that fails ``verify``.

    python scripts/crash_test.py                  # 200 archival trials + 50 export trials
    python scripts/crash_test.py -n 1000 --seed 3 # more
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import cortexdb  # noqa: E402

CONVERSATIONS, MESSAGES = 12, 4
TABLES = {"conversations": "conversation_id", "messages": "id", "conversation_actions": "id",
          "conversation_state_snapshots": "id"}
EXPECTED = {"conversations": CONVERSATIONS, "messages": CONVERSATIONS * MESSAGES, "conversation_actions": CONVERSATIONS,
            "conversation_state_snapshots": CONVERSATIONS}
ARCHIVE_CHILD = r"""
import sys, cortexdb
db = cortexdb.open(sys.argv[1])
print("ready", flush=True)
while True:
    live = [r[0] for r in db.execute("SELECT conversation_id FROM tier1.conversations")]
    db.archive.move("conversations", live, batch_size=3)
    gone = [r[0] for r in db.execute("SELECT conversation_id FROM tier3.archived_conversations")]
    db.archive.restore("conversations", gone, batch_size=4)
"""
EXPORT_CHILD = r"""
import sys, cortexdb
db = cortexdb.open(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    db.archive.export(f"b{i}", format="sqlite" if i % 2 else "jsonl")
    i += 1
"""


def make_template(home: Path) -> None:
    with cortexdb.open(home) as db, db.transaction():
        for i in range(CONVERSATIONS):
            cid = f"c{i:05d}"
            db.execute("INSERT INTO tier1.conversations (conversation_id, title, session_id, task_status) VALUES (?, ?, ?, 'done')",
                       (cid, f"t{i}", f"s-{cid}"))
            for m in range(MESSAGES):
                db.execute("INSERT INTO tier1.messages (conversation_id, role, content) VALUES (?, 'user', ?)", (cid, f"m{m}"))
            db.execute("INSERT INTO tier1.conversation_actions (session_id, turn_number, action_type, description) "
                       "VALUES (?, 1, 'retrieval', 'read')", (f"s-{cid}",))
            db.execute("INSERT INTO tier1.conversation_state_snapshots (session_id, turn_number, state_json) VALUES (?, 1, '{}')",
                       (f"s-{cid}",))


def kill_after(script: str, home: Path, delay: float) -> None:
    proc = subprocess.Popen([sys.executable, "-c", script, str(home)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if proc.stdout.readline().strip() != b"ready":
            raise SystemExit(f"child failed to start: {proc.stderr.read().decode()}")
        time.sleep(delay)
        if proc.poll() is not None:
            raise SystemExit(f"child died on its own: {proc.stderr.read().decode()}")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def check_archival(home: Path) -> tuple[list[str], int]:
    problems = []
    with cortexdb.open(home) as db:
        interrupted = len(db.archive.interrupted())
        db.archive.resume()
        for table, key in TABLES.items():
            live = db.execute(f"SELECT count(*) FROM tier1.{table}")[0][0]
            arch = db.execute(f"SELECT count(*) FROM tier3.archived_{table}")[0][0]
            both = db.execute(f"SELECT count(*) FROM tier1.{table} l JOIN tier3.archived_{table} a ON a.{key} = l.{key}")[0][0]
            if live + arch != EXPECTED[table] or both:
                problems.append(f"{table}: live {live} + archived {arch} != {EXPECTED[table]} or {both} on both sides")
        for tier in ("tier0", "tier1", "tier2", "tier3"):
            if db.execute(f"PRAGMA {tier}.integrity_check") != [("ok",)]:
                problems.append(f"{tier} integrity_check failed")
            if db.execute(f"PRAGMA {tier}.foreign_key_check"):
                problems.append(f"{tier} foreign_key_check failed")
    return problems, interrupted


def check_export(home: Path) -> list[str]:
    problems = []
    with cortexdb.open(home) as db:
        for name in db.archive.bundles():
            report = db.archive.verify(home / "cold" / name)
            if not report.ok:
                problems.append(f"bundle {name} published but does not verify: {report.first}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--trials", type=int, default=200, help="archival trials (default 200)")
    parser.add_argument("--export-trials", type=int, default=50, help="export trials (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for kill delays")
    parser.add_argument("--max-delay", type=float, default=0.3, help="largest kill delay in seconds")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    failures = hits = 0
    with tempfile.TemporaryDirectory(prefix="cortexdb-crash-") as tmp:
        template = Path(tmp) / "template"
        make_template(template)
        with cortexdb.open(template) as db:
            db.archive.move("conversations", [f"c{i:05d}" for i in range(0, CONVERSATIONS, 2)])
        for trial in range(args.trials):
            home = Path(tmp) / "trial"
            shutil.copytree(template, home)
            kill_after(ARCHIVE_CHILD, home, rng.uniform(0, args.max_delay))
            problems, interrupted = check_archival(home)
            hits += interrupted > 0
            if problems:
                failures += 1
                print(f"archival trial {trial}: " + "; ".join(problems))
            shutil.rmtree(home)
        for trial in range(args.export_trials):
            home = Path(tmp) / "trial"
            shutil.copytree(template, home)
            kill_after(EXPORT_CHILD, home, rng.uniform(0, args.max_delay * 2))
            problems = check_export(home)
            if problems:
                failures += 1
                print(f"export trial {trial}: " + "; ".join(problems))
            shutil.rmtree(home)
    print(f"{args.trials} archival trials ({hits} killed mid-operation), {args.export_trials} export trials: "
          f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
