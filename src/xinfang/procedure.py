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
from typing import TYPE_CHECKING, Any, Final

from xinfang.calendar import china_mainland
from xinfang.case import ALLOWED_FROM, Case, mutate
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
from xinfang.errors import FinalityError, InvalidDataError, TransitionError, WindowClosedError
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

__all__ = ["apply", "open_case"]

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
    """
    try:
        at = aware(at)
    except OverflowError:
        raise InvalidDataError([("at", f"{at!r} has no local time in Asia/Shanghai")]) from None
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
    rb = rulebook if rulebook is not None else bundled_rulebook()
    cal = calendar if calendar is not None else china_mainland()
    day = local_day(at)
    allowed = ALLOWED_FROM.get(change.kind)
    # A kind with no row (a second registration) is refused by the fold below, in its words.
    if allowed is not None and case.stage in allowed[0]:
        window = _WINDOWS.get(type(change))
        if window is not None:
            key, what = window
            _check_window(case, key, day=day, rulebook=rb, calendar=cal, what=what)
        elif isinstance(change, Extend):
            _check_extension(case, change, day, rb, cal)
        elif isinstance(change, Accept):
            _check_finality(case, day, rb, cal, related, good_reason=change.good_reason)
            _check_being_handled(case, day, rb, cal, related)
        elif isinstance(change, Forward | Assign):
            _check_finality(case, day, rb, cal, related, good_reason=change.good_reason)
            if case.accused_units:
                check_forward(
                    case, change.to_unit, org, scope=scope if scope is not None else DEFAULT_SCOPE
                )
        elif isinstance(change, AssignRole | SetPlan):
            check_change(
                case,
                change,
                org,
                interests=interests,
                scope=scope if scope is not None else DEFAULT_SCOPE,
            )
    return mutate(case, event), event


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
