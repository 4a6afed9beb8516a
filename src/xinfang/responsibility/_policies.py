"""The policies (data, TOML): whom to assign to a case, and whom to tell when a clock runs late.

:class:`AssignmentPolicy` (:func:`policy_gaps`, :func:`proposed_assignments`)
and :class:`EscalationPolicy` (:func:`escalations`: strictly upward, skipping
and reporting anyone recused or accused), with their loaders and the bundled
escalation policy.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import attrs

from xinfang.changes import AssignRole
from xinfang.deadlines import Clock, ClockStatus
from xinfang.errors import PolicyError
from xinfang.responsibility._chain import (
    DEFAULT_SCOPE,
    AccusedScope,
    Interest,
    excluded,
    scoped_responsible_unit,
    unit_excluded,
)
from xinfang.responsibility._organisation import (
    Official,
    Organization,
    Post,
    read_data,
    structure_data,
)
from xinfang.vocabulary import Role

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    from pathlib import Path

    from xinfang.case import Case

__all__ = [
    "AssignmentPolicy",
    "Escalation",
    "EscalationPolicy",
    "EscalationStep",
    "Skipped",
    "escalation_policy",
    "escalations",
    "load_assignment_policy",
    "load_escalation_policy",
    "policy_gaps",
    "proposed_assignments",
]

_T = TypeVar("_T")


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
    if scoped_responsible_unit(case, org, scope) is None:
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
    unit = scoped_responsible_unit(case, org, scope)
    if (
        Role.RESPONSIBLE_UNIT not in held
        and policy.competent_unit_responsible
        and unit is not None
        and not unit_excluded(unit, case, org, scope)
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
    unit = scoped_responsible_unit(case, org, scope)
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


def load_assignment_policy(
    source: str | Path | Mapping[str, Any] | None = None,
) -> AssignmentPolicy:
    """The assignment policy from a file or mapping; ``None`` gives the bundled default."""
    if source is None:
        return cast("AssignmentPolicy", _bundled_policy("assignment.toml", AssignmentPolicy))
    data = dict(source) if isinstance(source, Mapping) else read_data(source, PolicyError)
    return structure_data(
        data, AssignmentPolicy, PolicyError, "" if isinstance(source, Mapping) else str(source)
    )


def load_escalation_policy(
    source: str | Path | Mapping[str, Any] | None = None,
) -> EscalationPolicy:
    """The escalation policy from a file or mapping; ``None`` gives the bundled default."""
    if source is None:
        return escalation_policy()
    data = dict(source) if isinstance(source, Mapping) else read_data(source, PolicyError)
    return structure_data(
        data, EscalationPolicy, PolicyError, "" if isinstance(source, Mapping) else str(source)
    )


@functools.cache
def _bundled_policy(name: str, cls: type[_T]) -> _T:
    path = resources.files("xinfang") / "data" / "policies" / name
    return structure_data(read_data(str(path), PolicyError), cls, PolicyError, name)


def escalation_policy() -> EscalationPolicy:
    """The bundled default escalation policy."""
    return cast("EscalationPolicy", _bundled_policy("escalation.toml", EscalationPolicy))
