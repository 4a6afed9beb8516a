"""Journal columns read as numpy arrays, and numpy arrays made Arrow arrays, without copies.

What the column fold reads: a column's values buffer and validity bitmap
(at some rows or all), enum codes, integers, booleans, instants as µs and
their local days; and back, a fixed-width Arrow array on a numpy buffer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.columnar._schema import SINCE_1992_US, US_PER_DAY, UTC8_US

if TYPE_CHECKING:  # pragma: no cover
    import enum
    from collections.abc import Sequence

__all__ = [
    "I64",
    "bool_values",
    "case_starts",
    "column_of",
    "enum_codes",
    "fixed_array",
    "instant_values",
    "int_values",
    "local_days",
    "local_days_exact",
    "one_array",
    "rows_of",
    "take_strings",
    "valid_at",
    "value_codes",
]

I64 = np.int64


def column_of(journal: Any, name: str) -> Any:
    """The named column as a ChunkedArray, or ``None`` when the journal lacks it."""
    if name not in journal.column_names:
        return None
    return journal.column(name)


def one_array(column: Any) -> Any:
    """One Array of a ChunkedArray (dictionaries unified), or ``None`` for no or all-null data."""
    if column is None or pa.types.is_null(column.type):
        return None
    if column.num_chunks == 1:
        return column.chunk(0)
    if pa.types.is_dictionary(column.type):
        column = column.unify_dictionaries()
    return column.combine_chunks()


def bitmap_bools(buf: Any, offset: int, length: int, rows: npt.NDArray[np.int64] | None) -> Any:
    """Bits of an Arrow bitmap (validity or booleans) as bools, at ``rows`` or all."""
    raw = np.frombuffer(buf, np.uint8)
    if rows is not None and len(rows) * 4 > length:
        return np.unpackbits(raw, bitorder="little")[offset : offset + length].view(np.bool_)[rows]
    if rows is None:
        return np.unpackbits(raw, bitorder="little")[offset : offset + length].view(np.bool_)
    at = rows + offset
    return ((raw[at >> 3] >> (at & 7).astype(np.uint8)) & 1).view(np.bool_)


def valid_at(arr: Any, rows: npt.NDArray[np.int64] | None) -> Any:
    """Where ``arr`` is not null (at ``rows`` or all)."""
    n = len(arr) if rows is None else len(rows)
    if arr.null_count == 0 or arr.buffers()[0] is None:
        return np.ones(n, np.bool_)
    return bitmap_bools(arr.buffers()[0], arr.offset, len(arr), rows)


def raw_values(arr: Any, dtype: Any, rows: npt.NDArray[np.int64] | None) -> Any:
    """The values buffer of a fixed-width array, no copy (null slots hold anything)."""
    values = np.frombuffer(arr.buffers()[1], dtype, count=arr.offset + len(arr))[arr.offset :]
    return values if rows is None else values[rows]


def size_of(n: int, rows: npt.NDArray[np.int64] | None) -> int:
    return n if rows is None else len(rows)


def value_codes(
    column: Any, values: Sequence[str], n: int, rows: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.int16]:
    """Codes (position + 1) of a dictionary or string column's values; 0 null, -1 unknown."""
    arr = one_array(column)
    if arr is None:
        return np.zeros(size_of(n, rows), np.int16)
    if not pa.types.is_dictionary(arr.type):
        if rows is not None:
            arr = arr.take(pa.array(rows))
            rows = None
        arr = pc.dictionary_encode(arr)
    lookup = {v: i + 1 for i, v in enumerate(values)}
    words = arr.dictionary.to_pylist()
    lut = np.array([lookup.get(w, -1) for w in words] + [0], np.int16)
    indices = arr.indices
    idx = raw_values(indices, indices.type.to_pandas_dtype(), rows)
    if indices.null_count:
        idx = np.where(valid_at(indices, rows), idx, len(words))
    found: npt.NDArray[np.int16] = lut[idx]
    return found


def enum_codes(
    column: Any, cls: type[enum.Enum], n: int, rows: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.int16]:
    return value_codes(column, [m.value for m in cls], n, rows)


def int_values(
    column: Any, n: int, fill: int, rows: npt.NDArray[np.int64] | None = None, out: Any = I64
) -> Any:
    """An integer (or date32, as days) column as ``out`` (int64), nulls as ``fill``."""
    arr = one_array(column)
    if arr is None:
        return np.full(size_of(n, rows), fill, out)
    dtype = np.int32 if pa.types.is_date32(arr.type) else arr.type.to_pandas_dtype()
    values = raw_values(arr, dtype, rows).astype(out, copy=rows is None)
    if arr.null_count:
        values[~valid_at(arr, rows)] = fill
    return values


def bool_values(
    column: Any, n: int, rows: npt.NDArray[np.int64] | None = None
) -> npt.NDArray[np.bool_]:
    """A boolean column, nulls as False."""
    arr = one_array(column)
    if arr is None:
        return np.zeros(size_of(n, rows), np.bool_)
    values = bitmap_bools(arr.buffers()[1], arr.offset, len(arr), rows)
    found: npt.NDArray[np.bool_] = values & valid_at(arr, rows)
    return found


_UNIT_US: Final = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": None}


def instant_values(
    column: Any, n: int, rows: npt.NDArray[np.int64] | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """A timestamp column as µs since the epoch (UTC), and where it is null or naive."""
    arr = one_array(column)
    size = size_of(n, rows)
    if arr is None or arr.type.tz is None:  # naive: not the schema; the value path judges
        return np.zeros(size, I64), np.ones(size, np.bool_)
    raw = raw_values(arr, np.int64, rows)
    factor = _UNIT_US[arr.type.unit]
    us = raw // 1000 if factor is None else raw * factor if factor != 1 else raw
    return us, ~valid_at(arr, rows)


def local_days(us: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Local days in Asia/Shanghai, exact from 1992 on (+08:00; earlier rows are flagged)."""
    return (us + UTC8_US) // US_PER_DAY


def case_starts(
    case_id: Any, seq: npt.NDArray[np.int64], registered: npt.NDArray[np.bool_], n: int
) -> npt.NDArray[np.int64]:
    """Row numbers where a case starts: where ``case_id`` changes, or a seq-1 registration.

    (Two cases with the same id may follow each other in a ledger: the value path accepts
    that.) A malformed case whose rows hold a second seq-1 registration is split here:
    pass ``starts`` to :func:`fold` when the reader knows the boundaries.
    """
    if n == 0:
        return np.zeros(0, I64)
    change = registered & (seq == 1)
    change[0] = True
    if case_id is not None:
        col = case_id.combine_chunks() if case_id.num_chunks != 1 else case_id.chunk(0)
        if pa.types.is_dictionary(col.type):
            col = col.dictionary_decode()
        differs = pc.fill_null(pc.not_equal(col.slice(1), col.slice(0, n - 1)), True)
        change[1:] |= differs.to_numpy(zero_copy_only=False)
    return np.flatnonzero(change).astype(I64)


def take_strings(column: Any, rows: npt.NDArray[np.int64]) -> Any:
    """``column[rows]`` as a plain string array, null where a row is -1."""
    if column is None:
        return pa.nulls(len(rows), pa.string())
    if (
        isinstance(column, pa.ChunkedArray)
        and column.num_chunks > 1
        and len(rows)
        and rows.min() >= 0
        and (len(rows) < 2 or bool((rows[1:] >= rows[:-1]).all()))
    ):
        # ascending rows: each chunk takes its own (a chunked take may join the chunks first)
        bounds = np.cumsum([0] + [len(c) for c in column.chunks])
        cut = np.searchsorted(rows, bounds)
        parts = [
            c.take(pa.array(rows[cut[i] : cut[i + 1]] - bounds[i]))
            for i, c in enumerate(column.chunks)
            if cut[i + 1] > cut[i]
        ]
        got = pa.chunked_array(parts, column.type).combine_chunks()
    else:
        if not len(rows) or rows.min() >= 0:
            idx = pa.array(rows, pa.int64())
        else:
            idx = fixed_array(pa.int64(), rows.astype(I64), rows >= 0)
        got = column.take(idx)
        got = got.combine_chunks() if isinstance(got, pa.ChunkedArray) else got
    if pa.types.is_dictionary(got.type):
        got = got.dictionary_decode()
    if not pa.types.is_string(got.type):
        got = got.cast(pa.string())
    return got


def rows_of(column: Any, rows: npt.NDArray[np.int64]) -> Any:
    """``column`` at ``rows`` as one array (only those rows copied)."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    return pa.chunked_array(chunks, column.type).take(pa.array(rows)).combine_chunks()


def fixed_array(tp: Any, values: npt.NDArray[Any], valid: npt.NDArray[np.bool_]) -> Any:
    """A fixed-width Arrow array on ``values``' buffer with ``valid`` as its bitmap."""
    values = np.ascontiguousarray(values)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    nulls = len(valid) - int(np.count_nonzero(valid))
    return pa.Array.from_buffers(tp, len(values), [bitmap, pa.py_buffer(values)], nulls)


def local_days_exact(col: Any, n: int) -> npt.NDArray[np.int64]:
    us, missing = instant_values(col, n)
    days = local_days(us)
    old = np.flatnonzero(us < SINCE_1992_US)
    if len(old):  # before 1992: Asia/Shanghai's own offsets (daylight saving 1986-1991, LMT)
        stamps = pa.array(us[old], pa.timestamp("us", tz="Asia/Shanghai"))
        local = pc.local_timestamp(stamps).cast(pa.int64()).to_numpy()
        days[old] = local // US_PER_DAY
    days[missing] = np.iinfo(np.int64).min  # kept: the fold flags them
    return days
