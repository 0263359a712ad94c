"""`cortexdb init --module grace` and `cortexdb schema list --module grace` on a real store."""

from __future__ import annotations

import collections
from pathlib import Path

import orjson
from click.testing import CliRunner

from cortexdb.cli import main


def test_init_module_and_schema_list(tmp_path: Path) -> None:
    home = str(tmp_path / "store")
    runner = CliRunner()
    init = runner.invoke(main, ["--home", home, "init", "--module", "grace", "--json"])
    assert init.exit_code == 0, init.output
    assert "grace" in orjson.loads(init.stdout)["modules"]
    listed = runner.invoke(main, ["--home", home, "schema", "list", "--module", "grace", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = orjson.loads(listed.stdout)
    assert len(rows) == 81 and all(r["rows"] == 0 for r in rows)
    assert collections.Counter(r["component"] for r in rows)["Learning"] == 15
    assert rows[0]["component"] == "Core" and rows[-1]["component"] == "Common"
    everything = orjson.loads(runner.invoke(main, ["--home", home, "schema", "list", "--json"]).stdout)
    assert {r["module"] for r in everything} == {"core", "cortex", "governance", "grace"}
    missing = runner.invoke(main, ["--home", str(tmp_path / "plain"), "init"])
    assert missing.exit_code == 0
    refused = runner.invoke(main, ["--home", str(tmp_path / "plain"), "schema", "list", "--module", "grace"])
    assert refused.exit_code == 2 and "not enabled" in refused.output
