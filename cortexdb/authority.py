"""Who is in charge: roles, the declared authority and migration confirmation, in one place.

Authority is declared, never inferred from what happens to be reachable. Two things are declared:

- the **role** of a database (``staging``, ``prod`` or ``replica``): ``role=`` or ``CORTEXDB_ROLE``
  for a local store, ``authority_role=`` or ``CORTEXDB_AUTHORITY_ROLE`` for the shared PostgreSQL;
- the **authority** a store syncs with: ``authority="postgresql://..."`` or ``CORTEXDB_AUTHORITY``.
  Without it nothing is contacted.

The same rules govern both kinds of database: a declared role that contradicts the recorded one is
refused; ``prod`` must be declared and migrates only with ``confirm_migrations=True`` or
``CORTEXDB_CONFIRM_PROD_MIGRATIONS=true``; a ``replica`` never writes and never migrates; a store
remembers the authority it syncs with, and a URL reaching another authority is refused.

This module sits below the store, the governance commands and sync: it depends on nothing of
cortexdb's but its errors, so each of them asks it rather than each other.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import AuthorityError, MigrationError, ValidationError

ROLES = ("staging", "prod", "replica")
ENV_ROLE = "CORTEXDB_ROLE"
ENV_CONFIRM = "CORTEXDB_CONFIRM_PROD_MIGRATIONS"
ENV_CONFIRM_RUNBOOK = "CONFIRM_PROD_MIGRATIONS"
"""The name the authority runbooks use (``DB_ROLE=prod CONFIRM_PROD_MIGRATIONS=true ...``): honoured too."""
ENV_AUTHORITY = "CORTEXDB_AUTHORITY"
ENV_AUTHORITY_ROLE = "CORTEXDB_AUTHORITY_ROLE"
URL_SCHEMES = ("postgresql", "postgres")


def declared_role(role: str | None, *, env: str = ENV_ROLE, field: str = "role") -> str | None:
    """The role the caller declares: ``role``, else the environment variable, else None."""
    value = role if role is not None else (os.environ.get(env) or None)
    if value is not None and value not in ROLES:
        raise ValidationError(field, f"{value!r} is not one of {', '.join(ROLES)}")
    return value


def confirmed(confirm_migrations: bool | None) -> bool:
    """Whether prod migrations are confirmed: the argument, else ``CORTEXDB_CONFIRM_PROD_MIGRATIONS=true``
    (or ``CONFIRM_PROD_MIGRATIONS=true``)."""
    if confirm_migrations is not None:
        return bool(confirm_migrations)
    return any(os.environ.get(name, "").strip().lower() == "true" for name in (ENV_CONFIRM, ENV_CONFIRM_RUNBOOK))


def resolve(declared: str | None, recorded: str | None, where: object, *, env: str = ENV_ROLE,
            what: str = "store") -> str:
    """The role in force, or AuthorityError when the declaration is missing or contradicts."""
    if recorded is not None and declared is not None and declared != recorded:
        raise AuthorityError(
            f"{where} is recorded as a {recorded!r} {what} but was opened with role {declared!r}: authority is "
            f"declared, never inferred. Declare role {recorded!r} ({env}={recorded}), or change the recorded "
            "role deliberately from a process that declares the current one")
    if recorded == "prod" and declared is None:
        raise AuthorityError(f"{where} is a 'prod' {what}: declare the role explicitly ({env}=prod)")
    if declared == "replica" and recorded is None:
        raise AuthorityError(
            f"{where} holds no {what} to use as a replica; a replica is made from its primary "
            "(`cortexdb authority make-replica DEST` for a local store)")
    return declared or recorded or "staging"


def check_migrations(role: str, is_confirmed: bool, where: object, pending: Sequence[str], *,
                     what: str = "store") -> None:
    """Refuse pending migrations a role does not allow: a replica never, prod only when confirmed."""
    if not pending:
        return
    names = "\n  ".join(pending)
    if role == "replica":
        raise MigrationError(
            f"{where} is a replica {what} with {len(pending)} pending migration(s):\n  {names}\na replica never "
            "migrates: migrate the primary, then refresh the replica from it")
    if role == "prod" and not is_confirmed:
        raise AuthorityError(
            f"{where} is a prod {what} with {len(pending)} pending migration(s):\n  {names}\n"
            f"apply them only deliberately: confirm_migrations=True or {ENV_CONFIRM}=true (take a backup first)")


@dataclass(frozen=True)
class AuthorityDeclaration:
    """The PostgreSQL authority a store syncs with, as declared by the caller."""

    url: str
    role: str | None
    confirm_migrations: bool

    @property
    def display(self) -> str:
        """The URL without its password, for messages and logs."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        netloc = f"{parts.username}@{host}" if parts.username else host
        if parts.port:
            netloc += f":{parts.port}"
        return f"{parts.scheme}://{netloc}{parts.path}"


def declared_authority(url: str | None, role: str | None = None,
                       confirm_migrations: bool | None = None) -> AuthorityDeclaration | None:
    """The declared authority: ``url``, else ``CORTEXDB_AUTHORITY``; None when neither is set.

    Only the declaration is read here; nothing is contacted.
    """
    value = url if url is not None else (os.environ.get(ENV_AUTHORITY) or None)
    if value is None:
        return None
    if not isinstance(value, str) or urlsplit(value).scheme not in URL_SCHEMES or not urlsplit(value).path.strip("/"):
        raise ValidationError("authority", "must be a postgresql://[user@]host[:port]/database URL")
    return AuthorityDeclaration(value, declared_role(role, env=ENV_AUTHORITY_ROLE, field="authority_role"),
                                confirmed(confirm_migrations))


def check_same_authority(remembered: str | None, reached: str, declaration: AuthorityDeclaration,
                         store: object) -> None:
    """Refuse a URL whose database is not the authority this store already syncs with."""
    if remembered is not None and remembered != reached:
        raise AuthorityError(
            f"{store} syncs with authority {remembered}, but {declaration.display} is authority {reached}: the URL "
            "contradicts the declared authority; declare the store's own authority, or sync another store")
