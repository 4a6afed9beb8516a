"""Small attrs validators and converters shared by the value modules (private).

Text checks live here once: :data:`FORMAT_CONTROLS` (the Unicode format
controls, category Cf) is refused in every name, unit and required text
field by the value path (:func:`nonempty`, :func:`plain`, :func:`plain_items`,
:func:`format_control_problem`)
and by the columnar validation (:mod:`xinfang.columnar`, from the same
ranges).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from xinfang.errors import InvalidDataError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

    import attrs

#: The Unicode format controls (category Cf) as inclusive code point ranges: the
#: bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) that make a
#: name read backwards, the zero-width space, joiners and marks (U+200B-U+200F,
#: U+2060-U+2064), the byte order mark, the soft hyphen, tag characters, ...
#: Category Cf of Unicode 14 (Python 3.11) and the Egyptian hieroglyph controls
#: Unicode 15 adds (U+13439-U+1343F), so one answer on every supported Python
#: (a test checks it covers ``unicodedata``'s Cf and adds only unassigned code points).
FORMAT_CONTROLS: Final[tuple[tuple[int, int], ...]] = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)


def format_control_class(escape: str = "\\x{{{:x}}}") -> str:
    """:data:`FORMAT_CONTROLS` as a regular expression's character class (RE2's escapes)."""
    parts = (
        escape.format(lo) if lo == hi else f"{escape.format(lo)}-{escape.format(hi)}"
        for lo, hi in FORMAT_CONTROLS
    )
    return "[" + "".join(parts) + "]"


_FORMAT_RE: Final = re.compile(format_control_class("\\U{:08x}"))
#: Why a value holding a format control is refused (the rule, for both paths).
FORMAT_CONTROL_RULE: Final = (
    "a name, unit or text holds no Unicode format control (category Cf: a bidirectional "
    "override, a zero-width joiner, ...), which can make it read as another"
)


def format_control_problem(value: str) -> str | None:
    """Why ``value`` is refused for a format control it holds (``None``: it holds none)."""
    found = _FORMAT_RE.search(value)
    if found is None:
        return None
    return f"contains U+{ord(found.group()):04X}, a format control: {FORMAT_CONTROL_RULE}"


def positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    """A positive ``int`` (not a ``bool``)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidDataError([(attribute.name, "must be a positive integer")])


def nonempty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    """A string with something other than white space, and no format control."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidDataError([(attribute.name, "must be a non-empty string")])
    problem = format_control_problem(value)
    if problem is not None:
        raise InvalidDataError([(attribute.name, problem)])


def plain(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    """An optional text (a note, facts, a reason): no format control (empty allowed).

    A value that is not a string is left to the type checks, which name it.
    """
    problem = format_control_problem(value) if isinstance(value, str) else None
    if problem is not None:
        raise InvalidDataError([(attribute.name, problem)])


def plain_items(_: object, attribute: attrs.Attribute[tuple[str, ...]], value: Any) -> None:
    """Names or ids in a tuple (representatives, accused, measures): no format control."""
    for i, item in enumerate(value if isinstance(value, tuple) else ()):
        problem = format_control_problem(item) if isinstance(item, str) else None
        if problem is not None:
            raise InvalidDataError([(f"{attribute.name}[{i}]", problem)])


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Any iterable as a tuple (attrs converter for collection fields)."""
    return tuple(value)
