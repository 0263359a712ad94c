"""``cortexdb conversations recent | search | show``, ``cortexdb tasks list | show``,
``cortexdb memory get | purge``: read working memory from the shell."""

from __future__ import annotations

import click

from . import Context, main, pass_ctx
from ._output import emit


@main.group()
def conversations() -> None:
    """Conversations in working memory (tier 1)."""


@conversations.command("recent")
@click.option("-n", "--limit", default=20, show_default=True, help="How many conversations.")
@click.option("--archived", is_flag=True, help="Include conversations flagged archived.")
@pass_ctx
def conversations_recent(ctx: Context, limit: int, archived: bool) -> None:
    """Most recently updated conversations first."""
    rows = ctx.store().conversations.recent(limit, include_archived=archived)
    emit(rows, as_json=ctx.as_json, title="conversations",
         columns=None if ctx.as_json else ["conversation_id", "title", "message_count", "task_status", "last_updated"])


@conversations.command("search")
@click.argument("query")
@click.option("-n", "--limit", default=20, show_default=True, help="How many hits.")
@click.option("--fts5", is_flag=True, help="QUERY is an FTS5 expression (phrases, OR, NEAR, prefix*).")
@click.option("--per-conversation", is_flag=True, help="Only the best hit of each conversation.")
@pass_ctx
def conversations_search(ctx: Context, query: str, limit: int, fts5: bool, per_conversation: bool) -> None:
    """Full-text search over message content and titles (bm25, best first)."""
    hits = ctx.store().conversations.search(query, limit=limit, syntax="fts5" if fts5 else "plain",
                                            per_conversation=per_conversation)
    emit(hits, as_json=ctx.as_json, title="hits",
         columns=None if ctx.as_json else ["conversation_id", "title", "message_id", "role", "snippet"])


@conversations.command("show")
@click.argument("conversation_id")
@click.option("-n", "--limit", type=int, help="Only the last N messages.")
@pass_ctx
def conversations_show(ctx: Context, conversation_id: str, limit: int | None) -> None:
    """One conversation: its row, then its messages in order."""
    store = ctx.store()
    info = store.conversations.get(conversation_id)
    messages = store.conversations.messages(conversation_id, limit=limit, newest=limit is not None)
    if ctx.as_json:
        emit({"conversation": info, "messages": messages}, as_json=True)
        return
    emit(info, as_json=False, title="conversation")
    emit(messages, as_json=False, title="messages", columns=["id", "role", "content", "created_at"])


@main.group()
def tasks() -> None:
    """Tasks with their status, progress and artifacts (tier 1)."""


@tasks.command("list")
@click.option("--status", help="Only tasks in this status (pending, running, paused, completed, ...).")
@click.option("-n", "--limit", default=50, show_default=True, help="How many tasks.")
@pass_ctx
def tasks_list(ctx: Context, status: str | None, limit: int) -> None:
    """Tasks, newest first."""
    emit(ctx.store().tasks.list(status=status, limit=limit), as_json=ctx.as_json, title="tasks",
         columns=None if ctx.as_json else ["task_id", "status", "risk_tier", "description", "updated_at"])


@tasks.command("show")
@click.argument("task_id")
@pass_ctx
def tasks_show(ctx: Context, task_id: str) -> None:
    """One task with its progress updates and artifacts."""
    store = ctx.store()
    task, progress, artifacts = store.tasks.get(task_id), store.tasks.progress(task_id), store.tasks.artifacts(task_id)
    if ctx.as_json:
        emit({"task": task, "progress": progress, "artifacts": artifacts}, as_json=True)
        return
    emit(task, as_json=False, title="task")
    emit(progress, as_json=False, title="progress", columns=["phase", "progress_percentage", "message", "created_at"])
    emit(artifacts, as_json=False, title="artifacts", columns=["artifact_type", "content", "created_at"])


@main.group("memory")
def memory_group() -> None:
    """TTL key/value memory (tier 1)."""


@memory_group.command("get")
@click.argument("key")
@click.option("--namespace", default="default", show_default=True, help="The key's namespace.")
@pass_ctx
def memory_get(ctx: Context, key: str, namespace: str) -> None:
    """A key with its value, expiry and access count (a miss prints nothing found)."""
    entry = ctx.store().memory.entry(key, namespace=namespace)
    if entry is None:
        click.echo(f"{namespace}/{key}: not found (missing or expired)", err=True)
        raise SystemExit(1)
    emit(entry, as_json=ctx.as_json, title="memory")


@memory_group.command("purge")
@pass_ctx
def memory_purge(ctx: Context) -> None:
    """Delete every expired key."""
    emit({"purged": ctx.store().memory.purge_expired()}, as_json=ctx.as_json, title="memory")
