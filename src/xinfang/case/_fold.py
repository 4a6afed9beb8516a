"""The fold: events into a :class:`~xinfang.case.Case`, enforcing the transition spec.

Each change class has one handler here for what the spec does not say (the
units, the route, the outcome, the hearings, the roles) and to check its
guards, each by calling the guard's one predicate in the spec
(:data:`xinfang.transitions.CHECKS`) on the state before the change
(:data:`FOLD`, a table keyed by the change's type); a test checks that every
change class has one.
"""

from __future__ import annotations

import datetime as _dt
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import attrs

from xinfang.changes import (
    Accept,
    ApproveObjection,
    Assign,
    AssignRole,
    Categorize,
    Decline,
    EndHearing,
    Event,
    Extend,
    Forward,
    IssueOpinion,
    IssueReReviewOpinion,
    IssueReviewOpinion,
    Notify,
    ObjectRemit,
    Rate,
    ReceiveForwarded,
    RecordAgreement,
    Register,
    Relapse,
    ReleaseRole,
    ReportBack,
    ReportProgress,
    RequestReReview,
    RequestReview,
    ReturnMaterials,
    SetPlan,
    Settle,
    SettlementPlan,
    StartHearing,
    Withdraw,
)
from xinfang.errors import QUOTE_LIMIT, TransitionError, quoted
from xinfang.instants import local_day
from xinfang.transitions import (
    ACCEPTED_ROUTES,
    ANCHORS,
    DEFAULT_ROUTE,
    GUARDS,
    TRANSITIONS,
    approval_once_ok,
    deadline_moved_later,
    delivered_after_issue_ok,
    extension_days_ok,
    hearing_ended_ok,
    hearing_not_running_ok,
    hearing_running_ok,
    progress_needs_plan_ok,
    receipt_before_answer_ok,
    receipt_once_ok,
    relapse_after_settle_ok,
    report_back_assigned_ok,
    report_back_date_ok,
    return_after_approval_ok,
    role_held_ok,
    role_not_held_ok,
    route_fits_category,
    settle_once_ok,
    step_once_ok,
    steps_ok,
)
from xinfang.vocabulary import (
    Category,
    Outcome,
    Rating,
    Route,
    Stage,
    UnitKind,
)

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Mapping

from xinfang.case._value import (
    MILESTONE_NAMES,
    REGULATION,
    Case,
    Hearing,
    Holding,
    Milestones,
    day_ordinal,
    milestone_values,
)

# ------------------------------------------------------- the stage graph
# The stage graph, the milestones each change sets and its guards are the
# transition spec (xinfang.transitions.TRANSITIONS); ALLOWED_FROM is its view.


# ------------------------------------------------------------- the fold
@attrs.define(kw_only=True)
class _State:
    """The fold's working state: what events change, typed (private, mutable)."""

    reg: Register
    stage: Stage = Stage.REGISTERED
    category: Category | None = None
    handling_unit: str = ""
    route: Route | None = None
    outcome: Outcome | None = None
    settled: bool = False
    rating: Rating | None = None
    extensions: int = 0
    extension_days: int = 0
    hearings: list[Hearing] = attrs.Factory(list)
    roles: list[Holding] = attrs.Factory(list)
    plan: SettlementPlan | None = None
    steps_done: list[_dt.date | None] = attrs.Factory(list)
    forwarded_unit_kind: UnitKind | None = None
    handling_unit_kind: UnitKind | None = None
    events: list[Event] = attrs.Factory(list)
    #: milestone name → local date (only those reached)
    on: dict[str, _dt.date] = attrs.Factory(dict)

    @property
    def in_hearing(self) -> bool:
        return bool(self.hearings) and self.hearings[-1].end is None


def _not_an_event(value: object, path: str) -> TransitionError:
    return TransitionError(
        f"not an event: {type(value).__name__}", path=path, rule="a case is the fold of its events"
    )


def _start(event: Event) -> _State:
    """The fold's state after the registration event."""
    if not isinstance(event, Event):
        raise _not_an_event(event, "events[0]")
    ch = event.change
    if not isinstance(ch, Register):
        raise TransitionError(
            f"the first event must be 'registered', got {ch.kind!r}",
            path="events[0]",
            rule=f"{REGULATION} 第二十一条: every matter is registered first",
        )
    if event.seq != 1:
        raise TransitionError(f"the first event has seq 1, got {event.seq}", path="events[0].seq")
    if event.at < ch.received_at:
        raise TransitionError("a matter is registered after it is received", path="events[0].at")
    received = local_day(ch.received_at)
    on = {"received": received}
    if ch.notified_on_the_spot:  # 当场书面告知 (Art. 23 ¶2)
        on["notified"] = received
    return _State(
        reg=ch,
        category=ch.category,
        handling_unit=ch.receiving_unit,
        handling_unit_kind=ch.receiving_unit_kind,
        events=[event],
        on=on,
    )


def _thaw(case: Case) -> _State:
    first = case.events[0].change if case.events else None
    if not isinstance(first, Register):
        raise TransitionError(
            f"case {case.id} has no registration event",
            path="events[0]",
            rule="a case starts registered",
        )
    on = {name: d for name, d in zip(MILESTONE_NAMES, milestone_values(case.on), strict=True) if d}
    on.pop("last_event", None)
    return _State(
        reg=first,
        stage=case.stage,
        category=case.category,
        handling_unit=case.handling_unit,
        route=case.route,
        outcome=case.outcome,
        settled=case.settled,
        rating=case.rating,
        extensions=case.extensions,
        extension_days=case.extension_days,
        hearings=list(case.hearings),
        roles=list(case.roles),
        plan=case.plan,
        steps_done=list(case.steps_done),
        forwarded_unit_kind=case.forwarded_unit_kind,
        handling_unit_kind=case.handling_unit_kind,
        events=list(case.events),
        on=on,
    )


def _freeze(st: _State) -> Case:
    reg = st.reg
    events = tuple(st.events)
    return Case(
        id=reg.case_id,
        received_at=reg.received_at,
        channel=reg.channel,
        receiving_unit=reg.receiving_unit,
        petitioners=reg.petitioners,
        claims=reg.claims,
        category=st.category,
        group_size=reg.group_size,
        representatives=reg.representatives,
        repeat_of=reg.repeat_of,
        same_facts=reg.same_facts,
        skip_level=reg.skip_level,
        beijing_visit=reg.beijing_visit,
        backlog_since=reg.backlog_since,
        procedure=reg.procedure,
        stage=st.stage,
        handling_unit=st.handling_unit,
        route=st.route,
        outcome=st.outcome,
        settled=st.settled,
        rating=st.rating,
        extensions=st.extensions,
        extension_days=st.extension_days,
        hearings=tuple(st.hearings),
        accused_persons=reg.accused_persons,
        accused_units=reg.accused_units,
        roles=tuple(st.roles),
        plan=st.plan,
        steps_done=tuple(st.steps_done),
        receiving_unit_kind=reg.receiving_unit_kind,
        forwarded_unit_kind=st.forwarded_unit_kind,
        handling_unit_kind=st.handling_unit_kind,
        identity_unclear=reg.identity_unclear,
        on=Milestones(**st.on, last_event=local_day(events[-1].at)),
        events=events,
    )


class _Refusal(Exception):  # noqa: N818 - internal signal, turned into a TransitionError
    def __init__(self, rule: str, why: str) -> None:
        self.rule = rule
        self.why = why


def _refuse(guard: str, why: str = "") -> _Refusal:
    """The refusal of the named guard (:data:`~xinfang.transitions.GUARDS`)."""
    g = GUARDS[guard]
    return _Refusal(g.article, why or g.why)


# Each handler: (state, change, event, local day of the event) -> None, in place. What
# the spec declares (stage after, milestones set or cleared, the route needed) is done
# by _step from TRANSITIONS; a handler checks its guards and sets the rest.
def _categorize(st: _State, ch: Categorize, event: Event, day: _dt.date) -> None:
    if st.route is not None and not route_fits_category(st.route, ch.category):
        raise _refuse(
            "route_fits_category",
            f"accepted on the {st.route.value} route: it cannot become {ch.category.value}",
        )
    st.category = ch.category


def _forward(st: _State, ch: Forward | Assign, event: Event, day: _dt.date) -> None:
    if isinstance(ch, Assign):
        if not report_back_date_ok(ch.report_back_by, day):
            raise _refuse(
                "report_back_date",
                f"report_back_by {ch.report_back_by.isoformat()} is before the assignment "
                f"on {day.isoformat()}",
            )
        st.on["report_back_due"] = ch.report_back_by
    st.handling_unit = ch.to_unit
    st.forwarded_unit_kind = ch.to_unit_kind
    st.handling_unit_kind = ch.to_unit_kind


def _receive_forwarded(st: _State, ch: ReceiveForwarded, event: Event, day: _dt.date) -> None:
    if not receipt_once_ok("forward_received" in st.on):
        raise _refuse("receipt_once")
    if not receipt_before_answer_ok(("forward_notified" in st.on) + ("remit_objected" in st.on)):
        raise _refuse("receipt_before_answer")
    # its notice and objection run from here (last_forwarded, set by the spec)


def _approve_objection(st: _State, ch: ApproveObjection, event: Event, day: _dt.date) -> None:
    if not approval_once_ok("objection_approved" in st.on):
        raise _refuse("approval_once")


def _return_materials(st: _State, ch: ReturnMaterials, event: Event, day: _dt.date) -> None:
    if not return_after_approval_ok("objection_approved" in st.on):
        raise _refuse("return_after_approval")
    st.handling_unit = ch.to_unit
    st.handling_unit_kind = ch.to_unit_kind


def _report_back(st: _State, ch: ReportBack, event: Event, day: _dt.date) -> None:
    if not report_back_assigned_ok("report_back_due" in st.on):
        raise _refuse("report_back_assigned")


def _record_agreement(st: _State, ch: RecordAgreement, event: Event, day: _dt.date) -> None:
    # The agreement is the settlement's evidence (化解): the case counts as settled
    # (a later Relapse undoes that, as after a Settle).
    if not st.settled:
        st.settled = True
        st.on["settled"] = day


def _decline(st: _State, ch: Decline, event: Event, day: _dt.date) -> None:
    st.route = ch.route_told


def _object_remit(st: _State, ch: ObjectRemit, event: Event, day: _dt.date) -> None:
    pass  # the stage and the milestone are the spec's


def _accept(st: _State, ch: Accept, event: Event, day: _dt.date) -> None:
    route = ch.route if ch.route is not None else DEFAULT_ROUTE[st.category]
    if route not in ACCEPTED_ROUTES:
        raise _refuse(
            "route_accepted",
            f"a matter for the {route.value} procedure is declined with that route told, "
            "not accepted into petition handling",
        )
    if not route_fits_category(route, st.category):
        what = st.category.value if st.category is not None else "not categorised"
        raise _refuse(
            "route_fits_category",
            f"a matter of category {what} is not accepted on the {route.value} route",
        )
    st.route = route


def _notify(st: _State, ch: Notify, event: Event, day: _dt.date) -> None:
    pass  # the milestones are the spec's


def _extend(st: _State, ch: Extend, event: Event, day: _dt.date) -> None:
    if not isinstance(ch.days, int) or not extension_days_ok(ch.days):
        raise _refuse("extension_days")
    st.extensions += 1
    st.extension_days += ch.days


def _start_hearing(st: _State, ch: StartHearing, event: Event, day: _dt.date) -> None:
    if not hearing_not_running_ok(st.in_hearing):
        raise _refuse("hearing_not_running")
    st.hearings.append(Hearing(start=day, stage=st.stage))


def _end_hearing(st: _State, ch: EndHearing, event: Event, day: _dt.date) -> None:
    if not hearing_running_ok(st.in_hearing):
        raise _refuse("hearing_running")
    last = st.hearings[-1]
    st.hearings[-1] = Hearing(start=last.start, end=day, stage=last.stage)


#: An opinion's kind → the milestone of its delivery (computed from ``delivered_at``).
_DELIVERED: Final[Mapping[type[Any], str | None]] = types.MappingProxyType(
    {
        IssueOpinion: "opinion_delivered",
        IssueReviewOpinion: "review_delivered",
        IssueReReviewOpinion: None,
    }
)


def _issue(
    st: _State,
    ch: IssueOpinion | IssueReviewOpinion | IssueReReviewOpinion,
    event: Event,
    day: _dt.date,
) -> None:
    if not hearing_ended_ok(st.in_hearing):
        raise _refuse("hearing_ended")
    delivered = local_day(ch.delivered_at) if ch.delivered_at else day
    if not delivered_after_issue_ok(delivered, day):
        raise _refuse("delivered_after_issue")
    delivered_as = _DELIVERED[type(ch)]
    if delivered_as is not None:
        st.on[delivered_as] = delivered
    st.outcome = ch.outcome


def _request(st: _State, ch: RequestReview | RequestReReview, event: Event, day: _dt.date) -> None:
    st.handling_unit = ch.to_unit
    st.handling_unit_kind = None


def _settle(st: _State, ch: Settle, event: Event, day: _dt.date) -> None:
    if not settle_once_ok(st.settled):
        raise _refuse("settle_once")
    st.settled = True
    st.on["settled"] = day


def _relapse(st: _State, ch: Relapse, event: Event, day: _dt.date) -> None:
    if not relapse_after_settle_ok(st.settled):
        raise _refuse("relapse_after_settle")
    st.settled = False


def _withdraw(st: _State, ch: Withdraw, event: Event, day: _dt.date) -> None:
    pass  # the stage and the milestone are the spec's


def _rate(st: _State, ch: Rate, event: Event, day: _dt.date) -> None:
    st.rating = ch.rating


def _named(text: str) -> str:
    """A holder as a refusal names it: whole when short, else a bounded prefix."""
    return text if len(text) <= QUOTE_LIMIT else quoted(text)


def _assign_role(st: _State, ch: AssignRole, event: Event, day: _dt.date) -> None:
    if not role_not_held_ok(any(h.role is ch.role and h.holder == ch.holder for h in st.roles)):
        raise _refuse("role_not_held", f"{_named(ch.holder)} already holds {ch.role.value}")
    if ch.role.single:
        st.roles[:] = [h for h in st.roles if h.role is not ch.role]
    st.roles.append(
        Holding(role=ch.role, holder=ch.holder, since=event.at, by=event.by, reason=ch.reason)
    )


def _release_role(st: _State, ch: ReleaseRole, event: Event, day: _dt.date) -> None:
    held = [h for h in st.roles if h.role is ch.role and h.holder == ch.holder]
    if not role_held_ok(len(held)):
        raise _refuse("role_held", f"{_named(ch.holder)} does not hold {ch.role.value}")
    st.roles.remove(held[0])


def _set_plan(st: _State, ch: SetPlan, event: Event, day: _dt.date) -> None:
    new = ch.plan.deadline
    old = st.plan.deadline if st.plan is not None else None
    if deadline_moved_later(day_ordinal(new), day_ordinal(old), 0) and not ch.reason.strip():
        raise _refuse(
            "plan_deadline_reason",
            f"the deadline moves from {old} to {new or 'none'} and no reason is given",
        )
    st.plan = ch.plan
    st.steps_done = [None] * len(ch.plan.milestones)
    if new is None:
        st.on.pop("plan_due", None)
    else:
        st.on["plan_due"] = new


def _report_progress(st: _State, ch: ReportProgress, event: Event, day: _dt.date) -> None:
    if not progress_needs_plan_ok(st.plan is not None):
        raise _refuse("progress_needs_plan")
    done = st.steps_done
    for number in ch.completes:
        if not isinstance(number, int) or not steps_ok(number, len(done)):
            raise _refuse("progress_steps", f"the plan has {len(done)} step(s): no step {number!r}")
        if not step_once_ok(done[number - 1] is not None):
            raise _refuse("progress_steps", f"step {number} is already done")
        done[number - 1] = day


_Handler = Callable[[_State, Any, Event, _dt.date], None]

#: How each change class changes the working state: one handler per class.
FOLD: Final[Mapping[type[Any], _Handler]] = types.MappingProxyType(
    {
        Categorize: _categorize,
        Forward: _forward,
        Assign: _forward,
        Decline: _decline,
        ObjectRemit: _object_remit,
        Accept: _accept,
        Notify: _notify,
        Extend: _extend,
        StartHearing: _start_hearing,
        EndHearing: _end_hearing,
        IssueOpinion: _issue,
        RequestReview: _request,
        IssueReviewOpinion: _issue,
        RequestReReview: _request,
        IssueReReviewOpinion: _issue,
        Settle: _settle,
        Relapse: _relapse,
        Withdraw: _withdraw,
        Rate: _rate,
        AssignRole: _assign_role,
        ReleaseRole: _release_role,
        SetPlan: _set_plan,
        ReportProgress: _report_progress,
        ReceiveForwarded: _receive_forwarded,
        ApproveObjection: _approve_objection,
        ReturnMaterials: _return_materials,
        ReportBack: _report_back,
        RecordAgreement: _record_agreement,
    }
)


def _step(st: _State, event: Event) -> None:
    """Fold one event into the state in place, enforcing order and the transition spec."""
    if not isinstance(event, Event):
        raise _not_an_event(event, f"events[{len(st.events)}]")
    ch = event.change
    kind = ch.kind
    events = st.events
    n = len(events)
    cid = st.reg.case_id
    if isinstance(ch, Register):
        raise TransitionError(
            f"case {cid}: cannot record {kind!r}: the case is already registered",
            path=kind,
            rule="one registration per case",
        )
    if event.seq != n + 1:
        raise TransitionError(
            f"case {cid}: expected event seq {n + 1}, got {event.seq}",
            path=f"events[{n}].seq",
            rule="events are numbered 1, 2, 3, ... without gaps",
        )
    last_at = events[-1].at
    if event.at < last_at:
        raise TransitionError(
            f"case {cid}: event at {event.at.isoformat()} is before the previous one "
            f"({last_at.isoformat()})",
            path=f"events[{n}].at",
            rule="events are recorded in the order they happened",
        )
    spec = TRANSITIONS[kind]
    day = local_day(event.at)
    try:
        if st.stage not in spec.allowed_from:
            raise _Refusal(spec.rule, f"not allowed in stage {st.stage.value!r}")
        if spec.routes is not None and st.route not in spec.routes:
            now = st.route.value if st.route is not None else "no"
            raise _refuse(spec.route_guard, f"{GUARDS[spec.route_guard].why} (on the {now} route)")
        FOLD[type(ch)](st, ch, event, day)
    except _Refusal as refusal:
        raise TransitionError(
            f"case {cid}: cannot record {kind!r}: {refusal.why}", path=kind, rule=refusal.rule
        ) from None
    on = st.on
    for name in spec.clears:
        on.pop(name, None)
    for name in spec.latest:
        on[name] = day
    for name in spec.first:
        anchor = ANCHORS.get(name)
        if anchor is None or anchor in on:
            on.setdefault(name, day)
    if spec.stage_after is not None:
        st.stage = spec.stage_after
    events.append(event)


def mutate(case: Case | None, event: Event) -> Case:
    """Fold one event into a case, enforcing the stage graph (no time windows).

    :func:`replay` folds the same way; :func:`xinfang.apply` adds the checks
    that need a rulebook and a calendar.
    """
    if case is None:
        return _freeze(_start(event))
    if not isinstance(case, Case):
        raise TransitionError(
            f"not a case: {type(case).__name__}",
            path="case",
            rule="a case is the fold of its events",
        )
    st = _thaw(case)
    _step(st, event)
    return _freeze(st)


class Folding:
    """A case folded one event at a time on one working state, frozen on demand (not a value).

    What :func:`replay` does, for a caller that reads the case as of each
    event (:func:`xinfang.procedure.apply_all`): :meth:`step` folds one event
    exactly as :func:`mutate` does, without thawing and freezing the case each
    time; :meth:`case` freezes the state (once per step at most). After a
    refused event the folding is spent: it refuses every further use.
    """

    __slots__ = ("_frozen", "_spent", "_state")

    def __init__(self, case: Case | None = None) -> None:
        if case is not None and not isinstance(case, Case):
            raise TransitionError(
                f"not a case: {type(case).__name__}",
                path="case",
                rule="a case is the fold of its events",
            )
        self._frozen = case
        self._state = None if case is None else _thaw(case)
        self._spent = False

    @property
    def stage(self) -> Stage | None:
        """The stage now (``None`` before the registration)."""
        return None if self._state is None else self._state.stage

    @property
    def next_seq(self) -> int:
        """The ``seq`` of the next event."""
        return 1 if self._state is None else len(self._state.events) + 1

    def step(self, event: Event) -> None:
        """Fold one event (the first: the registration), as :func:`mutate` does."""
        if self._spent:
            raise TransitionError(
                "this folding refused an event; start again from the last case",
                path="events",
                rule="a refused event changes nothing",
            )
        self._frozen = None
        try:
            if self._state is None:
                self._state = _start(event)
            else:
                _step(self._state, event)
        except BaseException:
            self._spent = True
            raise

    def case(self) -> Case:
        """The case as of the last event folded."""
        if self._frozen is None:
            if self._state is None or self._spent:
                raise TransitionError(
                    "no case: nothing folded yet, or an event was refused",
                    path="events",
                    rule="a case starts registered",
                )
            self._frozen = _freeze(self._state)
        return self._frozen


def replay(events: Iterable[Event]) -> Case:
    """Rebuild a case from its events (the stage graph is enforced; windows are not).

    The fold runs on one working state and builds the case value once. A
    refused event's position is on the error as ``index``.
    """
    try:
        it = iter(events)
    except TypeError:
        raise _not_an_event(events, "events") from None
    first = next(it, None)
    if first is None:
        raise TransitionError("no events to replay", path="events", rule="a case starts registered")
    try:
        st = _start(first)
    except TransitionError as exc:
        exc.index = 0
        raise
    for i, event in enumerate(it, start=1):
        try:
            _step(st, event)
        except TransitionError as exc:
            exc.index = i
            raise
    return _freeze(st)
