"""Lifecycle: retention, crash-safe archival, cold-storage bundles, maintenance, health review.

The sub-APIs hang off the Store (``db.retention``, ``db.archive``, ``db.maintenance``,
``db.health``); the registries below let other modules extend them.
"""

from .coldstore import ColdStore, FilesystemColdStore
from .groups import ArchiveGroup, Child, register_group
from .health import Issue, register_check
from .retention import register_default_policy

__all__ = ["ArchiveGroup", "Child", "ColdStore", "FilesystemColdStore", "Issue", "register_check",
           "register_default_policy", "register_group"]
