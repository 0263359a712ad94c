"""``cortexdb demo``: the main job end to end on a real store, growing as capabilities land.

Each step is a function taking the open store and an ``echo``; areas append theirs to STEPS.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .store import Store, open as open_store

Echo = Callable[[str], None]


def step_store(db: Store, echo: Echo) -> None:
    status = db.status()
    echo(f"opened store {status.store_id} at {status.home} (role {status.role})")
    for tier in status.tiers:
        echo(f"  {tier.name}: {len(tier.row_counts)} tables, schema "
             + ", ".join(f"{m}@{v}" for m, v in tier.schema_versions.items()))


def step_query(db: Store, echo: Echo) -> None:
    rows = db.query("SELECT tier, count(*) AS tables FROM cortexdb_schema WHERE type = 'table' GROUP BY tier")
    echo("read-only SQL across tiers: " + ", ".join(f"{r['tier']}={r['tables']} tables" for r in rows))
    try:
        db.query("DELETE FROM conversations")
    except Exception as error:  # noqa: BLE001 - showing the refusal is the point
        echo(f"a write through db.query is refused: {type(error).__name__}")


def step_memory(db: Store, echo: Echo) -> None:
    conv = db.conversations.start("Fix login bug", session_id="demo-session", metadata={"repo": "web"})
    conv.add_message("user", "login fails on Safari", metadata={"path": "web/login.ts"})
    conv.add_messages([("assistant", "Safari blocks the third-party session cookie; reading web/login.ts"),
                       ("user", "can we use a first-party cookie instead?")])
    conv.log_action(turn=1, action_type="retrieval", description="read web/login.ts", metadata={"lines": 120})
    conv.snapshot(turn=1, state={"open_files": ["web/login.ts"], "hypothesis": "cookie policy"})
    conv.set_status("in_progress")
    info = db.conversations.get(conv.conversation_id)
    echo(f"logged conversation {info.title!r}: {info.message_count} messages, status {info.task_status}")
    hits = db.conversations.search("safari cookie")
    echo(f"recalled by search('safari cookie'): {len(hits)} hit(s); best: {hits[0].snippet}" if hits else "no hits")
    resumed = db.conversations.resume(conv.conversation_id)
    echo(f"resumed at turn {resumed.latest_snapshot().turn_number} with state {resumed.latest_snapshot().state}")
    task = db.tasks.create("switch login to a first-party cookie", risk_tier=2)
    db.tasks.update_status(task.task_id, "running")
    db.tasks.add_progress(task.task_id, "plan", 40.0, "drafted")
    echo(f"task {task.task_id[:13]}… is {db.tasks.get(task.task_id).status}, "
         f"progress {db.tasks.progress(task.task_id)[-1].progress_percentage}%")
    db.memory.set("current_file", "web/login.ts", ttl=3600, namespace="ctx")
    echo(f"TTL memory ctx/current_file = {db.memory.get('current_file', namespace='ctx')!r} (expires in 1 h)")


STEPS: list[Callable[[Store, Echo], None]] = [step_store, step_query, step_memory]


def run_demo(home: Path, *, echo: Echo = print) -> None:
    """Open (creating) the store at ``home`` and run every demo step."""
    with open_store(home) as db:
        for step in STEPS:
            echo("")
            step(db, echo)
