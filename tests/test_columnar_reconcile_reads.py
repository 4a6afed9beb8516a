"""The columnar sweep's reconciliation reads the cases it may not place in one batch.

A lean Parquet journal has only the fold's columns in memory: a case the
campaign's rule may not place is read whole from the dataset to decide it
by the value rule. Reading them one read each made a 500,000-case sweep
quadratic (columnar_bench part (b)); these tests count the reads.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import xinfang as x
from test_reconciliation import ORG  # the same three-unit organisation

from helpers import examples, register, t

if TYPE_CHECKING:
    from pathlib import Path

CAMPAIGN = x.Campaign(
    id="c",
    name="攻坚",
    units=["D1", "D2"],
    start=dt.date(2026, 3, 1),
    end=dt.date(2026, 12, 31),
    targets=["N-000", "N-001"],
)
AS_OF = dt.date(2026, 6, 30)
#: How each case goes: placed, or stopped at an unknown handling unit (by id), an
#: unknown responsible unit, an unknown official; or an unknown receiving unit the rule never reads.
SHAPES = (
    "placed",
    "handled_by:省局",
    "handled_by:第二支队",
    "responsible",
    "official",
    "receiving",
)


def _case(k: int, shape: str) -> x.Case:
    day = t(2026, 4, 1)
    steps: list[x.Change] = [
        register(day, case_id=f"N-{k:03d}", receiving_unit="D9" if shape == "receiving" else "HQ")
    ]
    if shape in {"placed", "receiving"}:
        steps.append(x.changes.Assign(to_unit="D1", report_back_by=dt.date(2026, 5, 1)))
    elif shape.startswith("handled_by:"):
        steps.append(
            x.changes.Assign(to_unit=shape.split(":")[1], report_back_by=dt.date(2026, 5, 1))
        )
    elif shape == "responsible":
        steps.append(
            x.changes.AssignRole(
                role=x.vocabulary.Role.RESPONSIBLE_UNIT, holder="D7", reason="属地"
            )
        )
    else:
        steps.append(
            x.changes.AssignRole(
                role=x.vocabulary.Role.LEAD_OFFICIAL, holder="D1-HH", reason="包案"
            )
        )
    return x.replay(x.Event(seq=i, at=day, by="c", change=ch) for i, ch in enumerate(steps, 1))


def _lean(cases: list[x.Case], folder: Path) -> tuple[x.columnar.Journal, list[list[str]]]:
    """The cases written to Parquet and read back lean, with a log of the ids each read asks for."""
    path = folder / "journal.parquet"
    x.columnar.write_journal(x.columnar.journal_from_cases(cases), path)
    journal = x.columnar.read_journal(path, lean=True)
    reads: list[list[str]] = []
    whole = journal.whole
    assert whole is not None

    def logged(ids: Any) -> Any:
        reads.append(list(ids))
        return whole(ids)

    return attrs.evolve(journal, whole=logged), reads


@settings(max_examples=examples(10), deadline=None)
@given(shapes=st.lists(st.sampled_from(SHAPES), min_size=1, max_size=30))
def test_the_sweep_reads_the_cases_it_may_not_place_once(
    shapes: list[str], tmp_path_factory: Any
) -> None:
    """journal_snapshot of a lean Parquet journal equals snapshot, with one read of the dataset."""
    cases = [_case(k, shape) for k, shape in enumerate(shapes)]
    journal, reads = _lean(cases, tmp_path_factory.mktemp("lean"))
    got = x.columnar.journal_snapshot(journal, CAMPAIGN, ORG, as_of=AS_OF)
    assert got == x.snapshot(CAMPAIGN, cases, ORG, as_of=AS_OF)
    assert len(reads) <= 1
    # a case stopped at an unknown handling unit is decided from the columns, not read
    each = sum(s in {"responsible", "official"} for s in shapes)
    assert sum(map(len, reads)) <= each


def test_many_cases_stopped_at_one_unknown_unit_are_decided_from_the_columns(
    tmp_path: Path,
) -> None:
    """Forty cases assigned to a unit the organisation lacks: none read, forty not placed."""
    cases = [_case(k, "handled_by:省局") for k in range(40)] + [_case(40, "placed")]
    journal, reads = _lean(cases, tmp_path)
    snap = x.columnar.journal_snapshot(journal, CAMPAIGN, ORG, as_of=AS_OF)
    assert snap == x.snapshot(CAMPAIGN, cases, ORG, as_of=AS_OF)
    assert snap.reconciliation.not_placed == 40
    assert reads == []
