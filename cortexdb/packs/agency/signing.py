"""HMAC-SHA256 signatures for provenance records, with a per-store key file.

The key is 32 random bytes in ``<store>/agency-signing.key``, created on first use with mode 0600
(never inside a tier file, so a copied or exported tier does not carry it). A key file readable or
writable by group or others is refused (KeyFileError) rather than trusted. HMAC with the standard
library was chosen over Ed25519: the signer and the verifier are the same store, so a shared
secret suffices and no dependency is added.

A signature is ``hmac-sha256:<key id>:<hex digest>``; the key id is the first 16 hex digits of
SHA-256 of the key. The digest covers the canonical form of every column except ``signature``
and ``created_at``: the orjson array ``["cortexdb-provenance-v1", verdict_id, task_id,
decision_type, decision_data, consensus_score, judge_verdicts, caws_compliance,
claim_verification, git_commit_hash, git_trailer, timestamp, metadata]`` with the JSON columns as
their stored text, so changing any byte of any signed field is detected.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from ...errors import KeyFileError, SignatureError

KEY_FILE = "agency-signing.key"
KEY_BYTES = 32
ALGORITHM = "hmac-sha256"
SIGNED_FIELDS = ("verdict_id", "task_id", "decision_type", "decision_data", "consensus_score", "judge_verdicts",
                 "caws_compliance", "claim_verification", "git_commit_hash", "git_trailer", "timestamp", "metadata")
_CONTEXT = "cortexdb-provenance-v1"


def key_path(home: Path) -> Path:
    return home / KEY_FILE


def load_key(home: Path, *, create: bool = True) -> bytes:
    """The store's signing key, created (0600) if missing and ``create``; KeyFileError if unsafe."""
    path = key_path(home)
    if not path.exists():
        if not create:
            raise KeyFileError(f"{path} is missing: provenance records of this store cannot be verified without it")
        _create(path)
    try:
        info = path.stat()
        if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
            raise KeyFileError(f"{path} has mode {stat.S_IMODE(info.st_mode):04o}; a signing key must be private: "
                               f"run `chmod 600 {path}`")
        key = path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"cannot read the signing key {path} ({error.strerror})") from error
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"{path} holds {len(key)} bytes, not a {KEY_BYTES}-byte key; restore it from a backup")
    return key


def _create(path: Path) -> None:
    """Write a new key to a private temp file, then link it into place (another process creating
    the key at the same moment wins the link; its key is used)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    except OSError as error:
        raise KeyFileError(f"cannot create the signing key {path} ({error.strerror})") from error
    finally:
        temp.unlink(missing_ok=True)


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def canonical(values: Sequence[Any]) -> bytes:
    """The signed bytes of a record given its :data:`SIGNED_FIELDS` values (stored forms)."""
    return orjson.dumps([_CONTEXT, *values])


def sign(key: bytes, values: Sequence[Any]) -> str:
    digest = hmac.new(key, canonical(values), hashlib.sha256).hexdigest()
    return f"{ALGORITHM}:{key_id(key)}:{digest}"


def check(key: bytes, values: Sequence[Any], signature: str) -> str | None:
    """None if ``signature`` is this key's signature of ``values``, else what is wrong."""
    parts = signature.split(":") if isinstance(signature, str) else []
    if len(parts) != 3 or parts[0] != ALGORITHM:
        return f"signature is not in the form {ALGORITHM}:<key id>:<digest>"
    if parts[1] != key_id(key):
        return f"signed by another key ({parts[1]}), not this store's ({key_id(key)})"
    if not hmac.compare_digest(sign(key, values), signature):
        return "a signed field changed after signing (the signature does not match)"
    return None


def require(key: bytes, verdict_id: str, values: Sequence[Any], signature: str) -> None:
    """Raise SignatureError if the record does not verify."""
    problem = check(key, values, signature)
    if problem:
        raise SignatureError(f"provenance record {verdict_id}: {problem}")
