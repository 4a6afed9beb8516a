"""The clocks of many cases as one table of numpy columns (:func:`clock_table`).

Joins the column engine's parts (:func:`~xinfang.deadlines.clock_parts`)
into a :class:`ClockTable`, which gives them back as :class:`Clock` values
exactly as the per-case path lists them.
"""

from __future__ import annotations

import datetime as _dt
import types
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from xinfang.calendar import china_mainland
from xinfang.deadlines._clocks import Clock, as_of_date, last_report, limit_clock
from xinfang.deadlines._columns import CaseColumns
from xinfang.deadlines._parts import clock_parts
from xinfang.deadlines._plan import clock_columns, part_limits
from xinfang.deadlines._status import STATUSES, ClockStatus
from xinfang.periods import DEFAULT_TIMEZONE, CountingRule
from xinfang.rulebook import Limit, LimitKind, Rulebook, bundled_rulebook

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Mapping

    from xinfang.calendar import WorkCalendar
    from xinfang.case import Case

__all__ = ["ClockTable", "clock_table"]


class ClockTable:
    """The clocks of many cases as columns (numpy arrays), from :func:`clock_table`.

    Row ``r`` is the clock ``keys[limit[r]]`` of case ``case_ids[case[r]]``;
    rows are grouped by limit (in the rulebook's order), each group in the
    order of the input cases; :meth:`to_clocks` can return them per case,
    exactly as :func:`clocks` lists them. Date columns are ``datetime64[D]`` (``met_on``
    is NaT when the clock is not met); ``status`` holds indexes into
    :data:`STATUSES`; ``remaining_days`` and ``remaining_working_days`` are
    meaningful only where the status is open; ``last_report`` is the date of
    the case's last progress report (:func:`last_report`) on plan rows, NaT
    on other rows and where no report was made.
    """

    __slots__ = (
        "_rule",
        "calendar",
        "case",
        "cases",
        "due",
        "extended",
        "keys",
        "last_report",
        "limit",
        "limits",
        "met_on",
        "nominal",
        "paused",
        "provisional",
        "remaining_days",
        "remaining_working_days",
        "started",
        "status",
    )

    cases: tuple[Case, ...]
    keys: tuple[str, ...]
    limits: tuple[Limit, ...]
    case: Any
    limit: Any
    started: Any
    nominal: Any
    due: Any
    met_on: Any
    paused: Any
    extended: Any
    status: Any
    remaining_days: Any
    remaining_working_days: Any
    provisional: Any
    last_report: Any
    calendar: str
    _rule: CountingRule

    def __init__(self, **columns: Any) -> None:
        for name, value in columns.items():
            setattr(self, name, value)

    def __len__(self) -> int:
        return len(self.case)

    def counts(self) -> dict[ClockStatus, int]:
        """How many clocks have each status."""
        found = np.bincount(self.status, minlength=len(STATUSES))
        return {s: int(found[i]) for i, s in enumerate(STATUSES)}

    @property
    def case_ids(self) -> tuple[str, ...]:
        """The id of each input case, by position."""
        return tuple(case.id for case in self.cases)

    def to_clocks(self, *, by_case: bool = True) -> list[Clock]:
        """The rows as :class:`Clock` values.

        ``by_case=True`` orders them per case, then limit: equal to
        ``[c for case in cases for c in clocks(case, ...)]``.
        """
        out = []
        epoch = _EPOCH
        ids = self.case_ids
        rows = np.lexsort((self.limit, self.case)) if by_case else np.arange(len(self))
        for r in rows.tolist():
            lim: Limit = self.limits[self.limit[r]]
            status = STATUSES[self.status[r]]
            met = self.met_on[r]
            is_open = status.is_open
            started = _dt.date.fromordinal(int(self.started[r].astype(int)) + epoch)
            out.append(
                limit_clock(
                    lim,
                    ids[self.case[r]],
                    started=started,
                    nominal=_dt.date.fromordinal(int(self.nominal[r].astype(int)) + epoch),
                    due=_dt.date.fromordinal(int(self.due[r].astype(int)) + epoch),
                    paused=int(self.paused[r]),
                    extended=int(self.extended[r]),
                    status=status,
                    met_on=None
                    if np.isnat(met)
                    else _dt.date.fromordinal(int(met.astype(int)) + epoch),
                    remaining=int(self.remaining_days[r]) if is_open else None,
                    remaining_wd=int(self.remaining_working_days[r]) if is_open else None,
                    provisional=bool(self.provisional[r]),
                    calendar=self.calendar,
                    rule=self._rule,
                    last_report=None
                    if np.isnat(reported := self.last_report[r])
                    else _dt.date.fromordinal(int(reported.astype(int)) + epoch),
                )
            )
        return out


_EPOCH: Final = _dt.date(1970, 1, 1).toordinal()
#: The columns of a ClockPart that a ClockTable joins, with their dtype there.
_PART_COLUMNS: Final[Mapping[str, type[np.generic]]] = types.MappingProxyType(
    {
        **dict.fromkeys(("case", "started", "nominal", "due", "paused", "extended"), np.int64),
        "status": np.int8,
        "met_on": np.int64,
        "remaining_days": np.int64,
        "remaining_working_days": np.int64,
        "provisional": np.bool_,
    }
)


def clock_table(
    cases: Iterable[Case],
    *,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    due_soon: int = 3,
) -> ClockTable:
    """The clocks of many cases at once, vectorised with numpy.

    Same rules and results as :func:`clocks` for each case (a property test
    holds them equal), computed column by column (:func:`clock_parts` on
    the cases' :class:`CaseColumns`): the path for nightly sweeps and
    campaign snapshots over hundreds of thousands of cases. Raises what
    :func:`clocks` raises for the first case it would raise on.
    """
    rb = rulebook if rulebook is not None else bundled_rulebook()
    cal = calendar if calendar is not None else china_mainland()
    day = as_of_date(as_of, rb.counting.timezone or DEFAULT_TIMEZONE)
    columns = CaseColumns(cases, day, read=clock_columns(rb))
    parts = clock_parts(columns, rulebook=rb, calendar=cal, due_soon=due_soon)
    if parts:
        # Rows stay grouped by limit (plan order), each group in case order.
        cols = {
            k: np.concatenate([getattr(p, k) for p in parts], dtype=dtype)
            for k, dtype in _PART_COLUMNS.items()
        }
        limit = np.repeat(
            np.array([p.position for p in parts], dtype=np.int64), [len(p.case) for p in parts]
        )
    else:
        cols = {k: np.zeros(0, dtype=dtype) for k, dtype in _PART_COLUMNS.items()}
        limit = np.zeros(0, dtype=np.int64)

    def to_day(a: Any) -> Any:
        # In place: the concatenated columns are fresh copies, owned here.
        a -= _EPOCH
        return a.view("datetime64[D]")

    unmet = cols["met_on"] == 0
    met_col = to_day(cols["met_on"])
    met_col[unmet] = np.datetime64("NaT")
    limits = part_limits(rb, parts)
    # The last report's day on plan rows only: one look per case that has a plan clock.
    reports = np.full(len(limit), np.datetime64("NaT"), dtype="datetime64[D]")
    plan_rows = np.isin(
        limit, [i for i, lim in enumerate(limits) if lim.kind is LimitKind.PLAN]
    ).nonzero()[0]
    if len(plan_rows):
        cases = columns.cases
        seen: dict[int, Any] = {}
        for r in plan_rows.tolist():
            k = int(cols["case"][r])
            if k not in seen:
                found = last_report(cases[k], day)
                seen[k] = np.datetime64("NaT") if found is None else np.datetime64(found, "D")
            reports[r] = seen[k]
    return ClockTable(
        cases=tuple(columns.cases),
        keys=tuple(lim.key for lim in limits),
        limits=limits,
        case=cols["case"],
        limit=limit,
        started=to_day(cols["started"]),
        nominal=to_day(cols["nominal"]),
        due=to_day(cols["due"]),
        met_on=met_col,
        paused=cols["paused"],
        extended=cols["extended"],
        status=cols["status"],
        remaining_days=cols["remaining_days"],
        remaining_working_days=cols["remaining_working_days"],
        provisional=cols["provisional"],
        last_report=reports,
        calendar=cal.name,
        _rule=rb.counting,
    )
