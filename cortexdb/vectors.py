"""Vector spaces: opt-in embeddings for the graph and for messages, and nearest-neighbour search.

Vectors are stored as ordinary rows (little-endian float32 BLOBs in ``graph_embeddings`` /
``message_embeddings``), so a tier file stays readable by any SQLite. The KNN index is a
sqlite-vec ``vec0`` table in the connection's in-memory ``temp`` schema, derived from those rows
and brought up to date before each search by the space's ``generation`` (rows written since the
last sync are copied; a deletion makes it rebuild). Without the extension the same exact search
runs in numpy. Both give the exact nearest neighbours (``vec0`` is a flat, brute-force index).
"""

from __future__ import annotations

import functools
import math
import os
import sys
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import apsw

from .errors import CortexError, SemanticSearchUnavailable, ValidationError, translate, wrap_apsw

if TYPE_CHECKING:
    from .store import Store

METRICS = ("cosine", "l2")
METHODS = ("text", "semantic", "hybrid")
MAX_DIM = 8192
_VEC0_MAX_K = 4096  # sqlite-vec's limit on k in one KNN query
Embedder = Callable[[list[str]], Sequence[Sequence[float]]]


@dataclass(frozen=True)
class Space:
    """Where one kind of vector lives: its tier, config table, vector table and key column."""

    name: str
    tier: str
    config: str
    table: str
    key: str


SPACES = {
    "graph": Space("graph", "tier2", "graph_vector_config", "graph_embeddings", "entity_id"),
    "messages": Space("messages", "tier1", "message_vector_config", "message_embeddings", "message_id"),
}


@dataclass(frozen=True)
class VectorConfig:
    """A space's declared dimension and metric (``cosine`` or ``l2`` distance)."""

    dim: int
    metric: str


# -- configuration -------------------------------------------------------------------------------

def enable(store: Store, space: Space, dim: Any, metric: Any) -> VectorConfig:
    """Declare the space once; declaring it again the same way is a no-op, differently an error."""
    if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= MAX_DIM:
        raise ValidationError("dim", f"must be an integer between 1 and {MAX_DIM}, got {dim!r}")
    if metric not in METRICS:
        raise ValidationError("metric", f"must be one of {', '.join(METRICS)}, got {metric!r}")
    with store.transaction():
        current = config(store, space)
        if current is None:
            store.execute(f"INSERT INTO {space.tier}.{space.config} (id, dim, metric, generation, enabled_at) "
                          "VALUES (1, ?, ?, 1, ?)", (dim, metric, store.timestamp()))
            return VectorConfig(dim, metric)
    if current.metric != metric:
        raise ValidationError("metric", f"{space.name} vectors use {current.metric!r}; mixing metrics is refused "
                                        "(one metric per store)")
    if current.dim != dim:
        raise ValidationError("dim", f"{space.name} vectors have {current.dim} dimensions already, not {dim}")
    return current


def config(store: Store, space: Space) -> VectorConfig | None:
    """The space's declared configuration, or None if vectors were never enabled."""
    rows = store.execute(f"SELECT dim, metric FROM {space.tier}.{space.config} WHERE id = 1")
    return VectorConfig(rows[0][0], rows[0][1]) if rows else None


def require(store: Store, space: Space, field: str) -> VectorConfig:
    """The configuration, or a ValidationError naming ``field`` when vectors are not enabled."""
    found = config(store, space)
    if found is None:
        how = "db.graph.enable_vectors" if space.name == "graph" else "db.conversations.enable_vectors"
        raise ValidationError(field, f"{space.name} vectors are not enabled in this store; call {how}(dim=..., metric=...) first")
    return found


# -- validation and encoding -------------------------------------------------------------------------

def encode(cfg: VectorConfig, value: Any, field: str) -> bytes:
    """One vector as float32 bytes, after checking its length, finiteness and (cosine) norm."""
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Iterable):
        raise ValidationError(field, f"must be a sequence of {cfg.dim} numbers, got {type(value).__name__}")
    np = _numpy()
    if np is None:
        return _encode_array(cfg, value, field)
    try:
        numbers = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(field, "must contain only numbers") from None
    if numbers.dtype.kind not in "fiu" or numbers.ndim != 1:
        raise ValidationError(field, f"must be a flat sequence of {cfg.dim} numbers (no bools, strings or nesting)")
    if numbers.shape[0] != cfg.dim:
        raise ValidationError(field, f"has {numbers.shape[0]} dimensions; this store's vectors have {cfg.dim}")
    finite = bool(np.isfinite(numbers).all()) and (numbers.dtype == _F32 or float(np.abs(numbers).max()) <= _F32_MAX)
    packed = numbers.astype(_F32) if finite else numbers  # checked first: a cast beyond float32 would warn
    return _checked(cfg, field, finite, bool(packed.any()), packed.tobytes())


def _encode_array(cfg: VectorConfig, value: Iterable[Any], field: str) -> bytes:
    """The same checks without numpy."""
    import array

    items = list(value)
    if any(isinstance(x, (bool, str, bytes)) for x in items):
        raise ValidationError(field, f"must be a flat sequence of {cfg.dim} numbers (no bools, strings or nesting)")
    try:
        packed = array.array("f", [float(x) for x in items])
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(field, "must contain only numbers") from None
    if len(packed) != cfg.dim:
        raise ValidationError(field, f"has {len(packed)} dimensions; this store's vectors have {cfg.dim}")
    if sys.byteorder != "little":
        packed.byteswap()
    return _checked(cfg, field, all(math.isfinite(x) for x in packed), any(packed), packed.tobytes())


def _checked(cfg: VectorConfig, field: str, finite: bool, nonzero: bool, blob: bytes) -> bytes:
    if not finite:  # also catches values beyond float32's range
        raise ValidationError(field, "must contain only finite numbers (no NaN or infinity, within float32 range)")
    if cfg.metric == "cosine" and not nonzero:
        raise ValidationError(field, "is the zero vector, which has no direction for cosine distance")
    return blob


_F32 = "<f4"
_F32_MAX = 3.4028234663852886e38


@functools.cache
def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def next_generation(store: Store, space: Space) -> int:
    """Move the space's generation on (inside the caller's write transaction) and return it."""
    return int(store.execute(f"UPDATE {space.tier}.{space.config} SET generation = generation + 1 "
                             "RETURNING generation")[0][0])


# -- the derived index ----------------------------------------------------------------------------------

_extension: weakref.WeakKeyDictionary[apsw.Connection, bool] = weakref.WeakKeyDictionary()


def has_extension(store: Store) -> bool:
    """Load sqlite-vec into the store's connection once (loading is switched off again at once).

    ``CORTEXDB_SQLITE_VEC=0`` in the environment skips it (tests of the numpy path use it)."""
    conn = store.conn
    if conn not in _extension:
        loaded = False
        if os.environ.get("CORTEXDB_SQLITE_VEC", "1") != "0":
            try:
                import sqlite_vec

                conn.enable_load_extension(True)
                try:
                    conn.load_extension(sqlite_vec.loadable_path())
                    loaded = True
                finally:
                    conn.enable_load_extension(False)
            except (ImportError, apsw.Error, OSError, AttributeError):
                loaded = False
        _extension[conn] = loaded
    return _extension[conn]


def backend(store: Store) -> str:
    """``"sqlite-vec"``, ``"numpy"`` or ``"none"``: how this store's searches run."""
    if has_extension(store):
        return "sqlite-vec"
    return "numpy" if _numpy() is not None else "none"


def _index_name(space: Space) -> str:
    return f"temp.cortexdb_knn_{space.name}"


def sync_index(store: Store, space: Space, cfg: VectorConfig) -> None:
    """Bring the in-memory ``vec0`` index up to the stored rows: copy the rows written since the
    last sync (keys it may hold already are replaced), or rebuild it after a deletion."""
    index = _index_name(space)
    base = f"{space.tier}.{space.table}"
    conn = store.conn
    with store._lock, wrap_apsw():
        generation, deletions = conn.execute(f"SELECT generation, deletions FROM {space.tier}.{space.config}").fetchall()[0]
        conn.execute("CREATE TABLE IF NOT EXISTS temp.cortexdb_knn_state (space TEXT PRIMARY KEY, generation INTEGER, "
                     "deletions INTEGER, max_key INTEGER, dim INTEGER, metric TEXT)")
        state = conn.execute("SELECT generation, deletions, max_key FROM temp.cortexdb_knn_state "
                             "WHERE space = ? AND dim = ? AND metric = ?", (space.name, cfg.dim, cfg.metric)).fetchall()
        if state and state[0][0] == generation:
            return
        with conn:  # SAVEPOINT: the index and its state change together
            if not state or state[0][1] != deletions:
                _rebuild(conn, index, base, space, cfg)
            else:
                synced, max_key = state[0][0], state[0][2]
                # keys above the last synced maximum are new to the index: only lower ones may need replacing
                stale = conn.execute(f"SELECT {space.key} FROM {base} WHERE generation > ? AND {space.key} <= ?",
                                     (synced, max_key)).fetchall()
                conn.executemany(f"DELETE FROM {index} WHERE rowid = ?", stale)  # vec0 scans for an IN list
                conn.execute(f"INSERT INTO {index} (rowid, embedding) SELECT {space.key}, embedding FROM {base} "
                             "WHERE generation > ?", (synced,))
            max_key = conn.execute(f"SELECT coalesce(max({space.key}), 0) FROM {base}").get
            conn.execute("INSERT OR REPLACE INTO temp.cortexdb_knn_state VALUES (?, ?, ?, ?, ?, ?)",
                         (space.name, generation, deletions, max_key, cfg.dim, cfg.metric))


def _rebuild(conn: apsw.Connection, index: str, base: str, space: Space, cfg: VectorConfig) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {index}")
    conn.execute(f"CREATE VIRTUAL TABLE {index} USING vec0(embedding float[{cfg.dim}] distance_metric={cfg.metric})")
    conn.execute(f"INSERT INTO {index} (rowid, embedding) SELECT {space.key}, embedding FROM {base}")


# -- search ---------------------------------------------------------------------------------------------------

def nearest(store: Store, space: Space, cfg: VectorConfig, query: bytes, k: int, *, join: str = "",
            where: Sequence[str] = (), params: dict[str, Any] | None = None) -> list[tuple[int, float]]:
    """The ``k`` nearest ``(key, distance)`` pairs, closest first (ties by key).

    ``join`` and ``where`` restrict the candidates inside the search (they see the candidate as
    ``v.k``), so ``k`` results come back whenever ``k`` rows pass the filters.
    """
    bound = dict(params or {})
    bound.update(q=query, k=k)
    condition = " AND ".join(where) or "1"
    base = f"{space.tier}.{space.table}"
    how = backend(store)
    if how == "none":
        raise SemanticSearchUnavailable(
            "semantic search needs the sqlite-vec extension (pip install sqlite-vec) or numpy; neither loads here. "
            "Text search (method='text') works without them")
    if how == "sqlite-vec":
        sync_index(store, space, cfg)
        total = None
        fetch = k if not where and not join else 4 * k
        while fetch <= _VEC0_MAX_K:
            bound["fetch"] = fetch
            rows = _run(store, f"WITH v(k, distance) AS MATERIALIZED (SELECT rowid, distance FROM {_index_name(space)} "
                               f"WHERE embedding MATCH :q AND k = :fetch) SELECT v.k, v.distance FROM v {join} "
                               f"WHERE {condition} ORDER BY v.distance, v.k LIMIT :k", bound)
            if len(rows) >= k:
                return rows
            if total is None:
                total = store.execute(f"SELECT count(*) FROM {base}")[0][0]
            if fetch >= total:
                return rows
            fetch *= 4
        # very selective filters: scan the filtered rows exactly with sqlite-vec's distance function
        return _run(store, f"WITH v(k, distance) AS (SELECT {space.key}, vec_distance_{cfg.metric}(embedding, :q) "
                           f"FROM {base}) SELECT v.k, v.distance FROM v {join} WHERE {condition} "
                           "ORDER BY v.distance, v.k LIMIT :k", bound)
    return _numpy_nearest(store, space, cfg, query, k, join, condition, bound)


def distances(store: Store, space: Space, cfg: VectorConfig, query: bytes, keys: Sequence[int]) -> dict[int, float]:
    """Distances from ``query`` of the given rows' vectors (rows without one are left out)."""
    if not keys:
        return {}
    import orjson

    where = ["v.k IN (SELECT value FROM json_each(:keys))"]
    params = {"keys": orjson.dumps(list(keys)).decode(), "q": query, "k": len(keys)}
    if backend(store) == "sqlite-vec":
        return dict(_run(store, f"SELECT {space.key}, vec_distance_{cfg.metric}(embedding, :q) FROM {space.tier}.{space.table} "
                                f"WHERE {space.key} IN (SELECT value FROM json_each(:keys))", params))
    return dict(_numpy_nearest(store, space, cfg, query, len(keys), "", where[0], params))


def _numpy_nearest(store: Store, space: Space, cfg: VectorConfig, query: bytes, k: int, join: str, condition: str,
                   bound: dict[str, Any]) -> list[tuple[int, float]]:
    np = _numpy()
    bound.pop("q")
    rows = _run(store, f"SELECT v.k, v.embedding FROM (SELECT {space.key} AS k, embedding FROM {space.tier}.{space.table}) v "
                       f"{join} WHERE {condition}", {n: bound[n] for n in bound if n != "k"})
    if not rows:
        return []
    keys = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), cfg.dim)
    q = np.frombuffer(query, dtype="<f4")
    if cfg.metric == "cosine":
        norms = np.linalg.norm(matrix, axis=1) * np.linalg.norm(q)
        distances = 1.0 - (matrix @ q) / norms
    else:
        distances = np.linalg.norm(matrix - q, axis=1)
    take = min(k, len(rows))
    part = np.argpartition(distances, take - 1)[:take] if take < len(rows) else np.arange(len(rows))
    order = part[np.lexsort((keys[part], distances[part]))]
    return [(int(keys[i]), float(distances[i])) for i in order]


def _run(store: Store, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with store._lock:
        try:
            return store.conn.execute(sql, params).fetchall()
        except apsw.Error as error:
            raise translate(error) from error


def fuse(ranked: Sequence[Sequence[int]], weights: Sequence[float], rrf_k: float) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each list adds ``weight / (rrf_k + rank)`` (rank from 1) to a key's
    score; best first, ties by first appearance."""
    scores: dict[int, float] = {}
    for keys, weight in zip(ranked, weights, strict=True):
        for rank, key in enumerate(keys, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (rrf_k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def check_method(method: Any, text: Any, embedding: Any, *, can_embed: bool) -> None:
    """Refuse a method whose inputs are missing, naming what to pass."""
    if method not in METHODS:
        raise ValidationError("method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    if method in ("text", "hybrid") and text is None:
        raise ValidationError("query", f"method={method!r} needs query text")
    if method in ("semantic", "hybrid") and embedding is None and not (text is not None and can_embed):
        raise ValidationError("embedding", f"method={method!r} needs an embedding, or query text and an embedder "
                                           "(db.set_embedder)")


def check_fusion(weights: Any, rrf_k: Any) -> tuple[float, float]:
    """Validated ``(text_weight, vector_weight)``; ``rrf_k`` must be a positive number."""
    if isinstance(rrf_k, bool) or not isinstance(rrf_k, (int, float)) or not math.isfinite(rrf_k) or rrf_k <= 0:
        raise ValidationError("rrf_k", f"must be a positive number, got {rrf_k!r}")
    if (not isinstance(weights, (tuple, list)) or len(weights) != 2
            or any(isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0 for w in weights)):
        raise ValidationError("weights", f"must be (text_weight, vector_weight), two numbers >= 0, got {weights!r}")
    return float(weights[0]), float(weights[1])


def embed_texts(embedder: Embedder, texts: list[str], field: str) -> list[Any]:
    """Call a registered embedder, turning its failures into ValidationError naming ``field``."""
    try:
        vectors = list(embedder(texts))
    except CortexError:
        raise
    except Exception as error:
        raise ValidationError(field, f"the embedder failed: {type(error).__name__}: {error}") from error
    if len(vectors) != len(texts):
        raise ValidationError(field, f"the embedder returned {len(vectors)} vectors for {len(texts)} texts")
    return vectors
