"""Plain Python values and Arrow arrays in the journal's types.

The fixed enum codes of every dictionary column (:data:`CODES`), a field
value as the journal's plain value (:func:`plain_value`), and plain-typed
arrays converted to :data:`~xinfang.columnar._schema.JOURNAL_SCHEMA` types
(:func:`conform`, dictionaries over the fixed codes); with the list-array
helpers the readers share.
"""

from __future__ import annotations

import datetime as _dt
import enum
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.columnar._schema import ENUM_VALUES, JOURNAL_SCHEMA
from xinfang.personal import PhoneNumber, ResidentId
from xinfang.vocabulary import PetitionerKind

if TYPE_CHECKING:
    from xinfang.columnar._column_checks import Ints

__all__ = [
    "CODES",
    "CODE_INDEX",
    "DICTIONARIES",
    "PLAIN_SCHEMA",
    "codes_array",
    "conform",
    "conform_table",
    "encode",
    "list_parts",
    "null_column",
    "one_chunk",
    "plain_type",
    "plain_value",
    "rebuild_list",
]

#: Nested enum codes by path (change-level enums are in ENUM_VALUES).
CODES: Final[dict[str, list[Any]]] = {
    **ENUM_VALUES,
    "petitioners.kind": [m.value for m in PetitionerKind],
}


def _personal_text(v: ResidentId | PhoneNumber | None) -> str | None:
    if v is None:
        return None
    return str(v) if v.is_masked else v.reveal()


_SCALARS: Final = (str, int, float, _dt.date)  # bool is an int, datetime a date


def plain_value(value: Any) -> Any:
    """A field value as the journal's plain Python value (enum codes, text, dicts)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, _SCALARS) or value is None:
        return value
    if isinstance(value, tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, ResidentId | PhoneNumber):
        return _personal_text(value)
    names = _attrs_names(type(value))
    if names is not None:
        return {name: plain_value(getattr(value, name)) for name in names}
    return value


_ATTRS_NAMES: dict[type, tuple[str, ...] | None] = {}


def _attrs_names(cls: type) -> tuple[str, ...] | None:
    """The attrs field names of ``cls`` (None: not an attrs class), cached."""
    if cls not in _ATTRS_NAMES:
        _ATTRS_NAMES[cls] = tuple(a.name for a in attrs.fields(cls)) if attrs.has(cls) else None
    return _ATTRS_NAMES[cls]


def plain_type(t: pa.DataType) -> pa.DataType:
    """``t`` with every dictionary replaced by string (what plain values are built as)."""
    if pa.types.is_dictionary(t):
        return pa.string()
    if pa.types.is_list(t):
        return pa.list_(plain_type(t.value_type))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, plain_type(f.type)) for f in t])
    return t


PLAIN_SCHEMA: Final = pa.schema([pa.field(f.name, plain_type(f.type)) for f in JOURNAL_SCHEMA])


#: The fixed dictionaries (by column path), built once.
DICTIONARIES: Final = {path: pa.array(codes, pa.string()) for path, codes in CODES.items()}


def _dictionary(codes: list[Any]) -> pa.Array:
    for path, known in CODES.items():
        if known is codes:
            return DICTIONARIES[path]
    return pa.array(codes, pa.string())  # pragma: no cover - every caller passes CODES[...]


def encode(arr: pa.Array, codes: list[Any]) -> pa.Array:
    """Strings as dictionary(int8, string) over the fixed ``codes``."""
    dictionary = _dictionary(codes)
    indices = pc.cast(pc.index_in(arr, value_set=dictionary), pa.int8())
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def conform(arr: pa.Array, target: pa.DataType, path: str) -> pa.Array:
    """A plain-typed array in the journal's type (dictionaries encoded, recursively)."""
    if pa.types.is_dictionary(target):
        return encode(arr, CODES[path])
    if pa.types.is_list(target):
        offsets = arr.offsets
        base = offsets[0].as_py() if len(offsets) else 0
        values = arr.values.slice(base, (offsets[-1].as_py() - base) if len(offsets) else 0)
        new_offsets = pc.subtract(offsets, base) if base else offsets
        inner = conform(values, target.value_type, path)
        return pa.ListArray.from_arrays(
            new_offsets, inner, type=pa.list_(target.value_type), mask=arr.is_null()
        )
    if pa.types.is_struct(target):
        children = arr.flatten()
        return pa.StructArray.from_arrays(
            [conform(c, f.type, f"{path}.{f.name}") for c, f in zip(children, target, strict=True)],
            fields=list(target),
            mask=arr.is_null(),
        )
    return arr.cast(target) if arr.type != target else arr


def conform_table(plain: pa.Table) -> pa.Table:
    cols = [conform(plain.column(f.name).combine_chunks(), f.type, f.name) for f in JOURNAL_SCHEMA]
    return pa.Table.from_arrays(cols, schema=JOURNAL_SCHEMA)


def codes_array(values: list[Any], path: str) -> pa.Array:
    """Enum codes (or None) as dictionary(int8, string) over the fixed codes of ``path``."""
    index = CODE_INDEX[path]
    indices = pa.array([None if v is None else index[v] for v in values], pa.int8())
    return pa.DictionaryArray.from_arrays(indices, DICTIONARIES[path])


CODE_INDEX: Final = {path: {c: i for i, c in enumerate(codes)} for path, codes in CODES.items()}


def one_chunk(col: pa.ChunkedArray) -> pa.Array:
    return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()


def null_column(t: pa.DataType, name: str, rows: int) -> pa.Array:
    """An all-null column of type ``t`` (dictionaries over their fixed codes)."""
    if pa.types.is_dictionary(t):
        return pa.DictionaryArray.from_arrays(
            pa.nulls(rows, pa.int8()), pa.array(CODES[name], pa.string())
        )
    return pa.nulls(rows, t)


def list_parts(col: pa.Array) -> tuple[Ints, pa.Array, Ints]:
    """A list array's normalised offsets, its values, and each value's row."""
    offs = col.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
    values = col.values.slice(offs[0], offs[-1] - offs[0])
    offs = offs - offs[0]
    row_of = np.repeat(np.arange(len(col), dtype=np.int64), offs[1:] - offs[:-1])
    return offs, values, row_of


def rebuild_list(col: pa.Array, offs: Ints, values: pa.Array, t: pa.DataType) -> pa.Array:
    return pa.ListArray.from_arrays(
        pa.array(offs.astype(np.int32)), values, type=t, mask=col.is_null()
    )
