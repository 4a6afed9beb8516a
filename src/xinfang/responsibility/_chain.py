"""The chain of a case: who holds it, who is kept out (回避, Art. 28 ¶3; Art. 30 ¶3), who sees it.

The interests that exclude an official or a unit, :func:`check_change` and
:func:`check_forward` (what :func:`xinfang.apply` runs before recording a
change of the chain), the responsible unit and first responsible official,
and the confidentiality rules (:func:`visibility`, :func:`can_view`,
:func:`redact`) that keep an accusation from the accused.
"""

from __future__ import annotations

import datetime as _dt
import enum
from typing import TYPE_CHECKING, Final

import attrs

from xinfang.case import Case, replay
from xinfang.changes import AssignRole, Change, ReleaseRole, SetPlan
from xinfang.errors import ConfidentialityError, RecusalError, TransitionError
from xinfang.instants import aware
from xinfang.responsibility._organisation import Official, Organization, Post
from xinfang.vocabulary import Category, Role

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "DEFAULT_SCOPE",
    "AccusedScope",
    "Interest",
    "RedactedCase",
    "Visibility",
    "can_view",
    "chain_as_of",
    "check_change",
    "check_forward",
    "conflicts",
    "excluded",
    "first_responsible",
    "redact",
    "responsible_unit",
    "scoped_responsible_unit",
    "unit_excluded",
    "visibility",
]


_RECUSAL: Final = "信访工作条例 (2022) 第二十八条第三款"
_SECRECY: Final = "信访工作条例 (2022) 第三十条第三款"
_LEAD: Final = "信访工作条例 (2022) 第十八条第二款: 领导干部包案化解"
_SUPERVISION: Final = "信访工作条例 (2022) 第四十条"


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


def unit_excluded(unit_id: str, case: Case, org: Organization, scope: AccusedScope) -> bool:
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
        org is not None and org.has_unit(to_unit) and unit_excluded(to_unit, case, org, scope)
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
    raises :class:`~xinfang.errors.RecusalError` (Art. 28 ¶3),
    :class:`~xinfang.errors.ConfidentialityError` (Art. 30 ¶3) or
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
        if unit_excluded(holder, case, org, scope):
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
        unit = scoped_responsible_unit(case, org, scope)
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


def scoped_responsible_unit(case: Case, org: Organization, scope: AccusedScope) -> str | None:
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
    if not org.has_unit(unit) or unit_excluded(unit, case, org, scope):
        return None
    return unit


def responsible_unit(
    case: Case, org: Organization, *, scope: AccusedScope = DEFAULT_SCOPE
) -> str | None:
    """责任单位: the assigned responsible unit, else the handling unit; ``None`` if kept out.

    A unit the accusation keeps out under ``scope`` is never the responsible
    unit; :func:`check_change` refuses to assign it under the same rule.
    """
    return scoped_responsible_unit(case, org, scope)


def first_responsible(
    case: Case, org: Organization, *, scope: AccusedScope = DEFAULT_SCOPE
) -> Official | None:
    """第一责任人: the head of the responsible unit (derived, never assigned)."""
    unit = scoped_responsible_unit(case, org, scope)
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
    unit = scoped_responsible_unit(case, org, scope)
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
