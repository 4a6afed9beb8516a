"""The column engine: every limit's clocks over many cases at once, with numpy.

:func:`clock_parts` computes, per limit of the clock plan, the clocks of the
cases it applies to as columns (:class:`ClockPart`), the statuses from
:data:`~xinfang.deadlines.STATUS_RULES` evaluated by :func:`status_codes`.
Same rules and results as the per-case :func:`~xinfang.deadlines.clocks`
(a property test holds them equal).
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt

from xinfang.deadlines._clocks import clocks, rolled_extension
from xinfang.deadlines._plan import CODES, ClockStep, clock_columns, clock_plan, step_of
from xinfang.deadlines._status import (
    CLOSING_RULES,
    CODE_OF,
    OPEN_RULES,
    STATUS_RULES,
    STATUSES,
    Fact,
    StatusRule,
)
from xinfang.errors import CalendarRangeError, XinfangError
from xinfang.periods import period_end_array
from xinfang.rulebook import ExtensionBase, Limit, Rulebook

if TYPE_CHECKING:  # pragma: no cover
    import enum
    from collections.abc import Mapping, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.deadlines._columns import ColumnSource

__all__ = ["IS_OPEN", "ClockPart", "clock_parts", "status_codes"]


#: Whether each status code is an open one: ``IS_OPEN[status]`` masks a status column.
IS_OPEN: Final = np.array([s.is_open for s in STATUSES])


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
            default = CODE_OF[rule.status]  # always matches: the rows after it never do
            break
        conds.append(cond)
        codes.append(CODE_OF[rule.status])
    if not conds:
        return np.full(size, default, dtype=np.int8)
    found: npt.NDArray[np.int8] = np.select(conds, list(map(np.int8, codes)), np.int8(default))
    return found


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
    :class:`~xinfang.errors.CalendarRangeError`) is marked there and left out of
    every part instead.
    """
    rb, cal = rulebook, calendar
    rule = rb.counting
    day = columns.day
    as_of = columns.as_of
    n = len(columns)
    plan = clock_plan(rb)
    columns.read(*clock_columns(rb))
    steps = int(columns["plan_steps"].max()) if n else 0  # the plans' steps: one limit each
    plan = (*plan, *(step_of(number) for number in range(1, steps + 1)))

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
    chosen: list[tuple[int, ClockStep, npt.NDArray[np.intp]]] = []
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
    ix = cal.arrays
    cum = ix.cumulative.astype(np.int32)  # working days up to each covered day

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
                        n_, d_, p_ = rolled_extension(
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
        status = status_codes(facts, size, CLOSING_RULES)
        is_open = status < 0
        remaining_wd: Any = none
        if is_open.any():  # only now ask the calendar what is left, of open clocks only
            every_open = bool(is_open.all())
            hi = (due if every_open else due[is_open]) - (ix.first - 1)
            di = day_o - ix.first
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
            opened = status_codes(facts, size, OPEN_RULES)
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
