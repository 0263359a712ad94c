"""The boundary guard: canonicalization, rules, hostile paths, denial log."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cortexdb
from cortexdb import BoundaryDenied, ManualClock, ValidationError
from cortexdb.governance.boundary import glob_regex


@pytest.fixture()
def guarded(tmp_path: Path):
    ws = tmp_path / "ws"
    (ws / "src" / "pkg").mkdir(parents=True)
    (ws / "src" / "pkg" / "mod.py").write_text("x = 1\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s")
    os.symlink(outside, ws / "link_out")                     # directory symlink escaping the root
    os.symlink(outside / "secret.txt", ws / "src" / "innocent.txt")
    os.symlink(ws / "src", ws / "link_in")                   # symlink staying inside
    os.symlink(ws / "loop_a", ws / "loop_b")
    os.symlink(ws / "loop_b", ws / "loop_a")
    (tmp_path / "ws-evil").mkdir()
    clock = ManualClock()
    db = cortexdb.open(tmp_path / "store", clock=clock)
    db.boundary.set_root(ws)
    yield db, ws, tmp_path, clock
    db.close()


def hostile_paths(ws: Path, tmp: Path) -> list[str]:
    return [
        "../outside/secret.txt",                       # traversal
        "src/../../outside/secret.txt",                # traversal through a real dir
        "src/pkg/../../../../../../etc/passwd",        # deep traversal
        "/etc/passwd",                                 # absolute outside
        "//etc//passwd",                               # duplicate separators
        str(ws) + "/../outside/secret.txt",            # absolute traversal
        str(tmp / "ws-evil" / "x"),                    # sibling sharing the root's prefix
        "link_out/secret.txt",                         # symlinked dir escaping
        "src/innocent.txt",                            # symlinked file escaping
        "link_out",                                    # the escaping symlink itself
        "src/mod.py\x00.txt",                          # NUL byte
        "src/\x1b[31mred",                             # control character
        "src/" + "a" * 300,                            # component too long
        "src/" + "/".join(["abc"] * 1500),             # path too long
        "..\uff0f..\uff0fetc\uff0fpasswd",             # fullwidth solidus look-alike
        "\u2025/etc/passwd",                           # two-dot leader look-alike of ..
        "src/\uff0e\uff0e/\uff0e\uff0e/etc",           # fullwidth full stops
        "src/evil\u202etxt.exe",                       # bidi override
        "src/zero\u200bwidth",                         # zero-width space
        "..\\..\\outside\\secret.txt",                 # Windows separators
        "src/\u2024\u2024/\u2024\u2024/\u2024\u2024/etc",  # one-dot leaders spelling ..
        "src/\uff3c..\uff3c..\uff3cetc",               # fullwidth backslash
        "~/../../etc/shadow",                          # tilde is not expanded, .. still escapes
        "",                                            # empty resolves to root? (checked separately)
    ][:-1]


def test_at_least_twenty_hostile_paths_are_denied_and_logged(guarded) -> None:
    db, ws, tmp, _clock = guarded
    paths = hostile_paths(ws, tmp)
    assert len(paths) >= 20
    for op in ("read", "write"):
        for path in paths:
            decision = db.boundary.check(path, op)
            assert not decision.allowed, (path, decision)
            assert decision.reason and decision.rule_reference
    events = db.boundary.events(allowed=False, limit=1000)
    assert len(events) == 2 * len(paths)
    assert all(e["allowed"] == 0 for e in events)
    with pytest.raises(BoundaryDenied, match="NUL"):
        db.boundary.require("a\x00b", "read")


def test_ordinary_unicode_names_are_not_look_alikes(guarded) -> None:
    db, *_ = guarded
    for name in ("src/caf\u00e9.txt", "src/cafe\u0301.txt", "src/\u8cc7\u6599\uff08\u6700\u65b0\uff09.md",
                 "src/\ufb01le", "src/\u0441ecrets"):
        assert db.boundary.check(name, "read").allowed, name


def test_symlink_loop_does_not_hang_or_escape(guarded) -> None:
    db, *_ = guarded
    decision = db.boundary.check("loop_a/x", "read")
    assert decision.path.startswith(str(db.boundary.root))


def test_inside_root_allowed_and_canonicalized(guarded) -> None:
    db, ws, _tmp, _clock = guarded
    for path, expected in (("src/pkg/mod.py", "src/pkg/mod.py"), ("src//pkg/./mod.py", "src/pkg/mod.py"),
                           ("src/pkg/../pkg/mod.py", "src/pkg/mod.py"), ("link_in/pkg/mod.py", "src/pkg/mod.py"),
                           (str(ws / "src" / "new.txt"), "src/new.txt"), (".", "")):
        decision = db.boundary.check(path, "read")
        assert decision.allowed and decision.rule_reference == "builtin:root", path
        assert decision.path == os.path.join(str(ws.resolve()), expected).rstrip("/")
    assert db.boundary.events() == []  # allows are not logged by default
    db.boundary.log_allows(True)
    db.boundary.check("src/pkg/mod.py", "scan")
    assert db.boundary.events()[0]["allowed"] == 1


def test_rules_priority_operations_and_absolute_patterns(guarded, tmp_path: Path) -> None:
    db, _ws, tmp, _clock = guarded
    db.boundary.add_rule("deny", "**/.env")
    db.boundary.add_rule("deny", "src/**", operations=["delete"])
    allow = db.boundary.add_rule("allow", "src/keep/**", operations=["delete"], priority=10)
    db.boundary.add_rule("allow", str(tmp / "outside") + "/*.txt", operations=["read"])
    assert not db.boundary.check(".env", "read").allowed
    assert not db.boundary.check("src/pkg/.env", "write").allowed
    assert db.boundary.check("src/pkg/mod.py", "read").allowed
    assert not db.boundary.check("src/pkg/mod.py", "delete").allowed
    kept = db.boundary.check("src/keep/a", "delete")
    assert kept.allowed and allow.rule_id in kept.rule_reference
    assert db.boundary.check(str(tmp / "outside" / "secret.txt"), "read").allowed
    assert not db.boundary.check(str(tmp / "outside" / "secret.txt"), "write").allowed
    assert db.boundary.check("link_out/secret.txt", "read").allowed   # the resolved target matches the allow rule
    # equal priority: deny wins
    db.boundary.add_rule("allow", "docs/*", operations=["write"], priority=3)
    db.boundary.add_rule("deny", "docs/*", operations=["write"], priority=3)
    assert not db.boundary.check("docs/a.md", "write").allowed
    db.boundary.remove_rule(allow.rule_id)
    assert not db.boundary.check("src/keep/a", "delete").allowed
    changes = db.audit.log(tier="tier0", table="boundary_rules")
    assert [c.operation for c in changes].count("INSERT") == 6 and changes[-1].operation == "DELETE"


def test_case_folding_when_the_filesystem_folds(guarded) -> None:
    db, ws, _tmp, _clock = guarded
    db.boundary.set_root(ws, case_insensitive=True)
    db.boundary.add_rule("deny", "**/secrets/**")
    assert not db.boundary.check("src/SECRETS/key", "read").allowed
    assert db.boundary.check(str(ws).upper() + "/src/a", "read").allowed
    db.boundary.set_root(ws, case_insensitive=False)
    assert db.boundary.check("src/SECRETS/key", "read").allowed


def test_no_root_denies_and_bad_arguments(tmp_path: Path) -> None:
    with cortexdb.open(tmp_path / "s") as db:
        assert not db.boundary.check("a.txt", "read").allowed
        assert not db.boundary.check("/etc/passwd", "read").allowed
        with pytest.raises(ValidationError):
            db.boundary.check("a", "execute")
        with pytest.raises(ValidationError):
            db.boundary.add_rule("maybe", "*")
        with pytest.raises(ValidationError):
            db.boundary.add_rule("deny", "*", operations=["fly"])
        with pytest.raises(ValidationError):
            db.boundary.set_root(tmp_path / "missing")


def test_purge_exports_denied_events_first(guarded, tmp_path: Path) -> None:
    db, _ws, _tmp, clock = guarded
    db.boundary.log_allows(True)
    db.boundary.check("/etc/passwd", "read")
    db.boundary.check("src/a", "read")
    clock.advance(91 * 86400)
    db.boundary.check("/etc/shadow", "read")
    result = db.boundary.purge_events(older_than_days=90, export_dir=tmp_path / "cold")
    assert result["exported"] == 1 and result["deleted"] == 2
    lines = Path(result["export_file"]).read_text().splitlines()
    assert len(lines) == 1 and "/etc/passwd" in lines[0]
    assert [e["path"] for e in db.boundary.events()] == ["/etc/shadow"]
    deleted = db.audit.log(tier="tier3", table="boundary_events", operation="DELETE")
    assert len(deleted) == 2  # retention deletions are audited


def test_glob_semantics() -> None:
    assert glob_regex("*.py", fold=False).match("a.py") and not glob_regex("*.py", fold=False).match("d/a.py")
    assert glob_regex("**/*.py", fold=False).match("a.py") and glob_regex("**/*.py", fold=False).match("d/e/a.py")
    assert glob_regex("src/**", fold=False).match("src") and glob_regex("src/**", fold=False).match("src/a/b")
    assert glob_regex("[!a]?", fold=False).match("bc") and not glob_regex("[!a]?", fold=False).match("ac")
    assert glob_regex("a+b(c)", fold=False).match("a+b(c)")


@pytest.fixture(scope="module")
def prop_store(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("prop")
    ws = home / "ws"
    (ws / "src" / "pkg").mkdir(parents=True)
    (home / "out").mkdir()
    os.symlink(home / "out", ws / "link_out")
    os.symlink(ws / "src", ws / "link_in")
    db = cortexdb.open(home / "s")
    db.boundary.set_root(ws)
    yield db, ws
    db.close()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["..", ".", "src", "pkg", "link_out", "link_in", "x", ""]), min_size=1, max_size=8))
def test_any_combination_of_segments_never_escapes_without_a_rule(prop_store, segments: list[str]) -> None:
    db, ws = prop_store
    text = "/".join(segments)
    decision = db.boundary.check(text, "read")
    real = os.path.realpath(text if os.path.isabs(text) else os.path.join(ws, text))
    root = str(ws.resolve())
    inside = real == root or real.startswith(root + os.sep)
    assert decision.allowed == inside
    assert decision.path == real
