"""The @public_api mechanism itself, on a small class: what it wraps and what it leaves alone."""

from __future__ import annotations

import contextlib
import errno
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

import cortexdb
from cortexdb._boundary import public_api, public_function
from cortexdb.errors import StoreFileError, ValidationError


class Mixin:
    def inherited(self, count: int) -> int:
        return int("x" * count)  # ValueError for any count > 0


@public_api
class Sample(Mixin):
    def __init__(self) -> None:
        self.built = 0

    def overflow(self, value: int) -> None:
        raise OverflowError("int too big to convert")

    def items(self, items: list[object]) -> Iterator[int]:
        for item in items:
            yield len(item)  # type: ignore[arg-type]

    def missing(self, path: str) -> None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)

    def cortex(self) -> None:
        raise cortexdb.NotFoundError("kept as it is")

    def bug(self) -> None:
        raise RuntimeError("a bug is not an input error")

    @property
    def prop(self) -> int:
        return 7

    @functools.cached_property
    def cached(self) -> int:
        self.built += 1
        return self.built

    @staticmethod
    def static(text: str) -> bytes:
        return text.encode()

    @contextlib.contextmanager
    def block(self) -> Iterator[None]:
        yield


def test_a_binding_error_names_the_argument_holding_the_value() -> None:
    with pytest.raises(ValidationError) as info:
        Sample().overflow(value=2**64)
    assert info.value.field == "value" and isinstance(info.value.__cause__, OverflowError)


def test_inherited_methods_are_guarded_and_the_mixin_is_not() -> None:
    with pytest.raises(ValidationError) as info:
        Sample().inherited(2)
    assert info.value.field == "count"
    with pytest.raises(ValueError) as raw:
        Mixin().inherited(2)
    assert not isinstance(raw.value, cortexdb.CortexError)


def test_generators_are_guarded_while_iterated() -> None:
    items = Sample().items([[1], 5])
    assert next(items) == 1
    with pytest.raises(ValidationError) as info:
        next(items)
    assert info.value.field == "items"


def test_os_errors_become_store_file_errors_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(StoreFileError) as info:
        Sample().missing(str(tmp_path / "nope"))
    assert str(tmp_path / "nope") in str(info.value) and "does not exist" in str(info.value)


def test_cortex_errors_and_bugs_pass_through() -> None:
    with pytest.raises(cortexdb.NotFoundError, match="kept as it is"):
        Sample().cortex()
    with pytest.raises(RuntimeError):
        Sample().bug()


def test_properties_cached_properties_static_methods_and_context_managers() -> None:
    sample = Sample()
    assert sample.prop == 7
    assert sample.cached == 1 and sample.cached == 1 and sample.built == 1
    assert Sample.static("a") == b"a"
    with pytest.raises(ValidationError) as info:
        Sample.static("\ud800")
    assert info.value.field == "text"
    with pytest.raises(KeyError), sample.block():
        raise KeyError("the caller's own")


def test_a_mismatched_call_names_the_argument() -> None:
    with pytest.raises(ValidationError) as info:
        Sample().overflow()  # type: ignore[call-arg]
    assert info.value.field == "value"


def test_store_sub_apis_still_build_once(db: cortexdb.Store) -> None:
    assert db.graph is db.graph and db.conversations is db.conversations


def test_public_function_guards_a_module_function() -> None:
    @public_function
    def parse(number: str) -> int:
        return int(number)

    with pytest.raises(ValidationError) as info:
        parse("x")
    assert info.value.field == "number" and isinstance(info.value, ValueError)
