"""``cortexdb graph``: add entities, relate them, record observations, delete; search, walk
neighbors, show one entity."""

from __future__ import annotations

from typing import Any

import click

from ..graph import Graph
from . import Context, main, pass_ctx
from ._errors import CliError
from ._input import input_option, parse_json, records_or_arguments
from ._output import Section, emit, emit_document, output_options, plain

ENTITY_COLUMNS = ["id", "name", "kind", "namespace", "confidence", "pinned", "tags", "observations"]
RELATION_COLUMNS = ["id", "source_name", "relation_type", "target_name", "strength", "confidence", "valid_from"]
MAX_ID = 2**63 - 1


def _ref(value: str) -> int | str:
    """An entity given on the command line: ``#12`` is id 12, anything else a name."""
    if value.startswith("#") and value[1:].isdigit():
        number = int(value[1:])
        if not 1 <= number <= MAX_ID:
            raise CliError(f"{value} is not an entity id (ids are #1 to #{MAX_ID}); give a name or an existing #id")
        return number
    return value


def _namespace(graph: Graph, namespace: str) -> None:
    """Writing into a namespace that does not exist yet creates it."""
    if namespace not in graph.namespaces():
        graph.add_namespace(namespace)


@main.group()
def graph() -> None:
    """The knowledge graph: add, relate, observe, delete, search, neighbors, show, export."""


@graph.command("add")
@click.argument("name", required=False)
@click.option("-k", "--kind", help="The entity's kind (needed when it is new).")
@click.option("-o", "--observation", "observations", multiple=True, help="An observation to add (repeatable).")
@click.option("--tag", "tags", multiple=True, help="A tag; the tags given replace the entity's tags (repeatable).")
@click.option("--properties", help="A JSON object replacing the entity's properties.")
@click.option("--confidence", type=click.FloatRange(0, 1), help="Confidence 0-1.")
@click.option("--pin/--unpin", "pinned", default=None, help="Pin the entity (decay never archives it) or unpin it.")
@click.option("--namespace", default="default", show_default=True, help="Graph namespace (created if new).")
@input_option
@output_options
@pass_ctx
def graph_add(ctx: Context, name: str | None, kind: str | None, observations: tuple[str, ...], tags: tuple[str, ...],
              properties: str | None, confidence: float | None, pinned: bool | None, namespace: str,
              input_path: str | None) -> None:
    """Create entity NAME or update the fields given; with -i, records {name, kind, observations,
    tags, properties, confidence, pinned}, all in one transaction."""
    records = records_or_arguments(input_path, {
        "name": name, "kind": kind, "observations": list(observations), "tags": list(tags) or None,
        "properties": None if properties is None else parse_json("--properties", properties),
        "confidence": confidence, "pinned": pinned}, required=("name",))
    g = ctx.store(create=True).graph
    _namespace(g, namespace)
    ids = g.upsert_entities(records, namespace=namespace)
    emit([g.get_entity(i, touch=False) for i in ids], title="entities", columns=ENTITY_COLUMNS)


@graph.command("relate")
@click.argument("source", required=False)
@click.argument("relation_type", required=False)
@click.argument("target", required=False)
@click.option("--strength", type=float, default=1.0, show_default=True, help="The relation's strength.")
@click.option("--confidence", type=click.FloatRange(0, 1), default=1.0, show_default=True, help="Confidence 0-1.")
@click.option("--properties", help="A JSON object stored with the relation.")
@click.option("--namespace", default="default", show_default=True, help="Namespace of the entities.")
@input_option
@output_options
@pass_ctx
def graph_relate(ctx: Context, source: str | None, relation_type: str | None, target: str | None, strength: float,
                 confidence: float, properties: str | None, namespace: str, input_path: str | None) -> None:
    """Record SOURCE -RELATION_TYPE-> TARGET (names or #ids) as true now; with -i, records
    {source, relation_type, target, strength, confidence, properties}."""
    records = records_or_arguments(input_path, {
        "source": None if source is None else _ref(source), "relation_type": relation_type,
        "target": None if target is None else _ref(target), "strength": strength, "confidence": confidence,
        "properties": None if properties is None else parse_json("--properties", properties)},
        required=("source", "relation_type", "target"))
    emit(ctx.store().graph.relate_many(records, namespace=namespace), title="relations", columns=RELATION_COLUMNS)


@graph.command("observe")
@click.argument("entity")
@click.argument("observations", nargs=-1, required=True)
@click.option("--namespace", default="default", show_default=True, help="Namespace of ENTITY when given by name.")
@output_options
@pass_ctx
def graph_observe(ctx: Context, entity: str, observations: tuple[str, ...], namespace: str) -> None:
    """Add OBSERVATIONS (text facts) to ENTITY (a name, or #id); prints those that were new."""
    added = ctx.store().graph.add_observations(_ref(entity), observations, namespace=namespace)
    emit([{"entity": entity, "observation": o} for o in added], title="added")


@graph.command("delete")
@click.argument("entities", nargs=-1, required=True)
@click.option("--namespace", default="default", show_default=True, help="Namespace of ENTITIES given by name.")
@click.option("--missing-ok", is_flag=True, help="Skip entities that do not exist instead of failing.")
@output_options
@pass_ctx
def graph_delete(ctx: Context, entities: tuple[str, ...], namespace: str, missing_ok: bool) -> None:
    """Delete ENTITIES (names or #ids) with their observations, tags and relations."""
    count = ctx.store().graph.delete_entities([_ref(e) for e in entities], namespace=namespace, missing_ok=missing_ok)
    emit({"deleted": count}, title="graph")


@graph.command()
@click.argument("query")
@click.option("-k", "--kind", "kinds", multiple=True, help="Only entities of this kind (repeatable).")
@click.option("--namespace", help="Only this namespace.")
@click.option("--min-confidence", type=float, help="Only hits with at least this confidence (0-1).")
@click.option("--tag", "tags", multiple=True, help="Only entities with this tag (repeatable; any matches).")
@click.option("--any", "any_word", is_flag=True, help="Match any word instead of all of them.")
@click.option("-n", "--limit", type=int, default=10, show_default=True, help="Most hits to show.")
@click.option("--archived", is_flag=True, help="Also search archived nodes (decay-marked and moved to tier 3).")
@output_options
@pass_ctx
def search(ctx: Context, query: str, kinds: tuple[str, ...], namespace: str | None, min_confidence: float | None,
           tags: tuple[str, ...], any_word: bool, limit: int, archived: bool) -> None:
    """Full-text search (bm25-ranked) over names, kinds, observations and patterns."""
    hits = ctx.store().graph.search(query, kinds=list(kinds) or None, namespace=namespace,
                                    min_confidence=min_confidence, tags=list(tags) or None, limit=limit,
                                    mode="any" if any_word else "all", include_archived=archived)
    emit([{**plain(h.entity), "score": h.score, "snippet": h.snippet} for h in hits], title=f"search {query!r}",
         columns=["id", "name", "kind", "score", "snippet", *(["archived_at"] if archived else [])])


@graph.command()
@click.argument("entity")
@click.option("-d", "--depth", type=int, default=1, show_default=True, help="Hops to walk.")
@click.option("-r", "--relation", "relations", multiple=True, help="Follow only this relation type (repeatable).")
@click.option("--direction", type=click.Choice(["out", "in", "both"]), default="both", show_default=True,
              help="Which way to follow relations.")
@click.option("--namespace", default="default", show_default=True, help="Namespace of ENTITY when given by name.")
@click.option("-n", "--limit", type=int, default=100, show_default=True, help="Most entities to show.")
@output_options
@pass_ctx
def neighbors(ctx: Context, entity: str, depth: int, relations: tuple[str, ...], direction: str, namespace: str,
              limit: int) -> None:
    """Entities within DEPTH hops of ENTITY (a name, or #id), nearest first."""
    found = ctx.store().graph.neighbors(_ref(entity), depth=depth, relations=list(relations) or None,
                                        direction=direction, limit=limit, namespace=namespace)
    emit([{"depth": n.depth, **plain(n.entity)} for n in found], title=f"neighbors of {entity}",
         columns=["depth", "id", "name", "kind"])


@graph.command()
@click.argument("entity")
@click.option("--namespace", default="default", show_default=True, help="Namespace of ENTITY when given by name.")
@click.option("--archived", is_flag=True, help="Look in the tier-3 archive when ENTITY is not live.")
@output_options
@pass_ctx
def show(ctx: Context, entity: str, namespace: str, archived: bool) -> None:
    """One entity (a name, or #id) with its observations, tags and current relations."""
    from ..graph import archived as archive_reader

    store = ctx.store()
    g = store.graph
    found = g.get_entity(_ref(entity), namespace=namespace, touch=False, include_archived=archived)
    observations = Section("observations", [{"#": i + 1, "observation": o} for i, o in enumerate(found.observations)])
    entity_section = Section("archived entity" if found.archived_at else "entity", found,
                             ["id", "name", "kind", "namespace", "confidence", "pinned", "tags", "properties",
                              "archived_at", "created_at", "updated_at"])
    if store.execute("SELECT 1 FROM tier2.graph_entities WHERE uuid = ?", (found.uuid,)):
        relations: list[Any] = g.relations(found)
        emit_document({"entity": found, "relations": relations},
                      [entity_section, observations, Section("relations", relations, RELATION_COLUMNS)])
        return
    # In the archive: its archived relations (ids there are the ones it had when archived).
    rows = archive_reader.relations(store, found.uuid)
    emit_document({"entity": found, "archived": True, "relations": rows},
                  [entity_section, observations, Section("relations", rows)])
