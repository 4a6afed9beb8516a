"""Reading a sheet: CSV (UTF-8, GBK, GB18030), .xlsx, .xls and .ods, and finding its header.

Workbooks are read by python-calamine (one reader for all three formats; the
decision record is in ``docs/sheets.md``), imported on first use so the
library works without the ``sheets`` extra until a workbook is opened. A
sheet becomes a :class:`Table`: its header (found among the first rows, a
title row and a two-row header with merged cells allowed) and its data rows,
each with the row number Excel shows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from xinfang.errors import MissingDependencyError
from xinfang.sheets._cells import Cell, is_blank, normal_text
from xinfang.sheets._errors import SheetError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from xinfang.sheets._mapping import SheetMapping

__all__ = [
    "HEADER_SEARCH",
    "WORKBOOK_SUFFIXES",
    "Table",
    "header_key",
    "read_sheet",
    "require",
    "sheet_names",
]

#: How many rows from the top are searched for the header.
HEADER_SEARCH: Final = 30
#: File name endings read as workbooks (anything else is read as CSV).
WORKBOOK_SUFFIXES: Final = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})
_ENCODINGS: Final = ("utf-8", "gb18030")
_MARKS: Final = re.compile(r"[\s*＊:：]|[（(]必填[)）]")


def require(module: str, what: str) -> Any:
    """Import an optional package of the ``sheets`` extra, or say how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            f"{what} needs {module.split('.', maxsplit=1)[0]} ({exc.name} is not installed): "
            "pip install 'xinfang[sheets]'",
            path=what,
            rule="optional dependency",
        ) from exc


def header_key(text: str) -> str:
    """A header as compared: normalised, without spaces, line breaks, ``*`` or ``(必填)``."""
    return _MARKS.sub("", normal_text(text))


@attrs.frozen(kw_only=True)
class Table:
    """One sheet as read: where from, its header and its data rows.

    ``header_row`` is the Excel row number of the (last) header row;
    ``headers`` the header text of each column (``""`` where none);
    ``rows`` each data row below it as ``(row number, cells)``, blank rows
    included (a blank row is reported, not dropped); ``encoding`` the text
    encoding of a CSV (``""`` for a workbook).
    """

    source: str
    sheet: str
    header_row: int
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]
    encoding: str = ""


def _decode(data: bytes, encoding: str | None, source: str) -> tuple[str, str]:
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise SheetError(f"unknown encoding {encoding!r}", path=source) from None
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            raise SheetError(
                f"not {codec} at byte {exc.start}: try --encoding gb18030 (GBK) or utf-8",
                path=source,
                rule="text encoding",
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    for codec in _ENCODINGS:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise SheetError(  # pragma: no cover - GB18030 decodes nearly any byte string
        "neither UTF-8 nor GB18030: give --encoding", path=source, rule="text encoding"
    )


def _csv_rows(path: Path, encoding: str | None) -> tuple[list[list[Cell]], str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SheetError(f"cannot read the file: {exc.strerror}", path=str(path)) from exc
    text, codec = _decode(data, encoding, str(path))
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    return [list(row) for row in reader], codec


def _workbook(path: Path) -> Any:
    calamine = require("python_calamine", "reading a workbook")
    try:
        return calamine.CalamineWorkbook.from_path(str(path))
    except OSError as exc:
        raise SheetError(f"cannot read the file: {exc.strerror}", path=str(path)) from exc
    except Exception as exc:  # calamine's own errors: not a workbook, damaged, encrypted
        raise SheetError(
            f"not a workbook calamine can read ({type(exc).__name__}: {str(exc)[:120]})",
            path=str(path),
            rule="xlsx, xls or ods",
        ) from exc


def sheet_names(path: str | Path) -> tuple[str, ...]:
    """The names of a workbook's sheets (a CSV file has one, its file name's stem)."""
    p = Path(path)
    if p.suffix.lower() not in WORKBOOK_SUFFIXES:
        return (p.stem,)
    return tuple(_workbook(p).sheet_names)


def _sheet_rows(workbook: Any, name: str) -> list[list[Cell]]:
    sheet = workbook.get_sheet_by_name(name)
    return [list(r) for r in sheet.to_python(skip_empty_area=False)]


def _known(mapping: SheetMapping) -> dict[str, str]:
    """Header key → field, for every header the mapping names."""
    out: dict[str, str] = {}
    for field, headers in mapping.columns:
        for h in headers:
            out.setdefault(header_key(h), field)
    return out


def _hits(row: Sequence[Cell], known: dict[str, str]) -> int:
    return len({known[k] for c in row if isinstance(c, str) and (k := header_key(c)) in known})


def _header_block(
    rows: Sequence[Sequence[Cell]], known: dict[str, str], given: int, source: str
) -> tuple[int, int]:
    """The first and last index of the header rows (two when a merged header spans two)."""
    if given:
        if given > len(rows):
            raise SheetError(f"header row {given} is past the sheet's last row", path=source)
        return given - 1, given - 1
    best, best_hits = -1, 0
    for i, row in enumerate(rows[:HEADER_SEARCH]):
        hits = _hits(row, known)
        if hits > best_hits:
            best, best_hits = i, hits
    if best_hits < 2:
        raise SheetError(
            f"no header row found in the first {HEADER_SEARCH} rows (a row naming at least two "
            f"of the mapping's columns, such as {', '.join(list(known)[:4])}): "
            "give the header's row number (--header-row N) or fix the mapping",
            path=source,
            rule="a 台账 has one header row",
        )
    below = best + 1
    if below < len(rows) and _fills(rows[best], rows[below], known):
        return best, below
    if best > 0 and _fills(rows[best], rows[best - 1], known):
        return best - 1, best
    return best, best


def _fills(header: Sequence[Cell], other: Sequence[Cell], known: dict[str, str]) -> bool:
    """Whether ``other`` names a mapped column where ``header`` is blank: a merged two-row header.

    A data row below the header never does, even when a cell of it reads
    like a header (a channel 电话 under 信访形式): the header is not blank there.
    """
    return any(
        isinstance(cell, str)
        and header_key(cell) in known
        and (c >= len(header) or is_blank(header[c]))
        for c, cell in enumerate(other)
    )


def _headers(
    rows: Sequence[Sequence[Cell]], first: int, last: int, known: dict[str, str]
) -> list[str]:
    width = max((len(rows[i]) for i in range(first, last + 1)), default=0)
    out: list[str] = []
    for c in range(width):
        cells = [rows[i][c] for i in range(first, last + 1) if c < len(rows[i])]
        texts = [normal_text(str(v)) for v in cells if not is_blank(v)]
        named = [t for t in texts if header_key(t) in known]
        out.append(named[-1] if named else (texts[-1] if texts else ""))
    return out


def _table(
    rows: list[list[Cell]], *, source: str, sheet: str, mapping: SheetMapping, given: int
) -> Table:
    known = _known(mapping)
    first, last = _header_block(rows, known, given, f"{source}!{sheet}")
    headers = _headers(rows, first, last, known)
    width = len(headers)
    data = tuple(
        (i + 1, tuple((row + [None] * width)[:width]) if len(row) != width else tuple(row))
        for i, row in enumerate(rows)
        if i > last
    )
    while data and all(is_blank(c) for c in data[-1][1]):  # trailing blank rows end the sheet
        data = data[:-1]
    return Table(source=source, sheet=sheet, header_row=last + 1, headers=tuple(headers), rows=data)


def read_sheet(
    path: str | Path,
    *,
    mapping: SheetMapping,
    sheet: str | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
) -> Table:
    """One sheet of a workbook or a CSV file as a :class:`Table`.

    ``sheet`` (default: the mapping's, else the first sheet whose header is
    found) names a workbook's sheet; ``header_row`` (default: the
    mapping's, else found) the header's row number as Excel shows it;
    ``encoding`` a CSV's (default: UTF-8 with or without a BOM, else
    GB18030, which reads GBK). Cells beyond the header's width are dropped.
    """
    p = Path(path)
    source = str(p)
    given = header_row if header_row is not None else mapping.header_row
    wanted = sheet if sheet is not None else mapping.sheet
    if p.suffix.lower() not in WORKBOOK_SUFFIXES:
        rows, codec = _csv_rows(p, encoding)
        table = _table(rows, source=source, sheet=p.stem, mapping=mapping, given=given)
        return attrs.evolve(table, encoding=codec)
    workbook = _workbook(p)
    names: list[str] = list(workbook.sheet_names)
    if wanted:
        if wanted not in names:
            raise SheetError(
                f"no sheet {wanted!r}; the sheets are {', '.join(map(repr, names))}",
                path=source,
                rule="--sheet NAME",
            )
        return _table(
            _sheet_rows(workbook, wanted), source=source, sheet=wanted, mapping=mapping, given=given
        )
    first_error: SheetError | None = None
    for name in names:
        try:
            return _table(
                _sheet_rows(workbook, name), source=source, sheet=name, mapping=mapping, given=given
            )
        except SheetError as exc:
            first_error = first_error or exc
    if first_error is None:
        raise SheetError("the workbook has no sheet", path=source)
    raise SheetError(
        f"no sheet of {', '.join(map(repr, names))} has the header row: {first_error.message}",
        path=source,
        rule="--sheet NAME, --header-row N",
    )
