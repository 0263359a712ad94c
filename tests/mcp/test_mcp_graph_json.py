"""Graph results are built as JSON text by SQLite (cortexdb/mcp/tools.py, GraphJSON): the compact
form must be exactly what orjson writes for the value, and the text exactly JSON.stringify(value,
null, 2) (orjson's OPT_INDENT_2 writes the same), whatever the strings hold; and the value is the
one the Python-value methods (search_nodes, open_nodes, read_graph) return."""

from __future__ import annotations

import itertools
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cortexdb
from cortexdb.mcp import MemoryTools

# Any Unicode text SQLite can store: no NUL, no lone surrogates; control characters, quotes,
# backslashes, U+2028/2029 and astral characters included.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=12)


def _exact(graph: cortexdb.mcp.tools.GraphJSON) -> dict:
    value = orjson.loads(graph.compact)
    assert graph.compact == orjson.dumps(value).decode()
    assert graph.text == orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    return value


def test_graph_json_is_exactly_the_compact_and_indented_encoding(tmp_path: Path) -> None:
    counter = itertools.count()
    with cortexdb.open(tmp_path / "s") as db:
        tools = MemoryTools(db)

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(st.lists(st.tuples(TEXT, TEXT, st.lists(TEXT, max_size=3)), min_size=1, max_size=4, unique_by=lambda e: e[0]),
               st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), TEXT), max_size=5))
        def check(entities: list[tuple[str, str, list[str]]], relations: list[tuple[int, int, str]]) -> None:
            prefix = f"{next(counter)}:"
            tools.create_entities([{"name": prefix + n, "entityType": k if k != "pattern" else "p", "observations": o}
                                   for n, k, o in entities])
            names = [prefix + n for n, _, _ in entities]
            tools.create_relations([{"from": names[a], "to": names[b], "relationType": r}
                                    for a, b, r in relations if a < len(names) and b < len(names) and a != b])
            value = _exact(tools.open_nodes_json(names))
            assert value == tools.open_nodes(names)
            assert [e["name"] for e in value["entities"]] == names
            assert [e["observations"] for e in value["entities"]] == [list(dict.fromkeys(o)) for _, _, o in entities]
            assert _exact(tools.search_nodes_json(prefix)) == tools.search_nodes(prefix)

        check()
        empty = _exact(tools.search_nodes_json("nothing matches this"))
        assert empty == {"entities": [], "relations": []}
        paged = _exact(tools.search_nodes_json(":", limit=2))
        assert len(paged["entities"]) == 2 and paged["nextCursor"] and paged == tools.search_nodes(":", limit=2)
        rest = tools.search_nodes_json(":", limit=2, cursor=paged["nextCursor"])
        assert _exact(rest) == tools.search_nodes(":", limit=2, cursor=paged["nextCursor"])
        assert _exact(tools.read_graph_json(limit=3)) == tools.read_graph(limit=3)


def test_touching_relations_stop_at_the_first_max_relations_by_creation(tmp_path: Path, monkeypatch) -> None:
    """MAX_RELATIONS keeps the relations of one page to the first ones created, in both forms."""
    with cortexdb.open(tmp_path / "s") as db:
        tools = MemoryTools(db)
        tools.create_entities([{"name": n, "entityType": "t", "observations": []} for n in ("hub", "a", "b", "c")])
        tools.create_relations([{"from": "c", "to": "hub", "relationType": "r1"},
                                {"from": "hub", "to": "a", "relationType": "r2"},
                                {"from": "b", "to": "hub", "relationType": "r3"},
                                {"from": "hub", "to": "c", "relationType": "r4"}])
        assert [r["relationType"] for r in tools.search_nodes("hub")["relations"]] == ["r1", "r2", "r3", "r4"]
        monkeypatch.setattr(cortexdb.mcp.tools, "MAX_RELATIONS", 3)
        first = tools.search_nodes("hub")
        assert [r["relationType"] for r in first["relations"]] == ["r1", "r2", "r3"]
        assert _exact(tools.search_nodes_json("hub")) == first
        assert tools.open_nodes(["hub"]) == first
