"""Governance CLI: every command and option documented; boundary, plugins and authority commands."""

from __future__ import annotations

from pathlib import Path

import click
import orjson
from click.testing import CliRunner

import cortexdb
from cortexdb.cli import main

GROUPS = ("audit", "doctor", "boundary", "plugins", "authority")


def walk(command: click.Command, path: str = ""):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from walk(sub, f"{path} {name}".strip())


def test_every_governance_command_and_option_has_help() -> None:
    for group in GROUPS:
        for path, command in walk(main.commands[group], group):
            assert command.help, f"{path} has no help text"
            for param in command.params:
                if isinstance(param, click.Option) and param.name != "yes":
                    assert param.help, f"{path} option {param.name} has no help"


def test_boundary_plugins_and_authority_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    home = tmp_path / "s"
    ws = tmp_path / "ws"
    ws.mkdir()
    base = ["--home", str(home)]
    assert runner.invoke(main, [*base, "boundary", "set-root", str(ws)]).exit_code == 0
    added = runner.invoke(main, [*base, "--json", "boundary", "add-rule", "deny", "**/.env", "--op", "read"])
    assert added.exit_code == 0 and '"effect": "deny"' in added.output
    assert runner.invoke(main, [*base, "boundary", "check", "src/a.py"]).exit_code == 0
    assert runner.invoke(main, [*base, "boundary", "check", "a/.env"]).exit_code == 1
    assert runner.invoke(main, [*base, "boundary", "check", "/etc/passwd", "--op", "write"]).exit_code == 1
    events = runner.invoke(main, [*base, "--json", "boundary", "events", "--denied"])
    assert events.exit_code == 0 and [e["allowed"] for e in orjson.loads(events.output)] == [0, 0]
    assert "**/.env" in runner.invoke(main, [*base, "boundary", "rules"]).output
    with cortexdb.open(home) as db:
        db.plugins.register("p1", "P1", "1", "c", 0, ["h"], [], lambda h, c: 1)
        db.plugins.run_hook("h")
    assert runner.invoke(main, [*base, "plugins", "disable", "p1"]).exit_code == 0
    listed = runner.invoke(main, [*base, "--json", "plugins", "list"])
    assert [p["enabled"] for p in orjson.loads(listed.output)] == [False]
    executions = orjson.loads(runner.invoke(main, [*base, "--json", "plugins", "executions"]).output)
    assert "success" in [e["status"] for e in executions]
    assert runner.invoke(main, [*base, "plugins", "enable", "nope"]).exit_code == 2
    shown = runner.invoke(main, [*base, "--json", "authority", "show"])
    assert '"recorded_role": "staging"' in shown.output
    replica = tmp_path / "replica"
    assert runner.invoke(main, [*base, "authority", "make-replica", str(replica)]).exit_code == 0
    assert '"role_in_force": "replica"' in runner.invoke(main, ["--home", str(replica), "--json", "authority", "show"]).output
    assert runner.invoke(main, ["--home", str(replica), "boundary", "add-rule", "allow", "*"]).exit_code == 2
    changed = runner.invoke(main, [*base, "authority", "set-role", "prod", "--current", "staging", "--yes"])
    assert changed.exit_code == 0, changed.output
    assert runner.invoke(main, [*base, "status"]).exit_code == 2          # prod must be declared
    assert runner.invoke(main, [*base, "audit", "tables", "--disable", "boundary_events"],
                         env={"CORTEXDB_ROLE": "prod"}).exit_code == 0
