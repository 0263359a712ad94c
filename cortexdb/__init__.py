"""cortexdb: an embedded, zero-server knowledge store for local AI agents.

    import cortexdb
    with cortexdb.open() as db:          # creates or opens the store, migrates it idempotently
        rows = db.query("SELECT * FROM cortexdb_schema")
"""

from ._version import __version__
from .clock import ManualClock
from .errors import (
    ArchiveError,
    AuthorityError,
    BoundaryDenied,
    BusyError,
    ClosedError,
    CortexError,
    EmbedderUnavailable,
    IntegrityError,
    KeyFileError,
    MigrationDriftError,
    MigrationError,
    NotFoundError,
    ReadOnlyError,
    SchemaTooNewError,
    SemanticSearchUnavailable,
    SignatureError,
    StoreFileError,
    ValidationError,
    WaiverError,
)
from .graph.compat import KnowledgeGraph
from .store import Store, StoreStatus, TierStatus, open

__all__ = [
    "ArchiveError", "AuthorityError", "BoundaryDenied", "BusyError", "ClosedError", "CortexError", "EmbedderUnavailable",
    "IntegrityError", "KeyFileError", "KnowledgeGraph", "ManualClock", "MigrationDriftError", "MigrationError", "NotFoundError",
    "ReadOnlyError", "SchemaTooNewError", "SemanticSearchUnavailable", "SignatureError", "Store", "StoreFileError", "StoreStatus",
    "TierStatus", "ValidationError", "WaiverError", "__version__", "open",
]
