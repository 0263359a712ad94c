"""The cortexdb command: every command documented, the main commands work end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import orjson
from click.testing import CliRunner

from cortexdb.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _commands(command: click.Command, path: str = "cortexdb") -> list[tuple[str, click.Command]]:
    out = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            out += _commands(sub, f"{path} {name}")
    return out


def test_every_command_and_option_has_help() -> None:
    for path, command in _commands(main):
        assert command.help, f"{path} has no help text"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{path} {param.opts} has no help text"


def test_cli_reference_is_current() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "cli_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_init_status_query_backup(tmp_path: Path) -> None:
    runner = CliRunner()
    home = str(tmp_path / "s")
    result = runner.invoke(main, ["--home", home, "--json", "init"])
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.output)["role"] == "staging"
    result = runner.invoke(main, ["--home", home, "--json", "status"])
    assert result.exit_code == 0
    assert [t["name"] for t in orjson.loads(result.output)["tiers"]] == ["tier0", "tier1", "tier2", "tier3"]
    assert runner.invoke(main, ["--home", home, "status"]).exit_code == 0
    result = runner.invoke(main, ["--home", home, "--json", "query", "SELECT ? + 1 AS n", "-p", "41"])
    assert orjson.loads(result.output) == [{"n": 42}]
    result = runner.invoke(main, ["--home", home, "query", "DELETE FROM store_identity"])
    assert result.exit_code == 2 and "ReadOnlyError" in result.output
    result = runner.invoke(main, ["--home", home, "--json", "backup", str(tmp_path / "bk")])
    assert result.exit_code == 0 and len(orjson.loads(result.output)) == 4
    result = runner.invoke(main, ["--home", home, "restore", "--tier", "tier1", "--yes", str(tmp_path / "bk" / "tier1.db")])
    assert result.exit_code == 0, result.output


def test_migrate_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    home = str(tmp_path / "s")
    result = runner.invoke(main, ["--home", home, "--json", "migrate", "status"])
    assert result.exit_code == 2 and orjson.loads(result.output)["error"]["type"] == "NoStore"
    assert not Path(home).exists()  # reading created nothing
    result = runner.invoke(main, ["--home", home, "--json", "migrate", "up"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["--home", home, "--json", "migrate", "status"])
    assert {m["state"] for m in orjson.loads(result.output)} == {"applied"}
    result = runner.invoke(main, ["--home", home, "migrate", "rollback", "cortex", "--tier", "tier2"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["--home", home, "--json", "migrate", "up", "--dry-run"])
    assert [m["module"] for m in orjson.loads(result.output)] == ["cortex"]
    result = runner.invoke(main, ["--home", home, "--json", "migrate", "create", "mypack", "tier2", "add_things",
                                  "--schema-dir", str(tmp_path / "schema")])
    created = Path(orjson.loads(result.output)["created"])
    assert created.name == "0001_add_things.sql" and "-- down" in created.read_text()
    result = runner.invoke(main, ["--home", home, "migrate", "create", "Bad Name", "tier2", "x"])
    assert result.exit_code == 2 and "ValidationError" in result.output


def test_demo_runs_on_a_temporary_store() -> None:
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "opened store" in result.output and "refused" in result.output


def test_refused_store_gives_one_line_error(tmp_path: Path) -> None:
    home = tmp_path / "s"
    home.mkdir()
    (home / "tier0.db").write_text("not a database at all" * 10)
    result = CliRunner().invoke(main, ["--home", str(home), "status"])
    assert result.exit_code == 2 and result.output.startswith("error: StoreFileError")
