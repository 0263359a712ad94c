#!/usr/bin/env python
"""What bounded ranking (cortexdb._fts) changes in search results, on real text.

    python scripts/search_quality.py            # corpus from this Python's standard library

The scale benchmark's messages are 12 random words with the query word once, so bm25 ties and
cannot show result quality. This builds messages from the docstrings and comments of the Python
standard library in file order (neighbouring messages share a topic, as in a conversation; 1-3
paragraphs each, so lengths vary) into an FTS5 table with the messages' tokenizer, picks one- and
two-word queries at several match counts, and compares each query's top 20 under the shipped
plan (``_fts.plan`` and ``cortexdb_bm25``) with FTS5's bm25 over every match:
- overlap@20: the share of full ranking's top 20 also returned;
- score kept: the whole-index bm25 of the returned 20 over that of full ranking's 20;
- for queries ranked with estimated word counts: the overlap of their top 20 with FTS5's bm25
  top 20 over the same candidates, and how far their scores are from whole-index bm25.
Then overlap@20 for other bounds (FTS5's bm25 over the newest N matches), to show the trade.
"""

from __future__ import annotations

import argparse
import ast
import random
import re
import statistics
import sys
import tempfile
from pathlib import Path

import apsw

from cortexdb import _fts

BUCKETS = [(30, 100), (100, 200), (200, 500), (500, 1000), (1000, 3000), (3000, 10**9)]
FULL = "SELECT rowid, bm25(m) s FROM m WHERE m MATCH ? ORDER BY s, rowid LIMIT 20"
CANDIDATES = "SELECT rowid, bm25(m) s FROM m WHERE m MATCH ? AND rowid >= ? ORDER BY s, rowid LIMIT 20"
OWN = "SELECT rowid, cortexdb_bm25(m, ?) s FROM m WHERE m MATCH ? AND rowid >= ? ORDER BY s, rowid LIMIT 20"


def corpus(conn: apsw.Connection, root: Path, seed: int = 5) -> int:
    rng = random.Random(seed)
    conn.execute("CREATE VIRTUAL TABLE m USING fts5(content, tokenize='unicode61 remove_diacritics 2')")
    texts: list[str] = []
    for path in sorted(root.rglob("*.py")):
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
                doc = ast.get_docstring(node)
                if doc:
                    texts.extend(p for p in re.split(r"\n\s*\n", doc) if len(p.split()) >= 3)
        buffer: list[str] = []
        for line in source.splitlines():
            if line.strip().startswith("#"):
                buffer.append(line.strip().lstrip("#").strip())
                if len(buffer) >= rng.randint(1, 6):
                    texts.append(" ".join(buffer))
                    buffer = []
    messages, i = [], 0
    while i < len(texts):
        k = rng.choice((1, 1, 1, 2, 3))
        messages.append(" ".join(texts[i:i + k]))
        i += k
    with conn:
        conn.executemany("INSERT INTO m(content) VALUES (?)", ((t,) for t in messages))
    return len(messages)


def queries(conn: apsw.Connection, rng: random.Random) -> list[tuple[tuple[int, int], list[list[str]]]]:
    conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, m, row)")
    terms = conn.execute("SELECT term, doc FROM temp.vocab WHERE term GLOB '[a-z][a-z][a-z]*' AND doc >= 30").fetchall()
    out = []
    for lo, hi in BUCKETS:
        words = [t for t, d in terms if lo <= d < hi]
        chosen = [[f'"{w}"'] for w in rng.sample(words, min(20, len(words)))]
        pool = [t for t, d in terms if d >= lo]
        for _ in range(4000):
            if len(chosen) >= 40:
                break
            a, b = rng.sample(pool, 2)
            if lo <= conn.execute("SELECT count(*) FROM m WHERE m MATCH ?", (f'"{a}" "{b}"',)).fetchall()[0][0] < hi:
                chosen.append([f'"{a}"', f'"{b}"'])
        out.append(((lo, hi), chosen))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=Path(ast.__file__).parent, help="tree of .py files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        conn = apsw.Connection(str(Path(work) / "quality.db"))
        _fts.register(conn)
        count = corpus(conn, args.source)
        lengths = sorted(len(t.split()) for (t,) in conn.execute("SELECT content FROM m"))
        print(f"{count} messages from {args.source} (words p10/p50/p90: {lengths[len(lengths) // 10]}/"
              f"{lengths[len(lengths) // 2]}/{lengths[9 * len(lengths) // 10]}); bound {_fts.RANKED_CANDIDATES}, "
              f"counted up to {_fts.COUNTED_MATCHES}\n")
        def run(sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
            return conn.execute(sql, params).fetchall()

        sets = queries(conn, random.Random(3))
        print("| matches | queries | overlap@20 | score kept | ranked with estimates | their overlap@20 with bm25 on the candidates "
              "| score off whole-index bm25 (median / max) |")
        print("|---|---|---|---|---|---|---|")
        for (lo, hi), chosen in sets:
            overlap, kept, same, off = [], [], [], []  # same: overlap with bm25's top 20 of the candidates
            for phrases in chosen:
                query = " ".join(phrases)
                full = dict(run(FULL, (query,)))
                floor, idf = _fts.plan(run, "m", query, phrases)
                base = run(CANDIDATES, (query, floor))
                got = base if idf is None else run(OWN, (idf, query, floor))
                exact = dict(run("SELECT rowid, bm25(m) FROM m WHERE m MATCH ? AND rowid >= ?", (query, floor)))
                overlap.append(len({r[0] for r in got} & set(full)) / len(full))
                kept.append(sum(exact[r[0]] for r in got) / sum(full.values()))
                if idf is not None:
                    same.append(len({r[0] for r in got} & {r[0] for r in base}) / max(len(base), 1))
                    off.extend(abs(float(r[1]) / exact[r[0]] - 1) for r in got)
            estimated = (f"{statistics.mean(same):.2f} | {statistics.median(off):.1%} / {max(off):.1%}" if same else "- | -")
            print(f"| {lo}-{hi if hi < 10**9 else '…'} | {len(chosen)} | {statistics.mean(overlap):.2f} | "
                  f"{statistics.mean(kept):.2f} | {len(same)} | {estimated} |")
        bounds = (100, 200, 500, 2000)
        print("\noverlap@20 of FTS5's bm25 over the newest N matches with full ranking:\n")
        print("| matches | " + " | ".join(f"N = {b}" for b in bounds) + " |")
        print("|---|" + "---|" * len(bounds))
        for (lo, hi), chosen in sets:
            cells = []
            for bound in bounds:
                shares = []
                for phrases in chosen:
                    query = " ".join(phrases)
                    full = {r[0] for r in run(FULL, (query,))}
                    floor = _fts.rank_floor(run, "m", query, candidates=bound)
                    shares.append(len({r[0] for r in run(CANDIDATES, (query, floor))} & full) / len(full))
                cells.append(f"{statistics.mean(shares):.2f}")
            print(f"| {lo}-{hi if hi < 10**9 else '…'} | " + " | ".join(cells) + " |")
        conn.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
