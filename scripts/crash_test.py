#!/usr/bin/env python
"""Crash test: SIGKILL a process at random points of archival (and export), reopen, check.

Each trial copies a template store, starts a child that moves conversations to the archive and
back forever (or exports bundles forever), kills it with SIGKILL after a random delay, then
reopens the store, resumes, and checks: every row exists exactly once (live or archived),
``integrity_check`` and ``foreign_key_check`` pass, and no bundle exists that fails ``verify``.

Graph trials do the same with knowledge-graph nodes (group ``graph_nodes``), some of whose ids
were reused by new nodes while they were archived, so restores remap ids.

    python scripts/crash_test.py                  # 200 archival + 100 graph + 50 export trials
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
import cortexdb

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
GRAPH_CHILD = r"""
import sys, cortexdb
db = cortexdb.open(sys.argv[1])
print("ready", flush=True)
while True:
    live = [r[0] for r in db.execute("SELECT uuid FROM tier2.graph_entities ORDER BY id")]
    db.archive.move("graph_nodes", live, batch_size=3)
    gone = [r[0] for r in db.execute("SELECT uuid FROM tier3.archived_graph_entities ORDER BY uuid")]
    db.archive.restore("graph_nodes", gone, batch_size=4)
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


def make_graph_template(home: Path, nodes: int = 12, fillers: int = 4) -> None:
    """Nodes with observations, tags and relations; the newest archived, their ids then reused."""
    with cortexdb.open(home) as db:
        g = db.graph
        for i in range(nodes):
            g.upsert_entity(f"n{i}", kind="k", observations=[f"obs {i} a", f"obs {i} b"], tags=[f"t{i % 3}"])
        for i in range(nodes):
            g.relate(f"n{i}", "next", f"n{(i + 1) % nodes}")
            g.relate(f"n{i}", "skip", f"n{(i + 5) % nodes}")
        g.add_pattern("pat", "A pattern", "content", "solution")
        g.relate("pat", "about", "n0")
        newest = [r[0] for r in db.execute("SELECT uuid FROM tier2.graph_entities ORDER BY id DESC LIMIT ?", (fillers,))]
        db.archive.move("graph_nodes", newest)
        for i in range(fillers):
            g.upsert_entity(f"filler{i}", kind="k", observations=[f"filler obs {i}"])


def graph_state(db: cortexdb.Store) -> dict[str, list[tuple]]:
    """Every graph row by stable identity, whichever tier holds it (duplicates show as repeats)."""
    return {
        "nodes": sorted(db.execute("SELECT uuid FROM tier2.graph_entities UNION ALL SELECT uuid FROM tier3.archived_graph_entities")),
        "patterns": sorted(db.execute("SELECT e.uuid FROM tier2.graph_patterns p JOIN tier2.graph_entities e ON e.id = p.id "
                                      "UNION ALL SELECT entity_uuid FROM tier3.archived_graph_patterns")),
        "observations": sorted(db.execute(
            "SELECT e.uuid, o.content FROM tier2.graph_observations o JOIN tier2.graph_entities e ON e.id = o.entity_id "
            "UNION ALL SELECT entity_uuid, content FROM tier3.archived_graph_observations")),
        "tags": sorted(db.execute("SELECT e.uuid, t.tag FROM tier2.graph_tags t JOIN tier2.graph_entities e ON e.id = t.entity_id "
                                  "UNION ALL SELECT entity_uuid, tag FROM tier3.archived_graph_tags")),
        "relations": sorted(db.execute(
            "SELECT r.uuid, s.uuid, t.uuid FROM tier2.graph_relations r JOIN tier2.graph_entities s ON s.id = r.source_id "
            "JOIN tier2.graph_entities t ON t.id = r.target_id "
            "UNION ALL SELECT uuid, source_uuid, target_uuid FROM tier3.archived_graph_relations")),
    }


def check_graph(home: Path, expected: dict[str, list[tuple]]) -> tuple[list[str], int]:
    problems = []
    with cortexdb.open(home) as db:
        interrupted = len(db.archive.interrupted())
        db.archive.resume()
        state = graph_state(db)
        for name, rows in expected.items():
            if state[name] != rows:
                problems.append(f"{name}: {len(state[name])} rows (expected {len(rows)}) or changed")
        for tier in ("tier2", "tier3"):
            if db.execute(f"PRAGMA {tier}.integrity_check") != [("ok",)]:
                problems.append(f"{tier} integrity_check failed")
            if db.execute(f"PRAGMA {tier}.foreign_key_check"):
                problems.append(f"{tier} foreign_key_check failed")
    return problems, interrupted


def kill_after(script: str, home: Path, delay: float) -> None:
    """Run ``script`` on ``home``, wait for it to say ready, let it work ``delay`` s, SIGKILL it."""
    proc = subprocess.Popen([sys.executable, "-c", script, str(home)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if proc.stdout.readline().strip() != b"ready":
            raise RuntimeError(f"child failed to start: {proc.stderr.read().decode()}")
        time.sleep(delay)
        if proc.poll() is not None:
            raise RuntimeError(f"child died on its own: {proc.stderr.read().decode()}")
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
    parser.add_argument("--graph-trials", type=int, default=100, help="graph node archival trials (default 100)")
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
        graph_template = Path(tmp) / "graph-template"
        make_graph_template(graph_template)
        with cortexdb.open(graph_template) as db:
            expected = graph_state(db)
        graph_hits = 0
        for trial in range(args.graph_trials):
            home = Path(tmp) / "trial"
            shutil.copytree(graph_template, home)
            kill_after(GRAPH_CHILD, home, rng.uniform(0, args.max_delay))
            problems, interrupted = check_graph(home, expected)
            graph_hits += interrupted > 0
            if problems:
                failures += 1
                print(f"graph trial {trial}: " + "; ".join(problems))
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
    print(f"{args.trials} archival trials ({hits} killed mid-operation), {args.graph_trials} graph trials "
          f"({graph_hits} killed mid-operation), {args.export_trials} export trials: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
