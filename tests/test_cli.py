"""The xinfang command: demo, report, due, classify, validate; exit codes; no accusation leaks."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

import xinfang as x
from xinfang import report, serialization
from xinfang.cli import main
from xinfang.demo import demo_world

if TYPE_CHECKING:
    from pathlib import Path

WORLD = demo_world()


def test_demo_markdown_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    """`xinfang demo` prints the bulletin; twice gives the same text."""
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    assert main(["demo"]) == 0
    assert capsys.readouterr().out == first
    assert "信访事项专项攻坚行动通报" in first
    assert "截至 2026-11-27" in first


@pytest.mark.parametrize("fmt", ["html", "json"])
def test_demo_formats(fmt: str, tmp_path: Path) -> None:
    """HTML is one self-contained page without scripts; JSON parses."""
    out = tmp_path / f"b.{fmt}"
    assert main(["demo", "--format", fmt, "--lang", "en", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "html":
        assert text.startswith("<!DOCTYPE html>")
        assert "<script" not in text
        assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "<svg" in text
    else:
        data = json.loads(text)
        assert data["overall"]["targets"] == 320
        assert data["burndown"][0] == ["2026-03-01", 320]


def test_no_bulletin_shows_an_accusation(tmp_path: Path) -> None:
    """No rendered bulletin carries a petitioner or a claim of an accusation (Art. 30 ¶3)."""
    snap = x.snapshot(
        WORLD.campaign, WORLD.cases, WORLD.org, as_of=WORLD.as_of, calendar=WORLD.calendar
    )
    texts = [
        report.render(snap, format=f, lang=lang)
        for f in ("md", "html", "json")
        for lang in ("zh", "en")
    ]
    accusations = [c for c in WORLD.cases if c.category is x.Category.ACCUSATION]
    assert accusations
    secrets = {p.name for c in accusations for p in c.petitioners} | {
        cl.request for c in accusations for cl in c.claims
    }
    for text in texts:
        for secret in secrets:
            assert secret not in text


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    ledger = tmp_path / "ledger.jsonl"
    ledger.write_text(serialization.dump_ledger(WORLD.cases), encoding="utf-8")
    org = tmp_path / "org.toml"
    org.write_text(serialization.to_toml(WORLD.org), encoding="utf-8")
    campaign = tmp_path / "campaign.toml"
    campaign.write_text(serialization.to_toml(WORLD.campaign), encoding="utf-8")
    return ledger, org, campaign


def test_report_on_files_equals_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same world written to files gives the same bulletin through `xinfang report`."""
    ledger, org, campaign = _files(tmp_path)
    assert main(["demo", "--format", "json"]) == 0
    demo = json.loads(capsys.readouterr().out)
    args = ["report", str(ledger), "--org", str(org), "--campaign", str(campaign)]
    assert main([*args, "--as-of", "2026-11-27", "--provisional", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == demo


def test_due_lists_overdue_clocks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`xinfang due` lists clocks due soon or overdue, sorted by due date."""
    ledger, _, _ = _files(tmp_path)
    assert (
        main(["due", str(ledger), "--as-of", "2026-11-27", "--provisional", "--within", "5"]) == 0
    )
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert lines
    assert all(("overdue" in line) or ("due_soon" in line) or ("paused" in line) for line in lines)
    assert lines == sorted(lines)
    assert "clock(s) due within 5 working days" in out.err


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


def test_validate_reports_every_bad_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad records are listed with line number and field path; the exit code is 1."""
    good = serialization.to_json(WORLD.cases[0])
    doc = json.loads(good)
    doc["events"][0]["at"] = "yesterday"
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([good, json.dumps(doc), "{", good]) + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr()
    assert f"{path}:2: $.events[0].at:" in out.out
    assert f"{path}:3: $:" in out.out
    assert "2 valid, 2 invalid" in out.err
    assert main(["validate", str(tmp_path / "missing.jsonl")]) == 2


def test_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    """Every command answers --help with exit code 0."""
    for cmd in ([], ["demo"], ["report"], ["due"], ["classify"], ["validate"]):
        with pytest.raises(SystemExit) as info:
            main([*cmd, "--help"])
        assert info.value.code == 0
    capsys.readouterr()
