"""Lifecycle: crash-safe archival and cold-storage export, beside raw apsw doing the same work.

- archival: ``db.archive.move`` (resumable protocol: plan, copy, verify, delete, finish) of 1,000
  conversations with 10 messages, 1 action and 1 snapshot each, against a raw two-step
  copy-then-delete of the same rows (selected by the same keys) on its own copy of the store. Runs alternate direction
  (archive, then restore / raw copy back), so every run moves the same 13,000 rows.
- graph archival: ``db.archive.move("graph_nodes", uuids)`` of 1,000 graph nodes (3 observations,
  1 tag, 2 outgoing relations each: 7,000 rows with the relations) and the restore, against a raw
  copy-then-delete doing the same uuid mapping (children keyed by node uuid in the archive, mapped
  back to live ids on restore), alternating directions like the conversation case.
- export: ``db.archive.export`` of 200,000 archived messages (stream, sha256, read-back verify,
  fsync, rename) against a raw fetch + orjson + zstd pipeline writing one file.

Peak memory while exporting 1M rows is measured in a fresh subprocess:
``python scripts/benchcases/lifecycle.py --memory [ROWS]``.
"""

from __future__ import annotations

import itertools
import resource
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import apsw
import orjson
import zstandard

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import Case

import cortexdb

TIERS = ("tier0", "tier1", "tier2", "tier3")
CONVERSATIONS, MESSAGES = 1000, 10
EXPORT_ROWS = 200_000
TABLES = {  # live table -> (archive table, key, columns)
    "conversations": ("archived_conversations", "conversation_id",
                      "conversation_id, title, created_at, last_updated, message_count, is_active, summary, session_id, "
                      "task_status, archived, last_action_at"),
    "messages": ("archived_messages", "id", "id, conversation_id, role, content, metadata, created_at"),
    "conversation_actions": ("archived_conversation_actions", "id",
                             "id, session_id, turn_number, action_type, description, metadata_json, success, created_at"),
    "conversation_state_snapshots": ("archived_conversation_state_snapshots", "id",
                                     "id, session_id, turn_number, state_json, created_at"),
}


def populate(home: Path, conversations: int = CONVERSATIONS, messages: int = MESSAGES) -> None:
    with cortexdb.open(home) as db, db.transaction():
        for i in range(conversations):
            cid = f"c{i:06d}"
            db.execute("INSERT INTO tier1.conversations (conversation_id, title, session_id, task_status) "
                       "VALUES (?, ?, ?, 'done')", (cid, f"title {i}", f"s{i}"))
            db.conn.executemany("INSERT INTO tier1.messages (conversation_id, role, content, metadata) VALUES (?, 'user', ?, ?)",
                                [(cid, f"message {m} of conversation {i} " * 4, f'{{"n": {m}}}') for m in range(messages)])
            db.execute("INSERT INTO tier1.conversation_actions (session_id, turn_number, action_type, description) "
                       "VALUES (?, 1, 'retrieval', 'read a file')", (f"s{i}",))
            db.execute("INSERT INTO tier1.conversation_state_snapshots (session_id, turn_number, state_json) "
                       "VALUES (?, 1, '{\"k\": 1}')", (f"s{i}",))


def raw_connection(home: Path) -> apsw.Connection:
    conn = apsw.Connection(":memory:")
    conn.set_busy_timeout(5000)
    conn.execute("PRAGMA foreign_keys = ON")
    for tier in TIERS:
        conn.execute(f"ATTACH ? AS {tier}", (str(home / f"{tier}.db"),))
        conn.execute(f"PRAGMA {tier}.synchronous = {'FULL' if tier in ('tier0', 'tier3') else 'NORMAL'}")
    return conn


def raw_move(conn: apsw.Connection, to_archive: bool, keys: list[str]) -> None:
    """Two steps, no bookkeeping: copy the conversations named by ``keys`` (and their messages,
    actions, snapshots) and commit, then delete them at the source and commit."""
    src, dst = ("tier1", "tier3") if to_archive else ("tier3", "tier1")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS raw_keys (k PRIMARY KEY) WITHOUT ROWID; DELETE FROM temp.raw_keys")
    conn.executemany("INSERT INTO temp.raw_keys VALUES (?)", [(k,) for k in keys])

    def names(live: str) -> tuple[str, str]:
        arch = TABLES[live][0]
        return (live, arch) if to_archive else (arch, live)

    conv = names("conversations")[0]
    where = {
        "conversations": "conversation_id IN (SELECT k FROM temp.raw_keys)",
        "messages": "conversation_id IN (SELECT k FROM temp.raw_keys)",
        "conversation_actions": f"session_id IN (SELECT session_id FROM {src}.{conv} "
                                "WHERE conversation_id IN (SELECT k FROM temp.raw_keys))",
        "conversation_state_snapshots":
            f"session_id IN (SELECT session_id FROM {src}.{conv} WHERE conversation_id IN (SELECT k FROM temp.raw_keys))",
    }
    conn.execute("BEGIN IMMEDIATE")
    for live, (_arch, _key, cols) in TABLES.items():
        source, target = names(live)
        extra, values = (", archived_at, archive_op_id", ", 'now', 0") if to_archive else ("", "")
        conn.execute(f"INSERT INTO {dst}.{target} ({cols}{extra}) SELECT {cols}{values} FROM {src}.{source} WHERE {where[live]}")
    conn.execute("COMMIT")
    conn.execute("BEGIN IMMEDIATE")
    for live in reversed(list(TABLES)):
        conn.execute(f"DELETE FROM {src}.{names(live)[0]} WHERE {where[live]}")
    conn.execute("COMMIT")


GRAPH_NODES = 1000
GRAPH_COLS = {  # live table -> columns copied both ways (ids of children are left to SQLite on restore)
    "graph_entities": "id, uuid, namespace, name, kind, properties, confidence, pinned, access_count, last_accessed, "
                      "decayed_through, archived_at, body, created_at, updated_at",
}


def populate_graph(home: Path, nodes: int = GRAPH_NODES) -> list[str]:
    """``nodes`` entities with 3 observations, 1 tag and relations to i+1 and i+7; returns their uuids."""
    with cortexdb.open(home) as db:
        items = [{"name": f"node/{i}", "kind": "file", "properties": {"lang": "py", "n": i},
                  "observations": [f"observation {j} of node {i} about caching" for j in range(3)], "tags": [f"t{i % 10}"]}
                 for i in range(nodes)]
        db.graph.upsert_entities(items)
        db.graph.relate_many([{"source": f"node/{i}", "relation_type": "imports", "target": f"node/{(i + d) % nodes}"}
                              for i in range(nodes) for d in (1, 7)])
        return [r[0] for r in db.execute("SELECT uuid FROM tier2.graph_entities ORDER BY id")]


def raw_graph_move(conn: apsw.Connection, to_archive: bool, keys: list[str]) -> None:
    """Two steps, no bookkeeping: copy the nodes named by ``keys`` with their children (uuid-keyed
    in the archive, mapped back to live ids on restore) and commit, then delete at the source."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS raw_keys (k PRIMARY KEY) WITHOUT ROWID; DELETE FROM temp.raw_keys")
    conn.executemany("INSERT INTO temp.raw_keys VALUES (?)", [(k,) for k in keys])
    ent = GRAPH_COLS["graph_entities"]
    keys_sql = "(SELECT k FROM temp.raw_keys)"
    if to_archive:
        ids = f"(SELECT id FROM tier2.graph_entities WHERE uuid IN {keys_sql})"
        uuid_of = "(SELECT e.uuid FROM tier2.graph_entities e WHERE e.id = {})"
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"INSERT INTO tier3.archived_graph_entities ({ent}, archive_op_id) SELECT "
                     f"{ent.replace('archived_at', 'coalesce(archived_at, 1)')}, 0 FROM tier2.graph_entities WHERE uuid IN {keys_sql}")
        conn.execute(f"INSERT INTO tier3.archived_graph_observations (id, entity_id, content, created_at, entity_uuid, archived_at) "
                     f"SELECT o.id, o.entity_id, o.content, o.created_at, {uuid_of.format('o.entity_id')}, 1 "
                     f"FROM tier2.graph_observations o WHERE o.entity_id IN {ids}")
        conn.execute(f"INSERT INTO tier3.archived_graph_tags (entity_id, tag, entity_uuid, archived_at) "
                     f"SELECT t.entity_id, t.tag, {uuid_of.format('t.entity_id')}, 1 FROM tier2.graph_tags t WHERE t.entity_id IN {ids}")
        rel = ("id, uuid, source_id, relation_type, target_id, strength, confidence, properties, valid_from, valid_to, "
               "recorded_at, ended_at")
        conn.execute(f"INSERT INTO tier3.archived_graph_relations ({rel}, source_uuid, target_uuid, archived_at) "
                     f"SELECT {', '.join('r.' + c.strip() for c in rel.split(','))}, {uuid_of.format('r.source_id')}, "
                     f"{uuid_of.format('r.target_id')}, 1 FROM tier2.graph_relations r "
                     f"WHERE r.source_id IN {ids} OR r.target_id IN {ids}")
        conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"DELETE FROM tier2.graph_relations WHERE source_id IN {ids} OR target_id IN {ids}")
        for table in ("graph_tags", "graph_observations"):
            conn.execute(f"DELETE FROM tier2.{table} WHERE entity_id IN {ids}")
        conn.execute(f"DELETE FROM tier2.graph_entities WHERE uuid IN {keys_sql}")
        conn.execute("COMMIT")
    else:
        id_of = "(SELECT e.id FROM tier2.graph_entities e WHERE e.uuid = {})"
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"INSERT INTO tier2.graph_entities ({ent}) SELECT {ent.replace('archived_at', 'NULL')} "
                     f"FROM tier3.archived_graph_entities WHERE uuid IN {keys_sql}")
        conn.execute(f"INSERT INTO tier2.graph_observations (entity_id, content, created_at) SELECT "
                     f"{id_of.format('o.entity_uuid')}, o.content, o.created_at FROM tier3.archived_graph_observations o "
                     f"WHERE o.entity_uuid IN {keys_sql} ORDER BY o.id")
        conn.execute(f"INSERT INTO tier2.graph_tags (entity_id, tag) SELECT {id_of.format('t.entity_uuid')}, t.tag "
                     f"FROM tier3.archived_graph_tags t WHERE t.entity_uuid IN {keys_sql}")
        conn.execute("INSERT INTO tier2.graph_relations (uuid, source_id, relation_type, target_id, strength, confidence, "
                     "properties, valid_from, valid_to, recorded_at, ended_at) SELECT r.uuid, "
                     f"{id_of.format('r.source_uuid')}, r.relation_type, {id_of.format('r.target_uuid')}, r.strength, "
                     "r.confidence, r.properties, r.valid_from, r.valid_to, r.recorded_at, r.ended_at "
                     f"FROM tier3.archived_graph_relations r WHERE r.source_uuid IN {keys_sql} OR r.target_uuid IN {keys_sql} "
                     "ORDER BY r.id")
        conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"DELETE FROM tier3.archived_graph_relations WHERE source_uuid IN {keys_sql} OR target_uuid IN {keys_sql}")
        for table in ("archived_graph_tags", "archived_graph_observations"):
            conn.execute(f"DELETE FROM tier3.{table} WHERE entity_uuid IN {keys_sql}")
        conn.execute(f"DELETE FROM tier3.archived_graph_entities WHERE uuid IN {keys_sql}")
        conn.execute("COMMIT")


def export_rows(home: Path, rows: int) -> None:
    """Fill tier3.archived_messages with ``rows`` rows (for export measurements)."""
    with cortexdb.open(home) as db, db.transaction():
        db.conn.executemany(
            "INSERT INTO tier3.archived_messages (id, conversation_id, role, content, metadata, created_at, archived_at, "
            "archive_op_id) VALUES (?, ?, 'assistant', ?, ?, '2026-01-01 00:00:00', '2026-02-01 00:00:00.000', 1)",
            ((i, f"c{i // 10:06d}", f"archived message number {i} with some ordinary text in it", f'{{"n": {i}}}')
             for i in range(rows)))


def raw_export(home: Path, out: Path) -> None:
    """Raw pipeline: fetch rows, orjson each as an object, zstd-compress into one file."""
    conn = raw_connection(home)
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT * FROM tier3.archived_messages")
        names = [d[0] for d in cursor.get_description()]
        with open(out, "wb") as handle:
            writer = zstandard.ZstdCompressor(level=3).stream_writer(handle)
            dumps, opt = orjson.dumps, orjson.OPT_APPEND_NEWLINE
            batch = []
            for row in cursor:
                batch.append(dumps(dict(zip(names, row, strict=False)), option=opt))
                if len(batch) >= 2000:
                    writer.write(b"".join(batch))
                    batch.clear()
            writer.write(b"".join(batch))
            writer.flush(zstandard.FLUSH_FRAME)
    finally:
        conn.close()


def cases(workdir: Path) -> list[Case]:
    ours, theirs = workdir / "ours", workdir / "theirs"
    populate(ours)
    shutil.copytree(ours, theirs)
    db = cortexdb.open(ours)
    keys = [f"c{i:06d}" for i in range(CONVERSATIONS)]
    direction = itertools.cycle([True, False])
    raw_direction = itertools.cycle([True, False])
    raw_conn = raw_connection(theirs)

    def archive_move() -> None:
        if next(direction):
            db.archive.move("conversations", keys)
        else:
            db.archive.restore("conversations", keys)

    gours, gtheirs = workdir / "graph-ours", workdir / "graph-theirs"
    uuids = populate_graph(gours)
    shutil.copytree(gours, gtheirs)
    gdb = cortexdb.open(gours)
    graph_direction = itertools.cycle([True, False])
    raw_graph_direction = itertools.cycle([True, False])
    graw_conn = raw_connection(gtheirs)

    def graph_move() -> None:
        if next(graph_direction):
            gdb.archive.move("graph_nodes", uuids)
        else:
            gdb.archive.restore("graph_nodes", uuids)

    exp = workdir / "export"
    export_rows(exp, EXPORT_ROWS)
    edb = cortexdb.open(exp)
    counter = itertools.count()
    out = workdir / "raw-out"
    out.mkdir()

    def ours_export() -> None:
        edb.archive.export(f"b{next(counter)}", tables=["archived_messages"])

    def teardown() -> None:
        shutil.rmtree(exp / "cold", ignore_errors=True)

    rows = CONVERSATIONS * (MESSAGES + 3)
    return [
        Case("archive 1k conversations (13k rows)", archive_move, lambda: raw_move(raw_conn, next(raw_direction), keys),
             ops=rows, target=2.0, repeat=10,
             notes="resumable protocol (op row + keys, copy, verify, delete, finish) vs raw copy-then-delete"),
        Case("archive 1k graph nodes (7k rows)", graph_move,
             lambda: raw_graph_move(graw_conn, next(raw_graph_direction), uuids),
             ops=GRAPH_NODES * 7, target=2.0, repeat=10,
             notes="graph_nodes group (uuid-keyed children, relations both ways, id-safe restore) vs raw copy-then-delete"),
        Case("export 200k rows to jsonl.zst bundle", ours_export, lambda: raw_export(exp, out / "m.jsonl.zst"),
             ops=EXPORT_ROWS, target=2.0, repeat=5, teardown=teardown,
             notes="cortexdb also hashes, verifies by reading back, fsyncs, renames; raw writes one file"),
    ]


def measure_memory(rows: int) -> dict[str, float]:
    """Export ``rows`` rows in a fresh process; report peak RSS growth and tracemalloc peak (MB)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cortexdb-mem-") as tmp:
        home = Path(tmp) / "store"
        subprocess.run([sys.executable, __file__, "--fill", str(home), str(rows)], check=True)
        out = subprocess.run([sys.executable, __file__, "--export", str(home)], check=True, capture_output=True, text=True)
        return orjson.loads(out.stdout)


def _child_export(home: Path) -> None:
    db = cortexdb.open(home)
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    info = db.archive.export("mem", tables=["archived_messages"])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(orjson.dumps({"rows": info.rows, "bundle_mb": info.bytes / 1_048_576, "rss_start_mb": start, "rss_peak_mb": end,
                        "rss_growth_mb": end - start, "tracemalloc_peak_mb": peak / 1_048_576}).decode())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fill"]:
        export_rows(Path(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1:2] == ["--export"]:
        _child_export(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["--memory"]:
        print(orjson.dumps(measure_memory(int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000), option=orjson.OPT_INDENT_2).decode())
