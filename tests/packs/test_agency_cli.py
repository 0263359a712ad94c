"""``cortexdb init --module agency`` and ``cortexdb agency ...`` over a real store."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import cortexdb
from cortexdb.cli import main


def run(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.output


def test_init_module_then_every_agency_command(tmp_path: Path) -> None:
    home = tmp_path / "s"
    code, out = run(home, "--json", "init", "--module", "agency")
    assert code == 0 and "agency" in json.loads(out)["modules"]
    with cortexdb.open(home) as db:  # recorded: no modules= needed
        api = db.agency
        api.create_task("Ship", task_id="SHIP")
        api.update_task_status("SHIP", "running")
        api.record_verdict("SHIP", "security", "approve", confidence_score=0.9)
        api.record_violation("SHIP", "scope", "medium")
        api.create_waiver(title="w", reason="r", description="d", gates=["lint"], approved_by="lead", mitigation_plan="m",
                          expires_at="2999-01-01 00:00:00")
        record = api.record_provenance("SHIP", "merge", {"ok": True}, 0.9, caws_compliance={"passed": True})
        api.record_metric("queue", 3)
        api.record_slo("availability", target_value=100, actual_value=97)
        api.raise_alert("slo_breach", "high", "availability low", source="slo", subject="availability")
    expectations = {
        ("agency", "tasks", "--status", "running"): "SHIP",
        ("agency", "waivers"): "lint",
        ("agency", "verdicts", "SHIP"): "approve",
        ("agency", "violations", "--open"): "scope",
        ("agency", "metrics", "queue"): "queue",
        ("agency", "slo"): "97.0",
        ("agency", "alerts", "--status", "active"): "availability low",
    }
    for args, needle in expectations.items():
        code, out = run(home, "--json", *args)
        assert code == 0 and needle in out, (args, out)
        code, out = run(home, *args)
        assert code == 0 and "Traceback" not in out, (args, out)
    code, out = run(home, "--table", "agency", "provenance", "verify")
    assert code == 0 and "1 record(s) checked, all verify" in out
    with cortexdb.open(home) as db, db.transaction():
        db.execute("UPDATE tier2.provenance_records SET decision_data = '{\"ok\":false}'")
    code, out = run(home, "--table", "agency", "provenance", "verify")
    assert code == 1 and "FAILED" in out and record.verdict_id in out
    code, out = run(home, "--json", "agency", "provenance", "verify", record.verdict_id)
    assert code == 1 and json.loads(out)["ok"] is False


def test_errors_are_one_line(tmp_path: Path) -> None:
    home = tmp_path / "plain"
    run(home, "init")
    code, out = run(home, "agency", "waivers")
    assert code == 2 and "agency pack is not enabled" in out and "Traceback" not in out
    run(home, "init", "--module", "agency")
    code, out = run(home, "agency", "verdicts", "no-such-task")
    assert code == 2 and "NotFoundError" in out
    code, out = run(home, "init", "--module", "nosuch")
    assert code == 2 and "no schema module named nosuch" in out
