"""LangGraph persistence on cortexdb (extra ``cortexdb[langgraph]``).

``CortexSaver(db)`` is a checkpointer (``BaseCheckpointSaver``) and ``CortexStore(db)`` a long-term
store (``BaseStore``), both on an open :class:`cortexdb.Store`: checkpoints live in tier 1 beside
the conversation snapshots, keep the newest N per thread and namespace as they are written, and
idle threads are archived to tier 3 (and cold bundles) by the store's lifecycle engine. See
docs/langgraph.md.
"""

from __future__ import annotations

try:
    import langgraph.checkpoint.base  # noqa: F401
except ImportError as error:  # pragma: no cover - only without the extra
    from ..errors import CortexError

    raise CortexError("cortexdb.langgraph needs LangGraph's checkpoint package: pip install 'cortexdb[langgraph]'") from error

from .checkpointer import DEFAULT_KEEP_LAST, CheckpointInfo, CortexSaver, ThreadInfo
from .store import CortexStore

__all__ = ["DEFAULT_KEEP_LAST", "CheckpointInfo", "CortexSaver", "CortexStore", "ThreadInfo"]
