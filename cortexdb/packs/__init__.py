"""Opt-in schema packs (``cortexdb.open(home, modules=[...])``): their Python APIs and the
per-connection set-up an enabled pack needs (temporary views that span tiers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import Store


def attach_packs(store: Store) -> None:
    """Run the per-connection set-up of every pack the store has enabled."""
    if "agency" in store.modules:
        from .agency.views import attach

        attach(store)
    if "grace" in store.modules:  # the pack's health-check queries join the health review
        from .grace import health  # noqa: F401


__all__ = ["attach_packs"]
