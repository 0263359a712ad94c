"""The working-memory CLI commands: thin reads over the library, with --help text."""

from __future__ import annotations

import orjson
from click.testing import CliRunner

import cortexdb
from cortexdb.cli import main


def test_conversation_task_and_memory_commands(tmp_path):
    home = tmp_path / "s"
    with cortexdb.open(home) as db:
        conv = db.conversations.start("Fix login bug")
        conv.add_message("user", "login fails on Safari")
        task = db.tasks.create("migrate auth", task_id="T-1")
        db.tasks.add_progress(task.task_id, "plan", 10)
        db.memory.set("k", {"v": 1}, namespace="ctx")
    runner = CliRunner()

    def run(*args: str) -> object:
        result = runner.invoke(main, ["--home", str(home), "--json", *args])
        assert result.exit_code == 0, result.output
        return orjson.loads(result.output)

    assert run("conversations", "recent")[0]["conversation_id"] == conv.conversation_id
    assert run("conversations", "search", "safari")[0]["snippet"] == "login fails on [Safari]"
    shown = run("conversations", "show", conv.conversation_id)
    assert shown["conversation"]["message_count"] == 1 and shown["messages"][0]["role"] == "user"
    assert run("tasks", "list", "--status", "pending")[0]["task_id"] == "T-1"
    assert run("tasks", "show", "T-1")["progress"][0]["phase"] == "plan"
    assert run("memory", "get", "k", "--namespace", "ctx")["value"] == {"v": 1}
    assert run("memory", "purge") == {"purged": 0}
    bad = runner.invoke(main, ["--home", str(home), "conversations", "search", '"', "--fts5"])
    assert bad.exit_code == 2 and "ValidationError" in bad.output
    missing = runner.invoke(main, ["--home", str(home), "conversations", "show", "nope"])
    assert missing.exit_code == 2 and "NotFoundError" in missing.output
    for group in ("conversations", "tasks", "memory"):
        assert runner.invoke(main, [group, "--help"]).exit_code == 0
