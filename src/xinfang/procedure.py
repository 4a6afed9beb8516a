"""The procedure: :func:`apply`, the commands with every check the law makes.

:func:`apply` takes a case and a change (the command), checks what needs a
rulebook and a calendar (the remit-objection, review and re-review windows,
the extension cap, finality of a repeat petition) and what needs the
organisation (role rules, recusal, accuser confidentiality), then folds the
change into the case (:func:`xinfang.replay`'s fold) and returns the new case
with the event recorded. A refusal is a :class:`~xinfang.TransitionError`
naming the rule and article; nothing is recorded.

This module sits above the case model, the rulebook, the clocks and the
responsibility rules, and imports them all at the top.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from xinfang.calendar import china_mainland
from xinfang.case import ALLOWED_FROM, Case, Folding, mutate
from xinfang.changes import (
    Accept,
    Assign,
    AssignRole,
    Change,
    Event,
    Extend,
    Forward,
    ObjectRemit,
    Register,
    RequestReReview,
    RequestReview,
    SetPlan,
)
from xinfang.deadlines import handling_limit, limit_due, stage_as_of
from xinfang.errors import (
    FinalityError,
    InvalidDataError,
    TransitionError,
    WindowClosedError,
    XinfangError,
    quoted,
)
from xinfang.instants import aware, local_day
from xinfang.responsibility import DEFAULT_SCOPE, check_change, check_forward
from xinfang.rulebook import bundled_rulebook
from xinfang.vocabulary import Stage

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    from collections.abc import Iterable, Mapping

    from xinfang.calendar import WorkCalendar
    from xinfang.responsibility import AccusedScope, Interest, Organization
    from xinfang.rulebook import Rulebook

__all__ = ["apply", "apply_all", "open_case"]

_ART = "信访工作条例 (2022)"

#: Requests that must come within a window: change type → (limit key, what it is).
_WINDOWS: Final[Mapping[type[Any], tuple[str, str]]] = types.MappingProxyType(
    {
        ObjectRemit: ("remit_objection", "the remit objection"),
        RequestReview: ("review_request", "the review request"),
        RequestReReview: ("rereview_request", "the re-review request"),
    }
)


def _check_window(
    case: Case,
    key: str,
    *,
    day: _dt.date,
    rulebook: Rulebook,
    calendar: WorkCalendar,
    what: str,
) -> None:
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
    (default: the mainland calendar). ``related`` supplies the earlier cases
    a repeat petition names (``repeat_of``): for finality (Art. 36 ¶3, at
    acceptance, forwarding and assignment) and, for a skip-level repeat, for
    the check that a higher body does not accept a matter still being
    handled within its limits (Art. 19 ¶3). Every refusal cites the
    rulebook in force. ``org``,
    ``interests`` and ``scope`` check chain changes (``AssignRole``,
    ``SetPlan``): role rules, recusal (Art. 28 ¶3) and accuser
    confidentiality (Art. 30 ¶3); a chain change without ``org`` is refused.
    Several changes to one case: :func:`apply_all` (the same checks, faster).
    """
    at = _instant(at)
    if case is not None and not isinstance(case, Case):
        raise TransitionError(
            f"not a case: {type(case).__name__}",
            path="case",
            rule="a case is the fold of its events",
        )
    seq = 1 if case is None else len(case.events) + 1
    event = Event(seq=seq, at=at, by=by, change=change)
    if case is None:
        return mutate(None, event), event
    check = _check_for(case.stage, change)
    if check is not None:
        ctx = _Context(
            rulebook=rulebook,
            calendar=calendar,
            related=related,
            org=org,
            interests=interests,
            scope=scope,
        )
        check(case, change, local_day(at), ctx)
    return mutate(case, event), event


def apply_all(
    case: Case | None,
    steps: Iterable[tuple[Change, _dt.datetime]],
    *,
    by: str = "system",
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    related: Mapping[str, Case] | None = None,
    org: Organization | None = None,
    interests: Iterable[Interest] = (),
    scope: AccusedScope | None = None,
) -> tuple[Case, tuple[Event, ...]]:
    """Apply several commands in order: the case after the last and the events recorded.

    Each ``(change, at)`` of ``steps`` goes through the same checks as
    :func:`apply` (the same code, on the case as of that change: the result
    is what calling :func:`apply` on each in turn gives), but the case is
    thawed once, folded on one working state (:class:`xinfang.case.Folding`)
    and frozen only when a check reads it and at the end. ``case=None``: the
    first change is the registration. A refusal is the error :func:`apply`
    raises for that change, with its position in ``steps`` as ``index``;
    nothing is recorded (the case passed in is a value: it is unchanged).
    """
    folding = Folding(case)
    ctx: _Context | None = None
    events: list[Event] = []
    for i, step in enumerate(steps):
        try:
            change, at = _pair(step)
            event = Event(seq=folding.next_seq, at=_instant(at), by=by, change=change)
            stage = folding.stage
            check = None if stage is None else _check_for(stage, change)
            if check is not None:
                if ctx is None:
                    ctx = _Context(
                        rulebook=rulebook,
                        calendar=calendar,
                        related=related,
                        org=org,
                        interests=interests,
                        scope=scope,
                    )
                check(folding.case(), change, local_day(event.at), ctx)
            folding.step(event)
        except XinfangError as exc:
            exc.index = i
            raise
        events.append(event)
    if not events and case is None:
        raise TransitionError("no changes to apply", path="steps", rule="a case starts registered")
    return folding.case(), tuple(events)


def _instant(at: _dt.datetime) -> _dt.datetime:
    """``at`` as an aware instant in Asia/Shanghai, or the error naming it."""
    try:
        return aware(at)
    except OverflowError:
        raise InvalidDataError([("at", f"{at!r} has no local time in Asia/Shanghai")]) from None


def _pair(step: object) -> tuple[Change, _dt.datetime]:
    if not isinstance(step, tuple) or len(step) != 2:
        raise InvalidDataError([("steps", f"each step is (change, at), got {quoted(step)}")])
    return step[0], step[1]


class _Context:
    """What the procedure's checks read besides the case and the change (defaults filled)."""

    __slots__ = ("cal", "interests", "org", "rb", "related", "scope")

    def __init__(
        self,
        *,
        rulebook: Rulebook | None,
        calendar: WorkCalendar | None,
        related: Mapping[str, Case] | None,
        org: Organization | None,
        interests: Iterable[Interest],
        scope: AccusedScope | None,
    ) -> None:
        self.rb = rulebook if rulebook is not None else bundled_rulebook()
        self.cal = calendar if calendar is not None else china_mainland()
        self.related = related
        self.org = org
        self.interests = tuple(interests)
        self.scope = scope if scope is not None else DEFAULT_SCOPE


# Each check: (the case as of the change, the change, the local day, the context) -> None.
def _window(case: Case, change: Change, day: _dt.date, ctx: _Context) -> None:
    key, what = _WINDOWS[type(change)]
    _check_window(case, key, day=day, rulebook=ctx.rb, calendar=ctx.cal, what=what)


def _extension(case: Case, change: Extend, day: _dt.date, ctx: _Context) -> None:
    _check_extension(case, change, day, ctx.rb, ctx.cal)


def _acceptance(case: Case, change: Accept, day: _dt.date, ctx: _Context) -> None:
    _check_finality(case, day, ctx.rb, ctx.cal, ctx.related, good_reason=change.good_reason)
    _check_being_handled(case, day, ctx.rb, ctx.cal, ctx.related)


def _forwarding(case: Case, change: Forward | Assign, day: _dt.date, ctx: _Context) -> None:
    _check_finality(case, day, ctx.rb, ctx.cal, ctx.related, good_reason=change.good_reason)
    if case.accused_units:
        check_forward(case, change.to_unit, ctx.org, scope=ctx.scope)


def _chain(case: Case, change: AssignRole | SetPlan, day: _dt.date, ctx: _Context) -> None:
    check_change(case, change, ctx.org, interests=ctx.interests, scope=ctx.scope)


_Check = Callable[[Case, Any, "_dt.date", _Context], None]

#: The procedure's check of each change class that has one (the others: the fold's rules).
_CHECKS: Final[Mapping[type[Any], _Check]] = types.MappingProxyType(
    {
        ObjectRemit: _window,
        RequestReview: _window,
        RequestReReview: _window,
        Extend: _extension,
        Accept: _acceptance,
        Forward: _forwarding,
        Assign: _forwarding,
        AssignRole: _chain,
        SetPlan: _chain,
    }
)


def _check_for(stage: Stage, change: Change) -> _Check | None:
    """The check :func:`apply` and :func:`apply_all` run for ``change`` in ``stage``, if any."""
    check = _CHECKS.get(type(change))
    allowed = ALLOWED_FROM.get(change.kind)
    # A kind with no row (a second registration) is refused by the fold, in its words; a
    # change not allowed in this stage too (checked before any window or cap).
    if check is None or allowed is None or stage not in allowed[0]:
        return None
    return check


def open_case(change: Register, at: _dt.datetime, *, by: str = "system") -> tuple[Case, Event]:
    """Register a new matter: ``apply(None, change, at, by=by)``."""
    return apply(None, change, at, by=by)


def _check_extension(
    case: Case, change: Extend, day: _dt.date, rb: Rulebook, cal: WorkCalendar
) -> None:
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


def _related(case: Case, related: Mapping[str, Case] | None, why: str, rule: str) -> list[Case]:
    """The earlier cases ``case`` repeats, from ``related``; refused when one is missing."""
    missing = [cid for cid in case.repeat_of if not related or cid not in related]
    if missing:
        raise TransitionError(
            f"case {case.id} repeats {missing} {why}; pass those cases as related= so "
            "it can be checked",
            path="related",
            rule=rule,
        )
    assert related is not None  # noqa: S101 - narrowed by the check above
    return [related[cid] for cid in case.repeat_of]


def _check_finality(
    case: Case,
    day: _dt.date,
    rb: Rulebook,
    cal: WorkCalendar,
    related: Mapping[str, Case] | None,
    *,
    good_reason: str,
) -> None:
    """不再受理 (guards ``finality``, ``finality_after_lapsed_window``), at every body."""
    if not (case.same_facts and case.repeat_of):
        return
    fin = rb.finality
    earlier = _related(case, related, "with the same facts and reasons", fin.final_citation)
    for old in earlier:
        if old.stage is Stage.FINAL:
            raise FinalityError(
                f"case {case.id}: the same facts and reasons as case {old.id}, which was "
                "re-reviewed (复核), are not accepted, forwarded or assigned again",
                path="accepted",
                rule=fin.final_citation,
            )
        if not fin.after_lapsed_window:
            continue
        if good_reason.strip() and fin.good_reason:
            continue  # 无正当理由 ... 不再受理: a recorded good reason lifts it
        if stage_as_of(old, day, rulebook=rb, calendar=cal) is Stage.FINAL:
            lifts = " unless a good reason (正当理由) is recorded" if fin.good_reason else ""
            raise FinalityError(
                f"case {case.id}: the same facts and reasons as case {old.id}, whose review "
                f"window lapsed unused, are not accepted again{lifts} (rulebook {rb.id!r}: "
                f"finality after a lapsed window, a {fin.source_kind or 'non-statutory'} "
                f"rule; {fin.source})",
                path="accepted",
                rule=fin.citation,
            )


#: The stages in which a matter is accepted or being handled, with the limit that bounds
#: that handling ("handling": the handling duty that applies).
_BEING_HANDLED: Final = types.MappingProxyType(
    {
        Stage.ACCEPTED: "handling",
        Stage.REVIEW_REQUESTED: "review_decision",
        Stage.REREVIEW_REQUESTED: "rereview_decision",
    }
)


def _check_being_handled(
    case: Case,
    day: _dt.date,
    rb: Rulebook,
    cal: WorkCalendar,
    related: Mapping[str, Case] | None,
) -> None:
    """Art. 19 ¶3 (guard ``being_handled``): a higher body does not accept a matter in hand.

    A skip-level repeat (``skip_level`` with ``repeat_of``: the host says the
    matter was brought above the body handling it) is refused while an
    earlier case it repeats is accepted or under review and its limit has not
    run out (在规定期限内); once that limit is past, or the earlier case was
    answered, the higher body may accept it. A matter with no limit (a
    suggestion, an accusation) is being handled until it is answered.
    """
    if not (case.skip_level and case.repeat_of):
        return
    rule = rb.finality.handled_citation
    for old in _related(case, related, "at a higher body", rule):
        key = _BEING_HANDLED.get(old.stage)
        if key is None:
            continue
        limit = handling_limit(old, rb) if key == "handling" else rb.get(key)
        clock = None
        if limit is not None and limit.applies(old.attributes):
            clock = limit_due(old, limit, rb, cal, as_of=day)
        if clock is None or day <= clock.due:
            within = f"its limit runs to {clock.due.isoformat()}" if clock else "it has no limit"
            raise TransitionError(
                f"case {case.id}: the same matter as case {old.id}, which is {old.stage.value} "
                f"and being handled ({within}), is not accepted by a higher body",
                path="accepted",
                rule=rule,
            )
