"""Checkpoint chains for the CortexSaver tests, written the way LangGraph writes them."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import empty_checkpoint

from cortexdb.langgraph import CortexSaver


def put_chain(saver: CortexSaver, thread: str, n: int, *, ns: str = "", delta_every: int | None = None) -> list[str]:
    """n checkpoints, each the child of the previous; with ``delta_every``, only every k-th is
    self-contained (the others carry pending delta-channel counters, as LangGraph writes them)."""
    ids: list[str] = []
    for step in range(n):
        checkpoint = empty_checkpoint()
        checkpoint["channel_values"] = {"step": step, "payload": "x" * 100}
        metadata: dict[str, Any] = {"source": "loop", "step": step, "parents": {}}
        if delta_every and step % delta_every:
            metadata["counters_since_delta_snapshot"] = {"messages": (step % delta_every, step % delta_every)}
        conf: dict[str, Any] = {"thread_id": thread, "checkpoint_ns": ns}
        if ids:
            conf["checkpoint_id"] = ids[-1]
        stored = saver.put({"configurable": conf}, checkpoint, metadata, {})
        saver.put_writes(stored, [("messages", f"w{step}")], f"task{step}")
        ids.append(stored["configurable"]["checkpoint_id"])
    return ids


def listed(saver: CortexSaver, thread: str, ns: str | None = "") -> list[str]:
    conf: dict[str, Any] = {"thread_id": thread} if ns is None else {"thread_id": thread, "checkpoint_ns": ns}
    return [t.config["configurable"]["checkpoint_id"] for t in saver.list({"configurable": conf})]
