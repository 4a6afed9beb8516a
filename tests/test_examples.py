"""Every script in examples/ runs and prints the answers the docs promise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(name: str, *args: str, folder: Path = EXAMPLES) -> str:
    proc = subprocess.run(
        [sys.executable, str(folder / name), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_every_example_is_exercised() -> None:
    """No example script is left without a test."""
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == [
        "campaign_bulletin.py",
        "case_lifecycle.py",
        "intake_service.py",
        "nightly_sweep.py",
        "nightly_sweep_dask.py",
        "nightly_sweep_spark.py",
        "responsibility_demo.py",
        "store_host.py",  # run by tests/test_store_example.py, on both backends
        "worked_examples.py",
    ]


def test_worked_examples_script() -> None:
    """The worked examples print the pinned due dates and the 2027 range error."""
    out = run("worked_examples.py")
    assert "2025-01-26 Sun: working day" in out
    assert "2025-02-03 Mon: rest day" in out
    assert "5个工作日 from 2026-02-12 → due 2026-02-26" in out
    assert "60日 from 2025-08-08 → due 2025-10-09" in out
    assert "30日 from 2026-09-01 → due 2026-10-08" in out
    assert "CalendarRangeError" in out
    assert "due 2027-01-26 (PROVISIONAL)" in out


def test_case_lifecycle_script() -> None:
    """The lifecycle example reaches re-review, pauses for the hearing and masks the ID."""
    out = run("case_lifecycle.py")
    assert "handling           due 2025-11-06  met" in out
    assert "rereview_decision  due 2026-01-12  running" in out
    assert "听证5日不计入" in out
    assert "110105********002X" in out
    assert "11010519491231002X" not in out
    assert "replay equals the case: True" in out


def test_responsibility_demo_script() -> None:
    """The corps demo assigns the head, refuses him after the interest, and climbs upward."""
    out = run("responsibility_demo.py")
    assert "assigned lead_official: d1-head" in out
    assert "refused: RecusalError" in out
    assert "第二十八条第三款" in out
    assert "after recusal the policy proposes lead_official: hq-deputy" in out
    assert "chains still to change: ()" in out
    assert "tell hq-head    as superior_head      about handling" in out
    assert "skipped d1-head (unit_head)" in out


def test_intake_service_script() -> None:
    """The intake example classifies, assigns by policy, and returns clocks as JSON."""
    data = json.loads(run("intake_service.py"))
    assert data["classification"]["route"] == "ordinary"
    assert "task_force" in data["classification"]["tactics"]
    assert ["lead_official", "D3-H"] in data["chain"]
    assert any(c["limit"] == "handling" for c in data["clocks"])
    assert "11010519491231002X" not in json.dumps(data)


def test_nightly_sweep_script() -> None:
    """The sweep prints who must be told and a summary."""
    out = run("nightly_sweep.py")
    assert "tell" in out
    assert "480 cases" in out
    assert "notifications per official:" in out


def test_nightly_sweep_dask_script() -> None:
    """The Dask sweep runs on 2 worker processes and equals one process."""
    pytest.importorskip("pyarrow")
    pytest.importorskip("distributed")
    out = run("nightly_sweep_dask.py")
    assert "480 cases, 2836 clocks" in out
    assert "equal to one process: clocks and campaign counts" in out


@pytest.mark.spark
def test_nightly_sweep_spark_script() -> None:
    """The Spark sweep (mapInArrow on local[2]) equals one process."""
    pytest.importorskip("pyspark")
    out = run("nightly_sweep_spark.py")
    assert "480 cases, 2836 clocks" in out
    assert "equal to one process: clocks and campaign counts" in out


def test_campaign_bulletin_script(tmp_path: Path) -> None:
    """The bulletin example writes a self-contained HTML page."""
    target = tmp_path / "b.html"
    out = run("campaign_bulletin.py", str(target))
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "settled 258/320" in out


@pytest.mark.parametrize(
    "name", ["calendar_bench.py", "cases_bench.py", "classify_bench.py", "columnar_bench.py"]
)
def test_benchmarks_at_least_parse_their_arguments(name: str) -> None:
    """Benchmark scripts stay importable and answer --help (they are not timed here)."""
    assert "usage:" in run(name, "--help", folder=EXAMPLES.parent / "bench")
