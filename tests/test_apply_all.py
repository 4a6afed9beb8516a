"""procedure.apply_all: several commands on one working state, the same as apply one by one."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.case import Case, Folding
from xinfang.changes import Accept, AssignRole, Change, Event, RequestReview
from xinfang.errors import TransitionError, WindowClosedError, XinfangError
from xinfang.procedure import apply, apply_all
from xinfang.strategies import cases, changes, interests, organizations
from xinfang.vocabulary import Role

if TYPE_CHECKING:
    from xinfang.responsibility import Interest, Organization

from helpers import OPINION, register, rereview_steps, t

Steps = list[tuple[Change, dt.datetime]]
Outcome = tuple[Case, tuple[Event, ...]] | tuple[int, type[XinfangError], str]


def _one_by_one(case: Case | None, steps: Steps, **kw: Any) -> Outcome:
    """What apply gives on each step in turn: the case and events, or the first error."""
    events: list[Event] = []
    for i, (change, at) in enumerate(steps):
        try:
            case, event = apply(case, change, at, **kw)
        except XinfangError as exc:
            return i, type(exc), str(exc)
        events.append(event)
    assert case is not None
    return case, tuple(events)


def _batch(case: Case | None, steps: Steps, **kw: Any) -> Outcome:
    """What apply_all gives: the case and events, or the error with its index."""
    try:
        return apply_all(case, steps, **kw)
    except XinfangError as exc:
        return -1 if exc.index is None else exc.index, type(exc), str(exc)


@st.composite
def _scripts(draw: st.DrawFn) -> tuple[Organization, tuple[Interest, ...], Steps, int]:
    """A legal history with random commands slipped in (some refused, some out of order)."""
    org = draw(organizations(max_units=6))
    held = tuple(draw(st.lists(interests(org), max_size=2)))
    case = draw(cases(org=org, interests=held, max_steps=10))
    steps: Steps = [(e.change, e.at) for e in case.events]
    holders = st.sampled_from([o.id for o in org.officials] + [u.id for u in org.units])
    # a role of the organisation's people and units: the chain checks (post, recusal, secrecy)
    roles = st.builds(
        AssignRole, role=st.sampled_from(Role), holder=holders, reason=st.just("包案")
    )
    for _ in range(draw(st.integers(0, 3))):
        pos = draw(st.integers(1, len(steps)))
        minutes = draw(st.integers(-120, 60 * 24 * 60))
        change = draw(st.one_of(roles, roles, changes()))
        steps.insert(pos, (change, steps[pos - 1][1] + dt.timedelta(minutes=minutes)))
    return org, held, steps, draw(st.integers(0, len(steps)))


@given(_scripts())
def test_apply_all_is_apply_one_by_one(script: tuple[Any, ...]) -> None:
    """For any commands, apply_all gives apply's case and events, or its first error there."""
    org, held, steps, split = script
    kw: dict[str, Any] = {"by": "clerk-1", "org": org, "interests": held}
    assert _batch(None, steps, **kw) == _one_by_one(None, steps, **kw)
    before = _one_by_one(None, steps[:split], **kw) if split else None
    if before is not None and isinstance(before[0], Case):
        start = before[0]
        rest = steps[split:]
        expected = _one_by_one(start, rest, **kw)
        if not rest:
            assert apply_all(start, rest, **kw) == (start, ())
        else:
            assert _batch(start, rest, **kw) == expected


def test_review_request_out_of_window_refused_at_its_index_art_35() -> None:
    """Art. 35 ¶1: a review asked 31 days after the reply is refused at its index, nothing kept."""
    steps: Steps = [
        (register(t(2025, 1, 2)), t(2025, 1, 2)),
        (Accept(), t(2025, 1, 2)),
        (OPINION, t(2025, 1, 20)),
        (RequestReview(to_unit="省信访局"), t(2025, 2, 20)),
    ]
    with pytest.raises(WindowClosedError) as refused:
        apply_all(None, steps, by="clerk")
    assert refused.value.index == 3
    assert "review request" in str(refused.value)
    case, events = apply_all(None, steps[:3], by="clerk")
    assert [e.seq for e in events] == [1, 2, 3]
    with pytest.raises(WindowClosedError):
        apply_all(case, steps[3:], by="clerk")
    assert len(case.events) == 3  # the case passed in is a value: unchanged


def test_rereview_history_art_35_same_case_as_apply() -> None:
    """Art. 35: a reviewed and re-reviewed matter comes out of apply_all as out of apply."""
    steps = rereview_steps()
    assert apply_all(None, steps, by="clerk") == _one_by_one(None, steps, by="clerk")


def test_empty_steps() -> None:
    """No steps: the case itself back, or (no case) a refusal naming the registration."""
    case, _ = apply_all(None, rereview_steps()[:2])
    assert apply_all(case, []) == (case, ())
    with pytest.raises(TransitionError, match="no changes"):
        apply_all(None, [])


def test_a_step_that_is_not_a_pair_is_refused_with_its_index() -> None:
    """A step that is not (change, at) is an InvalidDataError at its index."""
    steps: list[Any] = [*rereview_steps()[:2], Accept()]
    with pytest.raises(XinfangError, match="each step is") as refused:
        apply_all(None, steps)
    assert refused.value.index == 2


def test_a_spent_folding_refuses_further_use() -> None:
    """A folding that refused an event is spent: it refuses another step and a case."""
    folding = Folding()
    reg = register(t(2025, 1, 2))
    folding.step(Event(seq=1, at=t(2025, 1, 2), by="clerk", change=reg))
    assert folding.next_seq == 2
    with pytest.raises(TransitionError):
        folding.step(Event(seq=3, at=t(2025, 1, 3), by="clerk", change=Accept()))
    with pytest.raises(TransitionError, match="refused an event"):
        folding.step(Event(seq=2, at=t(2025, 1, 3), by="clerk", change=Accept()))
    with pytest.raises(TransitionError, match="no case"):
        folding.case()
