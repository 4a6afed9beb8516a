"""The changes a case can undergo, and :class:`Event`, the record of one.

Each change class is both a command (what :func:`xinfang.apply` is asked to
do) and the payload of the event that records it; its ``kind`` is the code
the journal stores. :data:`CHANGE_TYPES` lists them all in one order, which
the fold, serialization and the strategies share.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, ClassVar, Final, TypeAlias

import attrs

from xinfang._checks import nonempty, positive, to_tuple
from xinfang.errors import InvalidDataError
from xinfang.instants import aware, aware_or_none
from xinfang.personal import Petitioner
from xinfang.vocabulary import Category, Channel, Outcome, Procedure, Rating, Role, Route

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

__all__ = [
    "CHANGE_BY_KIND",
    "CHANGE_TYPES",
    "Accept",
    "Assign",
    "AssignRole",
    "Categorize",
    "Change",
    "Claim",
    "Decline",
    "EndHearing",
    "Event",
    "Extend",
    "Forward",
    "IssueOpinion",
    "IssueReReviewOpinion",
    "IssueReviewOpinion",
    "Notify",
    "ObjectRemit",
    "PlanMilestone",
    "Rate",
    "Register",
    "Relapse",
    "ReleaseRole",
    "RequestReReview",
    "RequestReview",
    "SetPlan",
    "Settle",
    "SettlementPlan",
    "StartHearing",
    "Withdraw",
]


@attrs.frozen(kw_only=True)
class Claim:
    """What the petitioner asks for (诉求), with its facts and reasons (Art. 19)."""

    request: str = attrs.field(validator=nonempty)
    facts: str = ""
    reasons: str = ""


@attrs.frozen(kw_only=True)
class Register:
    """登记: record a new matter on receipt (Arts. 19-23). Opens a case."""

    kind: ClassVar[str] = "registered"
    case_id: str = attrs.field(validator=nonempty)
    received_at: _dt.datetime = attrs.field(converter=aware)
    channel: Channel
    receiving_unit: str = attrs.field(validator=nonempty)
    petitioners: tuple[Petitioner, ...] = attrs.field(converter=to_tuple)
    claims: tuple[Claim, ...] = attrs.field(converter=to_tuple)
    category: Category | None = None
    group_size: int = 1
    representatives: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    repeat_of: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    same_facts: bool = False
    skip_level: bool = False
    beijing_visit: bool = False
    backlog_since: _dt.date | None = None
    procedure: Procedure = Procedure.STANDARD
    accused_persons: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)
    accused_units: tuple[str, ...] = attrs.field(default=(), converter=to_tuple)

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
    to_unit: str = attrs.field(validator=nonempty)
    note: str = ""


@attrs.frozen(kw_only=True)
class Assign:
    """交办: send it with a deadline to report back the result (Art. 22 (3))."""

    kind: ClassVar[str] = "assigned"
    to_unit: str = attrs.field(validator=nonempty)
    report_back_by: _dt.date
    note: str = ""


@attrs.frozen(kw_only=True)
class Decline:
    """不予受理: decline, telling the petitioner the legal route (Arts. 22-23, 28 ¶2, 31)."""

    kind: ClassVar[str] = "declined"
    reason: str = attrs.field(validator=nonempty)
    route_told: Route
    body_told: str = attrs.field(validator=nonempty)


@attrs.frozen(kw_only=True)
class ObjectRemit:
    """提出异议: a forwarded matter is outside the receiving body's remit (Art. 23 ¶3)."""

    kind: ClassVar[str] = "remit_objected"
    reason: str = attrs.field(validator=nonempty)


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
    days: int = attrs.field(validator=positive)
    approved_by: str = attrs.field(validator=nonempty)
    reason: str = attrs.field(validator=nonempty)
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
    basis: str = attrs.field(validator=nonempty)
    delivered_at: _dt.datetime | None = attrs.field(default=None, converter=aware_or_none)


@attrs.frozen(kw_only=True)
class RequestReview:
    """请求复查 from the body one level up, within the window (Art. 35)."""

    kind: ClassVar[str] = "review_requested"
    to_unit: str = attrs.field(validator=nonempty)


@attrs.frozen(kw_only=True)
class IssueReviewOpinion:
    """复查意见, in writing (Art. 35)."""

    kind: ClassVar[str] = "review_opinion_issued"
    outcome: Outcome
    basis: str = attrs.field(validator=nonempty)
    delivered_at: _dt.datetime | None = attrs.field(default=None, converter=aware_or_none)


@attrs.frozen(kw_only=True)
class RequestReReview:
    """请求复核 one level further up, within the window (Art. 36)."""

    kind: ClassVar[str] = "rereview_requested"
    to_unit: str = attrs.field(validator=nonempty)


@attrs.frozen(kw_only=True)
class IssueReReviewOpinion:
    """复核意见 (Art. 36). The matter is then final (Art. 36 ¶3)."""

    kind: ClassVar[str] = "rereview_opinion_issued"
    outcome: Outcome
    basis: str = attrs.field(validator=nonempty)
    delivered_at: _dt.datetime | None = attrs.field(default=None, converter=aware_or_none)


@attrs.frozen(kw_only=True)
class Settle:
    """停访息诉: the petitioner stops petitioning, recorded with evidence."""

    kind: ClassVar[str] = "settled"
    evidence: str = attrs.field(validator=nonempty)


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


@attrs.frozen(kw_only=True)
class AssignRole:
    """Put an official (or, for ``RESPONSIBLE_UNIT``, a unit) in a role, with the reason.

    For a one-holder role this reassigns. :func:`apply` checks the role rules,
    recusal (Art. 28 ¶3) and accuser confidentiality (Art. 30 ¶3) against the
    organisation passed as ``org=``.
    """

    kind: ClassVar[str] = "role_assigned"
    role: Role
    holder: str = attrs.field(validator=nonempty)
    reason: str = attrs.field(validator=nonempty)


@attrs.frozen(kw_only=True)
class ReleaseRole:
    """Take a holder out of a role, with the reason."""

    kind: ClassVar[str] = "role_released"
    role: Role
    holder: str = attrs.field(validator=nonempty)
    reason: str = attrs.field(validator=nonempty)


@attrs.frozen(kw_only=True)
class PlanMilestone:
    """An intermediate step of a settlement plan."""

    due: _dt.date
    what: str = attrs.field(validator=nonempty)


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
