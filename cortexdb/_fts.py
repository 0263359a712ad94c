"""Ranking cost bounded by the results, not by the matches (FTS5 search over many rows).

FTS5's ``ORDER BY bm25 LIMIT n`` pays for every matching row twice: bm25 is computed for each
(reading the row's length and positions), and bm25's idf counts each phrase's matching rows
by walking its whole match list once per query. A search therefore plans its ranking first:

- It walks the query's matches newest first (rowid order needs no ranking) as far as the
  ``RANKED_CANDIDATES``-th. A query matching fewer rows has no floor and is ranked by FTS5's
  bm25 exactly as full scoring ranks it.
- A query matching more rows ranks only its newest ``RANKED_CANDIDATES`` matches (the rows at or
  above the floor): the results are the best bm25 among the newest candidates, so recency
  decides which of many matches are considered.
- bm25 there still needs each phrase's document frequency, which FTS5's bm25 counts by walking
  the phrase's whole match list on every query. Each phrase's matches are counted by a walk
  that stops after ``COUNTED_MATCHES``: when none has more, FTS5's bm25 ranks the candidates
  (exact scores). A commoner phrase's frequency is estimated from its newest
  ``RANKED_CANDIDATES`` matches (their share of the rows they span, counted in the docsize
  table, times all rows; at least ``COUNTED_MATCHES + 1``) and the candidates are ranked by
  ``cortexdb_bm25``, FTS5's bm25 formula with the frequencies given (exact ones for the other
  phrases), unless they come to under ``WALK_SHARE`` a candidate (FTS5's walk is then cheaper
  than the Python function, and exact). With one phrase the idf is a constant factor, so the
  order is exactly bm25's; scores differ from whole-index bm25 by the estimate's error: it
  measures the phrase's recent frequency, higher than its overall one for a word common lately.
- Callers needing more rows (a wider per-conversation window, filters that leave too few hits)
  plan again with more candidates; ``exhaustive`` searches skip the plan.

Measured (scale and quality): docs/benchmarks.md, "Search: bounded ranking".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import apsw
import orjson

from .errors import CortexError

RANKED_CANDIDATES = 100
"""Matches ranked at most per search; queries matching fewer rows are ranked in full."""
COUNTED_MATCHES = 1_000
"""Phrases matching more rows than this have their frequency estimated, not counted (when their
query has more than ``RANKED_CANDIDATES`` matches)."""
K1, B = 1.2, 0.75  # FTS5's bm25 constants
WALK_SHARE = 40
"""FTS5's idf walk costs about 1/40 of a ``cortexdb_bm25`` call per row (20-45 ns a match against
1-1.5 µs a candidate): below ``WALK_SHARE`` matches a candidate, its bm25 is also the cheaper."""

Execute = Callable[[str, tuple[Any, ...]], Sequence[Sequence[Any]]]
# Row counts (ints of ours) are written into LIMIT: FTS5 walks measured 4-7 µs faster than with a
# bound LIMIT, the ranking statements 25-30 µs (cortexdb/memory/conversations.py).


class PhraseMismatch(CortexError):
    """FTS5 parsed the query into other phrases than ``cortexdb_bm25`` was given frequencies for
    (a word with no tokens is dropped from an AND): search ranks with FTS5's bm25 instead. A
    CortexError, not a ValueError, so statement paths pass it on untranslated."""


def newest(execute: Execute, table: str, expr: str, candidates: int) -> tuple[int, int, int]:
    """``(count, lowest rowid, highest rowid)`` of the newest ``candidates`` matches of ``expr``."""
    name = table.rsplit(".", 1)[-1]
    [(count, low, high)] = execute(f"SELECT count(*), min(rowid), max(rowid) FROM (SELECT rowid FROM {table} "
                                   f"WHERE {name} MATCH ? ORDER BY rowid DESC LIMIT {candidates:d})", (expr,))
    return int(count), int(low or 0), int(high or 0)


def rank_floor(execute: Execute, table: str, expr: str, *, candidates: int | None = None) -> int:
    """The lowest rowid worth ranking for ``expr`` in FTS5 ``table`` (``schema.name``): 0 when
    it matches at most ``candidates`` (default ``RANKED_CANDIDATES``) rows, else the
    ``candidates``-th newest matching rowid."""
    candidates = candidates or RANKED_CANDIDATES
    count, low, _ = newest(execute, table, expr, candidates)
    return low if count >= candidates else 0


def total_rows(execute: Execute, table: str) -> int:
    """Rows in FTS5 ``table``, read from its averages record (the first varint) without a scan."""
    rows = execute(f"SELECT block FROM {table}_data WHERE id = 1", ())
    value = 0
    for byte in (rows[0][0] if rows and rows[0][0] else b"")[:9]:
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            break
    return value


def plan(execute: Execute, table: str, expr: str, phrases: Sequence[str] | None, *,
         candidates: int | None = None) -> tuple[int, str | None]:
    """How to rank ``expr`` in FTS5 ``table``: ``(rowid floor, idf)``. ``idf`` is None to rank by
    FTS5's bm25, else the JSON list of phrase idfs to give ``cortexdb_bm25``.

    ``phrases`` are the query's phrases as FTS5 expressions (in query order), or None when the
    query is not a plain list of phrases: it is then always ranked by FTS5's bm25. ``candidates``
    (default ``RANKED_CANDIDATES``) widens the bound for callers that need more rows."""
    candidates, counted = candidates or RANKED_CANDIDATES, COUNTED_MATCHES
    count, low, high = newest(execute, table, expr, candidates)
    floor = low if count >= candidates else 0
    if not floor or phrases is None:
        return floor, None
    threshold = WALK_SHARE * candidates
    walks = {0: (count, low, high)} if len(phrases) == 1 else {}  # one phrase: the query's walk is its own
    estimates: dict[int, float] = {}
    rows = 0
    if walks and counted + 1 <= threshold:  # FTS5's bm25 whatever the count when the estimate is low: skip counting
        rows = total_rows(execute, table)
        estimates[0] = _estimate(execute, table, walks[0], rows)
        if estimates[0] <= threshold:
            return floor, None
    counts = [count_upto(execute, table, p, counted + 1) for p in phrases]
    if all(n <= counted for n in counts):  # FTS5's bm25 counts them exactly, and cheaply
        return floor, None
    rows = rows or total_rows(execute, table)
    matches: list[float] = []
    for i, (phrase, n) in enumerate(zip(phrases, counts, strict=True)):
        if n <= counted:
            matches.append(n)
            continue
        if i not in estimates:
            estimates[i] = _estimate(execute, table, walks.get(i) or newest(execute, table, phrase, candidates), rows)
        matches.append(max(counted + 1, min(rows, estimates[i])))
    if sum(matches) <= threshold:  # exact and cheaper still
        return floor, None
    return floor, orjson.dumps([max(math.log((rows - n + 0.5) / (n + 0.5)), 1e-6) for n in matches]).decode()


def count_upto(execute: Execute, table: str, expr: str, most: int) -> int:
    """Matches of ``expr`` in ``table``, counted up to ``most`` (the walk stops there)."""
    name = table.rsplit(".", 1)[-1]
    return int(execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {name} MATCH ? LIMIT {most:d})", (expr,))[0][0])


SPAN_COUNTED = 4_096
"""Rowid spans up to this long are counted row by row in the docsize table; longer ones (a phrase
whose newest matches are sparse) are estimated, since counting them cost up to 5 ms a search."""


def _estimate(execute: Execute, table: str, walk: tuple[int, int, int], rows: int) -> float:
    """A phrase's matches among ``rows``, from the ``(count, lowest, highest rowid)`` of its newest
    matches: their share of the rows they span, times all rows."""
    count, low, high = walk
    return count * rows / max(_rows_between(execute, table, low, high, rows), 1)


def _rows_between(execute: Execute, table: str, low: int, high: int, rows: int) -> float:
    """Rows of ``table`` (``rows`` in all) with rowids in ``[low, high]``: counted in its docsize
    table (deleted rows leave gaps) when the span is short, else the span times the table's share
    of live rowids between its lowest and highest (deletions taken as evenly spread)."""
    if high - low < SPAN_COUNTED:
        return int(execute(f"SELECT count(*) FROM {table}_docsize WHERE id BETWEEN ? AND ?", (low, high))[0][0])
    [(first, last)] = execute(f"SELECT (SELECT min(id) FROM {table}_docsize), (SELECT max(id) FROM {table}_docsize)", ())
    return (high - low + 1) * rows / max(int(last) - int(first) + 1, 1)


def _bm25(api: apsw.FTS5ExtensionApi, /, *args: Any) -> float:
    """``cortexdb_bm25(table, idf_json, *column_weights)``: FTS5's bm25 (same constants, column
    weights, length normalisation) with each phrase's idf given by the caller, not counted."""
    data = api.aux_data
    if data is None:  # once per query
        idfs, weights = orjson.loads(args[0]), args[1:]
        if api.phrase_count != len(idfs):
            raise PhraseMismatch(f"{api.phrase_count} phrases, {len(idfs)} frequencies")
        columns = api.column_count
        cols = tuple(float(w) for w in weights[:columns]) + (1.0,) * (columns - len(weights))
        average = api.column_total_size(-1) / max(api.row_count, 1)
        data = api.aux_data = (tuple(enumerate(idfs)), None if cols == (1.0,) * columns else cols,
                               K1 * (1 - B), K1 * B / average if average else 0.0)
    idfs, cols, fixed, per_token = data
    norm = fixed + per_token * api.column_size(-1)
    if cols is None and len(idfs) == 1:  # every hit is the one phrase's
        freq = api.inst_count
        return -idfs[0][1] * freq * (K1 + 1) / (freq + norm)
    score = 0.0
    locations = api.phrase_locations
    for i, idf in idfs:
        found = locations(i)
        freq = (sum(len(offsets) for offsets in found) if cols is None else
                sum(w * len(offsets) for w, offsets in zip(cols, found, strict=True)))
        if freq:
            score += idf * freq * (K1 + 1) / (freq + norm)
    return -score


def register(conn: apsw.Connection) -> None:
    """Make ``cortexdb_bm25`` available to FTS5 queries on ``conn``."""
    conn.register_fts5_function("cortexdb_bm25", _bm25)
