"""``cortexdb conversations start | add | recent | search | show | export``: conversations in working
memory from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..memory.conversations import ConversationInfo, Message
from . import Context, main, pass_ctx
from ._input import input_option, parse_json, read_text, records_or_arguments
from ._output import Section, emit, emit_document, output_options, plain, to_json

CONVERSATION_COLUMNS = ["conversation_id", "title", "message_count", "task_status", "last_updated"]
MESSAGE_COLUMNS = ["id", "role", "content", "created_at"]


@main.group()
def conversations() -> None:
    """Conversations in working memory (tier 1)."""


@conversations.command("start")
@click.argument("title", required=False)
@click.option("--id", "conversation_id", help="The conversation's id (default: a new uuid).")
@click.option("--session", "session_id", help="Session grouping its actions and snapshots (default: its id).")
@click.option("--metadata", help="A JSON value stored with the conversation.")
@output_options
@pass_ctx
def conversations_start(ctx: Context, title: str | None, conversation_id: str | None, session_id: str | None,
                        metadata: str | None) -> None:
    """Start a conversation titled TITLE and print it (its conversation_id is what `add` takes)."""
    store = ctx.store(create=True)
    handle = store.conversations.start(title, session_id=session_id, conversation_id=conversation_id,
                                       metadata=None if metadata is None else parse_json("--metadata", metadata))
    emit(store.conversations.get(handle.conversation_id), title="conversation")


@conversations.command("add")
@click.argument("conversation_id")
@click.argument("role", required=False)
@click.argument("content", required=False)
@click.option("--metadata", help="A JSON value stored with the message.")
@input_option
@output_options
@pass_ctx
def conversations_add(ctx: Context, conversation_id: str, role: str | None, content: str | None,
                      metadata: str | None, input_path: str | None) -> None:
    """Append a message (ROLE user|assistant|system|tool, CONTENT; - reads it from stdin) to a
    conversation; with -i, records {role, content, metadata}, all in one transaction."""
    text = read_text("-") if content == "-" else content
    records = records_or_arguments(input_path, {
        "role": role, "content": text, "metadata": None if metadata is None else parse_json("--metadata", metadata)},
        required=("role", "content"))
    store = ctx.store()
    ids = store.conversations.resume(conversation_id).add_messages(records)
    emit(store.conversations.messages(conversation_id, after_id=ids[0] - 1, limit=len(ids)) if ids else [],
         title="added", columns=MESSAGE_COLUMNS)


@conversations.command("recent")
@click.option("-n", "--limit", default=20, show_default=True, help="How many conversations.")
@click.option("--archived", is_flag=True, help="Include conversations flagged archived.")
@output_options
@pass_ctx
def conversations_recent(ctx: Context, limit: int, archived: bool) -> None:
    """Most recently updated conversations first."""
    emit(ctx.store().conversations.recent(limit, include_archived=archived), title="conversations",
         columns=CONVERSATION_COLUMNS)


@conversations.command("search")
@click.argument("query")
@click.option("-n", "--limit", default=20, show_default=True, help="How many hits.")
@click.option("--fts5", is_flag=True, help="QUERY is an FTS5 expression (phrases, OR, NEAR, prefix*).")
@click.option("--per-conversation", is_flag=True, help="Only the best hit of each conversation.")
@output_options
@pass_ctx
def conversations_search(ctx: Context, query: str, limit: int, fts5: bool, per_conversation: bool) -> None:
    """Full-text search over message content and titles (bm25, best first)."""
    hits = ctx.store().conversations.search(query, limit=limit, syntax="fts5" if fts5 else "plain",
                                            per_conversation=per_conversation)
    emit(hits, title="hits", columns=["conversation_id", "title", "message_id", "role", "score", "snippet"])


@conversations.command("show")
@click.argument("conversation_id")
@click.option("-n", "--limit", type=int, help="Only the last N messages.")
@output_options
@pass_ctx
def conversations_show(ctx: Context, conversation_id: str, limit: int | None) -> None:
    """One conversation: its row, then its messages in order (CSV: the messages)."""
    store = ctx.store()
    info = store.conversations.get(conversation_id)
    messages = store.conversations.messages(conversation_id, limit=limit, newest=limit is not None)
    emit_document({"conversation": info, "messages": messages},
                  [Section("conversation", info), Section("messages", messages, MESSAGE_COLUMNS)])


def _markdown(info: ConversationInfo, messages: list[Message]) -> str:
    lines = [f"# {info.title or info.conversation_id}", "",
             f"conversation `{info.conversation_id}`, started {info.created_at}, {len(messages)} messages", ""]
    for message in messages:
        lines += [f"## {message.role} ({message.created_at})", "", message.content, ""]
    return "\n".join(lines)


@conversations.command("export")
@click.argument("conversation_id")
@click.option("-f", "--format", "fmt", type=click.Choice(["json", "markdown"]), default="json", show_default=True,
              help="json: the conversation and its messages; markdown: a readable transcript.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@pass_ctx
def conversations_export(ctx: Context, conversation_id: str, fmt: str, output: Path | None) -> None:
    """Export one conversation with all its messages as JSON or markdown."""
    store = ctx.store()
    info = store.conversations.get(conversation_id)
    messages = store.conversations.messages(conversation_id)
    document: dict[str, Any] = {"conversation": info, "messages": messages}
    text = to_json(plain(document), indent=True).decode() + "\n" if fmt == "json" else _markdown(info, messages)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
