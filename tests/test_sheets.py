"""台账 in: every trap an office's sheet has, each on a real file, and every row accounted for."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheets_helpers import (
    GOOD_ID,
    HEADERS,
    ORG,
    cells,
    good,
    title_and_merged,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)
from xinfang.errors import MissingDependencyError, XinfangError
from xinfang.sheets import (
    ID_AS_NUMBER,
    SheetError,
    SheetRowsError,
    Table,
    cases_from_table,
    cell_date,
    default_mapping,
    import_sheet,
    load_mapping,
    read_sheet,
    write_rejected,
    write_template,
)
from xinfang.vocabulary import Channel, Role, Stage

MAPPING = default_mapping()
D = dt.date


def _import(path: Path, **kw: Any) -> Any:
    result, _ = import_sheet(path, MAPPING, ORG, **kw)
    return result


def test_template_layout_imports_every_event_through_apply(tmp_path: Path) -> None:
    """A template row becomes a case: its forwarding, acceptance, owners, plan, opinion."""
    path = write_xlsx(tmp_path / "a.xlsx", [cells(good(1))])
    result = _import(path)
    (case,) = result.cases
    assert case.id == "XF-001"
    assert case.channel is Channel.LETTER
    assert case.handling_unit == "D1"
    assert case.stage is Stage.REPLIED
    assert case.on.forwarded == D(2026, 3, 5)
    assert case.on.accepted == D(2026, 3, 9)
    assert case.on.opinion_issued == D(2026, 4, 20)
    assert {(h.role, h.holder) for h in case.roles} == {
        (Role.RESPONSIBLE_UNIT, "D1"),
        (Role.LEAD_OFFICIAL, "D1-H"),
        (Role.RESPONSIBLE_PERSON, "D1-S"),
    }
    assert case.plan is not None
    assert case.plan.deadline == D(2026, 6, 30)
    assert case.petitioners[0].id_number is not None
    assert case.petitioners[0].id_number.reveal() == GOOD_ID
    assert result.case_rows == (2,)


def test_title_row_and_merged_header_cells_above_the_real_header(tmp_path: Path) -> None:
    """Trap: a title row and a two-row header with merged cells; the header is found (row 3)."""
    result = _import(title_and_merged(tmp_path / "t.xlsx"))
    assert result.header_row == 3
    assert len(result.cases) == 2
    assert result.cases[0].on.accepted == D(2026, 3, 9)
    assert result.case_rows == (4, 5)


def test_a_data_row_that_reads_like_a_header_stays_data(tmp_path: Path) -> None:
    """A first row whose 信访形式 is 电话 (also a header word) is a case, not a header."""
    result = _import(write_xlsx(tmp_path / "p.xlsx", [cells(good(1, channel="电话"))]))
    assert result.header_row == 1
    assert result.case_rows == (2,)


def test_header_row_given(tmp_path: Path) -> None:
    """Trap: --header-row N reads the header there; a wrong row names the missing columns."""
    path = title_and_merged(tmp_path / "t.xlsx")
    table = read_sheet(path, mapping=MAPPING, header_row=2)
    assert table.header_row == 2
    with pytest.raises(SheetError, match="no column for"):
        import_sheet(path, MAPPING, ORG, header_row=1)


def test_no_header_row_found(tmp_path: Path) -> None:
    """A sheet with no row naming two mapped columns is refused with --header-row as the fix."""
    path = write_xlsx(tmp_path / "x.xlsx", [["a", "b"]], header=["甲", "乙"])
    with pytest.raises(SheetError, match="--header-row N"):
        read_sheet(path, mapping=MAPPING)


def test_blank_rows_and_totals_row_at_the_bottom(tmp_path: Path) -> None:
    """Trap: blank and pre-numbered rows, a 合计 row and a 填表人 line: none is a case."""
    rows = [
        cells(good(1)),
        [None] * len(HEADERS),
        cells(good(2), 2),
        ["合计", None, "2件"],
        [None] * len(HEADERS),
        ["填表人: 王干事", None, None],
        [8],  # a pre-numbered template row: only its 序号
    ]
    result = _import(write_xlsx(tmp_path / "b.xlsx", rows))
    assert result.case_rows == (2, 4)
    assert result.blank_rows == (3, 6, 8)
    assert result.other_rows == (5, 7)
    assert result.rows == 7


@pytest.mark.parametrize(
    "value",
    [
        D(2026, 3, 4),
        dt.datetime(2026, 3, 4, 15, 30),
        46085,  # the Excel serial number of 2026-03-04 in a column not formatted as dates
        46085.625,
        "2026.3.4",
        "2026/3/4",
        "2026年3月4日",
        "2026-03-04",
        "20260304",
        "２０２６年３月４日",
        "2026/3/4 10:30",
    ],
)
def test_dates_in_every_form(tmp_path: Path, value: object) -> None:
    """Trap: dates as date cells, datetimes, serial numbers and text in the forms offices type."""
    row = good(1, received=value, transferred=None, notified=None, accepted=None, owned=None)
    row |= {"closed": None, "outcome": None, "lead_official": None, "responsible_person": None}
    row |= {"plan_deadline": None}
    result = _import(write_xlsx(tmp_path / "d.xlsx", [cells(row)], date_format=False))
    assert result.cases[0].on.received == D(2026, 3, 4)


def test_a_date_that_is_no_date_names_the_cell_and_the_forms() -> None:
    """A text that is no date (or a day that does not exist) says which forms are accepted."""
    assert "2025年3月4日" in str(cell_date("下旬"))
    assert "real calendar day" in str(cell_date("2026-02-30"))
    assert isinstance(cell_date(12), str)  # a small number is no date


def test_resident_id_stored_as_a_number_is_refused_with_the_fix(tmp_path: Path) -> None:
    """Trap: Excel keeps 15 digits of an 18-digit number: refused, never imported wrong."""
    number = float(GOOD_ID[:17] + "0")  # what Excel holds: 1.10105194912310E+17
    rows = [cells(good(1)), cells(good(2, id_number=number), 2)]
    path = write_xlsx(tmp_path / "i.xlsx", rows)
    with pytest.raises(SheetRowsError) as info:
        _import(path)
    (problem,) = info.value.problems
    assert problem.row == 3
    assert problem.column == "身份证号"
    assert problem.cell == "D3"
    assert problem.expected == ID_AS_NUMBER
    assert "format the column as text" in ID_AS_NUMBER.lower()
    assert "nothing imported" in str(info.value)


def test_resident_id_as_scientific_text_in_a_csv_is_refused(tmp_path: Path) -> None:
    """Trap: a CSV saved from that workbook holds 1.10105E+17: the same refusal."""
    path = write_csv(tmp_path / "i.csv", [cells(good(1, id_number="1.10105E+17"))])
    with pytest.raises(SheetRowsError) as info:
        _import(path)
    assert info.value.problems[0].expected == ID_AS_NUMBER


def test_a_wrong_check_digit_is_a_row_error() -> None:
    """An ID number whose GB 11643 check digit is wrong is refused, naming the rule."""
    bad = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")
    table = _table([cells(good(1, id_number=bad))])
    result = cases_from_table(table, MAPPING, ORG)
    assert "check digit" in result.problems[0].expected


def test_phone_numbers_stored_as_numbers(tmp_path: Path) -> None:
    """Trap: a phone column of numbers imports the digits (11 digits fit Excel's 15)."""
    path = write_xlsx(tmp_path / "p.xlsx", [cells(good(1, phone=13812345678))])
    case = _import(path).cases[0]
    assert case.petitioners[0].phone is not None
    assert case.petitioners[0].phone.reveal() == "13812345678"


def test_full_width_digits_and_spaces(tmp_path: Path) -> None:
    """Trap: full-width digits, letters and spaces (IME input) are read as plain ones."""
    row = good(1, petitioner="\u3000张三\u3000", phone="１３８ １２３４ ５６７８")
    row |= {"id": "ＸＦ－００１", "received": "２０２６年３月２日", "unit": "第一支队\u3000"}
    row |= {"id_number": GOOD_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))}
    case = _import(write_xlsx(tmp_path / "f.xlsx", [cells(row)])).cases[0]
    assert case.id == "XF-001"
    assert case.petitioners[0].name == "张三"
    assert case.petitioners[0].phone is not None
    assert case.petitioners[0].phone.reveal() == "13812345678"
    assert case.handling_unit == "D1"


def test_several_sheets(tmp_path: Path) -> None:
    """Trap: a 说明 sheet first, two years' sheets: the first with a header, or --sheet NAME."""
    path = write_xlsx(
        tmp_path / "s.xlsx",
        [cells(good(1))],
        sheet="2026年",
        first_sheets={"填表说明": [["本表按月报送"], ["日期格式: 2026-03-02"]]},
        more_sheets={"2025年": [HEADERS, cells(good(7)), cells(good(8), 2)]},
    )
    assert _import(path).sheet == "2026年"
    assert len(_import(path, sheet="2025年").cases) == 2
    with pytest.raises(SheetError, match="'填表说明', '2026年', '2025年'"):
        _import(path, sheet="2024年")


def test_xls_and_ods_read_as_xlsx(tmp_path: Path) -> None:
    """The old .xls (with its title row) and LibreOffice's .ods give the same cases as .xlsx."""
    rows = [cells(good(1)), cells(good(2, phone=13900001111), 2)]
    xlsx = _import(write_xlsx(tmp_path / "a.xlsx", rows)).cases
    xls = _import(write_xls(tmp_path / "a.xls", rows)).cases
    ods = _import(write_ods(tmp_path / "a.ods", rows)).cases
    assert xlsx == xls == ods


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_encodings_found(tmp_path: Path, encoding: str) -> None:
    """CSV in GBK, GB18030, UTF-8 with or without a BOM: found without --encoding."""
    rows = [cells(good(1, petitioner="欧阳娜")), cells(good(2, claim="退还多收的住房款"), 2)]
    path = write_csv(tmp_path / "c.csv", rows, encoding=encoding)
    xlsx = _import(write_xlsx(tmp_path / "c.xlsx", rows)).cases
    assert _import(path).cases == xlsx


def test_csv_wrong_encoding_given(tmp_path: Path) -> None:
    """A GBK file read with --encoding utf-8 is refused naming the byte and the fix."""
    path = write_csv(tmp_path / "c.csv", [cells(good(1))], encoding="gbk")
    with pytest.raises(SheetError, match="gb18030"):
        _import(path, encoding="utf-8")


def test_unknown_unit_suggests_the_nearest(tmp_path: Path) -> None:
    """An unknown unit name is a row error with the nearest known names (never a guess)."""
    table = _table([cells(good(1, unit="第一支对"))])
    (problem,) = cases_from_table(table, MAPPING, ORG).problems
    assert problem.column == "责任单位"
    assert "第一支队" in problem.expected


def test_an_alias_names_a_unit() -> None:
    """The mapping's aliases resolve an office's short names (一支队 → D1)."""
    mapping = load_mapping({"aliases": {"units": {"一支队": "第一支队"}}})
    result = cases_from_table(_table([cells(good(1, unit="一支队"))]), mapping, ORG)
    assert result.cases[0].handling_unit == "D1"
    with pytest.raises(SheetError, match="alias"):
        cases_from_table(_table([]), load_mapping({"aliases": {"units": {"x": "无"}}}), ORG)


def test_procedure_order_is_the_law(tmp_path: Path) -> None:
    """A row whose 受理日期 precedes its 来信来访日期 is refused by apply, on that column."""
    table = _table([cells(good(1, accepted=D(2026, 2, 1), notified=None, transferred=None))])
    (problem,) = cases_from_table(table, MAPPING, ORG).problems
    assert problem.column == "受理日期"
    assert "procedure allows" in problem.expected


def test_opinion_without_outcome(tmp_path: Path) -> None:
    """An 办结日期 without its 办理结果 is a row error naming the missing column."""
    (problem,) = cases_from_table(_table([cells(good(1, outcome=None))]), MAPPING, ORG).problems
    assert problem.column == "办理结果"


def test_nothing_imported_when_a_row_fails_and_every_problem_listed(tmp_path: Path) -> None:
    """One bad row refuses the sheet; the error lists every problem of every row."""
    rows = [
        cells(good(1)),
        cells(good(2, channel="飞鸽"), 2),
        cells(good(3, received="下旬", unit="三支队"), 3),
    ]
    with pytest.raises(SheetRowsError) as info:
        _import(write_xlsx(tmp_path / "n.xlsx", rows))
    err = info.value
    assert isinstance(err, XinfangError)
    assert [(p.row, p.column) for p in err.problems] == [
        (3, "信访形式"),
        (4, "来信来访日期"),
        (4, "责任单位"),
    ]
    assert "2 of 3 row(s) refused" in str(err)
    assert "飞鸽" in str(err)


def test_skip_bad_rows_writes_the_rejected_rows_to_fix_and_import_again(tmp_path: Path) -> None:
    """--skip-bad-rows: good rows go in; the bad ones go to a workbook with a reason column."""
    rows = [cells(good(1)), cells(good(2, channel="飞鸽"), 2), cells(good(3), 3)]
    result, table = import_sheet(
        write_xlsx(tmp_path / "k.xlsx", rows), MAPPING, ORG, skip_bad_rows=True
    )
    assert [c.id for c in result.cases] == ["XF-001", "XF-003"]
    assert result.refused_rows == (3,)
    rejected = tmp_path / "rejected.xlsx"
    assert write_rejected(rejected, result, table) == 1
    import openpyxl

    ws = openpyxl.load_workbook(rejected).active
    assert ws.cell(row=1, column=len(HEADERS) + 1).value == "不能导入的原因"
    reason = str(ws.cell(row=2, column=len(HEADERS) + 1).value)
    assert "原第3行" in reason
    assert "信访形式" in reason
    assert ws.cell(row=2, column=HEADERS.index("身份证号") + 1).value == GOOD_ID
    ws.cell(row=2, column=HEADERS.index("信访形式") + 1).value = "来访"  # the office fixes it
    ws.parent.save(rejected)
    again = _import(rejected)
    assert [c.id for c in again.cases] == ["XF-002"]


def test_stable_ids_without_an_id_column(tmp_path: Path) -> None:
    """No 信访编号: an id made from petitioner, date and claim, the same on every import."""
    rows = [cells(good(1, id=None)), cells(good(2, id=None, petitioner="李四"), 2)]
    first = _import(write_xlsx(tmp_path / "a.xlsx", rows))
    again = _import(write_csv(tmp_path / "a.csv", rows))
    ids = [c.id for c in first.cases]
    assert ids == [c.id for c in again.cases]
    assert all(i.startswith("TZ-") for i in ids)
    assert len(set(ids)) == 2


def test_duplicate_id_is_a_row_error() -> None:
    """Two rows with one 信访编号: the second is refused, naming the first row."""
    result = cases_from_table(_table([cells(good(1)), cells(good(1), 2)]), MAPPING, ORG)
    (problem,) = result.problems
    assert "row 2" in problem.expected
    assert problem.row == 3


def test_mapping_for_a_differently_laid_out_sheet(tmp_path: Path) -> None:
    """An office's own layout: other headers, its own words, and a column it does not have."""
    mapping = load_mapping(
        {
            "columns": {
                "petitioner": "来访人",
                "received": "登记时间",
                "channel": "来源",
                "claim": "诉求内容",
                "unit": "主办单位",
                "id": [],
            },
            "values": {"channel": {"市长热线": "phone"}},
        }
    )
    header = ["来访人", "登记时间", "来源", "诉求内容", "主办单位", "转送交办日期"]
    rows = [["张三", "2026.3.2", "市长热线", "修路", "第二支队", D(2026, 3, 4)]]
    path = write_xlsx(tmp_path / "o.xlsx", rows, header=header)
    result, _ = import_sheet(path, mapping, ORG)
    (case,) = result.cases
    assert case.channel is Channel.PHONE
    assert case.handling_unit == "D2"
    assert case.id.startswith("TZ-")


def test_mapping_errors_name_the_key(tmp_path: Path) -> None:
    """An unknown field, a bad code or a bad setting: the error names the key and the nearest."""
    with pytest.raises(SheetError, match=r"columns.recieved.*nearest: received"):
        load_mapping({"columns": {"recieved": "日期"}})
    with pytest.raises(SheetError, match="the codes are"):
        load_mapping({"values": {"channel": {"微信": "wechat"}}})
    with pytest.raises(SheetError, match="transfer"):
        load_mapping({"sheet": {"transfer": "send"}})
    with pytest.raises(SheetError, match="no column for"):
        load_mapping({"columns": {"claim": []}})
    bad = tmp_path / "m.toml"
    bad.write_text("[columns\n", encoding="utf-8")
    with pytest.raises(SheetError, match="TOML"):
        load_mapping(bad)


def test_missing_extra_names_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the extra, a workbook read or write says pip install 'xinfang[sheets]'; CSV works."""
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    path = write_xlsx(tmp_path / "a.xlsx", [cells(good(1))])
    with pytest.raises(MissingDependencyError, match=r"xinfang\[sheets\]"):
        read_sheet(path, mapping=MAPPING)
    assert len(_import(write_csv(tmp_path / "a.csv", [cells(good(1))])).cases) == 1
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(MissingDependencyError, match=r"xinfang\[sheets\]"):
        write_template(tmp_path / "t.xlsx", MAPPING, ORG)


# ------------------------------------------------------------ every row accounted for
def _table(rows: list[list[Any]], headers: list[str] | None = None) -> Table:
    hs = tuple(headers or HEADERS)
    return Table(
        source="mem",
        sheet="台账",
        header_row=1,
        headers=hs,
        rows=tuple((k + 2, tuple(r) + (None,) * (len(hs) - len(r))) for k, r in enumerate(rows)),
    )


_DATE_FORMS = st.sampled_from(
    [
        lambda d: d,
        lambda d: d.isoformat(),
        lambda d: f"{d.year}.{d.month}.{d.day}",
        lambda d: f"{d.year}/{d.month}/{d.day}",
        lambda d: f"{d.year}年{d.month}月{d.day}日",
        lambda d: (d - D(1899, 12, 30)).days,
        lambda d: f"{d.month}/{d.day}",  # no year: refused
    ]
)
_UNITS = st.sampled_from(["第一支队", "第二支队", "D1", "第一支对", "二支队", "总队", ""])


@st.composite
def _rows(draw: st.DrawFn) -> list[Any]:
    n = draw(st.integers(1, 999))
    day = draw(st.dates(D(2024, 1, 1), D(2026, 6, 30)))
    row = good(n, received=draw(_DATE_FORMS)(day), unit=draw(_UNITS))
    row["transferred"] = draw(_DATE_FORMS)(day + dt.timedelta(days=draw(st.integers(-2, 9))))
    for field in ("petitioner", "channel", "claim", "accepted", "notified", "lead_official"):
        if draw(st.booleans()) and draw(st.booleans()):
            row[field] = None
    row["accepted"] = row["notified"] = day + dt.timedelta(days=10)
    if draw(st.booleans()):
        row["closed"] = day + dt.timedelta(days=draw(st.integers(5, 90)))
    else:
        row["closed"] = row["outcome"] = None
    if draw(st.integers(0, 9)) == 0:
        return [None] * len(HEADERS)
    return cells(row, n)


@given(st.lists(_rows(), max_size=6))
def test_every_row_imported_or_reported_never_both_never_neither(rows: list[list[Any]]) -> None:
    """Random blanks, date forms and unit names: each row is a case, refused, or blank: one only."""
    result = cases_from_table(_table(rows), MAPPING, ORG)
    numbers = list(range(2, len(rows) + 2))
    kinds = [result.case_rows, result.refused_rows, result.blank_rows, result.other_rows]
    placed = sorted(n for k in kinds for n in k)
    assert placed == numbers
    assert sorted({p.row for p in result.problems}) == sorted(result.refused_rows)
    assert len(result.cases) == len(result.case_rows)
    for problem in result.problems:
        assert problem.expected


def test_the_docs_mapping_example_loads() -> None:
    """The mapping file shown in docs/sheets.md is a valid mapping, with its words and aliases."""
    import re
    import tomllib

    page = (Path(__file__).resolve().parent.parent / "docs" / "sheets.md").read_text("utf-8")
    (block,) = re.findall(r"```toml\n(# map\.toml.*?)```", page, re.DOTALL)
    mapping = load_mapping(tomllib.loads(block))
    assert mapping.header_row == 3
    assert mapping.headers("petitioner") == ("来访人", "来信人")
    assert mapping.headers("group_size") == ()
    assert mapping.words("channel")["12345"] == "phone"
    assert ("东城住建", "区住房和城乡建设局") in mapping.unit_aliases
