"""Who answers for each case: the organisation, the chain, recusal, confidentiality, escalation.

* :class:`Organization`: one tree of :class:`Unit` values (levels configurable)
  with their :class:`Official` s and liaison points (联系点, 一岗双责).
* The chain of a case is kept by the case's own events (``AssignRole``,
  ``ReleaseRole``); :func:`check_change` is what :func:`xinfang.apply` runs
  before recording one, so no recused official (回避, Art. 28 ¶3) and no
  accused person or official of an accused unit (Art. 30 ¶3) can get in.
* :func:`visibility` / :func:`can_view` / :func:`redact` keep an accusation
  from the accused; :func:`escalations` says who must be told now and why,
  strictly upward, skipping (and reporting) anyone recused or accused.
* :class:`AssignmentPolicy` and :class:`EscalationPolicy` are data (TOML).
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import attrs

from xinfang._toml import read_toml
from xinfang.case import Case, replay
from xinfang.changes import AssignRole, Change, ReleaseRole, SetPlan
from xinfang.convert import structure
from xinfang.deadlines import Clock, ClockStatus
from xinfang.errors import (
    ConfidentialityError,
    InvalidDataError,
    OrganizationError,
    PolicyError,
    RecusalError,
    TransitionError,
    XinfangError,
)
from xinfang.instants import aware
from xinfang.vocabulary import Category, Role, UnitKind

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path


__all__ = [
    "AccusedScope",
    "AssignmentPolicy",
    "Escalation",
    "EscalationPolicy",
    "EscalationStep",
    "Interest",
    "Official",
    "Organization",
    "Post",
    "RedactedCase",
    "Skipped",
    "Unit",
    "Visibility",
    "can_view",
    "chain_as_of",
    "check_change",
    "check_forward",
    "conflicts",
    "escalation_policy",
    "escalations",
    "excluded",
    "first_responsible",
    "load_assignment_policy",
    "load_escalation_policy",
    "load_organization",
    "policy_gaps",
    "proposed_assignments",
    "redact",
    "responsible_unit",
    "visibility",
]

_T = TypeVar("_T")
_RECUSAL: Final = "信访工作条例 (2022) 第二十八条第三款"
_SECRECY: Final = "信访工作条例 (2022) 第三十条第三款"
_LEAD: Final = "信访工作条例 (2022) 第十八条第二款: 领导干部包案化解"
_SUPERVISION: Final = "信访工作条例 (2022) 第四十条"


class Post(enum.Enum):
    """An official's post: the unit head (主官, first responsible), a leadership member, staff."""

    HEAD = "head"
    LEADERSHIP = "leadership"
    STAFF = "staff"


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Unit:
    """A unit (单位) of the organisation; ``parent`` is ``None`` for the root only.

    ``kind`` says what body it is (whom a rulebook limit binds, Arts. 22-23):
    ``other`` (其他机关、单位) unless the file says ``petition_department``,
    ``political_legal`` or ``discipline_inspection``. A unit's kind is its
    own; units under it do not inherit it.
    """

    id: str
    name: str
    level: str
    parent: str | None = None
    kind: UnitKind = UnitKind.OTHER


@attrs.frozen(kw_only=True)
class Official:
    """An official: a head (主官), a leadership member (班子成员) or staff, of one unit.

    ``liaison_units`` are the units a leadership member follows (联系点).
    """

    id: str
    name: str
    unit: str
    post: Post = Post.STAFF
    liaison_units: tuple[str, ...] = attrs.field(default=(), converter=_tuple)


@attrs.frozen(kw_only=True)
class Organization:
    """One tree of units with their officials, validated on construction.

    ``levels`` names the levels from the top (e.g. corps, detachment,
    brigade; or province, city, county); a unit sits deeper than its parent.
    """

    levels: tuple[str, ...] = attrs.field(converter=_tuple)
    units: tuple[Unit, ...] = attrs.field(converter=_tuple)
    officials: tuple[Official, ...] = attrs.field(default=(), converter=_tuple)
    _unit: dict[str, Unit] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _official: dict[str, Official] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _path: dict[str, tuple[str, ...]] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _head: dict[str, Official] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = _validate_org(self)
        if problems:
            path, message = problems[0]
            rest = "".join(f"; {p}: {m}" for p, m in problems[1:])
            raise OrganizationError(message + rest, path=path, rule="one tree, no cycles")
        units = {u.id: u for u in self.units}
        paths: dict[str, tuple[str, ...]] = {}
        for u in self.units:
            chain = [u.id]
            parent = u.parent
            while parent is not None:
                chain.append(parent)
                parent = units[parent].parent
            paths[u.id] = tuple(chain)
        object.__setattr__(self, "_unit", units)
        object.__setattr__(self, "_official", {o.id: o for o in self.officials})
        object.__setattr__(self, "_path", paths)
        object.__setattr__(
            self, "_head", {o.unit: o for o in self.officials if o.post is Post.HEAD}
        )

    @property
    def root(self) -> Unit:
        """The top unit."""
        return next(u for u in self.units if u.parent is None)

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id, or :class:`~xinfang.OrganizationError`."""
        try:
            return self._unit[unit_id]
        except KeyError:
            raise OrganizationError(f"no unit {unit_id!r}", path="unit") from None

    def official(self, official_id: str) -> Official:
        """The official with this id, or :class:`~xinfang.OrganizationError`."""
        try:
            return self._official[official_id]
        except KeyError:
            raise OrganizationError(f"no official {official_id!r}", path="official") from None

    def unit_kind(self, unit_id: str) -> UnitKind | None:
        """The kind of unit ``unit_id``, or ``None`` if the organisation has no such unit."""
        unit = self._unit.get(unit_id)
        return unit.kind if unit is not None else None

    def has_unit(self, unit_id: str) -> bool:
        """Whether the unit exists."""
        return unit_id in self._unit

    def has_official(self, official_id: str) -> bool:
        """Whether the official exists."""
        return official_id in self._official

    def ancestors(self, unit_id: str) -> tuple[str, ...]:
        """The unit's superiors, nearest first, up to the root."""
        return self._path[self.unit(unit_id).id][1:]

    def is_within(self, unit_id: str, ancestor_id: str) -> bool:
        """Whether ``unit_id`` is ``ancestor_id`` or lies under it."""
        return ancestor_id in self._path[self.unit(unit_id).id]

    def head(self, unit_id: str) -> Official | None:
        """The unit's head (主官), its first responsible person (第一责任人)."""
        return self._head.get(self.unit(unit_id).id)

    def officials_of(self, unit_id: str) -> tuple[Official, ...]:
        """The officials of one unit."""
        return tuple(o for o in self.officials if o.unit == unit_id)


def _type_problems(org: Organization) -> list[tuple[str, str]]:
    """Values of the wrong type in the tree (checked first: the rest uses them as keys)."""
    problems: list[tuple[str, str]] = []
    if not all(isinstance(level, str) for level in org.levels):
        problems.append(("levels", "levels must be strings"))
    for i, u in enumerate(org.units):
        if not isinstance(u, Unit):
            problems.append((f"units[{i}]", f"must be a Unit, got {type(u).__name__}"))
            continue
        problems.extend(
            (f"units[{i}].{name}", "must be a string")
            for name in ("id", "name", "level")
            if not isinstance(getattr(u, name), str)
        )
        if u.parent is not None and not isinstance(u.parent, str):
            problems.append((f"units[{i}].parent", "must be a unit id or null"))
        if not isinstance(u.kind, UnitKind):
            problems.append(
                (
                    f"units[{i}].kind",
                    f"unknown unit kind {u.kind!r}; one of {[k.value for k in UnitKind]}",
                )
            )
    for i, o in enumerate(org.officials):
        if not isinstance(o, Official):
            problems.append((f"officials[{i}]", f"must be an Official, got {type(o).__name__}"))
            continue
        problems.extend(
            (f"officials[{i}].{name}", "must be a string")
            for name in ("id", "name", "unit")
            if not isinstance(getattr(o, name), str)
        )
        if not isinstance(o.post, Post):
            problems.append((f"officials[{i}].post", f"unknown post {o.post!r}"))
        if not all(isinstance(u, str) for u in o.liaison_units):
            problems.append((f"officials[{i}].liaison_units", "must be unit ids"))
    return problems


def _validate_org(org: Organization) -> list[tuple[str, str]]:
    problems = _type_problems(org)
    if problems:
        return problems
    if not org.levels or len(set(org.levels)) != len(org.levels):
        problems.append(("levels", "levels must be a non-empty list of distinct names"))
    depth = {name: i for i, name in enumerate(org.levels)}
    units: dict[str, Unit] = {}
    for i, u in enumerate(org.units):
        if u.id in units:
            problems.append((f"units[{i}].id", f"unit id {u.id!r} is given twice"))
        units[u.id] = u
        if u.level not in depth:
            problems.append(
                (f"units[{i}].level", f"unknown level {u.level!r}; one of {org.levels}")
            )
    roots = [u.id for u in org.units if u.parent is None]
    if len(roots) != 1:
        problems.append(("units", f"an organisation has exactly one root unit, found {roots}"))
    for i, u in enumerate(org.units):
        if u.parent is None:
            continue
        parent = units.get(u.parent)
        if parent is None:
            problems.append((f"units[{i}].parent", f"unknown parent unit {u.parent!r}"))
        elif u.level in depth and parent.level in depth and depth[u.level] <= depth[parent.level]:
            problems.append(
                (
                    f"units[{i}].level",
                    f"{u.id!r} ({u.level}) must sit below its parent ({parent.level})",
                )
            )
    # cycles: walk up from each unit
    for i, u in enumerate(org.units):
        seen = {u.id}
        up = u.parent
        while up is not None and up in units:
            if up in seen:
                problems.append((f"units[{i}].parent", f"unit {u.id!r} is its own ancestor"))
                break
            seen.add(up)
            up = units[up].parent
    heads: dict[str, str] = {}
    ids: set[str] = set()
    for i, o in enumerate(org.officials):
        if o.id in ids:
            problems.append((f"officials[{i}].id", f"official id {o.id!r} is given twice"))
        ids.add(o.id)
        if o.unit not in units:
            problems.append((f"officials[{i}].unit", f"unknown unit {o.unit!r}"))
        if o.post is Post.HEAD:
            if o.unit in heads:
                problems.append(
                    (
                        f"officials[{i}].post",
                        f"unit {o.unit!r} already has a head ({heads[o.unit]})",
                    )
                )
            heads[o.unit] = o.id
        if o.liaison_units and o.post is Post.STAFF:
            problems.append(
                (
                    f"officials[{i}].liaison_units",
                    "liaison points (联系点) are for heads and leadership members",
                )
            )
        for j, lu in enumerate(o.liaison_units):
            if lu not in units:
                problems.append((f"officials[{i}].liaison_units[{j}]", f"unknown unit {lu!r}"))
    return problems


# ------------------------------------------------------------ interests
@attrs.frozen(kw_only=True)
class Interest:
    """A declared direct interest (直接利害关系) of an official.

    With a petitioner (by name or resident ID number), with a case (by id), or
    with a subject (an accused person or unit, or words of a claim).
    """

    official: str
    petitioner: str = ""
    case_id: str = ""
    subject: str = ""
    note: str = ""

    def touches(self, case: Case) -> bool:
        """Whether this interest concerns ``case``."""
        if self.case_id and self.case_id == case.id:
            return True
        if self.petitioner:
            for p in case.petitioners:
                if p.name == self.petitioner:
                    return True
                rid = p.id_number
                if (
                    rid is not None
                    and not rid.is_masked
                    and rid.reveal() == self.petitioner.upper()
                ):
                    return True
        if self.subject:
            if self.subject in case.accused_persons or self.subject in case.accused_units:
                return True
            if any(self.subject in c.request for c in case.claims):
                return True
        return False


class AccusedScope(enum.Enum):
    """How far "the accused unit" reaches: the unit alone, or also every unit under it."""

    UNIT = "unit"
    SUBTREE = "subtree"


#: The safe default: an accusation against a unit also keeps out the units under it.
DEFAULT_SCOPE: Final = AccusedScope.SUBTREE


def excluded(
    official_id: str,
    case: Case,
    org: Organization,
    *,
    interests: Iterable[Interest] = (),
    scope: AccusedScope = DEFAULT_SCOPE,
) -> str | None:
    """Why ``official_id`` may have nothing to do with ``case``, with the article; else ``None``."""
    if official_id in case.accused_persons:
        return f"{official_id} is accused in case {case.id} ({_SECRECY})"
    if org.has_official(official_id) and case.accused_units:
        unit = org.official(official_id).unit
        for accused in case.accused_units:
            if not org.has_unit(accused):
                continue
            inside = unit == accused or (
                scope is AccusedScope.SUBTREE and org.is_within(unit, accused)
            )
            if inside:
                return f"{official_id} belongs to accused unit {accused} ({_SECRECY})"
    for interest in interests:
        if interest.official == official_id and interest.touches(case):
            what = interest.note or "a declared direct interest"
            return f"{official_id} must step aside: {what} ({_RECUSAL})"
    return None


def _unit_excluded(unit_id: str, case: Case, org: Organization, scope: AccusedScope) -> bool:
    for accused in case.accused_units:
        if not org.has_unit(accused) or not org.has_unit(unit_id):
            if unit_id == accused:
                return True
            continue
        if unit_id == accused or (
            scope is AccusedScope.SUBTREE and org.is_within(unit_id, accused)
        ):
            return True
    return False


def check_forward(
    case: Case,
    to_unit: str,
    org: Organization | None,
    *,
    scope: AccusedScope = DEFAULT_SCOPE,
) -> None:
    """Refuse forwarding or assigning an accusation to the accused unit (Art. 30 ¶3).

    Without an organisation only the unit itself is checked; with one, the
    scope decides whether the units under it are kept out too.
    """
    if not case.accused_units:
        return
    hit = to_unit in case.accused_units or (
        org is not None and org.has_unit(to_unit) and _unit_excluded(to_unit, case, org, scope)
    )
    if hit:
        raise ConfidentialityError(
            f"case {case.id}: the accusation cannot be sent to {to_unit}, which is accused "
            "(or under an accused unit)",
            path="to_unit",
            rule=_SECRECY,
        )


def check_change(
    case: Case,
    change: Change,
    org: Organization | None,
    *,
    interests: Iterable[Interest] = (),
    scope: AccusedScope = DEFAULT_SCOPE,
) -> None:
    """Refuse a chain change that breaks a role rule, recusal or confidentiality.

    Called by :func:`xinfang.apply` for ``AssignRole`` and ``SetPlan``;
    raises :class:`~xinfang.RecusalError` (Art. 28 ¶3),
    :class:`~xinfang.ConfidentialityError` (Art. 30 ¶3) or
    :class:`~xinfang.TransitionError` for a role rule.
    """
    if isinstance(change, ReleaseRole):
        return
    if org is None:
        raise TransitionError(
            f"case {case.id}: a responsibility change is checked against the organisation; "
            "pass org=",
            path=change.kind,
            rule=f"{_RECUSAL}; {_SECRECY}",
        )
    interests = tuple(interests)
    if isinstance(change, SetPlan):
        owner = change.plan.owner
        if owner:
            _check_person(case, owner, org=org, interests=interests, scope=scope, path="plan.owner")
        return
    if not isinstance(change, AssignRole):  # pragma: no cover - callers pass chain changes
        return
    role, holder = change.role, change.holder
    if role is Role.RESPONSIBLE_UNIT:
        if not org.has_unit(holder):
            raise TransitionError(
                f"no unit {holder!r} in the organisation", path="holder", rule="organisation data"
            )
        if _unit_excluded(holder, case, org, scope):
            raise ConfidentialityError(
                f"case {case.id}: unit {holder} is accused (or under an accused unit) and cannot "
                "be responsible for the accusation",
                path="holder",
                rule=_SECRECY,
            )
        stranded = [
            h.holder
            for h in case.roles
            if h.role is Role.SUPERVISOR and not _supervises(org, h.holder, holder)
        ]
        if stranded:
            raise TransitionError(
                f"case {case.id}: supervision (督办) comes from a unit above the responsible "
                f"unit; {', '.join(stranded)} would not be above {holder}: release them first",
                path="holder",
                rule=_SUPERVISION,
            )
        return
    official = _check_person(case, holder, org=org, interests=interests, scope=scope, path="holder")
    if role is Role.LEAD_OFFICIAL and official.post not in (Post.HEAD, Post.LEADERSHIP):
        raise TransitionError(
            f"case {case.id}: the lead official (包案领导) must be a unit head or a leadership "
            f"member; {holder} is {official.post.value}",
            path="holder",
            rule=_LEAD,
        )
    if role is Role.SUPERVISOR:
        unit = _responsible_unit(case, org, scope)
        if unit is None or not _supervises(org, holder, unit):
            raise TransitionError(
                f"case {case.id}: supervision (督办) comes from a unit above the responsible "
                f"unit ({unit}); {holder} is of {official.unit}",
                path="holder",
                rule=_SUPERVISION,
            )
    if role is Role.LIAISON and official.post is Post.STAFF:
        raise TransitionError(
            f"case {case.id}: a liaison leader (联系领导) is a head or leadership member",
            path="holder",
            rule="信访工作条例 (2022) 第五条: 一岗双责",
        )


def _supervises(org: Organization, official_id: str, unit: str) -> bool:
    """Whether the official belongs to a unit strictly above ``unit`` (Art. 40)."""
    return org.has_official(official_id) and org.official(official_id).unit in org.ancestors(unit)


def _check_person(
    case: Case,
    official_id: str,
    *,
    org: Organization,
    interests: tuple[Interest, ...],
    scope: AccusedScope,
    path: str,
) -> Official:
    if official_id in case.accused_persons:
        raise ConfidentialityError(
            f"case {case.id}: {official_id} is accused and may hold no role",
            path=path,
            rule=_SECRECY,
        )
    if not org.has_official(official_id):
        raise TransitionError(
            f"no official {official_id!r} in the organisation", path=path, rule="organisation data"
        )
    reason = excluded(official_id, case, org, interests=interests, scope=scope)
    if reason is not None:
        error = RecusalError if _RECUSAL in reason else ConfidentialityError
        raise error(
            f"case {case.id}: {reason}",
            path=path,
            rule=_RECUSAL if error is RecusalError else _SECRECY,
        )
    return org.official(official_id)


def _responsible_unit(case: Case, org: Organization, scope: AccusedScope) -> str | None:
    """The assigned responsible unit, else the handling unit, unless it is kept out.

    One rule for both: a unit that the accusation keeps out under ``scope``
    (the accused unit, and with ``SUBTREE`` the units under it) is no
    responsible unit, whether it was assigned or derived (Art. 30 ¶3).
    """
    unit = case.handling_unit
    for h in case.roles:
        if h.role is Role.RESPONSIBLE_UNIT:
            unit = h.holder
            break
    if not org.has_unit(unit) or _unit_excluded(unit, case, org, scope):
        return None
    return unit


def responsible_unit(
    case: Case, org: Organization, *, scope: AccusedScope = DEFAULT_SCOPE
) -> str | None:
    """责任单位: the assigned responsible unit, else the handling unit; ``None`` if kept out.

    A unit the accusation keeps out under ``scope`` is never the responsible
    unit; :func:`check_change` refuses to assign it under the same rule.
    """
    return _responsible_unit(case, org, scope)


def first_responsible(
    case: Case, org: Organization, *, scope: AccusedScope = DEFAULT_SCOPE
) -> Official | None:
    """第一责任人: the head of the responsible unit (derived, never assigned)."""
    unit = _responsible_unit(case, org, scope)
    return org.head(unit) if unit is not None else None


def chain_as_of(case: Case, at: _dt.datetime | _dt.date) -> tuple[tuple[Role, str], ...]:
    """Who held which role at an instant (or at the end of a day): ``((role, holder), ...)``."""
    if isinstance(at, _dt.datetime):
        cut = aware(at, "at")
        kept = [e for e in case.events if e.at <= cut]
    else:
        kept = [e for e in case.events if e.at.date() <= at]
    if not kept:
        return ()
    return tuple((h.role, h.holder) for h in replay(kept).roles)


def conflicts(
    interest: Interest,
    cases: Iterable[Case],
    org: Organization,
) -> tuple[tuple[str, Role | None, str], ...]:
    """What a newly declared interest affects: ``(case id, role or None for the plan, official)``.

    Each row is a chain that must change: the official holds a role (or owns
    the plan) in a case the interest touches.
    """
    del org  # the interest names the official directly
    out: list[tuple[str, Role | None, str]] = []
    for case in cases:
        if not interest.touches(case):
            continue
        out.extend((case.id, h.role, h.holder) for h in case.roles if h.holder == interest.official)
        if case.plan is not None and case.plan.owner == interest.official:
            out.append((case.id, None, interest.official))
    return tuple(out)


# ---------------------------------------------------------- confidentiality
class Visibility(enum.Enum):
    """What an official may see of a case: all of it, that it exists, or nothing."""

    FULL = "full"
    REDACTED = "redacted"
    NONE = "none"


@attrs.frozen(kw_only=True)
class RedactedCase:
    """What may be shown of an accusation to someone outside its chain: that it exists."""

    id: str
    received_at: _dt.datetime
    category: str | None
    stage: str
    handling_unit: str


def visibility(
    official_id: str,
    case: Case,
    org: Organization,
    *,
    interests: Iterable[Interest] = (),
    scope: AccusedScope = DEFAULT_SCOPE,
) -> Visibility:
    """FULL, REDACTED or NONE for this official and case (Arts. 28 ¶3, 30 ¶3).

    The accused and officials of an accused unit (and, with the default
    scope, of the units under it) see nothing, nor does a recused official.
    For an accusation, the chain's holders, the responsible unit's head and
    the heads above it see it in full; anyone else sees only that it exists.
    Other cases are visible in full to every official not excluded.
    """
    if excluded(official_id, case, org, interests=interests, scope=scope) is not None:
        return Visibility.NONE
    if (
        case.category is not Category.ACCUSATION
        and not case.accused_persons
        and not case.accused_units
    ):
        return Visibility.FULL
    if any(h.holder == official_id for h in case.roles):
        return Visibility.FULL
    if case.plan is not None and case.plan.owner == official_id:
        return Visibility.FULL
    unit = _responsible_unit(case, org, scope)
    if unit is not None and org.has_official(official_id):
        official = org.official(official_id)
        if official.post is Post.HEAD and official.unit in (unit, *org.ancestors(unit)):
            return Visibility.FULL
    return Visibility.REDACTED


def can_view(
    official_id: str,
    case: Case,
    org: Organization,
    *,
    interests: Iterable[Interest] = (),
    scope: AccusedScope = DEFAULT_SCOPE,
) -> bool:
    """Whether the official may see the case in full (see :func:`visibility`)."""
    return visibility(official_id, case, org, interests=interests, scope=scope) is Visibility.FULL


def redact(case: Case) -> RedactedCase:
    """The case with petitioners, claims, accused and events removed."""
    return RedactedCase(
        id=case.id,
        received_at=case.received_at,
        category=case.category.value if case.category else None,
        stage=case.stage.value,
        handling_unit=case.handling_unit,
    )


# ------------------------------------------------------------ policies
_TRIGGERS: Final = frozenset({"backlog", "beijing_visit", "skip_level", "group_visit", "repeat"})


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class AssignmentPolicy:
    """The default assignment rules, as data (``data/policies/assignment.toml``).

    Attributes:
        competent_unit_responsible: the unit handling the case is its
            responsible unit (谁主管、谁负责; 属地管理、分级负责, Art. 5).
        lead_official_required_for: case traits that need a lead official
            (包案领导): ``backlog``, ``beijing_visit``, ``skip_level``,
            ``group_visit``, ``repeat`` (the last four mark high risk).
        default_lead: who leads by default: ``"head"`` of the responsible
            unit, or ``"liaison"`` (a leadership member following it).
        group_visit_size: visitors from which a group visit counts as high risk.
        citation: where the rules come from.
    """

    competent_unit_responsible: bool = True
    lead_official_required_for: tuple[str, ...] = attrs.field(
        default=("backlog", "beijing_visit", "skip_level", "group_visit", "repeat"),
        converter=_strs,
    )
    default_lead: str = "head"
    group_visit_size: int = 5
    citation: str = "信访工作条例 (2022) 第五条、第十八条; 攻坚行动讲话: 主官带头包案"

    def __attrs_post_init__(self) -> None:
        unknown = sorted(set(self.lead_official_required_for) - _TRIGGERS)
        if unknown:
            raise PolicyError(
                f"unknown trait {unknown[0]!r}; one of {sorted(_TRIGGERS)}",
                path="lead_official_required_for",
            )
        if self.default_lead not in ("head", "liaison"):
            raise PolicyError("default_lead must be 'head' or 'liaison'", path="default_lead")


def _traits(case: Case, policy: AssignmentPolicy) -> tuple[str, ...]:
    traits = []
    if case.is_backlog:
        traits.append("backlog")
    if case.beijing_visit:
        traits.append("beijing_visit")
    if case.skip_level:
        traits.append("skip_level")
    if case.group_size >= policy.group_visit_size:
        traits.append("group_visit")
    if case.is_repeat:
        traits.append("repeat")
    return tuple(t for t in traits if t in policy.lead_official_required_for)


def policy_gaps(
    case: Case,
    org: Organization,
    policy: AssignmentPolicy,
    *,
    scope: AccusedScope = DEFAULT_SCOPE,
) -> tuple[str, ...]:
    """What the case's chain lacks under the policy, in words (empty when none)."""
    held = {h.role for h in case.roles}
    gaps = []
    if _responsible_unit(case, org, scope) is None:
        gaps.append("no responsible unit (责任单位)")
    if Role.RESPONSIBLE_PERSON not in held:
        gaps.append("no responsible person (责任人)")
    traits = _traits(case, policy)
    if traits and Role.LEAD_OFFICIAL not in held:
        gaps.append(f"no lead official (包案领导) for a {', '.join(traits)} case")
    return tuple(gaps)


def proposed_assignments(
    case: Case,
    org: Organization,
    policy: AssignmentPolicy,
    *,
    interests: Iterable[Interest] = (),
    scope: AccusedScope = DEFAULT_SCOPE,
) -> tuple[AssignRole, ...]:
    """The assignments the policy proposes for a case's gaps; none that would be refused."""
    interests = tuple(interests)
    held = {h.role for h in case.roles}
    out: list[AssignRole] = []
    unit = _responsible_unit(case, org, scope)
    if (
        Role.RESPONSIBLE_UNIT not in held
        and policy.competent_unit_responsible
        and unit is not None
        and not _unit_excluded(unit, case, org, scope)
    ):
        out.append(AssignRole(role=Role.RESPONSIBLE_UNIT, holder=unit, reason="谁主管、谁负责"))
    if unit is None or Role.LEAD_OFFICIAL in held or not _traits(case, policy):
        return tuple(out)
    candidates: list[Official] = []
    head = org.head(unit)
    liaisons = [o for o in org.officials if unit in o.liaison_units and o.post is not Post.STAFF]
    if policy.default_lead == "head":
        candidates = [*([head] if head else []), *liaisons]
    else:
        candidates = [*liaisons, *([head] if head else [])]
    # Strictly upward from there: the heads of the superior units.
    candidates += [h for a in org.ancestors(unit) if (h := org.head(a)) is not None]
    for official in candidates:
        if excluded(official.id, case, org, interests=interests, scope=scope) is None:
            out.append(
                AssignRole(role=Role.LEAD_OFFICIAL, holder=official.id, reason="主官带头包案")
            )
            break
    return tuple(out)


# ------------------------------------------------------------ escalation
_TARGETS: Final = frozenset(
    {
        "responsible_person",
        "handlers",
        "lead_official",
        "unit_head",
        "superior_head",
        "supervisor",
        "plan_owner",
    }
)
_WHEN: Final = frozenset({"due_soon", "overdue"})


@attrs.frozen(kw_only=True)
class EscalationStep:
    """Who is told when a clock is in a state (and at least ``min_days_overdue`` late)."""

    when: str
    notify: tuple[str, ...] = attrs.field(converter=_strs)
    min_days_overdue: int = 0

    def __attrs_post_init__(self) -> None:
        if self.when not in _WHEN:
            raise PolicyError(
                f"when must be one of {sorted(_WHEN)}, got {self.when!r}", path="when"
            )
        bad = sorted(set(self.notify) - _TARGETS)
        if bad or not self.notify:
            raise PolicyError(
                f"notify must list targets from {sorted(_TARGETS)}; got {list(self.notify)}",
                path="notify",
            )


def _steps(value: Iterable[EscalationStep]) -> tuple[EscalationStep, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class EscalationPolicy:
    """Escalation steps, as data (``data/policies/escalation.toml``).

    ``steps`` are for the statutory clocks the body owes; ``plan_steps`` for
    the settlement plans' clocks (紧盯落实: a campaign clock, obligor
    ``plan_owner``), cited by ``plan_citation``; none by default.
    """

    steps: tuple[EscalationStep, ...] = attrs.field(converter=_steps)
    citation: str = "信访工作条例 (2022) 第三十九条、第四十条、第四十四条、第四十五条"
    plan_steps: tuple[EscalationStep, ...] = attrs.field(default=(), converter=_steps)
    plan_citation: str = ""


@attrs.frozen(kw_only=True)
class Escalation:
    """One official to tell now, about which clock, as which target, and why."""

    case_id: str
    official: str
    target: str
    clock: str
    reason: str


@attrs.frozen(kw_only=True)
class Skipped:
    """Someone escalation passed over, and why (recused, accused, or no one there)."""

    case_id: str
    target: str
    official: str
    reason: str


def escalations(
    case: Case,
    clocks: Iterable[Clock],
    org: Organization,
    *,
    as_of: _dt.date,
    policy: EscalationPolicy | None = None,
    interests: Iterable[Interest] = (),
    scope: AccusedScope = DEFAULT_SCOPE,
) -> tuple[tuple[Escalation, ...], tuple[Skipped, ...]]:
    """Who must be told now about the case's clocks, and who was skipped.

    Only clocks the body must act on escalate (obligor ``body``: its duties
    and its remit-objection window), by the policy's ``steps``, and the
    settlement plans' clocks (obligor ``plan_owner``), by its ``plan_steps``;
    a petitioner's window does not. The path is
    strictly upward: ``superior_head`` starts at the responsible unit's parent
    and climbs past anyone excluded (reported in the skipped list) until the
    root; it never goes down or sideways.
    """
    pol = policy if policy is not None else escalation_policy()
    interests = tuple(interests)
    unit = _responsible_unit(case, org, scope)
    out: list[Escalation] = []
    skipped: list[Skipped] = []
    seen: set[tuple[str, str]] = set()
    for clock in clocks:
        if clock.obligor not in {"body", "plan_owner"}:
            continue
        plan = clock.obligor == "plan_owner"
        steps, citation = (pol.plan_steps, pol.plan_citation) if plan else (pol.steps, pol.citation)
        state = {ClockStatus.DUE_SOON: "due_soon", ClockStatus.OVERDUE: "overdue"}.get(clock.status)
        if state is None:
            continue
        late = max(0, (as_of - clock.due).days)
        for step in steps:
            if step.when != state or late < step.min_days_overdue:
                continue
            why = f"{clock.key} {state.replace('_', ' ')} (due {clock.due}"
            why += f", {late} days late)" if late else ")"
            for target in step.notify:
                ok = functools.partial(_clear, case=case, org=org, interests=interests, scope=scope)
                for official in _targets(case, org, unit, target, skipped=skipped, clear=ok):
                    reason = excluded(official, case, org, interests=interests, scope=scope)
                    if reason is not None:
                        skipped.append(
                            Skipped(
                                case_id=case.id, target=target, official=official, reason=reason
                            )
                        )
                        continue
                    if (official, clock.key) in seen:
                        continue
                    seen.add((official, clock.key))
                    out.append(
                        Escalation(
                            case_id=case.id,
                            official=official,
                            target=target,
                            clock=clock.key,
                            reason=f"{why}; {citation}",
                        )
                    )
    return tuple(out), tuple(dict.fromkeys(skipped))


def _clear(
    official: str,
    *,
    case: Case,
    org: Organization,
    interests: tuple[Interest, ...],
    scope: AccusedScope,
) -> bool:
    return excluded(official, case, org, interests=interests, scope=scope) is None


def _targets(
    case: Case,
    org: Organization,
    unit: str | None,
    target: str,
    *,
    skipped: list[Skipped],
    clear: Any,
) -> list[str]:
    """The officials a target names, before exclusion; ``superior_head`` climbs upward."""
    if target == "responsible_person":
        return [h.holder for h in case.roles if h.role is Role.RESPONSIBLE_PERSON]
    if target == "handlers":
        return [h.holder for h in case.roles if h.role is Role.HANDLER]
    if target == "lead_official":
        return [h.holder for h in case.roles if h.role is Role.LEAD_OFFICIAL]
    if target == "supervisor":
        return [h.holder for h in case.roles if h.role is Role.SUPERVISOR]
    if target == "plan_owner":  # the settlement plan's owner (包案领导)
        return [case.plan.owner] if case.plan is not None and case.plan.owner else []
    if unit is None:
        skipped.append(
            Skipped(case_id=case.id, target=target, official="", reason="no responsible unit")
        )
        return []
    if target == "unit_head":
        head = org.head(unit)
        return [head.id] if head else []
    # superior_head: every head from the parent up; the caller skips the
    # excluded ones, and the first one not excluded is the one told.
    heads = [h.id for a in org.ancestors(unit) if (h := org.head(a)) is not None]
    for i, official in enumerate(heads):
        if clear(official):
            return heads[: i + 1]
    if not heads:
        skipped.append(
            Skipped(
                case_id=case.id, target=target, official="", reason="no superior unit: at the top"
            )
        )
    return heads


# ------------------------------------------------------------ loading
def _read(path: str | Path, error: type[XinfangError]) -> dict[str, Any]:
    return read_toml(path, error, "file")


def _structure(data: Any, cls: type[_T], error: type[XinfangError], source: str) -> _T:
    try:
        return structure(data, cls, source=source)
    except InvalidDataError as exc:
        path, message = exc.problems[0] if exc.problems else (source, str(exc))
        rest = "".join(f"; {p}: {m}" for p, m in exc.problems[1:])
        raise error(
            message + rest, path=f"{source}: {path}" if source else path, rule="data format"
        ) from None
    except XinfangError:
        raise


def load_organization(source: str | Path | Mapping[str, Any]) -> Organization:
    """An organisation from a TOML/JSON-ready mapping or a TOML file (levels, units, officials)."""
    if isinstance(source, Mapping):
        return _structure(dict(source), Organization, OrganizationError, "")
    return _structure(
        _read(source, OrganizationError), Organization, OrganizationError, str(source)
    )


def load_assignment_policy(
    source: str | Path | Mapping[str, Any] | None = None,
) -> AssignmentPolicy:
    """The assignment policy from a file or mapping; ``None`` gives the bundled default."""
    if source is None:
        return cast("AssignmentPolicy", _bundled_policy("assignment.toml", AssignmentPolicy))
    data = dict(source) if isinstance(source, Mapping) else _read(source, PolicyError)
    return _structure(
        data, AssignmentPolicy, PolicyError, "" if isinstance(source, Mapping) else str(source)
    )


def load_escalation_policy(
    source: str | Path | Mapping[str, Any] | None = None,
) -> EscalationPolicy:
    """The escalation policy from a file or mapping; ``None`` gives the bundled default."""
    if source is None:
        return escalation_policy()
    data = dict(source) if isinstance(source, Mapping) else _read(source, PolicyError)
    return _structure(
        data, EscalationPolicy, PolicyError, "" if isinstance(source, Mapping) else str(source)
    )


@functools.cache
def _bundled_policy(name: str, cls: type[_T]) -> _T:
    path = resources.files("xinfang") / "data" / "policies" / name
    return _structure(_read(str(path), PolicyError), cls, PolicyError, name)


def escalation_policy() -> EscalationPolicy:
    """The bundled default escalation policy."""
    return cast("EscalationPolicy", _bundled_policy("escalation.toml", EscalationPolicy))
