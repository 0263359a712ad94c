"""Shared by the Grace pack's APIs: the pack-enabled check, ids and content hashes."""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING, Any

import orjson

from ..._json import dumps
from ...errors import ValidationError
from .catalog import MODULE

if TYPE_CHECKING:
    from ...store import Store


def require_pack(store: Store) -> None:
    """The pack's tables exist only once it is enabled."""
    if MODULE not in store.modules:
        raise ValidationError("modules", "the grace pack is not enabled on this store; open it with "
                              "cortexdb.open(home, modules=['grace']) or run `cortexdb init --module grace`")


def new_id() -> str:
    return str(uuid.uuid4())


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def canonical(value: Any, *, field: str = "value") -> str:
    """Sorted-key compact JSON text: the form that is hashed and stored."""
    dumps(value, field=field)  # refuses what does not read back equal, naming the field
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")
