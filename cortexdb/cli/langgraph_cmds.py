"""``cortexdb langgraph threads | history THREAD | prune``: LangGraph threads kept by CortexSaver.

Needs the ``cortexdb[langgraph]`` extra (the commands use the saver itself, not a copy of its SQL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from . import Context, main, pass_ctx
from ._errors import CliError
from ._output import emit, output_options

if TYPE_CHECKING:
    from ..langgraph import CortexSaver


def _saver(ctx: Context, keep: int | None = None) -> CortexSaver:
    try:
        from ..langgraph import CortexSaver
    except ModuleNotFoundError as error:
        raise CliError(f"the LangGraph commands need the langgraph extra ({error}); "
                       "install it with pip install 'cortexdb[langgraph]'", kind="MissingExtra") from error
    store = ctx.store()
    return CortexSaver(store) if keep is None else CortexSaver(store, keep_last=keep)


@main.group("langgraph")
def langgraph_group() -> None:
    """LangGraph threads and checkpoints stored by CortexSaver (tier 1)."""


@langgraph_group.command("threads")
@click.option("-n", "--limit", default=50, show_default=True, help="How many threads.")
@output_options
@pass_ctx
def langgraph_threads(ctx: Context, limit: int) -> None:
    """Live threads, most recently updated first, with their checkpoint counts."""
    emit(_saver(ctx).threads(limit=limit), title="langgraph threads",
         columns=["thread_id", "checkpoints", "namespaces", "latest_checkpoint_id", "updated_at"])


@langgraph_group.command("history")
@click.argument("thread_id")
@click.option("--ns", "checkpoint_ns", help="Only this checkpoint namespace ('' is the root graph).")
@click.option("-n", "--limit", default=50, show_default=True, help="How many checkpoints.")
@output_options
@pass_ctx
def langgraph_history(ctx: Context, thread_id: str, checkpoint_ns: str | None, limit: int) -> None:
    """A thread's checkpoints, newest first (step, source, parent, size, pending writes)."""
    emit(_saver(ctx).history(thread_id, checkpoint_ns=checkpoint_ns, limit=limit),
         title=f"checkpoints of {thread_id}",
         columns=["checkpoint_id", "checkpoint_ns", "step", "source", "parent_checkpoint_id", "bytes", "writes",
                  "created_at"])


@langgraph_group.command("prune")
@click.argument("thread_ids", nargs=-1)
@click.option("--keep", type=click.IntRange(min=1),
              help="Checkpoints to keep per thread and namespace (default: the langgraph_checkpoints retention policy).")
@click.option("--delete", "delete", is_flag=True, help="Delete the named threads' checkpoints and writes entirely.")
@output_options
@pass_ctx
def langgraph_prune(ctx: Context, thread_ids: tuple[str, ...], keep: int | None, delete: bool) -> None:
    """Apply keep-last-N now to THREAD_IDS (default: every thread), keeping the ancestors that
    delta channels replay; with --delete, remove the named threads."""
    saver = _saver(ctx, keep)
    if delete:
        if not thread_ids:
            raise click.UsageError("--delete needs the thread ids to delete")
        saver.prune(list(thread_ids), strategy="delete")
        emit({"deleted_threads": len(thread_ids)}, title="langgraph prune")
        return
    deleted = saver.retain(list(thread_ids) or None)
    emit({"deleted_checkpoints": deleted, "keep": saver.keep_last}, title="langgraph prune")
