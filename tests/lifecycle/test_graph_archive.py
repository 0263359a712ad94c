"""Graph nodes in the tier-3 archive: move, read, search, restore (reused ids), decay, health."""

from __future__ import annotations

import pytest

import cortexdb
from cortexdb import KnowledgeGraph
from cortexdb.errors import ArchiveError, NotFoundError

DAY = 86400
G = "graph_nodes"


def graph_census(db) -> dict[str, tuple[int, int]]:
    """Per graph table: (live rows, archived rows)."""
    pairs = {"graph_entities": "archived_graph_entities", "graph_patterns": "archived_graph_patterns",
             "graph_observations": "archived_graph_observations", "graph_tags": "archived_graph_tags",
             "graph_relations": "archived_graph_relations", "graph_workspace_links": "archived_graph_workspace_links"}
    return {t: (db.execute(f"SELECT count(*) FROM tier2.{t}")[0][0], db.execute(f"SELECT count(*) FROM tier3.{a}")[0][0])
            for t, a in pairs.items()}


def build(db):
    g = db.graph
    a = g.upsert_entity("a", kind="file", properties={"lang": "ts"}, observations=["alpha one", "alpha two"], tags=["t1"])
    b = g.upsert_entity("b", kind="file", observations=["beta"])
    p = g.add_pattern("p", "Retry auth", "retry a 401 once", "solution", tags=["auth"])
    g.relate(a, "uses", b, strength=0.5)
    g.relate(p, "about", a)
    g.relate(b, "mentions", p)
    g.unrelate(b, "mentions", p)  # history moves too
    g.relate(b, "mentions", p, strength=0.4)
    api = db.workspace.record_api(api_type="rest", base_url="http://x")
    KnowledgeGraph(db).add_relationship(subject_pattern_id=p.id, relationship_type="documents",
                                        object_entity_id=api["id"], object_entity_type="workspace_api")
    return a, b, p


def test_move_takes_children_and_relations_both_ways_then_restore(db):
    _a, _b, p = build(db)
    before = graph_census(db)
    result = db.archive.move(G, [p.uuid])
    # the pattern, its side row, tag, 3 relations (2 touching p as target, 1 as source), workspace link
    assert result.keys == 1 and result.rows == 1 + 1 + 1 + 3 + 1
    after = graph_census(db)
    assert after["graph_entities"] == (2, 1) and after["graph_relations"] == (1, 3)
    assert after["graph_patterns"] == (0, 1) and after["graph_workspace_links"] == (0, 1)
    assert db.execute("SELECT count(*) FROM tier2.graph_search WHERE graph_search MATCH 'retry'")[0][0] == 0
    got = db.archive.get(G, p.uuid)
    assert got["archived"] and len(got["children"]["graph_relations"]) == 3
    assert db.execute("PRAGMA tier2.foreign_key_check") == []
    restored = db.archive.restore(G, [p.uuid])
    assert restored.keys == 1 and graph_census(db) == {t: (live, 0) for t, (live, _a) in before.items()}
    g = db.graph
    back = g.get_pattern("p", touch=False)
    assert back.id == p.id and back.uuid == p.uuid and back.tags == ("auth",) and back.archived_at is None
    assert {(r.source_name, r.relation_type, r.target_name, r.current) for r in g.relations(back, include_ended=True)} == {
        ("p", "about", "a", True), ("b", "mentions", "p", False), ("b", "mentions", "p", True)}
    assert [h.entity.name for h in g.search("retry")] == ["p"]
    assert KnowledgeGraph(db).relationships(p.id)[0]["relationship_type"] == "documents"
    for tier in ("tier2", "tier3"):
        assert db.execute(f"PRAGMA {tier}.integrity_check") == [("ok",)]
        assert db.execute(f"PRAGMA {tier}.foreign_key_check") == []


def test_restore_remaps_ids_reused_while_archived(db):
    g = db.graph
    g.upsert_entity("keep", kind="k", observations=["k1"])
    old = g.upsert_entity("old", kind="k", observations=["o1", "o2", "o3"], tags=["x"])
    g.relate("keep", "r", old)
    db.archive.move(G, [old.uuid])
    # SQLite reuses the max rowid: the new node, its observations and relation take the old ids
    new = g.upsert_entity("new", kind="k", observations=["n1", "n2", "n3"])
    g.relate("keep", "r", new)
    assert new.id == old.id
    db.archive.restore(G, [old.uuid])
    back, still = g.get_entity("old", touch=False), g.get_entity("new", touch=False)
    assert back.uuid == old.uuid and back.id != old.id and still.id == new.id
    assert back.observations == ("o1", "o2", "o3") and back.tags == ("x",)
    assert still.observations == ("n1", "n2", "n3") and still.tags == ()
    assert sorted(n.entity.name for n in g.neighbors("keep")) == ["new", "old"]
    assert [h.entity.name for h in g.search("o2")] == ["old"] and [h.entity.name for h in g.search("n2")] == ["new"]
    assert graph_census(db)["graph_entities"] == (3, 0)


def test_two_archived_nodes_with_the_same_old_id_restore_together(db):
    g = db.graph
    g.upsert_entity("base", kind="k")
    first = g.upsert_entity("first", kind="k", observations=["one"])
    db.archive.move(G, [first.uuid])
    second = g.upsert_entity("second", kind="k", observations=["two"])
    assert second.id == first.id
    db.archive.move(G, [second.uuid])
    db.archive.restore(G, [first.uuid, second.uuid])
    restored = {e.name: e for e in g.get_entities(["first", "second"])}
    assert len({e.id for e in restored.values()}) == 2
    assert restored["first"].observations == ("one",) and restored["second"].observations == ("two",)
    assert graph_census(db)["graph_observations"] == (2, 0)


def test_restore_refuses_a_name_taken_meanwhile(db):
    g = db.graph
    old = g.upsert_entity("dup", kind="k", observations=["archived one"])
    db.archive.move(G, [old.uuid])
    g.upsert_entity("dup", kind="k", observations=["live one"])
    with pytest.raises(ArchiveError, match="rename or delete the live row"):
        db.archive.restore(G, [old.uuid])
    assert graph_census(db)["graph_entities"] == (1, 1) and db.archive.interrupted() == []
    g.delete_entity("dup")
    db.archive.restore(G, [old.uuid])
    assert g.get_entity("dup", touch=False).observations == ("archived one",)


def test_relation_between_archived_nodes_waits_for_both(db):
    g = db.graph
    a = g.upsert_entity("a", kind="k")
    b = g.upsert_entity("b", kind="k")
    g.relate(a, "r", b)
    db.archive.move(G, [a.uuid])
    db.archive.move(G, [b.uuid])
    db.archive.restore(G, [a.uuid])
    assert g.relations("a") == [] and graph_census(db)["graph_relations"] == (0, 1)
    db.archive.restore(G, [b.uuid])
    assert [(r.source_name, r.target_name) for r in g.relations("a")] == [("a", "b")]
    assert graph_census(db)["graph_relations"] == (1, 0)


def test_node_from_a_bundle_restores_into_another_store(db, tmp_path, clock):
    """The other store has neither the node's namespace nor its relation's target: the node
    comes back in its namespace, the relation waits in the archive for its target."""
    g = db.graph
    g.add_namespace("team")
    a = g.upsert_entity("a", kind="k", namespace="team", observations=["alpha"], tags=["t"])
    g.relate(a, "r", g.upsert_entity("b", kind="k", namespace="team"))
    db.archive.move(G, [a.uuid])
    bundle = db.archive.export("nodes").path
    other = cortexdb.open(tmp_path / "other", clock=clock)
    try:
        other.archive.import_bundle(bundle)
        other.archive.restore(G, [a.uuid])
        back = other.graph.get_entity("a", namespace="team")
        assert (back.uuid, back.observations, back.tags) == (a.uuid, ("alpha",), ("t",))
        assert "team" in other.graph.namespaces()
        assert graph_census(other)["graph_relations"] == (0, 1)
        assert other.archive.operations(state="planned") == [] and other.archive.operations(state="copied") == []
    finally:
        other.close()


def test_archived_nodes_readable_and_searchable_with_the_flag(db):
    a, _b, p = build(db)
    db.archive.move(G, [a.uuid, p.uuid])
    g = db.graph
    with pytest.raises(NotFoundError):
        g.get_entity("a")
    e = g.get_entity("a", include_archived=True)
    assert e.uuid == a.uuid and e.archived_at and e.observations == ("alpha one", "alpha two") and e.tags == ("t1",)
    assert g.get_entity(a, include_archived=True).name == "a"
    assert g.get_pattern("p", include_archived=True).title == "Retry auth"
    assert g.search("alpha") == []
    hits = g.search("alpha two", include_archived=True)
    assert [h.entity.name for h in hits] == ["a"] and hits[0].score == 0.0 and "alpha" in hits[0].snippet
    assert g.search("alpha", include_archived=True, kinds=["dir"]) == []
    assert [h.entity.name for h in g.search("retry", include_archived=True, tags=["auth"])] == ["p"]
    assert [h.entity.name for h in g.search("beta", include_archived=True)] == ["b"]  # live hits first
    assert g.search('"((', include_archived=True) == []
    db.archive.restore(G, [a.uuid])
    assert [h.entity.name for h in g.search("alpha")] == ["a"]


def test_decay_moves_patterns_to_the_archive(db, clock):
    g = db.graph
    low = g.add_pattern("low", "Stale idea", "words", "solution", confidence=0.35)
    g.add_pattern("pinned", "Pinned idea", "words", "principle", confidence=0.31, pinned=True)
    g.upsert_entity("other", kind="k")
    g.relate("low", "about", "other")
    clock.advance(70 * DAY)
    report = g.apply_decay()
    assert report.archived == 1 and report.moved == 1
    assert [x.name for x in g.patterns(include_archived=True)] == ["pinned"]
    assert g.get_pattern("low", include_archived=True).confidence == pytest.approx(0.25)
    assert graph_census(db)["graph_relations"] == (0, 1)
    assert [r["action"] for r in g.decay_log(low)] == ["archived", "decayed"]
    assert db.archive.operations()[0].group == G
    # restored: found again, and its decay clock restarts from the restore
    db.archive.restore(G, [low.uuid])
    back = g.get_pattern("low", touch=False)
    assert back.archived_at is None and back.last_accessed is not None
    assert [h.entity.name for h in g.search("stale")] == ["low"]
    clock.advance(30 * DAY)
    assert g.apply_decay().decayed == 0


def test_marked_but_unmoved_nodes_are_swept_by_archive_run(db, clock):
    g = db.graph
    g.add_pattern("p", "Fading", "words", "context", confidence=0.31)
    clock.advance(62 * DAY)
    report = g.apply_decay(move=False)
    assert report.archived == 1 and report.moved == 0
    assert g.get_pattern("p", touch=False).archived_at is not None
    assert db.archive.run()["graph_nodes"] == 1
    assert graph_census(db)["graph_entities"] == (0, 1)


def test_health_graph_orphans_and_fixes(db):
    a, _b, p = build(db)
    db.archive.move(G, [a.uuid])
    bundle = db.archive.export("graph").path
    db.archive.restore(G, [a.uuid])
    db.archive.import_bundle(bundle)  # stale archived copies of a live node
    with db.transaction():
        db.execute("INSERT INTO tier3.archived_graph_tags (entity_id, tag, entity_uuid, archived_at) "
                   "VALUES (99, 'lost', 'nobody', 'x')")
        db.execute("DELETE FROM tier2.workspace_apis")  # its unlink trigger keeps links clean ...
        db.execute("INSERT INTO tier2.graph_workspace_links (subject_pattern_id, relationship_type, object_entity_type, "
                   "object_entity_id, created_at) VALUES (?, 'documents', 'workspace_api', 12345, 'x')", (p.id,))
    report = db.health.review()
    titles = [i["title"] for i in report.issues]
    assert "1 archived graph nodes also exist live" in titles
    assert "1 archived graph rows belong to no node" in titles
    assert "1 graph workspace links point at missing discoveries" in titles
    fixed = db.health.review(auto_fix=True)
    assert all(i["fix_applied"] for i in fixed.issues if i["auto_fixable"])
    assert db.execute("SELECT count(*) FROM tier3.archived_graph_entities")[0][0] == 0
    assert db.execute("SELECT count(*) FROM tier3.archived_graph_relations")[0][0] == 0
    assert db.execute("SELECT count(*) FROM tier2.graph_workspace_links")[0][0] == 0
    left = [i["title"] for i in db.health.review().issues]
    assert "1 archived graph rows belong to no node" in left and not any("exist live" in t for t in left)


def test_health_audit_chain(db):
    db.audit.record("tier1", "tasks", operation="EVENT", row_key="t1")
    report = db.health.review()
    unsealed = [i for i in report.issues if "not sealed" in i["title"]]
    assert unsealed and unsealed[0]["severity"] == "info" and report.overall_status != "critical"
    db.health.review(auto_fix=True)
    assert not any("not sealed" in i["title"] for i in db.health.review().issues)
    # tamper with a sealed row (dropping the append-only guard first, as an attacker would)
    with db.transaction():
        db.execute("DROP TRIGGER tier1.audit_log_tier1_no_update")
        db.execute("UPDATE tier1.audit_log_tier1 SET row_key = 'forged' WHERE position = 1")
    broken = db.health.review(auto_fix=True)
    crit = [i for i in broken.issues if i["title"] == "tier1 audit chain is broken"]
    assert crit and crit[0]["severity"] == "critical" and not crit[0]["auto_fixable"]
    assert broken.overall_status == "critical"


def test_cli_archived_flags(tmp_path):
    import orjson
    from click.testing import CliRunner

    import cortexdb
    from cortexdb.cli import main

    home = tmp_path / "s"
    with cortexdb.open(home) as db:
        a = db.graph.upsert_entity("a", kind="file", observations=["alpha"])
        db.graph.upsert_entity("b", kind="file")
        db.graph.relate("a", "uses", "b")
        db.archive.move(G, [a.uuid])

    def run(*args):
        result = CliRunner().invoke(main, ["--home", str(home), "--json", *args])
        assert result.exit_code == 0, result.output
        return orjson.loads(result.output)

    assert run("graph", "search", "alpha") == []
    assert [h["name"] for h in run("graph", "search", "alpha", "--archived")] == ["a"]
    shown = run("graph", "show", "a", "--archived")
    assert shown["archived"] and [(r["source"], r["relation"], r["target"]) for r in shown["relations"]] == [("a", "uses", "b")]
    run("archive", "restore", "--group", G, a.uuid)
    assert [h["name"] for h in run("graph", "search", "alpha")] == ["a"]
