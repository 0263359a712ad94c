"""Working memory (tier 1): conversations, incremental creation, tasks and TTL memory.

Reach them through a store: ``db.conversations``, ``db.creation``, ``db.tasks``, ``db.memory``.
"""

from .conversations import Action, Conversation, ConversationInfo, Conversations, Message, SearchHit, Snapshot
from .creation import Chunk, ChunkSpec, Creation, CreationProgress, CreationSession
from .tasks import TRANSITIONS, Artifact, Progress, Task, Tasks
from .ttl import Memory, MemoryEntry

__all__ = [
    "TRANSITIONS", "Action", "Artifact", "Chunk", "ChunkSpec", "Conversation", "ConversationInfo", "Conversations",
    "Creation", "CreationProgress", "CreationSession", "Memory", "MemoryEntry", "Message", "Progress", "SearchHit",
    "Snapshot", "Task", "Tasks",
]
