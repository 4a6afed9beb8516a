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
from operator import attrgetter
from typing import TYPE_CHECKING, Final, NamedTuple

from xinfang.periods import DEFAULT_TIMEZONE, CountingRule, Period, local_date, period_end
from xinfang.rulebook import Limit, LimitKind, Rulebook

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterable

    import pendulum

    from xinfang.calendar import WorkCalendar
    from xinfang.cases import Case

__all__ = [
    "Clock",
    "ClockStatus",
    "clocks",
    "limit_due",
    "window_closed",
]


class ClockStatus(enum.Enum):
    """Where a clock stands as of a date.

    Open clocks: ``RUNNING``, ``DUE_SOON`` (within the due-soon threshold),
    ``OVERDUE`` (a duty past its due date), ``PAUSED`` (a hearing runs and the
    limit does not count hearing time). Closed clocks: ``MET`` (done in time),
    ``MISSED`` (done late), ``LAPSED`` (a window that closed unused),
    ``STOPPED`` (made moot: withdrawn, settled, superseded).
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
        import pendulum

        d, c = self.due, self.rule.cutoff
        if c is None:
            return pendulum.datetime(
                d.year, d.month, d.day, 23, 59, 59, 999999, tz=self.rule.timezone
            )
        return pendulum.datetime(
            d.year, d.month, d.day, c.hour, c.minute, c.second, tz=self.rule.timezone
        )

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
            text += f". Rule: {self.citation}; calendar {self.calendar}."
            if self.provisional:
                text += " PROVISIONAL calendar data."
            return text
        text = f"{self.title}:自{self.started_on}({self.starts})起{self.period}"
        if extra_zh:
            text += f"({'，'.join(extra_zh)})"
        text += f",届满日{self.due}"
        if rolled:
            text += f"(原届满日{self.nominal}为休息日,顺延)"
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

_START_ATTR: Final = {
    "received": "received",
    "forwarded": "last_forwarded",
    "accepted": "accepted",
    "opinion_delivered": "opinion_delivered",
    "review_requested": "review_requested",
    "review_delivered": "review_delivered",
    "rereview_requested": "rereview_requested",
}


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
    from xinfang import cases as c

    enums: dict[str, type[enum.Enum]] = {
        "route": c.Route,
        "category": c.Category,
        "procedure": c.Procedure,
        "channel": c.Channel,
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
                ends=tuple(attrgetter(e) for e in sorted(lim.ends)),
                stops=tuple(attrgetter(e) for e in sorted(lim.stops)),
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
    last = case.events[-1].at if case.events else None
    if last is None or last.date() <= day:
        return case
    from xinfang.cases import replay

    kept = [e for e in case.events if e.at.date() <= day]
    if not kept:
        raise _not_yet(case, day)
    return replay(kept)


def _not_yet(case: Case, day: _dt.date) -> Exception:
    from xinfang.errors import XinfangError

    return XinfangError(
        f"case {case.id} was not yet registered on {day.isoformat()}",
        path="as_of",
        rule="a case has no clocks before it is registered",
    )


def _paused(case: Case, since: _dt.date, day: _dt.date) -> tuple[int, bool]:
    """Hearing days on or after ``since`` (a running hearing counts up to ``day``)."""
    total = 0
    running = False
    for h in case.hearings:
        if h.start < since:
            continue
        end = h.end
        if end is None:
            running = True
            end = day
        total += max((end - h.start).days, 0)
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
    from xinfang.calendar import china_mainland
    from xinfang.rulebook import rulebook as bundled

    rb = rulebook if rulebook is not None else bundled()
    cal = calendar if calendar is not None else china_mainland()
    rule = rb.counting
    day = _as_of_date(as_of, rule.timezone or DEFAULT_TIMEZONE)
    case = _case_at(case, day)
    return tuple(_clocks(case, day, rb, cal, due_soon))


def _clocks(
    case: Case, day: _dt.date, rb: Rulebook, cal: WorkCalendar, due_soon: int
) -> Iterable[Clock]:
    rule = rb.counting
    on = case.on
    withdrawn = on.withdrawn
    between = cal.working_days_between
    out = []
    for step in _plan(rb):
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
            status = ClockStatus.STOPPED
        else:
            remaining = (due - day).days
            remaining_wd = between(day, due)
            if running:
                status = ClockStatus.PAUSED
            elif day > due:
                status = ClockStatus.LAPSED if step.window else ClockStatus.OVERDUE
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
    for clock in _clocks(_case_at(case, as_of), as_of, rulebook, calendar, 0):
        if clock.key == limit.key:
            return clock
    return None


def window_closed(
    case: Case,
    key: str,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
) -> bool:
    """Whether window ``key`` (e.g. ``"review_request"``) lapsed unused by ``as_of``."""
    from xinfang.calendar import china_mainland
    from xinfang.rulebook import rulebook as bundled

    rb = rulebook if rulebook is not None else bundled()
    lim = rb.get(key)
    if lim is None:
        return False
    clock = limit_due(
        case, lim, rb, calendar if calendar is not None else china_mainland(), as_of=as_of
    )
    return clock is not None and clock.status is ClockStatus.LAPSED


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
