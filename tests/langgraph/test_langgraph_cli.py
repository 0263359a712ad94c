"""``cortexdb langgraph threads | history | prune``: thin commands over CortexSaver."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner
from langgraph_helpers import put_chain

import cortexdb
from cortexdb.cli import main
from cortexdb.langgraph import CortexSaver


def test_threads_history_and_prune(tmp_path: Path) -> None:
    home = tmp_path / "s"
    with cortexdb.open(home) as db:
        saver = CortexSaver(db, keep_last=None)
        ids = put_chain(saver, "t1", 6)
        put_chain(saver, "t1", 2, ns="sub:1")
        put_chain(saver, "t2", 3)
    runner = CliRunner()

    def run(*args: str) -> Any:
        result = runner.invoke(main, ["--home", str(home), "--json", "langgraph", *args])
        assert result.exit_code == 0, result.output
        return orjson.loads(result.output)

    threads = {t["thread_id"]: t for t in run("threads")}
    assert threads["t1"]["checkpoints"] == 8 and threads["t1"]["namespaces"] == 2 and threads["t2"]["checkpoints"] == 3
    history = run("history", "t1", "--ns", "")
    assert [h["checkpoint_id"] for h in history] == ids[::-1]
    assert history[0]["step"] == 5 and history[0]["source"] == "loop" and history[0]["writes"] == 1
    assert history[0]["parent_checkpoint_id"] == ids[4] and history[0]["bytes"] > 100
    assert len(run("history", "t1")) == 8
    assert run("prune", "t1", "--keep", "2") == {"deleted_checkpoints": 4, "keep": 2}  # root 6 -> 2; sub:1 has 2
    assert run("prune", "--keep", "1") == {"deleted_checkpoints": 1 + 1 + 2, "keep": 1}
    assert run("prune", "t2", "--delete") == {"deleted_threads": 1}
    assert [t["thread_id"] for t in run("threads")] == ["t1"]

    table = runner.invoke(main, ["--home", str(home), "--table", "langgraph", "history", "t1"])
    assert table.exit_code == 0 and "checkpoints of t1" in table.output
    bad = runner.invoke(main, ["--home", str(home), "langgraph", "prune", "--delete"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    for args in (["langgraph", "--help"], ["langgraph", "threads", "--help"], ["langgraph", "history", "--help"],
                 ["langgraph", "prune", "--help"]):
        assert runner.invoke(main, args).exit_code == 0
