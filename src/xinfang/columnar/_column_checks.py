"""Column-wise checks of text columns: the value path's field rules, vectorised.

Each function answers per value of an Arrow string array, with numpy over the
column's bytes (no Python call per string where it can be helped): instants
and dates in their canonical text (:func:`parse_instants`, :func:`parse_dates`),
resident ids (GB 11643, the weights of :mod:`xinfang.personal`), ``nonempty``'s
rule, format controls, codes and patterns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from xinfang._checks import FORMAT_CONTROLS, format_control_class
from xinfang.columnar._schema import TIMESTAMP, UTC8_US
from xinfang.instants import FIRST_DAY, LAST_DAY, UTC8_SINCE
from xinfang.personal import (
    INVISIBLE_IN_NAMES,
    RESIDENT_ID_CHECK_CHARACTERS,
    RESIDENT_ID_WEIGHTS,
)

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = [
    "CONTENT_RE",
    "CONTROL_RE",
    "FORMAT_RE",
    "PHONE_RE",
    "VISIBLE_RE",
    "Bools",
    "Ints",
    "byte_matrix",
    "format_rows",
    "in_codes",
    "nonempty_ok",
    "not_null",
    "parse_dates",
    "parse_instants",
    "per_case",
    "regex_rows",
    "resident_ids_ok",
    "string_buffers",
]

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]

#: Python's str.isspace() set, exactly (a test checks it): nonempty() refuses strings of only these.
_SPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _klass(chars: str) -> str:
    return "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars))


#: A character nonempty() counts as content / _check_name counts as visible.
CONTENT_RE: Final = f"[^{_klass(_SPACE)}]"
VISIBLE_RE: Final = f"[^{_klass(_SPACE + ''.join(INVISIBLE_IN_NAMES))}]"
CONTROL_RE: Final = "[\\x00-\\x1f\\x7f-\\x9f]"  # category Cc, exactly
FORMAT_RE: Final = format_control_class()  # category Cf, as the value path refuses it


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


def format_rows(arr: pa.Array) -> Bools:
    """Per string: holds a format control (category Cf); nulls: False.

    A scan of the column's bytes first (numpy, no call per string): a column
    with no byte sequence a format control begins with, nearly every column,
    is answered without the per-string regular expression.
    """
    offsets, data = string_buffers(arr)
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
    return regex_rows(arr, FORMAT_RE) if maybe else np.zeros(len(arr), bool)


PHONE_RE: Final = r"^(\+?[0-9]{5,15}|\+?[0-9]{3}\*+[0-9]{4})$"


def string_buffers(arr: pa.Array) -> tuple[Ints, npt.NDArray[np.uint8]]:
    """Offsets (len n+1, absolute into data) and the data bytes of a string array."""
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return offsets.astype(np.int64), data


def byte_matrix(
    arr: pa.Array, width: int, rows: Ints | None = None
) -> tuple[npt.NDArray[np.uint8], Ints]:
    """The first ``width`` bytes of each string (of ``rows``) as a matrix, and the lengths.

    Bytes past a string's end are arbitrary: check the length.
    """
    offsets, data = string_buffers(arr)
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


def not_null(arr: pa.Array) -> Bools:
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


def parse_instants(arr: pa.Array) -> tuple[pa.Array, Bools]:
    """Canonical ``YYYY-MM-DDTHH:MM:SS[.ffffff]+08:00`` text → timestamps; ok per value.

    ``ok`` is False for a non-null value not in that form, or before 1992,
    or out of range (the value path decides those). Nulls are ok (and null).
    """
    valid = not_null(arr)
    rows = np.flatnonzero(valid)
    m, lengths = byte_matrix(arr, 32, rows)
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


def parse_dates(arr: pa.Array) -> tuple[pa.Array, Bools]:
    """``YYYY-MM-DD`` text → date32; ok per value (nulls ok and null)."""
    valid = not_null(arr)
    rows = np.flatnonzero(valid)
    m, lengths = byte_matrix(arr, 10, rows)
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


#: GB 11643-1999's weights and check characters (:mod:`xinfang.personal`), as numpy arrays.
_ID_WEIGHTS: Final = np.array(RESIDENT_ID_WEIGHTS, np.int64)
_ID_CHECK: Final = np.frombuffer(RESIDENT_ID_CHECK_CHARACTERS.encode(), np.uint8).astype(np.int16)


def resident_ids_ok(arr: pa.Array) -> Bools:
    """GB 11643: 17 digits and the right check digit, or the masked form; nulls ok."""
    valid = not_null(arr)
    rows = np.flatnonzero(valid)
    m, lengths = byte_matrix(arr, 18, rows)
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


def nonempty_ok(arr: pa.Array) -> Bools:
    """Per string: ``nonempty``'s rule (not only white space, no format control); nulls ok."""
    offsets, data = string_buffers(arr)
    valid = not_null(arr)
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
            pc.match_substring_regex(picked, CONTENT_RE).to_numpy(zero_copy_only=False),
            dtype=bool,
        )
    return out & ~format_rows(arr)


def in_codes(arr: pa.Array, codes: list[Any]) -> Bools:
    """Per value: one of ``codes`` (nulls: True)."""
    found = pc.is_in(arr, value_set=pa.array(codes, pa.string()))
    return np.asarray(pc.or_(found, pc.is_null(arr)).to_numpy(zero_copy_only=False), bool)


def regex_rows(arr: pa.Array, pattern: str) -> Bools:
    """Per value: matches ``pattern`` (nulls: False)."""
    got = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    return np.asarray(got.to_numpy(zero_copy_only=False), dtype=bool)


def per_case(flags: Bools, owner: Ints, n: int) -> Bools:
    """Any flag per case, from per-row (or per-item) flags and each one's case index."""
    out = np.zeros(n, bool)
    out[owner[flags]] = True
    return out
