"""The journal's Arrow schema, generated from the attrs change classes.

One row per event: ``case_id``, ``seq``, ``at``, ``by``, ``kind``, then every
field of every class in :data:`xinfang.changes.CHANGE_TYPES`, flat, by its
attrs name (a name shared by several classes is one column, and their types
must agree). Type map: ``str`` → string, ``int`` → int32, ``bool`` → bool,
``datetime`` → timestamp("us", "Asia/Shanghai"), ``date`` → date32, an enum →
dictionary(int8, string) of its ``.value``, ``X | None`` → X (nullable),
``tuple[X, ...]`` → list<X>, attrs classes → struct of their fields,
:class:`~xinfang.personal.ResidentId` / :class:`~xinfang.personal.PhoneNumber` → string (their
text). :data:`READ_SCHEMA` is the explicit schema a JSON Lines ledger is read
with (instants, dates and enums as strings, integers as int64).
"""

from __future__ import annotations

import datetime as _dt
import enum
import types
import typing
from typing import Any, Final

import attrs
import pyarrow as pa

from xinfang.changes import CHANGE_TYPES, Register
from xinfang.instants import UTC8_SINCE
from xinfang.personal import PhoneNumber, ResidentId

#: Microseconds in a day, and Asia/Shanghai's fixed +08:00 in microseconds.
US_PER_DAY: Final = 86_400_000_000
UTC8_US: Final = 8 * 3_600_000_000
#: The first instant of that year in Beijing, as µs since the epoch: a local day of an
#: earlier instant is not certain from the offset alone (the value path decides it).
SINCE_1992_US: Final = (
    int(_dt.datetime(UTC8_SINCE, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(hours=8))).timestamp())
    * 1_000_000
)

__all__ = [
    "ENUM_VALUES",
    "FIELD_OWNERS",
    "JOURNAL_SCHEMA",
    "JOURNAL_VERSION",
    "KINDS",
    "READ_SCHEMA",
    "ZONE",
    "arrow_type",
    "enum_type",
]

ZONE: Final = "Asia/Shanghai"
#: The version of the journal table's layout (stored in Parquet metadata).
JOURNAL_VERSION: Final = 1
TIMESTAMP: Final = pa.timestamp("us", tz=ZONE)
DICT: Final = pa.dictionary(pa.int8(), pa.string())
#: The change kind codes, in CHANGE_TYPES order (the ``kind`` column's dictionary).
KINDS: Final = tuple(c.kind for c in CHANGE_TYPES)


def _strip_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:  # pragma: no cover - the classes use X | None only
            raise TypeError(f"no Arrow type for {tp!r}")
        return args[0]
    return tp


def enum_type(tp: Any) -> type[enum.Enum] | None:
    """The enum class of an annotation (``X`` or ``X | None``), else ``None``."""
    inner = _strip_optional(tp)
    return inner if isinstance(inner, type) and issubclass(inner, enum.Enum) else None


def arrow_type(tp: Any, *, read: bool = False) -> pa.DataType:
    """The Arrow type of an annotation (``read=True``: the JSON read type)."""
    tp = _strip_optional(tp)
    if tp is str or tp in (ResidentId, PhoneNumber):
        return pa.string()
    if tp is bool:
        return pa.bool_()
    if tp is int:
        return pa.int64() if read else pa.int32()
    if tp is _dt.datetime:
        return pa.string() if read else TIMESTAMP
    if tp is _dt.date:
        return pa.string() if read else pa.date32()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return pa.string() if read else DICT
    if typing.get_origin(tp) is tuple:
        return pa.list_(arrow_type(typing.get_args(tp)[0], read=read))
    if attrs.has(tp):
        hints = typing.get_type_hints(tp)
        return pa.struct(
            [pa.field(a.name, arrow_type(hints[a.name], read=read)) for a in attrs.fields(tp)]
        )
    raise TypeError(f"no Arrow type for {tp!r}")  # pragma: no cover


def _change_fields(
    *, read: bool
) -> tuple[list[pa.Field], dict[str, tuple[str, ...]], dict[str, list[Any]]]:
    fields: dict[str, pa.Field] = {}
    owners: dict[str, list[str]] = {}
    enums: dict[str, list[Any]] = {}
    for cls in CHANGE_TYPES:
        hints = typing.get_type_hints(cls)
        for a in attrs.fields(cls):
            if cls is Register and a.name == "case_id":
                continue  # the row's own case_id column
            t = arrow_type(hints[a.name], read=read)
            if a.name in fields and fields[a.name].type != t:  # pragma: no cover
                raise AssertionError(f"field {a.name!r}: {fields[a.name].type} and {t} disagree")
            e = enum_type(hints[a.name])
            if e is not None:
                values = [m.value for m in e]
                if a.name in enums and enums[a.name] != values:  # pragma: no cover
                    raise AssertionError(f"enum field {a.name!r}: two enums disagree")
                enums[a.name] = values
            fields[a.name] = pa.field(a.name, t)
            owners.setdefault(a.name, []).append(cls.kind)
    return list(fields.values()), {k: tuple(v) for k, v in owners.items()}, enums


_FIELDS, _OWNERS, _ENUMS = _change_fields(read=False)
#: field name → the kinds whose class has it.
FIELD_OWNERS: Final[dict[str, tuple[str, ...]]] = _OWNERS
#: enum column name (change fields, and ``kind``) → its codes (the dictionary).
ENUM_VALUES: Final[dict[str, list[Any]]] = {"kind": list(KINDS), **_ENUMS}

_HEAD: Final = [
    pa.field("case_id", pa.string(), nullable=False),
    pa.field("seq", pa.int32(), nullable=False),
    pa.field("at", TIMESTAMP, nullable=False),
    pa.field("by", pa.string(), nullable=False),
    pa.field("kind", DICT, nullable=False),
]

#: The journal table: one row per event, cases contiguous, events in seq order.
JOURNAL_SCHEMA: Final = pa.schema(
    _HEAD + _FIELDS,
    metadata={b"xinfang.journal": str(JOURNAL_VERSION).encode()},
)

#: The explicit schema a case document line is read with (pyarrow.json).
READ_SCHEMA: Final = pa.schema(
    [
        pa.field("schema_version", pa.int64()),
        pa.field("id", pa.string()),
        pa.field(
            "events",
            pa.list_(
                pa.struct(
                    [
                        pa.field("seq", pa.int64()),
                        pa.field("at", pa.string()),
                        pa.field("by", pa.string()),
                        pa.field(
                            "change",
                            pa.struct(
                                [
                                    pa.field("kind", pa.string()),
                                    pa.field("case_id", pa.string()),
                                    *_change_fields(read=True)[0],
                                ]
                            ),
                        ),
                    ]
                )
            ),
        ),
    ]
)
