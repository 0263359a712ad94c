"""Three stores, one authority: interleaved writes to the same and different entities, pushes and
pulls in random orders; afterwards every store and the authority give the same answers (graph,
provenance links, workspace discoveries), and every relation any store wrote is in every history."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sync_state import authority_side_state, authority_state, local_side_state, local_state

import cortexdb
from cortexdb.errors import NotFoundError
from cortexdb.graph.compat import KnowledgeGraph
from cortexdb.store import Store

NAMES = ("alice", "bob", "carol", "dave", "erin")


def _random_write(rng: random.Random, db: Store, written: dict[str, tuple[str, str]], deleted: set[str]) -> None:
    name = rng.choice(NAMES)
    op = rng.randrange(9)
    if op <= 1:
        db.graph.upsert_entity(name, kind=rng.choice(["person", "agent"]), properties={"v": rng.randrange(100)})
    elif op == 2:
        db.graph.upsert_entity(name, kind="person")
        db.graph.add_observations(name, [f"fact {rng.randrange(6)}"])
    elif op == 3:
        entity = db.graph.get_entity(name, touch=False) if db.execute(
            "SELECT 1 FROM tier2.graph_entities WHERE name = ?", (name,)) else None
        if entity and entity.observations:
            db.graph.remove_observations(name, [rng.choice(entity.observations)])
    elif op == 4:
        db.graph.upsert_entity(name, kind="person")
        (db.graph.tag if rng.random() < 0.7 else db.graph.untag)(name, [f"t{rng.randrange(3)}"])
    elif op in (5, 6):
        other = rng.choice([n for n in NAMES if n != name])
        for n in (name, other):
            db.graph.upsert_entity(n, kind="person")
        relation = db.graph.relate(name, rng.choice(["knows", "helps"]), other, properties={"w": rng.randrange(3)})
        written[relation.uuid] = (name, other)
    elif op == 7:
        other = rng.choice([n for n in NAMES if n != name])
        try:
            db.graph.unrelate(name, "knows", other)
        except NotFoundError:
            pass
    elif db.execute("SELECT 1 FROM tier2.graph_entities WHERE name = ?", (NAMES[-1],)):
        db.graph.delete_entity(NAMES[-1])                   # one name gets deleted (and re-created) again and again
        deleted.add(NAMES[-1])


def _random_side_write(rng: random.Random, db: Store) -> None:
    """A provenance link (naming an entity this store holds that is never deleted, when there is one),
    a workspace discovery, or a pattern (never deleted) linked to a discovery this store holds; its
    own random sequence, so the graph's random sequence is the one above."""
    op = rng.randrange(5)
    if op == 0:
        held = db.execute("SELECT id FROM tier2.graph_entities WHERE name <> ? ORDER BY name", (NAMES[-1],))
        target = ("entity", str(rng.choice(held)[0])) if held and rng.random() < 0.8 else ("file", "README")
        db.provenance.link("file", f"f{rng.randrange(4)}.py", *target, rng.choice(["generated", "referenced"]))
    elif op == 1:
        db.workspace.record_database(database_type="postgresql", connection_string=f"pg://{rng.randrange(9)}",
                                     host=rng.choice(["db1", None]), metadata={"v": rng.randrange(5)})
    elif op == 2:
        db.workspace.record_framework(framework_type="flask", config_location=rng.choice(["app.py", None]),
                                      version=str(rng.randrange(5)))
    elif op == 3:
        db.workspace.mark_stale(rng.choice([0, 0.5]))
    else:
        pattern = db.graph.add_pattern(f"pattern{rng.randrange(2)}", "Retry", "wait, then retry", "solution")
        held = db.execute("SELECT id FROM tier2.workspace_databases ORDER BY id")
        if held:
            KnowledgeGraph(db).add_relationship(pattern.id, rng.choice(["uses", "documents"]), rng.choice(held)[0],
                                                "workspace_database")


@pytest.mark.parametrize("seed", range(int(__import__("os").environ.get("SYNC_SEEDS", "6"))))
def test_three_stores_converge_whatever_the_order(tmp_path: Path, pg_url: str, seed: int) -> None:
    rng = random.Random(seed)
    side_rng = random.Random(-1 - seed)
    clock = cortexdb.ManualClock()
    stores = [cortexdb.open(tmp_path / f"s{i}", authority=pg_url, clock=clock) for i in range(3)]
    written: dict[str, tuple[str, str]] = {}
    deleted: set[str] = set()
    try:
        for _step in range(60):
            db = rng.choice(stores)
            roll = rng.random()
            if roll < 0.15:
                db.sync.push(batch_size=rng.choice([1, 3, 100]))
            elif roll < 0.3:
                db.sync.pull(batch_size=rng.choice([1, 3, 100]))
            else:
                _random_write(rng, db, written, deleted)
            if side_rng.random() < 0.4:
                _random_side_write(side_rng, db)
            clock.advance(rng.choice([0, 0.001, 1]))
        for _round in range(2):
            for db in rng.sample(stores, 3):
                db.sync.push()
            for db in rng.sample(stores, 3):
                db.sync.pull()
        expected = authority_state(stores[0])
        expected_side = authority_side_state(stores[0])
        for db in stores:
            assert local_state(db) == expected
            assert local_side_state(db) == expected_side
            assert db.sync.status().pending_links == 0
        assert expected_side["links"] or not any(db.execute("SELECT 1 FROM tier2.provenance_links") for db in stores)
        assert expected_side["workspace_links"] or not any(
            db.execute("SELECT 1 FROM tier2.graph_workspace_links") for db in stores)
        assert [db.sync.push().rows + db.sync.pull().rows for db in stores] == [0, 0, 0]
        kept = {r[0] for r in expected["relations"]}
        survivors = {uuid for uuid, ends in written.items() if not set(ends) & deleted}
        assert survivors <= kept                            # the history holds every relation written
        assert survivors or not written
        for db in stores:
            assert db.audit.verify(record=False).ok
    finally:
        for db in stores:
            db.close()
