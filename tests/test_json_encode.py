"""JSON encoding at the store's edge: the fast path (orjson + equality) refuses exactly what the
full walk refuses, with the walk's message; values that round-trip are returned as read back."""

from __future__ import annotations

import datetime
import enum
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cortexdb import ValidationError
from cortexdb._json import encode

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(st.characters(blacklist_categories=("Cs",))),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5),
    max_leaves=30)


@given(json_values)
def test_json_values_round_trip(value: Any) -> None:
    text, back = encode(value, field="state")
    assert back == value and isinstance(text, str)


class Colour(enum.Enum):
    RED = 1


@dataclass
class Point:
    x: int


@pytest.mark.parametrize(("value", "message"), [
    ({1: "a"}, "keys must be strings"),
    ({"a": [float("nan")]}, "no JSON form"),
    ({"a": float("inf")}, "no JSON form"),
    ([(1, 2)], "tuple is not a JSON value"),
    ({"s": {1, 2}}, "set is not a JSON value"),
    ({"u": uuid.UUID(int=1)}, "UUID is not a JSON value"),
    ({"t": datetime.datetime(2026, 1, 1)}, "datetime is not a JSON value"),
    ([Point(1)], "Point is not a JSON value"),
    ([Colour.RED], "Colour is not a JSON value"),
    (["\ud800"], "lone surrogate"),
    ({"n": 2**63}, "64-bit"),
    ({"n": 2**64 + 5}, "64-bit"),
    ({"n": -(2**63) - 1}, "64-bit"),
])
def test_values_json_would_change_are_refused(value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        encode(value, field="state")


def test_integers_beyond_53_bits_within_64_are_kept() -> None:
    value = {"big": 2**63 - 1, "small": -(2**63), "mid": 2**60 + 1}
    text, back = encode(value)
    assert back == value and "9223372036854775807" in text
