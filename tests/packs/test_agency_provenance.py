"""Signed provenance records: HMAC-SHA256 with a private per-store key, tamper detection on every
signed field, commit links, and a git trailer that git itself parses."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cortexdb
from cortexdb.packs.agency import ProvenanceRecord, signing

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def record(db: cortexdb.Store, **changes: object) -> ProvenanceRecord:
    if not db.query("SELECT 1 FROM tasks WHERE task_id = 'T'"):
        db.agency.create_task("Ship it", task_id="T")
    args: dict[str, object] = dict(decision_type="merge", decision_data={"files": ["a.py"]}, consensus_score=0.8,
                                   caws_compliance={"passed": True}, judge_verdicts={"security": "approve"},
                                   claim_verification={"claims": 2}, metadata={"run": 1})
    args.update(changes)
    return db.agency.record_provenance("T", **args)  # type: ignore[arg-type]


def test_key_file_is_private_and_outside_tier_files(agency_db: cortexdb.Store) -> None:
    rec = record(agency_db)
    key = agency_db.home / signing.KEY_FILE
    assert oct(key.stat().st_mode & 0o777) == "0o600" and len(key.read_bytes()) == 32
    assert rec.signature.startswith(f"hmac-sha256:{signing.key_id(key.read_bytes())}:")
    secret = key.read_bytes()
    for tier_file in agency_db.home.glob("tier*.db*"):
        assert secret not in tier_file.read_bytes()


def test_every_signed_field_change_is_detected(agency_db: cortexdb.Store) -> None:
    rec = record(agency_db)
    changes = {"verdict_id": "'00000000-0000-4000-8000-000000000000'", "task_id": "'other'", "decision_type": "'revert'",
               "decision_data": "'{\"files\":[\"b.py\"]}'", "consensus_score": "0.81", "judge_verdicts": "'{}'",
               "caws_compliance": "'{\"passed\":false}'", "claim_verification": "NULL",
               "git_commit_hash": f"'{COMMIT}'", "git_trailer": "git_trailer || ' '", "timestamp": "'2026-01-01 00:00:01.000'",
               "metadata": "'{\"run\":2}'"}
    assert set(changes) == set(signing.SIGNED_FIELDS)
    for column, value in changes.items():
        with agency_db.transaction():
            agency_db.execute(f"UPDATE tier2.provenance_records SET {column} = {value}")
        report = agency_db.agency.verify_provenance()
        assert not report.ok and report.checked == 1, column
        assert "changed after signing" in (report.failures[0].problem or "")
        verdict = report.failures[0].verdict_id
        with pytest.raises(cortexdb.SignatureError):
            agency_db.agency.get_provenance(verdict)
        with agency_db.transaction():  # put the row back as it was signed
            agency_db.execute("DELETE FROM tier2.provenance_records")
            agency_db.execute(
                "INSERT INTO tier2.provenance_records (verdict_id, task_id, decision_type, decision_data, consensus_score, "
                "judge_verdicts, caws_compliance, claim_verification, git_commit_hash, git_trailer, signature, timestamp, "
                "metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (rec.verdict_id, rec.task_id, rec.decision_type, '{"files":["a.py"]}', rec.consensus_score,
                 '{"security":"approve"}', '{"passed":true}', '{"claims":2}', None, rec.git_trailer, rec.signature,
                 rec.timestamp, '{"run":1}', rec.created_at))
        assert agency_db.agency.verify_provenance().ok, column
    with agency_db.transaction():
        agency_db.execute("UPDATE tier2.provenance_records SET signature = substr(signature, 1, length(signature) - 1) || 'x'")
    assert not agency_db.agency.verify_provenance(rec.verdict_id).ok


def test_link_to_commit_resigns_and_reads_back(agency_db: cortexdb.Store) -> None:
    rec = record(agency_db)
    with pytest.raises(cortexdb.NotFoundError, match="unknown commit"):
        agency_db.agency.link_provenance_to_commit(rec.verdict_id, COMMIT)
    with pytest.raises(cortexdb.NotFoundError, match="unknown commit"):
        agency_db.agency.get_provenance_by_commit(COMMIT)
    commit = agency_db.agency.record_commit(COMMIT.upper(), author="dev", message="feat: x",
                                            timestamp="2026-01-01 00:00:00")
    assert commit.hash == COMMIT and commit.provenance_record_id is None
    assert agency_db.agency.get_provenance_by_commit(COMMIT) == []
    linked = agency_db.agency.link_provenance_to_commit(rec.verdict_id, COMMIT)
    assert linked.git_commit_hash == COMMIT and linked.signature != rec.signature
    assert agency_db.agency.get_provenance_by_commit(COMMIT) == [linked]
    assert agency_db.query("SELECT provenance_record_id FROM git_commits")[0]["provenance_record_id"] == rec.verdict_id
    assert agency_db.agency.verify_provenance().ok
    with pytest.raises(cortexdb.ValidationError, match="commit_hash"):
        agency_db.agency.link_provenance_to_commit(rec.verdict_id, "abc123")
    with pytest.raises(cortexdb.NotFoundError):
        agency_db.agency.link_provenance_to_commit("00000000-0000-4000-8000-000000000000", COMMIT)


def test_tampered_record_is_not_linked(agency_db: cortexdb.Store) -> None:
    rec = record(agency_db)
    agency_db.agency.record_commit(COMMIT)
    with agency_db.transaction():
        agency_db.execute("UPDATE tier2.provenance_records SET consensus_score = 0.99")
    with pytest.raises(cortexdb.SignatureError):
        agency_db.agency.link_provenance_to_commit(rec.verdict_id, COMMIT)
    assert agency_db.query("SELECT provenance_record_id FROM git_commits")[0]["provenance_record_id"] is None
    assert agency_db.query("SELECT git_commit_hash FROM provenance_records")[0]["git_commit_hash"] is None


def test_bad_input_writes_nothing(agency_db: cortexdb.Store) -> None:
    record(agency_db)
    for changes, error in (({"consensus_score": 1.2}, cortexdb.ValidationError),
                           ({"consensus_score": -0.01}, cortexdb.ValidationError),
                           ({"decision_type": "two\nlines"}, cortexdb.ValidationError),
                           ({"verdict_id": "not-a-uuid"}, cortexdb.ValidationError)):
        with pytest.raises(error):
            record(agency_db, **changes)
    with pytest.raises(cortexdb.NotFoundError):
        agency_db.agency.record_provenance("missing", "merge", {}, 0.5, caws_compliance={})
    assert agency_db.query("SELECT count(*) AS n FROM provenance_records")[0]["n"] == 1


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_loose_key_permissions_are_refused(agency_db: cortexdb.Store) -> None:
    record(agency_db)
    key = agency_db.home / signing.KEY_FILE
    key.chmod(0o644)
    home = agency_db.home
    agency_db.close()
    with cortexdb.open(home) as db:
        with pytest.raises(cortexdb.KeyFileError, match="chmod 600"):
            db.agency.verify_provenance()
        with pytest.raises(cortexdb.KeyFileError):
            db.agency.record_provenance("T", "merge", {}, 0.5, caws_compliance={})
        assert db.query("SELECT count(*) AS n FROM provenance_records")[0]["n"] == 1
    key.chmod(0o600)
    key.write_bytes(b"short")
    with cortexdb.open(home) as db, pytest.raises(cortexdb.KeyFileError, match="bytes"):
        db.agency.verify_provenance()


def test_another_stores_key_does_not_verify(tmp_path: Path, agency_db: cortexdb.Store) -> None:
    record(agency_db)
    other = tmp_path / "other"
    cortexdb.open(other, modules=["agency"]).close()
    signing.load_key(other)
    shutil.copy(other / signing.KEY_FILE, agency_db.home / signing.KEY_FILE)
    home = agency_db.home
    agency_db.close()
    with cortexdb.open(home) as db:
        report = db.agency.verify_provenance()
        assert not report.ok and "another key" in (report.failures[0].problem or "")


@pytest.mark.skipif(shutil.which("git") is None, reason="the git binary is not installed")
def test_git_interpret_trailers_parses_the_trailer(agency_db: cortexdb.Store, tmp_path: Path) -> None:
    rec = record(agency_db)
    message = f"feat: ship it\n\nBody of the change.\n\n{rec.git_trailer}\n"
    parsed = subprocess.run(["git", "interpret-trailers", "--parse"], input=message, capture_output=True, text=True,
                            check=True, cwd=tmp_path).stdout
    trailers = dict(line.split(": ", 1) for line in parsed.splitlines())
    assert trailers == {"Provenance-Verdict-Id": rec.verdict_id, "Provenance-Task-Id": rec.task_id,
                        "Provenance-Decision": "merge", "Provenance-Consensus": "0.80",
                        "Provenance-Timestamp": "2026-01-01T00:00:00.000Z"}


_text = st.text(max_size=40)
_values = st.tuples(st.uuids().map(str), st.uuids().map(str), _text, _text, st.floats(0, 1).map(lambda x: round(x, 2)),
                    _text, _text, st.none() | _text, st.none() | st.text("0123456789abcdef", min_size=40, max_size=40),
                    _text, _text, _text)


@given(values=_values, index=st.integers(0, len(signing.SIGNED_FIELDS) - 1), replacement=st.none() | _text | st.floats(0, 1))
@settings(max_examples=200, deadline=None)
def test_signature_property_any_field_change_is_detected(values: tuple[object, ...], index: int,
                                                         replacement: object) -> None:
    key = bytes(range(32))
    signature = signing.sign(key, values)
    assert signing.check(key, values, signature) is None
    changed = list(values)
    changed[index] = replacement
    if changed[index] != values[index] or type(changed[index]) is not type(values[index]):
        assert signing.check(key, changed, signature) is not None
    assert signing.check(bytes(32), values, signature) is not None  # another key
