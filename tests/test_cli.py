"""The xinfang command through its entry point, on files on disk.

Exit codes (0 ok, 1 invalid data, 2 usage or files), encodings, standard
input and output, duplicate ids, facts checked by the converter, the
calendar options and command, the as-of default, progress and logging,
closed pipes, the exported demo files, packaging, and no traceback on
random input.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import attrs
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xinfang as x
from shared_world import world
from xinfang import cli, report, serialization
from xinfang.cli import _clock as clock
from xinfang.cli import main
from xinfang.instants import SHANGHAI

WORLD = world()
AS_OF = "2026-11-27"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's files, written once by `xinfang demo --export`."""
    folder = tmp_path_factory.mktemp("demo") / "files"
    assert main(["demo", "--export", str(folder)]) == 0
    return folder


@pytest.fixture
def files(demo_dir: Path) -> tuple[str, str, str]:
    """(ledger, org, campaign) of the exported demo."""
    return (
        str(demo_dir / "ledger.jsonl"),
        str(demo_dir / "org.toml"),
        str(demo_dir / "campaign.toml"),
    )


@pytest.fixture(scope="module")
def small_files(small: dict[str, str]) -> tuple[str, str, str]:
    """(ledger, org, campaign): the demo's organisation, 20 of its cases, their campaign.

    For the tests of the command's plumbing (the as-of default, progress,
    logging, encodings), which a 20-case ledger exercises as the whole corps does.
    """
    return small["ledger"], small["org"], small["campaign"]


@pytest.fixture(scope="module")
def demo_json(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The bulletin of `xinfang demo --format json --lang en -o FILE`, computed once."""
    out = tmp_path_factory.mktemp("demo-json") / "b.json"
    assert main(["demo", "--format", "json", "--lang", "en", "-o", str(out)]) == 0
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _report(files: tuple[str, str, str], *extra: str) -> list[str]:
    ledger, org, campaign = files
    return ["report", ledger, "--org", org, "--campaign", campaign, *extra]


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> list[dt.date]:
    """The command's today, set by the test (default 2026-12-02)."""
    day = [dt.date(2026, 12, 2)]
    monkeypatch.setattr(
        clock, "wall_clock", lambda: dt.datetime.combine(day[0], dt.time(9), tzinfo=SHANGHAI)
    )
    return day


class _Tty(io.StringIO):
    """A standard error that says it is a terminal."""

    def isatty(self) -> bool:
        return True


# ------------------------------------------------------------------ demo
def test_demo_markdown_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    """`xinfang demo` prints the bulletin; twice gives the same text."""
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    assert main(["demo"]) == 0
    assert capsys.readouterr().out == first
    assert "信访事项专项攻坚行动通报" in first
    assert "截至 2026-11-27" in first


def test_demo_html(tmp_path: Path) -> None:
    """HTML is one self-contained page without scripts."""
    out = tmp_path / "b.html"
    assert main(["demo", "--format", "html", "--lang", "en", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<svg" in text


def test_demo_json(demo_json: dict[str, object]) -> None:
    """JSON parses (written with -o), in the language asked for."""
    data: dict[str, Any] = demo_json
    assert data["schema_version"] == report.JSON_SCHEMA_VERSION
    assert data["lang"] == "en"
    assert data["overall"]["targets"] == 320
    assert data["burndown"][0] == ["2026-03-01", 320]


def test_no_bulletin_shows_an_accusation() -> None:
    """No rendered bulletin carries a petitioner or a claim of an accusation (Art. 30 ¶3)."""
    snap = x.snapshot(
        WORLD.campaign, WORLD.cases, WORLD.org, as_of=WORLD.as_of, calendar=WORLD.calendar
    )
    texts = [
        report.render(snap, format=f, lang=lang)
        for f in ("md", "html", "json")
        for lang in ("zh", "en")
    ]
    accusations = [c for c in WORLD.cases if c.category is x.vocabulary.Category.ACCUSATION]
    assert accusations
    secrets = {p.name for c in accusations for p in c.petitioners} | {
        cl.request for c in accusations for cl in c.claims
    }
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_export_writes_files_every_command_reads(
    files: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`demo --export DIR` writes ledger, org and campaign; validate, due and report run on them."""
    ledger, org, campaign = files
    assert x.load_organization(org) == WORLD.org
    assert x.load_campaign(campaign) == WORLD.campaign
    assert tuple(x.load_ledger(Path(ledger).read_text(encoding="utf-8"))) == WORLD.cases
    assert main(["validate", ledger]) == 0
    assert main(["due", ledger, "--as-of", AS_OF]) == 0
    assert main([*_report(files), "--as-of", AS_OF]) == 0
    capsys.readouterr()


def test_export_does_not_overwrite_edited_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second export into the same folder is refused (exit 2) unless --force."""
    assert main(["demo", "--export", str(tmp_path)]) == 0
    assert "xinfang report" in capsys.readouterr().out
    (tmp_path / "org.toml").write_text("# edited\n", encoding="utf-8")
    assert main(["demo", "--export", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "org.toml").read_text(encoding="utf-8") == "# edited\n"
    assert main(["demo", "--export", str(tmp_path), "--force"]) == 0
    assert x.load_organization(tmp_path / "org.toml") == WORLD.org


def test_report_on_files_equals_the_demo(
    files: tuple[str, str, str], demo_json: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    """The same world written to files gives the same bulletin through `xinfang report`."""
    demo = demo_json
    assert main([*_report(files), "--as-of", AS_OF, "--format", "json", "--lang", "en"]) == 0
    assert json.loads(capsys.readouterr().out) == demo
    trend = x.campaign.trend(
        WORLD.campaign, WORLD.cases, WORLD.org, as_of=WORLD.as_of, calendar=WORLD.calendar
    )
    assert demo["burndown"] == [[d.isoformat(), n] for d, n in trend]


# --------------------------------------------------------- exit codes
@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["--help"], 0),
        (["--version"], 0),
        ([], 2),
        (["nonsense"], 2),
        (["demo", "--as-of", "tomorrow"], 2),
        (["demo", "--format", "pdf"], 2),
        (["demo", "--encoding", "klingon"], 2),
        (["due", "LEDGER", "--within", "-5"], 2),
        (["due", "LEDGER", "--within", "three"], 2),
        (["validate", "MISSING"], 2),
        (["due", "MISSING"], 2),
        (["classify", "MISSING"], 2),
        (["report", "LEDGER", "--org", "MISSING", "--campaign", "CAMPAIGN"], 2),
        (["validate", "LEDGER"], 0),
        (["validate", "BAD"], 1),
        (["due", "BAD"], 1),
        (["classify", "BAD"], 1),
    ],
)
def test_exit_codes(
    argv: list[str],
    code: int,
    files: tuple[str, str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """0 success, 1 invalid data, 2 bad usage or a file that cannot be read."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"schema_version": 1}\n', encoding="utf-8")
    names = {
        "LEDGER": files[0],
        "CAMPAIGN": files[2],
        "MISSING": str(tmp_path / "missing"),
        "BAD": str(bad),
    }
    assert main([names.get(a, a) for a in argv]) == code
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    if code == 2 and argv and argv[0] not in ("--help", "--version"):
        assert out.err


def test_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    """Every command answers --help with exit code 0."""
    for cmd in (["demo"], ["report"], ["due"], ["classify"], ["validate"], ["calendar"]):
        assert main([*cmd, "--help"]) == 0
    assert "--calendar" in capsys.readouterr().out


# ----------------------------------------------------------- encodings
def test_a_utf8_bom_is_accepted(
    files: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ledgers, case and TOML files saved with a BOM (Windows Notepad) read as plain UTF-8."""
    bom = b"\xef\xbb\xbf"
    ledger = tmp_path / "bom.jsonl"
    ledger.write_bytes(bom + Path(files[0]).read_bytes())
    org = tmp_path / "org.toml"
    org.write_bytes(bom + Path(files[1]).read_bytes())
    case = tmp_path / "case.json"
    case.write_bytes(bom + serialization.to_json(WORLD.cases[0]).encode())
    assert main(["validate", str(ledger)]) == 0
    assert main(["classify", str(case)]) == 0
    args = ["report", str(ledger), "--org", str(org), "--campaign", files[2], "--as-of", AS_OF]
    assert main(args) == 0
    assert "480 valid, 0 invalid" in capsys.readouterr().err


def test_gbk_is_named_with_its_line_and_read_with_encoding_gbk(
    small_files: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A GBK ledger: exit 1 naming the line and suggesting --encoding gbk, which reads it."""
    files = small_files
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(Path(files[0]).read_text(encoding="utf-8").encode("gbk"))
    for command in (["validate"], ["due"], ["report"]):
        argv = [*command, str(gbk)]
        if command == ["report"]:
            argv += ["--org", files[1], "--campaign", files[2], "--as-of", AS_OF]
        assert main(argv) == 1
        err = capsys.readouterr()
        text = err.out + err.err
        assert f"{gbk}:1: not valid utf-8: byte 0x" in text
        assert "--encoding gbk" in text
        assert "Traceback" not in text
        assert main([*argv, "--encoding", "gbk"]) == 0
        capsys.readouterr()
    case = tmp_path / "case.json"
    case.write_bytes(serialization.to_json(WORLD.cases[0]).encode("gbk"))
    assert main(["classify", str(case)]) == 1
    assert "--encoding gbk" in capsys.readouterr().err
    assert main(["classify", str(case), "--encoding", "gbk"]) == 0


def test_stdin_and_stdout(
    files: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-` reads standard input; `-o -` writes standard output."""
    data = Path(files[0]).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert main(["validate", "-"]) == 0
    assert "480 valid" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    argv = ["report", "-", "--org", files[1], "--campaign", files[2], "--as-of", AS_OF]
    assert main([*argv, "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("# 信访事项专项攻坚行动通报")
    assert main(["report", "-", "--org", "-", "--campaign", files[2]]) == 2
    assert "standard input" in capsys.readouterr().err


def test_unwritable_output_is_exit_2(
    files: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An -o path in a missing folder, or a folder itself, is refused with a message (exit 2)."""
    for target in (tmp_path / "no" / "such" / "b.md", tmp_path):
        assert main(["demo", "-o", str(target)]) == 2
        assert main(["due", files[0], "--as-of", AS_OF, "-o", str(target)]) == 2
        err = capsys.readouterr().err
        assert f"cannot write {target}" in err
        assert "Traceback" not in err


# ---------------------------------------------------------- duplicates
def test_duplicate_ids(
    files: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate` lists each duplicate with both line numbers; `report` and `due` refuse it."""
    first, second = serialization.to_json(WORLD.cases[0]), serialization.to_json(WORLD.cases[1])
    ledger = tmp_path / "dup.jsonl"
    ledger.write_text("\n".join([first, second, first, "", first]) + "\n", encoding="utf-8")
    case_id = WORLD.cases[0].id
    assert main(["validate", str(ledger)]) == 1
    out = capsys.readouterr()
    assert f"{ledger}:3: $.id: duplicate case id {case_id!r} (first on line 1)" in out.out
    assert f"{ledger}:5: $.id: duplicate case id {case_id!r} (first on line 1)" in out.out
    assert "4 valid, 0 invalid record(s), 2 duplicate case id(s)" in out.err
    assert main(["due", str(ledger), "--as-of", AS_OF]) == 1
    assert "2 duplicate case id(s)" in capsys.readouterr().err
    argv = ["report", str(ledger), "--org", files[1], "--campaign", files[2], "--as-of", AS_OF]
    assert main(argv) == 1
    err = capsys.readouterr()
    assert "duplicate case id" in err.err
    assert err.out == ""


# --------------------------------------------------------------- facts
def test_classify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`xinfang classify` prints the classification with its reasons."""
    path = tmp_path / "case.json"
    path.write_text(serialization.to_json(WORLD.cases[0]), encoding="utf-8")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"hardship": True, "claim_reasonable": False}), encoding="utf-8")
    assert main(["classify", str(path), "--facts", str(facts)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["dispositions"]) == {"assist", "educate"}
    assert data["reasons"]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ('{"hardship": "yes"}', "$.hardship: expected true or false"),
        ('{"hardshp": true}', "hardshp"),
        ('{"group_size": "many"}', "$.group_size"),
        ('{"unlawful_conduct": [1, "x"]}', "$.unlawful_conduct[1]"),
        ("[true]", "expected a JSON object of CaseFacts fields"),
        ("hardship = true", "not valid JSON"),
        ("", "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),
    ],
)
def test_bad_facts_are_named(
    facts: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Facts go through the converter: wrong types and unknown keys are named (exit 1)."""
    case = tmp_path / "case.json"
    case.write_text(serialization.to_json(WORLD.cases[0]), encoding="utf-8")
    path = tmp_path / "facts.json"
    path.write_text(facts, encoding="utf-8")
    assert main(["classify", str(case), "--facts", str(path)]) == 1
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err


# ------------------------------------------------------------------ due
def test_due_lists_overdue_clocks(
    files: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`xinfang due` lists clocks due soon or overdue, sorted by due date (Chinese by default)."""
    assert main(["due", files[0], "--as-of", AS_OF, "--within", "5"]) == 0
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert lines
    assert all(("已超期" in line) or ("即将到期" in line) or ("暂停" in line) for line in lines)
    assert lines == sorted(lines)
    assert "个时限在 5 个工作日内到期" in out.err
    assert main(["due", files[0], "--as-of", AS_OF, "--within", "0"]) == 0
    assert "即将到期" not in capsys.readouterr().out
    assert main(["due", files[0], "--as-of", AS_OF, "--within", "5", "--lang", "en"]) == 0
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert all(("overdue" in line) or ("due soon" in line) or ("paused" in line) for line in lines)
    assert "clock(s) due within 5 working days" in out.err


def test_provisional_dates_are_marked_in_due_and_said_once(
    files: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Due dates in 2027 count on the provisional calendar by default, marked everywhere."""
    argv = ["due", files[0], "--as-of", "2026-12-28", "--within", "5"]
    assert main(argv) == 0
    out = capsys.readouterr()
    # issue 26: a plan clock's due day is the date its plan set, never counted: no mark
    marked = [ln for ln in out.out.splitlines() if ln.startswith("2027-") and "法定时限" in ln]
    assert marked
    assert all(line.endswith("(暂定)") for line in marked)
    plans = [ln for ln in out.out.splitlines() if ln.startswith("2027-") and "方案时限" in ln]
    assert not any(line.endswith("(暂定)") for line in plans)
    assert not any(line.endswith("(暂定)") for line in out.out.splitlines() if line < "2027")
    assert out.err.count("注意:") == 1
    assert "--calendar FILE" in out.err
    assert str(cli.TEMPLATE) in out.err
    assert main([*argv, "--lang", "en"]) == 0
    out = capsys.readouterr()
    marked = [ln for ln in out.out.splitlines() if ln.startswith("2027-") and "statutory" in ln]
    assert marked
    assert all(line.endswith("(provisional)") for line in marked)
    assert out.err.count("note:") == 1
    assert main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    flags = {c["due"][:4]: c["provisional"] for c in data["clocks"] if c["kind"] != "plan"}
    assert flags == {"2026": False, "2027": True}
    assert data["calendar"]["provisional_years"][0] == 2027
    assert main(argv) == 0
    plain = capsys.readouterr().out
    assert main([*argv, "--provisional", "--quiet"]) == 0  # the old flag: accepted, no effect
    quiet = capsys.readouterr()
    assert quiet.out == plain
    assert quiet.err == ""


def test_strict_calendar_refuses_dates_past_the_data(
    files: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """--strict-calendar: a date past the published data is an error (exit 1) with the way out."""
    assert main(["due", files[0], "--as-of", "2026-12-28", "--strict-calendar"]) == 1
    err = capsys.readouterr().err
    assert "outside the calendar" in err
    assert "--calendar FILE" in err
    assert "Traceback" not in err


# ------------------------------------------------------------ calendar
def _filled_template(tmp_path: Path) -> Path:
    text = cli.TEMPLATE.read_text(encoding="utf-8").replace(
        'source = "PLACEHOLDER: ', 'source = "测试用安排: '
    )
    path = tmp_path / "2027.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_calendar_command_shows_the_range_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    """`xinfang calendar` shows what the commands count on, provisional years included."""
    assert main(["calendar"]) == 0
    out = capsys.readouterr().out
    assert "covers: 2004-01-01..2035-12-31" in out
    assert "provisional years: 2027-2035" in out
    assert "chinesecalendar" in out
    assert main(["calendar", "--strict-calendar"]) == 0
    out = capsys.readouterr().out
    assert "covers: 2004-01-01..2026-12-31" in out
    assert "provisional years: none" in out


def test_template_is_refused_until_filled(
    files: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shipped template is refused as is; filled in, it loads and clears the marks."""
    assert main(["calendar", "--template"]) == 0
    template = capsys.readouterr().out
    assert template == cli.TEMPLATE.read_text(encoding="utf-8")
    assert "PLACEHOLDER" in template
    assert tomllib.loads(template)["year"][0]["year"] == 2027
    assert main(["calendar", str(cli.TEMPLATE)]) == 1
    assert "year[0].source: still the template's placeholder" in capsys.readouterr().err
    argv = ["due", files[0], "--as-of", "2026-12-28", "--within", "5"]
    assert main([*argv, "--calendar", str(cli.TEMPLATE)]) == 1
    capsys.readouterr()
    filled = _filled_template(tmp_path)
    assert main(["calendar", str(filled), "--year", "2027"]) == 0
    out = capsys.readouterr().out
    assert "provisional years: 2028-2035" in out
    assert "2027: 测试用安排" in out
    assert "off  2027-02-05 Fri  春节" in out
    for strict in ([], ["--strict-calendar"]):
        assert main([*argv, "--calendar", str(filled), *strict]) == 0
        result = capsys.readouterr()
        assert "2027-" in result.out
        assert "(暂定)" not in result.out
        assert "注意:" not in result.err


def test_a_bad_calendar_file_is_named_with_its_key(
    files: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A make-up day on a Monday, bad TOML, a missing file: exit 1, 1 and 2, with the key."""
    monday = tmp_path / "monday.toml"
    monday.write_text(
        '[[year]]\nyear = 2027\nsource = "x"\nholidays = []\nmakeup_workdays = ["2027-01-04"]\n',
        encoding="utf-8",
    )
    broken = tmp_path / "broken.toml"
    broken.write_text("[[year]\n", encoding="utf-8")
    closure = tmp_path / "closure.toml"
    closure.write_text(
        '[[closure]]\ndates = ["2026-07-28"]\nreason = "台风停工"\n', encoding="utf-8"
    )
    assert main(["calendar", str(closure), str(monday), str(broken)]) == 1
    out = capsys.readouterr()
    assert f"{monday}: " in out.err
    assert "makeup_workdays: 2027-01-04 is a Monday" in out.err
    assert f"{broken}: not valid TOML" in out.err
    assert f"{closure}: ok (closure: 台风停工)" in out.out
    assert main(["due", files[0], "--as-of", AS_OF, "--calendar", str(monday)]) == 1
    assert "makeup_workdays: 2027-01-04 is a Monday" in capsys.readouterr().err
    assert main(["due", files[0], "--calendar", str(tmp_path / "missing.toml")]) == 2
    capsys.readouterr()


# --------------------------------------------------------------- report
def test_report_as_of_defaults_to_today_within_the_campaign(
    small_files: tuple[str, str, str], today: list[dt.date], capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --as-of: today, clamped to the campaign's window, and the bulletin says so."""
    files = small_files
    for day, as_of, basis in [
        (dt.date(2026, 12, 2), "2026-12-02", "today"),
        (dt.date(2027, 3, 1), "2026-12-31", "campaign_end"),
        (dt.date(2026, 1, 5), "2026-03-01", "campaign_start"),
    ]:
        today[0] = day
        assert main([*_report(files), "--format", "json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["as_of"] == as_of
        assert data["as_of_basis"]["code"] == basis
        assert main(_report(files)) == 0
        md = capsys.readouterr().out
        assert f"截至 {as_of}(未指定日期" in md
    assert main([*_report(files), "--lang", "en"]) == 0
    assert (
        "as of 2026-03-01 (no date given: today (2026-01-05) is before" in capsys.readouterr().out
    )
    assert main([*_report(files), "--as-of", AS_OF]) == 0
    assert f"截至 {AS_OF} ·" in capsys.readouterr().out


def test_the_chinese_bulletin_is_chinese(
    files: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Agenda statuses and clocks in Chinese words, totals as 合计, no code words."""
    assert main([*_report(files), "--as-of", "2026-12-02"]) == 0
    md = capsys.readouterr().out
    assert "| 合计 |" in md
    assert "已超期" in md
    assert "即将到期" in md
    assert "书面告知接收情况及处理途径和程序" in md
    for code in ("overdue", "due_soon", "running", "receipt_notice", "handling", "none"):
        assert not re.search(rf"\b{code}\b", md), code
    assert "| 信访事项专项攻坚行动 |" not in md


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_english_bulletin_is_english(
    fmt: str, files: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the names the data gives (units, the campaign) may be Chinese in --lang en."""
    assert main([*_report(files), "--as-of", "2026-12-02", "--lang", "en", "--format", fmt]) == 0
    text = capsys.readouterr().out
    # issue 26: the agenda names a plan's owner (包案领导) by the name the data gives
    names = [u.name for u in WORLD.org.units] + [o.name for o in WORLD.org.officials]
    for name in sorted([*names, WORLD.campaign.name], key=len, reverse=True):
        text = text.replace(name, "")
    assert CJK.findall(text) == []
    assert "Total" in text
    assert "fast progress" in text
    assert "overdue" in text


def test_json_carries_codes_and_the_chosen_language(
    files: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Stable codes (statuses, clocks, reason codes) beside the chosen language's text."""
    texts = {}
    for lang in ("zh", "en"):
        argv = [*_report(files), "--as-of", "2026-12-02", "--format", "json", "--lang", lang]
        assert main(argv) == 0
        texts[lang] = json.loads(capsys.readouterr().out)
    zh, en = texts["zh"], texts["en"]
    assert [a["status"] for a in zh["agenda"]] == [a["status"] for a in en["agenda"]]
    assert {a["status_text"] for a in zh["agenda"]} >= {"已超期", "即将到期"}
    assert {a["status_text"] for a in en["agenda"]} >= {"overdue", "due soon"}
    reasons = [r for item in en["admonish"] + en["commend"] for r in item["reasons"]]
    assert {r["code"] for r in reasons} <= set(report.REASON_CODES)
    assert all(not CJK.search(r["text"]) for r in reasons)
    assert zh["text"]["total"] == "合计"
    assert en["text"]["total"] == "Total"
    assert en["text"]["rates"]["on_time_completion"] == "On-time completion"


# ---------------------------------------------------- provisional bulletin
def _late_campaign(folder: Path) -> Path:
    """The demo campaign run into 2027, with a review on 2027-01-20."""
    campaign = attrs.evolve(
        WORLD.campaign, end=dt.date(2027, 3, 31), review_dates=(dt.date(2027, 1, 20),)
    )
    path = folder / "late.toml"
    path.write_text(serialization.to_toml(campaign), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_provisional_dates_are_marked_in_the_bulletin(
    fmt: str, files: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An agenda date in 2027 is marked provisional in every format; stderr says so once."""
    late = str(_late_campaign(tmp_path))
    argv = ["report", files[0], "--org", files[1], "--campaign", late, "--as-of", "2026-12-28"]
    assert main([*argv, "--format", fmt]) == 0
    out = capsys.readouterr()
    assert out.err.count("注意:") == 1
    if fmt == "json":
        data = json.loads(out.out)
        flagged = [a for a in data["agenda"] if a["provisional"]]
        assert flagged
        assert all(a["due"].startswith("2027") for a in flagged)
        assert data["provisional_dates"]
        assert "暂定" in data["text"]["calendar_note"]
    else:
        assert re.search(r"2027-\d\d-\d\d\(暂定\)", out.out)
        assert "2026-12-28(暂定)" not in out.out
        assert "放假安排尚未载入" in out.out
        if fmt == "html":
            assert 'class="provisional"' in out.out
    filled = _filled_template(tmp_path)
    assert main([*argv, "--format", fmt, "--calendar", str(filled)]) == 0
    out = capsys.readouterr()
    assert "暂定" not in out.out.replace('"provisional": false', "")
    assert "注意:" not in out.err


def test_markdown_cells_are_escaped(
    files: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `|` or a newline in a unit name does not break the Markdown tables."""
    units = tuple(
        attrs.evolve(u, name="第一|支队\n(试点)*") if u.id == "D1" else u for u in WORLD.org.units
    )
    org = tmp_path / "org.toml"
    org.write_text(serialization.to_toml(attrs.evolve(WORLD.org, units=units)), encoding="utf-8")
    assert main(["report", files[0], "--org", str(org), "--campaign", files[2]]) == 0
    md = capsys.readouterr().out
    rows = [line for line in md.splitlines() if line.startswith("|")]
    for row in rows:
        cells = re.split(r"(?<!\\)\|", row)[1:-1]
        assert len(cells) in (11, 6, 5), row
    assert "第一\\|支队 (试点)\\*" in md


# --------------------------------------------------- progress and logging
def test_progress_only_on_a_terminal(
    small_files: tuple[str, str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Progress bars with rates over every phase on a terminal; none with --quiet or off one."""
    files = small_files
    argv = [*_report(files), "--as-of", AS_OF, "-o", "-"]
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(argv) == 0
    bars = tty.getvalue()
    for phase in ("[1/3] reading", "[2/3] computing snapshots", "[3/3] rendering md"):
        assert phase in bars
    assert "B/s" in bars
    assert "snapshot/s" in bars
    quiet = _Tty()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert main([*argv, "--quiet"]) == 0
    assert quiet.getvalue() == ""
    monkeypatch.undo()
    assert main(argv) == 0
    assert "[1/3]" not in capsys.readouterr().err


def test_verbose_logs_and_leaves_logging_as_it_was(
    small_files: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """-v logs the phases to standard error; the handler is gone after the run."""
    files = small_files
    logger = logging.getLogger("xinfang")
    before = (list(logger.handlers), logger.level)
    assert main([*_report(files), "--as-of", AS_OF, "-v"]) == 0
    err = capsys.readouterr().err
    assert "INFO: xinfang.cli: read 20 cases" in err
    assert "snapshots as of 2026-11-27" in err
    assert (list(logger.handlers), logger.level) == before
    assert main([*_report(files), "--as-of", AS_OF]) == 0
    assert "INFO" not in capsys.readouterr().err


# ------------------------------------------------------------ broken pipe
class _ClosedPipe(io.StringIO):
    def write(self, s: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_ends_quietly(
    files: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reader that goes away (| head) ends the command with exit 0 and no message."""
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["due", files[0], "--as-of", AS_OF]) == 0
    assert main(["demo"]) == 0
    monkeypatch.undo()
    assert "Traceback" not in capsys.readouterr().err


def test_a_closed_pipe_in_a_real_process(tmp_path: Path) -> None:
    """`xinfang validate big | head -1` in a real pipe: no traceback on standard error."""
    line = serialization.to_json(WORLD.cases[0])
    big = tmp_path / "dup.jsonl"
    big.write_text((line + "\n") * 3000, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "xinfang.cli", "validate", str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    assert proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) in (0, 1)
    assert "Traceback" not in err
    assert "Exception ignored" not in err


# --------------------------------------------------------------- packaging
def test_strategies_without_hypothesis_names_the_extra() -> None:
    """`import xinfang.strategies` without hypothesis says `pip install 'xinfang[strategies]'`."""
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    import xinfang.strategies\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "pip install 'xinfang[strategies]'" in out.stdout


def test_license_and_metadata() -> None:
    """A LICENSE file (MIT) named by its SPDX expression, real classifiers, no placeholder URL."""
    root = Path(__file__).resolve().parent.parent
    assert "MIT License" in (root / "LICENSE").read_text(encoding="utf-8")
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "tqdm>=4.66" in project["dependencies"]
    classifiers = set(project["classifiers"])
    for needed in (
        "Development Status :: 3 - Alpha",
        "Typing :: Typed",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
    ):
        assert needed in classifiers
    assert project["license"] == "MIT"
    assert not any(c.startswith("License ::") for c in classifiers)  # PEP 639
    assert "example.invalid" not in json.dumps(project)


def test_a_malformed_rate_is_named_by_the_library(
    files: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rate whose numerator is a number is a campaign error naming `rates.x`."""
    data = tomllib.loads(Path(files[2]).read_text(encoding="utf-8"))
    data["rates"] = {"x": {"numerator": 1, "denominator": "targets"}}
    campaign = tmp_path / "campaign.toml"
    campaign.write_text(tomli_w.dumps(data), encoding="utf-8")
    assert main(["report", files[0], "--org", files[1], "--campaign", str(campaign)]) == 1
    err = capsys.readouterr().err
    assert "please report it" not in err
    assert "rates.x" in err


# ------------------------------------------------------- no traceback, ever
@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A small ledger (20 cases), one case document, the organisation and the campaign."""
    folder = tmp_path_factory.mktemp("small")
    paths = {
        "ledger": folder / "ledger.jsonl",
        "case": folder / "case.json",
        "org": folder / "org.toml",
        "campaign": folder / "campaign.toml",
    }
    paths["ledger"].write_text(serialization.dump_ledger(WORLD.cases[:20]), encoding="utf-8")
    paths["case"].write_text(serialization.to_json(WORLD.cases[0]), encoding="utf-8")
    paths["org"].write_text(serialization.to_toml(WORLD.org), encoding="utf-8")
    # The campaign's targets among those 20 cases (a target with no case refuses a report).
    mine = [c.id for c in WORLD.cases[:20] if c.id in WORLD.campaign.target_set]
    campaign = attrs.evolve(WORLD.campaign, targets=mine)
    paths["campaign"].write_text(serialization.to_toml(campaign), encoding="utf-8")
    return {k: str(v) for k, v in paths.items()}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_TOML_VALUE = st.recursive(
    st.booleans()
    | st.integers(-5, 3000)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31))
    | st.sampled_from(["2027-01-01", "2026-07-28..2026-07-29", "D1", "HQ", "corps"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "name", "level", "parent", "unit", "x"]), inner)
    ),
    max_leaves=10,
)
_TOML_KEYS = st.sampled_from(
    [
        "levels", "units", "officials", "id", "name", "start", "end", "targets", "rates",
        "review_dates", "review_every_days", "agenda_limit", "year", "closure", "format",
    ]
)  # fmt: skip
_CONTENT = st.one_of(
    st.binary(max_size=300),
    st.dictionaries(_TOML_KEYS, _TOML_VALUE, max_size=6).map(lambda d: tomli_w.dumps(d).encode()),
    _JSON.map(lambda v: json.dumps(v).encode()),
    st.lists(_JSON.map(json.dumps), max_size=4).map(lambda ls: "\n".join(ls).encode()),
    st.sampled_from(
        [
            b"\xef\xbb\xbf{}",
            b"\xff\xfe{\x00}\x00",
            '{"events": []}'.encode("gbk"),
            "备注".encode("gbk"),
            b"[" * 5000,
            b"\x00" * 10,
            b"rates = {x = {numerator = 1}}",
        ]
    ),
)


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
@given(
    content=_CONTENT,
    role=st.sampled_from(["ledger", "case", "facts", "org", "campaign", "calendar"]),
    command=st.sampled_from(["validate", "due", "report", "classify", "calendar"]),
)
def test_random_input_never_gives_a_traceback(  # noqa: PLR0917 - given's arguments
    content: bytes,
    role: str,
    command: str,
    small: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Random bytes or JSON in any input file: exit 0, 1 or 2 with a message, no traceback."""
    path = tmp_path / f"random.{role}"
    path.write_bytes(content)
    inputs = {**small, role: str(path)}
    argv = {
        "validate": ["validate", inputs["ledger"]],
        "due": ["due", inputs["ledger"], "--as-of", AS_OF],
        "report": [
            "report",
            inputs["ledger"],
            "--org",
            inputs["org"],
            "--campaign",
            inputs["campaign"],
            "--as-of",
            AS_OF,
        ],
        "classify": ["classify", inputs["case"]]
        + (["--facts", str(path)] if role == "facts" else []),
        "calendar": ["calendar", str(path)],
    }[command]
    if role == "calendar" and command in ("due", "report"):
        argv += ["--calendar", str(path)]
    code = main([*argv, "--quiet"])
    out = capsys.readouterr()
    assert code in (0, 1, 2)
    assert "Traceback" not in out.err
    assert "internal error" not in out.err
    if code:
        assert (out.err + out.out).strip()


# ------------------------------------------------------------ the store
def test_demo_runs_on_a_store_it_keeps_when_asked(
    tmp_path: Path, demo_json: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    """`xinfang demo --db URL` keeps the demo corps in the store it renders from."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["demo", "-q", "--format", "json", "--lang", "en", "--db", url]) == 0
    assert json.loads(capsys.readouterr().out) == demo_json
    with x.open_store(url) as store:
        assert store.count() == len(WORLD.cases)
        assert list(store.iter_cases()) == list(WORLD.cases)


def test_db_commands_on_the_exported_demo(
    files: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """init, import (twice: nothing changes), due, report, check, rebuild, export, apply."""
    ledger, org, campaign = files
    db = ["--db", f"sqlite:///{tmp_path / 'x.db'}"]
    assert main(["db", "init", *db]) == 0
    assert main(["db", "import", ledger, *db]) == 0
    assert "480 case(s) added" in capsys.readouterr().err
    assert main(["db", "import", ledger, *db]) == 0
    assert "0 case(s) added, 0 extended, 480 unchanged, 0 event(s)" in capsys.readouterr().err
    assert main(["db", "due", *db, "--as-of", AS_OF, "--within", "3"]) == 0
    from_store = capsys.readouterr().out
    assert main(["due", ledger, "--as-of", AS_OF, "--within", "3"]) == 0
    assert sorted(from_store.splitlines()) == sorted(capsys.readouterr().out.splitlines())
    assert main(["db", "report", *db, "--org", org, "--campaign", campaign, "--as-of", AS_OF]) == 0
    from_store = capsys.readouterr().out
    assert main([*_report(files), "--as-of", AS_OF]) == 0
    assert from_store == capsys.readouterr().out
    assert main(["db", "check", *db]) == 0
    assert main(["db", "rebuild", *db]) == 0
    assert main(["db", "export", *db, "-o", str(tmp_path / "out.jsonl")]) == 0
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == Path(ledger).read_text(
        encoding="utf-8"
    )
    change = tmp_path / "notify.json"
    change.write_text('{"kind": "withdrawn", "reason": "撤回"}', encoding="utf-8")
    at = "2026-11-28T09:00:00+08:00"
    case = WORLD.cases[-1]
    version = len(case.events)
    stale = [*db, "--at", at, "--expected-version", str(version - 1)]
    assert main(["db", "apply", case.id, str(change), *stale]) == 1
    assert "expected version" in capsys.readouterr().err
    fresh = [*db, "--at", at, "--expected-version", str(version)]
    assert main(["db", "apply", case.id, str(change), *fresh]) == 0
    event = json.loads(capsys.readouterr().out)
    assert event["seq"] == version + 1
    assert event["change"]["kind"] == "withdrawn"
    assert main(["db", "apply", "NO-SUCH-CASE", str(change), *db, "--at", at]) == 1


def _registration(path: Path) -> Path:
    """A registration received on 2026-12-28: its clocks fall due in 2027 (past the data)."""
    change = x.changes.Register(
        case_id="CAL-1",
        received_at=dt.datetime(2026, 12, 28, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        channel=x.vocabulary.Channel.LETTER,
        receiving_unit="HQ",
        petitioners=[x.personal.Petitioner(name="李四")],
        claims=[x.changes.Claim(request="退还押金", facts="拖欠")],
    )
    path.write_text(
        json.dumps(x.to_dict(change, reveal_personal_data=True), ensure_ascii=False),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("calendar", ["default", "strict", "file"])
def test_db_commands_project_under_the_calendar_given(
    calendar: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every db command takes the calendar options: the same options, the same projections."""
    options = {
        "default": [],
        "strict": ["--strict-calendar"],
        "file": ["--calendar", str(_filled_template(tmp_path))],
    }[calendar]
    db = ["-q", "--db", f"sqlite:///{tmp_path / 'cal.db'}", *options]
    change = str(_registration(tmp_path / "register.json"))
    assert main(["db", "init", *db]) == 0
    assert main(["db", "apply", "CAL-1", change, *db, "--at", "2026-12-28T10:00:00+08:00"]) == 0
    assert main(["db", "check", *db]) == 0
    assert main(["db", "rebuild", *db]) == 0
    assert main(["db", "check", *db]) == 0
    ledger = tmp_path / "out.jsonl"
    assert main(["db", "export", *db, "--reveal-personal-data", "-o", str(ledger)]) == 0
    again = ["-q", "--db", f"sqlite:///{tmp_path / 'again.db'}", *options]
    assert main(["db", "import", str(ledger), *again]) == 0
    assert main(["db", "check", *again]) == 0
    capsys.readouterr()


def test_db_rebuild_with_new_calendar_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Provisional projections differ from strict ones; `db rebuild` with the new options."""
    db = ["-q", "--db", f"sqlite:///{tmp_path / 'cal.db'}"]
    change = str(_registration(tmp_path / "register.json"))
    assert main(["db", "apply", "CAL-1", change, *db, "--at", "2026-12-28T10:00:00+08:00"]) == 0
    assert main(["db", "check", *db]) == 0
    capsys.readouterr()
    assert main(["db", "check", *db, "--strict-calendar"]) == 1
    assert "案件 CAL-1: 时限投影与按日志重算的不符" in capsys.readouterr().out
    assert main(["db", "rebuild", *db, "--strict-calendar"]) == 0
    assert main(["db", "check", *db, "--strict-calendar"]) == 0
    assert main(["db", "check", *db]) == 1
