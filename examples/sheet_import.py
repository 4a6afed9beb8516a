"""From an office's 台账 to cases: a workbook in, every row accounted for, the clocks out.

    python examples/sheet_import.py [FOLDER]

Writes a small 台账 in the template's layout (two good rows, a row whose
resident ID number Excel stored as a number, a blank row and a 合计 row),
imports it with ``--skip-bad-rows`` semantics, writes the refused row to a
workbook of its own with the reason, and prints the cases and their clocks.
Needs the sheets extra: ``pip install 'xinfang[sheets]'``.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import openpyxl

from xinfang.calendar import china_mainland
from xinfang.deadlines import clocks
from xinfang.responsibility import Official, Organization, Post, Unit
from xinfang.sheets import default_mapping, import_sheet, template_headers, write_rejected
from xinfang.vocabulary import UnitKind

ORG = Organization(
    levels=("city", "county"),
    units=[
        Unit(id="C", name="市信访局", level="city", kind=UnitKind.PETITION_DEPARTMENT),
        Unit(id="K1", name="东城区人民政府", level="county", parent="C"),
    ],
    officials=[
        Official(id="K1-H", name="陈区长", unit="K1", post=Post.HEAD),
        Official(id="K1-S", name="周科长", unit="K1", post=Post.STAFF),
    ],
)


def write_ledger(path: Path) -> None:
    """A 台账 as an office keeps it: a title row, the header, rows, a blank and a 合计 row."""
    headers = [h for _, h in template_headers(default_mapping())]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2026年"
    ws.append(["2026年信访事项台账"])
    ws.append(["序号", *headers])

    def row(n: int, **cells: object) -> list[object]:
        values: dict[str, object] = dict.fromkeys(headers) | cells
        return [n, *(values[h] for h in headers)]

    common = {"信访形式": "来访", "问题类别": "申诉求决类", "责任单位": "东城区人民政府"}
    ws.append(
        row(
            1,
            信访编号="DC-001",
            信访人="张三",
            来信来访日期=dt.date(2026, 9, 1),
            反映问题="拆迁补偿款未发放",
            转送交办日期=dt.date(2026, 9, 3),
            受理日期="2026.9.8",
            包案领导="陈区长",
            化解时限=dt.date(2026, 12, 31),
            **common,
        )
    )
    ws.append(
        row(
            2,
            信访编号="DC-002",
            信访人="李四",
            联系电话=13900001111,
            来信来访日期="2026年10月9日",
            反映问题="小区噪声扰民",
            **common,
        )
    )
    ws.append(
        row(
            3,
            信访编号="DC-003",
            信访人="王五",
            身份证号=110105194912310021,
            来信来访日期=dt.date(2026, 10, 12),
            反映问题="退还押金",
            **common,
        )
    )
    ws.append([])
    ws.append(["合计", "3件"])
    wb.save(path)


def main(folder: Path) -> None:
    """Write the 台账, import it, write the refused rows, print the cases' clocks."""
    sheet = folder / "台账.xlsx"
    write_ledger(sheet)
    result, table = import_sheet(sheet, default_mapping(), ORG, skip_bad_rows=True)
    print(f"header in row {result.header_row}; {result.rows} rows below it:")
    print(f"  {len(result.cases)} case(s) from rows {list(result.case_rows)}")
    print(
        f"  refused rows {list(result.refused_rows)}, blank {list(result.blank_rows)}, "
        f"totals {list(result.other_rows)}"
    )
    for problem in result.problems:
        print(f"  {problem.sheet}!{problem.cell} [{problem.column}]: {problem.expected[:60]}...")
    rejected = folder / "台账.rejected.xlsx"
    write_rejected(rejected, result, table)
    print(f"refused rows written to {rejected.name}")
    calendar = china_mainland(provisional=True)
    for case in result.cases:
        for clock in clocks(case, as_of=dt.date(2026, 11, 27), calendar=calendar):
            print(f"  {case.id} {clock.title}: due {clock.due} ({clock.status.value})")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp))
