"""Sweeps: a journal's clocks and campaign counts as of a day, through one run of the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import attrs
import numpy as np
import pyarrow.compute as pc

from xinfang.campaign import SnapshotCounts, finish_snapshot
from xinfang.columnar._api import Journal, journal_from_table, settle
from xinfang.columnar._cases import case_offsets
from xinfang.columnar._engine import Campaigned, run, spans_of, target_ids
from xinfang.columnar._fold import truncate
from xinfang.deadlines import as_of_day
from xinfang.errors import InvalidDataError

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    from collections.abc import Callable, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign, Snapshot
    from xinfang.case import Case
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook

__all__ = [
    "Sweep",
    "journal_clocks",
    "journal_snapshot",
    "journal_snapshot_counts",
    "sweep_table",
]


@attrs.frozen
class Sweep:
    """The clocks of a journal as of a day (:func:`journal_clocks`).

    ``clocks`` (:data:`CLOCKS_SCHEMA`): one row per clock that has started,
    grouped by limit in the rulebook's order; ``cases``: how many cases were
    swept; ``not_yet_registered``: cases of the journal skipped because they
    were registered after the day.
    """

    clocks: Any
    cases: int
    not_yet_registered: int
    #: The campaign's counts, when the sweep was given a campaign (one run of the engine).
    counts: SnapshotCounts | None = None


def _as_of(journal: Journal, day: _dt.date) -> tuple[Journal, int]:
    """The journal as it stood at the end of ``day``, and how many cases it leaves out."""
    last = journal.milestones.column("last_event")
    latest = pc.max(last).as_py()
    if latest is None or latest <= day:
        return journal, 0
    events, dropped = truncate(journal.events, day)
    return settle(events, whole=journal.whole, day=day), dropped


def _case_memo(
    journal: Journal,
) -> tuple[Callable[[int], Case], Callable[[Sequence[int]], list[Case]]]:
    """Case ``k`` as a value, and cases ``ks``, for the engine's rare per-case work (one memo).

    The engine asks for the cases with hearings (their pauses) one by one:
    the first request reads all of them in one pass over the events (or one
    read of a dataset), not one pass each; the cases a campaign's
    reconciliation reads come in one batch (one pass, one read).
    """
    memo: dict[int, Case] = {}

    def cases(ks: Sequence[int]) -> list[Case]:
        todo = [k for k in dict.fromkeys(ks) if k not in memo]
        if todo:
            memo.update(zip(todo, journal.cases(todo), strict=True))
        return [memo[k] for k in ks]

    def case(k: int) -> Case:
        if k not in memo:
            hearings = journal.milestones.column("hearings").to_numpy(zero_copy_only=False)
            batch = [i for i in np.flatnonzero(hearings > 0).tolist() if i not in memo]
            if k not in batch:
                batch.append(k)
            cases(batch)
        return memo[k]

    return case, cases


def _sweep(
    journal: Journal,
    as_of: _dt.date,
    *,
    rulebook: Rulebook | None,
    calendar: WorkCalendar | None,
    due_soon: int = 3,
    clocks: bool = True,
    count: Campaigned | None = None,
) -> Sweep:
    """The journal as of ``as_of`` through one run of the clock engine."""
    day = as_of_day(as_of, rulebook)
    then, skipped = _as_of(journal, day)
    found, later = None, 0
    if count is not None:  # the targets the journal has, and those registered after the day
        found = target_ids(journal.milestones, count.campaign)
        later = len(found) - len(target_ids(then.milestones, count.campaign))
    case_of, cases_of = _case_memo(then)
    table, counts = run(
        then.milestones,
        day=day,
        case_of=case_of,
        cases_of=cases_of,
        spans=lambda: spans_of(then.events, case_offsets(then.events)),
        rulebook=rulebook,
        calendar=calendar,
        due_soon=due_soon,
        clocks=clocks,
        count=count,
        events=then.events,
        not_yet=(skipped, later),
        targets_found=found,
    )
    return Sweep(clocks=table, cases=len(then), not_yet_registered=skipped, counts=counts)


def journal_clocks(
    journal: Journal,
    *,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    due_soon: int = 3,
    campaign: Campaign | None = None,
    org: Organization | None = None,
) -> Sweep:
    """Every started clock of the journal's cases as of ``as_of``.

    The rows equal :func:`xinfang.clock_table`'s for the same cases (one
    clock engine). Cases registered after ``as_of`` are skipped and counted
    (``clock_table`` refuses them); events after it are ignored. With a
    ``campaign`` and its ``org``, the sweep also counts the campaign
    (``Sweep.counts``, what :func:`journal_snapshot_counts` gives) from the
    same clocks (``due_soon`` must then be 3, the snapshot's).
    """
    count = None
    if campaign is not None:
        if org is None or due_soon != 3:
            raise InvalidDataError(
                [("campaign", "a sweep with a campaign needs its org, and due_soon=3")],
                source="journal_clocks",
            )
        count = Campaigned(campaign, org)
    return _sweep(
        journal, as_of, rulebook=rulebook, calendar=calendar, due_soon=due_soon, count=count
    )


def journal_snapshot_counts(
    journal: Journal,
    campaign: Campaign,
    org: Organization,
    *,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
) -> SnapshotCounts:
    """The campaign's :class:`~xinfang.campaign.SnapshotCounts` of the journal's cases.

    They add up, as the value path's do.
    """
    sweep = _sweep(
        journal,
        as_of,
        rulebook=rulebook,
        calendar=calendar,
        clocks=False,
        count=Campaigned(campaign, org),
    )
    return cast("SnapshotCounts", sweep.counts)  # counted: a campaign was given


def journal_snapshot(
    journal: Journal,
    campaign: Campaign,
    org: Organization,
    *,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
) -> Snapshot:
    """The campaign :class:`~xinfang.Snapshot` of the journal's cases, as ``snapshot`` gives it."""
    counts = journal_snapshot_counts(
        journal, campaign, org, as_of=as_of, rulebook=rulebook, calendar=calendar
    )
    return finish_snapshot(campaign, counts, org)


def sweep_table(
    table: Any,
    *,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    due_soon: int = 3,
) -> Any:
    """The per-partition function of a distributed sweep: journal rows in, clocks out (Arrow).

    ``table`` holds whole cases (a Parquet file or row group as
    :func:`write_journal` writes them; a Spark partition repartitioned by
    ``case_id`` and sorted by ``case_id, seq``); the result is
    :data:`CLOCKS_SCHEMA`. Runs unchanged in a Dask task or Spark's
    ``mapInArrow``.
    """
    journal = journal_from_table(table)
    return journal_clocks(
        journal, as_of=as_of, rulebook=rulebook, calendar=calendar, due_soon=due_soon
    ).clocks
