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


def step_lifecycle(db: Store, echo: Echo) -> None:
    import uuid

    cid = f"demo-{uuid.uuid4().hex[:8]}"
    with db.transaction():
        db.execute("INSERT INTO tier1.conversations (conversation_id, title, session_id, task_status) VALUES (?, ?, ?, 'done')",
                   (cid, "demo conversation", cid))
        db.execute("INSERT INTO tier1.messages (conversation_id, role, content) VALUES (?, 'user', 'hello archive')", (cid,))
    evaluation = db.retention.evaluate()
    echo(f"retention dry run: {len(evaluation.findings)} policies, {evaluation.violations} violation(s)")
    moved = db.archive.move("conversations", [cid])
    echo(f"archived {cid}: {moved.rows} rows moved to tier 3 (operation {moved.operations})")
    info = db.archive.export(f"demo-{uuid.uuid4().hex[:8]}", tables=["archived_conversations", "archived_messages"])
    echo(f"exported bundle {info.name}: {info.rows} rows, verify ok={db.archive.verify(info.path).ok}")
    db.archive.restore("conversations", [cid])
    report = db.health.review()
    echo(f"health review: {report.overall_status} (score {report.overall_score:.2f}, {len(report.issues)} issue(s))")


STEPS: list[Callable[[Store, Echo], None]] = [step_store, step_query, step_lifecycle]


def run_demo(home: Path, *, echo: Echo = print) -> None:
    """Open (creating) the store at ``home`` and run every demo step."""
    with open_store(home) as db:
        for step in STEPS:
            echo("")
            step(db, echo)
