"""Clocks: every statutory time limit of a case, computed, explained and checked.

:func:`clocks` reads a case's milestones and a :class:`~xinfang.Rulebook` and
returns one :class:`Clock` per limit that has started: its due date (with
extension and paused hearing time), its status as of a date, what is left,
and an explanation naming the rule and article. Clocks never change the case.

The per-case loop is plain integer and ``datetime.date`` work on the
calendar's O(1) index, from a plan compiled once per rulebook.
"""

from __future__ import annotations

import datetime as _dt
import enum
import types
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np

from xinfang.calendar import china_mainland
from xinfang.case import MILESTONE_NAMES, Case, replay
from xinfang.errors import XinfangError
from xinfang.periods import (
    DEFAULT_TIMEZONE,
    CountingRule,
    Period,
    deadline_instant,
    local_date,
    period_end,
)
from xinfang.rulebook import Limit, LimitKind, Rulebook, bundled_rulebook
from xinfang.vocabulary import Category, Channel, Procedure, Rating, Route, Stage

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterable, Mapping

    import pendulum

    from xinfang.calendar import WorkCalendar
    from xinfang.changes import SettlementPlan

__all__ = [
    "Clock",
    "ClockStatus",
    "ClockTable",
    "clock_table",
    "clocks",
    "limit_due",
    "stage_as_of",
    "window_closed",
]


class ClockStatus(enum.Enum):
    """Where a clock stands as of a date.

    Open clocks: ``RUNNING``, ``DUE_SOON`` (within the due-soon threshold),
    ``OVERDUE`` (a duty past its due date), ``PAUSED`` (a hearing runs and the
    limit does not count hearing time). Closed clocks: ``MET`` (done in time),
    ``MISSED`` (done late, or made moot only after its due date),
    ``LAPSED`` (a window that closed unused), ``STOPPED`` (made moot by its
    due date: withdrawn, settled, superseded).
    """

    RUNNING = "running"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"
    LAPSED = "lapsed"
    STOPPED = "stopped"

    @property
    def is_open(self) -> bool:
        """Whether the clock still runs (or is paused)."""
        return self in _OPEN


_OPEN: Final = frozenset(
    {ClockStatus.RUNNING, ClockStatus.DUE_SOON, ClockStatus.OVERDUE, ClockStatus.PAUSED}
)


class Clock(NamedTuple):
    """One statutory clock of a case, as of a date (an immutable value).

    ``due`` is the last day (after extension, paused days and roll-forward);
    ``nominal`` the last day before rolling. ``remaining_days`` and
    ``remaining_working_days`` are ``None`` once the clock is closed; negative
    when overdue. ``provisional`` flags a due date decided by provisional
    calendar data.
    """

    case_id: str
    key: str
    title: str
    citation: str
    kind: LimitKind
    obligor: str
    starts: str
    started_on: _dt.date
    period: Period
    nominal: _dt.date
    due: _dt.date
    paused_days: int
    extended_days: int
    status: ClockStatus
    met_on: _dt.date | None
    remaining_days: int | None
    remaining_working_days: int | None
    provisional: bool
    calendar: str
    rule: CountingRule
    title_en: str = ""

    @property
    def deadline(self) -> pendulum.DateTime:
        """The last instant: 24:00 (or the rule's cutoff) of ``due``, aware."""
        return deadline_instant(self.due, self.rule)

    def explain(self, lang: str = "zh") -> str:
        """Which rule, start, pauses, extension and calendar made this clock."""
        extra_zh = []
        extra_en = []
        if self.extended_days:
            extra_zh.append(f"延长{self.extended_days}日")
            extra_en.append(f"extended by {self.extended_days} days")
        if self.paused_days:
            extra_zh.append(f"听证{self.paused_days}日不计入")
            extra_en.append(f"{self.paused_days} hearing days not counted")
        rolled = self.due != self.nominal
        if lang == "en":
            text = (
                f"{self.title_en or self.key}: {self.period.english()} from "
                f"{self.starts.replace('_', ' ')} on {self.started_on}"
            )
            if extra_en:
                text += f" ({', '.join(extra_en)})"
            text += f", due {self.due}"
            if rolled:
                text += f" (rolled forward from {self.nominal}, a rest day)"
            text += f"; {self.status.value.replace('_', ' ')}"
            if self.met_on:
                text += f" on {self.met_on}"
            elif self.status is ClockStatus.MISSED:
                text += " (made moot only after its due date, never done)"
            text += f". Rule: {self.citation}; calendar {self.calendar}."
            if self.provisional:
                text += " PROVISIONAL calendar data."
            return text
        since = _START_ZH.get(self.starts, self.starts)
        text = f"{self.title}:自{self.started_on}({since})起{self.period}"
        if extra_zh:
            text += f"({'，'.join(extra_zh)})"
        text += f",届满日{self.due}"
        if rolled:
            text += f"(原届满日{self.nominal}为休息日,顺延)"
        if self.status is ClockStatus.MISSED and not self.met_on:
            text += ";状态:超期未办结即终止"
        else:
            text += f";状态:{_STATUS_ZH[self.status]}"
        if self.met_on:
            text += f"({self.met_on})"
        text += f";依据:{self.citation};日历:{self.calendar}。"
        if self.provisional:
            text += "放假安排尚未公布,结果为暂定。"
        return text


_STATUS_ZH: Final = {
    ClockStatus.RUNNING: "进行中",
    ClockStatus.DUE_SOON: "即将到期",
    ClockStatus.OVERDUE: "已超期",
    ClockStatus.PAUSED: "暂停(听证)",
    ClockStatus.MET: "按期完成",
    ClockStatus.MISSED: "超期完成",
    ClockStatus.LAPSED: "期限届满未行使",
    ClockStatus.STOPPED: "已终止",
}

_START_ZH: Final = {
    "received": "收到之日",
    "forwarded": "收到转送、交办之日",
    "accepted": "受理之日",
    "opinion_delivered": "收到书面答复之日",
    "review_requested": "收到复查请求之日",
    "review_delivered": "收到复查意见之日",
    "rereview_requested": "收到复核请求之日",
}

_START_ATTR: Final = {
    "received": "received",
    "forwarded": "last_forwarded",
    "accepted": "accepted",
    "opinion_delivered": "opinion_delivered",
    "review_requested": "review_requested",
    "review_delivered": "review_delivered",
    "rereview_requested": "rereview_requested",
}


#: An end (or stop) seen from a start, where they differ: after a forwarding, "notified"
#: means the first notice on or after the latest receipt of the forwarded
#: matter (Art. 23 ¶3), not the case's first notice.
_END_ATTR: Final = {("forwarded", "notified"): "forward_notified"}


def _end_attr(starts: str, end: str) -> str:
    return _END_ATTR.get((starts, end), end)


class _Step(NamedTuple):
    limit: Limit
    start: Callable[[object], _dt.date | None]
    ends: tuple[Callable[[object], _dt.date | None], ...]
    stops: tuple[Callable[[object], _dt.date | None], ...]
    conditions: tuple[tuple[str, frozenset[object]], ...]
    extended: bool
    window: bool


def _plan(rb: Rulebook) -> tuple[_Step, ...]:
    """Compile the rulebook's clock limits once (cached on the rulebook)."""
    cached = rb._cache.get("clock_plan")
    if cached is not None:
        return cached  # type: ignore[return-value]
    enums: dict[str, type[enum.Enum]] = {
        "route": Route,
        "category": Category,
        "procedure": Procedure,
        "channel": Channel,
    }
    extended = {lim.extends for lim in rb.limits if lim.kind is LimitKind.CAP}
    steps = []
    for lim in rb.clock_limits:
        conditions = tuple(
            (name, frozenset(enums[name](code) for code in codes)) for name, codes in lim.applies_to
        )
        steps.append(
            _Step(
                limit=lim,
                start=attrgetter(_START_ATTR[lim.starts]),
                ends=tuple(attrgetter(_end_attr(lim.starts, e)) for e in sorted(lim.ends)),
                stops=tuple(attrgetter(_end_attr(lim.starts, e)) for e in sorted(lim.stops)),
                conditions=conditions,
                extended=lim.key in extended,
                window=lim.kind is LimitKind.WINDOW,
            )
        )
    plan = tuple(steps)
    rb._cache["clock_plan"] = plan
    return plan


def _as_of_date(as_of: _dt.date, timezone: str) -> _dt.date:
    return as_of if type(as_of) is _dt.date else local_date(as_of, timezone)


def _case_at(case: Case, day: _dt.date) -> Case:
    """The case as it stood at the end of ``day`` (events after it ignored)."""
    last = case.on.last_event
    if last is None or last <= day:
        return case
    kept = [e for e in case.events if e.at.date() <= day]
    if not kept:
        raise _not_yet(case, day)
    return replay(kept)


def _not_yet(case: Case, day: _dt.date) -> Exception:
    return XinfangError(
        f"case {case.id} was not yet registered on {day.isoformat()}",
        path="as_of",
        rule="a case has no clocks before it is registered",
    )


def _paused(case: Case, since: _dt.date, day: _dt.date) -> tuple[int, bool]:
    """Hearing days on or after ``since``, both ends included (a running one counts to ``day``).

    A hearing held on one day takes that day: 听证所需时间 (Art. 36 ¶2).
    """
    total = 0
    running = False
    for h in case.hearings:
        if h.start < since:
            continue
        end = h.end
        if end is None:
            running = True
            end = day
        total += (end - h.start).days + 1
    return total, running


def clocks(
    case: Case,
    *,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    due_soon: int = 3,
) -> tuple[Clock, ...]:
    """Every clock of ``case`` that has started, as of ``as_of`` (a date or aware instant).

    ``rulebook`` defaults to the 2022 regulation, ``calendar`` to the mainland
    calendar; ``due_soon`` is the threshold in working days for
    :attr:`ClockStatus.DUE_SOON`. Events after ``as_of`` are ignored.
    Raises :class:`~xinfang.CalendarRangeError` when a due date or the
    remaining working days need a day the calendar does not cover.
    """
    rb = rulebook if rulebook is not None else bundled_rulebook()
    cal = calendar if calendar is not None else china_mainland()
    rule = rb.counting
    day = _as_of_date(as_of, rule.timezone or DEFAULT_TIMEZONE)
    case = _case_at(case, day)
    return tuple(_clocks(case, day, rb, cal, due_soon))


def _clocks(
    case: Case,
    day: _dt.date,
    rb: Rulebook,
    cal: WorkCalendar,
    due_soon: int,
    *,
    only: str | None = None,
) -> Iterable[Clock]:
    rule = rb.counting
    on = case.on
    withdrawn = on.withdrawn
    between = cal.working_days_between
    out = []
    for step in _plan(rb):
        if only is not None and step.limit.key != only:
            continue
        started = step.start(on)
        if started is None:
            continue
        if step.conditions and not all(
            getattr(case, name) in allowed for name, allowed in step.conditions
        ):
            continue
        lim = step.limit
        ext = case.extension_days if step.extended else 0
        paused, running = _paused(case, started, day) if lim.pauses_for_hearing else (0, False)
        nominal, due, provisional = period_end(started, lim.period, cal, rule, ext + paused)
        met_on = None
        for get in step.ends:
            d = get(on)
            if d is not None and d >= started and (met_on is None or d < met_on):
                met_on = d
        remaining = remaining_wd = None
        if met_on is not None:
            status = ClockStatus.MET if met_on <= due else ClockStatus.MISSED
        elif withdrawn is not None or any(get(on) is not None for get in step.stops):
            stop_on = min(d for d in (withdrawn, *(get(on) for get in step.stops)) if d is not None)
            if stop_on > due and not running:  # made moot only after its due date
                status = ClockStatus.LAPSED if step.window else ClockStatus.MISSED
            else:
                status = ClockStatus.STOPPED
        elif day > due and step.window and not running:
            status = ClockStatus.LAPSED
        else:
            remaining = (due - day).days
            remaining_wd = between(day, due)
            if running:
                status = ClockStatus.PAUSED
            elif day > due:
                status = ClockStatus.OVERDUE
            elif remaining_wd <= due_soon:
                status = ClockStatus.DUE_SOON
            else:
                status = ClockStatus.RUNNING
        out.append(
            Clock(
                case.id,
                lim.key,
                lim.title,
                lim.citation,
                lim.kind,
                lim.obligor,
                lim.starts,
                started,
                lim.period,
                nominal,
                due,
                paused,
                ext,
                status,
                met_on,
                remaining,
                remaining_wd,
                provisional,
                cal.name,
                rule,
                lim.title_en,
            )
        )
    return out


def limit_due(
    case: Case,
    limit: Limit,
    rulebook: Rulebook,
    calendar: WorkCalendar,
    *,
    as_of: _dt.date,
) -> Clock | None:
    """The clock of one limit as of a date, or ``None`` if it has not started or does not apply."""
    found = _clocks(_case_at(case, as_of), as_of, rulebook, calendar, 0, only=limit.key)
    return next(iter(found), None)


def window_closed(
    case: Case,
    key: str,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
) -> bool:
    """Whether window ``key`` (e.g. ``"review_request"``) lapsed unused by ``as_of``."""
    rb = rulebook if rulebook is not None else bundled_rulebook()
    lim = rb.get(key)
    if lim is None:
        return False
    clock = limit_due(
        case, lim, rb, calendar if calendar is not None else china_mainland(), as_of=as_of
    )
    return clock is not None and clock.status is ClockStatus.LAPSED


def stage_as_of(
    case: Case,
    as_of: _dt.date,
    *,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
) -> Stage:
    """The stage of ``case`` as of a date: a reply whose review window lapsed is final.

    Likewise a review opinion whose re-review window lapsed (Arts. 35-36).
    Nothing needs to be recorded for that; ``case.stage`` is the recorded one.
    """
    stage = case.stage
    if stage is Stage.REPLIED and window_closed(case, "review_request", as_of, rulebook, calendar):
        return Stage.FINAL
    if stage is Stage.REVIEWED and window_closed(
        case, "rereview_request", as_of, rulebook, calendar
    ):
        return Stage.FINAL
    return stage


def handling_limit(case: Case, rulebook: Rulebook) -> Limit | None:
    """The handling duty (accepted → opinion) that applies to ``case``; one with a cap first."""
    found = None
    for step in _plan(rulebook):
        lim = step.limit
        if lim.kind is not LimitKind.DUTY or lim.starts != "accepted":
            continue
        if "opinion_issued" not in lim.ends:
            continue
        if step.conditions and not all(getattr(case, n) in a for n, a in step.conditions):
            continue
        if step.extended:
            return lim
        found = found or lim
    return found


# ------------------------------------------------------------ many cases
STATUSES: Final = tuple(ClockStatus)
_CODE: Final = {s: i for i, s in enumerate(STATUSES)}


class ClockTable:
    """The clocks of many cases as columns (numpy arrays), from :func:`clock_table`.

    Row ``r`` is the clock ``keys[limit[r]]`` of case ``case_ids[case[r]]``;
    rows are grouped by limit (in the rulebook's order), each group in the
    order of the input cases; :meth:`to_clocks` can return them per case,
    exactly as :func:`clocks` lists them. Date columns are ``datetime64[D]`` (``met_on``
    is NaT when the clock is not met); ``status`` holds indexes into
    :data:`STATUSES`; ``remaining_days`` and ``remaining_working_days`` are
    meaningful only where the status is open.
    """

    __slots__ = (
        "_rule",
        "calendar",
        "case",
        "cases",
        "due",
        "extended",
        "keys",
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
            out.append(
                Clock(
                    ids[self.case[r]],
                    lim.key,
                    lim.title,
                    lim.citation,
                    lim.kind,
                    lim.obligor,
                    lim.starts,
                    _dt.date.fromordinal(int(self.started[r].astype(int)) + epoch),
                    lim.period,
                    _dt.date.fromordinal(int(self.nominal[r].astype(int)) + epoch),
                    _dt.date.fromordinal(int(self.due[r].astype(int)) + epoch),
                    int(self.paused[r]),
                    int(self.extended[r]),
                    status,
                    None if np.isnat(met) else _dt.date.fromordinal(int(met.astype(int)) + epoch),
                    int(self.remaining_days[r]) if is_open else None,
                    int(self.remaining_working_days[r]) if is_open else None,
                    bool(self.provisional[r]),
                    self.calendar,
                    self._rule,
                    lim.title_en,
                )
            )
        return out


_EPOCH: Final = _dt.date(1970, 1, 1).toordinal()


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
    holds them equal), computed column by column from the cases' milestone
    ordinals: the path for nightly sweeps and campaign snapshots over
    hundreds of thousands of cases. Raises what :func:`clocks` raises for the
    first case it would raise on.
    """
    rb = rulebook if rulebook is not None else bundled_rulebook()
    cal = calendar if calendar is not None else china_mainland()
    day = _as_of_date(as_of, rb.counting.timezone or DEFAULT_TIMEZONE)
    items = list(cases)
    cols_in, col = case_columns(items, day)
    return _clock_table(items, cols_in, col, day=day, rb=rb, cal=cal, due_soon=due_soon)


#: Attribute columns of a case: name → how it reads one from a case value.
#: Enum-valued columns hold :data:`CODES` (0 for none).
CODES: Final[Mapping[object, int]] = types.MappingProxyType(
    {
        None: 0,
        **{
            m: i
            for e in (Route, Category, Procedure, Channel, Stage, Rating)
            for i, m in enumerate(e, start=1)
        },
    }
)
_ENUM_COLUMNS: Final = ("route", "category", "procedure", "channel", "stage", "rating")
_INT_COLUMNS: Final = ("extension_days", "beijing_visit", "skip_level", "settled_now")
#: Every column :func:`case_columns` can give: milestones as ordinals, then attributes.
COLUMNS: Final = (*MILESTONE_NAMES, *_ENUM_COLUMNS, *_INT_COLUMNS, "hearings", "plan")


def case_columns(
    items: list[Case], day: _dt.date, *, drop_unregistered: bool = False
) -> tuple[_Columns, dict[str, int]]:
    """The cases in ``items`` as columns (built on first use), as of ``day``.

    ``items`` is updated in place: cases with events after ``day`` are
    replaced by the case as it stood then, and with ``drop_unregistered``
    cases registered after ``day`` are removed (otherwise they are an error).
    """
    col = {name: i for i, name in enumerate(COLUMNS)}
    day_o = day.toordinal()
    if drop_unregistered:
        received = _column(items, "received")
        keep = received <= day_o
        if not keep.all():
            items[:] = [items[k] for k in np.flatnonzero(keep).tolist()]
    last = _column(items, "last_event")
    # Cases with events after as_of are seen as they stood then (rare: scalar replay).
    for k in np.flatnonzero(last > day_o).tolist():
        items[k] = _case_at(items[k], day)
    return _Columns(items), col


def _column(items: list[Case], name: str) -> Any:
    """One column of ``items`` as an int64 array (dates as ordinals, 0 for none)."""
    n = len(items)
    if name in _MILESTONE_SET:
        get = attrgetter(name)
        dates = list(map(get, map(attrgetter("on"), items)))
        lookup: dict[_dt.date | None, int] = {None: 0}
        lookup.update((d, d.toordinal()) for d in set(dates) if d is not None)
        return np.fromiter(map(lookup.__getitem__, dates), dtype=np.int64, count=n)
    if name in _ENUM_COLUMNS:
        return np.fromiter(
            map(CODES.__getitem__, map(attrgetter(name), items)), dtype=np.int64, count=n
        )
    if name == "hearings":
        return np.fromiter(map(len, map(attrgetter(name), items)), dtype=np.int64, count=n)
    if name == "plan":
        return np.fromiter(map(_plan_code, map(attrgetter(name), items)), dtype=np.int64, count=n)
    attr = "settled" if name == "settled_now" else name  # the flag, not the milestone
    return np.fromiter(map(attrgetter(attr), items), dtype=np.int64, count=n)


def _plan_code(plan: SettlementPlan | None) -> int:
    return 0 if plan is None else (2 if plan.is_complete else 1)


_MILESTONE_SET: Final = frozenset(MILESTONE_NAMES)


class _Columns:
    """The columns of a list of cases, each built on first use (int64)."""

    __slots__ = ("_cache", "_items")

    def __init__(self, items: list[Case]) -> None:
        self._items = items
        self._cache: dict[int, Any] = {}

    def __getitem__(self, j: int) -> Any:
        found = self._cache.get(j)
        if found is None:
            found = self._cache[j] = _column(self._items, COLUMNS[j])
        return found

    def raw(self, j: int) -> Any:
        """Column ``j`` (the same array as ``self[j]``)."""
        return self[j]


def _clock_parts(
    items: list[Case],
    cols_in: _Columns,
    col: dict[str, int],
    *,
    day: _dt.date,
    rb: Rulebook,
    cal: WorkCalendar,
    due_soon: int,
) -> tuple[tuple[_Step, ...], list[dict[str, Any]]]:
    """The rulebook's plan and, per limit that applies to some case, its clocks as columns.

    Each part holds one limit's rows (``step``: its index in the plan), in
    case order; dates are ordinals. Consumers that aggregate (a campaign
    snapshot) read the parts; :func:`_clock_table` joins them.
    """
    rule = rb.counting
    day_o = day.toordinal()
    n = len(items)
    plan = _plan(rb)
    ix = cal._ix
    base, size, count = ix.base, ix.size, ix.count
    cum_np, nth_np, _ = cal._np()
    nth_o = nth_np + _EPOCH  # working days as ordinals
    prov_np = np.asarray(ix.prov, dtype=np.int64)
    hearing_rows = np.flatnonzero(cols_in.raw(col["hearings"]) > 0).tolist()

    def first_error(rows: Any) -> Exception:
        k = int(rows[0])
        try:
            clocks(items[k], as_of=day, rulebook=rb, calendar=cal, due_soon=due_soon)
        except XinfangError as exc:
            return exc
        return XinfangError(  # pragma: no cover - scalar and vector agree
            f"case {items[k].id}: outside the calendar", path="calendar"
        )

    parts: list[dict[str, Any]] = []
    for step_no, step in enumerate(plan):
        lim = step.limit
        start_col = _START_ATTR[lim.starts]
        s_all = cols_in[col[start_col]]
        mask = s_all > 0
        for name, allowed in step.conditions:
            mask &= np.isin(cols_in.raw(col[name]), [CODES[m] for m in allowed])
        rows = np.flatnonzero(mask)
        if not len(rows):
            continue
        every = len(rows) == n

        def pick(name: str, rows: Any = rows, every: bool = every) -> Any:
            column = cols_in[col[name]]
            return column if every else column[rows]

        s = pick(start_col)
        extra = np.zeros(len(rows), dtype=np.int64)
        if step.extended:
            extended = pick("extension_days")
            extra += extended
        else:
            extended = np.zeros(len(rows), dtype=np.int64)
        paused = np.zeros(len(rows), dtype=np.int64)
        running = np.zeros(len(rows), dtype=bool)
        if lim.pauses_for_hearing and hearing_rows:
            pos = np.searchsorted(rows, hearing_rows)
            for k, p in zip(hearing_rows, pos.tolist(), strict=True):
                if p < len(rows) and rows[p] == k:
                    started = _dt.date.fromordinal(int(s[p]))
                    paused[p], running[p] = _paused(items[k], started, day)
            extra += paused
        amount = lim.period.amount
        provisional = np.zeros(len(rows), dtype=bool)
        if lim.period.unit.value == "working_days":
            if amount == 0:
                nominal = s.copy()
            else:
                origin = s if rule.exclude_start_day else s - 1
                i = origin - base
                bad = (i < 0) | (i >= size)
                if bad.any():
                    raise first_error(rows[bad])
                k_idx = cum_np[i + 1] + amount - 1
                bad = k_idx >= count
                if bad.any():
                    raise first_error(rows[bad])
                nominal = nth_o[k_idx]
                provisional = prov_np[nominal - base + 1] != prov_np[origin + 1 - base]
            nominal = nominal + extra
            roll = extra > 0
        else:
            offset = amount if (rule.exclude_start_day or amount == 0) else amount - 1
            nominal = s + offset + extra
            roll = np.ones(len(rows), dtype=bool)
        due = nominal.copy()
        if rule.roll_forward and roll.any():
            if not rule.weekend_is_rest_day:
                # Rolling past listed holidays only: rare setting, scalar per row.
                for r in np.flatnonzero(roll).tolist():
                    nd = _dt.date.fromordinal(int(nominal[r]))
                    d = nd
                    while cal.is_holiday(d) and not cal.is_makeup_workday(d):
                        d += _dt.timedelta(days=1)
                    due[r] = d.toordinal()
            else:
                i = nominal[roll] - base
                bad = (i < 0) | (i >= size)
                if bad.any():
                    raise first_error(rows[roll][bad])
                k_idx = cum_np[i]
                bad = k_idx >= count
                if bad.any():
                    raise first_error(rows[roll][bad])
                due[roll] = nth_o[k_idx]
            lo = nominal[roll] - base
            hi = due[roll] - base
            provisional[roll] |= prov_np[hi + 1] != prov_np[lo]
        # met: the first end milestone on or after the start
        inf = np.iinfo(np.int64).max
        met = np.full(len(rows), inf, dtype=np.int64)
        for end in sorted(lim.ends):
            e = pick(_end_attr(lim.starts, end))
            met = np.minimum(met, np.where((e > 0) & (e >= s), e, inf))
        has_met = met != inf
        # stopped: the first stop (or the withdrawal), whenever it came
        stop_on = np.full(len(rows), inf, dtype=np.int64)
        for stop in ("withdrawn", *(_end_attr(lim.starts, e) for e in sorted(lim.stops))):
            e = pick(stop)
            stop_on = np.minimum(stop_on, np.where(e > 0, e, inf))
        stopped = (stop_on != inf) & ~has_met
        is_open = ~has_met & ~stopped
        status = np.empty(len(rows), dtype=np.int8)
        status[has_met] = np.where(
            met[has_met] <= due[has_met], _CODE[ClockStatus.MET], _CODE[ClockStatus.MISSED]
        )
        status[stopped] = _CODE[ClockStatus.STOPPED]
        # Made moot only after its due date: the breach came first.
        late = stopped & (stop_on > due) & ~running
        status[late] = _CODE[ClockStatus.LAPSED if step.window else ClockStatus.MISSED]
        remaining = due - day_o
        remaining_wd = np.zeros(len(rows), dtype=np.int64)
        if step.window:
            lapsed = is_open & (day_o > due) & ~running
            status[lapsed] = _CODE[ClockStatus.LAPSED]
            is_open &= ~lapsed
        if is_open.any():
            di = day_o - base
            if not 0 <= di < size:
                raise first_error(rows[is_open])
            hi = due[is_open] - base
            remaining_wd[is_open] = cum_np[hi + 1] - cum_np[di + 1]
            late_code = _CODE[ClockStatus.OVERDUE]
            st_open = np.where(
                day_o > due[is_open],
                late_code,
                np.where(
                    remaining_wd[is_open] <= due_soon,
                    _CODE[ClockStatus.DUE_SOON],
                    _CODE[ClockStatus.RUNNING],
                ),
            )
            st_open = np.where(running[is_open], _CODE[ClockStatus.PAUSED], st_open)
            status[is_open] = st_open
        parts.append(
            {
                "step": step_no,
                "case": rows,
                "started": s,
                "nominal": nominal,
                "due": due,
                "paused": paused,
                "extended": extended,
                "status": status,
                "met_on": np.where(has_met, met, 0),
                "remaining_days": remaining,
                "remaining_working_days": remaining_wd,
                "provisional": provisional,
            }
        )
    return plan, parts


def _clock_table(
    items: list[Case],
    cols_in: _Columns,
    col: dict[str, int],
    *,
    day: _dt.date,
    rb: Rulebook,
    cal: WorkCalendar,
    due_soon: int,
) -> ClockTable:
    plan, parts = _clock_parts(items, cols_in, col, day=day, rb=rb, cal=cal, due_soon=due_soon)
    rule = rb.counting
    if parts:
        # Rows stay grouped by limit (plan order), each group in case order.
        cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0] if k != "step"}
        cols["limit"] = np.repeat(
            np.array([p["step"] for p in parts], dtype=np.int64), [len(p["case"]) for p in parts]
        )
    else:
        empty = np.zeros(0, dtype=np.int64)
        cols = dict.fromkeys(
            (
                "case",
                "limit",
                "started",
                "nominal",
                "due",
                "paused",
                "extended",
                "status",
                "met_on",
                "remaining_days",
                "remaining_working_days",
                "provisional",
            ),
            empty,
        )

    def to_day(a: Any) -> Any:
        # In place: the concatenated columns are fresh copies, owned here.
        a -= _EPOCH
        return a.view("datetime64[D]")

    unmet = cols["met_on"] == 0
    met_col = to_day(cols["met_on"])
    met_col[unmet] = np.datetime64("NaT")
    return ClockTable(
        cases=tuple(items),
        keys=tuple(step.limit.key for step in plan),
        limits=tuple(step.limit for step in plan),
        case=cols["case"],
        limit=cols["limit"],
        started=to_day(cols["started"]),
        nominal=to_day(cols["nominal"]),
        due=to_day(cols["due"]),
        met_on=met_col,
        paused=cols["paused"],
        extended=cols["extended"],
        status=cols["status"].astype(np.int8),
        remaining_days=cols["remaining_days"],
        remaining_working_days=cols["remaining_working_days"],
        provisional=cols["provisional"].astype(bool),
        calendar=cal.name,
        _rule=rule,
    )
