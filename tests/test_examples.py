"""Every script in examples/ runs and prints the answers the docs promise.

The scripts run in one Python process started for this module (each in a fresh
``__main__`` namespace, with its own ``sys.argv``, as ``python SCRIPT ARGS``
would run it), not one process each: starting an interpreter and importing the
library cost more than most scripts take. The Dask sweep starts worker
processes of its own and runs alone, as a script.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BENCH = EXAMPLES.parent / "bench"
BENCHMARKS = ["calendar_bench.py", "cases_bench.py", "classify_bench.py", "columnar_bench.py"]

# Runs each (script, args) of the JSON on standard input as `python script args` would
# (sys.argv, the script's folder first on sys.path, run as __main__), capturing its
# output and exit code; prints one JSON list of the results.
_DRIVER = textwrap.dedent(
    """
    import contextlib, io, json, os, runpy, sys, traceback

    results = []
    for script, args in json.loads(sys.stdin.read()):
        out, err = io.StringIO(), io.StringIO()
        argv, path = sys.argv, list(sys.path)
        sys.argv = [script, *args]
        sys.path.insert(0, os.path.dirname(script))
        code = 0
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                runpy.run_path(script, run_name="__main__")
        except SystemExit as exc:
            if isinstance(exc.code, int) or exc.code is None:
                code = exc.code or 0
            else:
                code = 1
                err.write(str(exc.code))
        except BaseException:
            code = 1
            err.write(traceback.format_exc())
        finally:
            sys.argv, sys.path[:] = argv, path
        results.append([code, out.getvalue(), err.getvalue()])
    sys.stdout.write(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def bulletin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where campaign_bulletin.py is told to write its page."""
    return tmp_path_factory.mktemp("bulletin") / "b.html"


@pytest.fixture(scope="module")
def outputs(bulletin: Path) -> dict[str, tuple[int, str, str]]:
    """(exit code, stdout, stderr) of each script, run once in one process for the module."""
    runs = {
        "worked_examples.py": (EXAMPLES / "worked_examples.py", []),
        "case_lifecycle.py": (EXAMPLES / "case_lifecycle.py", []),
        "responsibility_demo.py": (EXAMPLES / "responsibility_demo.py", []),
        "intake_service.py": (EXAMPLES / "intake_service.py", []),
        "nightly_sweep.py": (EXAMPLES / "nightly_sweep.py", []),
        "campaign_bulletin.py": (EXAMPLES / "campaign_bulletin.py", [str(bulletin)]),
        **{name: (BENCH / name, ["--help"]) for name in BENCHMARKS},
    }
    proc = subprocess.run(
        [sys.executable, "-c", _DRIVER],
        input=json.dumps([[str(path), args] for path, args in runs.values()]),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    return {
        name: (int(code), str(out), str(err))
        for name, (code, out, err) in zip(runs, results, strict=True)
    }


def output(outputs: dict[str, tuple[int, str, str]], name: str) -> str:
    """The standard output of ``name``, which must have exited with 0."""
    code, out, err = outputs[name]
    assert code == 0, err
    return out


def run(name: str) -> str:
    """``python examples/name`` in a process of its own."""
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
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
        "sheet_import.py",  # run by tests/test_sheets_cli.py (needs the sheets extra)
        "store_host.py",  # run by tests/test_store_example.py, on both backends
        "worked_examples.py",
    ]


def test_worked_examples_script(outputs: dict[str, tuple[int, str, str]]) -> None:
    """The worked examples print the pinned due dates and the 2027 range error."""
    out = output(outputs, "worked_examples.py")
    assert "2025-01-26 Sun: working day" in out
    assert "2025-02-03 Mon: rest day" in out
    assert "5个工作日 from 2026-02-12 → due 2026-02-26" in out
    assert "60日 from 2025-08-08 → due 2025-10-09" in out
    assert "30日 from 2026-09-01 → due 2026-10-08" in out
    assert "CalendarRangeError" in out
    assert "due 2027-01-26 (PROVISIONAL)" in out


def test_case_lifecycle_script(outputs: dict[str, tuple[int, str, str]]) -> None:
    """The lifecycle example reaches re-review, pauses for the hearing and masks the ID."""
    out = output(outputs, "case_lifecycle.py")
    assert "handling           due 2025-11-06  met" in out
    assert "rereview_decision  due 2026-01-12  running" in out
    assert "听证5日不计入" in out
    assert "110105********002X" in out
    assert "11010519491231002X" not in out
    assert "replay equals the case: True" in out


def test_responsibility_demo_script(outputs: dict[str, tuple[int, str, str]]) -> None:
    """The corps demo assigns the head, refuses him after the interest, and climbs upward."""
    out = output(outputs, "responsibility_demo.py")
    assert "assigned lead_official: d1-head" in out
    assert "refused: RecusalError" in out
    assert "第二十八条第三款" in out
    assert "after recusal the policy proposes lead_official: hq-deputy" in out
    assert "chains still to change: ()" in out
    assert "tell hq-head    as superior_head      about handling" in out
    assert "skipped d1-head (unit_head)" in out


def test_intake_service_script(outputs: dict[str, tuple[int, str, str]]) -> None:
    """The intake example classifies, assigns by policy, and returns clocks as JSON."""
    data = json.loads(output(outputs, "intake_service.py"))
    assert data["classification"]["route"] == "ordinary"
    assert "task_force" in data["classification"]["tactics"]
    assert ["lead_official", "D3-H"] in data["chain"]
    assert any(c["limit"] == "handling" for c in data["clocks"])
    assert "11010519491231002X" not in json.dumps(data)


def test_nightly_sweep_script(outputs: dict[str, tuple[int, str, str]]) -> None:
    """The sweep prints who must be told and a summary."""
    out = output(outputs, "nightly_sweep.py")
    assert "tell" in out
    assert "480 cases" in out
    assert "notifications per official:" in out


@pytest.mark.dask
def test_nightly_sweep_dask_script() -> None:
    """The Dask sweep of a companion with an update's deltas equals one process."""
    pytest.importorskip("pyarrow")
    pytest.importorskip("distributed")
    out = run("nightly_sweep_dask.py")
    assert "today's update: 168 cases, 7 delta files beside the base files" in out  # merged
    # Issue 20: the 93 accusations are on the accusation route (Art. 30): no handling
    # (93) or review-request (86) clocks, 2836 before.
    assert "480 cases, 3461 clocks" in out  # issue 26: +268 plan deadlines, +536 plan steps
    assert "equal to one process: clocks and campaign counts" in out


@pytest.mark.spark
def test_nightly_sweep_spark_script() -> None:
    """The Spark sweep (mapInArrow, local[2]) of the committed files, merged, equals one process."""
    pytest.importorskip("pyspark")
    out = run("nightly_sweep_spark.py")
    assert "today's update: 168 cases, 7 delta files beside the base files" in out  # merged
    # Issue 20: the 93 accusations are on the accusation route (Art. 30): no handling
    # (93) or review-request (86) clocks, 2836 before.
    assert "480 cases, 3461 clocks" in out  # issue 26: +268 plan deadlines, +536 plan steps
    assert "equal to one process: clocks and campaign counts" in out


def test_campaign_bulletin_script(outputs: dict[str, tuple[int, str, str]], bulletin: Path) -> None:
    """The bulletin example writes a self-contained HTML page."""
    out = output(outputs, "campaign_bulletin.py")
    assert bulletin.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "settled 258/320" in out


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmarks_at_least_parse_their_arguments(
    name: str, outputs: dict[str, tuple[int, str, str]]
) -> None:
    """Benchmark scripts stay importable and answer --help (they are not timed here)."""
    assert "usage:" in output(outputs, name)
