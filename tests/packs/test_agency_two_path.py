"""The two-path migration check covers opt-in packs: a store bootstrapped from the snapshot that
enables a pack later must end with the schema and ledger of one built from every file."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

import cortexdb
from cortexdb import migrations
from cortexdb.cli import main
from cortexdb.governance import doctor


def test_two_path_covers_the_agency_pack(tmp_path: Path) -> None:
    report = doctor.two_path(packs=["agency"])
    assert report.ok, [t.problems for t in report.tiers]
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "s"), "--json", "doctor", "--two-path"])
    assert result.exit_code == 0, result.output


def test_two_path_reports_a_pack_that_breaks_on_enable(tmp_path: Path) -> None:
    root = tmp_path / "schema"
    shutil.copytree(migrations.schema_roots()[0], root)
    (root / "brokenpack" / "tier1").mkdir(parents=True)
    (root / "brokenpack" / "tier1" / "0001_bad.sql").write_text("CREATE INDEX idx_bad ON no_such_table(a);\n")
    report = doctor.two_path((root,))
    assert not report.ok and report.exit_code == 1
    (tier1,) = [t for t in report.tiers if t.tier == "tier1"]
    assert any("pack brokenpack" in p and "no_such_table" in p for p in tier1.problems)
    assert all(t.ok for t in report.tiers if t.tier != "tier1")


def test_store_enabling_the_pack_later_matches_a_new_pack_store(tmp_path: Path) -> None:
    """The same property on real stores: created plain, enabled later vs created with the pack."""
    cortexdb.open(tmp_path / "later").close()
    cortexdb.open(tmp_path / "later", modules=["agency"]).close()
    cortexdb.open(tmp_path / "fresh", modules=["agency"]).close()
    with cortexdb.open(tmp_path / "later") as later, cortexdb.open(tmp_path / "fresh") as fresh:
        for tier in ("tier0", "tier1", "tier2", "tier3"):
            assert migrations.normalized_schema(later.conn, tier) == migrations.normalized_schema(fresh.conn, tier)
        assert doctor.check(later, record=False).exit_code == 0
        assert doctor.check(fresh, record=False).exit_code == 0
