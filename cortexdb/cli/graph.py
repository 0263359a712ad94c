"""``cortexdb graph``: search the knowledge graph, walk neighbors, show one entity."""

from __future__ import annotations

import click

from . import Context, main, pass_ctx
from ._output import emit


def _ref(value: str) -> int | str:
    """An entity given on the command line: ``#12`` is id 12, anything else a name."""
    return int(value[1:]) if value.startswith("#") and value[1:].isdigit() else value


@main.group()
def graph() -> None:
    """Query the knowledge graph (entities, patterns, relations)."""


@graph.command()
@click.argument("query")
@click.option("-k", "--kind", "kinds", multiple=True, help="Only entities of this kind (repeatable).")
@click.option("--namespace", help="Only this namespace.")
@click.option("--min-confidence", type=float, help="Only hits with at least this confidence (0-1).")
@click.option("--tag", "tags", multiple=True, help="Only entities with this tag (repeatable; any matches).")
@click.option("--any", "any_word", is_flag=True, help="Match any word instead of all of them.")
@click.option("-n", "--limit", type=int, default=10, show_default=True, help="Most hits to show.")
@click.option("--archived", is_flag=True, help="Also search archived nodes (decay-marked and moved to tier 3).")
@pass_ctx
def search(ctx: Context, query: str, kinds: tuple[str, ...], namespace: str | None, min_confidence: float | None,
           tags: tuple[str, ...], any_word: bool, limit: int, archived: bool) -> None:
    """Full-text search (bm25-ranked) over names, kinds, observations and patterns."""
    hits = ctx.store().graph.search(query, kinds=list(kinds) or None, namespace=namespace,
                                    min_confidence=min_confidence, tags=list(tags) or None, limit=limit,
                                    mode="any" if any_word else "all", include_archived=archived)
    if ctx.as_json:
        emit(hits, as_json=True)
        return
    emit([{"id": h.entity.id, "name": h.entity.name, "kind": h.entity.kind, "score": round(h.score, 3),
           "snippet": h.snippet, **({"archived": bool(h.entity.archived_at)} if archived else {})} for h in hits],
         as_json=False, title=f"search {query!r}")


@graph.command()
@click.argument("entity")
@click.option("-d", "--depth", type=int, default=1, show_default=True, help="Hops to walk.")
@click.option("-r", "--relation", "relations", multiple=True, help="Follow only this relation type (repeatable).")
@click.option("--direction", type=click.Choice(["out", "in", "both"]), default="both", show_default=True,
              help="Which way to follow relations.")
@click.option("--namespace", default="default", show_default=True, help="Namespace of ENTITY when given by name.")
@click.option("-n", "--limit", type=int, default=100, show_default=True, help="Most entities to show.")
@pass_ctx
def neighbors(ctx: Context, entity: str, depth: int, relations: tuple[str, ...], direction: str, namespace: str,
              limit: int) -> None:
    """Entities within DEPTH hops of ENTITY (a name, or #id), nearest first."""
    found = ctx.store().graph.neighbors(_ref(entity), depth=depth, relations=list(relations) or None,
                                        direction=direction, limit=limit, namespace=namespace)
    if ctx.as_json:
        emit(found, as_json=True)
        return
    emit([{"depth": n.depth, "id": n.entity.id, "name": n.entity.name, "kind": n.entity.kind} for n in found],
         as_json=False, title=f"neighbors of {entity}")


@graph.command()
@click.argument("entity")
@click.option("--namespace", default="default", show_default=True, help="Namespace of ENTITY when given by name.")
@click.option("--archived", is_flag=True, help="Look in the tier-3 archive when ENTITY is not live.")
@pass_ctx
def show(ctx: Context, entity: str, namespace: str, archived: bool) -> None:
    """One entity (a name, or #id) with its observations, tags and current relations."""
    from ..graph import archived as archive_reader

    store = ctx.store()
    g = store.graph
    found = g.get_entity(_ref(entity), namespace=namespace, touch=False, include_archived=archived)
    if store.execute("SELECT 1 FROM tier2.graph_entities WHERE uuid = ?", (found.uuid,)):
        relations = g.relations(found)
    else:  # in the archive: its archived relations (ids there are the ones it had when archived)
        rows = archive_reader.relations(store, found.uuid)
        if ctx.as_json:
            emit({"entity": found, "archived": True, "relations": rows}, as_json=True)
            return
        emit({"id": found.id, "name": found.name, "kind": found.kind, "namespace": found.namespace,
              "archived_at": found.archived_at, "confidence": found.confidence, "tags": ", ".join(found.tags),
              "properties": found.properties}, as_json=False, title="archived entity")
        emit([{"#": i + 1, "observation": o} for i, o in enumerate(found.observations)], as_json=False,
             title="observations")
        emit([{"source": r["source"], "relation": r["relation"], "target": r["target"], "strength": r["strength"],
               "since": r["valid_from"], "until": r["valid_to"]} for r in rows], as_json=False, title="relations")
        return
    if ctx.as_json:
        emit({"entity": found, "relations": relations}, as_json=True)
        return
    emit({"id": found.id, "name": found.name, "kind": found.kind, "namespace": found.namespace,
          "confidence": found.confidence, "pinned": found.pinned, "tags": ", ".join(found.tags),
          "properties": found.properties}, as_json=False, title="entity")
    emit([{"#": i + 1, "observation": o} for i, o in enumerate(found.observations)], as_json=False,
         title="observations")
    emit([{"source": r.source_name, "relation": r.relation_type, "target": r.target_name, "strength": r.strength,
           "since": r.valid_from} for r in relations], as_json=False, title="relations")
