"""台账 out and back: the demo corps exported, imported again, gives the same clocks and bulletin.

A row holds one matter's first registration, forwarding, notice, acceptance,
owners, plan (with its steps and the days they were done), opinion, rating,
settlement and latest progress report; ``not_carried`` names what it cannot
hold (plan revisions, earlier progress reports, reviews, ...). The test
checks that everything a row carries comes back equal.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from sheets_helpers import ORG
from xinfang.campaign import snapshot
from xinfang.deadlines import ClockStatus, clock_table
from xinfang.demo import DemoWorld, demo_world
from xinfang.report import render
from xinfang.sheets import (
    TEMPLATE_FIELDS,
    case_row,
    default_mapping,
    import_sheet,
    names_of,
    not_carried,
    read_sheet,
    write_cases,
    write_due,
    write_template,
)

if TYPE_CHECKING:
    from pathlib import Path

MAPPING = default_mapping()


@cache
def _world() -> DemoWorld:
    return demo_world(backlog=48, intake=24)


def _rows(world: DemoWorld, cases: Any) -> list[dict[str, Any]]:
    names = names_of(world.org, MAPPING)
    return [case_row(c, MAPPING, names) for c in cases]


def _saved_as_csv(xlsx: Path, out: Path) -> Path:
    """What Excel's 'save as CSV' makes of a workbook in a Chinese locale: GBK, dates 2026/3/2."""
    import openpyxl

    ws = openpyxl.load_workbook(xlsx).active
    with out.open("w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        for row in ws.iter_rows(values_only=True):
            w.writerow(
                f"{v.year}/{v.month}/{v.day}"
                if isinstance(v, dt.date)
                else ("" if v is None else v)
                for v in row
            )
    return out


@pytest.mark.parametrize("form", ["xlsx", "gbk-csv"])
def test_round_trip_of_the_demo_corps(tmp_path: Path, form: str) -> None:
    """Sheet export then sheet import: the same rows, the same clocks, the same bulletin."""
    world = _world()
    path = tmp_path / "demo.xlsx"
    assert write_cases(path, world.cases, MAPPING, world.org) == len(world.cases)
    if form == "gbk-csv":
        path = _saved_as_csv(path, tmp_path / "demo.csv")
    result, table = import_sheet(path, MAPPING, world.org, calendar=world.calendar)
    assert table.encoding in {"", "gb18030"}
    assert [c.id for c in result.cases] == [c.id for c in world.cases]
    # everything a row carries comes back equal
    assert _rows(world, result.cases) == _rows(world, world.cases)
    # every clock, statutory and plan, over the whole corps
    before = clock_table(list(world.cases), as_of=world.as_of, calendar=world.calendar)
    after = clock_table(list(result.cases), as_of=world.as_of, calendar=world.calendar)
    assert after.to_clocks() == before.to_clocks()
    # the bulletin, over the cases a row carries whole
    whole = {c.id for c in world.cases if not not_carried(c)}
    assert len(whole) > len(world.cases) // 2
    campaign = attrs.evolve(
        world.campaign, targets=[t for t in world.campaign.targets if t in whole]
    )

    def bulletin(cases: Any) -> str:
        kept = [c for c in cases if c.id in whole]
        snap = snapshot(campaign, kept, world.org, as_of=world.as_of, calendar=world.calendar)
        return render(snap, [], format="json")

    assert bulletin(result.cases) == bulletin(world.cases)


def test_what_a_row_cannot_carry_is_named() -> None:
    """The demo's plan revisions and earlier progress reports are named, nothing else."""
    kinds = {k for c in _world().cases for k in not_carried(c)}
    assert kinds == {"plan_set", "progress_reported"}


def test_masked_unless_revealed(tmp_path: Path) -> None:
    """Sheet export masks ID numbers and phones unless asked; the masked form imports back."""
    from sheets_helpers import GOOD_ID, cells, good, write_xlsx

    src = write_xlsx(tmp_path / "a.xlsx", [cells(good(1))])
    result, _ = import_sheet(src, MAPPING, ORG)
    (case,) = result.cases
    masked = tmp_path / "m.xlsx"
    write_cases(masked, [case], MAPPING, ORG)
    row = read_sheet(masked, mapping=MAPPING).rows[0][1]
    shown = row[1 + TEMPLATE_FIELDS.index("id_number")]
    assert shown == GOOD_ID[:6] + "*" * 8 + GOOD_ID[14:]
    assert row[1 + TEMPLATE_FIELDS.index("phone")] == "138****5678"
    full = tmp_path / "f.xlsx"
    write_cases(full, [case], MAPPING, ORG, reveal_personal_data=True)
    assert (
        read_sheet(full, mapping=MAPPING).rows[0][1][1 + TEMPLATE_FIELDS.index("id_number")]
        == GOOD_ID
    )
    again, _ = import_sheet(masked, MAPPING, ORG)
    (back,) = again.cases
    assert back.petitioners[0].id_number is not None
    assert back.petitioners[0].id_number.is_masked


def test_template_has_lists_date_and_text_columns(tmp_path: Path) -> None:
    """The template: drop-down lists of the words and units, date columns, ID column as text."""
    import openpyxl

    path = tmp_path / "台账模板.xlsx"
    write_template(path, MAPPING, ORG)
    wb = openpyxl.load_workbook(path)
    ws = wb["台账"]
    headers = [c.value for c in ws[1]]
    assert headers[0] == "序号"
    assert wb["选项"].sheet_state == "hidden"
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    lists = wb["选项"]
    column = {lists.cell(row=1, column=c).value: c for c in range(1, lists.max_column + 1)}
    units = [lists.cell(row=r, column=column["unit"]).value for r in range(2, 5)]
    assert units == ["总队", "第一支队", "第二支队"]
    channels = [lists.cell(row=r, column=column["channel"]).value for r in range(2, 7)]
    assert channels == ["网上信访", "来信", "电话", "传真", "走访"]
    assert len(formulas) >= 6
    id_col = headers.index("身份证号") + 1
    date_col = headers.index("来信来访日期") + 1
    letter = openpyxl.utils.get_column_letter
    assert ws.column_dimensions[letter(id_col)].number_format == "@"
    assert ws.column_dimensions[letter(date_col)].number_format == "yyyy-mm-dd"
    assert ws.cell(row=2, column=id_col).number_format == "@"
    table = read_sheet(path, mapping=MAPPING)
    assert table.header_row == 1
    assert table.rows == ()


def test_due_list_as_excel_highlights_overdue(tmp_path: Path) -> None:
    """The due list as a workbook: one row a clock, overdue rows filled, columns sized."""
    import openpyxl

    world = _world()
    clocks = [
        c
        for c in clock_table(
            list(world.cases), as_of=world.as_of, calendar=world.calendar
        ).to_clocks()
        if c.status in {ClockStatus.OVERDUE, ClockStatus.DUE_SOON}
    ]
    assert any(c.status is ClockStatus.OVERDUE for c in clocks)
    path = tmp_path / "due.xlsx"
    write_due(path, clocks, as_of=world.as_of)
    ws = openpyxl.load_workbook(path).active
    assert ws.max_row == len(clocks) + 1
    for r, c in enumerate(clocks, start=2):
        filled = ws.cell(row=r, column=1).fill.fgColor.rgb.endswith("FFC7CE")
        assert filled == (c.status is ClockStatus.OVERDUE)
        assert ws.cell(row=r, column=3).value == c.case_id
    assert ws.column_dimensions["E"].width > 10
