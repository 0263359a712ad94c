"""Every failure a clear CortexError: one named regression per leak found from outside.

Each call below once let a raw Python exception (OverflowError, UnicodeEncodeError, TypeError,
ValueError, KeyError, IsADirectoryError, NotADirectoryError, OSError) escape, or silently
changed a value. Now it raises the CortexError subclass that says what to do, naming the
argument, with the original exception on ``__cause__`` where there was one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cortexdb
from cortexdb import StoreFileError, ValidationError, migrations
from cortexdb.cli import main

BIG = 2**63
Fixture = dict[str, Any]


@pytest.fixture
def env(db: cortexdb.Store) -> Fixture:
    a = db.graph.upsert_entity("a", kind="file")
    b = db.graph.upsert_entity("b", kind="file")
    conv = db.conversations.start("t", session_id="s")
    return {"db": db, "g": db.graph, "a": a, "b": b, "conv": conv}


def _raises(call: Callable[[], Any], field: str | None = None, error: type[Exception] = ValidationError) -> Exception:
    with pytest.raises(cortexdb.CortexError) as info:
        call()
    assert isinstance(info.value, error), f"{type(info.value).__name__}: {info.value}"
    if field is not None:
        assert info.value.field == field, str(info.value)  # type: ignore[attr-defined]
    return info.value


# -- section 1: integers beyond 64 bits ----------------------------------------------------------

HUGE_INT_CALLS: dict[str, tuple[Callable[[Fixture], Any], str]] = {
    "graph.get_entity": (lambda f: f["g"].get_entity(BIG), "entity"),
    "graph.delete_entity": (lambda f: f["g"].delete_entity(BIG), "entities[0]"),
    "graph.neighbors": (lambda f: f["g"].neighbors(BIG), "entity"),
    "graph.shortest_path": (lambda f: f["g"].shortest_path(BIG, f["a"]), "source"),
    "graph.subgraph": (lambda f: f["g"].subgraph(BIG), "entity"),
    "graph.relations": (lambda f: f["g"].relations(BIG), "entity"),
    "graph.relate_many": (lambda f: f["g"].relate_many([{"source": BIG, "relation_type": "x", "target": f["a"].id}]),
                          "items[0]['source']"),
    "graph.add_observations": (lambda f: f["g"].add_observations(BIG, ["x"]), "entity"),
    "graph.tag": (lambda f: f["g"].tag(BIG, ["x"]), "entity"),
    "graph.pin": (lambda f: f["g"].pin(BIG), "node"),
    "graph.decay_log": (lambda f: f["g"].decay_log(BIG), "node"),
    "conversation.snapshot": (lambda f: f["conv"].snapshot(turn=BIG, state={}), "turn"),
    "conversation.log_action": (lambda f: f["conv"].log_action(turn=BIG, action_type="retrieval", description="x"),
                                "turn"),
    "conversation.messages": (lambda f: f["conv"].messages(after_id=BIG), "after_id"),
    "audit.tail": (lambda f: f["db"].audit.tail(BIG), "limit"),
    "boundary.events": (lambda f: f["db"].boundary.events(limit=BIG), "limit"),
}


@pytest.mark.parametrize("name", HUGE_INT_CALLS)
def test_an_int_beyond_64_bits_is_a_validation_error_naming_the_argument(env: Fixture, name: str) -> None:
    call, field = HUGE_INT_CALLS[name]
    error = _raises(lambda: call(env), field)
    assert "9223372036854775808" in str(error) or "<=" in str(error)


def test_the_original_binding_error_stays_on_cause(env: Fixture) -> None:
    error = _raises(lambda: env["g"].get_entity(BIG), "entity")
    assert isinstance(error.__cause__, OverflowError)


# -- section 1: lone surrogates ------------------------------------------------------------------

SURROGATE_CALLS: dict[str, tuple[Callable[[Fixture], Any], str]] = {
    "graph.upsert_entity name": (lambda f: f["g"].upsert_entity("\ud800", kind="file"), "items[0]['name']"),
    "provenance.link ref": (lambda f: f["db"].provenance.link("file", "a\ud800", "message", "m1", "generated"),
                            "source_ref"),
    "provenance.links ref": (lambda f: f["db"].provenance.links("file", "\ud800"), "ref"),
    "workspace.query_discovered_databases": (lambda f: f["db"].workspace.query_discovered_databases("\ud800"),
                                             "database_type"),
    "graph.find where": (lambda f: f["g"].find(where={"$.i": "\ud800"}), "where['$.i']"),
    "archive.verify bundle path": (lambda f: f["db"].archive.verify("a\udfffb"), "bundle"),
}


@pytest.mark.parametrize("name", SURROGATE_CALLS)
def test_a_lone_surrogate_is_a_validation_error_naming_the_argument(env: Fixture, name: str) -> None:
    call, field = SURROGATE_CALLS[name]
    error = _raises(lambda: call(env))
    assert error.field.startswith(field.split("[")[0]), str(error)  # type: ignore[attr-defined]
    assert "surrogate" in str(error)


# -- section 1: db.query and shapes --------------------------------------------------------------

@pytest.mark.parametrize(("sql", "params", "field"), [
    ("SELECT 1", 5, "params"),
    ("SELECT ?", [object()], "params[0]"),
    ("SELECT 1\x00", (), "sql"),
    ("SELECT :a", {}, "params"),
    ("SELECT ?", (1, 2), "params"),
    ("SELECT ?", (BIG,), "params[0]"),
], ids=["params-not-a-sequence", "unbindable-object", "nul-in-sql", "missing-named", "too-many", "huge-int"])
def test_query_binding_errors(db: cortexdb.Store, sql: str, params: Any, field: str) -> None:
    _raises(lambda: db.query(sql, params), field)


def test_add_messages_none(env: Fixture) -> None:
    _raises(lambda: env["conv"].add_messages(None), "messages")


def test_get_entities_of_an_int(env: Fixture) -> None:
    _raises(lambda: env["g"].get_entities(5), "names")


def test_add_rule_with_operations_an_int(db: cortexdb.Store) -> None:
    _raises(lambda: db.boundary.add_rule("deny", "x", operations=5), "operations")
    assert db.boundary.rules() == []


def test_archive_search_nan_limit(db: cortexdb.Store) -> None:
    _raises(lambda: db.archive.search("x", limit=float("nan")), "limit")


def test_archive_move_fractional_batch_size(db: cortexdb.Store) -> None:
    _raises(lambda: db.archive.move("conversations", ["k"], batch_size=1.5), "batch_size")


def test_relations_as_of_out_of_range(env: Fixture) -> None:
    _raises(lambda: env["g"].relations(env["a"], as_of=-6e16), "as_of")


def test_relate_valid_from_out_of_range(env: Fixture) -> None:
    _raises(lambda: env["g"].relate(env["a"], "x", env["b"], valid_from=-1.7e21), "valid_from")
    assert env["g"].relations(env["a"]) == []


def test_a_call_that_does_not_fit_the_signature_names_the_argument(db: cortexdb.Store) -> None:
    _raises(lambda: db.workspace.record_database(connection_string="x"), "database_type")  # type: ignore[call-arg]


def test_a_user_block_inside_a_transaction_keeps_its_own_exception(db: cortexdb.Store) -> None:
    """The boundary leaves context managers alone: the caller's own errors come out unchanged."""
    with pytest.raises(KeyError), db.transaction():
        raise KeyError("mine")


# -- section 1: files ----------------------------------------------------------------------------

def test_open_where_a_tier_file_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "tier0.db").mkdir()
    error = _raises(lambda: cortexdb.open(tmp_path), error=StoreFileError)
    assert str(tmp_path / "tier0.db") in str(error) and "directory" in str(error)


def test_open_where_the_home_is_a_file_or_under_one(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    _raises(lambda: cortexdb.open(tmp_path / "f"), error=StoreFileError)
    error = _raises(lambda: cortexdb.open(tmp_path / "f" / "sub"), error=StoreFileError)
    assert "not a directory" in str(error)


def test_backup_to_a_file(db: cortexdb.Store, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    error = _raises(lambda: db.backup(tmp_path / "f"), error=StoreFileError)
    assert "is a file" in str(error)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory this process cannot write: chmod 0500, or (as root, which permissions do not
    stop) a read-only tmpfs mounted there; skipped if neither can be had."""
    target = tmp_path / "ro"
    target.mkdir()
    if os.geteuid() != 0:
        target.chmod(0o500)
        yield target
        target.chmod(0o700)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(target)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"running as root and cannot mount a read-only tmpfs: {mounted.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=True)


def test_backup_to_a_read_only_destination(db: cortexdb.Store, read_only_dir: Path) -> None:
    error = _raises(lambda: db.backup(read_only_dir / "bk"), error=StoreFileError)
    assert str(read_only_dir / "bk") in str(error)
    error = _raises(lambda: db.backup(read_only_dir), error=StoreFileError)
    assert str(read_only_dir) in str(error)


def test_a_store_in_an_unwritable_directory_says_what_to_do(read_only_dir: Path) -> None:
    error = _raises(lambda: cortexdb.open(read_only_dir), error=StoreFileError)
    assert str(read_only_dir) in str(error)
    assert "read-only filesystem" in str(error) or "not writable" in str(error)
    assert isinstance(error.__cause__, Exception)


def test_cli_on_an_unwritable_directory_prints_one_clear_line(read_only_dir: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(read_only_dir), "init"])
    assert result.exit_code != 0
    assert "StoreFileError" in result.output and "Traceback" not in result.output


# -- section 2: values changed or filters that disagreed with the docs ---------------------------

@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")], ids=["nan", "inf", "-inf"])
def test_retention_refuses_non_finite_ages(db: cortexdb.Store, value: float) -> None:
    before = db.retention.get("messages")
    _raises(lambda: db.retention.set("messages", max_age_days=value), "max_age_days")
    assert db.retention.get("messages") == before


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 0, -1], ids=["nan", "inf", "zero", "negative"])
def test_plugin_time_budgets_must_be_finite_and_positive(db: cortexdb.Store, value: float) -> None:
    _raises(lambda: db.plugins.register("p", "p", "1", "tool", 0, ["on_x"], [], lambda hook, context: None,
                                        time_budget=value), "time_budget")
    _raises(lambda: db.plugins.run_hook("on_x", time_budget=value), "time_budget")
    assert db.plugins.list() == []


@pytest.mark.parametrize(("options", "field"), [
    ({"busy_timeout": float("nan")}, "busy_timeout"), ({"busy_timeout": float("inf")}, "busy_timeout"),
    ({"clock": 5}, "clock"), ({"keep_backups": 1.5}, "keep_backups"),
], ids=["busy-nan", "busy-inf", "clock-not-callable", "keep-backups-float"])
def test_open_options_are_checked(tmp_path: Path, options: dict[str, Any], field: str) -> None:
    _raises(lambda: cortexdb.open(tmp_path / "s", **options), field)


def test_cli_retention_set_nan_exits_non_zero(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "s"), "retention", "set", "messages",
                                       "--max-age-days", "nan"])
    assert result.exit_code != 0
    assert "max_age_days" in result.output
    with cortexdb.open(tmp_path / "s") as db:
        assert db.retention.get("messages").max_age_days is None or db.retention.get("messages").max_age_days >= 0


@pytest.fixture
def flags(db: cortexdb.Store) -> cortexdb.Store:
    for name, value in [("t", True), ("f", False), ("one", 1), ("zero", 0), ("real", 1.0), ("text", "1"),
                        ("null", None)]:
        db.graph.upsert_entity(name, kind="flag", properties={"v": value})
    db.graph.upsert_entity("missing", kind="flag", properties={})
    return db


def _found(db: cortexdb.Store, where: dict[str, Any]) -> list[str]:
    return sorted(e.name for e in db.graph.find(kind="flag", where=where))


def test_find_true_matches_json_true_only(flags: cortexdb.Store) -> None:
    assert _found(flags, {"$.v": True}) == ["t"]
    assert _found(flags, {"$.v": False}) == ["f"]


def test_find_one_does_not_match_true(flags: cortexdb.Store) -> None:
    assert _found(flags, {"$.v": 1}) == ["one", "real"]
    assert _found(flags, {"$.v": 0}) == ["zero"]


def test_find_booleans_in_lists_and_operators(flags: cortexdb.Store) -> None:
    assert _found(flags, {"$.v": [True, 0]}) == ["t", "zero"]
    assert _found(flags, {"$.v": {"$ne": True}}) == ["f", "one", "real", "text", "zero"]
    assert _found(flags, {"$.v": {"$gte": 1}}) == ["one", "real"]  # numbers order with numbers only
    _raises(lambda: flags.graph.find(where={"$.v": {"$gt": True}}), "where[$.v]")


def test_query_refuses_duplicate_result_column_names(db: cortexdb.Store) -> None:
    error = _raises(lambda: db.query("SELECT 1 AS a, 2 AS a"), "sql")
    assert "'a'" in str(error)
    assert db.query("SELECT 1 AS a, 2 AS b") == [{"a": 1, "b": 2}]


# -- section 4 ------------------------------------------------------------------------------------

def test_open_and_cli_refuse_an_empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _raises(lambda: cortexdb.open(""), "path")
    result = CliRunner().invoke(main, ["--home", "", "status"])
    assert result.exit_code != 0 and "--home" in result.output
    assert list(tmp_path.iterdir()) == []  # nothing was created in the working directory


def test_restore_refuses_another_tiers_backup(tmp_path: Path) -> None:
    home, backups = tmp_path / "s", tmp_path / "bk"
    with cortexdb.open(home) as db:
        db.conversations.start("kept", session_id="s")
        db.backup(backups)
    before = (home / "tier1.db").read_bytes()
    result = CliRunner().invoke(main, ["--home", str(home), "restore", str(backups / "tier2.db"), "--tier", "tier1",
                                       "--yes"])
    assert result.exit_code != 0 and "tier2" in result.output and "Traceback" not in result.output
    assert (home / "tier1.db").read_bytes() == before
    with cortexdb.open(home) as db:
        assert [c.title for c in db.conversations.recent()] == ["kept"]
    assert migrations.restore_backup(backups / "tier1.db", home, "tier1") == home / "tier1.db"


def test_restore_refuses_a_database_without_a_ledger(tmp_path: Path) -> None:
    import apsw

    with cortexdb.open(tmp_path / "s"):
        pass
    stray = tmp_path / "stray.db"
    conn = apsw.Connection(str(stray))
    conn.execute(f"PRAGMA application_id = {0x43545844}; CREATE TABLE t (x)")
    conn.close()
    _raises(lambda: migrations.restore_backup(stray, tmp_path / "s", "tier1"), error=StoreFileError)


def test_subprocess_sees_only_cortex_errors_for_a_missing_argument(tmp_path: Path) -> None:
    """The translation holds in a fresh interpreter too (no test-only state involved)."""
    code = ("import cortexdb, sys\n"
            f"db = cortexdb.open({str(tmp_path / 's')!r})\n"
            "try:\n    db.graph.get_entity(2**63)\n"
            "except cortexdb.ValidationError as e:\n    print(e.field)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "entity"
