"""The registry of archivable groups: what moves together between a live tier and the archive.

A group is a root table (with a stable key) plus child tables reached from the root by a link
column. Adding a kind of row to the archive (graph patterns, entities, ...) is one
:func:`register_group` call plus a tier-3 migration creating its ``archived_*`` tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ValidationError

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def ident(name: str, field_name: str = "identifier") -> str:
    """Return ``name`` if it is a plain lower-case SQL identifier, else raise ValidationError."""
    if not isinstance(name, str) or not _IDENT.match(name):
        raise ValidationError(field_name, f"{name!r} is not a plain identifier ([a-z_][a-z0-9_]*)")
    return name


@dataclass(frozen=True)
class Child:
    """A table moving with its group's root: rows whose ``link`` equals the root's ``root_link``."""

    table: str
    archive_table: str
    key: str = "id"
    link: str = "conversation_id"
    root_link: str = "conversation_id"


@dataclass(frozen=True)
class ArchiveGroup:
    """Rows that move as one unit. ``key`` is the root's stable key (uuid, natural key or an
    AUTOINCREMENT id, which SQLite never reuses). ``flag_column`` is set to 1 in the archive
    and back to 0 on restore. ``time_column`` gives the operation's oldest/newest record."""

    name: str
    tier: str
    table: str
    archive_table: str
    key: str
    children: tuple[Child, ...] = field(default_factory=tuple)
    flag_column: str | None = None
    time_column: str | None = None

    def tables(self) -> list[tuple[str, str, str]]:
        """(live table, archive table, key) for the root then each child."""
        return [(self.table, self.archive_table, self.key)] + [(c.table, c.archive_table, c.key) for c in self.children]


GROUPS: dict[str, ArchiveGroup] = {}


def register_group(group: ArchiveGroup) -> ArchiveGroup:
    """Add (or replace) an archivable group; identifiers are validated here, once."""
    if group.tier not in ("tier1", "tier2"):
        raise ValidationError("tier", "archive groups move rows from tier1 or tier2 into tier3")
    for name in (group.name, group.table, group.archive_table, group.key, group.flag_column or "x",
                 group.time_column or "x"):
        ident(name)
    for child in group.children:
        for name in (child.table, child.archive_table, child.key, child.link, child.root_link):
            ident(name)
    GROUPS[group.name] = group
    return group


def get_group(name: str) -> ArchiveGroup:
    """The registered group called ``name``."""
    try:
        return GROUPS[name]
    except KeyError:
        raise ValidationError("group", f"unknown archive group {name!r}; known: {', '.join(sorted(GROUPS))}") from None


register_group(ArchiveGroup(
    "conversations", "tier1", "conversations", "archived_conversations", "conversation_id",
    children=(
        Child("messages", "archived_messages", "id", "conversation_id", "conversation_id"),
        Child("conversation_actions", "archived_conversation_actions", "id", "session_id", "session_id"),
        Child("conversation_state_snapshots", "archived_conversation_state_snapshots", "id", "session_id", "session_id"),
    ),
    flag_column="archived", time_column="last_updated"))
register_group(ArchiveGroup("conversation_actions", "tier1", "conversation_actions", "archived_conversation_actions",
                            "id", time_column="created_at"))
register_group(ArchiveGroup("conversation_state_snapshots", "tier1", "conversation_state_snapshots",
                            "archived_conversation_state_snapshots", "id", time_column="created_at"))
register_group(ArchiveGroup("provenance_links", "tier2", "provenance_links", "archived_provenance_links", "id",
                            time_column="created_at"))
for _name in ("workspace_databases", "workspace_apis", "workspace_frameworks"):
    register_group(ArchiveGroup(_name, "tier2", _name, f"archived_{_name}", "id", time_column="discovered_at"))
