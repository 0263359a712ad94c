"""memory.jsonl import/export: lossless round trip at 10k entities / 30k relations, malformed
lines reported with their line numbers, the CLI commands, and interop with the reference format."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

import cortexdb
from cortexdb.cli import main
from cortexdb.mcp import MemoryTools, export_memory, import_memory
from cortexdb.mcp.memory_jsonl import read_memory_file


def write_memory(path: Path, entities: int, relations: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    words = ["alpha", "beta", "gamma", "delta", "safari", "cookie", "token", "ünïcödé", '"quoted"', "back\\slash", "tab\tnew"]
    lines = [json.dumps({"type": "entity", "name": f"entity-{i}", "entityType": rng.choice(["person", "file", "idea"]),
                         "observations": list(dict.fromkeys(" ".join(rng.choices(words, k=4)) for _ in range(rng.randrange(4))))})
             for i in range(entities)]
    seen: set[tuple[int, int, str]] = set()
    while len(seen) < relations:
        a, b, kind = rng.randrange(entities), rng.randrange(entities), rng.choice(["uses", "knows", "blocks"])
        if a != b and (a, b, kind) not in seen:
            seen.add((a, b, kind))
            lines.append(json.dumps({"type": "relation", "from": f"entity-{a}", "to": f"entity-{b}", "relationType": kind}))
    path.write_text("\n".join(lines), encoding="utf-8")


def test_round_trip_10k_entities_30k_relations(tmp_path: Path) -> None:
    source, back = tmp_path / "memory.jsonl", tmp_path / "back.jsonl"
    write_memory(source, 10_000, 30_000)
    with cortexdb.open(tmp_path / "s") as db:
        report = import_memory(db, source)
        assert report.ok and report.entities_created == 10_000 and report.relations_created == 30_000
        exported = export_memory(db, back)
        assert (exported.entities, exported.relations) == (10_000, 30_000)
        again = import_memory(db, source)                           # importing twice changes nothing
        assert (again.entities_created, again.observations_added, again.relations_created) == (0, 0, 0)
        assert again.entities_merged == 10_000 and again.relations_existing == 30_000
    assert read_memory_file(back) == read_memory_file(source)       # equal as sets, observations in order
    # The reference's own format: entities then relations, compact JSON, "\n" between lines, no trailing one.
    first = back.read_text(encoding="utf-8").split("\n")[0]
    assert first == json.dumps(json.loads(first), ensure_ascii=False, separators=(",", ":"))
    assert list(json.loads(first)) == ["type", "name", "entityType", "observations"]
    assert not back.read_bytes().endswith(b"\n")


def test_malformed_lines_are_reported_with_line_numbers_and_good_ones_imported(tmp_path: Path) -> None:
    path = tmp_path / "memory.jsonl"
    lines = [
        '{"type":"entity","name":"a","entityType":"t","observations":["x"]}',      # 1 ok
        '{"type":"entity","name":"b","entityType":"t","observations":[]}',         # 2 ok
        "not json",                                                                 # 3
        '{"type":"entity","name":"c","entityType":"t"}',                           # 4 missing observations
        "",                                                                         # 5 blank: skipped silently
        '{"type":"widget","name":"w"}',                                            # 6 unknown type
        '{"type":"relation","from":"a","to":"b","relationType":"r"}',              # 7 ok
        '{"type":"relation","from":"a","to":"ghost","relationType":"r"}',          # 8 missing endpoint
        '[1, 2]',                                                                   # 9 not an object
        '{"type":"entity","name":"a","entityType":"t","observations":["y"]}',      # 10 repeat: merged
        '{"type":"relation","from":"a","to":"a","relationType":"r"}',              # 11 self link
        '{"type":"entity","name":"p","entityType":"t","observations":[1]}',        # 12 bad observation
        '{"type":"relation","from":"a","to":"b","relationType":"r"}',              # 13 repeat: once
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    with cortexdb.open(tmp_path / "s") as db:
        report = import_memory(db, path)
        graph = MemoryTools(db).read_graph()
    assert [e.line for e in report.errors] == [3, 4, 6, 8, 9, 11, 12]
    assert report.error_count == 7 and not report.ok
    assert "ghost" in report.errors[3].message
    assert graph == {"entities": [{"name": "a", "entityType": "t", "observations": ["x", "y"]},
                                  {"name": "b", "entityType": "t", "observations": []}],
                     "relations": [{"from": "a", "to": "b", "relationType": "r"}]}


def test_import_merges_into_an_existing_graph(tmp_path: Path) -> None:
    path = tmp_path / "memory.jsonl"
    path.write_text('{"type":"entity","name":"a","entityType":"t","observations":["new","old"]}\n'
                    '{"type":"relation","from":"a","to":"known","relationType":"r"}\n', encoding="utf-8")
    with cortexdb.open(tmp_path / "s") as db:
        tools = MemoryTools(db)
        tools.create_entities([{"name": "a", "entityType": "t", "observations": ["old"]},
                               {"name": "known", "entityType": "t", "observations": []}])
        report = import_memory(db, path)
        assert (report.entities_created, report.entities_merged, report.observations_added, report.relations_created) == (0, 1, 1, 1)
        assert tools.open_nodes(["a"])["entities"][0]["observations"] == ["old", "new"]


def test_cli_import_and_export(tmp_path: Path) -> None:
    path, out = tmp_path / "memory.jsonl", tmp_path / "out.jsonl"
    path.write_text('{"type":"entity","name":"a","entityType":"t","observations":["x"]}\nbroken\n'
                    '{"type":"entity","name":"b","entityType":"t","observations":[]}\n'
                    '{"type":"relation","from":"a","to":"b","relationType":"r"}', encoding="utf-8")
    home = str(tmp_path / "s")
    runner = CliRunner()
    result = runner.invoke(main, ["--home", home, "import-memory", "--json", str(path)])
    assert result.exit_code == 1, result.output  # the good lines are imported, the bad one fails the run
    assert f"{path}:2: " in result.stderr
    report = orjson.loads(result.stdout)
    assert (report["lines"], report["entities_created"], report["lines_skipped"]) == (4, 2, 1)
    one_line = tmp_path / "one.jsonl"
    one_line.write_text('{"type":"entity","name":"c","entityType":"t","observations":[]}\n', encoding="utf-8")
    result = runner.invoke(main, ["--home", home, "import-memory", "--json", str(one_line)])
    assert result.exit_code == 0 and orjson.loads(result.stdout)["lines"] == 1
    result = runner.invoke(main, ["--home", home, "--json", "export-memory", str(out)])
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["entities"] == 3
    assert read_memory_file(out) == ({("a", "t", ("x",)), ("b", "t", ()), ("c", "t", ())}, {("a", "b", "r")})


def test_reference_server_reads_the_export(tmp_path: Path) -> None:
    """The exported file is what the reference loadGraph() parses: split on \\n, JSON.parse each line."""
    node = pytest.importorskip("shutil").which("node")
    if node is None:
        pytest.skip("node is not installed")
    with cortexdb.open(tmp_path / "s") as db:
        MemoryTools(db).create_entities([{"name": "a\nb", "entityType": "t", "observations": ["ü \"q\""]}])
        export_memory(db, tmp_path / "m.jsonl")
    script = ("const fs=require('fs');const lines=fs.readFileSync(process.argv[1],'utf-8').split('\\n')"
              ".filter(l=>l.trim()!=='');console.log(JSON.stringify(lines.map(l=>JSON.parse(l))))")
    out = subprocess.run([node, "-e", script, str(tmp_path / "m.jsonl")], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [{"type": "entity", "name": "a\nb", "entityType": "t", "observations": ["ü \"q\""]}]
    assert sys.executable


def test_patterns_export_and_merge_back_but_are_not_created_from_jsonl(tmp_path: Path) -> None:
    path, back = tmp_path / "memory.jsonl", tmp_path / "back.jsonl"
    path.write_text('{"type":"entity","name":"new-p","entityType":"pattern","observations":[]}', encoding="utf-8")
    with cortexdb.open(tmp_path / "s") as db:
        db.graph.add_pattern("retry", "Retry once", "retry a 401 once", "solution")
        export_memory(db, back)
        assert import_memory(db, back).ok                       # an existing pattern merges
        report = import_memory(db, path)
        assert [e.line for e in report.errors] == [1] and "reserved" in report.errors[0].message
