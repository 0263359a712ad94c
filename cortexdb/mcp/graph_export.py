"""Export the knowledge graph (or the part around one entity) as GraphML, DOT, Mermaid or JSON.

GraphML is read by networkx (``nx.read_graphml``), Gephi, yEd; DOT by Graphviz (and pydot /
networkx); Mermaid by any Mermaid renderer (GitHub, mermaid-cli); JSON is networkx's node-link
format (``nx.node_link_graph(data, edges="links")``). The export is bounded by ``limit`` nodes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import orjson

from .._boundary import public_function
from ..errors import ValidationError
from ..graph import _common as c

if TYPE_CHECKING:
    from ..store import Store

FORMATS = ("graphml", "dot", "mermaid", "json")
# Characters XML 1.0 forbids (GraphML must stay parseable).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def collect(store: Store, *, root: str | int | None = None, depth: int = 2, kind: str | None = None,
            namespace: str = "default", limit: int = 10_000) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(nodes, edges): every entity of ``namespace`` (or ``root`` and its neighbors within
    ``depth`` hops), optionally only those of ``kind``, at most ``limit``, and the current
    relations among them."""
    c.positive("limit", limit)
    c.namespace_name(namespace)
    if kind is not None:
        c.text("kind", kind, max_len=100)
    if root is not None:
        c.positive("depth", depth, maximum=c.MAX_DEPTH)
        graph = store.graph
        start = graph.get_entity(root, namespace=namespace, touch=False)
        found = [start, *(n.entity for n in graph.neighbors(start, depth=depth, limit=limit, namespace=namespace))]
        ids = [e.id for e in found if kind is None or e.kind == kind or e.id == start.id][:limit]
    else:
        sql = "SELECT id FROM tier2.graph_entities WHERE namespace = ?"
        params: list[Any] = [namespace]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        ids = [r[0] for r in store.execute(sql + " ORDER BY id LIMIT ?", (*params, limit))]
    if not ids:
        return [], []
    id_json = orjson.dumps(ids).decode()
    observations: dict[int, list[str]] = {}
    for entity_id, content in store.execute(
            "SELECT entity_id, content FROM tier2.graph_observations WHERE entity_id IN "
            "(SELECT value FROM json_each(?)) ORDER BY id", (id_json,)):
        observations.setdefault(entity_id, []).append(content)
    nodes = [{"id": r[0], "name": r[1], "kind": r[2], "observations": observations.get(r[0], [])}
             for r in store.execute("SELECT id, name, kind FROM tier2.graph_entities WHERE id IN "
                                    "(SELECT value FROM json_each(?)) ORDER BY id", (id_json,))]
    edges = [{"id": r[0], "source": r[1], "target": r[2], "relationType": r[3], "strength": r[4]}
             for r in store.execute(
                 "SELECT id, source_id, target_id, relation_type, strength FROM tier2.graph_relations WHERE "
                 "valid_to IS NULL AND source_id IN (SELECT value FROM json_each(?1)) AND target_id IN "
                 "(SELECT value FROM json_each(?1)) ORDER BY id", (id_json,))]
    return nodes, edges


@public_function
def export_graph(store: Store, fmt: str, *, root: str | int | None = None, depth: int = 2, kind: str | None = None,
                 namespace: str = "default", limit: int = 10_000) -> str:
    """The graph as text in ``fmt`` (graphml, dot, mermaid, json); see :func:`collect`."""
    if fmt not in FORMATS:
        raise ValidationError("format", f"must be one of {', '.join(FORMATS)}, got {fmt!r}")
    nodes, edges = collect(store, root=root, depth=depth, kind=kind, namespace=namespace, limit=limit)
    return {"graphml": to_graphml, "dot": to_dot, "mermaid": to_mermaid, "json": to_json}[fmt](nodes, edges)


def _xml(value: str) -> str:
    return escape(_XML_BAD.sub("\ufffd", value))


def to_graphml(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
           '  <key id="name" for="node" attr.name="name" attr.type="string"/>',
           '  <key id="kind" for="node" attr.name="kind" attr.type="string"/>',
           '  <key id="observations" for="node" attr.name="observations" attr.type="string"/>',
           '  <key id="relationType" for="edge" attr.name="relationType" attr.type="string"/>',
           '  <key id="strength" for="edge" attr.name="strength" attr.type="double"/>',
           '  <graph id="cortexdb" edgedefault="directed">']
    for n in nodes:
        out.append(f'    <node id="n{n["id"]}"><data key="name">{_xml(n["name"])}</data>'
                   f'<data key="kind">{_xml(n["kind"])}</data>'
                   f'<data key="observations">{_xml(chr(10).join(n["observations"]))}</data></node>')
    for e in edges:
        out.append(f'    <edge id="e{e["id"]}" source="n{e["source"]}" target="n{e["target"]}">'
                   f'<data key="relationType">{_xml(e["relationType"])}</data>'
                   f'<data key="strength">{e["strength"]!r}</data></edge>')
    out += ["  </graph>", "</graphml>", ""]
    return "\n".join(out)


def _dot(value: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as \\n."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n") + '"'


def to_dot(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> str:
    out = ["digraph cortexdb {", "  node [shape=box];"]
    for n in nodes:
        out.append(f'  n{n["id"]} [label={_dot(n["name"] + chr(10) + "(" + n["kind"] + ")")}, '
                   f'entity={_dot(n["name"])}, kind={_dot(n["kind"])}];')
    for e in edges:
        out.append(f'  n{e["source"]} -> n{e["target"]} [label={_dot(e["relationType"])}];')
    out += ["}", ""]
    return "\n".join(out)


def _mermaid(value: str) -> str:
    """Mermaid label text inside double quotes: quotes and markup as entity codes."""
    for raw, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("|", "#124;"),
                      ("\r", ""), ("\n", " ")):
        value = value.replace(raw, code)
    return value


def to_mermaid(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> str:
    out = ["flowchart LR"]
    for n in nodes:
        out.append(f'  n{n["id"]}["{_mermaid(n["name"])}<br/><i>{_mermaid(n["kind"])}</i>"]')
    for e in edges:
        out.append(f'  n{e["source"]} -->|"{_mermaid(e["relationType"])}"| n{e["target"]}')
    return "\n".join(out) + "\n"


def to_json(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> str:
    """networkx node-link data (a directed multigraph keyed by relation type); node ids are names."""
    name = {n["id"]: n["name"] for n in nodes}
    data = {"directed": True, "multigraph": True, "graph": {"name": "cortexdb"},
            "nodes": [{"id": n["name"], "kind": n["kind"], "observations": n["observations"]} for n in nodes],
            "links": [{"source": name[e["source"]], "target": name[e["target"]], "key": e["relationType"],
                       "relationType": e["relationType"], "strength": e["strength"]} for e in edges]}
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


__all__ = ["FORMATS", "collect", "export_graph", "to_dot", "to_graphml", "to_json", "to_mermaid"]
