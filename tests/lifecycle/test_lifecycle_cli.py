"""The lifecycle CLI: retention, archive, maintain, health (JSON output and exit codes)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from lifecycle_helpers import populate

import cortexdb
from cortexdb.cli import main


def run(home, *args, code=0):
    result = CliRunner().invoke(main, ["--home", str(home), "--json", *args])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_cli_round_trip(tmp_path):
    home = tmp_path / "s"
    with cortexdb.open(home) as db:
        populate(db, 25, 2, status="done")
    assert run(home, "retention", "evaluate")["dry_run"] is True
    out = run(home, "archive", "run")
    by = {f["table"]: f for f in out["retention"]["findings"]}
    assert by["conversations"]["affected"] == 5
    assert len(run(home, "archive", "list")) == 5
    assert run(home, "archive", "restore", "c00000")["keys"] == 1
    info = run(home, "archive", "export", "b1")
    assert info["tables"]["archived_conversations"] == 4
    assert run(home, "archive", "verify", info["path"])["ok"] is True
    assert run(home, "archive", "import", info["path"])["tables"]["archived_messages"]["inserted"] == 0
    assert run(home, "archive", "bundles") == [{"bundle": "b1"}]
    assert run(home, "maintain", "--tier", "tier3")["status"] == "success"
    assert run(home, "health", "--fix")["overall_status"] in ("excellent", "good")
    assert run(home, "retention", "set", "conversations", "--keep-last-n", "50")["keep_last_n"] == 50
    # a damaged bundle: verify exits 1 and names the file
    target = next(p for p in (home / "cold" / "b1").iterdir() if p.name.startswith("archived_messages"))
    data = bytearray(target.read_bytes())
    data[-3] ^= 0xFF
    target.write_bytes(bytes(data))
    report = run(home, "archive", "verify", info["path"], code=1)
    assert report["first"].startswith("archived_messages.jsonl.zst")


def test_cli_health_critical_exits_nonzero(tmp_path):
    from cortexdb.lifecycle import health

    home = tmp_path / "s"
    cortexdb.open(home).close()

    @health.register_check("critical_for_cli_test", "database")
    def boom(store):
        return [health.Issue("database", "critical", "synthetic")]
    try:
        assert run(home, "health", code=1)["overall_status"] == "critical"
    finally:
        health.CHECKS.pop("critical_for_cli_test")


def test_every_lifecycle_command_has_help():
    for path in (["retention"], ["retention", "evaluate"], ["retention", "apply"], ["retention", "set"], ["archive"],
                 ["archive", "run"], ["archive", "export"], ["archive", "verify"], ["archive", "import"],
                 ["archive", "list"], ["archive", "restore"], ["maintain"], ["health"]):
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0 and len(result.output) > 80
