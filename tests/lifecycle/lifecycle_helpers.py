"""Plain-INSERT test data and row census for the lifecycle tests (a uniquely named module)."""

from __future__ import annotations

from cortexdb.clock import to_timestamp

LIVE = {"conversations": "conversation_id", "messages": "id", "conversation_actions": "id",
        "conversation_state_snapshots": "id"}


def populate(db, conversations: int = 10, messages: int = 3, *, status: str = "done", age_days: float = 0.0,
             prefix: str = "c") -> list[str]:
    """Insert ``conversations`` conversations (with messages, actions, snapshots) via plain SQL."""
    ids = []
    stamp = to_timestamp(db.now() - age_days * 86400)
    with db.transaction():
        for i in range(conversations):
            cid = f"{prefix}{i:05d}"
            ids.append(cid)
            db.execute("INSERT INTO tier1.conversations (conversation_id, title, session_id, task_status, created_at, "
                       "last_updated) VALUES (?, ?, ?, ?, ?, ?)", (cid, f"title {i}", f"s-{cid}", status, stamp, stamp))
            for m in range(messages):
                db.execute("INSERT INTO tier1.messages (conversation_id, role, content, metadata, created_at) "
                           "VALUES (?, 'user', ?, ?, ?)", (cid, f"message {m} of {cid}", f'{{"m": {m}}}', stamp))
            db.execute("INSERT INTO tier1.conversation_actions (session_id, turn_number, action_type, description, "
                       "created_at) VALUES (?, 1, 'retrieval', 'read', ?)", (f"s-{cid}", stamp))
            db.execute("INSERT INTO tier1.conversation_state_snapshots (session_id, turn_number, state_json, created_at) "
                       "VALUES (?, 1, '{}', ?)", (f"s-{cid}", stamp))
    return ids


def census(db) -> dict[str, tuple[int, int, int]]:
    """Per table: (live rows, archived rows, keys present on both sides)."""
    out = {}
    for table, key in LIVE.items():
        live = db.execute(f"SELECT count(*) FROM tier1.{table}")[0][0]
        arch = db.execute(f"SELECT count(*) FROM tier3.archived_{table}")[0][0]
        both = db.execute(f"SELECT count(*) FROM tier1.{table} l JOIN tier3.archived_{table} a ON a.{key} = l.{key}")[0][0]
        out[table] = (live, arch, both)
    return out
