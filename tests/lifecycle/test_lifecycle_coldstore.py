"""Cold-storage bundles: export, verify (tampering named by file), import idempotent, mount."""

from __future__ import annotations

import json
import subprocess

import orjson
import pytest
import zstandard
from lifecycle_helpers import populate

import cortexdb
from cortexdb.errors import ArchiveError, ValidationError
from cortexdb.lifecycle.coldstore import ColdStore, FilesystemColdStore


@pytest.fixture
def archived(db):
    ids = populate(db, 6, 3)
    db.archive.move("conversations", ids)
    return db


def test_export_writes_readable_bundle(archived, tmp_path):
    info = archived.archive.export("b1")
    bundle = tmp_path / "store" / "cold" / "b1"
    assert info.path == str(bundle) and info.tables["archived_messages"] == 18
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["format_version"] == 1 and manifest["store_id"] and manifest["schema_versions"]["tier3"]["cortex"] >= 2
    assert manifest["tables"]["archived_conversations"]["rows"] == 6
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())
    with (bundle / "archived_messages.jsonl.zst").open("rb") as handle:
        raw = zstandard.ZstdDecompressor().stream_reader(handle).read()
    rows = [orjson.loads(line) for line in raw.splitlines()]
    assert len(rows) == 18 and {"id", "conversation_id", "content", "archived_at"} <= set(rows[0])
    assert archived.archive.bundles() == ["b1"]
    report = archived.archive.verify(bundle)
    assert report.ok and report.first is None and report.tables["archived_messages"] == 18
    with pytest.raises(ArchiveError, match="already exists"):
        archived.archive.export("b1")


def test_zstd_cli_reads_bundle_if_available(archived, tmp_path):
    archived.archive.export("b1", tables=["archived_conversations"])
    path = tmp_path / "store" / "cold" / "b1" / "archived_conversations.jsonl.zst"
    try:
        out = subprocess.run(["zstd", "-dc", str(path)], capture_output=True, check=True).stdout
    except FileNotFoundError:
        pytest.skip("zstd command not installed")
    assert len(out.splitlines()) == 6


def _rewrite(path, transform):
    with path.open("rb") as handle:
        data = zstandard.ZstdDecompressor().stream_reader(handle).read()
    path.write_bytes(zstandard.ZstdCompressor().compress(transform(data)))


def test_flipped_byte_fails_naming_file(archived, tmp_path):
    archived.archive.export("b1")
    target = tmp_path / "store" / "cold" / "b1" / "archived_messages.jsonl.zst"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    report = archived.archive.verify(target.parent)
    assert not report.ok and report.first.startswith("archived_messages.jsonl.zst")


def test_missing_line_fails_naming_file(archived, tmp_path):
    archived.archive.export("b1")
    bundle = tmp_path / "store" / "cold" / "b1"
    target = bundle / "archived_messages.jsonl.zst"
    _rewrite(target, lambda d: b"\n".join(d.split(b"\n")[1:]))
    # even with a forged checksum and size, the line count names the file
    manifest = json.loads((bundle / "manifest.json").read_text())
    import hashlib

    manifest["files"][target.name] = {"sha256": hashlib.sha256(target.read_bytes()).hexdigest(), "bytes": target.stat().st_size}
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    report = archived.archive.verify(bundle)
    assert not report.ok and report.first.startswith("archived_messages.jsonl.zst") and "17 lines" in report.first
    with pytest.raises(ArchiveError, match="does not verify"):
        archived.archive.import_bundle(bundle)


def test_missing_file_and_manifest(archived, tmp_path):
    archived.archive.export("b1")
    bundle = tmp_path / "store" / "cold" / "b1"
    (bundle / "archived_conversations.jsonl.zst").unlink()
    report = archived.archive.verify(bundle)
    assert not report.ok and report.first == "archived_conversations.jsonl.zst: missing"
    (bundle / "manifest.json").unlink()
    assert "manifest.json" in archived.archive.verify(bundle).first


def test_import_rehydrates_idempotently(archived, tmp_path):
    info = archived.archive.export("b1")
    with cortexdb.open(tmp_path / "other") as other:
        first = other.archive.import_bundle(info.path)
        assert first.tables["archived_messages"] == {"rows": 18, "inserted": 18}
        # audited tables count their own rows, not the audit rows their triggers add
        ops = first.tables["archival_operations"]
        assert ops["inserted"] == ops["rows"] > 0
        again = other.archive.import_bundle(info.path)
        assert again.tables["archived_messages"]["inserted"] == 0
        assert other.execute("SELECT count(*) FROM tier3.archived_messages")[0][0] == 18
        # and the imported conversation can be restored to tier 1 there
        other.archive.restore("conversations", ["c00001"])
        assert other.execute("SELECT count(*) FROM tier1.messages")[0][0] == 3


def test_sqlite_bundle_mount_and_import(archived, tmp_path):
    info = archived.archive.export("s1", format="sqlite")
    assert archived.archive.verify(info.path).ok
    schema = archived.archive.mount(info.path)
    assert archived.query(f"SELECT count(*) AS n FROM {schema}.archived_messages")[0]["n"] == 18
    archived.archive.unmount(schema)
    with cortexdb.open(tmp_path / "other") as other:
        result = other.archive.import_bundle(info.path)
        assert result.tables["archived_conversations"]["inserted"] == 6
        assert other.archive.import_bundle(info.path).tables["archived_conversations"]["inserted"] == 0


def test_cold_store_protocol_and_names(archived, tmp_path):
    store = FilesystemColdStore(tmp_path / "elsewhere")
    assert isinstance(store, ColdStore)
    archived.archive.export("x", cold_store=store, tables=["tier3.archived_messages"])
    assert store.list() == ["x"] and archived.archive.verify(store.path("x")).ok
    with pytest.raises(ValidationError):
        archived.archive.export("../bad")
    with pytest.raises(ValidationError):
        archived.archive.export("y", tables=["tier9.nope"])


def test_export_memory_is_bounded(db):
    import tracemalloc

    with db.transaction():
        db.conn.executemany(
            "INSERT INTO tier3.archived_messages (id, conversation_id, role, content, archived_at) VALUES (?, 'c', 'user', ?, 'x')",
            ((i, "some archived text " * 8) for i in range(60_000)))
    tracemalloc.start()
    try:
        info = db.archive.export("big", tables=["archived_messages"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.rows == 60_000
    assert peak < 16 * 1024 * 1024  # ~10 MB of row text: batches stream, rows are never all held


def test_export_purge_deletes_exactly_the_exported_rows_and_reclaims(archived, tmp_path):
    info = archived.archive.export("p1", tables=["archived_messages", "archived_conversations"], purge=True, reclaim=True)
    assert info.tables == {"archived_messages": 18, "archived_conversations": 6}
    assert archived.execute("SELECT count(*) FROM tier3.archived_messages")[0][0] == 0
    assert archived.maintenance.runs()[0]["tier"] == "tier3"
    result = archived.archive.import_bundle(info.path)
    assert result.tables["archived_messages"]["inserted"] == 18
    archived.archive.restore("conversations", ["c00002"])
    assert archived.execute("SELECT count(*) FROM tier1.messages WHERE conversation_id = 'c00002'")[0][0] == 3


def test_verify_of_a_file_path_is_a_report(tmp_path):
    from cortexdb.lifecycle.coldstore import verify_bundle

    path = tmp_path / "f"
    path.write_text("x")
    report = verify_bundle(path)
    assert not report.ok and "manifest.json" in report.first


def test_default_export_skips_fts_indexes(archived):
    with archived.transaction():
        archived.execute("CREATE VIRTUAL TABLE tier3.archive_fts USING fts5(body)")
        archived.execute("INSERT INTO tier3.archive_fts (body) VALUES ('x')")
    info = archived.archive.export("nofts")
    assert not any(t.startswith("archive_fts") for t in info.tables) and "archived_messages" in info.tables


def test_duckdb_reads_bundle_if_available(archived, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    info = archived.archive.export("d1", tables=["archived_messages"])
    path = str(tmp_path / "store" / "cold" / "d1" / "archived_messages.jsonl.zst")
    rows = duckdb.sql(f"SELECT count(*), min(conversation_id) FROM read_json('{path}', format='newline_delimited')").fetchall()
    assert rows == [(18, "c00000")] and info.rows == 18
