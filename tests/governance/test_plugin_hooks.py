"""Plugins: registry, ordering by dependency then priority, failures and time budgets recorded."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import cortexdb
from cortexdb import ManualClock, NotFoundError, ValidationError


@pytest.fixture()
def db(tmp_path: Path):
    store = cortexdb.open(tmp_path / "s", clock=ManualClock())
    yield store
    store.close()


def recorder(calls: list[str], name: str, result: object = None):
    def run(hook: str, context: dict) -> object:
        calls.append(name)
        context["mutated"] = True  # plugins get a copy
        return result if result is not None else {"plugin": name, "hook": hook, "seen": context.get("n")}
    return run


def test_dependency_then_priority_order(db: cortexdb.Store) -> None:
    calls: list[str] = []
    reg = db.plugins.register
    reg("low", "Low", "1.0", "util", 1, ["on_save"], [], recorder(calls, "low"))
    reg("high", "High", "1.0", "util", 50, ["on_save"], [], recorder(calls, "high"))
    reg("needs-low", "NL", "1.0", "util", 100, ["on_save"], ["low"], recorder(calls, "needs-low"))
    reg("mid", "Mid", "1.0", "util", 10, ["on_save", "on_load"], [], recorder(calls, "mid"))
    reg("other-hook", "O", "1.0", "util", 99, ["on_load"], [], recorder(calls, "other-hook"))
    context = {"n": 3}
    results = db.plugins.run_hook("on_save", context)
    assert calls == ["high", "mid", "low", "needs-low"]
    assert db.plugins.order("on_save") == calls
    assert [r.status for r in results] == ["success"] * 4 and results[0].result["seen"] == 3
    assert context == {"n": 3}
    rows = db.plugins.executions(hook="on_save")
    assert len(rows) == 4 and all(r["status"] == "success" and r["completed_at"] and r["duration_ms"] is not None
                                  for r in rows)
    assert rows[0]["context_json"] == '{"n":3}'


def test_failures_and_overruns_are_recorded_and_others_still_run(db: cortexdb.Store) -> None:
    release = threading.Event()
    calls: list[str] = []

    def boom(hook: str, context: dict) -> None:
        raise RuntimeError("plugin exploded")

    def slow(hook: str, context: dict) -> str:
        release.wait(10)
        return "late"

    db.plugins.register("boom", "Boom", "1", "x", 90, ["h"], [], boom)
    db.plugins.register("slow", "Slow", "1", "x", 80, ["h"], [], slow, time_budget=0.05)
    db.plugins.register("bad-result", "Bad", "1", "x", 70, ["h"], [], lambda h, c: {1, 2})
    db.plugins.register("ok", "OK", "1", "x", 0, ["h"], [], recorder(calls, "ok"))
    db.plugins.register("after-boom", "AB", "1", "x", 100, ["h"], ["boom"], recorder(calls, "after-boom"))
    try:
        results = {r.plugin_id: r for r in db.plugins.run_hook("h")}
    finally:
        release.set()
    assert results["boom"].status == "failed" and "RuntimeError: plugin exploded" in results["boom"].error
    assert results["slow"].status == "failed" and "time budget" in results["slow"].error
    assert results["bad-result"].status == "failed" and "JSON" in results["bad-result"].error
    assert results["after-boom"].status == "failed" and "dependency 'boom' failed" in results["after-boom"].error
    assert results["ok"].status == "success" and calls == ["ok"]
    statuses = {r["plugin_id"]: (r["status"], r["error_message"]) for r in db.plugins.executions()}
    assert statuses["slow"][0] == "failed" and statuses["ok"] == ("success", None)


def test_disabled_missing_and_cyclic_dependencies(db: cortexdb.Store) -> None:
    calls: list[str] = []
    db.plugins.register("base", "B", "1", "x", 0, ["h"], [], recorder(calls, "base"))
    db.plugins.register("child", "C", "1", "x", 0, ["h"], ["base"], recorder(calls, "child"))
    db.plugins.register("orphan", "O", "1", "x", 0, ["h"], ["ghost"], recorder(calls, "orphan"))
    db.plugins.register("c1", "C1", "1", "x", 0, ["h"], ["c2"], recorder(calls, "c1"))
    db.plugins.register("c2", "C2", "1", "x", 0, ["h"], ["c1"], recorder(calls, "c2"))
    db.plugins.disable("base")
    results = {r.plugin_id: r for r in db.plugins.run_hook("h")}
    assert "base" not in results and calls == []
    assert "disabled" in results["child"].error and "not registered" in results["orphan"].error
    assert "cycle" in results["c1"].error and "cycle" in results["c2"].error
    db.plugins.enable("base")
    db.plugins.run_hook("h")
    assert calls == ["base", "child"]
    audit = db.audit.log(tier="tier0", table="plugins", operation="UPDATE")
    assert [e.new_values["enabled"] for e in audit][-2:] == [0, 1]


def test_registry_persists_and_validates(db: cortexdb.Store, tmp_path: Path) -> None:
    db.plugins.register("p", "P", "1.2", "cat", 3, ["h"], [], lambda h, c: 1, description="d", author="a")
    db.plugins.register("p", "P", "1.3", "cat", 4, ["h", "g"], [], lambda h, c: 2)  # re-register updates
    (plugin,) = db.plugins.list()
    assert plugin.version == "1.3" and plugin.hooks == ("h", "g") and plugin.loaded
    db.close()
    with cortexdb.open(tmp_path / "s") as again:
        (plugin,) = again.plugins.list()
        assert not plugin.loaded
        (result,) = again.plugins.run_hook("h")
        assert result.status == "failed" and "no callable" in result.error
        again.plugins.load("p", lambda h, c: "back")
        assert again.plugins.run_hook("h")[0].result == "back"
        again.plugins.unregister("p")
        assert again.plugins.list() == [] and again.plugins.executions() == []
        with pytest.raises(NotFoundError):
            again.plugins.enable("p")
        for bad in (dict(plugin_id="bad id!"), dict(priority="high"), dict(hooks="h"), dict(callable=3),
                    dict(dependencies=["x", ""]), dict(dependencies=["q"], plugin_id="q")):
            args = dict(plugin_id="q", name="Q", version="1", category="c", priority=0, hooks=["h"],
                        dependencies=[], callable=lambda h, c: 1)
            args.update(bad)
            with pytest.raises(ValidationError):
                again.plugins.register(**args)
        with pytest.raises(ValidationError):
            again.plugins.run_hook("h", {"x": {1, 2}})


def test_a_plugin_may_use_the_store_from_its_thread(db: cortexdb.Store) -> None:
    def note(hook: str, context: dict) -> str:
        return db.audit.record_decision("plugin", context["subject"], "approved", decided_by="plugin:noter").decision_id

    db.plugins.register("noter", "Noter", "1", "x", 0, ["h"], [], note)
    (result,) = db.plugins.run_hook("h", {"subject": "s1"})
    assert result.status == "success"
    assert db.audit.decisions(subject="s1")[0].decision_id == result.result
