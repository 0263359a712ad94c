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


STEPS: list[Callable[[Store, Echo], None]] = [step_store, step_query]


def run_demo(home: Path, *, echo: Echo = print) -> None:
    """Open (creating) the store at ``home`` and run every demo step."""
    with open_store(home) as db:
        for step in STEPS:
            echo("")
            step(db, echo)
