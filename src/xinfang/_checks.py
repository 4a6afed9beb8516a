"""Small attrs validators and converters shared by the value modules (private)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xinfang.errors import InvalidDataError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

    import attrs


def positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    """A positive ``int`` (not a ``bool``)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidDataError([(attribute.name, "must be a positive integer")])


def nonempty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    """A string with something other than white space."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidDataError([(attribute.name, "must be a non-empty string")])


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Any iterable as a tuple (attrs converter for collection fields)."""
    return tuple(value)
