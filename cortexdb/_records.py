"""Building frozen result dataclasses on the hot read paths.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, which doubles
the cost of building the 20 results of a read. ``record`` makes the same immutable object by
installing its ``__dict__`` at once; callers give every field (equality, repr and
``dataclasses.fields`` then behave exactly as for ``cls(**fields)``).
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")

new = object.__new__
install = object.__setattr__


def record(cls: type[T], fields: dict[str, Any]) -> T:
    """``cls(**fields)`` for a frozen dataclass without per-field ``__setattr__``; ``fields`` must
    name every field and is owned by the result afterwards."""
    obj = new(cls)
    install(obj, "__dict__", fields)
    return obj
