"""紧盯落实: the settlement plans' follow-up figures (stalled plans, deadlines moved later).

The stalled rule, per case and over columns, and the per-unit counts of
stalled plans and deadline moves (plans and steps overdue are counted with the
clocks, in :mod:`._counting`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from xinfang.campaign._placement import TERMINAL
from xinfang.deadlines import CODES, ColumnSource

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    from collections.abc import Callable

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign._model import Campaign
    from xinfang.case import Case
    from xinfang.rulebook import Rulebook

__all__ = [
    "plan_counts",
    "stalled",
    "stalled_since",
]


def stalled(case: Case, as_of: _dt.date, days: int) -> bool:
    """Whether ``case``'s settlement plan is stalled as of ``as_of`` (紧盯落实).

    Stalled: the case has a plan, is neither settled nor closed, and its last
    progress report (进展情况; none yet: the first plan's day) is more than
    ``days`` days before ``as_of`` (the campaign's ``stalled_after_days``).
    """
    on = case.on
    last = on.progress_reported or on.plan_set
    if case.plan is None or last is None or case.settled or case.is_terminal:
        return False
    return bool(stalled_since(last.toordinal(), as_of.toordinal(), days))


def stalled_since(last: Any, day: Any, days: Any) -> Any:
    """The stalled rule's one form: more than ``days`` days from ``last`` (ordinals) to ``day``.

    Scalars or numpy arrays (the snapshot counts columns with it).
    """
    return (day - last) > days


def plan_counts(
    campaign: Campaign,
    cols: ColumnSource,
    *,
    count_by_unit: Callable[[Any], Any],
    sum_by_unit: Callable[[Any], Any],
    as_of: _dt.date,
    rulebook: Rulebook | None,
    calendar: WorkCalendar | None,
) -> dict[str, Any]:
    """紧盯落实 per unit: plans stalled and deadlines moved later, from the columns.

    Plans and steps overdue are counted with the clocks (in :mod:`._counting`).
    """
    n = len(cols)
    plan = cols["plan"] != 0
    rows = np.flatnonzero(plan)
    stalled_mask = np.zeros(n, bool)
    moves = np.zeros(n, np.int64)
    if len(rows):
        settled, stage, reported, plan_set = cols.at(
            rows, "is_settled", "stage", "progress_reported", "plan_set"
        )
        last = np.where(reported > 0, reported, plan_set)
        active = (settled == 0) & ~np.isin(stage, [CODES[s] for s in TERMINAL]) & (last > 0)
        stalled_mask[rows] = active & stalled_since(
            last, as_of.toordinal(), campaign.stalled_after_days
        )
        moves[rows] = cols.at(rows, "deadline_moves")[0]

    return {
        "plans_stalled": count_by_unit(stalled_mask),
        "deadline_moves": sum_by_unit(moves),
        "cases_moved": count_by_unit(moves > 0),
    }
