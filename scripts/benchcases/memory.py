"""Working memory: message appends, conversation search and TTL reads beside raw apsw.

The raw baselines open the store's own tier1.db file with a plain apsw connection (same schema,
triggers and indexes, WAL, synchronous=NORMAL, the same connection pragmas), so the ratio is
what cortexdb adds: validation, JSON encoding, four attached tiers, result objects.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import apsw
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case

import cortexdb

WORDS = [f"w{i:04d}" for i in range(2000)] + ["safari", "login", "cookie", "deploy", "pipeline", "migration"]


def raw_connection(path: Path) -> apsw.Connection:
    conn = apsw.Connection(str(path))
    conn.set_busy_timeout(5000)
    conn.config(apsw.SQLITE_DBCONFIG_DQS_DML, 0)
    conn.config(apsw.SQLITE_DBCONFIG_DQS_DDL, 0)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA synchronous = NORMAL")
    assert conn.execute("PRAGMA journal_mode").fetchall()[0][0] == "wal"
    return conn


def sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def cases(workdir: Path) -> list[Case]:
    rng = random.Random(7)
    db = cortexdb.open(workdir / "store")
    raw = raw_connection(workdir / "store" / "tier1.db")
    bulk_conv = db.conversations.start("bulk")
    single_conv = db.conversations.start("single")
    ts = db.timestamp()

    # -- bulk add_messages vs raw executemany -------------------------------------------------
    batch = [("user" if i % 2 else "assistant", sentence(rng), {"i": i, "path": "web/login.ts"}) for i in range(1000)]

    def bulk() -> None:
        bulk_conv.add_messages(batch)

    def raw_bulk() -> None:
        """The statement add_messages runs: the batch as one JSON array, one INSERT ... SELECT."""
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO messages (conversation_id, role, content, metadata, created_at) "
                    "SELECT ?1, j.value ->> 0, j.value ->> 1, j.value ->> 2, ?2 FROM json_each(?3) j",
                    (bulk_conv.conversation_id, ts, orjson.dumps([(role, text, orjson.dumps(meta).decode())
                                                                 for role, text, meta in batch]).decode()))
        raw.execute("COMMIT")

    def raw_executemany() -> None:
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany("INSERT INTO messages (conversation_id, role, content, metadata, created_at) VALUES (?, ?, ?, ?, ?)",
                        [(bulk_conv.conversation_id, role, text, orjson.dumps(meta).decode(), ts)
                         for role, text, meta in batch])
        raw.execute("COMMIT")

    # -- single add_message (autocommit) vs a raw single-row insert in its own transaction -------
    singles = [sentence(rng) for _ in range(100)]

    def single() -> None:
        for text in singles:
            single_conv.add_message("user", text, metadata={"turn": 1})

    def raw_single() -> None:
        for text in singles:
            raw.execute("INSERT INTO messages (conversation_id, role, content, metadata, created_at) VALUES (?, ?, ?, ?, ?)",
                        (single_conv.conversation_id, "user", text, orjson.dumps({"turn": 1}).decode(), ts))

    # -- state snapshots: a 10 KB state per turn, the last 5 kept ---------------------------------
    snap_conv = db.conversations.start("snapshots", session_id="snap")
    raw_conv = db.conversations.start("raw snapshots", session_id="raw-snap")
    state = {"plan": sentence(rng, 200), "files": [{"path": f"src/m{i}.py", "lines": [i, i + 40], "seen": True,
                                                    "score": i / 7} for i in range(60)], "notes": sentence(rng, 400)}
    turns = {"cortexdb": 0, "raw": 0}

    def snapshots() -> None:
        for _ in range(100):
            turns["cortexdb"] += 1
            snap_conv.snapshot(turn=turns["cortexdb"], state=state)

    def raw_snapshots() -> None:
        for _ in range(100):
            turns["raw"] += 1
            now = db.timestamp()
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("UPDATE conversations SET last_updated = max(last_updated, ?) WHERE conversation_id = ?",
                        (now, raw_conv.conversation_id))
            raw.execute("INSERT INTO conversation_state_snapshots (session_id, turn_number, state_json, created_at) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (session_id, turn_number) DO UPDATE SET "
                        "state_json = excluded.state_json, created_at = excluded.created_at",
                        ("raw-snap", turns["raw"], orjson.dumps(state).decode(), now))
            raw.execute("DELETE FROM conversation_state_snapshots WHERE session_id = ?1 AND turn_number NOT IN "
                        "(SELECT turn_number FROM conversation_state_snapshots WHERE session_id = ?1 "
                        "ORDER BY turn_number DESC LIMIT 5)", ("raw-snap",))
            raw.execute("COMMIT")

    # -- search: 100 conversations x 50 messages ------------------------------------------------
    for n in range(100):
        conv = db.conversations.start(f"conversation {n} about {rng.choice(WORDS)}")
        conv.add_messages([("user", sentence(rng, 20), None) for _ in range(50)])
    queries = ["safari login", "cookie", "deploy pipeline", "w0042", "migration w0100"]

    def search() -> None:
        for q in queries:
            db.conversations.search(q, limit=20)

    def raw_search() -> None:
        for q in queries:
            expr = " ".join(f'"{w}"' for w in q.split())
            raw.execute(
                "SELECT m.conversation_id, m.id, m.role, f.rank, snippet(messages_fts, 0, '[', ']', '…', 12), c.title "
                "FROM messages_fts AS f JOIN messages AS m ON m.id = f.rowid JOIN conversations AS c "
                "ON c.conversation_id = m.conversation_id WHERE messages_fts MATCH ? ORDER BY f.rank LIMIT 20",
                (expr,)).fetchall()

    # -- memory.get vs a raw primary-key select ---------------------------------------------------
    for i in range(1000):
        db.memory.set(f"key{i}", {"value": i, "tags": ["a", "b"]}, ttl=3600, namespace="ctx")
    names = [f"key{i}" for i in range(1000)]

    def get() -> None:
        for name in names:
            db.memory.get(name, namespace="ctx")

    def raw_get() -> None:
        for name in names:
            raw.execute("SELECT value_type, value FROM structured_memory WHERE namespace = ? AND key = ?",
                        ("ctx", name)).fetchone()

    unguarded = type(db.memory).get.__wrapped__  # the method without the public-boundary wrapper

    def get_unguarded() -> None:
        for name in names:
            unguarded(db.memory, name, namespace="ctx")

    def close() -> None:
        db.memory.flush()
        raw.close()
        db.close()

    return [
        Case("add_messages 1000 rows (bulk)", bulk, raw_bulk, ops=len(batch), target=2.0,
             notes="raw: BEGIN IMMEDIATE + the same json_each INSERT + COMMIT on tier1.db"),
        Case("(info) add_messages 1000 rows beside raw executemany", bulk, raw_executemany, ops=len(batch),
             notes="raw: BEGIN IMMEDIATE + executemany + COMMIT: an FTS5 segment per row"),
        Case("add_message single, autocommit", single, raw_single, ops=len(singles), target=1.5,
             notes="raw: one autocommit INSERT per row into the same tier1.db (same triggers)"),
        Case("snapshot 10 KB state, last 5 kept", snapshots, raw_snapshots, ops=100, target=1.5,
             notes=f"state of {len(orjson.dumps(state))} bytes of JSON; raw: BEGIN IMMEDIATE, touch, upsert, "
                   "trim to 5, COMMIT with orjson.dumps; target also >= 5,000/s"),
        Case("conversations.search (5 queries)", search, raw_search, ops=len(queries), target=2.0,
             notes="5000 messages in 100 conversations; raw: FTS5 MATCH + bm25 + snippet, LIMIT 20"),
        Case("(info) public boundary: memory.get 1000 keys, guarded vs unguarded", get, get_unguarded,
             ops=len(names), notes="baseline: the same method without @public_api's wrapper"),
        Case("memory.get 1000 keys", get, raw_get, ops=len(names), target=2.0,
             notes="raw: primary-key SELECT + fetchone, no decoding", teardown=close),
    ]
