"""Property: any sequence of archive / restore / new rows keeps every row exactly once."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifecycle_helpers import census, populate

import cortexdb

N = 8
step = st.one_of(
    st.tuples(st.just("move"), st.sets(st.integers(0, N - 1), max_size=N), st.integers(1, 4)),
    st.tuples(st.just("restore"), st.sets(st.integers(0, N - 1), max_size=N), st.integers(1, 4)),
    st.tuples(st.just("message"), st.sets(st.integers(0, N - 1), max_size=3), st.just(1)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=8))
def test_moves_keep_every_row_once(steps):
    with tempfile.TemporaryDirectory() as tmp, cortexdb.open(Path(tmp) / "s") as db:
        populate(db, N, 2)
        messages = 2 * N
        for kind, picks, batch in steps:
            keys = [f"c{i:05d}" for i in sorted(picks)]
            if kind == "move":
                db.archive.move("conversations", keys, batch_size=batch)
            elif kind == "restore":
                db.archive.restore("conversations", keys, batch_size=batch)
            else:
                live = {r[0] for r in db.execute("SELECT conversation_id FROM tier1.conversations")}
                with db.transaction():
                    for key in keys:
                        if key in live:
                            db.execute("INSERT INTO tier1.messages (conversation_id, role, content) VALUES (?, 'user', 'x')", (key,))
                            messages += 1
            counts = census(db)
            assert counts["conversations"][0] + counts["conversations"][1] == N
            assert counts["messages"][0] + counts["messages"][1] == messages
            assert all(both == 0 for _l, _a, both in counts.values())
            archived = {r[0] for r in db.execute("SELECT conversation_id FROM tier3.archived_conversations")}
            stray = db.execute("SELECT count(*) FROM tier1.messages WHERE conversation_id IN "
                               "(SELECT conversation_id FROM tier3.archived_conversations)")[0][0]
            assert stray == 0 and all(db.execute("SELECT archived FROM tier3.archived_conversations")[i][0] == 1
                                      for i in range(len(archived)))
