"""The case value: :class:`Case`, its :class:`Milestones`, hearings and plan history.

What a case *is* (the frozen value a fold builds, its flags, its plan
revisions); how events make one is the fold's job (``_fold.py``).
"""

from __future__ import annotations

import datetime as _dt
from operator import attrgetter
from typing import Final

import attrs

from xinfang.changes import (
    Claim,
    Event,
    Register,
    SetPlan,
    SettlementPlan,
)
from xinfang.errors import InvalidDataError
from xinfang.instants import local_day
from xinfang.personal import Petitioner
from xinfang.transitions import (
    deadline_moved_later,
)
from xinfang.vocabulary import (
    TERMINAL,
    Category,
    Channel,
    Outcome,
    Procedure,
    Rating,
    Role,
    Route,
    Stage,
    UnitKind,
)

#: 多人采用走访形式提出共同的信访事项的，应当推选代表，代表人数不得超过5人 (Art. 20 ¶3).
MAX_REPRESENTATIVES: Final = 5
#: The regulation the case's own rules cite.
REGULATION = "信访工作条例 (2022)"
#: The most extension days a case may hold in total: the days between ``date.min`` and
#: ``date.max`` (more, and no calendar could count them). The value and column folds both
#: refuse a case whose extensions add up to more.
MAX_EXTENSION_DAYS: Final = (_dt.date.max - _dt.date.min).days


@attrs.frozen(kw_only=True)
class Hearing:
    """A hearing: local start and end dates (``end`` is ``None`` while it runs)."""

    start: _dt.date
    end: _dt.date | None = None
    stage: Stage = Stage.ACCEPTED


@attrs.frozen(kw_only=True)
class Holding:
    """Who holds a role in a case's chain, since when, who recorded it and why."""

    role: Role
    holder: str
    since: _dt.datetime
    by: str
    reason: str


@attrs.frozen(kw_only=True)
class Milestones:
    """The local date of each milestone (first occurrence), for O(1) clocks.

    ``last_forwarded`` is the latest receipt of a forwarded or assigned matter
    (a remit-objection window runs from it): the day of the
    :class:`~xinfang.changes.ReceiveForwarded` event when one is recorded, else the
    forwarding day; ``forward_received`` is that recorded receipt.
    ``remit_objected`` is the objection to it and ``forward_notified`` the
    first written notice recorded after it (what the receiving body owes
    within 15 days, Art. 23 ¶3): both are cleared by each new forwarding or
    assignment. ``report_back_due`` is the latest assignment's
    ``report_back_by`` (Art. 22 (3)) and ``reported_back`` the 办结报告 after
    it; ``agreement_recorded`` the first Art. 33 agreement.
    """

    received: _dt.date
    forwarded: _dt.date | None = None
    assigned: _dt.date | None = None
    last_forwarded: _dt.date | None = None
    forward_received: _dt.date | None = None
    objection_approved: _dt.date | None = None
    materials_returned: _dt.date | None = None
    report_back_due: _dt.date | None = None
    reported_back: _dt.date | None = None
    declined: _dt.date | None = None
    remit_objected: _dt.date | None = None
    accepted: _dt.date | None = None
    notified: _dt.date | None = None
    forward_notified: _dt.date | None = None
    opinion_issued: _dt.date | None = None
    opinion_delivered: _dt.date | None = None
    review_requested: _dt.date | None = None
    review_opinion_issued: _dt.date | None = None
    review_delivered: _dt.date | None = None
    rereview_requested: _dt.date | None = None
    rereview_opinion_issued: _dt.date | None = None
    agreement_recorded: _dt.date | None = None
    settled: _dt.date | None = None
    withdrawn: _dt.date | None = None
    #: The first settlement plan's day (a plan clock runs from it, 紧盯落实).
    plan_set: _dt.date | None = None
    #: The current plan's deadline (the day set, never rolled); ``None`` without one.
    plan_due: _dt.date | None = None
    #: The latest progress report's day (进展情况).
    progress_reported: _dt.date | None = None
    #: The local date of the case's latest event (of any kind).
    last_event: _dt.date | None = None


#: The milestone fields, in order (``last_event`` last).
MILESTONE_NAMES: Final = tuple(f.name for f in attrs.fields(Milestones))
milestone_values: Final = attrgetter(*MILESTONE_NAMES)


def case_flags(
    *,
    representatives: int,
    group_size: int,
    channel: Channel,
    skip_level: bool,
    beijing_visit: bool,
) -> tuple[tuple[str, str], ...]:
    """:attr:`Case.flags` from the registration's facts (the rule, for columns too)."""
    out = []
    if representatives > MAX_REPRESENTATIVES:
        out.append(
            ("too_many_representatives", f"{REGULATION} 第二十条第三款: 代表人数不得超过5人")
        )
    if group_size >= 2 and channel is Channel.VISIT and not representatives:
        out.append(("group_visit_without_representatives", f"{REGULATION} 第二十条第三款"))
    if skip_level:
        out.append(("skip_level", f"{REGULATION} 第十九条第三款、第二十条第一款"))
    if beijing_visit:
        out.append(("beijing_visit", f"{REGULATION} 第二十条第一款"))
    return tuple(out)


@attrs.frozen(kw_only=True)
class PlanRevision:
    """One settlement plan as set on a case: the day, by whom, the plan, the reason given.

    ``moved_later``: this revision moved the deadline later than the plan
    before it (or dropped it); such a revision carries a reason.
    """

    on: _dt.date
    by: str
    plan: SettlementPlan
    reason: str
    moved_later: bool


@attrs.frozen(kw_only=True)
class Case:
    """One petition matter (信访事项), the fold of its ``events``.

    Build it with :func:`apply` / :func:`open_case`, or rebuild it with
    :func:`replay`; never by hand. ``repr`` shows ID numbers and phones masked.

    ``receiving_unit_kind``, ``forwarded_unit_kind`` (the body of the latest
    forwarding or assignment) and ``handling_unit_kind`` are the kinds of the
    bodies a rulebook limit may bind (``None``: not recorded, every limit binds).
    """

    id: str
    received_at: _dt.datetime
    channel: Channel
    receiving_unit: str
    petitioners: tuple[Petitioner, ...]
    claims: tuple[Claim, ...]
    category: Category | None
    group_size: int
    representatives: tuple[str, ...]
    repeat_of: tuple[str, ...]
    same_facts: bool
    skip_level: bool
    beijing_visit: bool
    backlog_since: _dt.date | None
    procedure: Procedure
    stage: Stage = Stage.REGISTERED
    handling_unit: str = ""
    route: Route | None = None
    outcome: Outcome | None = None
    settled: bool = False
    rating: Rating | None = None
    extensions: int = 0
    extension_days: int = 0
    hearings: tuple[Hearing, ...] = ()
    accused_persons: tuple[str, ...] = ()
    accused_units: tuple[str, ...] = ()
    roles: tuple[Holding, ...] = ()
    plan: SettlementPlan | None = None
    #: Per step of the current plan (its ``milestones``), the day a progress report marked
    #: it done, else ``None`` (a revision starts its steps anew).
    steps_done: tuple[_dt.date | None, ...] = ()
    receiving_unit_kind: UnitKind | None = None
    forwarded_unit_kind: UnitKind | None = None
    handling_unit_kind: UnitKind | None = None
    identity_unclear: bool = False
    on: Milestones
    events: tuple[Event, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.extension_days <= MAX_EXTENSION_DAYS:
            raise InvalidDataError(
                [("extension_days", f"{self.extension_days} days cannot be counted on a calendar")]
            )

    @property
    def responsible_unit(self) -> str | None:
        """The unit holding the ``RESPONSIBLE_UNIT`` role, if any."""
        for h in self.roles:
            if h.role is Role.RESPONSIBLE_UNIT:
                return h.holder
        return None

    @property
    def in_hearing(self) -> bool:
        """Whether a hearing is running."""
        return bool(self.hearings) and self.hearings[-1].end is None

    @property
    def is_group_visit(self) -> bool:
        """集体访: two or more visitors with a common matter."""
        return self.group_size >= 2

    @property
    def is_repeat(self) -> bool:
        """重复信访: linked to earlier cases of the same petitioner and matter."""
        return bool(self.repeat_of)

    @property
    def is_backlog(self) -> bool:
        """历史遗留: marked as an old matter never settled."""
        return self.backlog_since is not None

    @property
    def is_terminal(self) -> bool:
        """Declined, final or withdrawn."""
        return self.stage in TERMINAL

    @property
    def plan_history(self) -> tuple[PlanRevision, ...]:
        """Every settlement plan set on the case, oldest first (revisions stay on the record)."""
        out: list[PlanRevision] = []
        old: _dt.date | None = None
        for event in self.events:
            ch = event.change
            if isinstance(ch, SetPlan):
                new = ch.plan.deadline
                moved = bool(deadline_moved_later(day_ordinal(new), day_ordinal(old), 0))
                out.append(
                    PlanRevision(
                        on=local_day(event.at),
                        by=event.by,
                        plan=ch.plan,
                        reason=ch.reason,
                        moved_later=moved,
                    )
                )
                old = new
        return tuple(out)

    @property
    def deadline_moves(self) -> int:
        """How many revisions moved the plan's deadline later (or dropped it)."""
        return sum(r.moved_later for r in self.plan_history)

    @property
    def flags(self) -> tuple[tuple[str, str], ...]:
        """Irregularities to look at, each ``(code, citation)``; not errors."""
        return case_flags(
            representatives=len(self.representatives),
            group_size=self.group_size,
            channel=self.channel,
            skip_level=self.skip_level,
            beijing_visit=self.beijing_visit,
        )

    @property
    def attributes(self) -> dict[str, str | None]:
        """The codes a rulebook's ``applies_to`` tests."""
        return {
            "route": self.route.value if self.route else None,
            "category": self.category.value if self.category else None,
            "procedure": self.procedure.value,
            "channel": self.channel.value,
            "receiving_unit_kind": kind_code(self.receiving_unit_kind),
            "forwarded_unit_kind": kind_code(self.forwarded_unit_kind),
            "handling_unit_kind": kind_code(self.handling_unit_kind),
            "identity_unclear": "true" if self.identity_unclear else "false",
        }

    def masked(self) -> Case:
        """The same case with every petitioner's ID number and phone masked."""
        if not any(p.id_number or p.phone for p in self.petitioners):
            return self
        petitioners = tuple(p.masked() for p in self.petitioners)
        events = self.events
        if events and isinstance(events[0].change, Register):
            first = attrs.evolve(
                events[0], change=attrs.evolve(events[0].change, petitioners=petitioners)
            )
            events = (first, *events[1:])
        return attrs.evolve(self, petitioners=petitioners, events=events)


def kind_code(kind: UnitKind | None) -> str | None:
    """A unit kind's code, or None."""
    return kind.value if kind is not None else None


def day_ordinal(day: _dt.date | None) -> int:
    """A day's ordinal, 0 for none (the plan deadline comparison reads ordinals)."""
    return 0 if day is None else day.toordinal()
