"""The conformance suite: every pinned ledger through every path, one verdict.

Each ``ledgers/<rule>.jsonl`` holds a few cases, one that breaks the rule and
one that passes; ``ledgers/<rule>.toml`` says, per run (some of its lines,
read together), the verdict, a part of the problem's text and of its
article, and the due date of every open clock as of a day (computed by hand
from the calendar). Every path must give that verdict and, where it refuses,
exactly the problems :func:`xinfang.load_ledger` gives; where it accepts,
exactly the clocks (see ``docs/conformance.md``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Final

import harness
import pytest
from harness import Outcome, Run

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    import xinfang as x

RUNS: Final = harness.runs()
BACKENDS: Final = ("sqlite", "postgresql")
PATHS: Final = (
    "replay",
    "load_journal",
    "apply",
    *(f"store:{b}:{m}" for b in BACKENDS for m in ("columns", "values")),
)
_REFERENCE: dict[str, Outcome] = {}


def reference(run: Run) -> Outcome:
    """What :func:`xinfang.load_ledger` makes of the run (the words every path must use)."""
    if run.id not in _REFERENCE:
        _REFERENCE[run.id] = harness.replay(run)
    return _REFERENCE[run.id]


def _expected_clocks(run: Run) -> dict[tuple[str, str], dt.date]:
    """The run's pinned open clocks: (case id, limit) → due date."""
    return {
        (case_id, key): due
        for case_id, by_key in run.expect.get("clocks", {}).items()
        for key, due in by_key.items()
    }


def _path(name: str, run: Run, store: Callable[[str, str, bool], x.Store]) -> Outcome:
    if name == "replay":
        return reference(run)
    if name == "load_journal":
        return harness.load_journal(run)
    if name == "apply":
        return harness.apply_path(run)
    _, backend, mode = name.split(":")
    return harness.store_path(
        store(backend, run.rulebook, mode == "columns"), columnar=mode == "columns"
    )(run)


#: (run, path): every path of every run, but those a run's ``not_on`` leaves out; a
#: known disagreement (``xfail = {path = "why"}``) is a strict xfail: fixed, it fails.
CASES: Final = [
    pytest.param(
        run,
        path,
        id=f"{run.id}-{path}",
        marks=[
            pytest.mark.xfail(strict=True, reason=why)
            for p, why in run.expect.get("xfail", {}).items()
            if p == path
        ],
    )
    for run in RUNS
    for path in PATHS
    if path not in run.expect.get("not_on", ())
]


@pytest.mark.parametrize(("run", "path"), CASES)
def test_every_path_gives_the_pinned_verdict(
    run: Run, path: str, conformance_store: Callable[[str, str, bool], x.Store]
) -> None:
    """The pinned verdict, problem, article and open clocks, on this path (narwhals-style)."""
    expect = run.expect
    verdict = expect.get("apply", expect["verdict"]) if path == "apply" else expect["verdict"]
    got = _path(path, run, conformance_store)
    problem = (
        expect.get("apply_problem", expect.get("problem"))
        if path == "apply"
        else expect.get("problem")
    )
    assert got.verdict == verdict, (got.problems, got.rule)
    if verdict == "refused":
        words = " ".join(f"{p}: {m} [rule: {got.rule}]" for p, m in got.problems)
        assert problem and problem in words
        article = expect.get("article")
        if article is not None:
            assert article in words
        if path != "apply":
            assert got.problems == reference(run).problems  # the same words on every ledger path
        return
    want = _expected_clocks(run)
    found = {(r[0], r[1]): r[3] for r in got.open_clocks}
    assert found == want
    if path != "store" and not path.startswith("store:"):
        assert got.clocks == reference(run).clocks  # every started clock, met and lapsed too
        assert [c.events for c in got.cases] == [c.events for c in reference(run).cases]
    if path == "load_journal" and expect.get("column_fold", True):
        assert all(got.certified), "the column fold handed a passing case to the value path"


def _pinned(key: str) -> set[str]:
    return {name for _, spec in harness.expectations() for name in spec.get(key, ())}


def test_every_guard_of_the_spec_has_a_pinned_ledger() -> None:
    """Each guard in xinfang.transitions.GUARDS is pinned by a ledger (and no pin names another)."""
    spec = importlib.import_module("xinfang.transitions")
    guards = set(spec.GUARDS)
    pinned = _pinned("guards")
    assert guards - pinned == set(), "guards with no pinned ledger"
    assert pinned - guards == set(), "ledgers pinning a guard the spec does not name"


#: The fold's own order rules (``xinfang.case``: no guard of the spec, one refusal each).
ORDER_RULES: Final = {
    "first_registered": "the first event must be 'registered'",
    "events_in_order": "is before the previous one",
    "seq_numbered": "expected event seq",
    "one_registration": "the case is already registered",
}


def test_every_refusal_of_the_fold_is_pinned() -> None:
    """Every order rule the fold refuses with (outside the spec's guards) is pinned by a ledger."""
    package = Path(importlib.import_module("xinfang.case").__file__ or "").parent
    source = "".join(p.read_text("utf-8") for p in sorted(package.glob("*.py")))
    for name, words in ORDER_RULES.items():
        assert words in source, f"{name}: the fold's words changed, update ORDER_RULES"
    assert set(ORDER_RULES) <= _pinned("refusals")


def test_every_ledger_breaks_and_passes() -> None:
    """Each pinned ledger has its lines and a case that breaks its rule and one that passes."""
    by_rule: dict[str, set[str]] = {}
    for run in RUNS:
        verdicts = {run.expect["verdict"], run.expect.get("apply", run.expect["verdict"])}
        by_rule.setdefault(run.rule, set()).update(verdicts)
    for stem, spec in harness.expectations():
        assert (harness.LEDGERS / f"{stem}.jsonl").is_file(), stem
        if spec.get("guards") or spec.get("refusals"):  # a refusal: one case breaks, one passes
            assert by_rule[stem] == {"accepted", "refused"}, stem
        else:  # a rule that is a clock: cases it binds and cases it does not, by their clocks
            assert spec.get("items"), f"{stem} pins no rule"
            clocks = [repr(run.expect.get("clocks")) for run in RUNS if run.rule == stem]
            assert len(set(clocks)) >= 2, f"{stem}: the clocks do not tell its cases apart"
