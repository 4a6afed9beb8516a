"""The sweep from milestones decides a case stopped at an unknown unit from its columns (issue 25).

A case whose campaign rule reaches an unknown handling or receiving unit
first is not placed (docs/campaign.md, the reconciliation). The sweep gives
it, without reading the case as a value, the problem ``unplaced_cases``
gives it: ``unknown_unit_problems`` is the one form of that problem, used by
both.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xinfang as x
from shared_world import world
from test_columnar_reconcile_reads import AS_OF, CAMPAIGN, SHAPES, _case
from test_reconciliation import ORG, WRONG
from xinfang.campaign import snapshot_counts, unknown_unit_problems, unplaced_cases
from xinfang.columnar import _companion
from xinfang.strategies import cases

from helpers import examples, register, require, t

if TYPE_CHECKING:
    from pathlib import Path

require("pyarrow", "the companion needs xinfang[columnar]")


def _stopped(unit: str, field: str) -> x.Case:
    """A case whose rule reaches ``unit`` first in ``field`` (HQ: known, in no campaign unit)."""
    day = t(2026, 4, 1)
    handling = unit if field == "handling_unit" else "HQ"
    steps: list[x.Change] = [
        register(day, case_id="S-1", receiving_unit="HQ" if field == "handling_unit" else unit),
        x.changes.Assign(to_unit=handling, report_back_by=dt.date(2026, 5, 1)),
    ]
    return x.replay(x.Event(seq=i, at=day, by="c", change=ch) for i, ch in enumerate(steps, 1))


@settings(max_examples=examples(12), deadline=None)
@given(unit=st.sampled_from(WRONG), field=st.sampled_from(["handling_unit", "receiving_unit"]))
def test_the_column_problem_is_the_value_rules(unit: str, field: str) -> None:
    """unknown_unit_problems gives what unplaced_cases gives the case (its source aside)."""
    case = _stopped(unit, field)
    (problem,) = unknown_unit_problems(field, [unit], ORG)
    found = unplaced_cases([case], ORG, CAMPAIGN)
    assert found[0] == attrs.evolve(problem, index=0, case_id=case.id, source=found[0].source)


#: The shapes decided from the columns (an unknown responsible unit or official is read).
COLUMNS_DECIDE = [s for s in SHAPES if s not in {"responsible", "official"}]


@settings(max_examples=examples(8), deadline=None)
@given(shapes=st.lists(st.sampled_from(COLUMNS_DECIDE), min_size=1, max_size=24))
def test_the_companion_alone_counts_cases_stopped_at_a_unit(
    shapes: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """From a companion table and no journal (no case can be read): the value path's counts."""
    cases = [_case(k, shape) for k, shape in enumerate(shapes)]
    where = tmp_path_factory.mktemp("alone") / "j.parquet"
    x.columnar.write_journal(x.columnar.journal_from_cases(cases), where)
    rows = x.columnar.read_milestones(where)
    got = x.columnar.sweep_milestones(rows, AS_OF, campaign=CAMPAIGN, org=ORG)
    assert got.counts == snapshot_counts(CAMPAIGN, cases, ORG, as_of=AS_OF)


@settings(max_examples=examples(10), deadline=None)
@given(
    many=st.lists(cases(max_steps=12), min_size=1, max_size=8, unique_by=lambda c: c.id),
    rulebook=st.sampled_from(x.rulebook.bundled_rulebooks()),
    size=st.integers(1, 3),
)
def test_a_sweep_in_slices_is_one_run(
    tmp_path_factory: pytest.TempPathFactory, many: list[x.Case], rulebook: str, size: int
) -> None:
    """The engine run on slices of a few cases: the journal's clocks (rows, order, limits)."""
    rb = x.bundled_rulebook(rulebook)
    cal = x.china_mainland(provisional=True)
    where = tmp_path_factory.mktemp("slices") / "j.parquet"
    x.columnar.write_journal(x.columnar.journal_from_cases(many), where)
    day = max(c.events[-1].at.date() for c in many) + dt.timedelta(days=30)
    want = x.columnar.journal_clocks(
        x.columnar.read_journal(where), as_of=day, rulebook=rb, calendar=cal
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_companion, "SLICE", size)
        got = x.columnar.sweep_milestones(where, day, rulebook=rb, calendar=cal)
    assert got.clocks.equals(want.clocks)


def test_the_demo_swept_in_slices_counts_as_one_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The demo corps in slices of 7 cases: the clocks and campaign counts of the journal."""
    w = world()
    where = tmp_path / "j"
    x.columnar.write_journal(x.columnar.journal_from_cases(w.cases), where, partition_by=("year",))
    day = max(c.events[-1].at.date() for c in w.cases) + dt.timedelta(days=1)
    want = x.columnar.journal_clocks(
        x.columnar.read_journal(where),
        as_of=day,
        calendar=w.calendar,
        campaign=w.campaign,
        org=w.org,
    )
    monkeypatch.setattr(_companion, "SLICE", 7)
    got = x.columnar.sweep_milestones(
        where, day, calendar=w.calendar, campaign=w.campaign, org=w.org
    )
    assert got.clocks.equals(want.clocks)
    assert got.counts == want.counts
