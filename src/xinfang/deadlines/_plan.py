"""The clock plan: each limit of a rulebook compiled to the milestones and columns it reads.

:func:`clock_plan` compiles a rulebook's clock limits once per rulebook (a
cache keyed by the frozen, hashable :class:`~xinfang.Rulebook`); both
paths of the clock engine walk it. Here too the campaign's plan clocks
(:data:`PLAN_LIMIT`, :func:`plan_step_limit`) and the names and codes of
the case columns the column path reads (:data:`ENUM_COLUMNS`,
:data:`CODES`, :func:`clock_columns`).
"""

from __future__ import annotations

import functools
import types
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Final, NamedTuple

import attrs

from xinfang.periods import Period
from xinfang.rulebook import Limit, LimitKind, Rulebook
from xinfang.transitions import PLAN_RULE
from xinfang.vocabulary import Category, Channel, Procedure, Rating, Route, Stage, UnitKind

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    import enum
    from collections.abc import Callable, Iterable, Mapping

    from xinfang.case import Case
    from xinfang.deadlines._parts import ClockPart

__all__ = [
    "CODES",
    "ENUM_COLUMNS",
    "PLAN_LIMIT",
    "PLAN_STEP_PREFIX",
    "ClockStep",
    "clock_columns",
    "clock_limit",
    "clock_limits",
    "clock_plan",
    "is_exempt",
    "part_limits",
    "plan_step_limit",
    "step_of",
]


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


#: The key of a plan step's clock is this prefix and the step's number (1, 2, ...).
PLAN_STEP_PREFIX: Final = "plan_step_"


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


def _end_attr(starts: str, end: str) -> str:
    return _END_ATTR.get((starts, end), end)


class ClockStep(NamedTuple):
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


#: The enum columns of :class:`~xinfang.deadlines.CaseColumns`: column name → its enum.
ENUM_COLUMNS: Final[Mapping[str, type[enum.Enum]]] = types.MappingProxyType(
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
        (name, frozenset(ENUM_COLUMNS[name](code) for code in codes))
        for name, codes in lim.applies_to
    ]
    if lim.binds:
        out.append((lim.binds_attribute, frozenset({None, *lim.binds})))
    if lim.waived_if_identity_unclear:
        out.append(("identity_unclear", frozenset({False})))
    return tuple(out)


def step_of(number: int) -> ClockStep:
    """Step ``number`` of the plans as a clock step: columns ``step_due_N`` and ``step_done_N``.

    From the first plan's day to the report marking it done, due on the step's date;
    the settlement or the withdrawal makes it moot (the per-case path:
    :func:`_step_clocks`).
    """
    due, done = f"step_due_{number}", f"step_done_{number}"
    stops = ("withdrawn", "settled")
    return ClockStep(
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


@functools.lru_cache(maxsize=32)
def clock_plan(rb: Rulebook) -> tuple[ClockStep, ...]:
    """The rulebook's clock limits compiled, in :func:`clock_limits` order.

    Computed once per rulebook: cached by the frozen rulebook itself (its hash
    is computed once, so a repeated call costs a dict lookup). Equal rulebooks
    share one plan.
    """
    extended = {lim.extends for lim in rb.limits if lim.kind is LimitKind.CAP}
    steps = []
    for lim in clock_limits(rb):
        start = _START_ATTR[lim.starts]
        ends = tuple(_end_attr(lim.starts, e) for e in sorted(lim.ends))
        stops = ("withdrawn", *(_end_attr(lim.starts, e) for e in sorted(lim.stops)))
        steps.append(
            ClockStep(
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
    return tuple(steps)


def is_exempt(case: Case, step: ClockStep) -> bool:
    """Whether the body of ``case`` is exempt from ``step``'s limit (its kind and the category)."""
    return any(
        getattr(case, attr) is kind and case.category in cats for attr, kind, cats in step.exempt
    )


#: The code of each enum member in a :class:`CaseColumns` enum column (0 for none).
CODES: Final[Mapping[enum.Enum | None, int]] = types.MappingProxyType(
    {None: 0, **{m: i for e in ENUM_COLUMNS.values() for i, m in enumerate(e, start=1)}}
)


def clock_columns(rulebook: Rulebook) -> tuple[str, ...]:
    """The columns :func:`clock_parts` reads of every case under ``rulebook``.

    Each limit's start and the attributes its ``applies_to`` tests, and what
    the limits that run on every case (counted from receipt, for all) read.
    Pass them as ``CaseColumns(..., read=...)`` to read them together with
    the caller's own in the first passes.
    """
    plan = clock_plan(rulebook)
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
