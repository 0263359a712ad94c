"""A real StateGraph (loop + interrupt) on CortexSaver across process restarts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

APP = Path(__file__).with_name("graph_app.py")


def app(store: Path, action: str, thread: str, *extra: str) -> Any:
    done = subprocess.run([sys.executable, str(APP), str(store), action, thread, *extra], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return orjson.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_graph_interrupts_resumes_after_restart_and_reads_history(tmp_path: Path) -> None:
    store = tmp_path / "store"
    started = app(store, "start", "t1")
    assert started["interrupts"] == [{"question": "approve after 5 steps?"}]
    assert started["next"] == ["review"]

    resumed = app(store, "resume", "t1")  # a new process: state comes from the store only
    assert resumed == {"count": 5, "log": [f"work {i}" for i in range(1, 6)] + ["review yes"], "approved": True}

    history = app(store, "history", "t1")
    assert history["steps"] == list(range(6, -2, -1))  # input (-1), five loop steps, the review step
    assert history["counts"][0] == 5 and history["next"][0] == []
    assert ["review"] in history["next"]


@pytest.mark.slow
def test_graph_with_retention_keeps_last_n_and_still_resumes(tmp_path: Path) -> None:
    store = tmp_path / "store"
    app(store, "start", "t2", "3")
    assert app(store, "resume", "t2", "3")["count"] == 5
    history = app(store, "history", "t2", "3")
    assert history["steps"] == [6, 5, 4]  # only the newest three checkpoints stay
    assert history["counts"] == [5, 5, 4]
