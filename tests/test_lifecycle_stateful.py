"""A state machine drives random commands at random times through the 2022 lifecycle."""

from __future__ import annotations

import datetime as dt

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import xinfang as x
from xinfang.case import ALLOWED_FROM
from xinfang.instants import SHANGHAI
from xinfang.strategies import changes, instants, registrations

RB = x.bundled_rulebook()
CAL = x.china_mainland()
LAST = dt.datetime(2026, 6, 30, tzinfo=SHANGHAI)

# Commands that move the procedure forward are drawn more often than exits.
PROGRESS = dict.fromkeys(
    [
        "accepted",
        "opinion_issued",
        "review_requested",
        "review_opinion_issued",
        "rereview_requested",
        "rereview_opinion_issued",
        "hearing_started",
        "hearing_ended",
        "extended",
    ],
    6,
)
# The milestone each recorded stage requires (no illegal state is reachable).
REQUIRES = {
    x.vocabulary.Stage.ACCEPTED: ("accepted",),
    x.vocabulary.Stage.REPLIED: ("accepted", "opinion_issued"),
    x.vocabulary.Stage.REVIEW_REQUESTED: ("opinion_issued", "review_requested"),
    x.vocabulary.Stage.REVIEWED: ("review_requested", "review_opinion_issued"),
    x.vocabulary.Stage.REREVIEW_REQUESTED: ("review_opinion_issued", "rereview_requested"),
    x.vocabulary.Stage.DECLINED: ("declined",),
    x.vocabulary.Stage.WITHDRAWN: ("withdrawn",),
    x.vocabulary.Stage.OBJECTED: ("remit_objected",),
    x.vocabulary.Stage.FORWARDED: ("forwarded",),
    x.vocabulary.Stage.ASSIGNED: ("assigned",),
}


class Lifecycle(RuleBasedStateMachine):
    """Random commands at random times: refusals are clean, accepted ones keep every invariant."""

    case: x.Case
    now: dt.datetime
    #: The rulebook the machine runs under (one test class per bundled rulebook below).
    rb: x.Rulebook = RB

    @initialize(reg=registrations(at=instants(dt.date(2021, 1, 1), dt.date(2024, 12, 31))))
    def register(self, reg: x.changes.Register) -> None:
        self.now = reg.received_at
        self.case, _ = x.open_case(reg, self.now, by="clerk")

    @rule(days=st.sampled_from([0, 1, 2, 3, 7, 14, 29, 31, 45]), minutes=st.integers(0, 24 * 60))
    def wait(self, days: int, minutes: int) -> None:
        later = self.now + dt.timedelta(days=days, minutes=minutes)
        if later <= LAST:
            self.now = later

    @rule(change=changes())
    def any_command(self, change: x.Change) -> None:
        """Any command, allowed or not."""
        self._apply(change)

    @rule(data=st.data())
    def allowed_command(self, data: st.DataObject) -> None:
        """A command the stage graph allows (it may still be refused for time)."""
        kinds = [
            k
            for k, (stages, _) in sorted(ALLOWED_FROM.items())
            if self.case.stage in stages
            for _ in range(PROGRESS.get(k, 1))
        ]
        if kinds:
            self._apply(data.draw(changes([data.draw(st.sampled_from(kinds))])))

    def _apply(self, change: x.Change) -> None:
        before = self.case
        try:
            self.case, event = x.apply(
                before, change, self.now, by="clerk", rulebook=self.rb, calendar=CAL
            )
        except x.TransitionError as exc:
            refusal: x.TransitionError | None = exc
        else:
            refusal = None
        if refusal is not None:
            assert refusal.rule, "every refusal names its rule"
            assert self.case is before
            return
        assert event.change == change
        assert event.seq == len(before.events) + 1
        assert self.case.events[:-1] == before.events

    @invariant()
    def replays_to_itself(self) -> None:
        """replay(events) == case."""
        assert x.replay(self.case.events) == self.case

    @invariant()
    def stage_matches_its_milestones(self) -> None:
        """No illegal state: each stage has the milestones that lead to it."""
        on = self.case.on
        for name in REQUIRES.get(self.case.stage, ()):
            assert getattr(on, name) is not None, (self.case.stage, name)
        if self.case.stage is x.vocabulary.Stage.FINAL:
            assert on.rereview_opinion_issued is not None
        if self.case.settled:
            assert on.accepted is not None

    @invariant()
    def extension_rules(self) -> None:
        """At most one extension, of at most 30 days (Art. 34)."""
        assert self.case.extensions <= 1
        assert self.case.extension_days <= 30

    @invariant()
    def review_only_inside_its_window(self) -> None:
        """A recorded review request lies within 30 日 of the reply, rolled (Art. 35)."""
        on = self.case.on
        if on.review_requested is not None:
            assert on.opinion_delivered is not None
            window = x.due_date(
                on.opinion_delivered, self.rb["review_request"].period, CAL, self.rb.counting
            )
            assert on.review_requested <= window.last_day
        if on.rereview_requested is not None:
            assert on.review_delivered is not None
            window = x.due_date(
                on.review_delivered, self.rb["rereview_request"].period, CAL, self.rb.counting
            )
            assert on.rereview_requested <= window.last_day

    @invariant()
    def clocks_agree_with_the_transitions(self) -> None:
        """Due dates never precede their start; statuses follow the recorded events."""
        case = self.case
        today = self.now.date()
        by_key = {c.key: c for c in x.clocks(case, as_of=today, rulebook=self.rb, calendar=CAL)}
        for c in by_key.values():
            if self.rb[c.key].due_on:
                # Changed with issue #11: a report-back day (Art. 22 (3)) is the day the
                # assigning body set, not a counted period: not rolled, any day.
                assert c.due == c.nominal == case.on.report_back_due
                continue
            assert c.due >= c.started_on
            assert c.due >= c.nominal
            assert CAL.is_working_day(c.due) or not self.rb.counting.roll_forward
            if c.status.is_open:
                assert c.met_on is None
        if case.stage is x.vocabulary.Stage.WITHDRAWN:
            assert not any(c.status.is_open for c in by_key.values())
        handling = by_key.get("handling")
        if case.on.opinion_issued is not None and handling is not None:
            assert handling.status in {x.ClockStatus.MET, x.ClockStatus.MISSED}
        if (
            case.stage is x.vocabulary.Stage.ACCEPTED
            and case.route is x.vocabulary.Route.ORDINARY
            and handling is not None
            # Changed with issue #11: an Art. 33 agreement meets the handling duty and
            # a settlement (停访息诉) makes it moot, so either may close it.
            and case.on.agreement_recorded is None
            and case.on.settled is None
        ):
            assert handling.status.is_open
            assert (handling.status is x.ClockStatus.OVERDUE) == (today > handling.due)
        review = by_key.get("review_request")
        if (
            review is not None
            and x.deadlines.stage_as_of(case, today, rulebook=self.rb, calendar=CAL)
            is x.vocabulary.Stage.FINAL
        ):
            assert not review.status.is_open


TestLifecycle = Lifecycle.TestCase
TestLifecycle.settings = settings(stateful_step_count=60)


def _under(rulebook_id: str) -> type[Lifecycle]:
    """The same machine under another bundled rulebook (issue #11: every one is held)."""
    return type(f"Lifecycle_{rulebook_id}", (Lifecycle,), {"rb": x.bundled_rulebook(rulebook_id)})


TestLifecycle2005 = _under("xinfang-2005").TestCase
TestLifecycle2005.settings = settings(stateful_step_count=40)
TestLifecycleSimplified = _under("simplified-2016").TestCase
TestLifecycleSimplified.settings = settings(stateful_step_count=40)
TestLifecycleZhejiang = _under("zhejiang-2016").TestCase
TestLifecycleZhejiang.settings = settings(stateful_step_count=40)
