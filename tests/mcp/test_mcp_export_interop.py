"""Graph export (GraphML for networkx, DOT for Graphviz/pydot, Mermaid, node-link JSON) and
interop: tier files open in the plain sqlite3 module, with the substring index usable there."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

import cortexdb
from cortexdb.cli import main
from cortexdb.mcp import MemoryTools, export_graph

TRICKY = 'say "hi" <b>&amp;</b> | back\\slash\nnew line \x01ctl'


@pytest.fixture
def graph_db(tmp_path: Path) -> cortexdb.Store:
    db = cortexdb.open(tmp_path / "s")
    tools = MemoryTools(db)
    tools.create_entities([{"name": "a", "entityType": "file", "observations": [TRICKY]},
                           {"name": 'b "quoted"', "entityType": "person", "observations": []},
                           {"name": "c", "entityType": "file", "observations": ["x"]},
                           {"name": "far", "entityType": "file", "observations": []}])
    tools.create_relations([{"from": "a", "to": 'b "quoted"', "relationType": "knows"},
                            {"from": 'b "quoted"', "to": "c", "relationType": "owns <x>"},
                            {"from": "a", "to": "c", "relationType": "knows"},
                            {"from": "c", "to": "far", "relationType": "next"}])
    yield db
    db.close()


def test_graphml_reads_in_networkx(graph_db: cortexdb.Store, tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    path.write_text(export_graph(graph_db, "graphml"), encoding="utf-8")
    g = nx.read_graphml(path)
    assert g.is_directed() and g.number_of_nodes() == 4 and g.number_of_edges() == 4
    names = {data["name"] for _, data in g.nodes(data=True)}
    assert names == {"a", 'b "quoted"', "c", "far"}
    a = next(n for n, d in g.nodes(data=True) if d["name"] == "a")
    assert g.nodes[a]["observations"].startswith('say "hi" <b>&amp;</b>')
    assert {d["relationType"] for *_, d in g.edges(data=True)} == {"knows", "owns <x>", "next"}


def test_dot_parses_with_pydot_and_networkx(graph_db: cortexdb.Store) -> None:
    pydot = pytest.importorskip("pydot")
    text = export_graph(graph_db, "dot")
    [parsed] = pydot.graph_from_dot_data(text)
    g = nx.nx_pydot.from_pydot(parsed)
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 4
    labels = {json.loads(d["label"].replace("\\n", "\\\\n")) for *_, d in g.edges(data=True)}
    assert labels == {"knows", "owns <x>", "next"}


def test_mermaid_and_json_are_well_formed(graph_db: cortexdb.Store) -> None:
    mermaid = export_graph(graph_db, "mermaid").splitlines()
    assert mermaid[0] == "flowchart LR"
    node = re.compile(r'^  n\d+\["[^"\n]*"\]$')
    edge = re.compile(r'^  n\d+ -->\|"[^"|\n]*"\| n\d+$')
    assert all(node.match(line) or edge.match(line) for line in mermaid[1:]), mermaid
    assert sum(bool(edge.match(line)) for line in mermaid) == 4
    data = json.loads(export_graph(graph_db, "json"))
    g = nx.node_link_graph(data, edges="links")
    assert g.is_directed() and g.is_multigraph() and g.number_of_edges() == 4
    assert g.nodes["a"]["observations"] == [TRICKY]


def test_root_depth_and_kind_select_a_subgraph(graph_db: cortexdb.Store) -> None:
    near = nx.node_link_graph(json.loads(export_graph(graph_db, "json", root="a", depth=1)), edges="links")
    assert set(near.nodes) == {"a", 'b "quoted"', "c"} and near.number_of_edges() == 3
    files = nx.node_link_graph(json.loads(export_graph(graph_db, "json", kind="file")), edges="links")
    assert set(files.nodes) == {"a", "c", "far"} and files.number_of_edges() == 2
    with pytest.raises(cortexdb.ValidationError):
        export_graph(graph_db, "svg")
    with pytest.raises(cortexdb.NotFoundError):
        export_graph(graph_db, "dot", root="nobody")


def test_cli_graph_export(graph_db: cortexdb.Store, tmp_path: Path) -> None:
    home = str(graph_db.home)
    result = CliRunner().invoke(main, ["--home", home, "graph", "export", "--format", "mermaid", "--root", "c",
                                       "--depth", "1", "--kind", "file"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("flowchart LR") and "far" in result.stdout and "quoted" not in result.stdout
    out = tmp_path / "g.graphml"
    assert CliRunner().invoke(main, ["--home", home, "graph", "export", "-o", str(out)]).exit_code == 0
    assert nx.read_graphml(out).number_of_nodes() == 4


def test_tier_files_open_in_plain_sqlite3(graph_db: cortexdb.Store) -> None:
    """The sqlite3 shell / Datasette view: plain SQLite, no cortexdb functions needed, and the
    substring index stays in sync when rows are written without cortexdb."""
    path = graph_db.home / "tier2.db"
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = con.execute("SELECT e.name FROM graph_substring s JOIN graph_entities e ON e.id = s.rowid "
                           "WHERE graph_substring MATCH '\"AY \"\"HI\"' ORDER BY e.id").fetchall()
        assert rows == [("a",)]
        with con:
            con.execute("INSERT INTO graph_entities (name, kind, created_at, updated_at) VALUES "
                        "('from-shell', 'tool', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')")
            eid = con.execute("SELECT id FROM graph_entities WHERE name = 'from-shell'").fetchone()[0]
            con.execute("INSERT INTO graph_observations (entity_id, content, created_at) VALUES (?, 'written by sqlite3', "
                        "'2026-01-01 00:00:00.000')", (eid,))
        assert con.execute("INSERT INTO graph_substring (graph_substring, rank) VALUES ('integrity-check', 1)").fetchall() == []
    finally:
        con.close()
    found = MemoryTools(graph_db).search_nodes("TTEN BY SQL")
    assert found["entities"] == [{"name": "from-shell", "entityType": "tool", "observations": ["written by sqlite3"]}]
