"""Clocks: every statutory time limit of a case, computed, explained and checked.

:func:`clocks` reads a case's milestones and a :class:`~xinfang.Rulebook` and
returns one :class:`Clock` per limit that has started: its due date (with
extension and paused hearing time), its status as of a date, what is left,
and an explanation naming the rule and article. Clocks never change the case.

One clock engine, two paths. Which status a clock has is decided by one
ordered table, :data:`STATUS_RULES`, over a few :class:`Fact` flags (met,
stopped, past due, ...). The per-case path (:func:`clocks`) works on
``datetime.date`` values and evaluates the table over Python ints; the
column path (:func:`clock_parts`, behind :func:`clock_table` and the
campaign snapshot) works on numpy columns read from the cases
(:class:`CaseColumns`) and evaluates the same table with ``np.select``.
Due dates come from :func:`~xinfang.periods.period_end` and its vectorised
sibling :func:`~xinfang.periods.period_end_array`; which milestones end or
stop a clock is data in the plan compiled once per rulebook. A property
test holds the two paths equal.
"""

from __future__ import annotations

import datetime as _dt
import enum
import types
from itertools import chain
from operator import attrgetter, is_not
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Protocol

import attrs
import numpy as np

from xinfang.calendar import china_mainland
from xinfang.case import MILESTONE_NAMES, Case, replay
from xinfang.errors import CalendarRangeError, XinfangError
from xinfang.periods import (
    DEFAULT_TIMEZONE,
    CountingRule,
    Period,
    cite,
    deadline_instant,
    local_date,
    period_end,
    period_end_array,
)
from xinfang.rulebook import ExtensionBase, Limit, LimitKind, Rulebook, bundled_rulebook
from xinfang.transitions import PLAN_RULE
from xinfang.vocabulary import Category, Channel, Procedure, Rating, Route, Stage, UnitKind

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

    import numpy.typing as npt
    import pendulum

    from xinfang.calendar import WorkCalendar

__all__ = [
    "CALENDAR_FACTS",
    "CODES",
    "ENUM_COLUMNS",
    "IS_OPEN",
    "PLAN_LIMIT",
    "PLAN_STEP_PREFIX",
    "STATUSES",
    "STATUS_RULES",
    "CaseColumns",
    "Clock",
    "ClockPart",
    "ClockStatus",
    "ClockTable",
    "ColumnSource",
    "Fact",
    "StatusRule",
    "as_of_day",
    "clock_columns",
    "clock_limit",
    "clock_limits",
    "clock_parts",
    "clock_table",
    "clocks",
    "handling_limit",
    "kind_label",
    "last_report",
    "limit_clock",
    "limit_due",
    "part_limits",
    "paused_days",
    "plan_step_clocks",
    "plan_step_limit",
    "stage_as_of",
    "status_codes",
    "status_label",
    "status_of",
    "window_closed",
]


class ClockStatus(enum.Enum):
    """Where a clock stands as of a date.

    Open clocks: ``RUNNING``, ``DUE_SOON`` (within the due-soon threshold),
    ``OVERDUE`` (a duty past its due date), ``PAUSED`` (a hearing runs and the
    limit does not count hearing time). Closed clocks: ``MET`` (done in time),
    ``MISSED`` (done late, or made moot only after its due date),
    ``LAPSED`` (a window that closed unused), ``STOPPED`` (made moot by its
    due date: withdrawn, settled, superseded). :data:`STATUS_RULES` says which.
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

#: Every status, in code order: a status column holds indexes into this tuple.
STATUSES: Final = tuple(ClockStatus)
#: Whether each status code is an open one: ``IS_OPEN[status]`` masks a status column.
IS_OPEN: Final = np.array([s.is_open for s in STATUSES])
_CODE: Final = {s: i for i, s in enumerate(STATUSES)}


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
            text += f";状态:{_STATUS_ZH[self.status]}"
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
            f"届满日{self.due}(方案所定日期,不因休息日顺延);状态:{_STATUS_ZH[self.status]}"
        )
        if self.met_on:
            text += f"({self.met_on})"
        return text + f";责任人:方案责任人;依据:{self.citation};日历:{self.calendar}。"


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


def status_label(status: ClockStatus, lang: str = "zh") -> str:
    """A clock status as people read it: ``"已超期"`` (``"zh"``) or ``"overdue"`` (``"en"``)."""
    if lang == "en":
        return status.value.replace("_", " ")
    if lang != "zh":
        raise XinfangError(f"unknown language {lang!r}; use 'zh' or 'en'", path="lang")
    return _STATUS_ZH[status]


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

_START_ATTR: Final = {
    "received": "received",
    "forwarded": "last_forwarded",
    "assigned": "assigned",
    "accepted": "accepted",
    "opinion_delivered": "opinion_delivered",
    "review_requested": "review_requested",
    "review_delivered": "review_delivered",
    "rereview_requested": "rereview_requested",
    "plan_set": "plan_set",
}

#: The settlement plan's deadline as a clock (紧盯落实): a campaign clock, not a statutory
#: limit. It runs from the first plan's day to the settlement (停访息诉); its due day is
#: the current plan's deadline as set (``plan_due``), never rolled; its obligor is the
#: plan's owner (包案领导, ``case.plan.owner``). Every clock path lists it after the
#: rulebook's limits (:func:`clock_limits`).
PLAN_LIMIT: Final = Limit(
    key="plan_deadline",
    title="息访方案时限",
    title_en="settlement plan deadline",
    period=Period.days(0),
    kind=LimitKind.PLAN,
    citation=PLAN_RULE,
    starts="plan_set",
    ends=frozenset({"settled"}),
    obligor="plan_owner",
    due_on="plan_due",
)


def plan_step_limit(number: int) -> Limit:
    """The limit of a plan's step ``number`` (1, 2, ...): a plan clock due on the step's date."""
    return attrs.evolve(
        PLAN_LIMIT,
        key=f"{PLAN_STEP_PREFIX}{number}",
        title=f"方案步骤{number}",
        title_en=f"settlement plan step {number}",
        ends=frozenset({"progress_reported"}),
        due_on="plan_step",
    )


def clock_limits(rulebook: Rulebook, steps: int = 0) -> tuple[Limit, ...]:
    """Every limit a clock runs on: the rulebook's, the plan's, then ``steps`` plan steps'."""
    return (
        *rulebook.clock_limits,
        PLAN_LIMIT,
        *(plan_step_limit(n) for n in range(1, steps + 1)),
    )


def part_limits(rulebook: Rulebook, parts: Iterable[ClockPart]) -> tuple[Limit, ...]:
    """The limits ``parts`` index by ``position`` (:func:`clock_limits` with their steps)."""
    base = len(rulebook.clock_limits) + 1
    last = max((p.position for p in parts), default=0)
    return clock_limits(rulebook, max(0, last - base + 1))


def clock_limit(rulebook: Rulebook, key: str) -> Limit | None:
    """The clock limit named ``key``: the rulebook's or the campaign's; ``None`` if neither."""
    found = rulebook.get(key)
    if found is None and key == PLAN_LIMIT.key:
        return PLAN_LIMIT
    number = key.removeprefix(PLAN_STEP_PREFIX)
    if found is None and number != key and number.isdigit() and number[0] != "0":
        return plan_step_limit(int(number))
    return found


#: An end (or stop) seen from a start, where they differ: after a forwarding, "notified"
#: means the first notice on or after the latest receipt of the forwarded
#: matter (Art. 23 ¶3), not the case's first notice.
_END_ATTR: Final = {("forwarded", "notified"): "forward_notified"}


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
    found = _replayed(case, day)
    reported = found.on.progress_reported if found is not None else None
    return reported if reported is not None and reported <= day else None


def _end_attr(starts: str, end: str) -> str:
    return _END_ATTR.get((starts, end), end)


# ------------------------------------------------------------ the status rules
class Fact(enum.Enum):
    """A fact about one clock as of a date: what :data:`STATUS_RULES` test.

    ``MET``: an end milestone came on or after the start (``met_on``);
    ``MET_IN_TIME``: that was by the due date. ``STOPPED``: a stop
    milestone or the withdrawal came (at any time); ``STOPPED_AFTER_DUE``:
    the first of them came after the due date. ``HEARING_RUNNING``: the limit
    does not count hearing time and a hearing runs. ``WINDOW``: the limit is a
    window for the petitioner, not a duty. ``PAST_DUE``: the as-of date is
    after the due date. ``DUE_SOON``: at most the due-soon threshold of
    working days is left; it needs the calendar, so it is asked only of
    clocks no closing rule decided (:data:`CALENDAR_FACTS`).
    """

    MET = "met"
    MET_IN_TIME = "met_in_time"
    STOPPED = "stopped"
    STOPPED_AFTER_DUE = "stopped_after_due"
    HEARING_RUNNING = "hearing_running"
    WINDOW = "window"
    PAST_DUE = "past_due"
    DUE_SOON = "due_soon"


#: The facts that need the calendar (the working days left): asked only of open clocks.
CALENDAR_FACTS: Final = frozenset({Fact.DUE_SOON})


class StatusRule(NamedTuple):
    """One row of :data:`STATUS_RULES`: when every fact of ``when`` holds and none of ``unless``."""

    when: frozenset[Fact]
    unless: frozenset[Fact]
    status: ClockStatus
    why: str


def _rule(
    when: Iterable[Fact], unless: Iterable[Fact], status: ClockStatus, why: str
) -> StatusRule:
    return StatusRule(frozenset(when), frozenset(unless), status, why)


_F = Fact
_S = ClockStatus

#: How a clock's status follows from its facts: the first row that matches wins.
#: Every row that closes a clock comes before the first that leaves it open, and
#: the last row has no conditions. Both paths evaluate this table and only it:
#: :func:`status_of` (one clock) and :func:`status_codes` (columns).
STATUS_RULES: Final[tuple[StatusRule, ...]] = (
    _rule({_F.MET, _F.MET_IN_TIME}, (), _S.MET, "done by the due date"),
    _rule({_F.MET}, (), _S.MISSED, "done after the due date"),
    _rule(
        {_F.STOPPED, _F.STOPPED_AFTER_DUE, _F.WINDOW},
        {_F.HEARING_RUNNING},
        _S.LAPSED,
        "a window made moot only after it closed: it had lapsed",
    ),
    _rule(
        {_F.STOPPED, _F.STOPPED_AFTER_DUE},
        {_F.HEARING_RUNNING},
        _S.MISSED,
        "a duty made moot only after its due date: the breach came first",
    ),
    _rule({_F.STOPPED}, (), _S.STOPPED, "made moot (withdrawn, superseded) by its due date"),
    _rule({_F.WINDOW, _F.PAST_DUE}, {_F.HEARING_RUNNING}, _S.LAPSED, "a window closed unused"),
    _rule({_F.HEARING_RUNNING}, (), _S.PAUSED, "hearing time is not counted (Art. 36 ¶2)"),
    _rule({_F.PAST_DUE}, (), _S.OVERDUE, "a duty past its due date"),
    _rule({_F.DUE_SOON}, (), _S.DUE_SOON, "few working days left"),
    _rule((), (), _S.RUNNING, "otherwise"),
)

_Bits = tuple[tuple[int, int, ClockStatus], ...]
_BIT: Final = {f: 1 << i for i, f in enumerate(Fact)}


def _bits(facts: Iterable[Fact]) -> int:
    return sum(_BIT[f] for f in set(facts))


def _compile(rules: Iterable[StatusRule]) -> _Bits:
    """The rows as ``(required bits, forbidden bits, status)``."""
    return tuple((_bits(r.when), _bits(r.unless), r.status) for r in rules)


def _split(rules: tuple[StatusRule, ...]) -> int:
    """Where the rows that leave a clock open begin; checks the table's shape."""
    first_open = next((i for i, r in enumerate(rules) if r.status.is_open), len(rules))
    problems = []
    if any(not r.status.is_open for r in rules[first_open:]):
        problems.append("a closing row follows a row that leaves the clock open")
    if any((r.when | r.unless) & CALENDAR_FACTS for r in rules[:first_open]):
        problems.append("a closing row tests a fact that needs the calendar")
    if not rules or rules[-1].when or rules[-1].unless:
        problems.append("the last row must have no conditions")
    if problems:
        raise XinfangError("; ".join(problems), path="STATUS_RULES", rule="status rule table")
    return first_open


_FIRST_OPEN: Final = _split(STATUS_RULES)
#: The rows that close a clock, and those that leave it open (the last one: the default).
_CLOSING_RULES: Final = STATUS_RULES[:_FIRST_OPEN]
_OPEN_RULES: Final = STATUS_RULES[_FIRST_OPEN:]
_CLOSING_BITS: Final = _compile(_CLOSING_RULES)
_OPEN_BITS: Final = _compile(_OPEN_RULES[:-1])
_OTHERWISE: Final = STATUS_RULES[-1].status

_MET: Final = _BIT[Fact.MET]
_MET_IN_TIME: Final = _BIT[Fact.MET_IN_TIME]
_STOPPED: Final = _BIT[Fact.STOPPED]
_STOPPED_AFTER_DUE: Final = _BIT[Fact.STOPPED_AFTER_DUE]
_HEARING_RUNNING: Final = _BIT[Fact.HEARING_RUNNING]
_WINDOW: Final = _BIT[Fact.WINDOW]
_PAST_DUE: Final = _BIT[Fact.PAST_DUE]
_DUE_SOON: Final = _BIT[Fact.DUE_SOON]


def _first_match(facts: int, rows: _Bits) -> ClockStatus | None:
    """The scalar evaluator: the status of the first row whose facts hold."""
    for need, forbid, status in rows:
        if facts & need == need and not facts & forbid:
            return status
    return None


def status_of(facts: Collection[Fact], rules: Sequence[StatusRule] = STATUS_RULES) -> ClockStatus:
    """The status of a clock with exactly ``facts``: the first row of ``rules`` that matches.

    The per-case :func:`clocks` evaluates :data:`STATUS_RULES` this way (on
    bit sets, asking :data:`CALENDAR_FACTS` only of clocks still open).
    Raises :class:`~xinfang.XinfangError` when no row matches (never for
    :data:`STATUS_RULES`, whose last row has no conditions).
    """
    found = _first_match(_bits(facts), _compile(rules))
    if found is None:
        raise XinfangError(
            f"no status rule matches the facts {sorted(f.value for f in facts)}",
            path="rules",
            rule="status rule table",
        )
    return found


def status_codes(
    facts: Mapping[Fact, bool | npt.NDArray[np.bool_]],
    size: int,
    rules: Sequence[StatusRule] = STATUS_RULES,
) -> npt.NDArray[np.int8]:
    """The vector evaluator: per element, the code (index into :data:`STATUSES`) of the first row.

    ``facts`` maps each fact the rows test to a flag, either one for all
    ``size`` elements or an array of them; -1 where no row matches. The
    column path (:func:`clock_parts`) evaluates :data:`STATUS_RULES` this way.
    """
    conds: list[npt.NDArray[np.bool_]] = []
    codes: list[int] = []
    default = -1
    for rule in rules:
        cond: Any = True
        for fact in rule.when:
            cond = np.logical_and(cond, facts[fact])
        for fact in rule.unless:
            cond = np.logical_and(cond, np.logical_not(facts[fact]))
        if np.ndim(cond) == 0:
            if not cond:
                continue  # never matches
            default = _CODE[rule.status]  # always matches: the rows after it never do
            break
        conds.append(cond)
        codes.append(_CODE[rule.status])
    if not conds:
        return np.full(size, default, dtype=np.int8)
    found: npt.NDArray[np.int8] = np.select(conds, list(map(np.int8, codes)), np.int8(default))
    return found


# ------------------------------------------------------------------ the plan
class _Step(NamedTuple):
    """One clock limit of a rulebook, compiled: which milestones start, end and stop it.

    ``ends``: the milestones that meet it, the first on or after the start;
    ``stops``: those that make it moot, the first at any time (the withdrawal
    first). Both paths read these names: :func:`clocks` through ``get_*``,
    the column path as :class:`CaseColumns` columns (``reads``: every column
    it needs of a case where it started).
    """

    limit: Limit
    start: str
    ends: tuple[str, ...]
    stops: tuple[str, ...]
    reads: tuple[str, ...]
    #: (case attribute, the values for which the limit applies): its ``applies_to``,
    #: whom it ``binds`` (a kind not recorded, ``None``, binds) and the identity waiver.
    conditions: tuple[tuple[str, frozenset[enum.Enum | bool | None]], ...]
    #: Its ``exempt``: (unit kind attribute, the kind, the categories) for which it does
    #: not apply (Art. 23 ¶4).
    exempt: tuple[tuple[str, enum.Enum, frozenset[enum.Enum]], ...]
    #: ``due_on``: the milestone that is the due date itself ("" for a period).
    due_on: str
    extended: bool
    window: bool
    pauses: bool
    get_start: Callable[[object], _dt.date | None]
    get_ends: tuple[Callable[[object], _dt.date | None], ...]
    get_stops: tuple[Callable[[object], _dt.date | None], ...]
    get_due: Callable[[object], _dt.date | None] | None


_ENUMS: Final[Mapping[str, type[enum.Enum]]] = types.MappingProxyType(
    {
        "route": Route,
        "category": Category,
        "procedure": Procedure,
        "channel": Channel,
        "stage": Stage,
        "rating": Rating,
        "receiving_unit_kind": UnitKind,
        "forwarded_unit_kind": UnitKind,
        "handling_unit_kind": UnitKind,
    }
)


def _conditions(lim: Limit) -> tuple[tuple[str, frozenset[enum.Enum | bool | None]], ...]:
    """A limit's conditions on case attributes, as the values that let it apply."""
    out: list[tuple[str, frozenset[enum.Enum | bool | None]]] = [
        (name, frozenset(_ENUMS[name](code) for code in codes)) for name, codes in lim.applies_to
    ]
    if lim.binds:
        out.append((lim.binds_attribute, frozenset({None, *lim.binds})))
    if lim.waived_if_identity_unclear:
        out.append(("identity_unclear", frozenset({False})))
    return tuple(out)


def _step_of(number: int) -> _Step:
    """Step ``number`` of the plans as a clock step: columns ``step_due_N`` and ``step_done_N``.

    From the first plan's day to the report marking it done, due on the step's date;
    the settlement or the withdrawal makes it moot (the per-case path:
    :func:`_step_clocks`).
    """
    due, done = f"step_due_{number}", f"step_done_{number}"
    stops = ("withdrawn", "settled")
    return _Step(
        limit=plan_step_limit(number),
        start="plan_set",
        ends=(done,),
        stops=stops,
        reads=(done, *stops, due),
        conditions=(),
        exempt=(),
        due_on=due,
        extended=False,
        window=False,
        pauses=False,
        get_start=attrgetter("plan_set"),
        get_ends=(attrgetter(done),),
        get_stops=tuple(map(attrgetter, stops)),
        get_due=attrgetter(due),
    )


def _plan(rb: Rulebook) -> tuple[_Step, ...]:
    """Compile the rulebook's clock limits once (cached on the rulebook)."""
    cached = rb._cache.get("clock_plan")
    if isinstance(cached, tuple):
        return cached
    extended = {lim.extends for lim in rb.limits if lim.kind is LimitKind.CAP}
    steps = []
    for lim in clock_limits(rb):
        start = _START_ATTR[lim.starts]
        ends = tuple(_end_attr(lim.starts, e) for e in sorted(lim.ends))
        stops = ("withdrawn", *(_end_attr(lim.starts, e) for e in sorted(lim.stops)))
        steps.append(
            _Step(
                limit=lim,
                start=start,
                ends=ends,
                stops=stops,
                reads=(
                    *ends,
                    *stops,
                    *((lim.due_on,) if lim.due_on else ()),
                    *(("extension_days",) if lim.key in extended else ()),
                    *(("hearings",) if lim.pauses_for_hearing else ()),
                ),
                conditions=_conditions(lim),
                exempt=tuple(
                    (lim.binds_attribute, kind, frozenset(Category(c) for c in cats))
                    for kind, cats in lim.exempt
                ),
                due_on=lim.due_on,
                extended=lim.key in extended,
                window=lim.kind is LimitKind.WINDOW,
                pauses=lim.pauses_for_hearing,
                get_start=attrgetter(start),
                get_ends=tuple(map(attrgetter, ends)),
                get_stops=tuple(map(attrgetter, stops)),
                get_due=attrgetter(lim.due_on) if lim.due_on else None,
            )
        )
    plan = tuple(steps)
    rb._cache["clock_plan"] = plan
    return plan


# ------------------------------------------------------------------ one case
def _as_of_date(as_of: _dt.date, timezone: str) -> _dt.date:
    return as_of if type(as_of) is _dt.date else local_date(as_of, timezone, path="as_of")


def as_of_day(as_of: _dt.date, rulebook: Rulebook | None = None) -> _dt.date:
    """The day a sweep ``as_of`` counts to: a date, or a datetime's day in the rulebook's zone."""
    rb = rulebook if rulebook is not None else bundled_rulebook()
    return _as_of_date(as_of, rb.counting.timezone or DEFAULT_TIMEZONE)


def _case_at(case: Case, day: _dt.date) -> Case:
    """The case as it stood at the end of ``day`` (events after it ignored)."""
    found = _replayed(case, day)
    if found is None:
        raise _not_yet(case, day)
    return found


def _replayed(case: Case, day: _dt.date) -> Case | None:
    """The case as it stood at the end of ``day``; ``None`` if it had no events yet."""
    last = case.on.last_event
    if last is None or last <= day:
        return case
    kept = [e for e in case.events if e.at.date() <= day]
    return replay(kept) if kept else None


def _not_yet(case: Case, day: _dt.date) -> Exception:
    return XinfangError(
        f"case {case.id} was not yet registered on {day.isoformat()}",
        path="as_of",
        rule="a case has no clocks before it is registered",
    )


def _pauses_of(
    case: Callable[[int], Case],
    rows: npt.NDArray[np.intp],
    since: npt.NDArray[np.integer[Any]],
    day: _dt.date,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """:func:`paused_days` of cases ``rows`` (``case(k)`` gives case ``k``), one by one."""
    paused = np.zeros(len(rows), dtype=np.int64)
    running = np.zeros(len(rows), dtype=bool)
    for i, (k, start) in enumerate(zip(rows.tolist(), since.tolist(), strict=True)):
        paused[i], running[i] = _paused(case(k), _dt.date.fromordinal(start), day)
    return paused, running


def paused_days(case: Case, since: _dt.date, day: _dt.date) -> tuple[int, bool]:
    """Hearing days of ``case`` on or after ``since`` (both ends counted), and whether one runs.

    A running hearing counts up to ``day``. 听证所需时间不计入 (Art. 36 ¶2).
    """
    return _paused(case, since, day)


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
    remaining working days of an open clock need a day the calendar does
    not cover.
    """
    rb = rulebook if rulebook is not None else bundled_rulebook()
    cal = calendar if calendar is not None else china_mainland()
    rule = rb.counting
    day = _as_of_date(as_of, rule.timezone or DEFAULT_TIMEZONE)
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
    for step in _plan(rb):
        if only is not None and step.limit.key != only:
            continue
        started = step.get_start(on)
        if started is None:
            continue
        if step.conditions and not all(
            getattr(case, name) in allowed for name, allowed in step.conditions
        ):
            continue
        if step.exempt and _exempt(case, step):
            continue
        lim = step.limit
        ext = case.extension_days if step.extended else 0
        paused, running = _paused(case, started, day) if step.pauses else (0, False)
        if step.get_due is not None:  # the due day itself was set (a report-back date)
            due = step.get_due(on)
            if due is None:
                continue
            nominal, provisional = due, False
        elif ext and rb.extension_base is ExtensionBase.ROLLED_END:
            nominal, due, provisional = _rolled_extension(
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
        status = _first_match(facts, _CLOSING_BITS)
        remaining = remaining_wd = None
        if status is None:  # still open: only now ask the calendar what is left
            remaining = (due - day).days
            remaining_wd = between(day, due)
            if remaining_wd <= due_soon:
                facts |= _DUE_SOON
            status = _first_match(facts, _OPEN_BITS) or _OTHERWISE
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


def _exempt(case: Case, step: _Step) -> bool:
    """Whether the body of ``case`` is exempt from ``step``'s limit (its kind and the category)."""
    return any(
        getattr(case, attr) is kind and case.category in cats for attr, kind, cats in step.exempt
    )


def _rolled_extension(
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


#: The key of a plan step's clock is this prefix and the step's number (1, 2, ...).
PLAN_STEP_PREFIX: Final = "plan_step_"


def plan_step_clocks(
    case: Case,
    *,
    as_of: _dt.date,
    calendar: WorkCalendar | None = None,
    due_soon: int = 3,
    rulebook: Rulebook | None = None,
) -> tuple[Clock, ...]:
    """The clocks of the current plan's steps (:class:`~xinfang.PlanMilestone`), as of a date.

    A step is a campaign clock like the plan's deadline (:data:`PLAN_LIMIT`):
    it runs from the first plan's day (as the deadline's) to the progress report that
    marks it done (:class:`~xinfang.ReportProgress`), its due day the date the
    step sets (never rolled); the settlement or the withdrawal makes it moot.
    Statuses come from :data:`STATUS_RULES` as every clock's. Keyed
    ``plan_step_1``, ``plan_step_2``, ... (:func:`plan_step_limit`); :func:`clocks`
    lists them after the others, and the column path gives the same
    (:func:`clock_parts`, from the columns ``step_due_N`` and ``step_done_N``).
    """
    rb = rulebook if rulebook is not None else bundled_rulebook()
    cal = calendar if calendar is not None else china_mainland()
    day = _as_of_date(as_of, rb.counting.timezone or DEFAULT_TIMEZONE)
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
        status = _first_match(facts, _CLOSING_BITS)
        remaining = remaining_wd = None
        if status is None:
            remaining = (due - day).days
            remaining_wd = cal.working_days_between(day, due)
            if remaining_wd <= due_soon:
                facts |= _DUE_SOON
            status = _first_match(facts, _OPEN_BITS) or _OTHERWISE
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
    for step in _plan(rulebook):
        lim = step.limit
        if lim.kind is not LimitKind.DUTY or lim.starts != "accepted":
            continue
        if "opinion_issued" not in lim.ends:
            continue
        if step.conditions and not all(getattr(case, n) in a for n, a in step.conditions):
            continue
        if step.exempt and _exempt(case, step):
            continue
        if step.extended:
            return lim
        found = found or lim
    return found


# ------------------------------------------------------------ many cases
#: The enum columns of :class:`CaseColumns`: column name → its enum.
ENUM_COLUMNS: Final = _ENUMS
#: The code of each enum member in a :class:`CaseColumns` enum column (0 for none).
CODES: Final[Mapping[enum.Enum | None, int]] = types.MappingProxyType(
    {None: 0, **{m: i for e in _ENUMS.values() for i, m in enumerate(e, start=1)}}
)
#: Columns of singletons (enum members, flags, None): the attribute each reads.
_SINGLETON_COLUMNS: Final = {
    **{name: name for name in _ENUMS},
    "beijing_visit": "beijing_visit",
    "skip_level": "skip_level",
    "is_settled": "settled",  # the flag, not the milestone
    "identity_unclear": "identity_unclear",
}
_OTHER_COLUMNS: Final = ("extension_days", "hearings", "plan", "deadline_moves", "plan_steps")
_MILESTONE_SET: Final = frozenset(MILESTONE_NAMES)
_ON: Final = attrgetter("on")


class _Ordinals(dict[_dt.date | None, int]):
    """Day → proleptic ordinal (``None`` → 0), filled on first sight of each day (one call)."""

    __slots__ = ()

    def __missing__(self, day: _dt.date | None) -> int:
        found = self[day] = 0 if day is None else day.toordinal()
        return found


def _singleton_codes() -> dict[int, int]:
    """``id(value)`` → code, for every value a singleton column holds.

    Keyed by identity: members, ``True``, ``False`` and ``None`` are
    singletons, and ``Enum.__hash__`` runs in Python (slow on a million).
    """
    found = {id(None): 0, id(False): 0, id(True): 1}
    found.update((id(m), code) for m, code in CODES.items() if m is not None)
    return found


class CaseColumns:
    """The clock engine's column API: the cases of one call as int32 numpy columns.

    Built per call from the :class:`~xinfang.Case` values and dropped with
    it (no rows, caches or tables on the cases or in the module). A column
    is read from the cases on first use; :meth:`read` reads several at
    once, all milestones in one pass over the cases and all enum and flag
    columns in another. By name:

    * a milestone (:data:`~xinfang.case.MILESTONE_NAMES`): the day as a
      proleptic ordinal (``date.toordinal()``), 0 for none;
    * ``route``, ``category``, ``procedure``, ``channel``, ``stage``,
      ``rating``: the member's code in :data:`CODES`, 0 for none;
    * ``beijing_visit``, ``skip_level``, ``is_settled`` (the flag): 0 or 1;
    * ``extension_days``; ``hearings`` (how many); ``plan`` (0 none, 1
      incomplete, 2 complete); ``deadline_moves`` (revisions that moved the
      plan's deadline later); ``plan_steps`` (the current plan's steps).

    ``cases`` are the cases as they stood at the end of ``day``: a case with
    later events is replayed up to it; a case received or registered after
    it is left out with ``drop_unregistered``, else it raises
    :class:`~xinfang.XinfangError`. ``read`` names columns to read in the
    first passes (e.g. :func:`clock_columns`).
    """

    __slots__ = ("_columns", "_ordinal", "cases", "day")

    def __init__(
        self,
        cases: Iterable[Case],
        day: _dt.date,
        *,
        drop_unregistered: bool = False,
        read: Iterable[str] = (),
    ) -> None:
        self.cases: list[Case] = list(cases)
        self.day = day
        self._columns: dict[str, npt.NDArray[np.int32]] = {}
        self._ordinal = _Ordinals()
        self.read("last_event", "received", *read)
        day_o = day.toordinal()
        if drop_unregistered:
            keep = self._columns["received"] <= day_o
            if not keep.all():
                self._keep(np.flatnonzero(keep))
        # Cases with events after the day are seen as they stood then (rare: replayed).
        late = np.flatnonzero(self._columns["last_event"] > day_o).tolist()
        if not late:
            return
        gone = []
        for k in late:
            then = _replayed(self.cases[k], day)
            if then is None and not drop_unregistered:
                raise _not_yet(self.cases[k], day)
            if then is None:  # received by the day, but registered only after it
                gone.append(k)
            else:
                self.cases[k] = then
        if gone:
            self._keep(np.setdiff1d(np.arange(len(self.cases)), gone))
            late = np.flatnonzero(self._columns["last_event"] > day_o).tolist()
        again = self._read([self.cases[k] for k in late], tuple(self._columns))
        for name, column in self._columns.items():
            column[late] = again[name]

    def _keep(self, rows: npt.NDArray[np.intp]) -> None:
        self.cases = [self.cases[k] for k in rows.tolist()]
        for name, column in self._columns.items():
            self._columns[name] = column[rows]

    @property
    def as_of(self) -> int:
        """The ordinal of :attr:`day` (every case stands as of it)."""
        return self.day.toordinal()

    def __len__(self) -> int:
        return len(self.cases)

    def __getitem__(self, name: str) -> npt.NDArray[np.int32]:
        found = self._columns.get(name)
        if found is None:
            self.read(name)
            found = self._columns[name]
        return found

    def __contains__(self, name: object) -> bool:
        """Whether column ``name`` has been read (of every case)."""
        return name in self._columns

    def case(self, k: int) -> Case:
        """Case ``k`` (as it stood at the end of :attr:`day`)."""
        return self.cases[k]

    def pauses(
        self, rows: npt.NDArray[np.intp], since: npt.NDArray[np.integer[Any]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """:func:`paused_days` of cases ``rows`` from ``since`` (ordinals), case by case."""
        return _pauses_of(self.case, rows, since, self.day)

    def at(self, rows: npt.NDArray[np.intp], *names: str) -> list[npt.NDArray[np.int32]]:
        """Columns ``names`` at ``rows`` only: read from just those cases unless read already."""
        todo = [name for name in names if name not in self._columns]
        found = self._read(list(map(self.cases.__getitem__, rows.tolist())), todo) if todo else {}
        return [found[name] if name in found else self._columns[name][rows] for name in names]

    def read(self, *names: str) -> None:
        """Read the columns ``names`` not read yet (each kind in one pass over the cases)."""
        todo = [name for name in dict.fromkeys(names) if name not in self._columns]
        if todo:
            self._columns.update(self._read(self.cases, todo))

    def _read(self, cases: Sequence[Case], names: Sequence[str]) -> dict[str, Any]:
        n = len(cases)
        out: dict[str, Any] = {}
        days = [name for name in names if name in _MILESTONE_SET]
        if days:
            values = map(attrgetter(*days), map(_ON, cases))
            flat = chain.from_iterable(values) if len(days) > 1 else values
            out.update(_unstack(days, map(self._ordinal.__getitem__, flat), n))
        singles = [name for name in names if name in _SINGLETON_COLUMNS]
        if singles:
            values = map(attrgetter(*(_SINGLETON_COLUMNS[name] for name in singles)), cases)
            flat = chain.from_iterable(values) if len(singles) > 1 else values
            out.update(_unstack(singles, map(_singleton_codes().__getitem__, map(id, flat)), n))
        for name in names:
            if name not in out:
                out[name] = _other_column(cases, name)
        return out


def _unstack(names: Sequence[str], flat: Iterable[int], n: int) -> dict[str, Any]:
    """Columns from their values case by case (each a view of one block)."""
    block = np.fromiter(flat, np.int32, n * len(names)).reshape(n, len(names))
    return {name: block[:, j] for j, name in enumerate(names)}


def _other_column(cases: Sequence[Case], name: str) -> npt.NDArray[np.int32]:
    n = len(cases)
    if name == "extension_days":
        return np.fromiter(map(attrgetter(name), cases), np.int32, n)
    if name == "hearings":
        return np.fromiter(map(len, map(attrgetter(name), cases)), np.int32, n)
    if name.startswith(("step_due_", "step_done_")):  # step N of each case's current plan
        number = int(name.rsplit("_", 1)[1])
        out = np.zeros(n, np.int32)
        for k, case in enumerate(cases):
            plan = case.plan
            if plan is None or len(plan.milestones) < number:
                continue
            d = plan.milestones[number - 1].due if "due" in name else case.steps_done[number - 1]
            out[k] = 0 if d is None else d.toordinal()
        return out
    if name == "deadline_moves":  # the events are read of the cases with a plan only
        moves = (0 if c.plan is None else c.deadline_moves for c in cases)
        return np.fromiter(moves, np.int32, n)
    if name == "plan_steps":
        steps = (0 if c.plan is None else len(c.plan.milestones) for c in cases)
        return np.fromiter(steps, np.int32, n)
    if name == "plan":
        plans = list(map(attrgetter(name), cases))
        out = np.fromiter(map(is_not, plans, [None] * n), np.int32, n)
        for k in np.flatnonzero(out).tolist():
            out[k] = 2 if plans[k].is_complete else 1
        return out
    known = sorted({*_SINGLETON_COLUMNS, *_OTHER_COLUMNS})
    raise XinfangError(
        f"no case column {name!r}; columns are the milestones and {known}", path="column"
    )


def clock_columns(rulebook: Rulebook) -> tuple[str, ...]:
    """The columns :func:`clock_parts` reads of every case under ``rulebook``.

    Each limit's start and the attributes its ``applies_to`` tests, and what
    the limits that run on every case (counted from receipt, for all) read.
    Pass them as ``CaseColumns(..., read=...)`` to read them together with
    the caller's own in the first passes.
    """
    plan = _plan(rulebook)
    starts = (step.start for step in plan)
    conditions = (
        name
        for step in plan
        for name in (
            *(name for name, _ in step.conditions),
            *(n for name, _, _ in step.exempt for n in (name, "category")),
        )
    )
    everywhere = (
        name
        for step in plan
        if step.start == "received" and not step.conditions
        for name in step.reads
    )
    return tuple(dict.fromkeys(chain(starts, conditions, everywhere)))


class ClockPart(NamedTuple):
    """One limit's clocks over the cases it applies to, as columns (from :func:`clock_parts`).

    ``position`` is the limit's index in :func:`clock_limits` (the rulebook's, then the plan's);
    ``case`` the rows' positions in ``CaseColumns.cases``, ascending. Days
    are proleptic ordinals (``met_on`` 0 when not met), int32 or int64; ``status`` holds
    indexes into :data:`STATUSES`; ``remaining_days`` and
    ``remaining_working_days`` are meaningful only where the status is open.
    The arrays are the engine's own or the columns' (read them, do not write).
    """

    position: int
    limit: Limit
    case: npt.NDArray[np.intp]
    started: npt.NDArray[np.integer[Any]]
    nominal: npt.NDArray[np.integer[Any]]
    due: npt.NDArray[np.integer[Any]]
    paused: npt.NDArray[np.integer[Any]]
    extended: npt.NDArray[np.integer[Any]]
    status: npt.NDArray[np.int8]
    met_on: npt.NDArray[np.integer[Any]]
    remaining_days: npt.NDArray[np.integer[Any]]
    remaining_working_days: npt.NDArray[np.integer[Any]]
    provisional: npt.NDArray[np.bool_]


_NEVER: Final = np.iinfo(np.int32).max  # past every day an ordinal can name


def _condition_code(value: enum.Enum | bool | None) -> int:
    """The column code of a condition's value: flags 0/1, ``None`` 0, members by :data:`CODES`."""
    if value is None or value is False:
        return 0
    if value is True:
        return 1
    return CODES[value]


class ColumnSource(Protocol):
    """What :func:`clock_parts` reads: the cases of one call as named int32 columns.

    :class:`CaseColumns` reads them from :class:`~xinfang.Case` values; the
    columnar engine (:mod:`xinfang.columnar`) from an Arrow milestones table.
    Columns are named and coded as :class:`CaseColumns` documents. ``day`` is
    the day the cases stand as of; :meth:`case` gives case ``k`` as a value,
    for the rare per-case work (hearing pauses, the error of a case outside
    the calendar).
    """

    @property
    def day(self) -> _dt.date:
        """The day the cases stand as of."""
        ...

    @property
    def as_of(self) -> int | npt.NDArray[np.int32]:
        """The ordinal of the day each case stands as of: :attr:`day`'s, or one per case.

        Per case (an array) when each case is counted as of its own day, as
        the store's projections are (each case as of its last event).
        """
        ...

    def __len__(self) -> int: ...

    def __getitem__(self, name: str) -> npt.NDArray[np.int32]: ...

    def __contains__(self, name: object) -> bool: ...

    def read(self, *names: str) -> None:
        """Read the columns ``names`` now (one pass per kind), if not read yet."""
        ...

    def at(self, rows: npt.NDArray[np.intp], *names: str) -> list[npt.NDArray[np.int32]]:
        """Columns ``names`` at ``rows`` only."""
        ...

    def case(self, k: int) -> Case:
        """Case ``k`` as a value, as it stood at the end of :attr:`day`."""
        ...

    def pauses(
        self, rows: npt.NDArray[np.intp], since: npt.NDArray[np.integer[Any]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Hearing days of cases ``rows`` from ``since`` (ordinals) on, and whether one runs.

        What :func:`paused_days` gives for each case (a running hearing counts
        to :attr:`day`).
        """
        ...


def clock_parts(
    columns: ColumnSource,
    *,
    rulebook: Rulebook,
    calendar: WorkCalendar,
    due_soon: int = 3,
    outside: npt.NDArray[np.bool_] | None = None,
) -> tuple[ClockPart, ...]:
    """The column path of the clock engine: per limit that applies to some case, its clocks.

    Same rules and results as :func:`clocks` on each of ``columns.cases`` as
    of ``columns.day`` (the due dates from
    :func:`~xinfang.periods.period_end_array`, the statuses from
    :data:`STATUS_RULES`). Consumers that aggregate (a campaign snapshot)
    read the parts; :func:`clock_table` joins them. Raises what
    :func:`clocks` raises for the case it would raise on first; with
    ``outside`` (a boolean array, one per case), a case whose clocks need a
    day the calendar does not cover (where :func:`clocks` raises
    :class:`~xinfang.CalendarRangeError`) is marked there and left out of
    every part instead.
    """
    rb, cal = rulebook, calendar
    rule = rb.counting
    day = columns.day
    as_of = columns.as_of
    n = len(columns)
    plan = _plan(rb)
    columns.read(*clock_columns(rb))
    steps = int(columns["plan_steps"].max()) if n else 0  # the plans' steps: one limit each
    plan = (*plan, *(_step_of(number) for number in range(1, steps + 1)))

    def scalar_error(k: int) -> Exception:
        then = day if isinstance(as_of, int) else _dt.date.fromordinal(int(as_of[k]))
        try:
            clocks(columns.case(k), as_of=then, rulebook=rb, calendar=cal, due_soon=due_soon)
        except XinfangError as exc:
            return exc
        return XinfangError(  # pragma: no cover - scalar and vector agree
            f"case {columns.case(k).id}: outside the calendar", path="calendar"
        )

    # Which cases each limit applies to. What a limit reads beyond its start comes
    # from every case when it runs on most of them (all such columns in one pass),
    # else from its own cases only.
    chosen: list[tuple[int, _Step, npt.NDArray[np.intp]]] = []
    for index, step in enumerate(plan):
        mask = columns[step.start] > 0
        if step.due_on:
            mask &= columns[step.due_on] > 0
        for name, allowed in step.conditions:
            mask &= np.isin(columns[name], [_condition_code(m) for m in allowed])
        for name, kind, cats in step.exempt:
            hit = columns[name] == CODES[kind]
            if hit.any():  # most cases are bodies of other kinds: no category read
                mask &= ~(hit & np.isin(columns["category"], [CODES[c] for c in cats]))
        rows = np.flatnonzero(mask)
        if len(rows):
            chosen.append((index, step, rows))
    columns.read(*(name for _, step, rows in chosen if 2 * len(rows) > n for name in step.reads))
    ix = cal._ix
    cum = cal._np()[0].astype(np.int32)  # working days up to each covered day

    parts = []
    for index, step, rows in chosen:
        lim = step.limit
        size = len(rows)
        every = size == n
        day_o = as_of if isinstance(as_of, int) else (as_of if every else as_of[rows])
        missing = [name for name in step.reads if name not in columns]
        own = dict(zip(missing, columns.at(rows, *missing), strict=True))

        def pick(name: str, rows: Any = rows, every: bool = every, own: Any = own) -> Any:
            found = own.get(name)
            if found is not None:
                return found
            column = columns[name]
            return column if every else column[rows]

        s = pick(step.start)
        none = np.broadcast_to(np.int64(0), (size,))  # read-only zeros, no memory
        extended = pick("extension_days") if step.extended else none
        paused, extra = none, extended
        running: Any = False
        with_hearings: npt.NDArray[np.intp] = (
            np.flatnonzero(pick("hearings")) if step.pauses else np.zeros(0, dtype=np.intp)
        )
        if len(with_hearings):
            paused, running = np.zeros(size, dtype=np.int64), np.zeros(size, dtype=bool)
            paused[with_hearings], running[with_hearings] = columns.pauses(
                rows[with_hearings], s[with_hearings]
            )
            extra = extended + paused
        if step.due_on:  # the due day itself was set (a report-back date): no counting
            nominal = due = pick(step.due_on)
            provisional = np.zeros(size, dtype=bool)
        else:
            past = None if outside is None else np.zeros(size, dtype=bool)
            nominal, due, provisional = period_end_array(
                s,
                lim.period,
                cal,
                rule,
                extra if step.extended or len(with_hearings) else 0,
                outside=past,
            )
            if past is not None and outside is not None:
                outside[rows[past]] = True
        if step.extended and rb.extension_base is ExtensionBase.ROLLED_END:
            later = np.flatnonzero(np.asarray(extended) > 0).tolist()
            if later:  # rare: an extension added after the roll-forward, case by case
                nominal, due, provisional = nominal.copy(), due.copy(), provisional.copy()
                for p in later:
                    try:
                        n_, d_, p_ = _rolled_extension(
                            _dt.date.fromordinal(int(s[p])),
                            lim.period,
                            cal,
                            rule,
                            ext=int(extended[p]),
                            paused=int(paused[p]),
                        )
                    except CalendarRangeError:
                        if outside is None:
                            raise
                        outside[rows[p]] = True
                        continue
                    nominal[p], due[p], provisional[p] = n_.toordinal(), d_.toordinal(), p_
        met = np.full(size, _NEVER, dtype=np.int32)
        for name in step.ends:  # the first on or after the start (0, none, is before it)
            e = pick(name)
            np.minimum(met, e, out=met, where=e >= s)
        stop_on = np.full(size, _NEVER, dtype=np.int32)
        for name in step.stops:  # the first at any time
            e = pick(name)
            np.minimum(stop_on, e, out=stop_on, where=e > 0)
        has_met = met != _NEVER
        stopped = stop_on != _NEVER
        facts: dict[Fact, Any] = {
            Fact.MET: has_met,
            Fact.MET_IN_TIME: met <= due,
            Fact.STOPPED: stopped,
            Fact.STOPPED_AFTER_DUE: stopped & (stop_on > due),
            Fact.HEARING_RUNNING: running,
            Fact.WINDOW: step.window,
            Fact.PAST_DUE: due < day_o,
        }
        del stop_on, stopped
        met[~has_met] = 0  # now met_on: 0 when not met
        status = status_codes(facts, size, _CLOSING_RULES)
        is_open = status < 0
        remaining_wd: Any = none
        if is_open.any():  # only now ask the calendar what is left, of open clocks only
            every_open = bool(is_open.all())
            hi = (due if every_open else due[is_open]) - (ix.base - 1)
            di = day_o - ix.base
            if isinstance(di, int):
                bad = (hi < 1) | (hi > ix.size) | (not 0 <= di < ix.size)
            else:  # one day per case
                di = di if every_open else di[is_open]
                bad = (hi < 1) | (hi > ix.size) | (di < 0) | (di >= ix.size)
            if bad.any():
                if outside is None:
                    raise scalar_error(int(rows[np.flatnonzero(is_open)[np.argmax(bad)]]))
                outside[rows[np.flatnonzero(is_open)[bad]]] = True
                hi = np.clip(hi, 1, ix.size)
                di = np.clip(di, 0, ix.size - 1)
            left = cum[hi]
            left -= cum[di + 1]
            if every_open:
                remaining_wd = left
            else:
                remaining_wd = np.zeros(size, dtype=np.int32)
                remaining_wd[is_open] = left
            facts[Fact.DUE_SOON] = remaining_wd <= due_soon
            opened = status_codes(facts, size, _OPEN_RULES)
            status = opened if every_open else np.where(is_open, opened, status)
        parts.append(
            ClockPart(
                position=index,
                limit=lim,
                case=rows,
                started=s,
                nominal=nominal,
                due=due,
                paused=paused,
                extended=extended,
                status=status,
                met_on=met,
                remaining_days=due - day_o,
                remaining_working_days=remaining_wd,
                provisional=provisional,
            )
        )
    if outside is not None and outside.any():  # such a case has no clocks: drop all its rows
        parts = [_rows_of(part, ~outside[part.case]) for part in parts]
    return tuple(parts)


def _rows_of(part: ClockPart, keep: npt.NDArray[np.bool_]) -> ClockPart:
    """``part`` with its rows at ``keep`` only."""
    size = len(part.case)
    return ClockPart(
        part.position,
        part.limit,
        *(np.broadcast_to(a, (size,))[keep] for a in part[2:]),
    )


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
    day = _as_of_date(as_of, rb.counting.timezone or DEFAULT_TIMEZONE)
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
