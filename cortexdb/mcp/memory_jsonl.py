"""Import and export the reference memory server's ``memory.jsonl``.

The file holds one JSON object per line: ``{"type":"entity","name":..,"entityType":..,
"observations":[..]}`` and ``{"type":"relation","from":..,"to":..,"relationType":..}``. Import
merges it into the knowledge graph of one namespace (new entities created, observations of known
ones added, relations created once); malformed lines are reported with their line numbers while
the good ones are imported. Export writes the same format, byte-compatible with the reference
(entities first, then relations, ``\\n`` between lines), atomically (temp file + rename).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from .._boundary import public_function
from ..errors import CortexError, StoreFileError, ValidationError, wrap_apsw
from ..graph import _common as c
from ..graph import vectors as graph_vectors
from .tools import PATTERN_MESSAGE, _entity_type, _name, _texts, insert_entities, insert_relations

if TYPE_CHECKING:
    from ..store import Store

Progress = Callable[[int, int], None] | None
MAX_ERRORS = 1000
"""At most this many line errors are kept in a report (the count is always exact)."""


@dataclass(frozen=True)
class LineError:
    """A line that was not imported, and why."""

    line: int
    message: str


@dataclass(frozen=True)
class ImportReport:
    """What ``import_memory`` did. ``errors`` lists skipped lines (1-based line numbers)."""

    lines: int
    entities_created: int
    entities_merged: int
    observations_added: int
    relations_created: int
    relations_existing: int
    error_count: int
    errors: tuple[LineError, ...]

    @property
    def ok(self) -> bool:
        return self.error_count == 0


@dataclass(frozen=True)
class ExportReport:
    """What ``export_memory`` wrote."""

    path: str
    entities: int
    relations: int


def _parse(line: str) -> tuple[str, Any]:
    try:
        item = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise ValidationError("line", f"not valid JSON ({error})") from error
    if not isinstance(item, dict):
        raise ValidationError("line", "must be a JSON object with a \"type\" of entity or relation")
    kind = item.get("type")
    if kind == "entity":
        for key in ("name", "entityType", "observations"):
            if key not in item:
                raise ValidationError(key, "is missing from the entity")
        return "entity", (_name("name", item["name"]), _entity_type("entityType", item["entityType"]),
                          _texts("observations", item["observations"]))
    if kind == "relation":
        for key in ("from", "to", "relationType"):
            if key not in item:
                raise ValidationError(key, "is missing from the relation")
        source, target = _name("from", item["from"]), _name("to", item["to"])
        if source == target:
            raise ValidationError("to", f"a relation cannot link {source!r} to itself")
        return "relation", (source, target, c.text("relationType", item["relationType"], max_len=100))
    raise ValidationError("type", f"must be \"entity\" or \"relation\", got {kind!r}")


@public_function
def import_memory(store: Store, path: str | os.PathLike[str], *, namespace: str = "default",
                  progress: Progress = None) -> ImportReport:
    """Merge a reference ``memory.jsonl`` into the graph of ``namespace`` in one transaction.

    Bad lines (invalid JSON, unknown type, missing or invalid fields, relations whose endpoints
    are neither in the file nor in the store) are skipped and reported with their line number.
    """
    c.namespace_name(namespace)
    jsonl = Path(path)
    try:
        raw = jsonl.read_bytes()
    except OSError as error:
        raise StoreFileError(f"cannot read {jsonl} ({error.strerror}); check the path") from error
    errors: list[LineError] = []
    error_count = 0

    def fail(line: int, message: str) -> None:
        nonlocal error_count
        error_count += 1
        if len(errors) < MAX_ERRORS:
            errors.append(LineError(line, message))

    entities: dict[str, tuple[str, list[str]]] = {}
    lines_of: dict[str, int] = {}
    relations: dict[tuple[str, str, str], int] = {}
    lines = raw.decode("utf-8", errors="replace").split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline ending the last line does not start another
    total = len(lines)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            kind, value = _parse(line)
        except ValidationError as error:
            fail(number, str(error))
            continue
        if kind == "entity":
            name, etype, observations = value
            if name in entities:  # a repeated entity (the reference can write one): merge observations
                entities[name][1].extend(observations)
            else:
                entities[name] = (etype, list(observations))
                lines_of[name] = number
        else:
            relations.setdefault(value, number)
    if progress:
        progress(0, len(entities) + len(relations))

    created = merged = added = rel_created = rel_existing = 0
    now = store.timestamp()
    with store.transaction():
        c.require_namespace(store, namespace)
        ids: dict[str, int] = {}
        names = list(entities)
        for start in range(0, len(names), 20_000):
            chunk = names[start:start + 20_000]
            ids.update(store.execute(
                "SELECT name, id FROM tier2.graph_entities WHERE namespace = ?1 AND name IN "
                "(SELECT value FROM json_each(?2))", (namespace, orjson.dumps(chunk).decode())))
        fresh = []
        for n in names:
            if n in ids:
                continue
            if entities[n][0] == "pattern":  # only existing patterns can be merged into
                fail(lines_of[n], f"entity {n!r}: {PATTERN_MESSAGE}")
                continue
            fresh.append(n)
        fresh_set = set(fresh)
        names = [n for n in names if n in ids or n in fresh_set]
        merged = len(names) - len(fresh)
        fresh_obs = {n: list(dict.fromkeys(entities[n][1])) for n in fresh}
        new_ids = insert_entities(store, namespace, [(n, entities[n][0], fresh_obs[n]) for n in fresh], now)
        ids.update(zip(fresh, new_ids, strict=True))
        created = len(fresh)
        known_names = [n for n in names if n not in fresh_obs]
        obs_rows = [(ids[n], o) for n in known_names for o in dict.fromkeys(entities[n][1])]
        known = orjson.dumps([ids[n] for n in known_names]).decode()
        count = "SELECT count(*) FROM tier2.graph_observations WHERE entity_id IN (SELECT value FROM json_each(?))"
        before = store.execute(count, (known,))[0][0]
        with wrap_apsw():
            c.add_observations(store, obs_rows, now)
        added = store.execute(count, (known,))[0][0] - before + sum(map(len, fresh_obs.values()))
        if store.embedder is not None:  # new entities were embedded by insert_entities; merged ones again here
            touched = [ids[n] for n in known_names]
            graph_vectors.write(store, touched, {}, embed_missing=range(len(touched)))
        if progress:
            progress(len(entities), len(entities) + len(relations))
        # Relation endpoints may be any entity of the namespace, not only those in the file.
        missing = {n for key in relations for n in key[:2] if n not in ids}
        if missing:
            ids.update(store.execute(
                "SELECT name, id FROM tier2.graph_entities WHERE namespace = ?1 AND name IN "
                "(SELECT value FROM json_each(?2))", (namespace, orjson.dumps(sorted(missing)).decode())))
        keyed = []
        for (source, target, rtype), number in relations.items():
            absent = [n for n in (source, target) if n not in ids]
            if absent:
                fail(number, f"relation endpoint{'s' if len(absent) > 1 else ''} not found: "
                             f"{', '.join(map(repr, absent))} (no such entity in the file or the store)")
                continue
            keyed.append((ids[source], rtype, ids[target]))
        rel_created = len(insert_relations(store, keyed, now))
        rel_existing = len(keyed) - rel_created
    if progress:
        progress(len(entities) + len(relations), len(entities) + len(relations))
    errors.sort(key=lambda e: e.line)
    return ImportReport(lines=total, entities_created=created, entities_merged=merged, observations_added=added,
                        relations_created=rel_created, relations_existing=rel_existing, error_count=error_count,
                        errors=tuple(errors))


def iter_memory_lines(store: Store, *, namespace: str = "default") -> Any:
    """The graph of ``namespace`` as reference ``memory.jsonl`` lines (bytes, no newline): entities
    in creation order with observations in insertion order, then current relations."""
    c.namespace_name(namespace)
    conn = store.conn
    dumps = orjson.dumps
    with wrap_apsw():
        for name, kind, observations in conn.execute(
                "SELECT e.name, e.kind, (SELECT json_group_array(content) FROM (SELECT content FROM "
                "tier2.graph_observations WHERE entity_id = e.id ORDER BY id)) FROM tier2.graph_entities e "
                "WHERE e.namespace = ? ORDER BY e.id", (namespace,)):
            yield b'{"type":"entity","name":' + dumps(name) + b',"entityType":' + dumps(kind) + \
                b',"observations":' + observations.encode() + b"}"
        for source, target, rtype in conn.execute(
                "SELECT s.name, t.name, r.relation_type FROM tier2.graph_relations r "
                "JOIN tier2.graph_entities s ON s.id = r.source_id JOIN tier2.graph_entities t ON t.id = r.target_id "
                "WHERE r.valid_to IS NULL AND s.namespace = ? ORDER BY r.id", (namespace,)):
            yield b'{"type":"relation","from":' + dumps(source) + b',"to":' + dumps(target) + \
                b',"relationType":' + dumps(rtype) + b"}"


@public_function
def export_memory(store: Store, path: str | os.PathLike[str], *, namespace: str = "default") -> ExportReport:
    """Write the graph of ``namespace`` as a reference ``memory.jsonl`` at ``path`` (atomically:
    a temp file in the same directory renamed over it), from one consistent snapshot."""
    target = Path(path)
    entities = relations = 0
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as error:
        raise StoreFileError(f"cannot write in {target.parent} ({error.strerror}); choose another path") from error
    try:
        with os.fdopen(fd, "wb") as out, store._lock:
            own = not store.conn.in_transaction
            if own:
                store.conn.execute("BEGIN")  # one read snapshot for entities and relations
            try:
                first = True
                for line in iter_memory_lines(store, namespace=namespace):
                    if not first:
                        out.write(b"\n")
                    first = False
                    out.write(line)
                    if line.startswith(b'{"type":"entity"'):
                        entities += 1
                    else:
                        relations += 1
            finally:
                if own:
                    store.conn.execute("COMMIT")
        os.replace(temp, target)
    except BaseException as error:
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise StoreFileError(f"cannot write {target} ({error.strerror})") from error
        raise
    return ExportReport(path=str(target), entities=entities, relations=relations)


def read_memory_file(path: str | os.PathLike[str]) -> tuple[set[tuple[Any, ...]], set[tuple[str, str, str]]]:
    """(entities, relations) of a ``memory.jsonl`` as sets, entities as (name, type, observations
    tuple): for comparing two files regardless of order."""
    entities, relations = set(), set()
    for line in Path(path).read_text(encoding="utf-8").split("\n"):
        if line.strip():
            item = orjson.loads(line)
            if item.get("type") == "entity":
                entities.add((item["name"], item["entityType"], tuple(item["observations"])))
            elif item.get("type") == "relation":
                relations.add((item["from"], item["to"], item["relationType"]))
    return entities, relations


__all__ = ["CortexError", "ExportReport", "ImportReport", "LineError", "export_memory", "import_memory",
           "iter_memory_lines", "read_memory_file"]
