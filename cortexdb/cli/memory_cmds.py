"""``cortexdb memory set | get | list | delete | purge`` (TTL key/value memory) and
``cortexdb tasks create | update | progress | list | show``: working memory from the shell."""

from __future__ import annotations

from typing import Any

import click

from . import Context, main, pass_ctx
from ._errors import EXIT_NO, CliError
from ._input import input_option, parse_json, read_text, records_or_arguments
from ._output import Section, emit, emit_document, output_options, to_json

# -- memory -----------------------------------------------------------------------------------------

ENTRY_COLUMNS = ["namespace", "key", "value", "value_type", "expires_at", "access_count", "updated_at"]


@main.group("memory")
def memory_group() -> None:
    """TTL key/value memory (tier 1)."""


@memory_group.command("set")
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.option("--ttl", type=float, help="Seconds until the key expires (default: never).")
@click.option("--namespace", default="default", show_default=True, help="The key's namespace.")
@click.option("-J", "--json-value", is_flag=True, help="VALUE is JSON (a number, list, object, ...), not text.")
@input_option
@output_options
@pass_ctx
def memory_set(ctx: Context, key: str | None, value: str | None, ttl: float | None, namespace: str, json_value: bool,
               input_path: str | None) -> None:
    """Store VALUE under KEY (VALUE - reads stdin); with -i, records {key, value, ttl, namespace}."""
    text = read_text("-") if value == "-" else value
    given = parse_json("VALUE", text) if json_value and text is not None else text
    records = records_or_arguments(input_path, {"key": key, "value": given, "ttl": ttl, "namespace": namespace},
                                   required=("key", "value"))
    memory = ctx.store(create=True).memory
    for r in records:
        memory.set(r["key"], r["value"], ttl=r["ttl"], namespace=r["namespace"])
    emit([memory.entry(r["key"], namespace=r["namespace"]) for r in records], title="memory", columns=ENTRY_COLUMNS)


@memory_group.command("get")
@click.argument("key")
@click.option("--namespace", default="default", show_default=True, help="The key's namespace.")
@click.option("--value", "value_only", is_flag=True, help="Print only the value (text as is, anything else as JSON).")
@output_options
@pass_ctx
def memory_get(ctx: Context, key: str, namespace: str, value_only: bool) -> None:
    """A key with its value, expiry and access count; a miss exits 1."""
    entry = ctx.store().memory.entry(key, namespace=namespace)
    if entry is None:
        raise CliError(f"{namespace}/{key}: not found (missing or expired); see `cortexdb memory list`",
                       kind="NotFound", exit_code=EXIT_NO)
    if value_only:
        click.echo(entry.value if isinstance(entry.value, str) else to_json(entry.value).decode())
    else:
        emit(entry, title="memory")


@memory_group.command("list")
@click.option("--namespace", default="default", show_default=True, help="The namespace to list.")
@click.option("--prefix", default="", help="Only keys starting with this.")
@click.option("--namespaces", "list_namespaces", is_flag=True, help="List the namespaces and their key counts instead.")
@output_options
@pass_ctx
def memory_list(ctx: Context, namespace: str, prefix: str, list_namespaces: bool) -> None:
    """Unexpired keys of a namespace with their values, sorted by key."""
    memory = ctx.store().memory
    if list_namespaces:
        emit([{"namespace": n, "keys": k} for n, k in memory.namespaces().items()], title="namespaces")
        return
    entries = [memory.entry(k, namespace=namespace) for k in memory.keys(namespace=namespace, prefix=prefix)]
    emit([e for e in entries if e is not None], title=f"memory {namespace}", columns=ENTRY_COLUMNS)


@memory_group.command("delete")
@click.argument("keys", nargs=-1, required=True)
@click.option("--namespace", default="default", show_default=True, help="The keys' namespace.")
@output_options
@pass_ctx
def memory_delete(ctx: Context, keys: tuple[str, ...], namespace: str) -> None:
    """Remove KEYS; each row says whether the key was there."""
    memory = ctx.store().memory
    emit([{"namespace": namespace, "key": k, "deleted": memory.delete(k, namespace=namespace)} for k in keys],
         title="deleted")


@memory_group.command("purge")
@output_options
@pass_ctx
def memory_purge(ctx: Context) -> None:
    """Delete every expired key."""
    emit({"purged": ctx.store().memory.purge_expired()}, title="memory")


# -- tasks ------------------------------------------------------------------------------------------

TASK_COLUMNS = ["task_id", "status", "risk_tier", "description", "updated_at"]


@main.group()
def tasks() -> None:
    """Tasks with their status, progress and artifacts (tier 1)."""


@tasks.command("create")
@click.argument("description", required=False)
@click.option("--id", "task_id", help="Your key for the task (default: task-<uuid>).")
@click.option("--risk-tier", type=click.IntRange(1, 3), default=2, show_default=True, help="CAWS risk tier, 1-3.")
@click.option("--mode", "execution_mode", default="auto", show_default=True, help="Execution mode (up to 20 chars).")
@click.option("--metadata", help="A JSON object stored with the task.")
@input_option
@output_options
@pass_ctx
def tasks_create(ctx: Context, description: str | None, task_id: str | None, risk_tier: int, execution_mode: str,
                 metadata: str | None, input_path: str | None) -> None:
    """Create a pending task; with -i, records {description, task_id, risk_tier, execution_mode, metadata}."""
    records = records_or_arguments(input_path, {
        "description": description, "task_id": task_id, "risk_tier": risk_tier, "execution_mode": execution_mode,
        "metadata": None if metadata is None else parse_json("--metadata", metadata)}, required=("description",))
    store = ctx.store(create=True)
    emit([store.tasks.create(r["description"], task_id=r["task_id"], risk_tier=r["risk_tier"],
                             execution_mode=r["execution_mode"], metadata=r["metadata"]) for r in records],
         title="tasks", columns=TASK_COLUMNS)


@tasks.command("update")
@click.argument("task_id")
@click.argument("status")
@click.option("--error", help="Error message, for status failed or cancelled.")
@output_options
@pass_ctx
def tasks_update(ctx: Context, task_id: str, status: str, error: str | None) -> None:
    """Move TASK_ID to STATUS (pending, running, paused, completed, failed, cancelled)."""
    emit(ctx.store().tasks.update_status(task_id, status, error=error), title="task")


@tasks.command("progress")
@click.argument("task_id")
@click.argument("phase")
@click.argument("percent", type=float, required=False)
@click.option("-m", "--message", help="What happened in this phase.")
@output_options
@pass_ctx
def tasks_progress(ctx: Context, task_id: str, phase: str, percent: float | None, message: str | None) -> None:
    """Record progress of TASK_ID in PHASE, optionally PERCENT done (0-100)."""
    emit(ctx.store().tasks.add_progress(task_id, phase, percent, message), title="progress")


@tasks.command("list")
@click.option("--status", help="Only tasks in this status (pending, running, paused, completed, ...).")
@click.option("-n", "--limit", default=50, show_default=True, help="How many tasks.")
@output_options
@pass_ctx
def tasks_list(ctx: Context, status: str | None, limit: int) -> None:
    """Tasks, newest first."""
    emit(ctx.store().tasks.list(status=status, limit=limit), title="tasks", columns=TASK_COLUMNS)


@tasks.command("show")
@click.argument("task_id")
@output_options
@pass_ctx
def tasks_show(ctx: Context, task_id: str) -> None:
    """One task with its progress updates and artifacts (CSV: the progress rows)."""
    store = ctx.store()
    task, progress, artifacts = store.tasks.get(task_id), store.tasks.progress(task_id), store.tasks.artifacts(task_id)
    document: dict[str, Any] = {"task": task, "progress": progress, "artifacts": artifacts}
    emit_document(document, [
        Section("task", task),
        Section("progress", progress, ["phase", "progress_percentage", "message", "created_at"]),
        Section("artifacts", artifacts, ["artifact_type", "content", "created_at"])], flat="progress")
