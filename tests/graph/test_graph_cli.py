"""``cortexdb graph search|neighbors|show`` and the demo's graph step."""

from __future__ import annotations

import orjson
from click.testing import CliRunner

import cortexdb
from cortexdb.cli import main


def make(home):
    with cortexdb.open(home) as db:
        g = db.graph
        a = g.upsert_entity("web/login.ts", kind="file", observations=["safari cookie bug"])
        b = g.upsert_entity("PR-12", kind="change")
        g.relate(a, "fixed_by", b)


def run(home, *args):
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result


def test_graph_commands(tmp_path):
    home = tmp_path / "s"
    make(home)
    out = run(home, "--json", "graph", "search", 'safari "(cookie')
    assert out.exit_code == 0, out.output
    hits = orjson.loads(out.output)
    assert [h["name"] for h in hits] == ["web/login.ts"] and "**safari**" in hits[0]["snippet"] and hits[0]["score"] > 0
    out = run(home, "--json", "graph", "neighbors", "web/login.ts", "--direction", "out")
    assert [(n["name"], n["depth"]) for n in orjson.loads(out.output)] == [("PR-12", 1)]
    out = run(home, "--json", "graph", "show", "#2")
    shown = orjson.loads(out.output)
    assert shown["entity"]["name"] == "PR-12" and shown["relations"][0]["source_name"] == "web/login.ts"
    out = run(home, "graph", "show", "web/login.ts")
    assert out.exit_code == 0 and "safari cookie bug" in out.output and "fixed_by" in out.output
    assert "web/login.ts" in run(home, "graph", "search", "cookie").output
    out = run(home, "graph", "show", "missing")
    assert out.exit_code == 2 and "NotFoundError" in out.output
    for command in ("search", "neighbors", "show"):
        assert run(home, "graph", command, "--help").exit_code == 0


def test_demo_graph_step(tmp_path):
    from cortexdb.demo import step_graph

    lines = []
    with cortexdb.open(tmp_path / "d") as db:
        step_graph(db, lines.append)
    text = "\n".join(lines)
    assert "PR-12" in text and "path: cookie-samesite -> web/login.ts -> app-db" in text
