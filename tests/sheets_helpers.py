"""Builders of real 台账 files for the sheet tests: xlsx (openpyxl), xls (xlwt), ods (odfpy), CSV.

Every file is written by a writer library, never by hand-made XML, so the
readers meet what Excel, WPS and LibreOffice write. ``python
tests/sheets_helpers.py DIR`` writes one file of each trap into ``DIR`` to
open and look at (``tests/data/sheets/make_fixtures.py`` calls it).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from xinfang.personal import id_check_digit
from xinfang.responsibility import Official, Organization, Post, Unit
from xinfang.sheets import default_mapping, template_headers

D = dt.date
ID_17 = "11010519491231002"
#: A resident ID number with a right check digit.
GOOD_ID = ID_17 + id_check_digit(ID_17)

ORG = Organization(
    levels=("corps", "detachment"),
    units=[
        Unit(id="HQ", name="总队", level="corps"),
        Unit(id="D1", name="第一支队", level="detachment", parent="HQ"),
        Unit(id="D2", name="第二支队", level="detachment", parent="HQ"),
    ],
    officials=[
        Official(id="HQ-H", name="总队长", unit="HQ", post=Post.HEAD),
        Official(id="D1-H", name="李支队长", unit="D1", post=Post.HEAD),
        Official(id="D1-S", name="王干事", unit="D1", post=Post.STAFF),
        Official(id="D2-H", name="赵支队长", unit="D2", post=Post.HEAD),
        Official(id="D2-S", name="刘干事", unit="D2", post=Post.STAFF),
    ],
)

FIELDS = [f for f, _ in template_headers(default_mapping())]
HEADERS = ["序号", *(h for _, h in template_headers(default_mapping()))]


def good(n: int = 1, **kw: Any) -> dict[str, Any]:
    """A row of a matter forwarded, accepted, owned, with a plan and an opinion."""
    row: dict[str, Any] = {
        "id": f"XF-{n:03d}",
        "petitioner": "张三",
        "id_number": GOOD_ID,
        "phone": "13812345678",
        "received": D(2026, 3, 2),
        "channel": "来信",
        "claim": "补发拖欠津贴",
        "category": "申诉求决类",
        "unit": "第一支队",
        "transferred": D(2026, 3, 5),
        "notified": D(2026, 3, 9),
        "accepted": D(2026, 3, 9),
        "owned": D(2026, 3, 10),
        "lead_official": "李支队长",
        "responsible_person": "王干事",
        "plan_deadline": D(2026, 6, 30),
        "closed": D(2026, 4, 20),
        "outcome": "支持",
        "settled": "否",
    }
    row.update(kw)
    return row


def cells(row: dict[str, Any], n: int = 1) -> list[Any]:
    """A row's cells in the template's column order (序号 first)."""
    return [n, *(row.get(f) for f in FIELDS)]


def write_xlsx(
    path: Path,
    rows: list[list[Any]],
    *,
    sheet: str = "台账",
    top: list[list[Any]] | None = None,
    merges: tuple[str, ...] = (),
    header: list[Any] | None = None,
    date_format: bool = True,
    more_sheets: dict[str, list[list[Any]]] | None = None,
    first_sheets: dict[str, list[list[Any]]] | None = None,
) -> Path:
    """An .xlsx file: rows above the header (``top``), the header, the rows; merged ranges."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    sheets: list[tuple[str, list[list[Any]]]] = []
    for name, data in (first_sheets or {}).items():
        sheets.append((name, data))
    sheets.append((sheet, [*(top or []), header if header is not None else HEADERS, *rows]))
    for name, data in (more_sheets or {}).items():
        sheets.append((name, data))
    for k, (name, data) in enumerate(sheets):
        target = ws if k == 0 else wb.create_sheet(name)
        target.title = name
        for r, values in enumerate(data, start=1):
            for c, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = target.cell(row=r, column=c, value=value)
                if isinstance(value, dt.date) and date_format:
                    cell.number_format = "yyyy-mm-dd"
        if name == sheet:
            for rng in merges:
                target.merge_cells(rng)
    wb.save(path)
    return path


def write_xls(path: Path, rows: list[list[Any]], *, sheet: str = "台账") -> Path:
    """An .xls file (BIFF8, as old Excel and WPS save it), dates as date cells."""
    import xlwt  # type: ignore[import-untyped]

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    ws.write_merge(0, 0, 0, 8, "2026年信访事项台账")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, h in enumerate(HEADERS):
        ws.write(1, c, h)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write(r, c, dt.datetime(value.year, value.month, value.day), date_style)
            else:
                ws.write(r, c, value)
    wb.save(str(path))
    return path


def write_ods(path: Path, rows: list[list[Any]], *, sheet: str = "台账") -> Path:
    """An .ods file (LibreOffice), dates as date cells and numbers as floats."""
    from odf.opendocument import OpenDocumentSpreadsheet  # type: ignore[import-untyped]
    from odf.table import Table, TableCell, TableRow  # type: ignore[import-untyped]
    from odf.text import P  # type: ignore[import-untyped]

    doc = OpenDocumentSpreadsheet()
    table = Table(name=sheet)
    for values in [HEADERS, *rows]:
        tr = TableRow()
        for value in values:
            if value is None:
                tc = TableCell()
            elif isinstance(value, dt.date):
                tc = TableCell(valuetype="date", datevalue=value.isoformat())
                tc.addElement(P(text=value.isoformat()))
            elif isinstance(value, int | float):
                tc = TableCell(valuetype="float", value=value)
                tc.addElement(P(text=str(value)))
            else:
                tc = TableCell(valuetype="string")
                tc.addElement(P(text=str(value)))
            tr.addElement(tc)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def as_text(value: Any) -> str:
    """A cell as Excel's 'save as CSV' writes it (dates as 2026/3/2)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.year}/{value.month}/{value.day}"
    return str(value)


def write_csv(
    path: Path, rows: list[list[Any]], *, encoding: str = "gbk", header: list[str] | None = None
) -> Path:
    """A CSV file in ``encoding`` (``utf-8-sig`` for a BOM)."""
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header if header is not None else HEADERS)
        for values in rows:
            w.writerow([as_text(v) for v in values])
    return path


def title_and_merged(path: Path) -> Path:
    """A title row and a two-row header with merged cells above the real header (trap 1)."""
    width = len(HEADERS)
    handling = HEADERS.index("受理日期")
    top = [["2026年度信访事项化解台账", *([None] * (width - 1))]]
    upper: list[Any] = list(HEADERS)
    lower: list[Any] = [None] * width
    for c in range(handling, handling + 3):  # 受理日期, 包案日期, 包案领导 under 办理情况
        lower[c] = HEADERS[c]
        upper[c] = "办理情况" if c == handling else None
    from openpyxl.utils import get_column_letter

    first, last = get_column_letter(handling + 1), get_column_letter(handling + 3)
    merges = ("A1:H1", f"{first}2:{last}2", "A2:A3", "B2:B3")
    rows = [cells(good(1)), cells(good(2, petitioner="李四"), 2)]
    return write_xlsx(path, rows, top=[*top, upper], header=lower, merges=merges)


def write_all(folder: Path) -> None:
    """One file of each trap, to open and look at."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [cells(good(1)), cells(good(2, petitioner="李四"), 2)]
    write_xlsx(folder / "template-layout.xlsx", rows)
    title_and_merged(folder / "title-and-merged-header.xlsx")
    write_xls(folder / "old-excel.xls", rows)
    write_ods(folder / "libreoffice.ods", rows)
    write_csv(folder / "saved-as-gbk.csv", rows)
    id_number = good(3, id_number=int(GOOD_ID[:17] + "0"))
    write_xlsx(folder / "id-as-number.xlsx", [cells(id_number, 3)])


if __name__ == "__main__":  # pragma: no cover - a tool for people
    write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/sheets/out"))
