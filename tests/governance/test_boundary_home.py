"""The boundary guard expands a leading ``~`` as a shell would, then judges the path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import cortexdb


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / "work" / "project" / "src").mkdir(parents=True)
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa").write_text("key")
    monkeypatch.setenv("HOME", str(home))
    return home


def test_set_root_accepts_a_tilde_path(db: cortexdb.Store, home: Path) -> None:
    assert db.boundary.set_root("~/work/project") == (home / "work" / "project").resolve()
    assert db.boundary.root == (home / "work" / "project").resolve()


def test_a_tilde_path_is_judged_as_the_home_path(db: cortexdb.Store, home: Path) -> None:
    db.boundary.set_root("~/work/project")
    decision = db.boundary.check("~/.ssh/id_rsa", "read")
    assert not decision.allowed and decision.rule_reference == "builtin:outside-root"
    assert decision.path == str((home / ".ssh" / "id_rsa").resolve())
    assert db.boundary.check("~/work/project/src/app.py", "write").allowed
    assert db.boundary.canonical("~/.ssh/id_rsa") == str((home / ".ssh" / "id_rsa").resolve())
    with pytest.raises(cortexdb.BoundaryDenied):
        db.boundary.require("~/.ssh/id_rsa", "read")


def test_a_tilde_rule_pattern_is_expanded(db: cortexdb.Store, home: Path) -> None:
    db.boundary.set_root(home)
    rule = db.boundary.add_rule("deny", "~/.ssh/**")
    assert rule.pattern == f"{home.resolve()}/.ssh/**"
    assert not db.boundary.check("~/.ssh/id_rsa", "read").allowed
    assert not db.boundary.check(home / ".ssh" / "id_rsa", "read").allowed
    assert db.boundary.check("~/work/project/src", "scan").allowed


def test_only_a_leading_tilde_is_expanded(db: cortexdb.Store, home: Path) -> None:
    db.boundary.set_root("~/work/project")
    decision = db.boundary.check("src/~/x", "read")
    assert decision.allowed and decision.path.endswith("/src/~/x")
    unknown = db.boundary.check("~no-such-user-here/x", "read")  # left as written, as a shell does
    assert unknown.path == os.path.join(str((home / "work" / "project").resolve()), "~no-such-user-here/x")
