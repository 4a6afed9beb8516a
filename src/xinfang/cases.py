"""The petition matter (信访事项): an immutable value, the fold of its events.

A :class:`Case` is built only by folding :class:`Event` values; an event wraps
one *change* (``Register``, ``Accept``, ``IssueOpinion``, ...) with the instant
it happened and who recorded it. The same change classes are the commands:

    case, event = apply(None, Register(...), at, by="clerk")
    case, event = apply(case, Accept(), at, by="clerk")
    replay(case.events) == case

:func:`apply` checks everything the law says about the command, including
time windows counted on the calendar under a rulebook, and raises a
:class:`~xinfang.TransitionError` (or a subclass) naming the rule and article.
:func:`replay` refolds recorded events and enforces the stage graph only: the
events are facts that already happened.
"""

from __future__ import annotations

import datetime as _dt
import enum
import os
import re
import struct
import threading
import zoneinfo
from operator import attrgetter, mul
from typing import TYPE_CHECKING, ClassVar, Final, TypeAlias

import attrs

from xinfang.errors import (
    FinalityError,
    InvalidDataError,
    NaiveDatetimeError,
    TransitionError,
    WindowClosedError,
)

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Mapping

    from xinfang.calendar import WorkCalendar
    from xinfang.responsibility import AccusedScope, Interest, Organization
    from xinfang.rulebook import Rulebook

__all__ = [
    "Accept",
    "Assign",
    "AssignRole",
    "Case",
    "Categorize",
    "Category",
    "Change",
    "Channel",
    "Claim",
    "Decline",
    "EndHearing",
    "Event",
    "Extend",
    "Forward",
    "Hearing",
    "Holding",
    "IssueOpinion",
    "IssueReReviewOpinion",
    "IssueReviewOpinion",
    "Milestones",
    "Notify",
    "ObjectRemit",
    "Outcome",
    "Petitioner",
    "PetitionerKind",
    "PhoneNumber",
    "PlanMilestone",
    "Procedure",
    "Rate",
    "Rating",
    "Register",
    "Relapse",
    "ReleaseRole",
    "RequestReReview",
    "RequestReview",
    "ResidentId",
    "Role",
    "Route",
    "SetPlan",
    "Settle",
    "SettlementPlan",
    "Stage",
    "StartHearing",
    "Withdraw",
    "apply",
    "open_case",
    "replay",
]

SHANGHAI: Final = zoneinfo.ZoneInfo("Asia/Shanghai")
#: 多人采用走访形式提出共同的信访事项的，应当推选代表，代表人数不得超过5人 (Art. 20 ¶3).
MAX_REPRESENTATIVES: Final = 5
_UTC8: Final = _dt.timedelta(hours=8)
#: From this year on a fixed +08:00 offset is Asia/Shanghai's own (no DST since 1991).
_UTC8_SINCE: Final = 1992
_ART = "信访工作条例 (2022)"


# ------------------------------------------------------------------ codes
class Channel(enum.Enum):
    """How a petition arrived (Art. 17): 信息网络、书信、电话、传真、走访."""

    ONLINE = "online"
    LETTER = "letter"
    PHONE = "phone"
    FAX = "fax"
    VISIT = "visit"


class Category(enum.Enum):
    """The three classes of matter (Arts. 29-31)."""

    SUGGESTION = "suggestion"  # 建议意见类, Art. 29
    ACCUSATION = "accusation"  # 检举控告类, Art. 30
    APPEAL = "appeal"  # 申诉求决类, Art. 31


class Route(enum.Enum):
    """Where an appeal/demand goes (Art. 31 (1)-(6))."""

    LITIGATION = "litigation"  # (1) court, procuratorate, police procedure (诉访分离)
    ARBITRATION = "arbitration"  # (2)
    PARTY_DISCIPLINE = "party_discipline"  # (3) Party-member appeal / re-examination
    ADMINISTRATIVE = "administrative"  # (4) reconsideration, ruling, licensing, penalty, ...
    DUTY = "duty"  # (5) perform the duty or reply
    ORDINARY = "ordinary"  # (6) hear, investigate, written handling opinion


class Procedure(enum.Enum):
    """Standard handling, or the simplified procedure (信访事项简易办理)."""

    STANDARD = "standard"
    SIMPLIFIED = "simplified"


class Outcome(enum.Enum):
    """A handling, review or re-review opinion (Art. 32)."""

    SUPPORT = "support"  # 支持
    EXPLAIN = "explain"  # 解释说明
    NOT_SUPPORTED = "not_supported"  # 不予支持


class Rating(enum.Enum):
    """The petitioner's rating of the handling (Art. 21)."""

    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class PetitionerKind(enum.Enum):
    """A natural person, or a legal person / organisation (Art. 17)."""

    PERSON = "person"
    ORGANISATION = "organisation"


class Stage(enum.Enum):
    """Where a case stands in its procedure (recorded; see ``Case.stage_as_of``)."""

    REGISTERED = "registered"
    FORWARDED = "forwarded"
    ASSIGNED = "assigned"
    OBJECTED = "objected"  # the receiving body objected: outside its remit
    DECLINED = "declined"
    ACCEPTED = "accepted"
    REPLIED = "replied"  # handling opinion issued
    REVIEW_REQUESTED = "review_requested"
    REVIEWED = "reviewed"
    REREVIEW_REQUESTED = "rereview_requested"
    FINAL = "final"
    WITHDRAWN = "withdrawn"


TERMINAL: Final = frozenset({Stage.DECLINED, Stage.FINAL, Stage.WITHDRAWN})


# ------------------------------------------------------- sensitive values
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK: Final = "10X98765432"
_ID_FULL: Final = re.compile(r"^\d{17}[\dX]$")
_ID_MASKED: Final = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")


def _id_check_digit(first17: str) -> str:
    if len(first17) != len(_ID_WEIGHTS):
        raise ValueError(f"expected {len(_ID_WEIGHTS)} digits, got {first17!r}")
    return _ID_CHECK[sum(map(mul, map(int, first17), _ID_WEIGHTS)) % 11]


def _check_resident_id(_: object, __: object, value: str) -> None:
    if not isinstance(value, str):
        raise InvalidDataError([("id_number", "must be a string")])
    if _ID_MASKED.match(value):
        return
    if not _ID_FULL.match(value):
        raise InvalidDataError(
            [("id_number", "a resident ID number has 17 digits and a check digit (0-9 or X)")]
        )
    if _id_check_digit(value[:17]) != value[17]:
        raise InvalidDataError(
            [("id_number", "the check digit is wrong (GB 11643-1999: ISO 7064 MOD 11-2)")]
        )


def _upper(value: str) -> str:
    return value.strip().upper() if isinstance(value, str) else value


@attrs.frozen(repr=False)
class ResidentId:
    """A mainland resident ID number (居民身份证号码), checked by GB 11643.

    Shown only masked (``110105********123X``) in ``repr``, ``str`` and default
    exports; :meth:`reveal` gives the full value. A masked value (as read back
    from a default export) stays masked and cannot be revealed.
    """

    _value: str = attrs.field(converter=_upper, validator=_check_resident_id)

    @property
    def is_masked(self) -> bool:
        """Whether only the masked form is known."""
        return "*" in self._value

    def masked(self) -> ResidentId:
        """The masked form, as a value."""
        v = self._value
        return self if self.is_masked else ResidentId(v[:6] + "*" * 8 + v[14:])

    def reveal(self) -> str:
        """The full number. Raises if only the masked form is known."""
        if self.is_masked:
            raise TransitionError(
                "only the masked ID number is known", path="id_number", rule="personal data"
            )
        return self._value

    def __str__(self) -> str:
        return self.masked()._value

    def __repr__(self) -> str:
        return f"ResidentId({str(self)!r})"


_PHONE_FULL: Final = re.compile(r"^\+?\d{5,15}$")
_PHONE_MASKED: Final = re.compile(r"^\+?\d{3}\*+\d{4}$")


def _normalise_phone(value: str) -> str:
    return re.sub(r"[\s()-]", "", value) if isinstance(value, str) else value


def _check_phone(_: object, __: object, value: str) -> None:
    if not isinstance(value, str) or not (_PHONE_FULL.match(value) or _PHONE_MASKED.match(value)):
        raise InvalidDataError([("phone", "a phone number is 5-15 digits, optionally after +")])


@attrs.frozen(repr=False)
class PhoneNumber:
    """A phone number, shown only masked (``138****1234``); :meth:`reveal` gives it whole."""

    _value: str = attrs.field(converter=_normalise_phone, validator=_check_phone)

    @property
    def is_masked(self) -> bool:
        """Whether only the masked form is known."""
        return "*" in self._value

    def masked(self) -> PhoneNumber:
        """The masked form, as a value."""
        v = self._value
        if self.is_masked:
            return self
        plus = v.startswith("+")
        digits = v[1:] if plus else v
        keep = digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:]
        return PhoneNumber(("+" if plus else "") + keep)

    def reveal(self) -> str:
        """The full number. Raises if only the masked form is known."""
        if self.is_masked:
            raise TransitionError("only the masked phone is known", path="phone")
        return self._value

    def __str__(self) -> str:
        return self.masked()._value

    def __repr__(self) -> str:
        return f"PhoneNumber({str(self)!r})"


def _opt_id(value: ResidentId | str | None) -> ResidentId | None:
    return ResidentId(value) if isinstance(value, str) else value


def _opt_phone(value: PhoneNumber | str | None) -> PhoneNumber | None:
    return PhoneNumber(value) if isinstance(value, str) else value


def _positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidDataError([(attribute.name, "must be a positive integer")])


def _nonempty(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidDataError([(attribute.name, "must be a non-empty string")])


@attrs.frozen(kw_only=True)
class Petitioner:
    """Who petitions (信访人, Art. 17): a person or an organisation.

    ``id_number`` and ``phone`` accept plain strings; they are validated and
    never shown whole (see :class:`ResidentId`, :class:`PhoneNumber`).
    """

    name: str = attrs.field(validator=_nonempty)
    kind: PetitionerKind = PetitionerKind.PERSON
    id_number: ResidentId | None = attrs.field(default=None, converter=_opt_id)
    phone: PhoneNumber | None = attrs.field(default=None, converter=_opt_phone)
    address: str = ""

    def masked(self) -> Petitioner:
        """The same petitioner with ID number and phone masked."""
        return attrs.evolve(
            self,
            id_number=self.id_number.masked() if self.id_number else None,
            phone=self.phone.masked() if self.phone else None,
        )


@attrs.frozen(kw_only=True)
class Claim:
    """What the petitioner asks for (诉求), with its facts and reasons (Art. 19)."""

    request: str = attrs.field(validator=_nonempty)
    facts: str = ""
    reasons: str = ""


# ------------------------------------------------------------- instants
def aware(value: _dt.datetime, field: str = "at") -> _dt.datetime:
    """``value`` as an aware datetime in Asia/Shanghai; naive values are rejected."""
    if not isinstance(value, _dt.datetime):
        raise InvalidDataError([(field, f"expected an aware datetime, got {type(value).__name__}")])
    tz = value.tzinfo
    if type(value) is _dt.datetime:
        if tz is SHANGHAI:
            return value
        if tz is not None and value.year >= _UTC8_SINCE and tz.utcoffset(value) == _UTC8:
            return value.replace(tzinfo=SHANGHAI)
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{value.isoformat()} has no time zone", path=field, rule="instants must be aware"
        )
    local = value.astimezone(SHANGHAI)
    return _dt.datetime(
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
        local.microsecond,
        tzinfo=SHANGHAI,
    )


def _aware_opt(value: _dt.datetime | None) -> _dt.datetime | None:
    return None if value is None else aware(value, "delivered_at")


def _tuple(value: Iterable[object]) -> tuple[object, ...]:
    return tuple(value)


# ---------------------------------------------------------------- changes
@attrs.frozen(kw_only=True)
class Register:
    """登记: record a new matter on receipt (Arts. 19-23). Opens a case."""

    kind: ClassVar[str] = "registered"
    case_id: str = attrs.field(validator=_nonempty)
    received_at: _dt.datetime = attrs.field(converter=aware)
    channel: Channel
    receiving_unit: str = attrs.field(validator=_nonempty)
    petitioners: tuple[Petitioner, ...] = attrs.field(converter=_tuple)
    claims: tuple[Claim, ...] = attrs.field(converter=_tuple)
    category: Category | None = None
    group_size: int = 1
    representatives: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    repeat_of: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    same_facts: bool = False
    skip_level: bool = False
    beijing_visit: bool = False
    backlog_since: _dt.date | None = None
    procedure: Procedure = Procedure.STANDARD
    accused_persons: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    accused_units: tuple[str, ...] = attrs.field(default=(), converter=_tuple)

    def __attrs_post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        if not self.petitioners:
            problems.append(("petitioners", "at least one petitioner"))
        if not self.claims:
            problems.append(("claims", "at least one claim"))
        if not isinstance(self.group_size, int) or self.group_size < 1:
            problems.append(("group_size", "must be a positive integer"))
        elif len(self.representatives) > self.group_size:
            problems.append(("representatives", "more representatives than visitors"))
        if self.same_facts and not self.repeat_of:
            problems.append(("same_facts", "a repeat needs repeat_of: the earlier case ids"))
        if self.backlog_since is not None and self.backlog_since > self.received_at.date():
            problems.append(("backlog_since", "cannot be after the receipt"))
        if problems:
            raise InvalidDataError(problems, source="Register")


@attrs.frozen(kw_only=True)
class Categorize:
    """Record the class of the matter once known (Arts. 29-31)."""

    kind: ClassVar[str] = "categorized"
    category: Category


@attrs.frozen(kw_only=True)
class Forward:
    """转送: send the matter to the competent body (Art. 22 (1)-(2))."""

    kind: ClassVar[str] = "forwarded"
    to_unit: str = attrs.field(validator=_nonempty)
    note: str = ""


@attrs.frozen(kw_only=True)
class Assign:
    """交办: send it with a deadline to report back the result (Art. 22 (3))."""

    kind: ClassVar[str] = "assigned"
    to_unit: str = attrs.field(validator=_nonempty)
    report_back_by: _dt.date
    note: str = ""


@attrs.frozen(kw_only=True)
class Decline:
    """不予受理: decline, telling the petitioner the legal route (Arts. 22-23, 28 ¶2, 31)."""

    kind: ClassVar[str] = "declined"
    reason: str = attrs.field(validator=_nonempty)
    route_told: Route
    body_told: str = attrs.field(validator=_nonempty)


@attrs.frozen(kw_only=True)
class ObjectRemit:
    """提出异议: a forwarded matter is outside the receiving body's remit (Art. 23 ¶3)."""

    kind: ClassVar[str] = "remit_objected"
    reason: str = attrs.field(validator=_nonempty)


@attrs.frozen(kw_only=True)
class Accept:
    """受理: take the matter on. ``route`` is ordinary handling (Art. 31(6)) or duty (31(5))."""

    kind: ClassVar[str] = "accepted"
    route: Route = Route.ORDINARY


@attrs.frozen(kw_only=True)
class Notify:
    """告知: tell the petitioner in writing it was received and how it will be handled (Art. 23)."""

    kind: ClassVar[str] = "notified"
    note: str = ""


@attrs.frozen(kw_only=True)
class Extend:
    """延期: extend handling once, approved by the body's head, reason told (Art. 34)."""

    kind: ClassVar[str] = "extended"
    days: int = attrs.field(validator=_positive)
    approved_by: str = attrs.field(validator=_nonempty)
    reason: str = attrs.field(validator=_nonempty)
    petitioner_told: bool = True


@attrs.frozen(kw_only=True)
class StartHearing:
    """听证 begins (Art. 31(6); its time is not counted for re-review, Art. 36 ¶2)."""

    kind: ClassVar[str] = "hearing_started"
    note: str = ""


@attrs.frozen(kw_only=True)
class EndHearing:
    """听证 ends."""

    kind: ClassVar[str] = "hearing_ended"
    note: str = ""


@attrs.frozen(kw_only=True)
class IssueOpinion:
    """出具信访处理意见书 (Arts. 31(6), 32). ``delivered_at`` defaults to the issue instant."""

    kind: ClassVar[str] = "opinion_issued"
    outcome: Outcome
    basis: str = attrs.field(validator=_nonempty)
    delivered_at: _dt.datetime | None = attrs.field(default=None, converter=_aware_opt)


@attrs.frozen(kw_only=True)
class RequestReview:
    """请求复查 from the body one level up, within the window (Art. 35)."""

    kind: ClassVar[str] = "review_requested"
    to_unit: str = attrs.field(validator=_nonempty)


@attrs.frozen(kw_only=True)
class IssueReviewOpinion:
    """复查意见, in writing (Art. 35)."""

    kind: ClassVar[str] = "review_opinion_issued"
    outcome: Outcome
    basis: str = attrs.field(validator=_nonempty)
    delivered_at: _dt.datetime | None = attrs.field(default=None, converter=_aware_opt)


@attrs.frozen(kw_only=True)
class RequestReReview:
    """请求复核 one level further up, within the window (Art. 36)."""

    kind: ClassVar[str] = "rereview_requested"
    to_unit: str = attrs.field(validator=_nonempty)


@attrs.frozen(kw_only=True)
class IssueReReviewOpinion:
    """复核意见 (Art. 36). The matter is then final (Art. 36 ¶3)."""

    kind: ClassVar[str] = "rereview_opinion_issued"
    outcome: Outcome
    basis: str = attrs.field(validator=_nonempty)
    delivered_at: _dt.datetime | None = attrs.field(default=None, converter=_aware_opt)


@attrs.frozen(kw_only=True)
class Settle:
    """停访息诉: the petitioner stops petitioning, recorded with evidence."""

    kind: ClassVar[str] = "settled"
    evidence: str = attrs.field(validator=_nonempty)


@attrs.frozen(kw_only=True)
class Relapse:
    """The petitioner petitions again after settling."""

    kind: ClassVar[str] = "relapsed"
    note: str = ""


@attrs.frozen(kw_only=True)
class Withdraw:
    """The petitioner withdraws the matter."""

    kind: ClassVar[str] = "withdrawn"
    reason: str = ""


@attrs.frozen(kw_only=True)
class Rate:
    """The petitioner rates the handling (满意 / 基本满意 / 不满意, Art. 21)."""

    kind: ClassVar[str] = "rated"
    rating: Rating


class Role(enum.Enum):
    """A place in a case's responsibility chain.

    ``LEAD_OFFICIAL`` (包案领导), ``RESPONSIBLE_UNIT`` (责任单位) and
    ``RESPONSIBLE_PERSON`` (责任人) have one holder at a time; ``HANDLER``
    (承办人), ``LIAISON`` (联系领导, 一岗双责) and ``SUPERVISOR`` (督办, from a
    superior unit) may have several. The unit head's first responsibility
    (第一责任人) is derived, never assigned.
    """

    LEAD_OFFICIAL = "lead_official"
    RESPONSIBLE_UNIT = "responsible_unit"
    RESPONSIBLE_PERSON = "responsible_person"
    HANDLER = "handler"
    LIAISON = "liaison"
    SUPERVISOR = "supervisor"

    @property
    def single(self) -> bool:
        """Whether the role has one holder at a time (assigning again reassigns)."""
        return self in _SINGLE_ROLES


_SINGLE_ROLES: Final = frozenset(
    {Role.LEAD_OFFICIAL, Role.RESPONSIBLE_UNIT, Role.RESPONSIBLE_PERSON}
)


@attrs.frozen(kw_only=True)
class AssignRole:
    """Put an official (or, for ``RESPONSIBLE_UNIT``, a unit) in a role, with the reason.

    For a one-holder role this reassigns. :func:`apply` checks the role rules,
    recusal (Art. 28 ¶3) and accuser confidentiality (Art. 30 ¶3) against the
    organisation passed as ``org=``.
    """

    kind: ClassVar[str] = "role_assigned"
    role: Role
    holder: str = attrs.field(validator=_nonempty)
    reason: str = attrs.field(validator=_nonempty)


@attrs.frozen(kw_only=True)
class ReleaseRole:
    """Take a holder out of a role, with the reason."""

    kind: ClassVar[str] = "role_released"
    role: Role
    holder: str = attrs.field(validator=_nonempty)
    reason: str = attrs.field(validator=_nonempty)


@attrs.frozen(kw_only=True)
class PlanMilestone:
    """An intermediate step of a settlement plan."""

    due: _dt.date
    what: str = attrs.field(validator=_nonempty)


def _tuple_str(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _tuple_milestones(value: Iterable[PlanMilestone]) -> tuple[PlanMilestone, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class SettlementPlan:
    """息访方案: clear responsibility, clear deadline, clear measures (明确责任、时限、措施).

    A plan is complete only with an owner, a deadline and at least one
    measure; :meth:`missing` lists what is not there.
    """

    owner: str = ""
    deadline: _dt.date | None = None
    measures: tuple[str, ...] = attrs.field(default=(), converter=_tuple_str)
    milestones: tuple[PlanMilestone, ...] = attrs.field(default=(), converter=_tuple_milestones)

    def missing(self) -> tuple[str, ...]:
        """What the plan lacks: any of ``"owner"``, ``"deadline"``, ``"measures"``."""
        out = []
        if not self.owner.strip():
            out.append("owner")
        if self.deadline is None:
            out.append("deadline")
        if not any(m.strip() for m in self.measures):
            out.append("measures")
        return tuple(out)

    @property
    def is_complete(self) -> bool:
        """Owner, deadline and at least one measure are all there."""
        return not self.missing()


@attrs.frozen(kw_only=True)
class SetPlan:
    """Adopt or revise the case's settlement plan (the owner is checked like a role holder)."""

    kind: ClassVar[str] = "plan_set"
    plan: SettlementPlan


Change: TypeAlias = (
    Register
    | Categorize
    | Forward
    | Assign
    | Decline
    | ObjectRemit
    | Accept
    | Notify
    | Extend
    | StartHearing
    | EndHearing
    | IssueOpinion
    | RequestReview
    | IssueReviewOpinion
    | RequestReReview
    | IssueReReviewOpinion
    | Settle
    | Relapse
    | Withdraw
    | Rate
    | AssignRole
    | ReleaseRole
    | SetPlan
)

CHANGE_TYPES: Final[tuple[type[Change], ...]] = (
    Register,
    Categorize,
    Forward,
    Assign,
    Decline,
    ObjectRemit,
    Accept,
    Notify,
    Extend,
    StartHearing,
    EndHearing,
    IssueOpinion,
    RequestReview,
    IssueReviewOpinion,
    RequestReReview,
    IssueReReviewOpinion,
    Settle,
    Relapse,
    Withdraw,
    Rate,
    AssignRole,
    ReleaseRole,
    SetPlan,
)
CHANGE_BY_KIND: Final[dict[str, type[Change]]] = {c.kind: c for c in CHANGE_TYPES}


@attrs.frozen(kw_only=True)
class Event:
    """One thing that happened to a case: a change, when (aware, Asia/Shanghai), by whom."""

    seq: int
    at: _dt.datetime = attrs.field(converter=aware)
    by: str
    change: Change

    @property
    def kind(self) -> str:
        """The change's kind code (``"accepted"``, ...)."""
        return self.change.kind


# ------------------------------------------------------------------- case
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
    (a remit-objection window runs from it); ``remit_objected`` the objection
    to it and ``forward_notified`` the first written notice recorded after it
    (what the receiving body owes within 15 days, Art. 23 ¶3): both are
    cleared by each new forwarding or assignment.
    """

    received: _dt.date
    forwarded: _dt.date | None = None
    assigned: _dt.date | None = None
    last_forwarded: _dt.date | None = None
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
    settled: _dt.date | None = None
    withdrawn: _dt.date | None = None
    #: The local date of the case's latest event (of any kind).
    last_event: _dt.date | None = None
    #: Every milestone as a ``date.toordinal()`` (0 for none), in field order:
    #: derived, for vectorised sweeps over many cases.
    ordinals: tuple[int, ...] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self, "ordinals", tuple([0 if d is None else d.toordinal() for d in _MILESTONES(self)])
        )


MILESTONE_NAMES: Final = tuple(f.name for f in attrs.fields(Milestones) if f.init)
_MILESTONES: Final = attrgetter(*MILESTONE_NAMES)
#: Column names of a case's packed row: the milestones, then attribute codes.
ROW_LAYOUT: Final = (
    *MILESTONE_NAMES,
    "route",
    "category",
    "procedure",
    "channel",
    "extension_days",
    "hearings",
    "stage",
    "rating",
    "plan",  # 0 none, 1 incomplete, 2 complete
    "beijing_visit",
    "skip_level",
    "settled_now",
    "responsible_unit",  # unit codes: see _unit_code
    "handling_unit",
    "receiving_unit",
)
_PACK: Final = struct.Struct(f"<{len(ROW_LAYOUT)}i").pack
#: Process-wide small codes for unit ids in packed rows (0: none), so sweeps
#: group cases by unit without touching Python objects. A cache only: codes
#: never leave the process (a pickled case packs its row anew when loaded).
UNIT_NAMES: Final[list[str]] = [""]
_UNIT_CODES: Final[dict[str, int]] = {"": 0}
_UNIT_LOCK = threading.Lock()


def _new_unit_lock() -> None:  # a forked child must not inherit a held lock
    global _UNIT_LOCK  # noqa: PLW0603 - replaced in the child process only
    _UNIT_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_new_unit_lock)


def _unit_code(unit: str | None) -> int:
    if not unit:
        return 0
    code = _UNIT_CODES.get(unit)
    if code is None:
        with _UNIT_LOCK:
            code = _UNIT_CODES.get(unit)
            if code is None:
                code = len(UNIT_NAMES)
                UNIT_NAMES.append(unit)  # the name first: a code seen is a name found
                _UNIT_CODES[unit] = code
    return code


#: Small integer codes for the enum attributes in a packed row (0: none).
CODES: Final[dict[object, int]] = {None: 0}
for _enum in (Route, Category, Procedure, Channel, Stage, Rating):
    CODES.update({m: i for i, m in enumerate(_enum, start=1)})
_CODES: Final = CODES


@attrs.frozen(kw_only=True)
class Case:
    """One petition matter (信访事项), the fold of its ``events``.

    Build it with :func:`apply` / :func:`open_case`, or rebuild it with
    :func:`replay`; never by hand. ``repr`` shows ID numbers and phones masked.
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
    on: Milestones
    events: tuple[Event, ...] = ()
    #: Derived, private: the milestone ordinals and attribute codes packed as
    #: int32 (see ``ROW_LAYOUT``), so sweeps over many cases read one buffer.
    _row: bytes = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.extension_days < 2**31:
            raise InvalidDataError(
                [("extension_days", f"{self.extension_days} days is out of range")]
            )
        object.__setattr__(
            self,
            "_row",
            _PACK(
                *self.on.ordinals,
                _CODES[self.route],
                _CODES[self.category],
                _CODES[self.procedure],
                _CODES[self.channel],
                self.extension_days,
                len(self.hearings),
                _CODES[self.stage],
                _CODES[self.rating],
                0 if self.plan is None else (2 if self.plan.is_complete else 1),
                self.beijing_visit,
                self.skip_level,
                self.settled,
                _unit_code(self.responsible_unit),
                _unit_code(self.handling_unit),
                _unit_code(self.receiving_unit),
            ),
        )

    # Pickling keeps the fields only: the packed row holds process-local unit
    # codes, so it is rebuilt (and the fields re-validated) where it is loaded.
    def __getstate__(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in _CASE_FIELDS}

    def __setstate__(self, state: dict[str, object]) -> None:
        state = {k: v for k, v in state.items() if k != "_row"}  # pickles before 2026-11-27
        self.__init__(**state)  # type: ignore[misc]

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
    def flags(self) -> tuple[tuple[str, str], ...]:
        """Irregularities to look at, each ``(code, citation)``; not errors."""
        out = []
        if len(self.representatives) > MAX_REPRESENTATIVES:
            out.append(("too_many_representatives", f"{_ART} 第二十条第三款: 代表人数不得超过5人"))
        if self.is_group_visit and self.channel is Channel.VISIT and not self.representatives:
            out.append(("group_visit_without_representatives", f"{_ART} 第二十条第三款"))
        if self.skip_level:
            out.append(("skip_level", f"{_ART} 第十九条第三款、第二十条第一款"))
        if self.beijing_visit:
            out.append(("beijing_visit", f"{_ART} 第二十条第一款"))
        return tuple(out)

    @property
    def attributes(self) -> dict[str, str | None]:
        """The codes a rulebook's ``applies_to`` tests."""
        return {
            "route": self.route.value if self.route else None,
            "category": self.category.value if self.category else None,
            "procedure": self.procedure.value,
            "channel": self.channel.value,
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

    def stage_as_of(
        self,
        as_of: _dt.date,
        *,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
    ) -> Stage:
        """The stage as of a date: a reply whose review window lapsed is final.

        Likewise a review opinion whose re-review window lapsed. Nothing needs
        to be recorded for that.
        """
        from xinfang.deadlines import window_closed

        stage = self.stage
        if stage is Stage.REPLIED and window_closed(
            self, "review_request", as_of, rulebook, calendar
        ):
            return Stage.FINAL
        if stage is Stage.REVIEWED and window_closed(
            self, "rereview_request", as_of, rulebook, calendar
        ):
            return Stage.FINAL
        return stage


_CASE_FIELDS: Final = tuple(f for f in attrs.fields(Case) if f.init)


# ------------------------------------------------------- the stage graph
_BEFORE_ACCEPT: Final = frozenset(
    {Stage.REGISTERED, Stage.FORWARDED, Stage.ASSIGNED, Stage.OBJECTED}
)
_AFTER_ACCEPT: Final = frozenset(
    {
        Stage.ACCEPTED,
        Stage.REPLIED,
        Stage.REVIEW_REQUESTED,
        Stage.REVIEWED,
        Stage.REREVIEW_REQUESTED,
        Stage.FINAL,
    }
)
_REPLIED_OR_LATER: Final = _AFTER_ACCEPT - {Stage.ACCEPTED}

#: kind → (stages it is allowed from, the rule it enforces)
ALLOWED_FROM: Final[dict[str, tuple[frozenset[Stage], str]]] = {
    "categorized": (_BEFORE_ACCEPT | {Stage.ACCEPTED}, f"{_ART} 第二十九至三十一条"),
    "forwarded": (_BEFORE_ACCEPT, f"{_ART} 第二十二条"),
    "assigned": (_BEFORE_ACCEPT, f"{_ART} 第二十二条第三项"),
    "declined": (_BEFORE_ACCEPT, f"{_ART} 第二十二条、第二十三条"),
    "remit_objected": (frozenset({Stage.FORWARDED, Stage.ASSIGNED}), f"{_ART} 第二十三条第三款"),
    "accepted": (
        frozenset({Stage.REGISTERED, Stage.FORWARDED, Stage.ASSIGNED}),
        f"{_ART} 第二十三条",
    ),
    "notified": (_BEFORE_ACCEPT | {Stage.ACCEPTED}, f"{_ART} 第二十三条"),
    "extended": (frozenset({Stage.ACCEPTED}), f"{_ART} 第三十四条"),
    "hearing_started": (
        frozenset({Stage.ACCEPTED, Stage.REREVIEW_REQUESTED}),
        f"{_ART} 第三十一条第六项、第三十六条第二款",
    ),
    "hearing_ended": (
        frozenset({Stage.ACCEPTED, Stage.REREVIEW_REQUESTED}),
        f"{_ART} 第三十六条第二款",
    ),
    "opinion_issued": (frozenset({Stage.ACCEPTED}), f"{_ART} 第三十一条第六项、第三十二条"),
    "review_requested": (frozenset({Stage.REPLIED}), f"{_ART} 第三十五条"),
    "review_opinion_issued": (frozenset({Stage.REVIEW_REQUESTED}), f"{_ART} 第三十五条"),
    "rereview_requested": (frozenset({Stage.REVIEWED}), f"{_ART} 第三十六条"),
    "rereview_opinion_issued": (frozenset({Stage.REREVIEW_REQUESTED}), f"{_ART} 第三十六条"),
    "settled": (_AFTER_ACCEPT, "停访息诉: possible at any point after acceptance"),
    "relapsed": (_AFTER_ACCEPT, "a relapse follows a settlement"),
    "withdrawn": (frozenset(Stage) - TERMINAL, "a closed matter cannot be withdrawn"),
    "rated": (_REPLIED_OR_LATER, f"{_ART} 第二十一条: the petitioner rates the handling"),
    "role_assigned": (frozenset(Stage) - TERMINAL, f"{_ART} 第五条: 谁主管、谁负责"),
    "role_released": (frozenset(Stage), f"{_ART} 第五条"),
    "plan_set": (frozenset(Stage) - TERMINAL, "明确责任、明确时限、明确措施"),
}


#: The local date of an instant (its own wall-clock fields): a plain ``date``.
_local: Final = _dt.datetime.date


def _start(event: Event) -> tuple[dict[str, object], dict[str, object]]:
    """The fold's state after the registration event: (case fields, milestones)."""
    ch = event.change
    if not isinstance(ch, Register):
        raise TransitionError(
            f"the first event must be 'registered', got {ch.kind!r}",
            path="events[0]",
            rule=f"{_ART} 第二十一条: every matter is registered first",
        )
    if event.seq != 1:
        raise TransitionError(f"the first event has seq 1, got {event.seq}", path="events[0].seq")
    received = ch.received_at
    if event.at < received:
        raise TransitionError("a matter is registered after it is received", path="events[0].at")
    st: dict[str, object] = {
        "id": ch.case_id,
        "received_at": received,
        "channel": ch.channel,
        "receiving_unit": ch.receiving_unit,
        "petitioners": ch.petitioners,
        "claims": ch.claims,
        "category": ch.category,
        "group_size": ch.group_size,
        "representatives": ch.representatives,
        "repeat_of": ch.repeat_of,
        "same_facts": ch.same_facts,
        "skip_level": ch.skip_level,
        "beijing_visit": ch.beijing_visit,
        "backlog_since": ch.backlog_since,
        "procedure": ch.procedure,
        "stage": Stage.REGISTERED,
        "handling_unit": ch.receiving_unit,
        "route": None,
        "outcome": None,
        "settled": False,
        "rating": None,
        "extensions": 0,
        "extension_days": 0,
        "hearings": [],
        "accused_persons": ch.accused_persons,
        "accused_units": ch.accused_units,
        "roles": [],
        "plan": None,
        "events": [event],
    }
    return st, {"received": _local(received)}


def _thaw(case: Case) -> tuple[dict[str, object], dict[str, object]]:
    st = {f.name: getattr(case, f.name) for f in attrs.fields(Case) if f.init and f.name != "on"}
    st["hearings"] = list(case.hearings)
    st["roles"] = list(case.roles)
    st["events"] = list(case.events)
    on = {name: d for name, d in zip(MILESTONE_NAMES, _MILESTONES(case.on), strict=True) if d}
    return st, on


def _freeze(st: dict[str, object], on: dict[str, object]) -> Case:
    st["hearings"] = tuple(st["hearings"])  # type: ignore[arg-type]
    st["roles"] = tuple(st["roles"])  # type: ignore[arg-type]
    events: tuple[Event, ...] = tuple(st["events"])  # type: ignore[arg-type]
    st["events"] = events
    on["last_event"] = _local(events[-1].at)
    return Case(on=Milestones(**on), **st)  # type: ignore[arg-type]


def _step(st: dict[str, object], on: dict[str, object], event: Event) -> None:
    """Fold one event into the state in place, enforcing the stage graph (no time windows)."""
    ch = event.change
    kind = ch.kind
    cid = st["id"]
    events: list[Event] = st["events"]  # type: ignore[assignment]
    stage: Stage = st["stage"]  # type: ignore[assignment]
    hearings: list[Hearing] = st["hearings"]  # type: ignore[assignment]

    def refuse(rule: str, why: str) -> TransitionError:
        return TransitionError(f"case {cid}: cannot record {kind!r}: {why}", path=kind, rule=rule)

    if isinstance(ch, Register):
        raise refuse("one registration per case", "the case is already registered")
    if event.seq != len(events) + 1:
        raise TransitionError(
            f"case {cid}: expected event seq {len(events) + 1}, got {event.seq}",
            path=f"events[{len(events)}].seq",
            rule="events are numbered 1, 2, 3, ... without gaps",
        )
    last_at = events[-1].at
    if event.at < last_at:
        raise TransitionError(
            f"case {cid}: event at {event.at.isoformat()} is before the previous one "
            f"({last_at.isoformat()})",
            path=f"events[{len(events)}].at",
            rule="events are recorded in the order they happened",
        )
    allowed, rule = ALLOWED_FROM[kind]
    if stage not in allowed:
        raise refuse(rule, f"not allowed in stage {stage.value!r}")
    day = _local(event.at)
    in_hearing = bool(hearings) and hearings[-1].end is None
    if isinstance(ch, Categorize):
        st["category"] = ch.category
    elif isinstance(ch, Forward | Assign):
        which = "forwarded" if isinstance(ch, Forward) else "assigned"
        on.setdefault(which, day)
        on["last_forwarded"] = day
        # A new receipt: what answered the previous one (an objection, a notice)
        # does not answer this one, even earlier the same day.
        on.pop("remit_objected", None)
        on.pop("forward_notified", None)
        st["stage"] = Stage.FORWARDED if isinstance(ch, Forward) else Stage.ASSIGNED
        st["handling_unit"] = ch.to_unit
    elif isinstance(ch, Decline):
        st["stage"] = Stage.DECLINED
        st["route"] = ch.route_told
        on["declined"] = day
    elif isinstance(ch, ObjectRemit):
        st["stage"] = Stage.OBJECTED
        on["remit_objected"] = day  # the objection to the latest forwarding
    elif isinstance(ch, Accept):
        if ch.route not in (Route.ORDINARY, Route.DUTY):
            raise refuse(
                f"{_ART} 第二十八条第二款、第三十一条",
                f"a matter for the {ch.route.value} procedure is declined with that route told, "
                "not accepted into petition handling",
            )
        st["stage"] = Stage.ACCEPTED
        st["route"] = ch.route
        on["accepted"] = day
    elif isinstance(ch, Notify):
        on.setdefault("notified", day)
        if "last_forwarded" in on:  # the first notice since the latest forwarding
            on.setdefault("forward_notified", day)
    elif isinstance(ch, Extend):
        if not isinstance(ch.days, int) or ch.days < 1:
            raise refuse(f"{_ART} 第三十四条", "an extension is a positive number of days")
        st["extensions"] = st["extensions"] + 1  # type: ignore[operator]
        st["extension_days"] = st["extension_days"] + ch.days  # type: ignore[operator]
    elif isinstance(ch, StartHearing):
        if in_hearing:
            raise refuse(f"{_ART} 第三十六条第二款", "a hearing is already running")
        hearings.append(Hearing(start=day, stage=stage))
    elif isinstance(ch, EndHearing):
        if not in_hearing:
            raise refuse(f"{_ART} 第三十六条第二款", "no hearing is running")
        hearings[-1] = Hearing(start=hearings[-1].start, end=day, stage=hearings[-1].stage)
    elif isinstance(ch, IssueOpinion | IssueReviewOpinion | IssueReReviewOpinion):
        if in_hearing:
            raise refuse(f"{_ART} 第三十六条第二款", "end the hearing first")
        delivered = _local(ch.delivered_at) if ch.delivered_at else day
        if delivered < day:
            raise refuse("a reply is delivered after it is issued", "delivered too early")
        if isinstance(ch, IssueOpinion):
            on["opinion_issued"] = day
            on["opinion_delivered"] = delivered
            st["stage"] = Stage.REPLIED
        elif isinstance(ch, IssueReviewOpinion):
            on["review_opinion_issued"] = day
            on["review_delivered"] = delivered
            st["stage"] = Stage.REVIEWED
        else:
            on["rereview_opinion_issued"] = day
            st["stage"] = Stage.FINAL
        st["outcome"] = ch.outcome
    elif isinstance(ch, RequestReview | RequestReReview):
        review = isinstance(ch, RequestReview)
        st["stage"] = Stage.REVIEW_REQUESTED if review else Stage.REREVIEW_REQUESTED
        st["handling_unit"] = ch.to_unit
        on["review_requested" if review else "rereview_requested"] = day
    elif isinstance(ch, Settle):
        if st["settled"]:
            raise refuse("停访息诉", "the case is already settled")
        st["settled"] = True
        on["settled"] = day
    elif isinstance(ch, Relapse):
        if not st["settled"]:
            raise refuse("停访息诉", "only a settled case can relapse")
        st["settled"] = False
        on.pop("settled", None)
    elif isinstance(ch, Withdraw):
        st["stage"] = Stage.WITHDRAWN
        on["withdrawn"] = day
    elif isinstance(ch, Rate):
        st["rating"] = ch.rating
    elif isinstance(ch, AssignRole | ReleaseRole):
        roles: list[Holding] = st["roles"]  # type: ignore[assignment]
        held = [h for h in roles if h.role is ch.role and h.holder == ch.holder]
        if isinstance(ch, ReleaseRole):
            if not held:
                raise refuse(f"{_ART} 第五条", f"{ch.holder} does not hold {ch.role.value}")
            roles.remove(held[0])
        else:
            if held:
                raise refuse(f"{_ART} 第五条", f"{ch.holder} already holds {ch.role.value}")
            if ch.role.single:
                roles[:] = [h for h in roles if h.role is not ch.role]
            roles.append(
                Holding(
                    role=ch.role, holder=ch.holder, since=event.at, by=event.by, reason=ch.reason
                )
            )
    elif isinstance(ch, SetPlan):
        st["plan"] = ch.plan
    else:  # pragma: no cover - every change class is handled above
        raise TransitionError(f"unknown change {type(ch).__name__}", path="change")
    events.append(event)


def mutate(case: Case | None, event: Event) -> Case:
    """Fold one event into a case, enforcing the stage graph (no time windows).

    :func:`replay` folds the same way; :func:`apply` adds the checks that
    need a rulebook and a calendar.
    """
    if case is None:
        st, on = _start(event)
    else:
        st, on = _thaw(case)
        _step(st, on, event)
    return _freeze(st, on)


def replay(events: Iterable[Event]) -> Case:
    """Rebuild a case from its events (the stage graph is enforced; windows are not).

    The fold runs on one working state and builds the case value once.
    """
    it = iter(events)
    first = next(it, None)
    if first is None:
        raise TransitionError("no events to replay", path="events", rule="a case starts registered")
    st, on = _start(first)
    for i, event in enumerate(it, start=1):
        try:
            _step(st, on, event)
        except TransitionError as exc:
            exc.index = i  # type: ignore[attr-defined]
            raise
    return _freeze(st, on)


# ---------------------------------------------------------------- apply
def _check_window(
    case: Case,
    key: str,
    *,
    day: _dt.date,
    rulebook: Rulebook,
    calendar: WorkCalendar,
    what: str,
) -> None:
    from xinfang.deadlines import limit_due

    limit = rulebook.get(key)
    if limit is None or not limit.applies(case.attributes):
        return
    clock = limit_due(case, limit, rulebook, calendar, as_of=day)
    if clock is not None and day > clock.due:
        raise WindowClosedError(
            f"case {case.id}: {what} on {day.isoformat()} is outside the window "
            f"{clock.started_on.isoformat()} (excluded) .. {clock.due.isoformat()} "
            f"({limit.period} from {limit.starts.replace('_', ' ')})",
            path=key,
            rule=limit.citation,
        )


def apply(
    case: Case | None,
    change: Change,
    at: _dt.datetime,
    *,
    by: str = "system",
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    related: Mapping[str, Case] | None = None,
    org: Organization | None = None,
    interests: Iterable[Interest] = (),
    scope: AccusedScope | None = None,
) -> tuple[Case, Event]:
    """Apply a command: the new case and the event recorded, or a domain error.

    ``at`` is an aware instant (naive is rejected). Windows and caps are
    checked under ``rulebook`` (default: the 2022 regulation) on ``calendar``
    (default: the mainland calendar). ``related`` supplies earlier cases for
    the finality check of a repeat petition (Art. 36 ¶3). ``org``,
    ``interests`` and ``scope`` check chain changes (``AssignRole``,
    ``SetPlan``): role rules, recusal (Art. 28 ¶3) and accuser
    confidentiality (Art. 30 ¶3); a chain change without ``org`` is refused.
    """
    from xinfang.calendar import china_mainland
    from xinfang.rulebook import rulebook as bundled

    at = aware(at)
    seq = 1 if case is None else len(case.events) + 1
    event = Event(seq=seq, at=at, by=by, change=change)
    if case is None:
        return mutate(None, event), event
    rb = rulebook if rulebook is not None else bundled()
    cal = calendar if calendar is not None else china_mainland()
    day = _local(at)
    if case.stage in ALLOWED_FROM[change.kind][0]:
        if isinstance(change, ObjectRemit):
            _check_window(
                case,
                "remit_objection",
                day=day,
                rulebook=rb,
                calendar=cal,
                what="the remit objection",
            )
        elif isinstance(change, RequestReview):
            _check_window(
                case,
                "review_request",
                day=day,
                rulebook=rb,
                calendar=cal,
                what="the review request",
            )
        elif isinstance(change, RequestReReview):
            _check_window(
                case,
                "rereview_request",
                day=day,
                rulebook=rb,
                calendar=cal,
                what="the re-review request",
            )
        elif isinstance(change, Extend):
            _check_extension(case, change, day, rb, cal)
        elif isinstance(change, Accept):
            _check_finality(case, day, rb, cal, related)
        elif isinstance(change, Forward | Assign) and case.accused_units:
            from xinfang import responsibility

            responsibility.check_forward(
                case,
                change.to_unit,
                org,
                scope=scope if scope is not None else responsibility.DEFAULT_SCOPE,
            )
        elif isinstance(change, AssignRole | SetPlan):
            from xinfang import responsibility

            responsibility.check_change(
                case,
                change,
                org,
                interests=interests,
                scope=scope if scope is not None else responsibility.DEFAULT_SCOPE,
            )
    return mutate(case, event), event


def open_case(change: Register, at: _dt.datetime, *, by: str = "system") -> tuple[Case, Event]:
    """Register a new matter: ``apply(None, change, at, by=by)``."""
    return apply(None, change, at, by=by)


def _check_extension(
    case: Case, change: Extend, day: _dt.date, rb: Rulebook, cal: WorkCalendar
) -> None:
    from xinfang.deadlines import handling_limit, limit_due

    handling = handling_limit(case, rb)
    cap = rb.cap_for(handling.key) if handling else None
    if handling is None or cap is None:
        raise TransitionError(
            f"case {case.id}: rulebook {rb.id!r} allows no extension for this matter",
            path="extended",
            rule=rb.id,
        )
    if not change.petitioner_told:
        raise TransitionError(
            f"case {case.id}: an extension must tell the petitioner the reason",
            path="extended.petitioner_told",
            rule=cap.citation,
        )
    if case.extensions >= cap.max_times:
        raise TransitionError(
            f"case {case.id}: handling may be extended {cap.max_times} time(s); it already was",
            path="extended",
            rule=cap.citation,
        )
    if change.days > cap.period.amount - case.extension_days:
        raise TransitionError(
            f"case {case.id}: an extension of {change.days} days exceeds the {cap.period} allowed",
            path="extended.days",
            rule=cap.citation,
        )
    clock = limit_due(case, handling, rb, cal, as_of=day)
    if clock is not None and day > clock.due:
        raise WindowClosedError(
            f"case {case.id}: the extension on {day.isoformat()} comes after the handling limit "
            f"ended on {clock.due.isoformat()}; it must be approved within the limit",
            path="extended",
            rule=cap.citation,
        )


def _check_finality(
    case: Case,
    day: _dt.date,
    rb: Rulebook,
    cal: WorkCalendar,
    related: Mapping[str, Case] | None,
) -> None:
    if not (case.same_facts and case.repeat_of):
        return
    missing = [cid for cid in case.repeat_of if not related or cid not in related]
    if missing:
        raise TransitionError(
            f"case {case.id} repeats {missing} with the same facts and reasons; pass those "
            "cases as related= so finality can be checked before accepting",
            path="related",
            rule=f"{_ART} 第三十六条第三款",
        )
    assert related is not None  # noqa: S101 - narrowed by the check above
    for cid in case.repeat_of:
        earlier = related[cid]
        if earlier.stage_as_of(day, rulebook=rb, calendar=cal) is Stage.FINAL:
            raise FinalityError(
                f"case {case.id}: the same facts and reasons as case {cid}, which is final "
                "(re-reviewed, or its review window lapsed), are not accepted again",
                path="accepted",
                rule=f"{_ART} 第三十六条第三款",
            )
