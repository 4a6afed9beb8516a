"""The ``xinfang sheet`` commands and the Excel output of due and report, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from sheets_helpers import ORG, cells, good, write_csv, write_xlsx
from xinfang.cli import main
from xinfang.demo import demo_world
from xinfang.serialization import dump_ledger, load_ledger, to_toml


@pytest.fixture
def org_file(tmp_path: Path) -> Path:
    """The test organisation as a TOML file."""
    path = tmp_path / "org.toml"
    path.write_text(to_toml(ORG), encoding="utf-8")
    return path


def test_check_good_and_bad(
    tmp_path: Path, org_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sheet check: exit 0 and the summary; exit 1 with one line per problem, nothing written."""
    ok = write_xlsx(tmp_path / "ok.xlsx", [cells(good(1)), cells(good(2), 2)])
    assert main(["sheet", "check", str(ok), "--org", str(org_file)]) == 0
    assert "2 case(s), 0 refused" in capsys.readouterr().err
    bad = write_xlsx(tmp_path / "bad.xlsx", [cells(good(1)), cells(good(2, channel="飞鸽"), 2)])
    assert main(["sheet", "check", str(bad), "--org", str(org_file)]) == 1
    err = capsys.readouterr().err
    assert "台账!G3 (row 3) [信访形式]: '飞鸽'" in err
    assert "1 case(s), 1 refused" in err


def test_import_into_a_ledger_all_or_nothing(
    tmp_path: Path, org_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sheet import -o: one bad row and no ledger is written; --skip-bad-rows writes the rest."""
    bad = write_xlsx(tmp_path / "t.xlsx", [cells(good(1)), cells(good(2, channel="飞鸽"), 2)])
    ledger = tmp_path / "ledger.jsonl"
    args = ["sheet", "import", str(bad), "--org", str(org_file), "-o", str(ledger)]
    assert main(args) == 1
    assert not ledger.exists()
    assert "nothing was imported" in capsys.readouterr().err
    assert main([*args, "--skip-bad-rows"]) == 1
    (case,) = load_ledger(ledger.read_text(encoding="utf-8"))
    assert case.id == "XF-001"
    assert case.petitioners[0].id_number is not None
    assert not case.petitioners[0].id_number.is_masked  # the office's own ledger keeps it whole
    rejected = tmp_path / "t.rejected.xlsx"
    ws = openpyxl.load_workbook(rejected).active
    assert ws.max_row == 2
    assert "written to" in capsys.readouterr().err


def test_import_into_the_store_is_idempotent(
    tmp_path: Path, org_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sheet import --db: the sheet's cases are stored; importing it again changes nothing."""
    sheet = write_xlsx(tmp_path / "t.xlsx", [cells(good(1)), cells(good(2), 2)])
    url = f"sqlite:///{tmp_path / 's.db'}"
    args = ["sheet", "import", str(sheet), "--org", str(org_file), "--db", url]
    assert main(args) == 0
    assert "2 added" in capsys.readouterr().err
    assert main(args) == 0
    assert "2 unchanged" in capsys.readouterr().err
    due = tmp_path / "due.xlsx"
    assert (
        main(
            ["db", "due", "--db", url, "--as-of", "2026-05-01", "--format", "xlsx", "-o", str(due)]
        )
        == 0
    )
    assert openpyxl.load_workbook(due).active.cell(row=1, column=1).value == "到期日"
    out = tmp_path / "back.xlsx"
    assert main(["sheet", "export", "--db", url, "--org", str(org_file), "-o", str(out)]) == 0
    assert main(["sheet", "check", str(out), "--org", str(org_file)]) == 0


def test_template_and_export_round_trip(
    tmp_path: Path, org_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sheet template writes the blank layout; sheet export of a ledger imports back the same."""
    template = tmp_path / "台账模板.xlsx"
    assert main(["sheet", "template", "-o", str(template), "--org", str(org_file)]) == 0
    assert openpyxl.load_workbook(template).sheetnames == ["台账", "选项"]
    sheet = write_xlsx(tmp_path / "t.xlsx", [cells(good(1)), cells(good(2, petitioner="李四"), 2)])
    ledger = tmp_path / "l.jsonl"
    assert main(["sheet", "import", str(sheet), "--org", str(org_file), "-o", str(ledger)]) == 0
    out = tmp_path / "cases.xlsx"
    exported = ["sheet", "export", str(ledger), "--org", str(org_file), "-o", str(out)]
    assert main([*exported, "--reveal-personal-data"]) == 0
    again = tmp_path / "again.jsonl"
    assert main(["sheet", "import", str(out), "--org", str(org_file), "-o", str(again)]) == 0
    before = load_ledger(ledger.read_text(encoding="utf-8"))
    after = load_ledger(again.read_text(encoding="utf-8"))
    assert after == before
    capsys.readouterr()


def test_usage_errors_exit_2(
    tmp_path: Path, org_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing file, or neither -o nor --db: exit 2 with one line."""
    assert main(["sheet", "check", str(tmp_path / "none.xlsx"), "--org", str(org_file)]) == 2
    assert "no such file" in capsys.readouterr().err
    sheet = write_xlsx(tmp_path / "t.xlsx", [cells(good(1))])
    assert main(["sheet", "import", str(sheet), "--org", str(org_file)]) == 2
    assert "-o LEDGER or --db URL" in capsys.readouterr().err
    not_a_workbook = tmp_path / "x.xlsx"
    not_a_workbook.write_text("hello", encoding="utf-8")
    assert main(["sheet", "check", str(not_a_workbook), "--org", str(org_file)]) == 2


def test_due_and_report_as_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Due --format xlsx and report --format xlsx write workbooks; without -o they refuse."""
    world = demo_world(backlog=24, intake=8)
    ledger, org, campaign = (tmp_path / n for n in ("ledger.jsonl", "org.toml", "campaign.toml"))
    ledger.write_text(dump_ledger(world.cases), encoding="utf-8")
    org.write_text(to_toml(world.org), encoding="utf-8")
    campaign.write_text(to_toml(world.campaign), encoding="utf-8")
    due = tmp_path / "due.xlsx"
    common = ["--as-of", "2026-11-27", "-q"]
    assert main(["due", str(ledger), *common, "--format", "xlsx", "-o", str(due)]) == 0
    capsys.readouterr()
    assert main(["due", str(ledger), *common, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["clocks"]
    ws = openpyxl.load_workbook(due).active
    assert [ws.cell(row=r, column=3).value for r in range(2, ws.max_row + 1)] == [
        c["case_id"] for c in listed
    ]
    assert main(["due", str(ledger), *common, "--format", "xlsx"]) == 1
    assert "-o FILE.xlsx" in capsys.readouterr().err
    out = tmp_path / "bulletin.xlsx"
    report = ["report", str(ledger), "--org", str(org), "--campaign", str(campaign), *common]
    assert main([*report, "--format", "xlsx", "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["单位", "指标", "表扬", "通报", "议程", "案件明细"]
    assert wb["案件明细"].max_row == len(world.cases) + 1  # every case, one row each
    units = wb["单位"]
    total = [c.value for c in units[units.max_row]]
    assert total[1] == "合计"
    assert total[2] == len(world.cases)


def test_example_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The example script: two cases, the ID-as-number row refused, a blank and a totals row."""
    import runpy
    import sys

    script = Path(__file__).resolve().parent.parent / "examples" / "sheet_import.py"
    argv = sys.argv
    sys.argv = [str(script), str(tmp_path)]
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = argv
    out = capsys.readouterr().out
    assert "2 case(s) from rows [3, 4]" in out
    assert "refused rows [5], blank [6], totals [7]" in out
    assert "[身份证号]: a resident ID number as text" in out
    assert (tmp_path / "台账.rejected.xlsx").exists()


@pytest.mark.parametrize("kind", ["xlsx", "csv utf-8", "csv gbk", "csv no .csv name"])
@pytest.mark.parametrize("command", ["validate", "due"])
def test_a_sheet_given_as_a_ledger_is_pointed_to_sheet_check(
    kind: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 台账 (CSV or workbook) given where a ledger goes: one line naming `xinfang sheet check`."""
    rows = [cells(good(1)), cells(good(2), 2)]
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "cases.xlsx", rows)
    else:
        name = "cases.txt" if kind == "csv no .csv name" else "cases.csv"
        encoding = "gbk" if kind == "csv gbk" else "utf-8"
        path = write_csv(tmp_path / name, rows, encoding=encoding)
    assert main([command, str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "this looks like a CSV/Excel file" in err
    assert f"`xinfang sheet check {path} --org org.toml`" in err
    assert "not valid JSON" not in err


def test_a_ledger_named_csv_is_still_read_as_a_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON Lines ledger saved under a .csv name is read as a ledger, not sent to sheet."""
    path = tmp_path / "ledger.csv"
    path.write_text(dump_ledger(demo_world().cases[:2]), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert "xinfang sheet" not in capsys.readouterr().err
