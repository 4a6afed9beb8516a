"""The journal's I/O: JSON Lines ledgers, Parquet, the store, and ``Case`` values.

:func:`parse_ledger` reads a JSON Lines ledger with pyarrow's JSON reader
under an explicit schema (:data:`~xinfang.columnar._schema.READ_SCHEMA`),
flattens it to one row per event, fills the classes' defaults and converts
every column to :data:`~xinfang.columnar._schema.JOURNAL_SCHEMA` types,
vectorised. Every field-level rule of the value path
(:func:`xinfang.convert.structure`) is checked column-wise; a case is marked
*suspicious* whenever the checks are not certain the value path accepts it
with exactly the typed values produced (the value path then decides it).

:func:`journal_from_cases` builds the same table from :class:`~xinfang.Case`
values (the reference), :func:`write_parquet` / :func:`read_parquet` keep it
in Parquet (personal data masked by default), :func:`journal_from_store`
reads a store's journal, :func:`case_documents` rebuilds case documents from
typed rows.
"""

from __future__ import annotations

import datetime as _dt
import enum
import io
import itertools
import json
import typing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.json as pj
import pyarrow.parquet as pq

from xinfang._checks import FORMAT_CONTROLS, format_control_class, nonempty
from xinfang.changes import CHANGE_TYPES, Register
from xinfang.columnar._schema import (
    ENUM_VALUES,
    FIELD_OWNERS,
    JOURNAL_SCHEMA,
    JOURNAL_VERSION,
    KINDS,
    READ_SCHEMA,
    TIMESTAMP,
    US_PER_DAY,
    UTC8_US,
)
from xinfang.convert import SCHEMA_VERSION
from xinfang.errors import InvalidDataError
from xinfang.instants import FIRST_DAY, LAST_DAY, UTC8_SINCE
from xinfang.personal import INVISIBLE_IN_NAMES, PhoneNumber, ResidentId
from xinfang.vocabulary import PetitionerKind

if TYPE_CHECKING:  # pragma: no cover
    import os
    from collections.abc import Iterable, Iterator, Sequence

    from xinfang.case import Case

__all__ = [
    "Parsed",
    "case_documents",
    "case_offsets",
    "journal_from_cases",
    "journal_from_store",
    "mask_personal_data",
    "parse_ledger",
    "read_parquet",
    "write_parquet",
]

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]

#: The Parquet schema metadata key naming an xinfang journal (value: its version).
META_KEY: Final = b"xinfang.journal"
_PARTITIONS: Final = ("year", "unit")
_INT32: Final = (-(2**31), 2**31 - 1)

#: Nested enum codes by path (change-level enums are in ENUM_VALUES).
_CODES: Final[dict[str, list[Any]]] = {
    **ENUM_VALUES,
    "petitioners.kind": [m.value for m in PetitionerKind],
}

#: Python's str.isspace() set, exactly (a test checks it): nonempty() refuses strings of only these.
_SPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _klass(chars: str) -> str:
    return "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars))


#: A character nonempty() counts as content / _check_name counts as visible.
_CONTENT_RE: Final = f"[^{_klass(_SPACE)}]"
_VISIBLE_RE: Final = f"[^{_klass(_SPACE + ''.join(INVISIBLE_IN_NAMES))}]"
_CONTROL_RE: Final = "[\\x00-\\x1f\\x7f-\\x9f]"  # category Cc, exactly
_FORMAT_RE: Final = format_control_class()  # category Cf, as the value path refuses it


def _format_tables() -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], Ints]:
    """The UTF-8 of every format control, for a quick scan of a column's bytes.

    Byte pairs that are a whole format control; byte pairs that begin one of
    three or four bytes; and those first three bytes (sorted, as 24-bit ints).
    """
    whole = np.zeros(1 << 16, bool)
    begins = np.zeros(1 << 16, bool)
    triples = set()
    for lo, hi in FORMAT_CONTROLS:
        for code in range(lo, hi + 1):
            b = chr(code).encode()
            pair = b[0] << 8 | b[1]
            if len(b) == 2:
                whole[pair] = True
            else:
                begins[pair] = True
                triples.add(b[0] << 16 | b[1] << 8 | b[2])
    return whole, begins, np.array(sorted(triples), np.int64)


_CF_WHOLE, _CF_BEGINS, _CF_TRIPLES = _format_tables()


def _format_rows(arr: pa.Array) -> Bools:
    """Per string: holds a format control (category Cf); nulls: False.

    A scan of the column's bytes first (numpy, no call per string): a column
    with no byte sequence a format control begins with, nearly every column,
    is answered without the per-string regular expression.
    """
    offsets, data = _strings(arr)
    data = data[offsets[0] : offsets[-1]] if len(offsets) else data[:0]
    if len(data) < 2:
        return np.zeros(len(arr), bool)
    pairs = (data[:-1].astype(np.uint16) << 8) | data[1:]
    maybe = bool(_CF_WHOLE[pairs].any())
    if not maybe:
        at = np.flatnonzero(_CF_BEGINS[pairs[:-1]])
        if len(at):
            three = (pairs[at].astype(np.int64) << 8) | data[at + 2]
            maybe = bool(np.isin(three, _CF_TRIPLES).any())
    return _regex(arr, _FORMAT_RE) if maybe else np.zeros(len(arr), bool)


_PHONE_RE: Final = r"^(\+?[0-9]{5,15}|\+?[0-9]{3}\*+[0-9]{4})$"


def _nonempty_fields() -> dict[str, tuple[str, ...]]:
    """Change field → the kinds whose class checks it with ``nonempty``."""
    out: dict[str, list[str]] = {}
    for cls in CHANGE_TYPES:
        for a in attrs.fields(cls):
            if a.validator is nonempty and not (cls is Register and a.name == "case_id"):
                out.setdefault(a.name, []).append(cls.kind)
    return {k: tuple(v) for k, v in out.items()}


def _defaults() -> tuple[dict[str, dict[str, Any]], dict[str, set[str]]]:
    """Per field, per owning kind: its default (``attrs.NOTHING`` if required); optional names."""
    defaults: dict[str, dict[str, Any]] = {}
    optional: dict[str, set[str]] = {}
    for cls in CHANGE_TYPES:
        hints = typing.get_type_hints(cls)
        for a in attrs.fields(cls):
            if cls is Register and a.name == "case_id":
                continue
            default = a.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()  # pragma: no cover - none today
            defaults.setdefault(a.name, {})[cls.kind] = default
            if type(None) in typing.get_args(hints[a.name]):
                optional.setdefault(a.name, set()).add(cls.kind)
    return defaults, optional


_NONEMPTY: Final = _nonempty_fields()
_DEFAULTS, _OPTIONAL = _defaults()
#: Keys whose explicit ``null`` the value path may accept (the X | None fields).
_NULLABLE_KEYS: Final = (
    "receiving_unit_kind",
    "category",
    "backlog_since",
    "to_unit_kind",
    "route",
    "delivered_at",
    "id_number",
    "phone",
    "deadline",
)
assert set(_OPTIONAL) <= set(_NULLABLE_KEYS)  # noqa: S101 - the table below must cover them


# ------------------------------------------------------------ Case values → journal
def _personal_text(v: ResidentId | PhoneNumber | None) -> str | None:
    if v is None:
        return None
    return str(v) if v.is_masked else v.reveal()


_SCALARS: Final = (str, int, float, _dt.date)  # bool is an int, datetime a date


def _plain(value: Any) -> Any:
    """A field value as the journal's plain Python value (enum codes, text, dicts)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, _SCALARS) or value is None:
        return value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, ResidentId | PhoneNumber):
        return _personal_text(value)
    names = _attrs_names(type(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    return value


_ATTRS_NAMES: dict[type, tuple[str, ...] | None] = {}


def _attrs_names(cls: type) -> tuple[str, ...] | None:
    """The attrs field names of ``cls`` (None: not an attrs class), cached."""
    if cls not in _ATTRS_NAMES:
        _ATTRS_NAMES[cls] = tuple(a.name for a in attrs.fields(cls)) if attrs.has(cls) else None
    return _ATTRS_NAMES[cls]


def _plain_type(t: pa.DataType) -> pa.DataType:
    """``t`` with every dictionary replaced by string (what plain values are built as)."""
    if pa.types.is_dictionary(t):
        return pa.string()
    if pa.types.is_list(t):
        return pa.list_(_plain_type(t.value_type))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _plain_type(f.type)) for f in t])
    return t


_PLAIN_SCHEMA: Final = pa.schema([pa.field(f.name, _plain_type(f.type)) for f in JOURNAL_SCHEMA])


#: The fixed dictionaries (by column path), built once.
_DICTIONARIES: Final = {path: pa.array(codes, pa.string()) for path, codes in _CODES.items()}


def _dictionary(codes: list[Any]) -> pa.Array:
    for path, known in _CODES.items():
        if known is codes:
            return _DICTIONARIES[path]
    return pa.array(codes, pa.string())  # pragma: no cover - every caller passes _CODES[...]


def _encode(arr: pa.Array, codes: list[Any]) -> pa.Array:
    """Strings as dictionary(int8, string) over the fixed ``codes``."""
    dictionary = _dictionary(codes)
    indices = pc.cast(pc.index_in(arr, value_set=dictionary), pa.int8())
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def _conform(arr: pa.Array, target: pa.DataType, path: str) -> pa.Array:
    """A plain-typed array in the journal's type (dictionaries encoded, recursively)."""
    if pa.types.is_dictionary(target):
        return _encode(arr, _CODES[path])
    if pa.types.is_list(target):
        offsets = arr.offsets
        base = offsets[0].as_py() if len(offsets) else 0
        values = arr.values.slice(base, (offsets[-1].as_py() - base) if len(offsets) else 0)
        new_offsets = pc.subtract(offsets, base) if base else offsets
        inner = _conform(values, target.value_type, path)
        return pa.ListArray.from_arrays(
            new_offsets, inner, type=pa.list_(target.value_type), mask=arr.is_null()
        )
    if pa.types.is_struct(target):
        children = arr.flatten()
        return pa.StructArray.from_arrays(
            [
                _conform(c, f.type, f"{path}.{f.name}")
                for c, f in zip(children, target, strict=True)
            ],
            fields=list(target),
            mask=arr.is_null(),
        )
    return arr.cast(target) if arr.type != target else arr


def _conform_table(plain: pa.Table) -> pa.Table:
    cols = [_conform(plain.column(f.name).combine_chunks(), f.type, f.name) for f in JOURNAL_SCHEMA]
    return pa.Table.from_arrays(cols, schema=JOURNAL_SCHEMA)


_CHANGE_FIELDS: Final = {cls: tuple(a.name for a in attrs.fields(cls)) for cls in CHANGE_TYPES}
_CHANGE_COLUMNS: Final = frozenset(JOURNAL_SCHEMA.names[5:])


def journal_from_cases(cases: Iterable[Case]) -> pa.Table:
    """The journal (:data:`JOURNAL_SCHEMA`) of ``cases``: one row per event, cases in order.

    Resident IDs and phones are their text: whole where known, masked where
    only the masked form is (mask with :func:`mask_personal_data`).
    """
    rows = [(case.id, e) for case in cases for e in case.events]
    n = len(rows)
    sparse: dict[str, dict[int, Any]] = {}  # change column → {row: plain value}
    for i, (_, e) in enumerate(rows):
        ch = e.change
        for name in _CHANGE_FIELDS[type(ch)]:
            if name in _CHANGE_COLUMNS:
                value = getattr(ch, name)
                if value is not None:
                    sparse.setdefault(name, {})[i] = _plain(value)
    columns: list[pa.Array] = [
        pa.array([cid for cid, _ in rows], pa.string()),
        pa.array([e.seq for _, e in rows], pa.int32()),
        pa.array([e.at for _, e in rows], TIMESTAMP),
        pa.array([e.by for _, e in rows], pa.string()),
        _codes_array([e.change.kind for _, e in rows], "kind"),
    ]
    for f in JOURNAL_SCHEMA:
        name = f.name
        if name not in _CHANGE_COLUMNS:  # the head, built above
            continue
        cells = sparse.get(name)
        if not cells:
            columns.append(_nulls_of(f.type, name, n))
            continue
        values = [None] * n
        for i, v in cells.items():
            values[i] = v
        if pa.types.is_dictionary(f.type):
            columns.append(_codes_array(values, name))
        else:
            plain_type = _PLAIN_SCHEMA.field(name).type
            columns.append(_conform(pa.array(values, plain_type), f.type, name))
    return pa.Table.from_arrays(columns, schema=JOURNAL_SCHEMA)


def _codes_array(values: list[Any], path: str) -> pa.Array:
    """Enum codes (or None) as dictionary(int8, string) over the fixed codes of ``path``."""
    index = _CODE_INDEX[path]
    indices = pa.array([None if v is None else index[v] for v in values], pa.int8())
    return pa.DictionaryArray.from_arrays(indices, _DICTIONARIES[path])


_CODE_INDEX: Final = {path: {c: i for i, c in enumerate(codes)} for path, codes in _CODES.items()}


# ------------------------------------------------------------ byte helpers
def _strings(arr: pa.Array) -> tuple[Ints, npt.NDArray[np.uint8]]:
    """Offsets (len n+1, absolute into data) and the data bytes of a string array."""
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return offsets.astype(np.int64), data


def _matrix(
    arr: pa.Array, width: int, rows: Ints | None = None
) -> tuple[npt.NDArray[np.uint8], Ints]:
    """The first ``width`` bytes of each string (of ``rows``) as a matrix, and the lengths.

    Bytes past a string's end are arbitrary: check the length.
    """
    offsets, data = _strings(arr)
    starts = offsets[:-1]
    lengths = offsets[1:] - starts
    if rows is not None:
        starts, lengths = starts[rows], lengths[rows]
    k = len(starts)
    if k and lengths[0] > 0 and np.all(lengths == lengths[0]):
        size = int(lengths[0])  # the strings of one length, back to back: a strided view
        first = int(starts[0])
        if starts[-1] - first == size * (k - 1) and first + size * (k - 1) + width <= len(data):
            view = np.ndarray((k, width), np.uint8, data, first, (size, 1))
            return view, lengths
    words = (width + 7) // 8
    padded = np.zeros(len(data) + 8 * words + 8, np.uint8)
    padded[: len(data)] = data
    view = np.ndarray((len(padded) - 7,), "<u8", padded, 0, (1,))
    out = np.empty((len(starts), words), "<u8")
    for i in range(words):
        out[:, i] = view[starts + 8 * i]
    return out.view(np.uint8).reshape(len(starts), words * 8)[:, :width], lengths


def _valid(arr: pa.Array) -> Bools:
    """Per value: not null (from the validity bitmap)."""
    n, nulls = len(arr), arr.null_count
    if nulls == 0:
        return np.ones(n, bool)
    if nulls == n or arr.type == pa.null():
        return np.zeros(n, bool)
    bitmap = np.frombuffer(arr.buffers()[0], np.uint8)
    bits = np.unpackbits(bitmap, count=arr.offset + n, bitorder="little")[arr.offset :]
    return bits.view(bool)


def _digits(m: npt.NDArray[np.uint8], cols: Sequence[int]) -> tuple[Bools, Ints]:
    """Whether the columns are ASCII digits, and their decimal value."""
    d = m[:, list(cols)] - np.uint8(48)  # wraps below "0": one comparison
    ok = np.all(d <= 9, axis=1)
    value = np.zeros(len(m), np.int64)
    for j in range(d.shape[1]):
        value = value * 10 + d[:, j]
    return ok, value


def _days_from_civil(y: Ints, m: Ints, d: Ints) -> Ints:
    """Days since 1970-01-01 of a proleptic Gregorian date (vectorised)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return np.asarray(era * 146097 + doe - 719468, dtype=np.int64)


_DAYS_IN: Final = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


def _ymd_ok(y: Ints, m: Ints, d: Ints) -> Bools:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    mm = np.clip(m, 0, 12)
    dim = _DAYS_IN[mm] + ((mm == 2) & leap)
    return np.asarray((m >= 1) & (m <= 12) & (d >= 1) & (d <= dim), dtype=bool)


def _eq(m: npt.NDArray[np.uint8], col: int, text: bytes) -> Bools:
    got = np.all(m[:, col : col + len(text)] == np.frombuffer(text, np.uint8), axis=1)
    return np.asarray(got, dtype=bool)


_INSTANT_DIGITS: Final = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_DATE_DIGITS: Final = (0, 1, 2, 3, 5, 6, 8, 9)


def _number(d: npt.NDArray[np.uint8], lo: int, hi: int) -> Ints:
    value = d[:, lo].astype(np.int64)
    for j in range(lo + 1, hi):
        value = value * 10 + d[:, j]
    return value


def _instants(arr: pa.Array) -> tuple[pa.Array, Bools]:
    """Canonical ``YYYY-MM-DDTHH:MM:SS[.ffffff]+08:00`` text → timestamps; ok per value.

    ``ok`` is False for a non-null value not in that form, or before 1992,
    or out of range (the value path decides those). Nulls are ok (and null).
    """
    valid = _valid(arr)
    rows = np.flatnonzero(valid)
    m, lengths = _matrix(arr, 32, rows)
    d = m[:, _INSTANT_DIGITS] - np.uint8(48)  # wraps below "0": one comparison
    ok = np.all(d <= 9, axis=1)
    ok &= (m[:, 4] == 45) & (m[:, 7] == 45) & (m[:, 10] == 84) & (m[:, 13] == 58)
    ok &= m[:, 16] == 58
    short = (lengths == 25) & _eq(m, 19, b"+08:00")
    frac = lengths == 32
    us = np.zeros(len(rows), np.int64)
    if frac.any():
        f = m[:, 20:26] - np.uint8(48)
        frac &= (m[:, 19] == 46) & np.all(f <= 9, axis=1) & _eq(m, 26, b"+08:00")
        us = np.where(frac, _number(f, 0, 6), 0)
    ok &= short | frac
    y, mo, dd = _number(d, 0, 4), _number(d, 4, 6), _number(d, 6, 8)
    h, mi, sec = _number(d, 8, 10), _number(d, 10, 12), _number(d, 12, 14)
    ok &= (y >= UTC8_SINCE) & (y <= LAST_DAY.year)  # the value path's range (instants.py)
    ok &= _ymd_ok(y, mo, dd) & (h <= 23) & (mi <= 59) & (sec <= 59)
    local = (((_days_from_civil(y, mo, dd) * 24 + h) * 60 + mi) * 60 + sec) * 1_000_000 + us
    values = np.zeros(len(arr), np.int64)
    values[rows] = np.where(ok, local - UTC8_US, 0)
    good = np.zeros(len(arr), bool)
    good[rows] = ok
    out = pa.array(values, type=pa.int64(), mask=~good).cast(TIMESTAMP)
    return out, good | ~valid


def _dates(arr: pa.Array) -> tuple[pa.Array, Bools]:
    """``YYYY-MM-DD`` text → date32; ok per value (nulls ok and null)."""
    valid = _valid(arr)
    rows = np.flatnonzero(valid)
    m, lengths = _matrix(arr, 10, rows)
    d = m[:, _DATE_DIGITS] - np.uint8(48)
    ok = np.all(d <= 9, axis=1) & (lengths == 10) & (m[:, 4] == 45) & (m[:, 7] == 45)
    y, mo, dd = _number(d, 0, 4), _number(d, 4, 6), _number(d, 6, 8)
    ok &= (y > FIRST_DAY.year) & (y <= LAST_DAY.year) & _ymd_ok(y, mo, dd)  # instants.py
    days = np.zeros(len(arr), np.int32)
    days[rows] = np.where(ok, _days_from_civil(y, mo, dd), 0)
    good = np.zeros(len(arr), bool)
    good[rows] = ok
    out = pa.array(days, type=pa.int32(), mask=~good).view(pa.date32())
    return out, good | ~valid


_ID_WEIGHTS: Final = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], np.int64)
_ID_CHECK: Final = np.frombuffer(b"10X98765432", np.uint8).astype(np.int16)


def _resident_ids_ok(arr: pa.Array) -> Bools:
    """GB 11643: 17 digits and the right check digit, or the masked form; nulls ok."""
    valid = _valid(arr)
    rows = np.flatnonzero(valid)
    m, lengths = _matrix(arr, 18, rows)
    is18 = lengths == 18
    ok17, _ = _digits(m, range(17))
    d = m[:, :17].astype(np.int64) - 48
    check = _ID_CHECK[(d * _ID_WEIGHTS).sum(axis=1) % 11]
    full = ok17 & (m[:, 17] == check)
    ok6, _ = _digits(m, range(6))
    ok3, _ = _digits(m, (14, 15, 16))
    last = ((m[:, 17] >= 48) & (m[:, 17] <= 57)) | (m[:, 17] == 88)
    masked = ok6 & np.all(m[:, 6:14] == 42, axis=1) & ok3 & last
    out = ~valid
    out[rows] = is18 & (full | masked)
    return out


def _nonempty_ok(arr: pa.Array) -> Bools:
    """Per string: ``nonempty``'s rule (not only white space, no format control); nulls ok."""
    offsets, data = _strings(arr)
    valid = _valid(arr)
    n = len(arr)
    if n == 0:
        return np.ones(0, bool)
    lengths = offsets[1:] - offsets[:-1]
    first = data[np.minimum(offsets[:-1], max(len(data) - 1, 0))] if len(data) else np.zeros(n)
    # A first byte that starts no white-space character: ASCII printable, or a
    # lead byte of U+00C0.. / U+4000.. (the white space above ASCII is U+0085,
    # U+00A0, U+1680, U+2000-U+205F and U+3000).
    sure = (lengths > 0) & (
        ((first >= 0x21) & (first <= 0x7E)) | ((first >= 0xC3) & (first <= 0xE0)) | (first >= 0xE4)
    )
    out = sure | ~valid
    rest = np.flatnonzero(~out)
    if len(rest):
        picked = arr.take(pa.array(rest))
        out[rest] = np.asarray(
            pc.match_substring_regex(picked, _CONTENT_RE).to_numpy(zero_copy_only=False),
            dtype=bool,
        )
    return out & ~_format_rows(arr)


def _in_codes(arr: pa.Array, codes: list[Any]) -> Bools:
    """Per value: one of ``codes`` (nulls: True)."""
    found = pc.is_in(arr, value_set=pa.array(codes, pa.string()))
    return np.asarray(pc.or_(found, pc.is_null(arr)).to_numpy(zero_copy_only=False), bool)


def _regex(arr: pa.Array, pattern: str) -> Bools:
    """Per value: matches ``pattern`` (nulls: False)."""
    got = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    return np.asarray(got.to_numpy(zero_copy_only=False), dtype=bool)


def _per_case(flags: Bools, owner: Ints, n: int) -> Bools:
    """Any flag per case, from per-row (or per-item) flags and each one's case index."""
    out = np.zeros(n, bool)
    out[owner[flags]] = True
    return out


# ------------------------------------------------------------ the raw text
@attrs.frozen
class _Text:
    """The raw ledger bytes, its line structure and the offsets the null checks need."""

    data: bytes
    starts: Ints  # per line: byte offset of its start
    ends: Ints  # per line: byte offset of its end (the "\n" or the end)
    content: Ints  # the line indices (0-based) that hold a document
    braces: Ints  # every offset of "{"
    us: Ints  # every offset of "u" (the second byte of each null)


_SCAN_STEP: Final = 1 << 20


def _lines(data: bytes) -> _Text:
    """One pass over the bytes (in cache-sized steps): newlines, braces and ``u`` bytes."""
    arr = np.frombuffer(data, np.uint8)
    found: tuple[list[Ints], list[Ints], list[Ints]] = ([], [], [])
    buf = np.empty(min(_SCAN_STEP, len(arr)), bool)
    for lo in range(0, len(arr), _SCAN_STEP):
        part = arr[lo : lo + _SCAN_STEP]
        hit = buf[: len(part)]
        for out, byte in zip(found, (10, 123, 117), strict=True):
            np.equal(part, byte, out=hit)
            out.append(np.flatnonzero(hit) + lo)
    nl, braces, us = (
        np.concatenate(f).astype(np.int64) if f else np.zeros(0, np.int64) for f in found
    )
    starts = np.concatenate((np.zeros(1, np.int64), nl + 1))
    ends = np.concatenate((nl, np.array([len(data)], np.int64)))
    lengths = ends - starts
    first = arr[np.minimum(starts, max(len(arr) - 1, 0))] if len(arr) else np.zeros(1, np.uint8)
    content = (lengths > 0) & (first == 123)  # "{"
    for i in np.flatnonzero((lengths > 0) & (first != 123)):
        line = data[starts[i] : ends[i]].decode("utf-8", "replace")
        content[i] = not line.isspace()  # load_ledger skips blank lines only
    return _Text(data, starts, ends, np.flatnonzero(content).astype(np.int64), braces, us)


def _text_flags(text: _Text) -> Bools:
    r"""Per content line: a shape the byte-level null count cannot read.

    Any backslash escape of a quote or a ``\u`` escape (a key could be
    spelled with escapes), white space after a quote or after a key's colon
    (``"key" : null``), and a line not starting with ``{`` (a BOM, leading
    white space). Canonical ledgers (``dump_ledger``) have none of these.
    """
    data = text.data
    n = len(text.content)
    flags = np.zeros(n, bool)
    if not n:
        return flags
    arr = np.frombuffer(data, np.uint8)
    flags |= arr[text.starts[text.content]] != 123
    hits = []
    for ws in (92, 32, 9, 13):
        if data.find(bytes([ws])) < 0:  # a memchr scan: usually there is none
            continue
        pos = np.flatnonzero(arr == ws).astype(np.int64)
        if ws == 92:
            nxt = arr[np.minimum(pos + 1, len(arr) - 1)]
            hits.append(pos[(nxt == 34) | (nxt == 117)])
            continue
        pos = pos[pos >= 2]
        before = arr[pos - 1]
        hits.append(pos[(before == 34) | ((before == 58) & (arr[pos - 2] == 34))])
    if hits:
        k = _case_of_offsets(text, np.concatenate(hits))
        flags[k[k >= 0]] = True
    return flags


_KEY_WIDTH: Final = 24


def _key_words(name: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Masks and values of the 24 bytes before a key's closing quote: '"' + the name."""
    text = b'"' + name.encode()
    window = text.rjust(_KEY_WIDTH, b"\0")
    mask = (b"\xff" * len(text)).rjust(_KEY_WIDTH, b"\0")
    parts = [slice(8 * i, 8 * i + 8) for i in range(3)]
    masks = tuple(int.from_bytes(mask[p], "little") for p in parts)
    values = tuple(int.from_bytes(window[p], "little") for p in parts)
    return masks, values  # type: ignore[return-value]


_KEY_WORDS: Final = tuple(_key_words(k) for k in _NULLABLE_KEYS)


def _follows(data: bytes, at: Ints, text: bytes, shift: int) -> Bools:
    """Per (sorted) offset: ``data[at + shift :][: len(text)] == text`` (False past either end).

    One unaligned 8-byte load per offset (``text`` is at most 8 bytes).
    """
    width, size = len(text), len(data)
    ok = np.zeros(len(at), bool)
    lo = int(np.searchsorted(at, -shift))  # the offsets whose window starts in the data
    hi = int(np.searchsorted(at, size - 8 - shift, side="right"))  # ... and whose 8 bytes fit
    if hi > lo:
        words8 = np.ndarray((size - 7,), "<u8", data, 0, (1,))
        got = words8[at[lo:hi] + shift] & np.uint64(int.from_bytes(b"\xff" * width, "little"))
        ok[lo:hi] = got == np.uint64(int.from_bytes(text, "little"))
    for k in range(max(lo, hi), len(at)):  # the last few bytes of the data
        start = int(at[k]) + shift
        ok[k] = start >= 0 and data[start : start + width] == text
    return ok


def _nulls(text: _Text) -> tuple[Ints, Ints, Bools]:
    """Every explicit ``"key":null`` of a nullable key: its offset and key index.

    The key is an index into ``_NULLABLE_KEYS``; the flags say per content line
    whether a ``null`` follows any other key (or one not read).
    """
    n = len(text.content)
    other = np.zeros(n, bool)
    none = np.zeros(0, np.int64)
    arr = np.frombuffer(text.data, np.uint8)
    if len(arr) < 8:
        return none, none, other
    us = text.us
    quote = us[_follows(text.data, us, b'":null', -3)] - 3  # the key's closing quote
    if not len(quote):
        return none, none, other
    # the 24 bytes before each quote, as three little-endian words
    # (a quote in the first 24 bytes reads a wrong window: no key matches, so it is flagged)
    words8 = np.ndarray((len(arr) - 7,), "<u8", text.data, 0, (1,))
    start = np.maximum(quote - _KEY_WIDTH, 0)
    w1, w2 = words8[start + 8], words8[start + 16]
    found = np.zeros(len(quote), bool)
    key_col = np.zeros(len(quote), np.int64)
    for col, (masks, values) in enumerate(_KEY_WORDS):
        hit = ((w2 & masks[2]) == values[2]) & ((w1 & masks[1]) == values[1])
        if masks[0]:  # a long key: its first bytes too, where the rest matched
            some = np.flatnonzero(hit)
            hit[some] = (words8[start[some]] & masks[0]) == values[0]
        key_col[hit] = col
        found |= hit
    if not found.all():
        case_of = _case_of_offsets(text, quote[~found])
        other[case_of[case_of >= 0]] = True
    return quote[found], key_col[found], other


def _case_of_offsets(text: _Text, at: Ints) -> Ints:
    """The case index (content line) of each byte offset; -1 outside every content line."""
    n = len(text.content)
    if not n:
        return np.full(len(at), -1, np.int64)
    line = np.searchsorted(text.starts, at, side="right") - 1
    if text.content[-1] == n - 1:  # no blank line before the last document
        return np.where(line < n, line, -1).astype(np.int64)
    k = np.searchsorted(text.content, line)
    ok = (k < n) & (text.content[np.minimum(k, n - 1)] == line)
    return np.where(ok, k, -1).astype(np.int64)


def _event_starts(text: _Text) -> Ints:
    """Offsets of every ``{"seq":`` (how ``dump_ledger`` starts an event object)."""
    return text.braces[_follows(text.data, text.braces, b'"seq":', 1)]


@attrs.frozen
class _Marks:
    """What the byte scans found: per-case flags, event starts and explicit nulls."""

    flags: Bools  # per case: a shape the scans cannot read, or a null of a key not read
    event_at: Ints  # offsets of every {"seq":
    event_case: Ints  # ... and their case (-1: outside every document line)
    null_at: Ints  # offsets of every explicit null of a nullable key
    null_key: Ints  # ... its key (an index into _NULLABLE_KEYS)
    null_case: Ints  # ... and its case
    not_utf8: Bools  # per case: its line is not UTF-8 (pyarrow must not read it: it does not check)


def _scan(data: bytes, *, utf8: bool) -> tuple[_Text, _Marks]:
    """Every byte-level fact the parse needs (numpy: runs beside pyarrow's reader).

    ``utf8``: whether the bytes are UTF-8 (:func:`_utf8_ok`).
    """
    text = _lines(data)
    flags = _text_flags(text)
    null_at, null_key, other_nulls = _nulls(text)
    event_at = _event_starts(text)
    not_utf8 = np.zeros(len(text.content), bool) if utf8 else _not_utf8(text)
    marks = _Marks(
        flags=flags | other_nulls | not_utf8,
        not_utf8=not_utf8,
        event_at=event_at,
        event_case=_case_of_offsets(text, event_at),
        null_at=null_at,
        null_key=null_key,
        null_case=_case_of_offsets(text, null_at),
    )
    return text, marks


# ------------------------------------------------------------ parsing
@attrs.frozen(eq=False)
class Parsed:
    """A JSON Lines ledger as a typed journal, with what the value path must decide.

    ``journal`` holds the rows of every case (a suspicious case's rows may be
    anything, a line pyarrow could not read at all has none); ``offsets``
    (len cases + 1) bounds each case's rows; ``lines`` is each case's 1-based
    line number in the source; ``suspicious`` marks the cases the value path
    must decide (structure :meth:`document`, or better
    ``xinfang.serialization.from_json(parsed.text(k))``, for its exact wording).
    """

    journal: pa.Table
    offsets: Ints
    lines: Ints
    suspicious: Bools
    fallback: bool
    _text: _Text = attrs.field(repr=False)

    def raw(self, k: int) -> bytes:
        """Case ``k``'s line as bytes (UTF-8 unchecked: :meth:`text` checks it)."""
        line = int(self.lines[k]) - 1
        return self._text.data[self._text.starts[line] : self._text.ends[line]]

    def text(self, k: int) -> str:
        """Case ``k``'s raw line (what ``load_ledger`` reads), or :class:`InvalidDataError`.

        The error's path is ``$`` (of the line), as :func:`xinfang.serialization.from_json`
        words a line's problems; the caller heads it with the line.
        """
        try:
            return self.raw(k).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidDataError(
                [("$", f"not UTF-8 text: {exc}"[:200])], source=f"line {self.lines[k]}"
            ) from None

    def document(self, k: int) -> Any:
        """Case ``k``'s JSON document (``json.loads`` of its line), as the value path reads it.

        The error's path is ``$`` (of the line), as :meth:`text`'s.
        """
        raw = self.text(k)
        try:
            return json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise InvalidDataError(
                [("$", f"not valid JSON: {exc}"[:200])], source=f"line {self.lines[k]}"
            ) from None


def _read_source(source: str | os.PathLike[str] | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise InvalidDataError(
            [("$", f"cannot read the ledger: {exc}")], source=str(source)
        ) from None


def _as_arrow(data: bytes) -> pa.Array:
    """``data`` as a one-value ``large_binary`` array (the bytes as they are: no copy)."""
    offsets = pa.py_buffer(np.array([0, len(data)], np.int64))
    return pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])


def _utf8_ok(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 (Arrow's validation)."""
    try:
        _as_arrow(data).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _not_utf8(text: _Text) -> Bools:
    """Per content line: not UTF-8 (each line decoded: for bytes known not to be UTF-8).

    A newline is never part of a multi-byte sequence, so the whole is UTF-8
    exactly when every line is; and a line that is not is never blank.
    """
    flags = np.zeros(len(text.content), bool)
    data, starts, ends = text.data, text.starts, text.ends
    for k, line in enumerate(text.content.tolist()):
        try:
            data[starts[line] : ends[line]].decode("utf-8")
        except UnicodeDecodeError:
            flags[k] = True
    return flags


def _arrow_may_read(data: bytes) -> bool:
    r"""Whether pyarrow's JSON reader may read ``data`` as it is.

    pyarrow 26 crashes the process (SIGSEGV) on a top-level ``null`` (also
    after white space), and its reader breaks lines at ``"\r"`` as well as
    ``"\n"``: so every line must begin with ``{`` or be empty, and every
    ``"\r"`` be followed by ``"\n"``. A canonical ledger passes (RE2 over
    the bytes, a memchr scan for each newline: about 10 ms for 145 MB); when
    one does not, :func:`_shielded` gives pyarrow a copy it may read.
    """
    if data[:1] not in (b"{", b"\n", b""):
        return False
    whole = _as_arrow(data)
    if pc.count_substring_regex(whole, "\n[^{\n]")[0].as_py():
        return False
    return data.find(b"\r") < 0 or not pc.count_substring_regex(whole, "\r[^\n]")[0].as_py()


def _shielded(text: _Text, hide: Bools) -> tuple[bytes, Bools]:
    r"""The ledger as pyarrow may read it, and per case whether its line was hidden.

    Every line that does not begin with ``{`` or holds a ``"\r"`` not
    followed by ``"\n"`` (see :func:`_arrow_may_read`), and every content line
    marked in ``hide`` (per case), is overwritten in place by one of the same
    length: a document line by ``{}`` and spaces (a row without events: the
    value path decides it, from the original bytes), a 1-byte one by ``0``
    (pyarrow refuses it safely), a blank one by spaces. Line positions and
    numbers stay as they are.
    """
    data, starts, ends = text.data, text.starts, text.ends
    arr = np.frombuffer(data, np.uint8)
    size = len(arr)
    lengths = ends - starts
    head = arr[np.minimum(starts, max(size - 1, 0))] if size else np.zeros(len(starts), np.uint8)
    covered = (lengths > 0) & (head != 123)
    if data.find(b"\r") >= 0:
        cr = np.flatnonzero(arr == 13)
        after = cr + 1
        stray = cr[(after < size) & (arr[np.minimum(after, max(size - 1, 0))] != 10)]
        covered[np.searchsorted(starts, stray, side="right") - 1] = True
    covered[text.content[hide]] = True
    is_doc = np.zeros(len(starts), bool)
    is_doc[text.content] = True
    out = bytearray(data)
    for line in np.flatnonzero(covered).tolist():
        lo, hi = int(starts[line]), int(ends[line])
        if not is_doc[line]:
            out[lo:hi] = b" " * (hi - lo)
        else:
            out[lo:hi] = b"0" if hi - lo == 1 else b"{}" + b" " * (hi - lo - 2)
    return bytes(out), covered[text.content]


def _read_json(data: bytes, block_size: int | None) -> pa.Table:
    ro = pj.ReadOptions(use_threads=True, block_size=block_size or (1 << 23))
    po = pj.ParseOptions(explicit_schema=READ_SCHEMA, unexpected_field_behavior="error")
    return pj.read_json(io.BytesIO(data), read_options=ro, parse_options=po)


def _read_whole(data: bytes, block_size: int | None) -> pa.Table | None:
    """The documents table of ``data``, or None when pyarrow refuses it."""
    try:
        return _read_json(data, block_size)
    except (pa.ArrowException, ValueError):
        return None


_NULL_DOC: Final = pa.table({f.name: pa.nulls(1, f.type) for f in READ_SCHEMA}, schema=READ_SCHEMA)


def _read_lines(
    text: _Text, safe: bytes, lo: int, hi: int, block_size: int | None
) -> list[pa.Table]:
    """Tables for content lines ``lo:hi`` of ``safe``, bisecting around the lines pyarrow refuses.

    ``safe`` is the ledger as pyarrow may read it (:func:`_shielded`). A line
    refused alone is a row of nulls: its case has no events (suspicious).
    """
    if hi <= lo:
        return []
    first, last = text.content[lo], text.content[hi - 1]
    chunk = safe[text.starts[first] : text.ends[last]]  # one slice: blank lines too
    try:
        table = _read_json(chunk, block_size)
        if table.num_rows == hi - lo:
            return [table]
    except (pa.ArrowException, ValueError):
        pass
    if hi - lo == 1:
        return [_NULL_DOC]
    mid = (lo + hi) // 2
    return _read_lines(text, safe, lo, mid, block_size) + _read_lines(
        text, safe, mid, hi, block_size
    )


def parse_ledger(
    source: str | os.PathLike[str] | bytes, *, block_size: int | None = None
) -> Parsed:
    """A JSON Lines ledger (a path or its bytes) as a typed journal with suspicious flags.

    Blank lines are skipped as :func:`xinfang.load_ledger` skips them. When
    pyarrow refuses the input as a whole, the lines are read in blocks, and a
    line refused alone is a suspicious case with no rows (``fallback=True``).
    """
    data = _read_source(source)
    fallback = False
    utf8 = _utf8_ok(data)
    safe: bytes | None = data if utf8 and _arrow_may_read(data) else None
    docs: pa.Table | None = None
    with ThreadPoolExecutor(1) as pool:  # the byte scans run while pyarrow parses
        scan = pool.submit(_scan, data, utf8=utf8)
        if safe is not None:
            docs = _read_whole(safe, block_size)
        text, marks = scan.result()
    if safe is None:  # pyarrow reads a copy with the lines it may not read hidden
        safe, hidden = _shielded(text, marks.not_utf8)
        marks = attrs.evolve(marks, flags=marks.flags | hidden)
        docs = _read_whole(safe, block_size)
    if len(text.content):
        if docs is not None and docs.num_rows != len(text.content):
            docs = None
        if docs is None:
            fallback = True
            step, total = 512, len(text.content)
            with ThreadPoolExecutor() as pool:  # pyarrow releases the GIL while it parses
                pieces = pool.map(
                    lambda lo: _read_lines(text, safe, lo, min(lo + step, total), block_size),
                    range(0, total, step),
                )
                docs = pa.concat_tables([t for piece in pieces for t in piece])
    else:
        docs = _NULL_DOC.slice(0, 0)
    journal, offsets, suspicious = _typed(docs, marks)
    return Parsed(
        journal=journal,
        offsets=offsets,
        lines=text.content + 1,
        suspicious=suspicious,
        fallback=fallback,
        text=text,
    )


def _typed(docs: pa.Table, marks: _Marks) -> tuple[pa.Table, Ints, Bools]:
    """The typed journal, case offsets and suspicious flags of a documents table."""
    n = docs.num_rows
    bad = marks.flags.copy()

    version = _one_chunk(docs.column("schema_version"))
    bad |= ~np.asarray(pc.fill_null(pc.equal(version, SCHEMA_VERSION), False), dtype=bool)
    events_list = _one_chunk(docs.column("events"))
    ev_valid = _valid(events_list)
    raw_offsets = np.asarray(events_list.offsets, dtype=np.int64)
    lengths = np.where(ev_valid, raw_offsets[1:] - raw_offsets[:-1], 0)
    bad |= lengths == 0
    offsets = np.concatenate((np.zeros(1, np.int64), np.cumsum(lengths)))
    all_events = events_list.values.slice(raw_offsets[0], raw_offsets[-1] - raw_offsets[0])
    if ev_valid.all():
        events = all_events
    else:
        events = all_events.filter(
            pa.array(np.repeat(ev_valid, raw_offsets[1:] - raw_offsets[:-1]))
        )
    case_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
    rows = len(events)
    row_bad = np.zeros(rows, bool)

    def flag(row_flags: Bools) -> None:
        np.logical_or(row_bad, row_flags, out=row_bad)

    seq, at_raw, by, change = events.flatten()
    ch_names = [f.name for f in change.type]
    ch = dict(zip(ch_names, change.flatten(), strict=True))
    kind_raw = ch["kind"]
    kinds = pa.array(KINDS, pa.string())
    kind_idx = np.asarray(pc.fill_null(pc.index_in(kind_raw, value_set=kinds), -1), np.int64)
    flag(kind_idx < 0)

    owned_cache: dict[tuple[str, ...], Bools] = {}

    def owned(name: str, kinds: Iterable[str] | None = None) -> Bools:
        key = tuple(FIELD_OWNERS[name] if kinds is None else kinds)
        if key not in owned_cache:
            table = np.zeros(len(KINDS) + 1, bool)  # the last entry: an unknown kind (-1)
            table[[KINDS.index(k) for k in key]] = True
            owned_cache[key] = table[kind_idx]
        return owned_cache[key]

    # seq, at, by
    seq_np = np.asarray(pc.fill_null(seq, 0), np.int64)
    flag(~_valid(seq) | (seq_np < 1) | (seq_np > _INT32[1]))
    at, at_ok = _instants(at_raw)
    flag(~at_ok | ~_valid(at_raw))
    flag(~_valid(by) | _format_rows(by))

    # case ids: the registration's, per case (its first row)
    first = offsets[:-1][lengths > 0]
    reg_id = ch["case_id"]
    registered = KINDS.index("registered")
    first_is_reg = np.zeros(n, bool)
    first_is_reg[lengths > 0] = kind_idx[first] == registered
    bad |= ~first_is_reg
    first_rows = pa.array(offsets[:-1], mask=lengths == 0)  # null: a case with no rows
    case_ids = reg_id.take(first_rows) if n else pa.array([], pa.string())
    bad |= ~_valid(case_ids)
    case_ids = pc.fill_null(case_ids, "")
    doc_id = _one_chunk(docs.column("id"))
    same = np.asarray(pc.fill_null(pc.equal(doc_id, case_ids), False), dtype=bool)
    bad |= _valid(doc_id) & ~same
    case_id_col = case_ids.take(pa.array(case_of))
    # a case_id on a row that is not a registration is a foreign key; required on registrations
    is_reg = kind_idx == registered
    flag(_valid(reg_id) & ~is_reg)
    flag(is_reg & ~_nonempty_ok(reg_id))

    out: dict[str, pa.Array] = {
        "case_id": case_id_col,
        "seq": pa.array(np.clip(seq_np, *_INT32).astype(np.int32)),
        "at": at,
        "by": by,
        "kind": pa.DictionaryArray.from_arrays(
            pa.array(np.maximum(kind_idx, 0).astype(np.int8)), kinds
        ),
    }
    # per nullable key: how many nulls each row may hold (explicit or missing alike)
    allowed: dict[int, Ints | Bools] = {}

    def count_nulls(key: str, item_nulls: Bools, owner_row: Ints | None) -> None:
        """Nulls the classes allow on ``key``: per row, or per item of ``owner_row``."""
        j = _NULLABLE_KEYS.index(key)
        per_row = (
            item_nulls if owner_row is None else np.bincount(owner_row[item_nulls], minlength=rows)
        )
        if j in allowed:  # counts add up (bools too)
            per_row = np.asarray(allowed[j], np.int64) + per_row
        allowed[j] = per_row

    for f in JOURNAL_SCHEMA:
        name = f.name
        if name in out:
            continue
        col = ch[name]
        nulls = col.null_count
        valid = _valid(col)
        if nulls < rows:
            flag(valid & ~owned(name))  # a field of another kind: an unknown key for the value path
        defaults = _DEFAULTS[name]
        required = [k for k, d in defaults.items() if d is attrs.NOTHING]
        if required:
            flag(owned(name, required) & ~valid)
        if name in _OPTIONAL:
            count_nulls(name, owned(name, _OPTIONAL[name]) & ~valid, None)
        if nulls == rows:
            typed = _nulls_of(f.type, name, rows)
        else:
            if name in _NONEMPTY:
                flag(owned(name, _NONEMPTY[name]) & ~_nonempty_ok(col))
            if pa.types.is_string(col.type):  # a note, a reason: no format control either
                flag(_format_rows(col))
            typed = _field(name, col, f.type, case_of, flag=flag, count_nulls=count_nulls)
        with_default = [k for k, d in defaults.items() if d is not attrs.NOTHING and d is not None]
        if with_default:
            fill = owned(name, with_default) & ~valid
            default = _plain(defaults[with_default[0]])
            if any(_plain(defaults[k]) != default for k in with_default):  # pragma: no cover
                raise AssertionError(f"{name}: defaults differ between kinds")
            typed = _fill(typed, fill, default, f.type, name)
        out[name] = typed.cast(f.type) if typed.type != f.type else typed

    # Register's own checks (its __attrs_post_init__)
    reg_rows = np.flatnonzero(is_reg)
    if len(reg_rows):
        _register_checks(out, reg_rows, case_of, flag)

    # Explicit nulls: each is placed in its event by the event starts (a line with
    # such nulls must start every event with {"seq": as dump_ledger does); an event may hold at most
    # the nulls its class allows on that key (a null of another kind's field: an
    # unknown key for the value path; missing optional fields are fine).
    if len(marks.null_at) and rows:
        bad |= _misplaced_nulls(marks, lengths=lengths, allowed=allowed, flag=flag)

    bad |= _per_case(row_bad, case_of, n)
    journal = pa.Table.from_arrays([out[f.name] for f in JOURNAL_SCHEMA], schema=JOURNAL_SCHEMA)
    return journal, offsets, bad


def _misplaced_nulls(
    marks: _Marks, *, lengths: Ints, allowed: dict[int, Ints | Bools], flag: Any
) -> Bools:
    """Per case: an explicit null not placed in an event, or more on a key than its class allows.

    Row flags go to ``flag``.
    """
    n = len(lengths)
    bad = np.zeros(n, bool)
    event_at, ev_case = marks.event_at, marks.event_case
    known = ev_case >= 0
    per_case = np.bincount(ev_case[known], minlength=n)
    placed = per_case == lengths
    consider = marks.null_case >= 0
    null_at, null_key = marks.null_at[consider], marks.null_key[consider]
    null_case = marks.null_case[consider]
    unplaced = ~placed[null_case]
    if unplaced.any():  # nulls this reading cannot place in their events
        bad[null_case[unplaced]] = True
        null_at, null_key, null_case = null_at[~unplaced], null_key[~unplaced], null_case[~unplaced]
    if placed.all():
        kept_at, kept_case = event_at[known], ev_case[known]
        kept_rows = np.arange(len(kept_at), dtype=np.int64)
    else:
        kept = known & placed[np.maximum(ev_case, 0)]
        kept_at, kept_case = event_at[kept], ev_case[kept]
        kept_rows = np.flatnonzero(np.repeat(placed, lengths))  # same order, same count
    if not len(kept_at):  # no event to place them in: every case with a null is the value path's
        bad[null_case] = True
        return bad
    j = np.searchsorted(kept_at, null_at, side="right") - 1
    same = (j >= 0) & (kept_case[np.maximum(j, 0)] == null_case)
    bad[null_case[~same]] = True
    rows_of = kept_rows[j[same]]
    keys_of = null_key[same]
    k_keys = len(_NULLABLE_KEYS)
    cells = np.sort(rows_of * k_keys + keys_of, kind="stable")  # nearly sorted already
    if not len(cells):
        return bad
    new = np.concatenate(([True], cells[1:] != cells[:-1]))
    starts = np.flatnonzero(new)
    counts = np.diff(np.concatenate((starts, [len(cells)])))
    cells = cells[starts]
    cell_row, cell_key = cells // k_keys, cells % k_keys
    too_many = np.zeros(len(cells), bool)
    for key in np.unique(cell_key):
        here = cell_key == key
        limit = allowed.get(int(key))
        if limit is None:
            too_many[here] = True
        else:
            too_many[here] = counts[here] > np.asarray(limit)[cell_row[here]]
    row_flags = np.zeros(int(lengths.sum()), bool)
    row_flags[cell_row[too_many]] = True
    flag(row_flags)
    return bad


def _one_chunk(col: pa.ChunkedArray) -> pa.Array:
    return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()


def _nulls_of(t: pa.DataType, name: str, rows: int) -> pa.Array:
    """An all-null column of type ``t`` (dictionaries over their fixed codes)."""
    if pa.types.is_dictionary(t):
        return pa.DictionaryArray.from_arrays(
            pa.nulls(rows, pa.int8()), pa.array(_CODES[name], pa.string())
        )
    return pa.nulls(rows, t)


def _fill(arr: pa.Array, where: Bools, default: Any, t: pa.DataType, name: str) -> pa.Array:
    """``arr`` with ``default`` where ``where`` (rows of an owning kind missing the field)."""
    if not where.any():
        return arr
    if pa.types.is_dictionary(t):  # on the indices: the dictionary stays the fixed codes
        codes = _CODES[name]
        indices = np.asarray(pc.fill_null(arr.indices, 0).to_numpy(zero_copy_only=False))
        indices = np.where(where, codes.index(default), indices).astype(np.int8)
        mask = ~(_valid(arr) | where)
        return pa.DictionaryArray.from_arrays(
            pa.array(indices, pa.int8(), mask=mask), pa.array(codes, pa.string())
        )
    scalar = _conform(pa.array([default], type=_plain_type(t)), t, name)[0]
    return pc.if_else(pa.array(where), scalar, arr)


def _list_parts(col: pa.Array) -> tuple[Ints, pa.Array, Ints]:
    """A list array's normalised offsets, its values, and each value's row."""
    offs = col.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
    values = col.values.slice(offs[0], offs[-1] - offs[0])
    offs = offs - offs[0]
    row_of = np.repeat(np.arange(len(col), dtype=np.int64), offs[1:] - offs[:-1])
    return offs, values, row_of


def _rebuild_list(col: pa.Array, offs: Ints, values: pa.Array, t: pa.DataType) -> pa.Array:
    return pa.ListArray.from_arrays(
        pa.array(offs.astype(np.int32)), values, type=t, mask=col.is_null()
    )


def _field(
    name: str,
    col: pa.Array,
    t: pa.DataType,
    case_of: Ints,
    *,
    flag: Any,
    count_nulls: Any,
) -> pa.Array:
    """One change column converted to its journal type, flagging what the value path may refuse."""
    if pa.types.is_timestamp(t):
        typed, ok = _instants(col)
        flag(~ok)
        return typed
    if pa.types.is_date32(t):
        typed, ok = _dates(col)
        flag(~ok)
        return typed
    if pa.types.is_dictionary(t):
        encoded = _encode(col, _CODES[name])
        if encoded.null_count != col.null_count:  # a code not in the enum
            flag(_valid(col) & ~_valid(encoded))
        return encoded
    if pa.types.is_int32(t):
        v = np.asarray(pc.fill_null(col, 0).to_numpy(zero_copy_only=False), np.int64)
        flag((v < _INT32[0]) | (v > _INT32[1]))
        if name == "days":
            flag(_valid(col) & (v < 1))
        return pa.array(np.clip(v, *_INT32).astype(np.int32), mask=~_valid(col))
    if pa.types.is_list(t) and pa.types.is_string(t.value_type):
        offs, values, row_of = _list_parts(col)
        flag(_per_case(~_valid(values) | _format_rows(values), row_of, len(col)))
        return _rebuild_list(col, offs, values, t)
    if name == "petitioners":
        return _petitioners(col, t, case_of, flag, count_nulls)
    if name == "claims":
        offs, values, row_of = _list_parts(col)
        request, facts, reasons = values.flatten()
        item_bad = ~_valid(request) | ~_nonempty_ok(request)
        item_bad |= _format_rows(facts) | _format_rows(reasons)
        facts = pc.fill_null(facts, "")
        reasons = pc.fill_null(reasons, "")
        flag(_per_case(item_bad, row_of, len(col)))
        structs = pa.StructArray.from_arrays(
            [request, facts, reasons], fields=list(t.value_type), mask=values.is_null()
        )
        return _rebuild_list(col, offs, structs, t)
    if name == "plan":
        return _plan(col, t, case_of, flag, count_nulls)
    return col  # strings and bools: JSON's own types, read strictly


def _petitioners(
    col: pa.Array, t: pa.DataType, case_of: Ints, flag: Any, count_nulls: Any
) -> pa.Array:
    offs, values, row_of = _list_parts(col)
    name, kind, id_number, phone, address = values.flatten()
    n = len(values)
    item_bad = ~_valid(name)
    item_bad |= _regex(name, _CONTROL_RE) | _format_rows(name) | ~_regex(name, _VISIBLE_RE)
    item_bad |= _format_rows(address)
    codes = _CODES["petitioners.kind"]
    item_bad |= ~_in_codes(kind, codes)
    item_bad |= ~_resident_ids_ok(id_number)
    item_bad |= _valid(phone) & ~_regex(phone, _PHONE_RE)
    flag(_per_case(item_bad, row_of, len(col)))
    count_nulls("id_number", ~_valid(id_number), row_of)
    count_nulls("phone", ~_valid(phone), row_of)
    kind_filled = pc.fill_null(kind, PetitionerKind.PERSON.value) if n else kind
    structs = pa.StructArray.from_arrays(
        [name, _encode(kind_filled, codes), id_number, phone, pc.fill_null(address, "")],
        fields=list(t.value_type),
        mask=values.is_null(),
    )
    return _rebuild_list(col, offs, structs, t)


def _plan(col: pa.Array, t: pa.DataType, case_of: Ints, flag: Any, count_nulls: Any) -> pa.Array:
    owner, deadline, measures, milestones = col.flatten()
    valid = _valid(col)
    deadline_t, ok = _dates(deadline)
    flag(~ok)
    count_nulls("deadline", valid & ~_valid(deadline), None)
    flag(_format_rows(owner))
    m_offs, m_values, m_row = _list_parts(measures)
    flag(_per_case(~_valid(m_values) | _format_rows(m_values), m_row, len(col)))
    measures_t = _rebuild_list(measures, m_offs, m_values, t.field("measures").type)
    measures_t = _fill(measures_t, valid & ~_valid(measures), [], measures_t.type, "plan.measures")
    s_offs, s_values, s_row = _list_parts(milestones)
    due, what = s_values.flatten()
    due_t, due_ok = _dates(due)
    item_bad = ~due_ok | ~_valid(due) | ~_valid(what) | ~_nonempty_ok(what)
    flag(_per_case(item_bad, s_row, len(col)))
    ms_type = t.field("milestones").type
    ms = pa.StructArray.from_arrays(
        [due_t, what], fields=list(ms_type.value_type), mask=s_values.is_null()
    )
    ms_t = _rebuild_list(milestones, s_offs, ms, ms_type)
    ms_t = _fill(ms_t, valid & ~_valid(milestones), [], ms_type, "plan.milestones")
    return pa.StructArray.from_arrays(
        [pc.fill_null(owner, ""), deadline_t, measures_t, ms_t],
        fields=list(t),
        mask=col.is_null(),
    )


def _register_checks(out: dict[str, pa.Array], rows: Ints, case_of: Ints, flag: Any) -> None:
    """``Register.__attrs_post_init__``, column-wise, on the registration rows."""
    take = pa.array(rows)
    total = len(case_of)

    def at_rows(bad_on_rows: Bools) -> None:
        full = np.zeros(total, bool)
        full[rows] = bad_on_rows
        flag(full)

    def count(name: str) -> Ints:
        arr = out[name].take(take)
        return np.asarray(
            pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False), np.int64
        )

    at_rows(count("petitioners") == 0)
    at_rows(count("claims") == 0)
    group = np.asarray(
        pc.fill_null(out["group_size"].take(take), 0).to_numpy(zero_copy_only=False), np.int64
    )
    at_rows((group < 1) | (count("representatives") > group))
    same = np.asarray(
        pc.fill_null(out["same_facts"].take(take), False).to_numpy(zero_copy_only=False), bool
    )
    at_rows(same & (count("repeat_of") == 0))
    backlog = out["backlog_since"].take(take)
    received = out["received_at"].take(take)
    b_days = np.asarray(
        pc.fill_null(backlog.cast(pa.int32()), -(2**31)).to_numpy(zero_copy_only=False), np.int64
    )
    r_us = np.asarray(
        pc.fill_null(received.cast(pa.int64()), 0).to_numpy(zero_copy_only=False), np.int64
    )
    local_day = np.floor_divide(r_us + UTC8_US, US_PER_DAY)
    at_rows(_valid(backlog) & (b_days > local_day))


# ------------------------------------------------------------ case boundaries, documents
def case_offsets(journal: pa.Table) -> Ints:
    """Row offsets of the journal's cases (len cases + 1).

    A case starts at ``seq == 1`` or where ``case_id`` changes.
    """
    n = journal.num_rows
    if n == 0:
        return np.zeros(1, np.int64)
    seq = np.asarray(journal.column("seq").to_numpy(zero_copy_only=False), np.int64)
    ids = journal.column("case_id").combine_chunks()
    changed = np.ones(n, bool)
    if n > 1:
        changed[1:] = ~np.asarray(
            pc.equal(ids.slice(1), ids.slice(0, n - 1)).to_numpy(zero_copy_only=False), bool
        )
    starts = np.flatnonzero(changed | (seq == 1))
    return np.concatenate((starts, [n])).astype(np.int64)


def _json_value(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def case_documents(journal: pa.Table, cases: Sequence[int]) -> list[dict[str, Any]]:
    """Case documents (what ``dump_ledger`` writes) rebuilt from the journal's typed rows.

    ``cases`` are case indices in the journal's order (see :func:`case_offsets`).
    Personal data stays as stored (masked when the journal is masked).
    """
    offsets = case_offsets(journal)
    fields_of = {cls.kind: [a.name for a in attrs.fields(cls)] for cls in CHANGE_TYPES}
    docs = []
    for k in cases:
        rows = journal.slice(int(offsets[k]), int(offsets[k + 1] - offsets[k])).to_pylist()
        events = []
        for r in rows:
            kind = r["kind"]
            change: dict[str, Any] = {"kind": kind}
            for name in fields_of.get(kind, ()):
                change[name] = r["case_id"] if name == "case_id" else _json_value(r[name])
            events.append(
                {"seq": r["seq"], "at": r["at"].isoformat(), "by": r["by"], "change": change}
            )
        case_id = rows[0]["case_id"] if rows else None
        docs.append({"schema_version": SCHEMA_VERSION, "id": case_id, "events": events})
    return docs


# ------------------------------------------------------------ masking
def _mask_ids(arr: pa.Array) -> pa.Array:
    full = pc.fill_null(pc.match_substring(arr, "*"), True)
    masked = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(arr, 0, 6), "********", pc.utf8_slice_codeunits(arr, 14, 18), ""
    )
    return pc.if_else(full, arr, masked)


def _mask_phones(arr: pa.Array) -> pa.Array:
    done = pc.fill_null(pc.match_substring(arr, "*"), True)
    plus = pc.fill_null(pc.starts_with(arr, "+"), False)
    digits = pc.if_else(plus, pc.utf8_slice_codeunits(arr, 1), arr)
    length = np.asarray(
        pc.fill_null(pc.utf8_length(digits), 0).to_numpy(zero_copy_only=False), np.int64
    )
    stars = pa.array(["*" * max(int(x) - 7, 1) for x in np.unique(length)])
    star_col = stars.take(pa.array(np.searchsorted(np.unique(length), length)))
    keep = pc.binary_join_element_wise(
        pc.if_else(plus, "+", ""),
        pc.utf8_slice_codeunits(digits, 0, 3),
        star_col,
        pc.utf8_slice_codeunits(digits, -4),
        "",
    )
    return pc.if_else(done, arr, keep)


def mask_personal_data(journal: pa.Table) -> pa.Table:
    """The journal with every resident ID and phone masked (as ``.masked()`` does)."""
    i = journal.schema.get_field_index("petitioners")
    col = journal.column(i).combine_chunks()
    t = col.type
    offs, values, _ = _list_parts(col)
    if len(values) == 0:
        return journal
    name, kind, id_number, phone, address = values.flatten()
    structs = pa.StructArray.from_arrays(
        [name, kind, _mask_ids(id_number), _mask_phones(phone), address],
        fields=list(t.value_type),
        mask=values.is_null(),
    )
    return journal.set_column(i, journal.schema.field(i), _rebuild_list(col, offs, structs, t))


# ------------------------------------------------------------ Parquet
def _partition_columns(journal: pa.Table, by: Sequence[str]) -> pa.Table:
    offsets = case_offsets(journal)
    lengths = np.diff(offsets)
    firsts = pa.array(offsets[:-1])
    out = journal
    if "year" in by:
        at = journal.column("received_at").take(firsts)
        at = pc.coalesce(at, journal.column("at").take(firsts))
        year = pc.year(at)  # local year: the timestamps carry Asia/Shanghai
        out = out.append_column("year", pc.cast(year, pa.int32()).take(_repeat(lengths)))
    if "unit" in by:
        unit = pc.fill_null(journal.column("receiving_unit").take(firsts), "")
        out = out.append_column("unit", unit.take(_repeat(lengths)))
    return out


def _repeat(lengths: Ints) -> pa.Array:
    return pa.array(np.repeat(np.arange(len(lengths), dtype=np.int64), lengths))


def write_parquet(
    journal: pa.Table,
    where: str | os.PathLike[str],
    *,
    partition_by: Sequence[str] = (),
    reveal_personal_data: bool = False,
    cases_per_row_group: int = 100_000,
) -> None:
    """Write the journal to a Parquet file (or, with ``partition_by``, a hive dataset).

    Personal data is masked unless ``reveal_personal_data``. A case is never
    split across files or row groups. ``partition_by``: ``("year",)`` (local
    year of receipt), ``("unit",)`` (receiving unit), both, or ``()``.
    """
    unknown = [p for p in partition_by if p not in _PARTITIONS]
    if unknown:
        raise InvalidDataError([("partition_by", f"unknown {unknown}; one of {_PARTITIONS}")])
    table = journal if reveal_personal_data else mask_personal_data(journal)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), META_KEY: str(JOURNAL_VERSION).encode()}
    )
    if not partition_by:
        _write_file(table, Path(where), cases_per_row_group)
        return
    extra = _partition_columns(table, partition_by)
    offsets = case_offsets(table)
    keys = extra.select(list(partition_by)).take(pa.array(offsets[:-1])).to_pylist()
    groups: dict[tuple[Any, ...], list[int]] = {}
    for k, key in enumerate(keys):
        groups.setdefault(tuple(key[p] for p in partition_by), []).append(k)
    root = Path(where)
    for key, ks in groups.items():
        case_ks = np.array(ks, np.int64)
        starts, ends = offsets[case_ks], offsets[case_ks + 1]
        rows = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
        part = table.take(pa.array(rows))
        folder = root.joinpath(*(f"{p}={_hive(v)}" for p, v in zip(partition_by, key, strict=True)))
        _write_file(part, folder / "part-0.parquet", cases_per_row_group, folder=True)


#: The partition columns' types, given to pyarrow wherever a dataset is opened: inferred,
#: unit ids that look like numbers would be read as int32 (``007`` and ``7`` one partition).
#: Its ``null_fallback`` is the empty string, which no unit can be (a unit is never empty):
#: with hive's default, a unit named ``__HIVE_DEFAULT_PARTITION__`` read back as null, and
#: a filter on it found none of its rows (pyarrow compares the decoded segment with it).
PARTITIONING: Final = ds.HivePartitioning(
    pa.schema([("year", pa.int32()), ("unit", pa.string())]), null_fallback=""
)


def _hive(value: Any) -> str:
    r"""A partition value as a hive path segment's value.

    pyarrow URL-decodes the segments it reads, so only what a path or that
    decoding needs is escaped: ``%``, ``/``, ``=``, ``\`` and control
    characters. Chinese unit names stay as they are: percent-encoded, a
    character takes 9 bytes, and a name of 29 outgrows a file name's 255.
    """
    return "".join(
        "".join(f"%{b:02X}" for b in c.encode()) if c in _HIVE_ESCAPE or _is_control(c) else c
        for c in str(value)
    )


_HIVE_ESCAPE: Final = frozenset("%/=\\")


def _is_control(c: str) -> bool:
    return ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F  # category Cc


def _write_file(
    table: pa.Table, path: Path, cases_per_row_group: int, *, folder: bool = False
) -> None:
    """Write ``table`` to ``path`` (``folder``: make its folder); a refusal: InvalidDataError."""
    try:
        if folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        _write_row_groups(table, path, cases_per_row_group)
    except OSError as exc:
        raise InvalidDataError(
            [("$", f"cannot write the Parquet journal: {exc}"[:300])], source=str(path)
        ) from None


def _write_row_groups(table: pa.Table, path: Path, cases_per_row_group: int) -> None:
    offsets = case_offsets(table)
    cuts = offsets[:: max(cases_per_row_group, 1)]
    if cuts[-1] != offsets[-1]:
        cuts = np.concatenate((cuts, offsets[-1:]))
    with pq.ParquetWriter(str(path), table.schema) as writer:
        if table.num_rows == 0:
            writer.write_table(table)
        for lo, hi in itertools.pairwise(cuts):
            chunk = table.slice(int(lo), int(hi - lo))
            writer.write_table(chunk, row_group_size=max(int(hi - lo), 1))


def read_parquet(
    where: str | os.PathLike[str], *, filters: Any = None, columns: Sequence[str] | None = None
) -> pa.Table:
    """A journal written by :func:`write_parquet` (a file or a partitioned dataset).

    ``filters`` (pyarrow expressions or DNF tuples) should select whole cases:
    partition columns (``year``, ``unit``) or case-level ones. Partition
    columns are dropped; ``columns`` selects journal columns (default: all).
    """
    path = Path(where)
    expr = pq.filters_to_expression(filters) if isinstance(filters, list) else filters
    try:
        dataset = ds.dataset(
            str(path), format="parquet", partitioning=PARTITIONING if path.is_dir() else None
        )
        names = [n for n in dataset.schema.names if n not in _PARTITIONS]
        fragments = sorted(dataset.get_fragments(filter=expr), key=lambda f: f.path)
        parts = [f.to_table(filter=expr, columns=names, schema=dataset.schema) for f in fragments]
        table = pa.concat_tables(parts) if parts else dataset.schema.empty_table().select(names)
        meta = dataset.schema.metadata or {}
    except (OSError, pa.ArrowException) as exc:
        raise InvalidDataError([("$", f"cannot read the Parquet journal: {exc}"[:300])]) from None
    if META_KEY not in meta:
        raise InvalidDataError([("$", f"{where}: not an xinfang journal (no {META_KEY!r})")])
    table = table.replace_schema_metadata(JOURNAL_SCHEMA.metadata).cast(JOURNAL_SCHEMA)
    if columns is not None:
        table = table.select(list(columns))
    return table


# ------------------------------------------------------------ the store
class StoredJournal(Protocol):
    """A store's journal, page by page: what :func:`journal_from_store` reads.

    :class:`xinfang.Store` is one. The columnar engine sits below the store
    in the layers (the store imports it for bulk work), so it names the
    store's shape, not its class.
    """

    def _journal_pages(self, batch: int = ...) -> Iterator[list[tuple[str, list[Any]]]]:
        """Pages of ``(case id, event payloads)`` in case id order."""
        ...


def journal_from_store(store: StoredJournal, *, batch: int = 5_000) -> Iterator[pa.Table]:
    """The journal of every case in ``store``, in case id order, ``batch`` cases a table.

    Each page of the store's journal is written as case documents and read by
    :func:`parse_ledger`; a case it cannot certify is structured by the value
    path (:func:`xinfang.convert.structure`) and its rows built from the value.
    Personal data comes as stored (whole): mask before sharing.
    """
    from xinfang.convert import structure

    for page in store._journal_pages(batch):
        lines = [
            json.dumps(
                {"schema_version": SCHEMA_VERSION, "id": cid, "events": payloads},
                ensure_ascii=False,
                separators=(",", ":"),
            )
            for cid, payloads in page
        ]
        parsed = parse_ledger(("\n".join(lines) + "\n").encode())
        if not parsed.suspicious.any():
            yield parsed.journal
            continue
        pieces = []
        offsets = parsed.offsets
        for k, (cid, payloads) in enumerate(page):
            if parsed.suspicious[k]:
                doc = {"schema_version": SCHEMA_VERSION, "events": payloads}
                case = structure(doc, _case_type(), source=f"journal of case {cid}")
                pieces.append(journal_from_cases([case]))
            else:
                pieces.append(
                    parsed.journal.slice(int(offsets[k]), int(offsets[k + 1] - offsets[k]))
                )
        yield pa.concat_tables(pieces).combine_chunks()


def _case_type() -> type[Case]:
    from xinfang.case import Case

    return Case
