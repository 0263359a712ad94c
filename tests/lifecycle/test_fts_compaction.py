"""A large archive run leaves the source tier's FTS5 indexes smaller, not larger: FTS5 deletes
are markers in new segments, so the run merges each index ('optimize') once it moved a lot."""

from __future__ import annotations

import cortexdb


def _fts_bytes(db: cortexdb.Store) -> int:
    return int(db.execute("SELECT sum(length(block)) FROM tier1.messages_fts_data")[0][0])


def _fill(db: cortexdb.Store, conversations: int) -> None:
    for n in range(conversations):
        conv = db.conversations.start(f"topic {n}", conversation_id=f"c{n}")
        for i in range(8):  # one statement per message: a segment each, as an agent writes
            conv.add_message("user", f"message {i} of conversation {n} about word{n} and safari cookies")


def test_small_archive_leaves_markers_large_archive_compacts(db: cortexdb.Store) -> None:
    _fill(db, 300)
    start = _fts_bytes(db)
    small = db.archive.move("conversations", [f"c{n}" for n in range(5)])
    assert small.keys == 5
    assert _fts_bytes(db) > start  # deletion markers: the index grew although rows left
    before_large = _fts_bytes(db)
    large = db.archive.move("conversations", [f"c{n}" for n in range(5, 155)])
    assert large.keys == 150
    after = _fts_bytes(db)
    assert after < before_large * 0.6, (before_large, after)
    db.execute("INSERT INTO tier1.messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")
    db.execute("INSERT INTO tier1.conversation_titles_fts (conversation_titles_fts, rank) VALUES ('integrity-check', 1)")
    live = [h for h in db.conversations.search("word200", limit=50) if h.message_id is not None and not h.archived]
    assert len(live) == 8
    gone = [h for h in db.conversations.search("word100", limit=50) if not h.archived]
    assert gone == []
