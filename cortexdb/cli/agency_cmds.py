"""``cortexdb agency tasks | waivers | verdicts | violations | provenance verify | metrics | slo |
alerts``: read the agency pack (``cortexdb init --module agency``) from the shell."""

from __future__ import annotations

import sys

import click

from . import Context, main, pass_ctx
from ._output import Section, emit, emit_document, output_options


@main.group()
def agency() -> None:
    """The agency pack: tasks, waivers, council verdicts, violations, signed provenance, monitoring."""


@agency.command("tasks")
@click.option("--status", help="Only tasks with this status (pending, running, completed, ...).")
@click.option("-n", "--limit", default=50, show_default=True, help="How many tasks.")
@output_options
@pass_ctx
def agency_tasks(ctx: Context, status: str | None, limit: int) -> None:
    """Tasks, newest first."""
    rows = ctx.store().agency.tasks(status=status, limit=limit)
    emit(rows, title="tasks",
         columns=["task_id", "status", "risk_tier", "description", "updated_at"])


@agency.command("waivers")
@click.option("--status", type=click.Choice(["active", "expired", "revoked", "all"]), default="active", show_default=True,
              help="active: in force now (not expired on the store's clock); else by stored status.")
@click.option("--gate", help="Only active waivers covering this gate.")
@click.option("-n", "--limit", default=100, show_default=True, help="How many waivers (stored-status listing).")
@output_options
@pass_ctx
def agency_waivers(ctx: Context, status: str, gate: str | None, limit: int) -> None:
    """Quality-gate waivers."""
    api = ctx.store().agency
    if status == "active":
        rows = api.list_active_waivers(gate=gate)
    else:
        rows = api.waivers(status=None if status == "all" else status, limit=limit)
    emit(rows, title="waivers",
         columns=["id", "title", "gates", "approved_by", "impact_level", "expires_at", "status"])


@agency.command("verdicts")
@click.argument("task")
@output_options
@pass_ctx
def agency_verdicts(ctx: Context, task: str) -> None:
    """Council verdicts on TASK (its task_id or id) and their consensus."""
    api = ctx.store().agency
    verdicts, consensus = api.verdicts(task), api.consensus(task)
    emit_document({"consensus": consensus, "verdicts": verdicts}, [
        Section("verdicts", verdicts, ["judge_type", "verdict", "confidence_score", "reasoning", "created_at"]),
        Section("consensus", {"verdict": consensus.verdict, "consensus_score": consensus.consensus_score,
                              "judges": consensus.judges})], flat="verdicts")


@agency.command("violations")
@click.option("--task", help="Only violations of this task (task_id or id).")
@click.option("--open", "state", flag_value="open", help="Only unresolved violations.")
@click.option("--resolved", "state", flag_value="resolved", help="Only resolved violations.")
@click.option("-n", "--limit", default=100, show_default=True, help="How many violations.")
@output_options
@pass_ctx
def agency_violations(ctx: Context, task: str | None, state: str | None, limit: int) -> None:
    """CAWS violations, newest first."""
    resolved = None if state is None else state == "resolved"
    rows = ctx.store().agency.violations(task, resolved=resolved, limit=limit)
    emit(rows, title="violations",
         columns=["id", "rule", "severity", "resolved", "description", "created_at"])


@agency.group("provenance")
def agency_provenance() -> None:
    """Signed provenance records."""


@agency_provenance.command("verify")
@click.argument("verdict_id", required=False)
@output_options
@pass_ctx
def agency_provenance_verify(ctx: Context, verdict_id: str | None) -> None:
    """Check the signature of every record (or VERDICT_ID); exit 1 if any does not verify."""
    report = ctx.store().agency.verify_provenance(verdict_id)
    emit_document(report, [Section(f"provenance: {report.checked} record(s) checked, "
                                   f"{'all verify' if report.ok else 'FAILED'}",
                                   [{"verdict_id": f.verdict_id, "problem": f.problem} for f in report.failures])])
    if not report.ok:
        sys.exit(1)


@agency.command("metrics")
@click.argument("metric_name", required=False)
@click.option("-n", "--limit", default=100, show_default=True, help="How many samples.")
@output_options
@pass_ctx
def agency_metrics(ctx: Context, metric_name: str | None, limit: int) -> None:
    """System metric samples, newest first (of METRIC_NAME if given)."""
    rows = ctx.store().agency.metrics(metric_name, limit=limit)
    emit(rows, title="metrics",
         columns=["metric_name", "metric_value", "labels", "collected_at"])


@agency.command("slo")
@click.option("--hours", default=24.0, show_default=True, help="The window, in hours of the store's clock.")
@output_options
@pass_ctx
def agency_slo(ctx: Context, hours: float) -> None:
    """SLO compliance per objective: average and minimum over the window."""
    emit(ctx.store().agency.slo_compliance(hours=hours), title="SLO compliance")


@agency.command("alerts")
@click.option("--status", type=click.Choice(["active", "acknowledged", "resolved"]), help="Only alerts with this status.")
@click.option("-n", "--limit", default=100, show_default=True, help="How many alerts.")
@output_options
@pass_ctx
def agency_alerts(ctx: Context, status: str | None, limit: int) -> None:
    """Alerts, newest first."""
    rows = ctx.store().agency.alerts(status=status, limit=limit)
    emit(rows, title="alerts",
         columns=["id", "severity", "status", "title", "source", "subject", "created_at"])
