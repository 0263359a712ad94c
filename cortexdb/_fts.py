"""Ranking cost bounded by the results, not by the matches (FTS5 search over many rows).

FTS5 computes bm25 for every matching row before ``ORDER BY rank LIMIT n`` can keep the best,
so a word in a tenth of a large store ranks hundreds of thousands of rows. Walking matches in
rowid order needs no ranking and stops early, so a search first asks for the
``RANKED_CANDIDATES``-th newest matching rowid: when the query matches fewer rows there is no
floor and ranking is exactly as before; otherwise only matches at or above that rowid (the
newest ``RANKED_CANDIDATES``) are ranked. bm25 still uses the statistics of the whole index, so
each candidate's score is unchanged; on very common queries the best results are the best of
the newest matches (recency breaks the tie that a common word cannot).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

RANKED_CANDIDATES = 2000
"""Matches ranked at most per search; queries matching fewer rows are ranked in full."""

Execute = Callable[[str, tuple[Any, ...]], Sequence[Sequence[Any]]]


def rank_floor(execute: Execute, table: str, expr: str, *, candidates: int | None = None) -> int:
    """The lowest rowid worth ranking for ``expr`` in FTS5 ``table`` (``schema.name``): 0 when
    it matches at most ``candidates`` (default ``RANKED_CANDIDATES``) rows, else the
    ``candidates``-th newest matching rowid."""
    candidates = candidates or RANKED_CANDIDATES
    name = table.rsplit(".", 1)[-1]
    rows = execute(f"SELECT rowid FROM {table} WHERE {name} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                   (expr, candidates - 1))
    return int(rows[0][0]) if rows else 0
