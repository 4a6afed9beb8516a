"""Clocks of one case: every statutory time limit, computed, explained and checked.

:func:`clocks` reads a case's milestones and a :class:`~xinfang.Rulebook` and
returns one :class:`Clock` per limit that has started: its due date (with
extension and paused hearing time), its status as of a date, what is left,
and an explanation naming the rule and article. Clocks never change the case.
This is the per-case path of the clock engine: it walks the clock plan
(:func:`~xinfang.deadlines._plan.clock_plan`) on ``datetime.date`` values
and evaluates :data:`STATUS_RULES` over Python ints; no numpy.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Final, NamedTuple

from xinfang.calendar import china_mainland
from xinfang.case import Case, replay
from xinfang.deadlines._plan import clock_plan, is_exempt, plan_step_limit
from xinfang.deadlines._status import (
    BIT,
    CLOSING_BITS,
    OPEN_BITS,
    OTHERWISE,
    STATUS_ZH,
    ClockStatus,
    Fact,
    first_match,
)
from xinfang.errors import XinfangError
from xinfang.periods import (
    DEFAULT_TIMEZONE,
    CountingRule,
    Period,
    cite,
    deadline_instant,
    local_date,
    period_end,
)
from xinfang.rulebook import ExtensionBase, Limit, LimitKind, Rulebook, bundled_rulebook
from xinfang.vocabulary import Stage

if TYPE_CHECKING:  # pragma: no cover
    import pendulum

    from xinfang.calendar import WorkCalendar

__all__ = [
    "Clock",
    "as_of_date",
    "as_of_day",
    "case_as_of",
    "clocks",
    "handling_limit",
    "kind_label",
    "last_report",
    "limit_clock",
    "limit_due",
    "not_yet_registered",
    "paused_days",
    "plan_step_clocks",
    "rolled_extension",
    "stage_as_of",
    "window_closed",
]


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
    last_report: _dt.date | None = None

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
        if self.kind is LimitKind.PLAN:
            return self._explain_plan(lang)
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
            text += f". Rule: {cite(self.citation, 'en')}; calendar {self.calendar}."
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
            text += f";状态:{STATUS_ZH[self.status]}"
        if self.met_on:
            text += f"({self.met_on})"
        text += f";依据:{cite(self.citation)};日历:{self.calendar}。"
        if self.provisional:
            text += "放假安排尚未公布,结果为暂定。"
        return text

    def _explain_plan(self, lang: str) -> str:
        """A plan clock's explanation: a campaign clock, its due day the date the plan set."""
        done = f" on {self.met_on}" if self.met_on else ""
        if lang == "en":
            return (
                f"{self.title_en or self.key}: a campaign clock, not a statutory limit; "
                f"from the plan set on {self.started_on} to the date the plan sets, "
                f"{self.due} (not rolled, whatever the calendar); "
                f"{self.status.value.replace('_', ' ')}{done}. Rule: the campaign speech "
                "(clear responsibility, clear deadline, clear measures; follow it through); "
                f"owner: the plan's owner; calendar {self.calendar}."
            )
        text = (
            f"{self.title}:攻坚行动时限,非法定时限;自{self.started_on}(制定息访方案之日)起,"
            f"届满日{self.due}(方案所定日期,不因休息日顺延);状态:{STATUS_ZH[self.status]}"
        )
        if self.met_on:
            text += f"({self.met_on})"
        return text + f";责任人:方案责任人;依据:{self.citation};日历:{self.calendar}。"


_KIND_LABELS: Final = {
    "zh": {"plan": "方案时限"},
    "en": {"plan": "plan clock"},
}
_STATUTORY: Final = {"zh": "法定时限", "en": "statutory"}


def kind_label(kind: LimitKind, lang: str = "zh") -> str:
    """Which kind of clock: ``"法定时限"`` or ``"方案时限"`` (en: statutory, plan clock)."""
    if lang not in _STATUTORY:
        raise XinfangError(f"unknown language {lang!r}; use 'zh' or 'en'", path="lang")
    return _KIND_LABELS[lang].get(kind.value, _STATUTORY[lang])


_START_ZH: Final = {
    "received": "收到之日",
    "forwarded": "收到转送、交办之日",
    "assigned": "交办之日",
    "accepted": "受理之日",
    "opinion_delivered": "收到书面答复之日",
    "review_requested": "收到复查请求之日",
    "review_delivered": "收到复查意见之日",
    "rereview_requested": "收到复核请求之日",
    "plan_set": "制定息访方案之日",
}


def limit_clock(
    lim: Limit,
    case_id: str,
    *,
    started: _dt.date,
    nominal: _dt.date,
    due: _dt.date,
    paused: int,
    extended: int,
    status: ClockStatus,
    met_on: _dt.date | None,
    remaining: int | None,
    remaining_wd: int | None,
    provisional: bool,
    calendar: str,
    rule: CountingRule,
    last_report: _dt.date | None = None,
) -> Clock:
    """The :class:`Clock` of limit ``lim`` for one case, from what the engine computed.

    The one place a clock value is assembled (the per-case path, the column
    path's :meth:`ClockTable.to_clocks` and the store's projections): a limit
    whose due day was set (``due_on``, a report-back date) has the days from
    its start to that day as its period.
    """
    period = Period.days(max(0, (due - started).days)) if lim.due_on else lim.period
    return Clock(
        case_id,
        lim.key,
        lim.title,
        lim.citation,
        lim.kind,
        lim.obligor,
        lim.starts,
        started,
        period,
        nominal,
        due,
        paused,
        extended,
        status,
        met_on,
        remaining,
        remaining_wd,
        provisional,
        calendar,
        rule,
        lim.title_en,
        last_report if lim.kind is LimitKind.PLAN else None,
    )


def last_report(case: Case, day: _dt.date) -> _dt.date | None:
    """The date of the case's last progress report (进展情况) on or before ``day``, if any.

    What a plan clock (a plan's deadline or step) shows as its
    ``last_report``, alike on the per-case, column and store paths.
    """
    found = case_as_of(case, day)
    reported = found.on.progress_reported if found is not None else None
    return reported if reported is not None and reported <= day else None


_MET: Final = BIT[Fact.MET]
_MET_IN_TIME: Final = BIT[Fact.MET_IN_TIME]
_STOPPED: Final = BIT[Fact.STOPPED]
_STOPPED_AFTER_DUE: Final = BIT[Fact.STOPPED_AFTER_DUE]
_HEARING_RUNNING: Final = BIT[Fact.HEARING_RUNNING]
_WINDOW: Final = BIT[Fact.WINDOW]
_PAST_DUE: Final = BIT[Fact.PAST_DUE]
_DUE_SOON: Final = BIT[Fact.DUE_SOON]


# ------------------------------------------------------------------ one case
def as_of_date(as_of: _dt.date, timezone: str) -> _dt.date:
    return as_of if type(as_of) is _dt.date else local_date(as_of, timezone, path="as_of")


def as_of_day(as_of: _dt.date, rulebook: Rulebook | None = None) -> _dt.date:
    """The day a sweep ``as_of`` counts to: a date, or a datetime's day in the rulebook's zone."""
    rb = rulebook if rulebook is not None else bundled_rulebook()
    return as_of_date(as_of, rb.counting.timezone or DEFAULT_TIMEZONE)


def _case_at(case: Case, day: _dt.date) -> Case:
    """The case as it stood at the end of ``day`` (events after it ignored)."""
    found = case_as_of(case, day)
    if found is None:
        raise not_yet_registered(case, day)
    return found


def case_as_of(case: Case, day: _dt.date) -> Case | None:
    """The case as it stood at the end of ``day``; ``None`` if it had no events yet."""
    last = case.on.last_event
    if last is None or last <= day:
        return case
    kept = [e for e in case.events if e.at.date() <= day]
    return replay(kept) if kept else None


def not_yet_registered(case: Case, day: _dt.date) -> Exception:
    return XinfangError(
        f"case {case.id} was not yet registered on {day.isoformat()}",
        path="as_of",
        rule="a case has no clocks before it is registered",
    )


def paused_days(case: Case, since: _dt.date, day: _dt.date) -> tuple[int, bool]:
    """Hearing days of ``case`` on or after ``since`` (both ends counted), and whether one runs.

    A running hearing counts up to ``day``. 听证所需时间不计入 (Art. 36 ¶2); a
    hearing held on one day takes that day.
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
    Raises :class:`~xinfang.errors.CalendarRangeError` when a due date or the
    remaining working days of an open clock need a day the calendar does
    not cover.
    """
    rb = rulebook if rulebook is not None else bundled_rulebook()
    cal = calendar if calendar is not None else china_mainland()
    rule = rb.counting
    day = as_of_date(as_of, rule.timezone or DEFAULT_TIMEZONE)
    case = _case_at(case, day)
    return (*_clocks(case, day, rb, cal, due_soon), *_step_clocks(case, day, rb, cal, due_soon))


def _clocks(
    case: Case,
    day: _dt.date,
    rb: Rulebook,
    cal: WorkCalendar,
    due_soon: int,
    *,
    only: str | None = None,
) -> list[Clock]:
    """The per-case path: the plan's steps on plain dates, the status from :data:`STATUS_RULES`."""
    rule = rb.counting
    on = case.on
    between = cal.working_days_between
    out = []
    for step in clock_plan(rb):
        if only is not None and step.limit.key != only:
            continue
        started = step.get_start(on)
        if started is None:
            continue
        if step.conditions and not all(
            getattr(case, name) in allowed for name, allowed in step.conditions
        ):
            continue
        if step.exempt and is_exempt(case, step):
            continue
        lim = step.limit
        ext = case.extension_days if step.extended else 0
        paused, running = paused_days(case, started, day) if step.pauses else (0, False)
        if step.get_due is not None:  # the due day itself was set (a report-back date)
            due = step.get_due(on)
            if due is None:
                continue
            nominal, provisional = due, False
        elif ext and rb.extension_base is ExtensionBase.ROLLED_END:
            nominal, due, provisional = rolled_extension(
                started, lim.period, cal, rule, ext=ext, paused=paused
            )
        else:
            nominal, due, provisional = period_end(started, lim.period, cal, rule, ext + paused)
        met_on = None
        for get in step.get_ends:
            d = get(on)
            if d is not None and d >= started and (met_on is None or d < met_on):
                met_on = d
        stop_on = None
        for get in step.get_stops:
            d = get(on)
            if d is not None and (stop_on is None or d < stop_on):
                stop_on = d
        facts = _WINDOW if step.window else 0
        if met_on is not None:
            facts |= (_MET | _MET_IN_TIME) if met_on <= due else _MET
        if stop_on is not None:
            facts |= (_STOPPED | _STOPPED_AFTER_DUE) if stop_on > due else _STOPPED
        if running:
            facts |= _HEARING_RUNNING
        if day > due:
            facts |= _PAST_DUE
        status = first_match(facts, CLOSING_BITS)
        remaining = remaining_wd = None
        if status is None:  # still open: only now ask the calendar what is left
            remaining = (due - day).days
            remaining_wd = between(day, due)
            if remaining_wd <= due_soon:
                facts |= _DUE_SOON
            status = first_match(facts, OPEN_BITS) or OTHERWISE
        out.append(
            limit_clock(
                lim,
                case.id,
                started=started,
                nominal=nominal,
                due=due,
                paused=paused,
                extended=ext,
                status=status,
                met_on=met_on,
                remaining=remaining,
                remaining_wd=remaining_wd,
                provisional=provisional,
                calendar=cal.name,
                rule=rule,
                last_report=last_report(case, day),
            )
        )
    return out


def rolled_extension(
    started: _dt.date,
    period: Period,
    cal: WorkCalendar,
    rule: CountingRule,
    *,
    ext: int,
    paused: int,
) -> tuple[_dt.date, _dt.date, bool]:
    """An extension added to the end of the period after its roll-forward (``ROLLED_END``)."""
    _, base, early = period_end(started, period, cal, rule, paused)
    nominal, due, late = period_end(base, Period.days(0), cal, rule, ext)
    return nominal, due, early or late


def plan_step_clocks(
    case: Case,
    *,
    as_of: _dt.date,
    calendar: WorkCalendar | None = None,
    due_soon: int = 3,
    rulebook: Rulebook | None = None,
) -> tuple[Clock, ...]:
    """The clocks of the current plan's steps (``PlanMilestone``), as of a date.

    A step is a campaign clock like the plan's deadline (:data:`PLAN_LIMIT`):
    it runs from the first plan's day (as the deadline's) to the progress report that
    marks it done (:class:`~xinfang.changes.ReportProgress`), its due day the date the
    step sets (never rolled); the settlement or the withdrawal makes it moot.
    Statuses come from :data:`STATUS_RULES` as every clock's. Keyed
    ``plan_step_1``, ``plan_step_2``, ... (:func:`plan_step_limit`); :func:`clocks`
    lists them after the others, and the column path gives the same
    (:func:`clock_parts`, from the columns ``step_due_N`` and ``step_done_N``).
    """
    rb = rulebook if rulebook is not None else bundled_rulebook()
    cal = calendar if calendar is not None else china_mainland()
    day = as_of_date(as_of, rb.counting.timezone or DEFAULT_TIMEZONE)
    return tuple(_step_clocks(_case_at(case, day), day, rb, cal, due_soon))


def _step_clocks(
    case: Case, day: _dt.date, rb: Rulebook, cal: WorkCalendar, due_soon: int
) -> list[Clock]:
    """The clocks of the current plan's steps, in step order (both paths call this)."""
    plan = case.plan
    if plan is None or not plan.milestones:
        return []
    on = case.on
    started = on.plan_set
    if started is None:  # pragma: no cover - a plan is set with its milestone
        return []
    stop_on = min((d for d in (on.settled, on.withdrawn) if d is not None), default=None)
    out = []
    for number, (step, done) in enumerate(
        zip(plan.milestones, case.steps_done, strict=True), start=1
    ):
        due = step.due
        facts = 0
        met_on = done if done is not None and done >= started else None  # as the column path
        if met_on is not None:
            facts |= (_MET | _MET_IN_TIME) if met_on <= due else _MET
        if stop_on is not None:
            facts |= (_STOPPED | _STOPPED_AFTER_DUE) if stop_on > due else _STOPPED
        if day > due:
            facts |= _PAST_DUE
        status = first_match(facts, CLOSING_BITS)
        remaining = remaining_wd = None
        if status is None:
            remaining = (due - day).days
            remaining_wd = cal.working_days_between(day, due)
            if remaining_wd <= due_soon:
                facts |= _DUE_SOON
            status = first_match(facts, OPEN_BITS) or OTHERWISE
        out.append(
            limit_clock(
                plan_step_limit(number),
                case.id,
                started=started,
                nominal=due,
                due=due,
                paused=0,
                extended=0,
                status=status,
                met_on=met_on,
                remaining=remaining,
                remaining_wd=remaining_wd,
                provisional=False,
                calendar=cal.name,
                rule=rb.counting,
                last_report=last_report(case, day),
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
    That rule is the rulebook's ``finality.after_lapsed_window`` (a ministerial
    rule, not Art. 36 ¶3); a rulebook without it leaves such a case where it is.
    """
    stage = case.stage
    rb = rulebook if rulebook is not None else bundled_rulebook()
    if not rb.finality.after_lapsed_window:
        return stage
    rulebook = rb
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
    for step in clock_plan(rulebook):
        lim = step.limit
        if lim.kind is not LimitKind.DUTY or lim.starts != "accepted":
            continue
        if "opinion_issued" not in lim.ends:
            continue
        if step.conditions and not all(getattr(case, n) in a for n, a in step.conditions):
            continue
        if step.exempt and is_exempt(case, step):
            continue
        if step.extended:
            return lim
        found = found or lim
    return found
