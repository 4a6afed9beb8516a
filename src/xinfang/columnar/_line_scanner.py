"""The ledger's bytes, scanned with numpy: lines, event starts and explicit nulls.

What pyarrow's JSON reader does not tell: each document's line, the offset
of every event (``{"seq":``) and of every explicit ``null`` of a nullable
key (which event holds it, so that the validation can count the nulls a
class allows), the shapes the byte-level reading cannot certify, the lines
that are not UTF-8, and the copy of the ledger pyarrow may read safely
(:func:`shielded`). Runs beside pyarrow's reader (:func:`scan_ledger`).
"""

from __future__ import annotations

from typing import Final

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.columnar._column_checks import Bools, Ints

__all__ = [
    "NULLABLE_KEYS",
    "LedgerText",
    "ScanMarks",
    "arrow_may_read",
    "case_of_offsets",
    "lines_not_utf8",
    "scan_ledger",
    "shielded",
    "utf8_ok",
]

#: Keys whose explicit ``null`` the value path may accept (the X | None fields).
NULLABLE_KEYS: Final = (
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


@attrs.frozen
class LedgerText:
    """The raw ledger bytes, its line structure and the offsets the null checks need."""

    data: bytes
    starts: Ints  # per line: byte offset of its start
    ends: Ints  # per line: byte offset of its end (the "\n" or the end)
    content: Ints  # the line indices (0-based) that hold a document
    braces: Ints  # every offset of "{"
    us: Ints  # every offset of "u" (the second byte of each null)


_SCAN_STEP: Final = 1 << 20


def _lines(data: bytes) -> LedgerText:
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
    return LedgerText(data, starts, ends, np.flatnonzero(content).astype(np.int64), braces, us)


def _text_flags(text: LedgerText) -> Bools:
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
        k = case_of_offsets(text, np.concatenate(hits))
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


_KEY_WORDS: Final = tuple(_key_words(k) for k in NULLABLE_KEYS)


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


def _nulls(text: LedgerText) -> tuple[Ints, Ints, Bools]:
    """Every explicit ``"key":null`` of a nullable key: its offset and key index.

    The key is an index into ``NULLABLE_KEYS``; the flags say per content line
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
        case_of = case_of_offsets(text, quote[~found])
        other[case_of[case_of >= 0]] = True
    return quote[found], key_col[found], other


def case_of_offsets(text: LedgerText, at: Ints) -> Ints:
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


def _event_starts(text: LedgerText) -> Ints:
    """Offsets of every ``{"seq":`` (how ``dump_ledger`` starts an event object)."""
    return text.braces[_follows(text.data, text.braces, b'"seq":', 1)]


@attrs.frozen
class ScanMarks:
    """What the byte scans found: per-case flags, event starts and explicit nulls."""

    flags: Bools  # per case: a shape the scans cannot read, or a null of a key not read
    event_at: Ints  # offsets of every {"seq":
    event_case: Ints  # ... and their case (-1: outside every document line)
    null_at: Ints  # offsets of every explicit null of a nullable key
    null_key: Ints  # ... its key (an index into NULLABLE_KEYS)
    null_case: Ints  # ... and its case
    not_utf8: Bools  # per case: its line is not UTF-8 (pyarrow must not read it: it does not check)


def scan_ledger(data: bytes, *, utf8: bool) -> tuple[LedgerText, ScanMarks]:
    """Every byte-level fact the parse needs (numpy: runs beside pyarrow's reader).

    ``utf8``: whether the bytes are UTF-8 (:func:`utf8_ok`).
    """
    text = _lines(data)
    flags = _text_flags(text)
    null_at, null_key, other_nulls = _nulls(text)
    event_at = _event_starts(text)
    not_utf8 = np.zeros(len(text.content), bool) if utf8 else lines_not_utf8(text)
    marks = ScanMarks(
        flags=flags | other_nulls | not_utf8,
        not_utf8=not_utf8,
        event_at=event_at,
        event_case=case_of_offsets(text, event_at),
        null_at=null_at,
        null_key=null_key,
        null_case=case_of_offsets(text, null_at),
    )
    return text, marks


def _as_arrow(data: bytes) -> pa.Array:
    """``data`` as a one-value ``large_binary`` array (the bytes as they are: no copy)."""
    offsets = pa.py_buffer(np.array([0, len(data)], np.int64))
    return pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])


def utf8_ok(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 (Arrow's validation)."""
    try:
        _as_arrow(data).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def lines_not_utf8(text: LedgerText) -> Bools:
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


def arrow_may_read(data: bytes) -> bool:
    r"""Whether pyarrow's JSON reader may read ``data`` as it is.

    pyarrow 26 crashes the process (SIGSEGV) on a top-level ``null`` (also
    after white space), and its reader breaks lines at ``"\r"`` as well as
    ``"\n"``: so every line must begin with ``{`` or be empty, and every
    ``"\r"`` be followed by ``"\n"``. A canonical ledger passes (RE2 over
    the bytes, a memchr scan for each newline: about 10 ms for 145 MB); when
    one does not, :func:`shielded` gives pyarrow a copy it may read.
    """
    if data[:1] not in (b"{", b"\n", b""):
        return False
    whole = _as_arrow(data)
    if pc.count_substring_regex(whole, "\n[^{\n]")[0].as_py():
        return False
    return data.find(b"\r") < 0 or not pc.count_substring_regex(whole, "\r[^\n]")[0].as_py()


def shielded(text: LedgerText, hide: Bools) -> tuple[bytes, Bools]:
    r"""The ledger as pyarrow may read it, and per case whether its line was hidden.

    Every line that does not begin with ``{`` or holds a ``"\r"`` not
    followed by ``"\n"`` (see :func:`arrow_may_read`), and every content line
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
