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


def step_governance(db: Store, echo: Echo) -> None:
    from .governance import doctor

    workspace = db.home / "demo-workspace"
    workspace.mkdir(exist_ok=True)
    db.boundary.set_root(workspace)
    db.boundary.add_rule("deny", "**/.env")
    for path in ("src/app.py", "../../etc/passwd", "config/.env"):
        decision = db.boundary.check(path, "read")
        echo(f"boundary: read {path!r} -> {'allowed' if decision.allowed else 'denied'} ({decision.reason})")
    db.plugins.register("word-count", "Word count", "1.0", "demo", 10, ["on_note"], [],
                        lambda hook, context: {"words": len(str(context.get("text", "")).split())})
    (run,) = db.plugins.run_hook("on_note", {"text": "audited and hash chained"})
    echo(f"plugin word-count on_note -> {run.status} {run.result}")
    decision = db.audit.record_decision("retention", "tier1.messages", "approved", decided_by="demo")
    try:
        db.execute("UPDATE tier0.governance_decisions SET decision = 'rejected' WHERE decision_id = ?",
                   (decision.decision_id,))
    except Exception as error:  # noqa: BLE001 - showing the refusal is the point
        echo(f"changing a governance decision is refused: {type(error).__name__}")
    report = db.audit.verify()
    echo("audit chains: " + ", ".join(f"{t.tier}={t.rows_checked} rows {'ok' if t.ok else 'BROKEN'}"
                                      for t in report.tiers))
    echo(f"doctor: {doctor.check(db).status}; role in force: {db.role}")


STEPS: list[Callable[[Store, Echo], None]] = [step_store, step_query, step_governance]


def run_demo(home: Path, *, echo: Echo = print) -> None:
    """Open (creating) the store at ``home`` and run every demo step."""
    with open_store(home) as db:
        for step in STEPS:
            echo("")
            step(db, echo)
