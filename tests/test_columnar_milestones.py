"""The milestones companion: swept alone, what the journal gives; updated, what a refold gives.

``write_journal`` writes the fold beside the journal (``<journal>.milestones``,
partitioned alike); ``sweep_milestones`` reads only it; ``update_milestones``
appends events, refolds the touched cases and rewrites only their partitions;
``check_milestones`` refolds and compares.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xinfang as x
from shared_world import world
from xinfang.strategies import cases

from helpers import examples, require

if TYPE_CHECKING:
    from pathlib import Path

require("pyarrow", "the companion needs xinfang[columnar]")

import pyarrow as pa  # noqa: E402 - after the optional dependency check

from xinfang import columnar  # noqa: E402

PARTITIONS = [(), ("year",), ("year", "unit")]


def journal_path(folder: Path, by: tuple[str, ...]) -> Path:
    """A file journal without partitions, a folder with them."""
    return folder / ("j" if by else "j.parquet")


def last_day(many: list[x.Case]) -> dt.date:
    """A day on or after every case's last event (Asia/Shanghai)."""
    return max(c.events[-1].at.date() for c in many) + dt.timedelta(days=1)


def test_the_demo_sweep_from_the_companion_equals_the_journal_sweep(tmp_path: Path) -> None:
    """The demo corps (every change kind), by year and unit: clocks and campaign counts equal."""
    w = world()
    journal = columnar.journal_from_cases(w.cases)
    where = journal_path(tmp_path, ("year", "unit"))
    columnar.write_journal(journal, where, partition_by=("year", "unit"))
    start = last_day(list(w.cases))
    for day in (start, start + dt.timedelta(days=400)):
        cal = x.china_mainland(provisional=True)
        events = columnar.journal_clocks(
            columnar.read_journal(where), as_of=day, calendar=cal, campaign=w.campaign, org=w.org
        )
        alone = columnar.sweep_milestones(where, day, calendar=cal, campaign=w.campaign, org=w.org)
        assert alone.clocks.equals(events.clocks)
        assert alone.counts == events.counts
    assert columnar.check_milestones(where, sample=None) == []


@settings(max_examples=examples(12), deadline=None)
@given(
    many=st.lists(cases(max_steps=12), min_size=1, max_size=6, unique_by=lambda c: c.id),
    rulebook=st.sampled_from(x.rulebook.bundled_rulebooks()),
    later=st.integers(0, 500),
    by=st.sampled_from(PARTITIONS),
)
def test_random_cases_sweep_alike(
    tmp_path_factory: pytest.TempPathFactory,
    many: list[x.Case],
    rulebook: str,
    later: int,
    by: tuple[str, ...],
) -> None:
    """Random cases, any bundled rulebook, any later day: the journal's clocks, companion alone."""
    rb = x.bundled_rulebook(rulebook)
    cal = x.china_mainland(provisional=True)
    where = journal_path(tmp_path_factory.mktemp("companion"), by)
    columnar.write_journal(columnar.journal_from_cases(many), where, partition_by=by)
    day = last_day(many) + dt.timedelta(days=later)
    events = columnar.journal_clocks(
        columnar.read_journal(where), as_of=day, rulebook=rb, calendar=cal
    )
    alone = columnar.sweep_milestones(where, day, rulebook=rb, calendar=cal)
    assert alone.clocks.equals(events.clocks)


@settings(max_examples=examples(10), deadline=None)
@given(
    many=st.lists(cases(max_steps=12), min_size=1, max_size=6, unique_by=lambda c: c.id),
    data=st.data(),
    by=st.sampled_from(PARTITIONS),
)
def test_an_update_equals_a_full_refold(
    tmp_path_factory: pytest.TempPathFactory,
    many: list[x.Case],
    data: st.DataObject,
    by: tuple[str, ...],
) -> None:
    """Random cases stored short, the rest of some appended: the companion a full refold gives."""
    cut = [data.draw(st.integers(0, len(c.events)), label=c.id) for c in many]
    stored = [x.replay(c.events[:k]) for c, k in zip(many, cut, strict=True) if k]
    where = journal_path(tmp_path_factory.mktemp("update"), by)
    columnar.write_journal(columnar.journal_from_cases(stored), where, partition_by=by)
    rest = columnar.journal_from_cases(many).events
    offsets = [0]
    for c in many:
        offsets.append(offsets[-1] + len(c.events))
    rows = [
        offsets[j] + i
        for j, (c, k) in enumerate(zip(many, cut, strict=True))
        for i in range(k, len(c.events))
    ]  # the events not stored yet (whole new cases where the cut is 0)
    if rows:
        touched = columnar.update_milestones(where, rest.take(pa.array(rows)))
        assert touched == sum(1 for c, k in zip(many, cut, strict=True) if k < len(c.events))
    full = journal_path(tmp_path_factory.mktemp("full"), by)
    columnar.write_journal(columnar.journal_from_cases(many), full, partition_by=by)
    assert columnar.check_milestones(where, sample=None) == []
    got = columnar.read_milestones(where).sort_by("case_id")
    want = columnar.read_milestones(full).sort_by("case_id")
    assert got.equals(want)


def test_a_bad_update_writes_nothing(tmp_path: Path) -> None:
    """An event whose seq does not continue its case: refused whole, the files unchanged."""
    w = world()
    many = list(w.cases[:20])
    where = tmp_path / "j"
    columnar.write_journal(columnar.journal_from_cases(many), where, partition_by=("year",))
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert any(".milestones" in str(p) for p in before)
    events = columnar.journal_from_cases(many[:2]).events.slice(0, 1)  # seq 1 again
    with pytest.raises(x.InvalidDataError):
        columnar.update_milestones(where, events)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_a_check_finds_a_stale_row(tmp_path: Path) -> None:
    """A companion left behind by a journal rewritten without it: the check names the cases."""
    w = world()
    many = list(w.cases[:12])
    where = tmp_path / "j.parquet"
    columnar.write_journal(columnar.journal_from_cases(many), where)
    shorter = [x.replay(c.events[:1]) if i % 4 == 0 else c for i, c in enumerate(many)]
    changed = sorted(c.id for i, c in enumerate(many) if i % 4 == 0 and len(c.events) > 1)
    columnar.write_journal(columnar.journal_from_cases(shorter), where, milestones=False)
    assert columnar.check_milestones(where, sample=None) == changed
    assert set(columnar.check_milestones(where, sample=6, seed=1)) <= set(changed)


def test_a_past_day_is_refused_from_the_companion(tmp_path: Path) -> None:
    """A day before some case's last event needs the journal: refused, with the count."""
    w = world()
    where = tmp_path / "j.parquet"
    columnar.write_journal(columnar.journal_from_cases(w.cases), where)
    with pytest.raises(x.InvalidDataError, match="events after"):
        columnar.sweep_milestones(where, dt.date(2020, 1, 1))


def test_sweep_day_equals_the_journal_on_a_day_some_cases_passed(tmp_path: Path) -> None:
    """sweep_day: the companion for cases settled by the day, events for the rest; equal."""
    w = world()
    where = tmp_path / "j.parquet"
    columnar.write_journal(columnar.journal_from_cases(w.cases), where)
    rows = columnar.read_milestones(where)
    last = sorted(rows.column("last_event").to_pylist())
    day = last[len(last) // 2]  # half the cases have events after it
    assert last[-1] > day
    got = columnar.sweep_day(rows, where, day, calendar=w.calendar, campaign=w.campaign, org=w.org)
    want = columnar.journal_clocks(
        columnar.read_journal(where), as_of=day, calendar=w.calendar, campaign=w.campaign, org=w.org
    )

    def rows_of(table: pa.Table) -> list[tuple[Any, ...]]:
        return sorted(tuple(r.values()) for r in table.to_pylist())

    assert got.clocks.num_rows > 0
    assert rows_of(got.clocks) == rows_of(want.clocks)
    assert got.counts == want.counts
    assert got.cases + got.not_yet_registered == want.cases + want.not_yet_registered
