"""Hypothesis strategies for xinfang values, for hosts' own property tests.

Requires hypothesis (``pip install xinfang[strategies]``). Every strategy
yields valid values only; xinfang's own test-suite uses these same strategies.
"""

from __future__ import annotations

import datetime as _dt
import functools
from typing import TYPE_CHECKING, Any, Final

import attrs

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "xinfang.strategies needs hypothesis, an optional dependency: "
        "pip install 'xinfang[strategies]'"
    ) from exc

from xinfang.calendar import WorkCalendar, china_mainland
from xinfang.case import ALLOWED_FROM, Case
from xinfang.changes import (
    Accept,
    ApproveObjection,
    Assign,
    AssignRole,
    Categorize,
    Change,
    Claim,
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
    PlanMilestone,
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
from xinfang.classification import CaseFacts
from xinfang.errors import TransitionError
from xinfang.instants import SHANGHAI
from xinfang.periods import CountingRule, Period, PeriodUnit
from xinfang.personal import Petitioner, PhoneNumber, ResidentId, id_check_digit
from xinfang.procedure import apply, open_case
from xinfang.responsibility import Interest, Official, Organization, Post, Unit
from xinfang.rulebook import Rulebook, bundled_rulebook, bundled_rulebooks
from xinfang.vocabulary import (
    AgreementKind,
    Category,
    Channel,
    Outcome,
    PetitionerKind,
    Procedure,
    Rating,
    Role,
    Route,
    Stage,
    UnitKind,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "case_facts",
    "cases",
    "changes",
    "claims",
    "counting_rules",
    "dates_in",
    "event_sequences",
    "instants",
    "interests",
    "organizations",
    "periods",
    "petitioners",
    "phone_numbers",
    "registrations",
    "resident_ids",
    "rulebooks",
    "work_calendars",
]


def dates_in(
    calendar: WorkCalendar | None = None, *, margin: int = 0
) -> st.SearchStrategy[_dt.date]:
    """Dates covered by ``calendar`` (default: mainland), ``margin`` days in from each end."""
    cal = calendar if calendar is not None else china_mainland()
    lo = cal.first + _dt.timedelta(days=margin)
    hi = cal.last - _dt.timedelta(days=margin)
    return st.dates(min_value=lo, max_value=hi)


def periods(
    *, max_amount: int = 120, units: tuple[PeriodUnit, ...] = tuple(PeriodUnit)
) -> st.SearchStrategy[Period]:
    """Periods of 0..``max_amount`` calendar or working days."""
    return st.builds(Period, st.integers(0, max_amount), st.sampled_from(units))


def counting_rules() -> st.SearchStrategy[CountingRule]:
    """Counting rules with every switch drawn, cutoff at 24:00 or a close of business."""
    return st.builds(
        CountingRule,
        exclude_start_day=st.booleans(),
        roll_forward=st.booleans(),
        weekend_is_rest_day=st.booleans(),
        cutoff=st.none() | st.sampled_from([_dt.time(17, 0), _dt.time(17, 30), _dt.time(18, 0)]),
    )


@st.composite
def work_calendars(
    draw: st.DrawFn,
    *,
    min_year: int = 2000,
    max_year: int = 2040,
    max_span_days: int = 3 * 366,
    max_listed: int = 60,
) -> WorkCalendar:
    """Arbitrary valid calendars: a range, a weekend, holidays and make-up days.

    At most three weekdays are weekend; a short range may still have no working
    day at all, so arithmetic on it may raise :class:`~xinfang.errors.CalendarRangeError`.
    """
    first = draw(st.dates(_dt.date(min_year, 1, 1), _dt.date(max_year, 12, 31)))
    span = draw(st.integers(0, max_span_days))
    last = min(first + _dt.timedelta(days=span), _dt.date(max_year, 12, 31))
    weekend = draw(st.sets(st.integers(0, 6), max_size=3))
    in_range = st.dates(first, last)
    holidays = draw(st.sets(in_range, max_size=max_listed))
    candidates = draw(st.sets(in_range, max_size=max_listed))
    makeup = {d for d in candidates if d.weekday() in weekend and d not in holidays}
    return WorkCalendar(
        name="generated",
        first=first,
        last=last,
        weekend=weekend,
        holidays=holidays,
        makeup_workdays=makeup,
        provisional_years=draw(st.sets(st.integers(first.year, last.year), max_size=2)),
    )


# ------------------------------------------------------------------ cases
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
_UNITS = ("总队", "第一支队", "第二支队", "第三支队", "信访办", "市政府", "区政府")


def rulebooks() -> st.SearchStrategy[Rulebook]:
    """The bundled rulebooks."""
    return st.sampled_from(bundled_rulebooks()).map(bundled_rulebook)


_AREAS = st.sampled_from(["110105", "310104", "440305", "510107", "330106"])
_BIRTHS = st.dates(_dt.date(1930, 1, 1), _dt.date(2008, 12, 31))
_SEQS = st.integers(0, 999)


@st.composite
def resident_ids(draw: st.DrawFn) -> ResidentId:
    """Valid 18-digit resident ID numbers (GB 11643 check digit)."""
    area = draw(_AREAS)
    birth = draw(_BIRTHS)
    seq = draw(_SEQS)
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return ResidentId(first17 + id_check_digit(first17))


@functools.cache
def phone_numbers() -> st.SearchStrategy[PhoneNumber]:
    """Mainland mobile numbers."""
    return st.builds(
        lambda p, n: PhoneNumber(f"{p}{n:08d}"),
        st.sampled_from(["138", "139", "150", "186", "199"]),
        st.integers(0, 99_999_999),
    )


_NAMES = st.builds(
    lambda s, g: s + g,
    st.sampled_from(_SURNAMES),
    st.text(alphabet=_GIVEN, min_size=1, max_size=2),
)


@functools.cache
def petitioners() -> st.SearchStrategy[Petitioner]:
    """Persons (with or without ID number and phone) and organisations."""
    person = st.builds(
        Petitioner,
        name=_NAMES,
        kind=st.just(PetitionerKind.PERSON),
        id_number=st.none() | resident_ids(),
        phone=st.none() | phone_numbers(),
        address=st.sampled_from(["", "北京市朝阳区", "上海市徐汇区"]),
    )
    org = st.builds(
        Petitioner,
        name=st.sampled_from(["某某物业公司", "某村村民委员会", "某某合作社"]),
        kind=st.just(PetitionerKind.ORGANISATION),
        phone=st.none() | phone_numbers(),
    )
    return person | org


@functools.cache
def claims() -> st.SearchStrategy[Claim]:
    """Claims with a request and optional facts and reasons."""
    return st.builds(
        Claim,
        request=st.sampled_from(["退还押金", "补发工资", "解决住房", "查处违规", "恢复待遇"]),
        facts=st.sampled_from(["", "2019年起拖欠", "多次反映未果"]),
        reasons=st.sampled_from(["", "合同约定", "政策规定"]),
    )


def instants(
    min_value: _dt.date = _dt.date(2021, 1, 1), max_value: _dt.date = _dt.date(2025, 6, 30)
) -> st.SearchStrategy[_dt.datetime]:
    """Aware instants in Asia/Shanghai, between two dates (inclusive)."""
    return st.builds(
        lambda d, m: (
            _dt.datetime(d.year, d.month, d.day, tzinfo=SHANGHAI) + _dt.timedelta(minutes=m)
        ),
        st.dates(min_value, max_value),
        st.integers(0, 24 * 60 - 1),
    )


_INSTANTS = instants()
_GROUP = st.integers(1, 12)
_REPS = {n: st.lists(_NAMES, max_size=n) for n in range(1, 8)}
_REPEAT_OF = st.lists(st.sampled_from(["P-1", "P-2", "P-3"]), max_size=2, unique=True)
_CASE_IDS = st.from_regex(r"XF-[0-9]{4}-[0-9]{6}", fullmatch=True)
_CHANNELS = st.sampled_from(Channel)
_RECEIVING = st.sampled_from(_UNITS)
_PETITIONER_LISTS = st.lists(petitioners(), min_size=1, max_size=3)
_CLAIM_LISTS = st.lists(claims(), min_size=1, max_size=2)
_CATEGORY = st.none() | st.sampled_from(Category)
_UNIT_KIND = st.none() | st.sampled_from(UnitKind)
_PROCEDURES = st.sampled_from(Procedure)


_Ids = st.SearchStrategy[list[str]] | None


# Strategies are immutable: build each once (per organisation) rather than per draw,
# where constructing and validating them cost more than drawing from them.
@functools.lru_cache(maxsize=64)
def _accused(org: Organization) -> tuple[_Ids, _Ids]:
    people = [o.id for o in org.officials]
    units = [u.id for u in org.units]
    return (
        st.lists(st.sampled_from(people), max_size=2, unique=True) if people else None,
        st.lists(st.sampled_from(units), max_size=1, unique=True) if units else None,
    )


@st.composite
def registrations(
    draw: st.DrawFn,
    *,
    at: st.SearchStrategy[_dt.datetime] | None = None,
    org: Organization | None = None,
) -> Register:
    """Valid ``Register`` commands (accusations naming accused from ``org`` when given)."""
    received = draw(at if at is not None else _INSTANTS)
    group = draw(_GROUP)
    accused_persons, accused_units = _accused(org) if org is not None else (None, None)
    reps = draw(_REPS[min(group, 7)])
    repeat_of = tuple(draw(_REPEAT_OF))
    return Register(
        case_id=draw(_CASE_IDS),
        received_at=received,
        channel=draw(_CHANNELS),
        receiving_unit=draw(_RECEIVING),
        receiving_unit_kind=draw(_UNIT_KIND),
        petitioners=draw(_PETITIONER_LISTS),
        claims=draw(_CLAIM_LISTS),
        category=draw(_CATEGORY),
        group_size=group,
        representatives=reps,
        repeat_of=repeat_of,
        same_facts=bool(repeat_of) and draw(st.booleans()),
        skip_level=draw(st.booleans()),
        beijing_visit=draw(st.booleans()),
        backlog_since=draw(st.none() | st.dates(_dt.date(2010, 1, 1), received.date())),
        procedure=draw(_PROCEDURES),
        accused_persons=draw(accused_persons) if accused_persons is not None else (),
        accused_units=draw(accused_units) if accused_units is not None else (),
        identity_unclear=draw(st.booleans()),
        notified_on_the_spot=draw(st.booleans()),
    )


_TEXT = st.sampled_from(["依据政策", "经调查核实", "事实清楚", "理由说明"])


@functools.lru_cache(maxsize=64)
def _change_strategies(org: Organization | None = None) -> dict[str, st.SearchStrategy[Change]]:
    outcome = st.sampled_from(Outcome)
    units = st.sampled_from(_UNITS)
    people = st.sampled_from([o.id for o in org.officials] if org and org.officials else ["o-1"])
    unit_ids = st.sampled_from([u.id for u in org.units] if org else list(_UNITS))
    out: dict[str, st.SearchStrategy[Any]] = {
        "categorized": st.builds(Categorize, category=st.sampled_from(Category)),
        "forwarded": st.builds(Forward, to_unit=units, to_unit_kind=_UNIT_KIND),
        # report_back_by: any day; cases() sets it from the assignment's day (never before).
        "assigned": st.builds(
            Assign,
            to_unit=units,
            report_back_by=st.dates(_dt.date(2021, 1, 1), _dt.date(2026, 6, 30)),
            to_unit_kind=_UNIT_KIND,
        ),
        "forward_received": st.builds(ReceiveForwarded),
        "objection_approved": st.builds(ApproveObjection, approved_by=st.just("信访局")),
        "materials_returned": st.builds(ReturnMaterials, to_unit=units, to_unit_kind=_UNIT_KIND),
        "reported_back": st.builds(ReportBack, summary=_TEXT),
        "agreement_recorded": st.builds(
            RecordAgreement, form=st.sampled_from(AgreementKind), summary=_TEXT
        ),
        "declined": st.builds(
            Decline,
            reason=_TEXT,
            route_told=st.sampled_from(Route),
            body_told=st.just("人民法院"),
        ),
        "remit_objected": st.builds(ObjectRemit, reason=_TEXT),
        # None (half the draws) takes the category's own route, so a suggestion and an
        # accusation are accepted on theirs as often as an appeal on the ordinary route.
        "accepted": st.builds(
            Accept,
            route=st.none()
            | st.sampled_from([Route.ORDINARY, Route.DUTY, Route.SUGGESTION, Route.ACCUSATION]),
        ),
        "notified": st.builds(Notify),
        "extended": st.builds(
            Extend, days=st.integers(1, 40), approved_by=st.just("局长"), reason=_TEXT
        ),
        "hearing_started": st.builds(StartHearing),
        "hearing_ended": st.builds(EndHearing),
        "opinion_issued": st.builds(IssueOpinion, outcome=outcome, basis=_TEXT),
        "review_requested": st.builds(RequestReview, to_unit=units),
        "review_opinion_issued": st.builds(IssueReviewOpinion, outcome=outcome, basis=_TEXT),
        "rereview_requested": st.builds(RequestReReview, to_unit=units),
        "rereview_opinion_issued": st.builds(IssueReReviewOpinion, outcome=outcome, basis=_TEXT),
        "settled": st.builds(Settle, evidence=_TEXT),
        "relapsed": st.builds(Relapse),
        "withdrawn": st.builds(Withdraw),
        "rated": st.builds(Rate, rating=st.sampled_from(Rating)),
        "role_assigned": st.one_of(
            st.builds(
                AssignRole,
                role=st.sampled_from([r for r in Role if r is not Role.RESPONSIBLE_UNIT]),
                holder=people,
                reason=_TEXT,
            ),
            st.builds(
                AssignRole, role=st.just(Role.RESPONSIBLE_UNIT), holder=unit_ids, reason=_TEXT
            ),
        ),
        "role_released": st.builds(
            ReleaseRole, role=st.sampled_from(Role), holder=people | unit_ids, reason=_TEXT
        ),
        "plan_set": st.builds(
            SetPlan,
            plan=st.builds(
                SettlementPlan,
                owner=st.just("") | people,
                deadline=st.none() | st.dates(_dt.date(2021, 1, 1), _dt.date(2026, 12, 31)),
                measures=st.lists(_TEXT, max_size=2),
                milestones=st.lists(
                    st.builds(
                        PlanMilestone,
                        due=st.dates(_dt.date(2021, 1, 1), _dt.date(2026, 12, 31)),
                        what=_TEXT,
                    ),
                    max_size=2,
                ),
            ),
            reason=st.just("") | _TEXT,
        ),
        "progress_reported": st.builds(
            ReportProgress,
            done=_TEXT,
            done_by=st.just("") | people,
            completes=st.lists(st.integers(1, 3), max_size=2, unique=True),
        ),
    }
    return out


@functools.lru_cache(maxsize=64)
def _any_kind(org: Organization | None) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(_change_strategies(org)))


def changes(kinds: Iterable[str] | None = None) -> st.SearchStrategy[Change]:
    """Commands after registration, of the given kinds (default: all; not always allowed)."""
    return _changes(None if kinds is None else tuple(sorted(kinds)))


@functools.lru_cache(maxsize=256)
def _changes(kinds: tuple[str, ...] | None) -> st.SearchStrategy[Change]:
    table = _change_strategies()
    chosen = sorted(table) if kinds is None else kinds
    return st.one_of(*(table[k] for k in chosen))


# How often each allowed command is drawn: progress through the procedure is
# favoured over the terminal exits, so deep histories are common.
_WEIGHT: dict[str, int] = {
    "accepted": 6,
    "opinion_issued": 6,
    "review_requested": 5,
    "review_opinion_issued": 5,
    "rereview_requested": 5,
    "rereview_opinion_issued": 4,
    "forwarded": 3,
    "assigned": 3,
    "forward_received": 2,
    "reported_back": 3,
    "agreement_recorded": 3,
    "hearing_started": 2,
    "declined": 1,
    "withdrawn": 1,
    "remit_objected": 2,
    "role_assigned": 3,
    "role_released": 1,
    "plan_set": 1,
    "progress_reported": 1,
}


_CLERKS = st.sampled_from(["clerk-1", "clerk-2"])
_FIRST_DELAY = st.integers(0, 600)
_DAYS = st.integers(0, 25)
_MINUTES = st.integers(0, 600)
_DIGIT = st.integers(0, 9)
#: Days from an assignment to the report back it asks for (Art. 22(3): never before it).
_REPORT_BACK_DAYS = st.integers(0, 60)
#: Stories a case follows where the stage graph lets it (most steps: the next one), so
#: that deep shapes are reached, not only their first steps: a hearing held and ended, a
#: review and re-review, an assignment reported back, a forwarding objected to and
#: returned, an agreement. The empty story is a free walk.
_STORIES = st.sampled_from(
    [
        (
            "accepted",
            "opinion_issued",
            "review_requested",
            "review_opinion_issued",
            "rereview_requested",
            "rereview_opinion_issued",
        ),
        ("accepted", "hearing_started", "hearing_ended", "opinion_issued", "review_requested"),
        (
            "accepted",
            "opinion_issued",
            "review_requested",
            "review_opinion_issued",
            "rereview_requested",
            "hearing_started",
            "hearing_ended",
            "rereview_opinion_issued",
        ),
        ("assigned", "forward_received", "reported_back", "notified", "accepted", "extended"),
        ("forwarded", "remit_objected", "objection_approved", "materials_returned", "accepted"),
        ("assigned", "forward_received", "remit_objected", "objection_approved", "forwarded"),
        ("accepted", "agreement_recorded", "relapsed", "opinion_issued", "rated"),
        ("accepted", "settled", "relapsed", "opinion_issued", "review_requested"),
        (),
    ]
)


#: Chain commands: apply() refuses them without an organisation (never drawn without one).
_CHAIN: Final = frozenset({"role_assigned", "role_released", "plan_set"})


@functools.cache
def _allowed_kinds(stage: Stage, chain: bool = True) -> st.SearchStrategy[str] | None:
    """The commands the stage graph allows from ``stage``, weighted; None if none."""
    allowed = [
        k
        for k, (stages, _) in sorted(ALLOWED_FROM.items())
        if stage in stages and (chain or k not in _CHAIN)
        for _ in range(_WEIGHT.get(k, 2))
    ]
    return st.sampled_from(allowed) if allowed else None


@functools.cache
def _steps(max_steps: int) -> st.SearchStrategy[int]:
    # Uniform (st.integers(0, n) draws 0 far more often); shrinks to no step.
    return st.sampled_from(range(max_steps + 1))


@st.composite
def cases(
    draw: st.DrawFn,
    *,
    max_steps: int = 12,
    rulebook_: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    org: Organization | None = None,
    interests: tuple[Interest, ...] = (),
) -> Case:
    """Valid cases: a registration, then commands at increasing instants.

    Commands are applied through :func:`xinfang.apply` under the rulebook (the
    2022 regulation by default) and the mainland calendar; a command the law
    refuses is skipped, so every case yielded is reachable legally. Most cases
    follow a story (a review and re-review, a hearing held and ended, an
    assignment reported back, a forwarding objected to, an agreement) where
    the stage graph lets them, so deep shapes are common (``python
    bench/strategy_shapes.py`` prints how common). An assignment's
    ``report_back_by`` is on or after its day (Art. 22(3)). A repeat with the
    same facts, or a skip-level repeat, is passed no ``related=`` cases: its
    acceptance, forwarding and assignment are refused and skipped. With an
    ``org``, chain commands (roles, plans) are drawn from its officials and
    units and checked against it and ``interests``.
    """
    rb = rulebook_ if rulebook_ is not None else bundled_rulebook()
    cal = calendar if calendar is not None else china_mainland()
    # The plan first: hypothesis draws the choices after a registration's many ones
    # mostly at their simplest (no step at all, a third of the cases, when drawn after).
    steps = draw(_steps(max_steps))
    story = draw(_STORIES)
    category = draw(_CATEGORY)  # an accusation's own route is reached as often as the others
    reg = attrs.evolve(draw(registrations(org=org)), category=category)
    at = reg.received_at + _dt.timedelta(minutes=draw(_FIRST_DELAY))
    case, _ = open_case(reg, at, by=draw(_CLERKS))
    table = _change_strategies(org)
    any_kind = _any_kind(org)
    for _ in range(steps):
        at += _dt.timedelta(days=draw(_DAYS), minutes=draw(_MINUTES))
        # Mostly the story's next step where the stage graph allows it, else a command
        # it allows, sometimes any (to exercise refusals); a running hearing is ended
        # half the time (it blocks every opinion).
        allowed = _allowed_kinds(case.stage, org is not None)
        if allowed is None:
            break
        digit = draw(_DIGIT)
        if story and digit < 9 and case.stage in ALLOWED_FROM[story[0]][0]:
            kind, story = story[0], story[1:]
        elif case.in_hearing and digit < 5:
            kind = "hearing_ended"
        else:
            kind = draw(allowed if digit < 9 else any_kind)
        change = draw(table[kind])
        if isinstance(change, Assign):
            days = _dt.timedelta(days=draw(_REPORT_BACK_DAYS))
            change = attrs.evolve(change, report_back_by=at.astimezone(SHANGHAI).date() + days)
        try:
            case, _ = apply(
                case,
                change,
                at,
                by="clerk-1",
                rulebook=rb,
                calendar=cal,
                org=org,
                interests=interests,
            )
        except TransitionError:
            continue
    return case


def event_sequences(**kwargs: object) -> st.SearchStrategy[tuple[Event, ...]]:
    """Valid event sequences (the events of :func:`cases`)."""
    return cases(**kwargs).map(lambda case: case.events)  # type: ignore[arg-type]


# ------------------------------------------------------------ organisations
_UP_TO_TWO = st.integers(0, 2)


@st.composite
def organizations(draw: st.DrawFn, *, max_units: int = 12) -> Organization:
    """Valid organisation trees: corps / detachment / brigade, heads, leaders, staff."""
    levels = ("corps", "detachment", "brigade")
    units = [Unit(id="U0", name="总队", level="corps")]
    for i in range(1, draw(st.integers(1, max_units))):
        parent = draw(st.sampled_from([u for u in units if u.level != "brigade"]))
        level = levels[levels.index(parent.level) + 1]
        units.append(Unit(id=f"U{i}", name=f"单位{i}", level=level, parent=parent.id))
    officials: list[Official] = []
    liaisons = st.lists(st.sampled_from([v.id for v in units]), max_size=2, unique=True)
    for u in units:
        if draw(_DIGIT):
            officials.append(Official(id=f"{u.id}-H", name="主官", unit=u.id, post=Post.HEAD))
        for j in range(draw(_UP_TO_TWO)):
            follows = draw(liaisons)
            officials.append(
                Official(
                    id=f"{u.id}-L{j}",
                    name="班子成员",
                    unit=u.id,
                    post=Post.LEADERSHIP,
                    liaison_units=follows,
                )
            )
        officials.extend(
            Official(id=f"{u.id}-S{j}", name="工作人员", unit=u.id, post=Post.STAFF)
            for j in range(draw(_UP_TO_TWO))
        )
    return Organization(levels=levels, units=units, officials=officials)


def interests(org: Organization, case_ids: tuple[str, ...] = ()) -> st.SearchStrategy[Interest]:
    """Declared interests of the organisation's officials (with petitioners, cases, subjects)."""
    people = [o.id for o in org.officials] or ["nobody"]
    return st.builds(
        Interest,
        official=st.sampled_from(people),
        petitioner=st.just("") | _NAMES,
        case_id=st.just("") | (st.sampled_from(case_ids) if case_ids else st.just("")),
        subject=st.just("") | st.sampled_from([u.id for u in org.units]),
        note=st.just("亲属关系"),
    )


# ------------------------------------------------------------ classification
def case_facts() -> st.SearchStrategy[CaseFacts]:
    """Arbitrary :class:`~xinfang.CaseFacts`: every combination the policy must handle."""
    maybe = st.none() | st.booleans()
    return st.builds(
        CaseFacts,
        category=st.none() | st.sampled_from([c.value for c in Category]),
        claim_reasonable=maybe,
        legal_basis=maybe,
        facts_clear=maybe,
        hardship=st.booleans(),
        unlawful_conduct=st.lists(st.integers(1, 6), max_size=2, unique=True).map(tuple),
        litigation=st.booleans(),
        legal_channel=st.none()
        | st.sampled_from(["arbitration", "party_discipline", "administrative"]),
        duty_request=st.booleans(),
        in_jurisdiction=st.booleans(),
        earlier_handlings=st.integers(0, 12),
        clear_conclusion=st.booleans(),
        doubts=st.booleans(),
        policy_heavy=st.booleans(),
        group_size=st.integers(1, 60),
        skip_level=st.booleans(),
        beijing_visit=st.booleans(),
        first_time=st.booleans(),
        time_sensitive=st.booleans(),
        accused=st.booleans(),
        backlog=st.booleans(),
    )
