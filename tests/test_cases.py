"""Cases: the lifecycle by the 2022 regulation, its worked examples and its refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given

import xinfang as x
from xinfang import serialization
from xinfang.strategies import cases, resident_ids

from helpers import OPINION, accepted_on, clock, register, rereview_steps, run, t, vector_agrees

D = dt.date


class TestWorkedExamples:
    """信访工作条例 (2022) Arts. 34-36 counted on the mainland calendar."""

    def test_handling_due_2025_10_09(self) -> None:
        """Accepted 2025-08-08: 60 日 end 10-07, a National Day holiday → 2025-10-09 (Art. 34)."""
        case = accepted_on(t(2025, 8, 8))
        c = clock(case, "handling", D(2025, 8, 20))
        assert c.due == D(2025, 10, 9)
        assert c.status is x.ClockStatus.RUNNING
        assert "第三十四条" in c.citation
        assert "2025-10-07" in c.explain()

    def test_handling_with_a_thirty_day_extension(self) -> None:
        """The same case extended by 30 日 is due 2025-11-06 (90 days, a Thursday)."""
        case = accepted_on(t(2025, 8, 8))
        ext = x.changes.Extend(days=30, approved_by="局长 李四", reason="情况复杂")
        case, event = x.apply(case, ext, t(2025, 9, 30))
        c = clock(case, "handling", D(2025, 10, 1))
        assert (c.due, c.extended_days) == (D(2025, 11, 6), 30)
        assert event.kind == "extended"
        assert "延长30日" in c.explain()

    def test_rereview_hearing_time_is_not_counted(self) -> None:
        """A re-review with a 10-day hearing is due 10 days later than without (Art. 36 ¶2)."""
        base = run(
            *rereview_steps(),
        )
        without = clock(base, "rereview_decision", D(2025, 3, 16))
        assert without.due == D(2025, 4, 14)
        heard = run(
            *[(e.change, e.at) for e in base.events],
            (x.changes.StartHearing(note="听证会"), t(2025, 3, 20)),
            (x.changes.EndHearing(), t(2025, 3, 29)),  # 03-20 .. 03-29: ten hearing days
        )
        with_hearing = clock(heard, "rereview_decision", D(2025, 3, 31))
        assert with_hearing.paused_days == 10
        assert with_hearing.due == D(2025, 4, 24)
        assert (with_hearing.due - without.due).days == 10

    def test_running_hearing_pauses_the_rereview_clock(self) -> None:
        """While the hearing runs the clock shows PAUSED and its due date moves day by day."""
        case = run(
            *rereview_steps(),
            (x.changes.StartHearing(), t(2025, 3, 20)),
        )
        c = clock(case, "rereview_decision", D(2025, 3, 25))
        assert c.status is x.ClockStatus.PAUSED
        assert c.paused_days == 6  # 03-20 .. 03-25, both days counted

    def test_review_requested_31_days_after_the_reply_is_refused(self) -> None:
        """Review is only within 30 日 of receiving the written reply (Art. 35)."""
        case = run(
            (register(t(2025, 2, 3)), t(2025, 2, 3)),
            (x.changes.Accept(), t(2025, 2, 3)),
            (OPINION, t(2025, 3, 3)),
        )
        with pytest.raises(x.errors.WindowClosedError) as info:
            x.apply(case, x.changes.RequestReview(to_unit="省信访局"), t(2025, 4, 3))
        text = str(info.value)
        assert "2025-03-03 (excluded) .. 2025-04-02" in text
        assert "第三十五条" in text
        ok, _ = x.apply(case, x.changes.RequestReview(to_unit="省信访局"), t(2025, 4, 2, 23))
        assert ok.stage is x.vocabulary.Stage.REVIEW_REQUESTED

    def test_simplified_procedure_across_spring_festival_2026(self) -> None:
        """Simplified: the opinion is due 10 个工作日 after acceptance, across the 2026 festival."""
        rb = x.bundled_rulebook("simplified-2016")
        reg = register(t(2026, 2, 9), procedure=x.vocabulary.Procedure.SIMPLIFIED)
        case = run((reg, t(2026, 2, 9)), (x.changes.Accept(), t(2026, 2, 10)), rulebook=rb)
        c = clock(case, "simplified_handling", D(2026, 2, 11), rulebook=rb)
        # 02-11 .. 02-13, Sat 02-14 (make-up), 02-24 .. 02-27, Sat 02-28 (make-up), 03-02
        assert c.due == D(2026, 3, 2)
        keys = {k.key for k in x.clocks(case, as_of=D(2026, 2, 11), rulebook=rb)}
        assert "handling" not in keys  # the 60-day limit is for standard procedure
        assert clock(case, "acceptance_decision", D(2026, 2, 11), rulebook=rb).status is (
            x.ClockStatus.MET
        )


class TestRefusals:
    """Every disallowed command raises a XinfangError naming its rule and article."""

    def test_second_extension_and_too_long_extension(self) -> None:
        """Handling is extended at most once, by at most 30 日 (Art. 34)."""
        case = accepted_on(t(2025, 8, 8))
        with pytest.raises(x.TransitionError, match=r"exceeds the 30日.*第三十四条"):
            x.apply(
                case, x.changes.Extend(days=31, approved_by="局长", reason="复杂"), t(2025, 9, 1)
            )
        once, _ = x.apply(
            case, x.changes.Extend(days=10, approved_by="局长", reason="复杂"), t(2025, 9, 1)
        )
        with pytest.raises(x.TransitionError, match="1 time"):
            x.apply(
                once, x.changes.Extend(days=10, approved_by="局长", reason="复杂"), t(2025, 9, 2)
            )

    def test_extension_after_the_limit_ended(self) -> None:
        """An extension must be approved within the handling limit."""
        case = accepted_on(t(2025, 8, 8))
        with pytest.raises(x.errors.WindowClosedError, match="2025-10-09"):
            x.apply(
                case, x.changes.Extend(days=10, approved_by="局长", reason="复杂"), t(2025, 10, 10)
            )

    def test_zhejiang_extension_up_to_a_total_of_60(self) -> None:
        """A local rulebook: 30 日 to handle, extended by up to 30 日."""
        rb = x.bundled_rulebook("zhejiang-2016")
        case = run(
            (register(t(2025, 8, 8)), t(2025, 8, 8)),
            (x.changes.Accept(), t(2025, 8, 8)),
            rulebook=rb,
        )
        assert clock(case, "handling", D(2025, 8, 9), rulebook=rb).due == D(2025, 9, 8)
        ext = x.changes.Extend(days=30, approved_by="局长", reason="复杂")
        case, _ = x.apply(case, ext, t(2025, 9, 1), rulebook=rb)
        assert clock(case, "handling", D(2025, 9, 2), rulebook=rb).due == D(2025, 10, 9)

    def test_remit_objection_after_five_working_days(self) -> None:
        """A body objects within 5 个工作日 of receiving the forwarded matter (Art. 23 ¶3)."""
        case = run(
            (register(t(2026, 2, 9)), t(2026, 2, 9)),
            (x.changes.Forward(to_unit="区住建局"), t(2026, 2, 12)),
        )
        with pytest.raises(x.errors.WindowClosedError, match=r"2026-02-26.*第二十三条第三款"):
            x.apply(case, x.changes.ObjectRemit(reason="不属本单位职权"), t(2026, 2, 27))
        objected, _ = x.apply(case, x.changes.ObjectRemit(reason="不属本单位职权"), t(2026, 2, 26))
        assert objected.stage is x.vocabulary.Stage.OBJECTED

    def test_forwarded_matter_is_notified_within_15_days_of_its_receipt(self) -> None:
        """The receiving body tells the petitioner within 15 日 of receiving it (Art. 23 ¶3).

        Received 2025-03-03 and told the same week by the petition department,
        forwarded on 2025-03-05: the body's own notice is due 2025-03-20, and
        the notice before the forwarding does not count for it.
        """
        told_first = run(
            (register(t(2025, 3, 3)), t(2025, 3, 3)),
            (x.changes.Notify(), t(2025, 3, 4)),
            (x.changes.Forward(to_unit="区住建局"), t(2025, 3, 5)),
        )
        first = clock(told_first, "forwarded_notice", D(2025, 3, 21))
        assert (first.started_on, first.due, first.status) == (
            D(2025, 3, 5),
            D(2025, 3, 20),
            x.ClockStatus.OVERDUE,
        )
        assert "第二十三条第三款" in first.citation
        assert clock(told_first, "receipt_notice", D(2025, 3, 21)).met_on == D(2025, 3, 4)
        told, _ = x.apply(told_first, x.changes.Notify(), t(2025, 3, 18))
        met = clock(told, "forwarded_notice", D(2025, 3, 21))
        assert (met.status, met.met_on) == (x.ClockStatus.MET, D(2025, 3, 18))
        # Forwarded again: a new receipt, a new 15 days; the notice before it is spent.
        again, _ = x.apply(told, x.changes.Forward(to_unit="市住建局"), t(2025, 3, 19))
        fresh = clock(again, "forwarded_notice", D(2025, 3, 20))
        assert (fresh.started_on, fresh.due, fresh.status) == (
            D(2025, 3, 19),
            D(2025, 4, 3),
            x.ClockStatus.RUNNING,
        )
        objected, _ = x.apply(again, x.changes.ObjectRemit(reason="不属本单位职权"), t(2025, 3, 21))
        assert clock(objected, "forwarded_notice", D(2025, 4, 30)).status is x.ClockStatus.MET
        assert vector_agrees([told_first, told, again], D(2025, 3, 21))

    def test_a_same_day_reforwarding_is_answered_afresh(self) -> None:
        """A notice or objection earlier the same day answered the previous forwarding."""
        told = run(
            (register(t(2025, 3, 3)), t(2025, 3, 3)),
            (x.changes.Forward(to_unit="区住建局"), t(2025, 3, 4)),
            (x.changes.Notify(), t(2025, 3, 10, 9)),
            (x.changes.Forward(to_unit="市住建局"), t(2025, 3, 10, 16)),
        )
        assert told.on.forward_notified is None
        assert clock(told, "forwarded_notice", D(2025, 3, 26)).status is x.ClockStatus.OVERDUE
        again, _ = x.apply(told, x.changes.Notify(), t(2025, 3, 11))
        met = clock(again, "forwarded_notice", D(2025, 3, 26))
        assert (met.status, met.met_on) == (x.ClockStatus.MET, D(2025, 3, 11))
        objected = run(
            (register(t(2025, 3, 3)), t(2025, 3, 3)),
            (x.changes.Forward(to_unit="区住建局"), t(2025, 3, 4)),
            (x.changes.ObjectRemit(reason="不属本单位职权"), t(2025, 3, 10, 9)),
            (x.changes.Forward(to_unit="市住建局"), t(2025, 3, 10, 16)),
        )
        assert objected.on.remit_objected is None
        window = clock(objected, "remit_objection", D(2025, 3, 11))
        assert (window.started_on, window.status) == (D(2025, 3, 10), x.ClockStatus.RUNNING)
        assert x.replay(again.events) == again

    def test_litigation_is_declined_with_its_route_never_accepted(self) -> None:
        """诉访分离: litigation matters leave the petition system (Arts. 28 ¶2, 31(1))."""
        case = run((register(t(2025, 5, 6)), t(2025, 5, 6)))
        with pytest.raises(x.TransitionError, match="第二十八条第二款"):
            x.apply(case, x.changes.Accept(route=x.vocabulary.Route.LITIGATION), t(2025, 5, 7))
        decline = x.changes.Decline(
            reason="涉诉", route_told=x.vocabulary.Route.LITIGATION, body_told="区人民法院"
        )
        declined, _ = x.apply(case, decline, t(2025, 5, 7))
        assert (declined.stage, declined.route) == (
            x.vocabulary.Stage.DECLINED,
            x.vocabulary.Route.LITIGATION,
        )
        with pytest.raises(x.TransitionError, match="not allowed in stage 'declined'"):
            x.apply(declined, x.changes.Accept(), t(2025, 5, 8))

    def test_opinion_during_a_hearing_is_refused(self) -> None:
        """The hearing ends before the opinion is issued."""
        case = accepted_on(t(2025, 8, 8))
        case, _ = x.apply(case, x.changes.StartHearing(), t(2025, 8, 20))
        with pytest.raises(x.TransitionError, match="end the hearing first"):
            x.apply(case, OPINION, t(2025, 8, 25))

    def test_events_cannot_go_back_in_time(self) -> None:
        """Events are recorded in the order they happened."""
        case = accepted_on(t(2025, 8, 8, 15))
        with pytest.raises(x.TransitionError, match="before the previous one"):
            x.apply(case, x.changes.Notify(), t(2025, 8, 8, 10))

    def test_naive_instant_is_refused(self) -> None:
        """A command at a naive datetime raises NaiveDatetimeError."""
        case = accepted_on(t(2025, 8, 8))
        with pytest.raises(x.errors.NaiveDatetimeError):
            x.apply(case, x.changes.Notify(), dt.datetime(2025, 8, 9, 9))

    def test_settle_and_relapse(self) -> None:
        """停访息诉 is possible after acceptance only; a relapse follows a settlement."""
        case = run((register(t(2025, 5, 6)), t(2025, 5, 6)))
        with pytest.raises(x.TransitionError, match="after acceptance"):
            x.apply(case, x.changes.Settle(evidence="签字息诉承诺书"), t(2025, 5, 7))
        case, _ = x.apply(case, x.changes.Accept(), t(2025, 5, 7))
        with pytest.raises(x.TransitionError, match="only a settled case"):
            x.apply(case, x.changes.Relapse(), t(2025, 5, 8))
        case, _ = x.apply(case, x.changes.Settle(evidence="签字息诉承诺书"), t(2025, 5, 8))
        assert case.settled
        assert case.on.settled == D(2025, 5, 8)
        case, _ = x.apply(case, x.changes.Relapse(note="再次来访"), t(2025, 6, 1))
        assert not case.settled


class TestFinality:
    """信访工作条例 (2022) 第三十六条第三款: after re-review the same facts are not accepted."""

    def final_case(self) -> x.Case:
        return run(
            (register(t(2024, 1, 2), case_id="A"), t(2024, 1, 2)),
            (x.changes.Accept(), t(2024, 1, 2)),
            (OPINION, t(2024, 1, 20)),
            (x.changes.RequestReview(to_unit="省"), t(2024, 2, 1)),
            (
                x.changes.IssueReviewOpinion(
                    outcome=x.vocabulary.Outcome.NOT_SUPPORTED, basis="维持"
                ),
                t(2024, 2, 20),
            ),
            (x.changes.RequestReReview(to_unit="国"), t(2024, 3, 1)),
            (
                x.changes.IssueReReviewOpinion(
                    outcome=x.vocabulary.Outcome.NOT_SUPPORTED, basis="维持"
                ),
                t(2024, 3, 20),
            ),
        )

    def test_same_facts_after_rereview_are_refused(self) -> None:
        """A repeat with the same facts and reasons of a final case raises FinalityError."""
        earlier = self.final_case()
        assert earlier.stage is x.vocabulary.Stage.FINAL
        reg = register(t(2024, 6, 1), case_id="B", repeat_of=["A"], same_facts=True)
        new, _ = x.open_case(reg, t(2024, 6, 1))
        with pytest.raises(x.errors.FinalityError, match="第三十六条第三款"):
            x.apply(new, x.changes.Accept(), t(2024, 6, 2), related={"A": earlier})
        with pytest.raises(x.TransitionError, match="related="):
            x.apply(new, x.changes.Accept(), t(2024, 6, 2))

    def test_new_facts_are_accepted(self) -> None:
        """A repeat with new facts or reasons is a new matter."""
        earlier = self.final_case()
        reg = register(t(2024, 6, 1), case_id="B", repeat_of=["A"], same_facts=False)
        new, _ = x.open_case(reg, t(2024, 6, 1))
        accepted, _ = x.apply(new, x.changes.Accept(), t(2024, 6, 2), related={"A": earlier})
        assert accepted.stage is x.vocabulary.Stage.ACCEPTED

    def test_a_reply_whose_review_window_lapsed_is_final_as_of_later(self) -> None:
        """Nobody records it: as of the day after the window, a reply is final."""
        replied = run(
            (register(t(2025, 2, 3), case_id="A"), t(2025, 2, 3)),
            (x.changes.Accept(), t(2025, 2, 3)),
            (OPINION, t(2025, 3, 3)),
        )
        assert x.deadlines.stage_as_of(replied, D(2025, 4, 2)) is x.vocabulary.Stage.REPLIED
        assert x.deadlines.stage_as_of(replied, D(2025, 4, 3)) is x.vocabulary.Stage.FINAL
        assert clock(replied, "review_request", D(2025, 4, 3)).status is x.ClockStatus.LAPSED
        reg = register(t(2025, 5, 1), case_id="B", repeat_of=["A"], same_facts=True)
        new, _ = x.open_case(reg, t(2025, 5, 1))
        with pytest.raises(x.errors.FinalityError):
            x.apply(new, x.changes.Accept(), t(2025, 5, 2), related={"A": replied})


class TestClockStatuses:
    """Each status a clock can take, on one example each."""

    def test_due_soon_overdue_met_missed(self) -> None:
        """The receipt notice is due 15 日 after receipt; 3 working days before it is 'due soon'."""
        case = run((register(t(2025, 3, 3)), t(2025, 3, 3)))
        assert clock(case, "receipt_notice", D(2025, 3, 4)).status is x.ClockStatus.RUNNING
        soon = clock(case, "receipt_notice", D(2025, 3, 14))
        assert (soon.due, soon.status, soon.remaining_working_days) == (
            D(2025, 3, 18),
            x.ClockStatus.DUE_SOON,
            2,
        )
        late = clock(case, "receipt_notice", D(2025, 3, 20))
        assert (late.status, late.remaining_days) == (x.ClockStatus.OVERDUE, -2)
        met, _ = x.apply(case, x.changes.Notify(), t(2025, 3, 10))
        assert clock(met, "receipt_notice", D(2025, 4, 1)).status is x.ClockStatus.MET
        missed, _ = x.apply(case, x.changes.Notify(), t(2025, 3, 25))
        assert clock(missed, "receipt_notice", D(2025, 4, 1)).status is x.ClockStatus.MISSED

    def test_stopped_when_withdrawn_or_superseded(self) -> None:
        """Withdrawal stops open clocks; acceptance stops the remit-objection window."""
        case = run(
            (register(t(2025, 3, 3)), t(2025, 3, 3)),
            (x.changes.Forward(to_unit="区住建局"), t(2025, 3, 4)),
        )
        accepted, _ = x.apply(case, x.changes.Accept(), t(2025, 3, 5))
        assert clock(accepted, "remit_objection", D(2025, 4, 1)).status is x.ClockStatus.STOPPED
        gone, _ = x.apply(case, x.changes.Withdraw(reason="已自行解决"), t(2025, 3, 5))
        assert clock(gone, "receipt_notice", D(2025, 4, 1)).status is x.ClockStatus.STOPPED

    def test_made_moot_after_the_due_date_keeps_the_breach(self) -> None:
        """Withdrawn after the handling limit (due 2025-10-09) ran out: missed, not stopped."""
        case = accepted_on(t(2025, 8, 8))
        early, _ = x.apply(case, x.changes.Withdraw(reason="已自行解决"), t(2025, 10, 9))
        assert clock(early, "handling", D(2025, 12, 1)).status is x.ClockStatus.STOPPED
        late, _ = x.apply(case, x.changes.Withdraw(reason="已自行解决"), t(2025, 11, 1))
        missed = clock(late, "handling", D(2025, 12, 1))
        assert (missed.status, missed.met_on) == (x.ClockStatus.MISSED, None)
        assert "超期未办结即终止" in missed.explain()
        assert "never done" in missed.explain("en")
        # A window superseded after it closed stays lapsed.
        forwarded = run(
            (register(t(2025, 3, 3)), t(2025, 3, 3)),
            (x.changes.Forward(to_unit="区住建局"), t(2025, 3, 4)),
            (x.changes.Accept(), t(2025, 3, 20)),
        )
        window = clock(forwarded, "remit_objection", D(2025, 4, 1))
        assert (window.due, window.status) == (D(2025, 3, 11), x.ClockStatus.LAPSED)
        assert vector_agrees([early, late, forwarded], D(2025, 12, 1))

    def test_clocks_ignore_events_after_as_of(self) -> None:
        """Asked about a past date, clocks see the case as it stood then."""
        case = run(
            (register(t(2025, 3, 3)), t(2025, 3, 3)),
            (x.changes.Notify(), t(2025, 3, 25)),
        )
        assert clock(case, "receipt_notice", D(2025, 3, 20)).status is x.ClockStatus.OVERDUE
        with pytest.raises(x.XinfangError, match="not yet registered"):
            x.clocks(case, as_of=D(2025, 3, 1))

    def test_a_limit_into_2027_is_provisional_by_default(self) -> None:
        """Clocks past the published data are flagged provisional; strict=True refuses them."""
        case = accepted_on(t(2026, 11, 27))
        with pytest.raises(x.errors.CalendarRangeError):
            x.clocks(case, as_of=D(2026, 11, 28), calendar=x.china_mainland(strict=True))
        c = clock(case, "handling", D(2026, 11, 28))
        assert c.provisional
        assert c.due == D(2027, 1, 26)
        assert "暂定" in c.explain()
        assert "PROVISIONAL" in c.explain("en")

    def test_deadline_instant(self) -> None:
        """A clock's deadline is the end of its due day in Asia/Shanghai."""
        c = clock(accepted_on(t(2025, 8, 8)), "handling", D(2025, 8, 9))
        assert c.deadline.isoformat() == "2025-10-09T23:59:59.999999+08:00"


class TestPersonalData:
    """ID numbers and phones never appear whole in repr, str or default exports."""

    def test_masked_everywhere_by_default(self) -> None:
        """repr(case), str(id) and the default JSON are masked; the accessor reveals."""
        case = accepted_on(t(2025, 8, 8))
        person = case.petitioners[0]
        assert "11010519491231002X" not in repr(case)
        assert "13812345678" not in repr(case)
        assert str(person.id_number) == "110105********002X"
        assert "110105********002X" in repr(case)
        assert person.id_number is not None
        assert person.id_number.reveal() == "11010519491231002X"
        assert person.phone is not None
        assert str(person.phone) == "138****5678"
        default = serialization.to_json(case)
        assert "11010519491231002X" not in default
        assert "13812345678" not in default
        full = serialization.to_json(case, reveal_personal_data=True)
        assert "11010519491231002X" in full
        assert "13812345678" in full

    def test_masked_value_cannot_be_revealed(self) -> None:
        """A masked ID read back from a default export stays masked."""
        masked = x.personal.ResidentId("110105********002X")
        assert masked.is_masked
        with pytest.raises(x.XinfangError, match="masked"):
            masked.reveal()

    @pytest.mark.parametrize("bad", ["110105194912310021", "11010519491231002", "ABC"])
    def test_bad_id_numbers(self, bad: str) -> None:
        """A wrong check digit or shape is refused with the GB 11643 rule."""
        with pytest.raises(x.InvalidDataError, match="id_number"):
            x.personal.ResidentId(bad)

    @given(resident_ids())
    def test_generated_ids_validate_and_mask(self, rid: x.personal.ResidentId) -> None:
        """Every generated ID passes GB 11643 and masks to 6 + 8 stars + 4."""
        full = rid.reveal()
        masked = str(rid)
        assert masked[:6] == full[:6]
        assert masked[-4:] == full[-4:]
        assert masked[6:14] == "*" * 8
        assert x.personal.ResidentId(masked).masked() == rid.masked()


class TestModel:
    """Derived facts and flags of the case value."""

    def test_too_many_representatives_are_flagged(self) -> None:
        """More than 5 representatives of a group visit is flagged with Art. 20 (not refused)."""
        reg = register(
            t(2025, 5, 6),
            channel=x.vocabulary.Channel.VISIT,
            group_size=30,
            representatives=["甲", "乙", "丙", "丁", "戊", "己"],
        )
        case, _ = x.open_case(reg, t(2025, 5, 6))
        assert case.is_group_visit
        assert (
            "too_many_representatives",
            "信访工作条例 (2022) 第二十条第三款: 代表人数不得超过5人",
        ) in (case.flags)

    def test_register_rejects_bad_input_whole(self) -> None:
        """Every problem of a registration is listed at once."""
        with pytest.raises(x.InvalidDataError) as info:
            register(t(2025, 5, 6), petitioners=[], claims=[], group_size=0)
        paths = [p for p, _ in info.value.problems]
        assert paths == ["petitioners", "claims", "group_size"]

    @given(cases())
    def test_replay_rebuilds_the_same_case(self, case: x.Case) -> None:
        """A case is the fold of its events: replay(events) == case."""
        assert x.replay(case.events) == case
        assert [e.seq for e in case.events] == list(range(1, len(case.events) + 1))


def test_a_case_pickles_as_its_fields_and_loads_equal_in_another_process() -> None:
    """A case is plain data: every field is an init field, and a pickle loads equal elsewhere.

    (No derived rows, caches or process-local codes ride on a case.)
    """
    import pickle
    import subprocess
    import sys

    import attrs

    from helpers import accepted_on, t

    assert all(f.init for f in attrs.fields(x.Case))
    assert all(f.init for f in attrs.fields(x.case.Milestones))
    case = accepted_on(t(2025, 8, 8), receiving_unit="某县信访局")
    assert pickle.loads(pickle.dumps(case)) == case  # noqa: S301 - our own bytes
    script = (
        "import pickle, sys\n"
        "import xinfang\n"
        "case = pickle.loads(sys.stdin.buffer.read())\n"
        "assert xinfang.replay(case.events) == case\n"
        "print(xinfang.to_json(case))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        input=pickle.dumps(case),
        capture_output=True,
        check=True,
    )
    assert out.stdout.decode().strip() == x.to_json(case)
