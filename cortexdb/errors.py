"""Every error cortexdb raises: one base class, each subclass saying what to do next.

No ``apsw.Error`` escapes the public API; it is wrapped by :func:`translate` and kept on
``__cause__`` so the original SQLite message is never lost.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import apsw


class CortexError(Exception):
    """Base class of every cortexdb error."""


class ValidationError(CortexError, ValueError):
    """An argument is invalid; the message names the field and what is accepted."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class NotFoundError(CortexError, LookupError):
    """The thing asked for does not exist; check the id or name."""


class ReadOnlyError(CortexError):
    """A write was attempted where only reads are allowed (db.query, a replica, readonly=True)."""


class BusyError(CortexError):
    """Another process held the store's write lock longer than the busy timeout; retry or raise
    ``busy_timeout``."""


class StoreFileError(CortexError):
    """A tier path holds something that is not a cortexdb tier file; its bytes were left as they are."""


class IntegrityError(CortexError):
    """A constraint or integrity check failed; the message names it."""


class MigrationError(CortexError):
    """A migration could not be applied; the store stays at its previous version."""


class MigrationDriftError(MigrationError):
    """An applied migration's file changed since it was applied; restore the file or add a new migration."""


class SchemaTooNewError(MigrationError):
    """The store was written by a newer cortexdb than this one; upgrade cortexdb, or open it with
    ``readonly=True`` to read it."""


class AuthorityError(CortexError):
    """The declared store role does not permit this, or contradicts the recorded role."""


class ArchiveError(CortexError):
    """An archival, export or import step failed; the operation can be resumed."""


class BoundaryDenied(CortexError):
    """The boundary guard denied access to a path."""


class WaiverError(CortexError):
    """A waiver cannot be used: it is expired, revoked, or does not cover the gate; create a new one."""


class SignatureError(IntegrityError):
    """A signed record does not verify: a signed field changed after signing, or another key signed it."""


class KeyFileError(CortexError):
    """A signing key file is unusable (permissions looser than 0600, wrong size, unreadable); fix or remove it."""


class ClosedError(CortexError):
    """The store was closed; open it again with cortexdb.open()."""


class SemanticSearchUnavailable(CortexError):
    """Semantic search needs the sqlite-vec extension or numpy, and neither loads here."""


class EmbedderUnavailable(CortexError):
    """The offline embedder is not installed (``pip install 'cortexdb[embed]'``)."""


def translate(error: apsw.Error) -> CortexError:
    """Map an apsw error to the cortexdb error a caller can act on."""
    text = str(error)
    if isinstance(error, (apsw.BusyError, apsw.LockedError)):
        return BusyError(f"the store is locked by another writer ({text}); retry, or raise busy_timeout")
    if isinstance(error, apsw.ReadOnlyError):
        return ReadOnlyError(f"the store is read-only here ({text})")
    if isinstance(error, apsw.ConstraintError):
        return IntegrityError(f"constraint failed: {text}")
    if isinstance(error, (apsw.CorruptError, apsw.NotADBError)):
        return StoreFileError(f"a tier file is damaged or not a database ({text}); restore it from backups/")
    if isinstance(error, apsw.ConnectionClosedError):
        return ClosedError("the store was closed; open it again with cortexdb.open()")
    if isinstance(error, apsw.BindingsError):
        return ValidationError("params", f"the statement's parameters do not match its placeholders ({text})")
    if isinstance(error, apsw.AuthError):
        return ReadOnlyError(f"statement not allowed ({text})")
    return CortexError(f"SQLite error: {text}")


@contextlib.contextmanager
def wrap_apsw() -> Iterator[None]:
    """Re-raise any apsw error inside the block as its cortexdb equivalent."""
    try:
        yield
    except apsw.Error as error:
        raise translate(error) from error
