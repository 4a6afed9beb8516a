"""A JSON Lines ledger read by pyarrow into a typed journal, with what the value path decides.

:func:`parse_ledger` reads the ledger with pyarrow's JSON reader under an
explicit schema (:data:`~xinfang.columnar._schema.READ_SCHEMA`) while the
line scanner (:mod:`~xinfang.columnar._line_scanner`) reads the bytes; the
documents are then typed and checked (:func:`~xinfang.columnar._validation.typed_journal`).
When pyarrow refuses the ledger as a whole, it reads it in blocks, bisecting
around the lines it refuses.
"""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs
import pyarrow as pa
import pyarrow.json as pj

from xinfang.columnar._column_checks import Bools, Ints
from xinfang.columnar._line_scanner import (
    LedgerText,
    arrow_may_read,
    scan_ledger,
    shielded,
    utf8_ok,
)
from xinfang.columnar._schema import READ_SCHEMA
from xinfang.columnar._validation import typed_journal
from xinfang.errors import InvalidDataError

if TYPE_CHECKING:  # pragma: no cover
    import os

__all__ = ["Parsed", "parse_ledger", "read_json"]


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
    _text: LedgerText = attrs.field(repr=False)

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


def read_json(data: bytes, block_size: int | None) -> pa.Table:
    ro = pj.ReadOptions(use_threads=True, block_size=block_size or (1 << 23))
    po = pj.ParseOptions(explicit_schema=READ_SCHEMA, unexpected_field_behavior="error")
    return pj.read_json(io.BytesIO(data), read_options=ro, parse_options=po)


def _read_whole(data: bytes, block_size: int | None) -> pa.Table | None:
    """The documents table of ``data``, or None when pyarrow refuses it."""
    try:
        return read_json(data, block_size)
    except (pa.ArrowException, ValueError):
        return None


_NULL_DOC: Final = pa.table({f.name: pa.nulls(1, f.type) for f in READ_SCHEMA}, schema=READ_SCHEMA)


def _read_lines(
    text: LedgerText, safe: bytes, lo: int, hi: int, block_size: int | None
) -> list[pa.Table]:
    """Tables for content lines ``lo:hi`` of ``safe``, bisecting around the lines pyarrow refuses.

    ``safe`` is the ledger as pyarrow may read it (:func:`shielded`). A line
    refused alone is a row of nulls: its case has no events (suspicious).
    """
    if hi <= lo:
        return []
    first, last = text.content[lo], text.content[hi - 1]
    chunk = safe[text.starts[first] : text.ends[last]]  # one slice: blank lines too
    try:
        table = read_json(chunk, block_size)
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
    utf8 = utf8_ok(data)
    safe: bytes | None = data if utf8 and arrow_may_read(data) else None
    docs: pa.Table | None = None
    with ThreadPoolExecutor(1) as pool:  # the byte scans run while pyarrow parses
        scan = pool.submit(scan_ledger, data, utf8=utf8)
        if safe is not None:
            docs = _read_whole(safe, block_size)
        text, marks = scan.result()
    if safe is None:  # pyarrow reads a copy with the lines it may not read hidden
        safe, hidden = shielded(text, marks.not_utf8)
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
    journal, offsets, suspicious = typed_journal(docs, marks)
    return Parsed(
        journal=journal,
        offsets=offsets,
        lines=text.content + 1,
        suspicious=suspicious,
        fallback=fallback,
        text=text,
    )
