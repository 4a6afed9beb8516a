"""Writing workbooks (openpyxl, the ``sheets`` extra): rejected rows, the template, cases, due.

Every writer sizes its columns, writes dates as date cells (``yyyy-mm-dd``)
and ID numbers and phones as text, and saves one ``.xlsx`` file. Personal
data is masked unless the caller reveals it (:func:`write_cases`).
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from typing import TYPE_CHECKING, Any, Final

from xinfang.deadlines import ClockStatus, kind_label, status_label
from xinfang.periods import cite
from xinfang.sheets._cells import cell_text
from xinfang.sheets._export import case_row, template_headers
from xinfang.sheets._mapping import FIELDS, FieldKind, default_mapping
from xinfang.sheets._names import names_of
from xinfang.sheets._readers import header_key, require

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from xinfang.case import Case
    from xinfang.deadlines import Clock
    from xinfang.responsibility import Organization
    from xinfang.sheets._cells import Cell
    from xinfang.sheets._mapping import SheetMapping
    from xinfang.sheets._readers import Table
    from xinfang.sheets._rows import SheetImport

__all__ = [
    "DATE_FORMAT",
    "REASON_HEADER",
    "put",
    "size",
    "style_header",
    "width",
    "write_cases",
    "write_due",
    "write_rejected",
    "write_template",
]

DATE_FORMAT: Final = "yyyy-mm-dd"
#: The header of the reason column of a rejected-rows workbook (ignored by the mapping).
REASON_HEADER: Final = "不能导入的原因"
_TEXT: Final = "@"
_TEMPLATE_ROWS: Final = 1000
_FORMATTED_ROWS: Final = 100
_OVERDUE_FILL: Final = "FFC7CE"
_HEADER_FILL: Final = "DDEBF7"
_WHAT: Final = "writing a workbook"


def _openpyxl() -> Any:
    return require("openpyxl", _WHAT)


def width(value: Any) -> int:
    text = cell_text(value) if not isinstance(value, str) else value
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def style_header(ws: Any, columns: int) -> None:
    styles = require("openpyxl.styles", _WHAT)
    fill = styles.PatternFill("solid", fgColor=_HEADER_FILL)
    bold = styles.Font(bold=True)
    for c in range(1, columns + 1):
        cell = ws.cell(row=1, column=c)
        cell.font = bold
        cell.fill = fill
    ws.freeze_panes = "A2"


def size(ws: Any, widths: Sequence[int]) -> None:
    utils = require("openpyxl.utils", _WHAT)
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[utils.get_column_letter(c)].width = min(max(w + 2, 6), 60)


def put(ws: Any, row: int, column: int, value: Cell, kind: FieldKind | None) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, _dt.datetime):
        value = value.replace(tzinfo=None)
    if kind in {FieldKind.RESIDENT_ID, FieldKind.PHONE}:
        cell.number_format = _TEXT
        cell.value = None if value is None else cell_text(value)
        return
    if isinstance(value, _dt.date | _dt.datetime):
        cell.number_format = DATE_FORMAT
    cell.value = value if not isinstance(value, _dt.timedelta | _dt.time) else cell_text(value)


def write_rejected(path: str | Path, result: SheetImport, table: Table) -> int:
    """The refused rows, as read, with a reason column: fix them in Excel and import again.

    The sheet keeps the original header (so the same mapping reads it) and
    adds ``不能导入的原因`` with every problem of the row; returns the rows written.
    """
    openpyxl = _openpyxl()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = (table.sheet or "rejected")[:31]
    headers = [*table.headers, REASON_HEADER]
    widths = [width(h) for h in headers]
    for c, h in enumerate(headers, start=1):
        ws.cell(row=1, column=c, value=h or None)
    kinds = _kinds_by_header(table.headers)
    by_row = dict(table.rows)
    out = 2
    for number in result.refused_rows:
        cells = by_row[number]
        for c, value in enumerate(cells, start=1):
            put(ws, out, c, value, kinds[c - 1])
            widths[c - 1] = max(widths[c - 1], width(value))
        reason = "; ".join(
            f"{p.column or '行'} {p.value}: 应为 {p.expected}".replace("  ", " ")
            for p in result.reasons(number)
        )
        ws.cell(row=out, column=len(headers), value=f"原第{number}行: {reason}")
        widths[-1] = max(widths[-1], min(width(reason), 80))
        out += 1
    style_header(ws, len(headers))
    size(ws, widths)
    wb.save(str(path))
    return out - 2


def _kinds_by_header(headers: Sequence[str]) -> list[FieldKind | None]:
    """Which column is an ID or phone column (kept as text), by the default mapping's headers."""
    m = default_mapping()
    known = {header_key(h): FIELDS[f] for f, hs in m.columns for h in hs}
    return [known.get(header_key(h)) for h in headers]


def _layout(ws: Any, mapping: SheetMapping) -> list[tuple[str, str]]:
    cols = list(template_headers(mapping))
    ws.cell(row=1, column=1, value="序号")
    for c, (_, header) in enumerate(cols, start=2):
        ws.cell(row=1, column=c, value=header)
    return cols


def write_template(path: str | Path, mapping: SheetMapping, org: Organization) -> None:
    """The blank 台账 of the mapping's layout, with drop-down lists and formatted columns.

    Drop-down lists (from a hidden sheet 选项) for the channel, category,
    outcome, rating and settled columns (the mapping's words) and for the
    unit and official columns (the organisation's names); date columns
    formatted as dates and the ID and phone columns as text, for 1,000 rows.
    """
    openpyxl = _openpyxl()
    dv_mod = require("openpyxl.worksheet.datavalidation", _WHAT)
    utils = require("openpyxl.utils", _WHAT)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    cols = _layout(ws, mapping)
    lists = wb.create_sheet("选项")
    lists.sheet_state = "hidden"
    choices: dict[str, list[str]] = {}
    for field, kind in FIELDS.items():
        if kind is FieldKind.CHOICE:
            words = [w for _, pairs in mapping.values if _ == field for w, _c in pairs]
            firsts: dict[str, str] = {}
            for _f, pairs in mapping.values:
                if _f == field:
                    for w, code in pairs:
                        firsts.setdefault(code, w)
            choices[field] = list(firsts.values()) or words
    choices["unit"] = [u.name for u in org.units]
    choices["receiving_unit"] = choices["unit"]
    choices["lead_official"] = [o.name for o in org.officials]
    choices["responsible_person"] = choices["lead_official"]
    ranges: dict[str, str] = {}
    for k, (field, values) in enumerate(sorted(choices.items()), start=1):
        letter = utils.get_column_letter(k)
        lists.cell(row=1, column=k, value=field)
        for r, v in enumerate(values, start=2):
            lists.cell(row=r, column=k, value=v)
        ranges[field] = f"'选项'!${letter}$2:${letter}${max(len(values) + 1, 2)}"
    last = _TEMPLATE_ROWS + 1
    widths = [6]
    for c, (field, header) in enumerate(cols, start=2):
        letter = utils.get_column_letter(c)
        kind = FIELDS[field]
        widths.append(max(width(header), 12 if kind is FieldKind.DATE else 10))
        if field in ranges:
            dv = dv_mod.DataValidation(type="list", formula1=f"={ranges[field]}", allow_blank=True)
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)
        fmt = {FieldKind.DATE: DATE_FORMAT, FieldKind.RESIDENT_ID: _TEXT, FieldKind.PHONE: _TEXT}
        if kind in fmt:
            widths[-1] = max(widths[-1], 20 if kind is FieldKind.RESIDENT_ID else 12)
            ws.column_dimensions[letter].number_format = fmt[kind]  # the whole column
            for r in range(2, _FORMATTED_ROWS + 2):  # and the first rows' cells, for old readers
                ws.cell(row=r, column=c).number_format = fmt[kind]
    style_header(ws, len(cols) + 1)
    size(ws, widths)
    wb.save(str(path))


def write_cases(
    path: str | Path,
    cases: Iterable[Case],
    mapping: SheetMapping,
    org: Organization,
    *,
    reveal_personal_data: bool = False,
) -> int:
    """Cases as rows of the template's layout (ID numbers and phones masked unless revealed)."""
    openpyxl = _openpyxl()
    names = names_of(org, mapping)
    wb = openpyxl.Workbook(write_only=False)
    ws = wb.active
    ws.title = "台账"
    cols = _layout(ws, mapping)
    widths = [6, *(width(h) for _, h in cols)]
    n = 0
    for n, case in enumerate(cases, start=1):
        row = case_row(case, mapping, names, reveal_personal_data=reveal_personal_data)
        ws.cell(row=n + 1, column=1, value=n)
        for c, (field, _) in enumerate(cols, start=2):
            value = row[field]
            put(ws, n + 1, c, value, FIELDS[field])
            if n <= 200:  # size the columns by the first rows
                widths[c - 1] = max(widths[c - 1], width(value) if value is not None else 0)
    style_header(ws, len(cols) + 1)
    size(ws, widths)
    wb.save(str(path))
    return n


#: The due list's columns: (header zh, header en).
_DUE_COLUMNS: Final = (
    ("到期日", "due"),
    ("状态", "status"),
    ("信访编号", "case"),
    ("类别", "kind"),
    ("时限", "limit"),
    ("依据", "citation"),
    ("暂定", "provisional"),
    ("最近进展", "last report"),
)


def write_due(
    path: str | Path,
    clocks: Sequence[Clock],
    *,
    as_of: _dt.date,
    lang: str = "zh",
) -> None:
    """The due list as a workbook: one row a clock, overdue rows highlighted, in ``lang``."""
    openpyxl = _openpyxl()
    styles = require("openpyxl.styles", _WHAT)

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "到期" if lang == "zh" else "due"
    headers = [zh if lang == "zh" else en for zh, en in _DUE_COLUMNS]
    for c, h in enumerate(headers, start=1):
        ws.cell(row=1, column=c, value=h)
    widths = [width(h) for h in headers]
    fill = styles.PatternFill("solid", fgColor=_OVERDUE_FILL)
    for r, clock in enumerate(clocks, start=2):
        title = clock.title if lang == "zh" else (clock.title_en or clock.key.replace("_", " "))
        values: list[Cell] = [
            clock.due,
            status_label(clock.status, lang),
            clock.case_id,
            kind_label(clock.kind, lang),
            title,
            cite(clock.citation, lang),
            ("暂定" if lang == "zh" else "yes") if clock.provisional else None,
            clock.last_report,
        ]
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value, None)
            widths[c - 1] = max(widths[c - 1], width(value) if value is not None else 0)
            if clock.status is ClockStatus.OVERDUE:
                ws.cell(row=r, column=c).fill = fill
    ws.cell(row=1, column=len(headers) + 2, value=f"as of {as_of.isoformat()}")
    style_header(ws, len(headers))
    size(ws, widths)
    wb.save(str(path))
