#!/usr/bin/env python
"""Cost as the store grows: build a small and a large store through the public API, then time
the calls an agent makes every turn on both (p50/p99), beside raw apsw doing the same read.

    python scripts/scale.py --quick          # 20k / 200k messages: minutes
    python scripts/scale.py                  # 100k / 2M messages, 20k / 500k entities, 100k / 2M relations
    python scripts/scale.py --large 0.25     # the large store at a quarter of its size
    python scripts/scale.py --graph-only     # the large graph's ingest alone, with bytes written per row

Prints, per call: p50 and p99 on each store, the growth factor (large p50 / small p50, and p99),
and the raw p50 on the large store with the ratio; then the ingest rate (rows/s) of the first and
last tenth of the large build for messages, entities and relations (per wall-clock second and per
second of the process's CPU time), with raw apsw writing the same relation batches beside the
API. Raw reads return what the API returns: the same rows and columns with JSON decoded, as
tuples (no result objects).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import apsw
import orjson

import cortexdb
from cortexdb.graph.model import Relation


@dataclass(frozen=True)
class Size:
    messages: int
    conversations: int
    entities: int
    relations: int

    def scaled(self, factor: float) -> Size:
        return Size(*(max(int(v * factor), 10) for v in (self.messages, self.conversations, self.entities, self.relations)))


SMALL = Size(100_000, 1_000, 20_000, 100_000)
LARGE = Size(2_000_000, 20_000, 500_000, 2_000_000)
QUICK_SMALL = Size(20_000, 200, 5_000, 20_000)
QUICK_LARGE = Size(200_000, 2_000, 50_000, 200_000)
WORDS = [f"w{i:04d}" for i in range(5000)]
COMMON, RARE = "common", "rare"  # in 11% and 0.05% of messages
SCARCE, SCARCE_COUNT = "scarce", 40  # in exactly 40 messages of either store
SAMPLES = 200


def _text(rng: random.Random, n: int = 12) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    if rng.random() < 0.11:
        words.append(COMMON)
    if rng.random() < 0.0005:
        words.append(RARE)
    return " ".join(words)


def _tenths(total: int, batch: int) -> list[int]:
    return [min(total, (i + 1) * total // 10) for i in range(10)] if total >= 10 * batch else [total]


class _RawRelations:
    """Raw apsw writing each relation batch the API just wrote, right after it, into a file of its
    own holding only ``graph_relations`` with the store's own DDL and indexes (same journal mode
    and sync level): the same current-row lookup and insert per row, one transaction per batch,
    no entity lookups. Its time and CPU (this thread's) are kept apart from the API's."""

    def __init__(self, path: Path, db: cortexdb.Store) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        self.path, self.seconds, self.cpu = path, 0.0, 0.0
        self.conn = apsw.Connection(str(path))
        self.conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
        for (sql,) in db.execute("SELECT sql FROM tier2.sqlite_master WHERE tbl_name = 'graph_relations' "
                                 "AND sql IS NOT NULL ORDER BY type DESC"):
            self.conn.execute(sql)

    def follow(self, relations: list[Relation]) -> None:
        rows = [(r.uuid, r.source_id, r.relation_type, r.target_id, r.strength, r.confidence,
                 orjson.dumps(r.properties).decode(), r.valid_from, r.recorded_at) for r in relations]
        t, cpu = time.perf_counter(), time.thread_time()
        with self.conn:
            for row in rows:
                self.conn.execute("SELECT id FROM graph_relations WHERE source_id = ? AND relation_type = ? "
                                  "AND target_id = ? AND valid_to IS NULL", row[1:4]).fetchall()
                self.conn.execute("INSERT OR IGNORE INTO graph_relations (uuid, source_id, relation_type, target_id, "
                                  "strength, confidence, properties, valid_from, recorded_at) VALUES (?, ?, ?, ?, ?, ?, "
                                  "?, ?, ?)", row)
        self.seconds += time.perf_counter() - t
        self.cpu += time.thread_time() - cpu

    def close(self) -> None:
        self.conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def _io() -> tuple[int, int]:
    """(bytes written, bytes read) by this process's system calls so far, all threads."""
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["wchar"]), int(fields["rchar"])


def _build_conversations(db: cortexdb.Store, size: Size, rng: random.Random, rates: dict[str, list[float]]) -> None:
    per_conv = max(size.messages // size.conversations, 1)
    convs = [db.conversations.start(f"conversation {n} about {rng.choice(WORDS)}", session_id=f"s{n}")
             for n in range(size.conversations)]
    done, marks, start, cpu = 0, _tenths(size.messages, per_conv), time.perf_counter(), time.process_time()
    for n, conv in enumerate(convs):
        batch = per_conv if n < len(convs) - 1 else size.messages - done
        step = size.messages // SCARCE_COUNT
        conv.add_messages([("user" if i % 2 else "assistant",
                            _text(rng) + (f" {SCARCE}" if (done + i) % step == step - 1 else ""), None)
                           for i in range(batch)])
        done += batch
        while marks and done >= marks[0]:
            now, cpu_now = time.perf_counter(), time.process_time()
            rows = size.messages / len(_tenths(size.messages, per_conv))
            rates["messages"].append(rows / (now - start))
            rates["messages cpu"].append(rows / (cpu_now - cpu))
            start, cpu = now, cpu_now
            marks.pop(0)
    for n in range(min(size.conversations, 100)):  # sessions with state snapshots (last 5 kept)
        for turn in range(6):
            convs[n].snapshot(turn=turn, state={"turn": turn, "plan": _text(rng, 40)})


def build(home: Path, size: Size, seed: int = 7, *, graph_only: bool = False) -> dict[str, list[float]]:
    """Fill a store through the public API; returns rows/s per tenth of each kind. ``graph_only``:
    entities and relations only, with no raw baseline beside them, and the bytes this process
    wrote and read per row in each tenth (WAL frames, checkpoints, page reads)."""
    rng = random.Random(seed)
    rates: dict[str, list[float]] = {f"{kind}{per}": [] for kind in ("messages", "entities", "relations",
                                                                     "relations, raw apsw") for per in ("", " cpu")}
    with cortexdb.open(home) as db:
        if not graph_only:
            _build_conversations(db, size, rng, rates)
        batch = 1000
        raw = None if graph_only else _RawRelations(home.parent / f"{home.name}-raw-relations.db", db)

        def follow(relations: list[Relation]) -> None:
            if raw is not None:
                raw.follow(relations)

        for key, total, write in (
            ("entities", size.entities, lambda lo, hi: db.graph.upsert_entities(
                [{"name": f"e{i}", "kind": f"k{i % 5}", "properties": {"team": f"team{i % 500}", "level": i % 7},
                  "observations": [_text(rng, 8) + (" alpha beta" if i % 10 == 0 else "")]} for i in range(lo, hi)])),
            ("relations", size.relations, lambda lo, hi: follow(db.graph.relate_many(
                [{"source": (a := rng.randrange(1, size.entities + 1)), "relation_type": f"r{i % 4}",
                  "target": (a - 1 + rng.randrange(1, min(size.entities, 50))) % size.entities + 1}
                 for i in range(lo, hi)]))),
        ):
            lo, start, cpu, io = 0, time.perf_counter(), time.process_time(), _io()
            raw_seconds, raw_cpu = (raw.seconds, raw.cpu) if raw is not None else (0.0, 0.0)
            tenths = _tenths(total, batch)
            for mark in tenths:
                while lo < mark:
                    hi = min(lo + batch, mark)
                    write(lo, hi)
                    lo = hi
                now, cpu_now, io_now = time.perf_counter(), time.process_time(), _io()
                rows = total / len(tenths)
                raw_spent = (raw.seconds - raw_seconds, raw.cpu - raw_cpu) if raw is not None else (0.0, 0.0)
                rates[key].append(rows / (now - start - raw_spent[0]))
                rates[f"{key} cpu"].append(rows / (cpu_now - cpu - raw_spent[1]))
                if raw is not None and key == "relations":
                    rates["relations, raw apsw"].append(rows / raw_spent[0])
                    rates["relations, raw apsw cpu"].append(rows / raw_spent[1])
                if graph_only:
                    rates.setdefault(f"{key}, bytes written per row", []).append((io_now[0] - io[0]) / rows)
                    rates.setdefault(f"{key}, bytes read per row", []).append((io_now[1] - io[1]) / rows)
                start, cpu, io = now, cpu_now, io_now
                if raw is not None:
                    raw_seconds, raw_cpu = raw.seconds, raw.cpu
        if raw is not None:
            raw.close()
        if not graph_only:
            db.graph.index_property("$.team")
    return rates


def _time(call: Callable[[int], Any], i: int) -> float:
    t = time.perf_counter()
    call(i)
    return time.perf_counter() - t


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * q), len(ordered) - 1)] * 1000


Case = tuple[str, Callable[[int], Any], Callable[[int], Any] | None, int]


class Side:
    """One store open for measuring: the API, two raw read-only connections, what the cases use."""

    def __init__(self, home: Path, size: Size, samples: int) -> None:
        self.size, self.samples = size, samples
        self.db = cortexdb.open(home)
        self.raw1 = apsw.Connection(str(home / "tier1.db"), flags=apsw.SQLITE_OPEN_READONLY)
        self.raw2 = apsw.Connection(str(home / "tier2.db"), flags=apsw.SQLITE_OPEN_READONLY)

    def close(self) -> None:
        self.raw1.close()
        self.raw2.close()
        self.db.close()

    def cases(self) -> list[Case]:
        """(name, API call, raw call or None, calls); each call takes the sample's index."""
        db, raw1, raw2, size, samples = self.db, self.raw1, self.raw2, self.size, self.samples
        rng = random.Random(11)
        conv_ids = [r[0] for r in db.execute("SELECT conversation_id FROM tier1.conversations ORDER BY rowid")]
        hot = db.conversations.resume(conv_ids[0])
        out: list[Case] = []

        def add(name: str, call: Callable[[int], Any], raw: Callable[[int], Any] | None, count: int = samples) -> None:
            out.append((name, call, raw, count))

        # Raw reads return what the API returns: the same rows and columns, JSON columns decoded
        # (results stay tuples: no objects are built).
        search_sql = ("SELECT f.rowid, m.conversation_id, m.role, m.created_at, f.rank, "
                      "snippet(messages_fts, 0, '[', ']', '…', 12), c.title, c.archived FROM messages_fts f "
                      "JOIN messages m ON m.id = f.rowid JOIN conversations c ON c.conversation_id = m.conversation_id "
                      "WHERE messages_fts MATCH ? ORDER BY f.rank LIMIT 20")
        titles_sql = ("SELECT t.conversation_id, t.rank, highlight(conversation_titles_fts, 0, '[', ']'), c.title, "
                      "c.archived FROM conversation_titles_fts t JOIN conversations c ON c.conversation_id = "
                      "t.conversation_id WHERE conversation_titles_fts MATCH ? ORDER BY t.rank LIMIT 20")

        def raw_search(word: str) -> list[Any]:  # every match ranked (FTS5 bm25), messages and titles
            return sorted(raw1.execute(search_sql, (f'"{word}"',)).fetchall()
                          + raw1.execute(titles_sql, (f'"{word}"',)).fetchall(), key=lambda r: r[4 if len(r) == 8 else 1])

        for label, word in (("rare word (0.05%)", RARE), (f"scarce word ({SCARCE_COUNT} messages)", SCARCE),
                            ("common word (11%)", COMMON)):
            add(f"conversation search, {label}", lambda i, w=word: db.conversations.search(w, limit=20),
                lambda i, w=word: raw_search(w))
        add("graph search, two common words", lambda i: db.graph.search("alpha beta", limit=10),
            lambda i: raw2.execute("SELECT rowid, bm25(graph_search, 4.0, 1.0, 1.0) AS r FROM graph_search "
                                    "WHERE graph_search MATCH '\"alpha\" \"beta\"' ORDER BY r LIMIT 10").fetchall())
        details = ("SELECT 0, entity_id, content FROM (SELECT entity_id, content FROM graph_observations "
                   "WHERE entity_id IN (SELECT value FROM json_each(?1)) ORDER BY id) UNION ALL "
                   "SELECT 1, entity_id, tag FROM graph_tags WHERE entity_id IN (SELECT value FROM json_each(?1))")

        def raw_find(i: int) -> Any:  # the entity rows, properties decoded, then their observations and tags
            rows = raw2.execute("SELECT id, uuid, namespace, name, kind, properties, confidence, pinned, access_count, "
                                "last_accessed, archived_at, created_at, updated_at FROM graph_entities "
                                "WHERE json_extract(properties, '$.team') = ? AND archived_at IS NULL ORDER BY id LIMIT ?",
                                (f"team{i % 500}", 20)).fetchall()
            return ([(r, orjson.loads(r[5])) for r in rows],
                    raw2.execute(details, (orjson.dumps([r[0] for r in rows]).decode(),)).fetchall())

        add("find on a declared property", lambda i: db.graph.find(where={"$.team": f"team{i % 500}"}, limit=20),
            raw_find)
        add("latest messages (20)", lambda i: db.conversations.messages(conv_ids[i % len(conv_ids)], limit=20, newest=True),
            lambda i: [(r, None if r[4] is None else orjson.loads(r[4])) for r in reversed(raw1.execute(
                 "SELECT id, conversation_id, role, content, metadata, created_at FROM messages "
                 "WHERE conversation_id = ? AND id > 0 ORDER BY id DESC LIMIT 20", (conv_ids[i % len(conv_ids)],)
             ).fetchall())])
        snap_sessions = [db.conversations.resume(c) for c in conv_ids[:100]]
        add("latest snapshot", lambda i: snap_sessions[i % len(snap_sessions)].latest_snapshot(),
            lambda i: [(r, orjson.loads(r[2])) for r in raw1.execute(
                 "SELECT session_id, turn_number, state_json, created_at FROM conversation_state_snapshots "
                 "WHERE session_id = ? ORDER BY turn_number DESC LIMIT 1", (f"s{i % len(snap_sessions)}",)).fetchall()])
        add("3-hop neighbors", lambda i: db.graph.neighbors(1 + rng.randrange(size.entities), depth=3, limit=100), None)
        add("single add_message", lambda i: hot.add_message("user", _text(rng)), None)
        targets = conv_ids[-min(samples, len(conv_ids) // 4):]  # a different conversation each call
        add("archive one conversation", lambda i: db.archive.move("conversations", [targets[i]]), None, len(targets))
        return out


def measure(stores: dict[str, tuple[Path, Size]], samples: int = SAMPLES) -> dict[str, dict[str, tuple[float, float, float | None]]]:
    """store label -> call -> (p50 ms, p99 ms, raw p50 ms or None). Both stores stay open and every
    case runs on them call by call (small, its raw, large, its raw, ...), so load on the machine
    hits both stores alike; ``single add_message`` takes ten times the samples, since its p99 is
    a target and 200 calls give it two outliers to stand on."""
    sides = {label: Side(home, size, samples) for label, (home, size) in stores.items()}
    out: dict[str, dict[str, tuple[float, float, float | None]]] = {label: {} for label in sides}
    try:
        per_side = {label: side.cases() for label, side in sides.items()}
        for k, (name, *_rest) in enumerate(next(iter(per_side.values()))):
            runs = {label: cases[k] for label, cases in per_side.items()}
            count = min(run[3] for run in runs.values()) * (10 if name == "single add_message" else 1)
            ours: dict[str, list[float]] = {label: [] for label in runs}
            base: dict[str, list[float]] = {label: [] for label in runs}
            if all(run[2] is not None for run in runs.values()):  # reads: one untimed pass of each first, so
                for i in range(count):  # no side times the first read of pages another then finds cached
                    for _, call, raw, _ in runs.values():
                        call(i)
                        if raw is not None:
                            raw(i)
            for i in range(count):  # interleaved, so load on the machine hits every side
                for label, (_, call, raw, _) in runs.items():
                    ours[label].append(_time(call, i))
                    if raw is not None:
                        base[label].append(_time(raw, i))
            for label in runs:
                out[label][name] = (_p(ours[label], 0.5), _p(ours[label], 0.99),
                                    _p(base[label], 0.5) if base[label] else None)
    finally:
        for side in sides.values():
            side.close()
    return out


def _change(before: float, after: float) -> str:
    return f"{after / before - 1:+.0%}" if before else "n/a"


def print_calls(results: dict[str, dict[str, tuple[float, float, float | None]]]) -> None:
    print("\n| call | small p50 / p99 | large p50 / p99 | growth p50 / p99 | raw p50 (large) | vs raw |")
    print("|---|---|---|---|---|---|")
    for name, (s50, s99, _) in results["small"].items():
        l50, l99, raw = results["large"][name]
        raw_text = f"{raw:.3f} ms" if raw is not None else "-"
        ratio = f"{l50 / raw:.2f}×" if raw else "-"
        print(f"| {name} | {s50:.3f} / {s99:.3f} ms | {l50:.3f} / {l99:.3f} ms | {l50 / s50:.2f}× / {l99 / s99:.2f}× "
              f"| {raw_text} | {ratio} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20k / 200k messages instead of 100k / 2M")
    parser.add_argument("--large", type=float, default=1.0, help="scale the large store by this factor")
    parser.add_argument("--dir", type=Path, help="build here (kept) instead of a temporary directory")
    parser.add_argument("--samples", type=int, default=SAMPLES, help="calls timed per case")
    parser.add_argument("--graph-only", action="store_true",
                        help="build only the large store's entities and relations and print their ingest by tenth, "
                             "with the bytes written and read per row (no raw baseline, no calls timed)")
    args = parser.parse_args()
    small, large = (QUICK_SMALL, QUICK_LARGE) if args.quick else (SMALL, LARGE)
    large = large.scaled(args.large) if args.large != 1.0 else large
    work = args.dir or Path(tempfile.mkdtemp(prefix="cortexdb-scale-"))
    try:
        if args.graph_only:
            t = time.perf_counter()
            rates = {"large": build(work / "large", large, graph_only=True)}
            print(f"large graph: {large.entities} entities, {large.relations} relations built in "
                  f"{time.perf_counter() - t:.0f} s", flush=True)
        else:
            rates = {}
            for label, size in (("small", small), ("large", large)):
                t = time.perf_counter()
                rates[label] = build(work / label, size)
                sizes = {f: (work / label / f"{f}.db").stat().st_size // 2**20 for f in ("tier1", "tier2")}
                print(f"{label}: {size} built in {time.perf_counter() - t:.0f} s; tier1 {sizes['tier1']} MB, "
                      f"tier2 {sizes['tier2']} MB", flush=True)
            print_calls(measure({"small": (work / "small", small), "large": (work / "large", large)}, args.samples))
        print("\ningest rows/s on the large build (first tenth -> last tenth); 'cpu': rows per second of this "
              "process's CPU time (its threads included), less sensitive to other load on the machine; 'raw apsw': "
              "the same relation batches written by raw apsw right after the API's, its time and CPU kept apart; "
              "'bytes written / read per row' (--graph-only): this process's system-call I/O per row:")
        for key, values in rates["large"].items():
            if values:
                print(f"  {key}: {values[0]:,.0f} -> {values[-1]:,.0f} ({_change(values[0], values[-1])}); "
                      f"median {statistics.median(values):,.0f}; second -> last tenth "
                      f"{_change(values[min(1, len(values) - 1)], values[-1])}; every tenth "
                      + " ".join(f"{v:,.0f}" for v in values))
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
