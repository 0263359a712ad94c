"""Every command with every output option, and with bad input: exit statuses as documented,
output that parses in the format asked for, one-line errors, never a traceback."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import orjson
import pytest
from click.testing import CliRunner, Result

import cortexdb
from cortexdb.cli import main
from cortexdb.cli._output import FORMATS

NOT_OUTPUT = {"demo", "mcp", "graph export", "conversations export"}
"""Commands that print a document of their own (or serve), not rows."""

# argv after --home, with {fmt} making ids unique per format; and the exit statuses expected.
COMMANDS: list[tuple[str, list[str], set[int]]] = [
    ("init", ["init"], {0}),
    ("status", ["status"], {0}),
    ("schema list", ["schema", "list"], {0}),
    ("query", ["query", "SELECT 1 AS n, x'00ff' AS b, json_object('a', 1) AS j, 0.5 AS f"], {0}),
    ("backup", ["backup", "{tmp}/backup-{fmt}"], {0}),
    ("restore", ["restore", "--yes", "--tier", "tier3", "{tmp}/backup-{fmt}/tier3.db"], {0}),
    ("migrate status", ["migrate", "status"], {0}),
    ("migrate up", ["migrate", "up"], {0}),
    ("migrate create", ["migrate", "create", "pack{fmt}", "tier2", "things", "--schema-dir", "{tmp}/schema-{fmt}"], {0}),
    ("migrate rollback", ["migrate", "rollback", "nosuchmodule"], {2}),
    ("memory set", ["memory", "set", "k-{fmt}", "v"], {0}),
    ("memory get", ["memory", "get", "k"], {0}),
    ("memory list", ["memory", "list"], {0}),
    ("memory delete", ["memory", "delete", "k-{fmt}"], {0}),
    ("memory purge", ["memory", "purge"], {0}),
    ("conversations start", ["conversations", "start", "title {fmt}"], {0}),
    ("conversations add", ["conversations", "add", "c-1", "user", "hello {fmt}"], {0}),
    ("conversations recent", ["conversations", "recent"], {0}),
    ("conversations search", ["conversations", "search", "hello"], {0}),
    ("conversations show", ["conversations", "show", "c-1"], {0}),
    ("tasks create", ["tasks", "create", "task {fmt}", "--id", "T-{fmt}"], {0}),
    ("tasks update", ["tasks", "update", "T-seed-{fmt}", "running"], {0}),
    ("tasks progress", ["tasks", "progress", "T-1", "plan", "50", "-m", "half"], {0}),
    ("tasks list", ["tasks", "list"], {0}),
    ("tasks show", ["tasks", "show", "T-1"], {0}),
    ("graph add", ["graph", "add", "e-{fmt}", "--kind", "file", "-o", "an observation", "--tag", "t"], {0}),
    ("graph relate", ["graph", "relate", "a", "uses", "b"], {0}),
    ("graph observe", ["graph", "observe", "a", "seen in {fmt}"], {0}),
    ("graph delete", ["graph", "delete", "--missing-ok", "gone-{fmt}"], {0}),
    ("graph search", ["graph", "search", "alpha"], {0}),
    ("graph neighbors", ["graph", "neighbors", "a"], {0}),
    ("graph show", ["graph", "show", "a"], {0}),
    ("import-memory", ["import-memory", "{tmp}/memory.jsonl"], {0}),
    ("export-memory", ["export-memory", "{tmp}/out-{fmt}.jsonl"], {0}),
    ("retention policies", ["retention", "policies"], {0}),
    ("retention set", ["retention", "set", "messages", "--max-age-days", "3650"], {0}),
    ("retention evaluate", ["retention", "evaluate"], {0}),
    ("retention apply", ["retention", "apply", "--table", "messages"], {0}),
    ("archive run", ["archive", "run"], {0}),
    ("archive list", ["archive", "list"], {0}),
    ("archive ops", ["archive", "ops"], {0}),
    ("archive restore", ["archive", "restore", "no-such-conversation"], {0}),
    ("archive export", ["archive", "export", "bundle-{fmt}"], {0}),
    ("archive verify", ["archive", "verify", "seed-sqlite"], {0}),
    ("archive import", ["archive", "import", "seed-sqlite"], {0}),
    ("archive mount", ["archive", "mount", "seed-sqlite"], {0}),
    ("archive bundles", ["archive", "bundles"], {0}),
    ("maintain", ["maintain"], {0}),
    ("health", ["health"], {0, 1}),
    ("audit verify", ["audit", "verify"], {0}),
    ("audit log", ["audit", "log", "-n", "5"], {0}),
    ("audit tail", ["audit", "tail"], {0}),
    ("audit seal", ["audit", "seal"], {0}),
    ("audit tables", ["audit", "tables"], {0}),
    ("doctor", ["doctor"], {0}),
    ("boundary set-root", ["boundary", "set-root", "{tmp}"], {0}),
    ("boundary add-rule", ["boundary", "add-rule", "deny", "**/.env-{fmt}"], {0}),
    ("boundary remove-rule", ["boundary", "remove-rule", "no-such-rule"], {2}),
    ("boundary check", ["boundary", "check", "src/a.py"], {0}),
    ("boundary rules", ["boundary", "rules"], {0}),
    ("boundary events", ["boundary", "events"], {0}),
    ("plugins list", ["plugins", "list"], {0}),
    ("plugins enable", ["plugins", "enable", "p1"], {0}),
    ("plugins disable", ["plugins", "disable", "p1"], {0}),
    ("plugins executions", ["plugins", "executions"], {0}),
    ("authority show", ["authority", "show"], {0}),
    ("authority set-role", ["authority", "set-role", "staging", "--current", "staging", "--yes"], {0}),
    ("authority make-replica", ["authority", "make-replica", "{tmp}/replica-{fmt}"], {0}),
    ("agency tasks", ["agency", "tasks"], {0}),
    ("agency waivers", ["agency", "waivers"], {0}),
    ("agency verdicts", ["agency", "verdicts", "T-1"], {0}),
    ("agency violations", ["agency", "violations"], {0}),
    ("agency provenance verify", ["agency", "provenance", "verify"], {0}),
    ("agency metrics", ["agency", "metrics"], {0}),
    ("agency slo", ["agency", "slo"], {0}),
    ("agency alerts", ["agency", "alerts"], {0}),
    ("langgraph threads", ["langgraph", "threads"], {0}),
    ("langgraph history", ["langgraph", "history", "no-such-thread"], {0}),
    ("langgraph prune", ["langgraph", "prune", "--keep", "5"], {0}),
    # no authority is declared here (tests/sync runs these against PostgreSQL): a clear error
    ("sync push", ["sync", "push"], {2}),
    ("sync pull", ["sync", "pull"], {2}),
    ("sync status", ["sync", "status"], {2}),
]

# Bad input for every command: argv and the exit status expected.
BAD: list[tuple[list[str], int]] = [
    (["init", "--role", "nonsense"], 2),
    (["status", "extra"], 2),
    (["schema", "list", "--module", "Bad Name"], 2),
    (["init", "--module", "no_such_pack"], 2),
    (["query", "DELETE FROM store_identity"], 2),
    (["query", "SELECT * FROM no_such_table"], 2),
    (["backup", "/proc/foo"], 2),
    (["restore", "--yes", "--tier", "tier1", "{tmp}/missing.db"], 2),
    (["migrate", "rollback", "Bad Name"], 2),
    (["migrate", "create", "Bad Name", "tier2", "x"], 2),
    (["migrate", "status", "--nope"], 2),
    (["migrate", "up", "--dry-run", "x"], 2),
    (["memory", "purge", "x"], 2),
    (["memory", "get", "nosuch"], 1),
    (["memory", "set", "k"], 2),
    (["memory", "set", "k", "{{", "--json-value"], 2),
    (["memory", "set", "--ttl", "-1", "k", "v"], 2),
    (["memory", "delete"], 2),
    (["memory", "list", "--namespace", ""], 2),
    (["conversations", "add", "nope", "user", "hi"], 2),
    (["conversations", "add", "c-1", "robot", "hi"], 2),
    (["conversations", "show", "nope"], 2),
    (["conversations", "export", "nope"], 2),
    (["conversations", "search", '"', "--fts5"], 2),
    (["conversations", "start", "--metadata", "not json"], 2),
    (["conversations", "recent", "-n", "-5"], 2),
    (["tasks", "create"], 2),
    (["tasks", "update", "T-1", "flying"], 2),
    (["tasks", "progress", "nope", "plan"], 2),
    (["tasks", "show", "nope"], 2),
    (["tasks", "list", "--status", "flying"], 2),
    (["graph", "add", "new-entity-without-kind"], 2),
    (["graph", "relate", "a", "uses", "nope"], 2),
    (["graph", "observe", "nope", "x"], 2),
    (["graph", "delete", "nope"], 2),
    (["graph", "show", "#99999999999999999999"], 2),
    (["graph", "neighbors", "nope"], 2),
    (["graph", "search", "x", "--min-confidence", "7"], 2),
    (["graph", "export", "-o", "/nonexistent/x.graphml"], 2),
    (["import-memory", "{tmp}/missing.jsonl"], 2),
    (["import-memory", "{tmp}/bad-memory.jsonl"], 1),
    (["export-memory", "/nonexistent/dir/out.jsonl"], 2),
    (["retention", "set", "no_such_table"], 2),
    (["retention", "apply", "x"], 2),
    (["retention", "policies", "x"], 2),
    (["retention", "evaluate", "x"], 2),
    (["archive", "export", "--dest", "/proc/nope", "zz"], 2),
    (["archive", "verify", "nosuch"], 2),
    (["archive", "verify", "{tmp}/broken-bundle"], 1),
    (["archive", "import", "nosuch"], 2),
    (["archive", "mount", "seed-jsonl"], 2),
    (["archive", "mount", "seed-sqlite", "DELETE FROM store_identity"], 2),
    (["archive", "restore", "--group", "nosuch", "x"], 2),
    (["archive", "list", "--group", "nosuch"], 2),
    (["archive", "ops", "--limit", "x"], 2),
    (["archive", "run", "x"], 2),
    (["archive", "bundles", "x"], 2),
    (["maintain", "--tier", "tier9"], 2),
    (["health", "x"], 2),
    (["audit", "verify", "--tier", "tier9"], 2),
    (["audit", "log", "--tier", "tier9"], 2),
    (["audit", "tail", "-n", "x"], 2),
    (["audit", "seal", "x"], 2),
    (["audit", "tables", "--enable", "no_such_table"], 2),
    (["doctor", "-n", "x"], 2),
    (["boundary", "set-root", "/nonexistent/dir"], 2),
    (["boundary", "add-rule", "maybe", "x"], 2),
    (["boundary", "remove-rule", "nope"], 2),
    (["boundary", "check", "/etc/passwd", "--op", "write"], 1),
    (["boundary", "rules", "x"], 2),
    (["boundary", "events", "-n", "x"], 2),
    (["plugins", "enable", "nope"], 2),
    (["plugins", "disable", "nope"], 2),
    (["plugins", "list", "x"], 2),
    (["plugins", "executions", "-n", "x"], 2),
    (["authority", "show", "x"], 2),
    (["authority", "set-role", "prod", "--current", "prod", "--yes"], 2),
    (["authority", "make-replica", "/proc/nope"], 2),
    (["demo", "x"], 2),
    (["agency", "tasks", "--status", "flying"], 2),
    (["agency", "waivers", "--status", "flying"], 2),
    (["agency", "verdicts", "nope"], 2),
    (["agency", "violations", "-n", "x"], 2),
    (["agency", "provenance", "verify", "nope"], 2),
    (["agency", "metrics", "-n", "-1"], 2),
    (["agency", "slo", "--hours", "nan"], 2),
    (["agency", "alerts", "--status", "flying"], 2),
    (["langgraph", "threads", "-n", "x"], 2),
    (["langgraph", "history"], 2),
    (["langgraph", "prune", "--keep", "0"], 2),
    (["schema", "--dialect", "oracle"], 2),
    (["sync", "push", "--authority", "mysql://x"], 2),
    (["sync", "pull", "--batch-size", "x"], 2),
    (["sync", "status", "--authority-role", "boss"], 2),
    (["mcp", "--tools", "some"], 2),
    (["nosuchcommand"], 2),
]


def _leaves(command: click.Command, path: str = "") -> Iterator[str]:
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _leaves(sub, f"{path} {name}".strip())
    else:
        yield path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one of everything the commands above read."""
    tmp = tmp_path_factory.mktemp("matrix")
    home = tmp / "s"
    with cortexdb.open(home, modules=["agency"]) as db:
        db.memory.set("k", {"v": 1})
        db.conversations.start("Fix login", conversation_id="c-1").add_message("user", "hello there")
        db.tasks.create("seed task", task_id="T-1")
        db.agency.record_verdict("T-1", "security", "approve", confidence_score=0.9)
        db.agency.record_metric("latency_ms", 12.5)
        db.agency.raise_alert("latency", "high", "slow")
        for fmt in FORMATS:
            db.tasks.create("seed task", task_id=f"T-seed-{fmt}")
        db.graph.upsert_entity("a", kind="file", observations=["alpha"])
        db.graph.upsert_entity("b", kind="file")
        db.plugins.register("p1", "P1", "1", "c", 0, ["h"], [], lambda h, c: 1)
        db.archive.export("seed-sqlite", format="sqlite")
        db.archive.export("seed-jsonl")
    (tmp / "memory.jsonl").write_text('{"type":"entity","name":"m","entityType":"t","observations":["x"]}\n', "utf-8")
    (tmp / "bad-memory.jsonl").write_text('{"type":"entity","name":"n","entityType":"t","observations":[]}\nbroken\n',
                                          "utf-8")
    broken = tmp / "broken-bundle"
    broken.mkdir()
    (broken / "manifest.json").write_text('{"kind": "jsonl", "files": {"x.jsonl.zst": {}}, "tables": {}}', "utf-8")
    return tmp


def run(tmp: Path, argv: list[str], fmt: str | None = None, *, where: str = "after") -> Result:
    args = [a.format(tmp=tmp, fmt=fmt) for a in argv]
    options = [] if fmt is None else [f"--{fmt}"]
    args = [*options, *args] if where == "before" else [*args, *options]
    return CliRunner().invoke(main, ["--home", str(tmp / "s"), *args])


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception


def parses_as(fmt: str, text: str) -> None:
    if fmt == "json":
        orjson.loads(text)
    elif fmt == "nl":
        for line in text.splitlines():
            orjson.loads(line)
    elif fmt in ("csv", "tsv"):
        rows = list(csv.reader(io.StringIO(text), delimiter="," if fmt == "csv" else "\t"))
        assert all(len(r) == len(rows[0]) for r in rows), text
    else:
        assert text.strip(), "a table prints something, if only (no rows)"


def test_every_command_is_in_the_matrix() -> None:
    leaves = set(_leaves(main))
    assert leaves == {name for name, _, _ in COMMANDS} | NOT_OUTPUT
    given_bad_input = {next((" ".join(argv[:n]) for n in (3, 2) if " ".join(argv[:n]) in leaves), argv[0])
                       for argv, _ in BAD}
    assert leaves <= given_bad_input


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_command_in_every_format(seeded: Path, fmt: str) -> None:
    for name, argv, codes in COMMANDS:
        skips_table = name in ("audit log", "retention apply", "archive export")
        result = run(seeded, argv, fmt, where="before" if skips_table else "after")
        no_traceback(result)
        assert result.exit_code in codes, (name, fmt, result.output)
        if result.exit_code == 0:
            try:
                parses_as(fmt, result.stdout)
            except (orjson.JSONDecodeError, csv.Error, AssertionError) as error:
                raise AssertionError(f"{name} --{fmt}: {error}\n{result.stdout}") from error


@pytest.mark.parametrize(("argv", "code"), BAD, ids=[" ".join(a)[:50] for a, _ in BAD])
def test_bad_input_fails_in_one_line(seeded: Path, argv: list[str], code: int) -> None:
    result = run(seeded, argv)
    no_traceback(result)
    assert result.exit_code == code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if code == 2 and not any(line.startswith("Usage:") for line in lines):
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    as_json = run(seeded, argv, "json", where="before")
    no_traceback(as_json)
    assert as_json.exit_code == code
    if code == 2 or "memory get" in " ".join(argv):
        error = orjson.loads(as_json.stderr.splitlines()[-1])["error"]
        assert error["exit_code"] == code and error["message"] and error["type"]


def test_option_typed_last_wins_wherever_it_is(seeded: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(seeded / "s"), "--csv", "memory", "list", "--json"])
    assert orjson.loads(result.stdout)[0]["key"] == "k"
    result = CliRunner().invoke(main, ["--home", str(seeded / "s"), "--tsv", "memory", "list"])
    assert result.stdout.splitlines()[0].startswith("namespace\tkey\tvalue")
    result = CliRunner().invoke(main, ["--home", str(seeded / "s"), "memory", "list"])  # not a terminal: NDJSON
    assert orjson.loads(result.stdout.splitlines()[0])["key"] == "k"


def test_cells_blobs_times_and_scores(seeded: Path) -> None:
    home = str(seeded / "s")
    table = CliRunner().invoke(main, ["--home", home, "--table", "query",
                                      "SELECT x'00ff' AS b, json_object('a', 1) AS j, 1.23456789e-7 AS f, 'x' AS t"])
    assert "<blob 2 bytes>" in table.stdout and '{"a":1}' in table.stdout and "1.23457e-07" in table.stdout
    rows = orjson.loads(CliRunner().invoke(main, ["--home", home, "--json", "query", "SELECT x'00ff' AS b"]).stdout)
    assert rows == [{"b": {"$base64": True, "encoded": "AP8="}}]
    entry = orjson.loads(CliRunner().invoke(main, ["--home", home, "--json", "memory", "get", "k"]).stdout)
    assert entry["value"] == {"v": 1} and entry["created_at"][:2] == "20" and entry["expires_at"] is None
    CliRunner().invoke(main, ["--home", home, "memory", "set", "ttl-key", "v", "--ttl", "3600"])
    entry = orjson.loads(CliRunner().invoke(main, ["--home", home, "--json", "memory", "get", "ttl-key"]).stdout)
    assert isinstance(entry["expires_at"], str) and len(entry["expires_at"]) == len(entry["created_at"])
    record = CliRunner().invoke(main, ["--home", home, "--table", "tasks", "show", "T-1"]).stdout
    assert "description" in record and "seed task" in record  # a single record as field/value pairs


def test_large_results_stream_as_plain_table(seeded: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(seeded / "s"), "--table", "query",
                                       "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 2000) "
                                       "SELECT n, zeroblob(10) AS b FROM s"])
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and len(lines) == 2002 and lines[0].split() == ["n", "b"]
    assert lines[-1].split()[0] == "2000" and "<blob 10 bytes>" in lines[-1]


def test_writes_from_arguments_files_and_stdin(seeded: Path, tmp_path: Path) -> None:
    home = str(tmp_path / "w")
    runner = CliRunner()

    def ok(*args: str, stdin: str | None = None) -> object:
        result = runner.invoke(main, ["--home", home, "--json", *args], input=stdin)
        assert result.exit_code == 0, result.output
        return orjson.loads(result.stdout)

    assert ok("memory", "set", "n", "42", "--json-value")[0]["value"] == 42
    assert ok("memory", "set", "text", "-", stdin="from stdin\n")[0]["value"] == "from stdin\n"
    ok("memory", "set", "-i", "-", stdin='{"key": "a", "value": [1]}\n{"key": "b", "value": "x", "ttl": 60}\n')
    assert [e["key"] for e in ok("memory", "list")] == ["a", "b", "n", "text"]
    assert ok("memory", "delete", "a", "zz") == [{"namespace": "default", "key": "a", "deleted": True},
                                                 {"namespace": "default", "key": "zz", "deleted": False}]
    conversation = ok("conversations", "start", "Plan", "--id", "c-9")
    assert conversation["conversation_id"] == "c-9"
    added = ok("conversations", "add", "c-9", "-i", "-",
               stdin='[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]')
    assert [m["role"] for m in added] == ["user", "assistant"]
    exported = runner.invoke(main, ["--home", home, "conversations", "export", "c-9", "--format", "markdown"])
    assert "# Plan" in exported.stdout and "## assistant" in exported.stdout
    as_json = orjson.loads(runner.invoke(main, ["--home", home, "conversations", "export", "c-9"]).stdout)
    assert [m["content"] for m in as_json["messages"]] == ["hi", "hello"]
    records = tmp_path / "entities.json"
    records.write_text('[{"name": "x", "kind": "k", "observations": ["o1"]}, {"name": "y", "kind": "k"}]', "utf-8")
    assert [e["name"] for e in ok("graph", "add", "-i", str(records), "--namespace", "work")] == ["x", "y"]
    relation = ok("graph", "relate", "x", "knows", "y", "--namespace", "work")[0]
    assert (relation["source_name"], relation["target_name"]) == ("x", "y")
    assert ok("graph", "observe", "x", "o2", "--namespace", "work") == [{"entity": "x", "observation": "o2"}]
    assert ok("graph", "delete", "y", "--namespace", "work") == {"deleted": 1}
    task = ok("tasks", "create", "write docs", "--id", "T-9")[0]
    assert task["status"] == "pending"
    assert ok("tasks", "update", "T-9", "running")["status"] == "running"
    assert ok("tasks", "progress", "T-9", "draft", "30")["progress_percentage"] == 30
    unknown = runner.invoke(main, ["--home", home, "memory", "set", "-i", "-"], input='{"key": "a", "colour": 1}')
    assert unknown.exit_code == 2 and "colour" in unknown.stderr
    bad_line = runner.invoke(main, ["--home", home, "memory", "set", "-i", "-"], input='{"key": "a", "value": 1}\n{oops\n')
    assert bad_line.exit_code == 2 and "-:2:" in bad_line.stderr


def test_reads_create_no_store(tmp_path: Path) -> None:
    home = tmp_path / "typo"
    for argv in (["query", "select 1"], ["status"], ["memory", "get", "k"], ["graph", "search", "x"],
                 ["conversations", "recent"], ["doctor"], ["archive", "bundles"], ["audit", "verify"]):
        result = CliRunner().invoke(main, ["--home", str(home), *argv])
        assert result.exit_code == 2 and "no cortexdb store" in result.stderr and "cortexdb --home" in result.stderr
    assert not home.exists()


def test_hints_name_commands_not_python(seeded: Path) -> None:
    result = run(seeded, ["conversations", "show", "nope"])
    assert "cortexdb conversations recent" in result.stderr and "db." not in result.stderr
    result = run(seeded, ["conversations", "search", '"', "--fts5"])
    assert "--fts5" in result.stderr and "syntax=" not in result.stderr
    result = run(seeded, ["retention", "set", "brand_new_table"])
    assert "--tier and --action" in result.stderr


def test_unexpected_errors_are_one_line_with_their_own_status(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cortexdb.memory.ttl import Memory

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Memory, "keys", broken)
    result = run(seeded, ["memory", "list"])
    assert result.exit_code == 70 and result.stderr.startswith("error: InternalError: unexpected RuntimeError: boom")
    assert len(result.stderr.splitlines()) == 1
    as_json = run(seeded, ["memory", "list"], "nl")
    assert orjson.loads(as_json.stderr)["error"]["exit_code"] == 70


def _cortexdb(home: Path, *args: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "cortexdb.cli", "--home", str(home), *args], capture_output=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_real_processes(seeded: Path) -> None:
    home = seeded / "s"
    piped = _cortexdb(home, "query", "SELECT 1 AS n UNION ALL SELECT 2")
    assert piped.returncode == 0 and piped.stdout == b'{"n":1}\n{"n":2}\n'  # a pipe gets NDJSON
    raw = _cortexdb(home, "query", b"SELECT '\xff'")
    assert raw.returncode == 2 and raw.stderr.startswith(b"error: EncodingError: argument") and b"Traceback" not in raw.stderr
    missing_extra = subprocess.run(
        [sys.executable, "-c", "import sys; sys.modules['pydantic'] = None; sys.modules['mcp'] = None\n"
         "from cortexdb.cli import main; main(['--home', sys.argv[1], 'mcp'])", str(home)],
        capture_output=True, text=True, timeout=120)
    assert missing_extra.returncode == 2 and "pip install 'cortexdb[mcp]'" in missing_extra.stderr
    assert "Traceback" not in missing_extra.stderr
    head = subprocess.run(f"{sys.executable} -m cortexdb.cli --home {home} --csv query "
                          "'WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 200000) "
                          "SELECT value FROM s' | head -n 2", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert head.stdout == "value\n1\n" and "Traceback" not in head.stderr and "Error" not in head.stderr


def test_readme_command_line_example(tmp_path: Path) -> None:
    """The README's command-line block runs as written: each command 0, the documented miss 1."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    block = readme.split("## Command line", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [c.strip() for c in block.replace("\\\n", " ").splitlines() if c.strip()]
    env = {**os.environ, "CORTEXDB_HOME": str(tmp_path / "home"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    codes = [subprocess.run(c, shell=True, env=env, capture_output=True, text=True, timeout=120) for c in commands]
    for command, done in zip(commands, codes, strict=True):
        assert "Traceback" not in done.stderr, command
    assert [c.returncode for c in codes] == [0] * (len(commands) - 1) + [1], [c.stderr for c in codes]
    assert "web/login.ts" in codes[3].stdout
