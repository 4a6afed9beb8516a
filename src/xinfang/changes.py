"""The changes a case can undergo, and :class:`Event`, the record of one.

Each change class is both a command (what :func:`xinfang.apply` is asked to
do) and the payload of the event that records it; its ``kind`` is the code
the journal stores. :data:`CHANGE_TYPES` lists them all in one order, which
the fold, serialization and the strategies share.
"""

from __future__ import annotations

import datetime as _dt
import types
import typing
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeAlias

import attrs

from xinfang._checks import format_control_problem, nonempty, plain, plain_items, positive
from xinfang.errors import InvalidDataError, XinfangError, quoted
from xinfang.instants import aware, day_in_range
from xinfang.personal import Petitioner
from xinfang.vocabulary import (
    AgreementKind,
    Category,
    Channel,
    Outcome,
    Procedure,
    Rating,
    Role,
    Route,
    UnitKind,
)

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

__all__ = [
    "CHANGE_BY_KIND",
    "CHANGE_TYPES",
    "Accept",
    "ApproveObjection",
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
    "ReceiveForwarded",
    "RecordAgreement",
    "Register",
    "Relapse",
    "ReleaseRole",
    "ReportBack",
    "ReportProgress",
    "RequestReReview",
    "RequestReview",
    "ReturnMaterials",
    "SetPlan",
    "Settle",
    "SettlementPlan",
    "StartHearing",
    "Withdraw",
]

#: The largest ``group_size`` a registration may give: the journal's column is 32-bit.
_MAX_GROUP_SIZE: Final = 2**31 - 1


def to_tuple(value: Iterable[Any], field: str = "") -> tuple[Any, ...]:
    """Any iterable but a string as a tuple; anything else is a data error naming ``field``."""
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise InvalidDataError([(field, f"expected a list, got {type(value).__name__}")])
    return tuple(value)


# One converter per list field, so that a data error names its field.
def _petitioners(value: Iterable[Petitioner]) -> tuple[Petitioner, ...]:
    return to_tuple(value, "petitioners")


def _claims(value: Iterable[Claim]) -> tuple[Claim, ...]:
    return to_tuple(value, "claims")


def _representatives(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value, "representatives")


def _repeat_of(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value, "repeat_of")


def _accused_persons(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value, "accused_persons")


def _accused_units(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value, "accused_units")


def _aware(value: _dt.datetime, field: str) -> _dt.datetime:
    """An aware instant in Asia/Shanghai; an instant with no local time is a data error."""
    try:
        return aware(value, field)
    except OverflowError:
        raise InvalidDataError([(field, f"{value!r} has no local time in Asia/Shanghai")]) from None


def _received_at(value: _dt.datetime) -> _dt.datetime:
    return _aware(value, "received_at")


def _event_at(value: _dt.datetime) -> _dt.datetime:
    return _aware(value, "at")


def _delivered_at(value: _dt.datetime | None) -> _dt.datetime | None:
    return None if value is None else _aware(value, "delivered_at")


@attrs.frozen(kw_only=True)
class Claim:
    """What the petitioner asks for (诉求), with its facts and reasons (Art. 19)."""

    request: str = attrs.field(validator=nonempty)
    facts: str = attrs.field(default="", validator=plain)
    reasons: str = attrs.field(default="", validator=plain)


@attrs.frozen(kw_only=True)
class Register:
    """登记: record a new matter on receipt (Arts. 19-23). Opens a case.

    ``receiving_unit_kind`` is the kind of the receiving body (whom the
    routing and notice limits bind, Arts. 22-23); ``None`` means not recorded,
    and then every limit binds (the behaviour before unit kinds existed).
    ``identity_unclear``: the petitioner's name (名称) or address is unclear,
    so no 15日 written notice is owed (Art. 23 ¶2 但书).
    ``notified_on_the_spot``: the body told the petitioner in writing on the
    spot (当场书面告知, Art. 23 ¶2), which records a notice on the day of receipt.
    """

    kind: ClassVar[str] = "registered"
    case_id: str = attrs.field(validator=nonempty)
    received_at: _dt.datetime = attrs.field(converter=_received_at)
    channel: Channel
    receiving_unit: str = attrs.field(validator=nonempty)
    receiving_unit_kind: UnitKind | None = None
    petitioners: tuple[Petitioner, ...] = attrs.field(converter=_petitioners)
    claims: tuple[Claim, ...] = attrs.field(converter=_claims)
    category: Category | None = None
    group_size: int = 1
    representatives: tuple[str, ...] = attrs.field(
        default=(), converter=_representatives, validator=plain_items
    )
    repeat_of: tuple[str, ...] = attrs.field(
        default=(), converter=_repeat_of, validator=plain_items
    )
    same_facts: bool = False
    skip_level: bool = False
    beijing_visit: bool = False
    backlog_since: _dt.date | None = attrs.field(default=None, validator=day_in_range)
    procedure: Procedure = Procedure.STANDARD
    accused_persons: tuple[str, ...] = attrs.field(
        default=(), converter=_accused_persons, validator=plain_items
    )
    accused_units: tuple[str, ...] = attrs.field(
        default=(), converter=_accused_units, validator=plain_items
    )
    identity_unclear: bool = False
    notified_on_the_spot: bool = False

    def __attrs_post_init__(self) -> None:
        problems = type_problems(self)
        if problems:  # the checks below compare values of the right types only
            raise InvalidDataError(problems, source="Register")
        if not self.petitioners:
            problems.append(("petitioners", "at least one petitioner"))
        if not self.claims:
            problems.append(("claims", "at least one claim"))
        if self.group_size < 1:
            problems.append(("group_size", "must be a positive integer (not a bool)"))
        elif self.group_size > _MAX_GROUP_SIZE:
            problems.append(
                ("group_size", f"at most {_MAX_GROUP_SIZE:,} (the journal counts in 32 bits)")
            )
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
    """转送: send the matter to the competent body (Art. 22 (1)-(2)).

    ``to_unit_kind`` is the receiving body's kind (``None``: not recorded).
    ``good_reason``: the petitioner's good reason (正当理由) for a repeat of a
    matter whose review window lapsed unused, recorded by the host; under a
    rulebook whose ``finality.good_reason`` is true it lifts that finality
    (not the finality of a re-reviewed matter, Art. 36 ¶3).
    """

    kind: ClassVar[str] = "forwarded"
    to_unit: str = attrs.field(validator=nonempty)
    note: str = attrs.field(default="", validator=plain)
    to_unit_kind: UnitKind | None = None
    good_reason: str = attrs.field(default="", validator=plain)


@attrs.frozen(kw_only=True)
class Assign:
    """交办: send it with a deadline to report back the result (Art. 22 (3)).

    ``report_back_by`` is the day the receiving body must hand in its
    办结报告 (a :class:`ReportBack`); it opens the ``report_back`` clock and
    may not be before the assignment's own day. ``good_reason`` as for
    :class:`Forward`.
    """

    kind: ClassVar[str] = "assigned"
    to_unit: str = attrs.field(validator=nonempty)
    report_back_by: _dt.date = attrs.field(validator=day_in_range)
    note: str = attrs.field(default="", validator=plain)
    to_unit_kind: UnitKind | None = None
    good_reason: str = attrs.field(default="", validator=plain)


@attrs.frozen(kw_only=True)
class ReceiveForwarded:
    """收到: the body a matter was forwarded or assigned to records its receipt (Art. 23 ¶3).

    Its 15日 written notice and its 5个工作日 remit objection run from this
    day (自收到之日起), which may be later than the forwarding. Without it,
    the forwarding day is taken as the receipt (the earliest it can be).
    """

    kind: ClassVar[str] = "forward_received"
    note: str = attrs.field(default="", validator=plain)


@attrs.frozen(kw_only=True)
class ApproveObjection:
    """核实同意: the sending body approves the receiver's remit objection (Art. 23 ¶3)."""

    kind: ClassVar[str] = "objection_approved"
    approved_by: str = attrs.field(validator=nonempty)
    note: str = attrs.field(default="", validator=plain)


@attrs.frozen(kw_only=True)
class ReturnMaterials:
    """交还相关材料: after the approval, the materials go back to the sending body (Art. 23 ¶3).

    ``to_unit`` is the sending body, which routes the matter again.
    """

    kind: ClassVar[str] = "materials_returned"
    to_unit: str = attrs.field(validator=nonempty)
    to_unit_kind: UnitKind | None = None
    note: str = attrs.field(default="", validator=plain)


@attrs.frozen(kw_only=True)
class ReportBack:
    """提交办结报告: the assigned body reports the result back (Art. 22 (3))."""

    kind: ClassVar[str] = "reported_back"
    summary: str = attrs.field(validator=nonempty)


@attrs.frozen(kw_only=True)
class RecordAgreement:
    """调解协议书 / 和解协议书: an agreement reached by mediation or reconciliation (Art. 33).

    It concludes the handling of the matter (the handling limit is met by
    it) and is settlement evidence: the case counts as settled from that day
    (停访息诉), in the campaign too, until a :class:`Relapse`.
    """

    kind: ClassVar[str] = "agreement_recorded"
    form: AgreementKind
    summary: str = attrs.field(validator=nonempty)


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
    """受理: take the matter on.

    ``route`` is ordinary handling (Art. 31(6)), duty (31(5)), the
    suggestion route (Art. 29: studied and replied to) or the accusation
    route (Art. 30: handled 依规依纪依法, with no Art. 34 limit and no
    review). ``None`` (the default) means by the class: a suggestion goes on
    the suggestion route, an accusation on the accusation route, anything
    else on the ordinary route. ``good_reason`` as for :class:`Forward`.
    """

    kind: ClassVar[str] = "accepted"
    route: Route | None = None
    good_reason: str = attrs.field(default="", validator=plain)


@attrs.frozen(kw_only=True)
class Notify:
    """告知: tell the petitioner in writing it was received and how it will be handled (Art. 23)."""

    kind: ClassVar[str] = "notified"
    note: str = attrs.field(default="", validator=plain)


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
    note: str = attrs.field(default="", validator=plain)


@attrs.frozen(kw_only=True)
class EndHearing:
    """听证 ends."""

    kind: ClassVar[str] = "hearing_ended"
    note: str = attrs.field(default="", validator=plain)


@attrs.frozen(kw_only=True)
class IssueOpinion:
    """出具信访处理意见书 (Arts. 31(6), 32). ``delivered_at`` defaults to the issue instant."""

    kind: ClassVar[str] = "opinion_issued"
    outcome: Outcome
    basis: str = attrs.field(validator=nonempty)
    delivered_at: _dt.datetime | None = attrs.field(default=None, converter=_delivered_at)


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
    delivered_at: _dt.datetime | None = attrs.field(default=None, converter=_delivered_at)


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
    delivered_at: _dt.datetime | None = attrs.field(default=None, converter=_delivered_at)


@attrs.frozen(kw_only=True)
class Settle:
    """停访息诉: the petitioner stops petitioning, recorded with evidence."""

    kind: ClassVar[str] = "settled"
    evidence: str = attrs.field(validator=nonempty)


@attrs.frozen(kw_only=True)
class Relapse:
    """The petitioner petitions again after settling."""

    kind: ClassVar[str] = "relapsed"
    note: str = attrs.field(default="", validator=plain)


@attrs.frozen(kw_only=True)
class Withdraw:
    """The petitioner withdraws the matter."""

    kind: ClassVar[str] = "withdrawn"
    reason: str = attrs.field(default="", validator=plain)


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

    due: _dt.date = attrs.field(validator=day_in_range)
    what: str = attrs.field(validator=nonempty)


def _tuple_str(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value, "measures")


def _tuple_milestones(value: Iterable[PlanMilestone]) -> tuple[PlanMilestone, ...]:
    return to_tuple(value, "milestones")


@attrs.frozen(kw_only=True)
class SettlementPlan:
    """息访方案: clear responsibility, clear deadline, clear measures (明确责任、时限、措施).

    A plan is complete only with an owner, a deadline and at least one
    measure; :meth:`missing` lists what is not there.
    """

    owner: str = attrs.field(default="", validator=plain)
    deadline: _dt.date | None = attrs.field(default=None, validator=day_in_range)
    measures: tuple[str, ...] = attrs.field(default=(), converter=_tuple_str, validator=plain_items)
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
    """Adopt or revise the case's settlement plan (the owner is checked like a role holder).

    Setting a plan on a case that has one is a revision: the earlier plan
    stays in the history (:attr:`xinfang.Case.plan_history`). A revision that
    moves the deadline later needs a ``reason`` (guard ``plan_deadline_reason``:
    明确时限, a deadline is not moved silently).
    """

    kind: ClassVar[str] = "plan_set"
    plan: SettlementPlan
    reason: str = attrs.field(default="", validator=plain)


def _tuple_ints(value: Iterable[int]) -> tuple[int, ...]:
    return to_tuple(value, "completes")


@attrs.frozen(kw_only=True)
class ReportProgress:
    """进展情况: what was done on the case's settlement plan, by whom, and the steps it completes.

    ``completes``: the numbers (1, 2, ... in the plan's order) of the current
    plan's steps (:class:`PlanMilestone`) this report marks done; each at most
    once per plan (a revision starts its steps anew). ``done_by``: who did it
    (default: whoever records the event). A plan with no report for the
    campaign's ``stalled_after_days`` counts as stalled (紧盯落实).
    """

    kind: ClassVar[str] = "progress_reported"
    done: str = attrs.field(validator=nonempty)
    done_by: str = attrs.field(default="", validator=plain)
    completes: tuple[int, ...] = attrs.field(default=(), converter=_tuple_ints)


Change: TypeAlias = (
    Register
    | Categorize
    | Forward
    | Assign
    | ReceiveForwarded
    | ApproveObjection
    | ReturnMaterials
    | ReportBack
    | RecordAgreement
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
    | ReportProgress
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
    ReceiveForwarded,
    ApproveObjection,
    ReturnMaterials,
    ReportBack,
    RecordAgreement,
    ReportProgress,
)
CHANGE_BY_KIND: Final[dict[str, type[Change]]] = {c.kind: c for c in CHANGE_TYPES}


# ------------------------------------------------------------ field types
#: A field's type as isinstance checks: (allowed types, excluded subtypes, item spec or None).
_Spec = tuple[
    tuple[type, ...], tuple[type, ...], "tuple[tuple[type, ...], tuple[type, ...], Any] | None"
]


def _spec(tp: Any) -> _Spec:
    """The isinstance checks for the simple annotations the change classes use."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        allowed: list[type] = []
        excluded: list[type] = []
        item = None
        for arg in typing.get_args(tp):
            a, e, item_spec = _spec(arg)
            allowed.extend(a)
            excluded.extend(e)
            item = item or item_spec
        return tuple(allowed), tuple(excluded), item
    if origin is tuple:
        return (tuple,), (), _spec(typing.get_args(tp)[0])
    if tp is type(None):
        return (type(None),), (), None
    if tp is int:
        return (int,), (bool,), None
    if tp is _dt.date:
        return (_dt.date,), (_dt.datetime,), None
    return (tp,), (), None


def _ok(value: Any, spec: _Spec) -> bool:
    allowed, excluded, item = spec
    if not isinstance(value, allowed) or (excluded and isinstance(value, excluded)):
        return False
    if item is None:
        return True
    items: tuple[Any, ...] = typing.cast("tuple[Any, ...]", value)
    return all(_ok(v, item) for v in items)


def _shown(tp: Any) -> str:
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("datetime.", "").replace("xinfang.vocabulary.", "")


def _field_types() -> dict[type[Any], tuple[tuple[str, _Spec, str], ...]]:
    out: dict[type[Any], tuple[tuple[str, _Spec, str], ...]] = {}
    for cls in (*CHANGE_TYPES, SettlementPlan, PlanMilestone, Claim, Petitioner):
        hints = typing.get_type_hints(cls)
        out[cls] = tuple(
            (a.name, _spec(hints[a.name]), _shown(hints[a.name])) for a in attrs.fields(cls)
        )
    return out


#: change class → ((field, isinstance spec, type shown), ...): built once at import.
_FIELD_TYPES: Final = _field_types()


def _all_ok(value: Any) -> bool:
    """Whether every field (and every nested value's) has its type: the fast path."""
    for name, spec, _ in _FIELD_TYPES.get(type(value), ()):
        field_value = getattr(value, name)
        if not _ok(field_value, spec):
            return False
        kind = type(field_value)
        if kind in _FIELD_TYPES and not _all_ok(field_value):
            return False
        if kind is tuple and not all(
            _all_ok(item) for item in field_value if type(item) in _FIELD_TYPES
        ):
            return False
    return True


def type_problems(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Fields of a change (or of a plan, claim or petitioner in it) of the wrong type."""
    if _all_ok(value):
        return []
    out: list[tuple[str, str]] = []
    for name, spec, shown in _FIELD_TYPES.get(type(value), ()):
        field_value = getattr(value, name)
        where = f"{path}{name}"
        if not _ok(field_value, spec):
            out.append((where, f"must be {shown}, got {type(field_value).__name__}"))
        elif type(field_value) in _FIELD_TYPES:
            out.extend(type_problems(field_value, f"{where}."))
        elif type(field_value) is tuple:
            for i, item in enumerate(field_value):
                if type(item) in _FIELD_TYPES:
                    out.extend(type_problems(item, f"{where}[{i}]."))
    return out


def check_types(change: Change) -> None:
    """Refuse a change whose fields have the wrong types, naming each field."""
    if type(change) not in _FIELD_TYPES:
        raise XinfangError(
            f"not a change: {type(change).__name__}", path="change", rule="one of CHANGE_TYPES"
        )
    problems = type_problems(change)
    if problems:
        raise InvalidDataError(problems, source=type(change).__name__)


@attrs.frozen(kw_only=True)
class Event:
    """One thing that happened to a case: a change, when (aware, Asia/Shanghai), by whom."""

    seq: int
    at: _dt.datetime = attrs.field(converter=_event_at)
    by: str
    change: Change

    def __attrs_post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        if not isinstance(self.seq, int) or isinstance(self.seq, bool) or self.seq < 1:
            problems.append(("seq", f"must be a positive integer, got {quoted(self.seq)}"))
        if not isinstance(self.by, str):
            problems.append(("by", f"must be a string, got {type(self.by).__name__}"))
        elif (problem := format_control_problem(self.by)) is not None:
            problems.append(("by", problem))
        if type(self.change) not in _FIELD_TYPES:
            problems.append(("change", f"not a change: {type(self.change).__name__}"))
        elif type(self.change) is not Register:  # a Register checks its own types
            problems.extend((f"change.{path}", msg) for path, msg in type_problems(self.change))
        if problems:
            raise InvalidDataError(problems, source="Event")

    @property
    def kind(self) -> str:
        """The change's kind code (``"accepted"``, ...)."""
        return self.change.kind
