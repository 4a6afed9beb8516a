"""Issue 20: the legal errors, each pinned by a worked example with its article."""

from __future__ import annotations

import datetime as dt

import pytest

import xinfang as x

from helpers import OPINION, register, rereview_steps, run, t

D = dt.date
PD = x.vocabulary.UnitKind.PETITION_DEPARTMENT
OTHER = x.vocabulary.UnitKind.OTHER
PL = x.vocabulary.UnitKind.POLITICAL_LEGAL
DI = x.vocabulary.UnitKind.DISCIPLINE_INSPECTION
RB2005 = "xinfang-2005"


def keys(case: x.Case, as_of: dt.date, **kw: object) -> dict[str, x.Clock]:
    """The clocks of ``case`` by limit key."""
    return {c.key: c for c in x.clocks(case, as_of=as_of, **kw)}  # type: ignore[arg-type]


# ------------------------------------------------------------ 1. accusations (Art. 30)
class TestAccusationRoute:
    """Art. 30: an accusation is accepted, handled and answered 依规依纪依法, not as an appeal."""

    def case(self) -> x.Case:
        """An accusation received and accepted on Mon 2025-03-03."""
        return run(
            (register(t(2025, 3, 3), category=x.vocabulary.Category.ACCUSATION), t(2025, 3, 3)),
            (x.changes.Accept(), t(2025, 3, 3)),
        )

    def test_accusation_is_accepted_on_its_own_route_art30(self) -> None:
        """Art. 30: Accept() puts an accusation on the accusation route, no Art. 34 clock."""
        case = self.case()
        assert case.route is x.vocabulary.Route.ACCUSATION
        assert "handling" not in keys(case, D(2025, 6, 30))

    def test_accusation_reply_has_no_review_window_art30_art35(self) -> None:
        """Arts. 30, 35: the answer to an accusation opens no 复查 window; a request is refused."""
        case, _ = x.apply(self.case(), OPINION, t(2025, 3, 20))
        assert "review_request" not in keys(case, D(2025, 6, 30))
        with pytest.raises(x.TransitionError, match="no review") as err:
            x.apply(case, x.changes.RequestReview(to_unit="省纪委"), t(2025, 3, 25))
        assert "第三十条" in err.value.rule

    def test_accusation_has_no_extension_art34(self) -> None:
        """Art. 34's extension belongs to the 60-day limit an accusation does not have."""
        with pytest.raises(x.TransitionError, match="allows no extension"):
            x.apply(
                self.case(),
                x.changes.Extend(days=10, approved_by="局长", reason="情况复杂"),
                t(2025, 4, 1),
            )

    def test_route_and_category_stay_together_art29_31(self) -> None:
        """Arts. 29-31: an appeal is not accepted on the accusation route, nor recast after it."""
        appeal = run((register(t(2025, 3, 3)), t(2025, 3, 3)))
        with pytest.raises(x.TransitionError, match="accusation route") as err:
            x.apply(appeal, x.changes.Accept(route=x.vocabulary.Route.ACCUSATION), t(2025, 3, 4))
        assert "第三十条" in err.value.rule
        accepted, _ = x.apply(appeal, x.changes.Accept(), t(2025, 3, 4))
        with pytest.raises(x.TransitionError, match="cannot become accusation"):
            x.apply(
                accepted,
                x.changes.Categorize(category=x.vocabulary.Category.ACCUSATION),
                t(2025, 3, 5),
            )


# ------------------------------------------------------------ 2. Art. 23 ¶4
class TestArticle23Paragraph4:
    """Art. 23 ¶4 exempts a body's notices by its kind *and* the matter's category."""

    def test_political_legal_body_owes_notice_on_a_suggestion_art23_4(self) -> None:
        """Art. 23 ¶2, ¶4: a suggestion to a 政法部门 on Mon 03-03: notice due Tue 03-18."""
        case = run(
            (
                register(
                    t(2025, 3, 3), receiving_unit_kind=PL, category=x.vocabulary.Category.SUGGESTION
                ),
                t(2025, 3, 3),
            )
        )
        notice = keys(case, D(2025, 3, 10))["receipt_notice"]
        assert notice.due == D(2025, 3, 18)  # 03-03 + 15 days, a Tuesday

    def test_forwarded_to_discipline_body_an_appeal_binds_art23_3_4(self) -> None:
        """Art. 23 ¶3-4: an appeal forwarded to a 纪检监察机关: notice and objection clocks run."""
        case = run(
            (register(t(2025, 3, 3), receiving_unit_kind=PD), t(2025, 3, 3)),
            (x.changes.Categorize(category=x.vocabulary.Category.APPEAL), t(2025, 3, 3)),
            (x.changes.Forward(to_unit="市纪委", to_unit_kind=DI), t(2025, 3, 4)),
        )
        found = keys(case, D(2025, 3, 5))
        assert found["forwarded_notice"].due == D(2025, 3, 19)  # 03-04 + 15 days
        assert found["remit_objection"].due == D(2025, 3, 11)  # 5 working days: 5,6,7,10,11

    def test_exemption_keeps_its_own_matters_art23_4(self) -> None:
        """Art. 23 ¶4: an accusation forwarded to a 纪检监察机关 has no Art. 23 ¶3 clocks."""
        case = run(
            (register(t(2025, 3, 3), receiving_unit_kind=PD), t(2025, 3, 3)),
            (x.changes.Categorize(category=x.vocabulary.Category.ACCUSATION), t(2025, 3, 3)),
            (x.changes.Forward(to_unit="市纪委", to_unit_kind=DI), t(2025, 3, 4)),
        )
        found = keys(case, D(2025, 3, 5))
        assert "forwarded_notice" not in found and "remit_objection" not in found


# ------------------------------------------------------------ 3. report back (Art. 22 (3))
class TestReportBackStops:
    """Art. 22 (3): the report-back duty ends where the assignment ends."""

    def assigned(self) -> list[tuple[x.Change, dt.datetime]]:
        """Assigned Wed 2025-03-05 to the 人社局, to report back by 04-30."""
        return [
            (register(t(2025, 3, 3), receiving_unit_kind=PD), t(2025, 3, 3)),
            (
                x.changes.Assign(
                    to_unit="市人社局", to_unit_kind=OTHER, report_back_by=D(2025, 4, 30)
                ),
                t(2025, 3, 5),
            ),
        ]

    def test_approved_objection_stops_report_back_art22_3_art23_3(self) -> None:
        """Arts. 22 (3), 23 ¶3: objection approved 03-10: the report back stops, not overdue."""
        case = run(
            *self.assigned(),
            (x.changes.ObjectRemit(reason="不属于本机关职权范围"), t(2025, 3, 7)),
            (x.changes.ApproveObjection(approved_by="市信访局"), t(2025, 3, 10)),
        )
        assert keys(case, D(2025, 6, 1))["report_back"].status is x.ClockStatus.STOPPED

    def test_decline_stops_report_back_art22_3(self) -> None:
        """Art. 22 (3): a matter declined on 03-06 owes no report back."""
        case = run(
            *self.assigned(),
            (
                x.changes.Decline(
                    reason="应通过诉讼解决",
                    route_told=x.vocabulary.Route.LITIGATION,
                    body_told="法院",
                ),
                t(2025, 3, 6),
            ),
        )
        assert keys(case, D(2025, 6, 1))["report_back"].status is x.ClockStatus.STOPPED

    def test_report_back_by_before_the_assignment_is_refused_art22_3(self) -> None:
        """Art. 22 (3): a report-back day (03-04) before the assignment (03-05) is refused."""
        case = run((register(t(2025, 3, 3)), t(2025, 3, 3)))
        with pytest.raises(x.TransitionError, match="before the assignment") as err:
            x.apply(
                case, x.changes.Assign(to_unit="U", report_back_by=D(2025, 3, 4)), t(2025, 3, 5)
            )
        assert "第二十二条第三项" in err.value.rule


# ------------------------------------------------------------ 4. the 2005 rulebook
class TestRulebook2005:
    """信访条例 (2005): Art. 33 for every accepted matter; its own finality article."""

    def test_2005_handling_binds_a_suggestion_art33(self) -> None:
        """2005 Art. 33: a suggestion accepted Mon 03-03: 60 days → Fri 05-02, a holiday → 05-06."""
        rb = x.bundled_rulebook(RB2005)
        case = run(
            (register(t(2025, 3, 3), category=x.vocabulary.Category.SUGGESTION), t(2025, 3, 3)),
            (x.changes.Accept(), t(2025, 3, 3)),
            rulebook=rb,
        )
        handling = keys(case, D(2025, 3, 10), rulebook=rb)["handling"]
        assert (handling.nominal, handling.due) == (D(2025, 5, 2), D(2025, 5, 6))
        assert "第三十三条" in handling.citation

    def test_2005_finality_cites_article_35_3(self) -> None:
        """2005 Art. 35 ¶3: the 不再受理 refusal cites the rulebook in force, not 2022."""
        final = run(*rereview_steps(), (OPINION_RE, t(2025, 4, 1)))
        repeat = run(
            (
                register(t(2025, 5, 6), case_id="XF-2", repeat_of=["XF-1"], same_facts=True),
                t(2025, 5, 6),
            )
        )
        with pytest.raises(x.errors.FinalityError) as err:
            x.apply(
                repeat,
                x.changes.Accept(),
                t(2025, 5, 7),
                rulebook=x.bundled_rulebook(RB2005),
                related={"XF-1": final},
            )
        assert err.value.rule == "信访条例 (2005) 第三十五条第三款"


OPINION_RE = x.changes.IssueReReviewOpinion(
    outcome=x.vocabulary.Outcome.NOT_SUPPORTED, basis="维持"
)


# ------------------------------------------------------------ 5. agreements (Art. 33)
class TestAgreements:
    """Art. 33: agreements are made while an appeal or demand (申诉求决类) is handled."""

    @pytest.mark.parametrize(
        "category", [x.vocabulary.Category.SUGGESTION, x.vocabulary.Category.ACCUSATION]
    )
    def test_no_agreement_outside_an_appeal_art33(self, category: x.vocabulary.Category) -> None:
        """Art. 33: a mediation agreement on a suggestion or an accusation is refused."""
        case = run(
            (register(t(2025, 3, 3), category=category), t(2025, 3, 3)),
            (x.changes.Accept(), t(2025, 3, 4)),
        )
        agreement = x.changes.RecordAgreement(
            form=x.vocabulary.AgreementKind.MEDIATION, summary="调解"
        )
        with pytest.raises(x.TransitionError, match="申诉求决类") as err:
            x.apply(case, agreement, t(2025, 3, 20))
        assert "第三十三条" in err.value.rule


# ------------------------------------------------------------ 6. Art. 22 at a lower department
def test_lower_petition_department_routes_in_15_days_art22() -> None:
    """Art. 22: a county 信访局 receiving a matter Tue 03-04 routes it by Wed 03-19 (03-04 + 15)."""
    case = run(
        (register(t(2025, 3, 3), receiving_unit_kind=PD), t(2025, 3, 3)),
        (x.changes.Forward(to_unit="县信访局", to_unit_kind=PD), t(2025, 3, 4)),
    )
    routing = keys(case, D(2025, 3, 20))["forwarded_routing"]
    assert (routing.started_on, routing.due) == (D(2025, 3, 4), D(2025, 3, 19))
    assert routing.status is x.ClockStatus.OVERDUE
    assert "第二十二条" in routing.citation


# ------------------------------------------------------------ 7. finality everywhere; Art. 19 ¶3
class TestRefusedAtEveryBody:
    """Art. 36 ¶3 at forwarding and assignment; Art. 19 ¶3 at a higher body."""

    def final(self) -> x.Case:
        """XF-1, re-reviewed (复核) on 2025-04-01."""
        return run(*rereview_steps(), (OPINION_RE, t(2025, 4, 1)))

    @pytest.mark.parametrize(
        "change",
        [
            x.changes.Forward(to_unit="区信访局"),
            x.changes.Assign(to_unit="区信访局", report_back_by=D(2025, 6, 30)),
        ],
    )
    def test_final_matter_is_not_forwarded_again_art36_3(self, change: x.Change) -> None:
        """Art. 36 ¶3: 各级党委和政府信访部门和其他机关、单位不再受理: forwarding refused too."""
        repeat = run(
            (
                register(t(2025, 5, 6), case_id="XF-2", repeat_of=["XF-1"], same_facts=True),
                t(2025, 5, 6),
            )
        )
        with pytest.raises(x.errors.FinalityError) as err:
            x.apply(repeat, change, t(2025, 5, 7), related={"XF-1": self.final()})
        assert err.value.rule == "信访工作条例 (2022) 第三十六条第三款"

    def skip_level_repeat(self) -> x.Case:
        """XF-2: the same matter as XF-1, brought to the 省信访局 above it on 2025-03-20."""
        return run(
            (
                register(
                    t(2025, 3, 20),
                    case_id="XF-2",
                    receiving_unit="省信访局",
                    repeat_of=["XF-1"],
                    skip_level=True,
                ),
                t(2025, 3, 20),
            )
        )

    def test_higher_body_does_not_accept_a_matter_in_hand_art19_3(self) -> None:
        """Art. 19 ¶3: XF-1 accepted 03-03 (limit to 05-06): the 省 body refuses XF-2 on 03-21."""
        earlier = run((register(t(2025, 3, 3)), t(2025, 3, 3)), (x.changes.Accept(), t(2025, 3, 3)))
        with pytest.raises(x.TransitionError, match="being handled") as err:
            x.apply(
                self.skip_level_repeat(),
                x.changes.Accept(),
                t(2025, 3, 21),
                related={"XF-1": earlier},
            )
        assert err.value.rule == "信访工作条例 (2022) 第十九条第三款"
        with pytest.raises(x.TransitionError, match="related="):
            x.apply(self.skip_level_repeat(), x.changes.Accept(), t(2025, 3, 21))

    def test_higher_body_may_accept_once_the_limit_ran_out_art19_3(self) -> None:
        """Art. 19 ¶3 (在规定期限内): after XF-1's limit (05-06) ran out, 05-07 is accepted."""
        earlier = run((register(t(2025, 3, 3)), t(2025, 3, 3)), (x.changes.Accept(), t(2025, 3, 3)))
        case, _ = x.apply(
            self.skip_level_repeat(), x.changes.Accept(), t(2025, 5, 7), related={"XF-1": earlier}
        )
        assert case.stage is x.vocabulary.Stage.ACCEPTED


# ------------------------------------------------------------ 8. lapsed window, good reason
class TestLapsedWindowFinality:
    """The lapsed-window finality: a ministerial rule, lifted by a good reason (正当理由)."""

    def replied(self) -> x.Case:
        """XF-1 replied Mon 2025-01-20: the review window ran to Wed 02-19 and lapsed."""
        return run(
            (register(t(2025, 1, 2)), t(2025, 1, 2)),
            (x.changes.Accept(), t(2025, 1, 2)),
            (OPINION, t(2025, 1, 20)),
        )

    def repeat(self) -> x.Case:
        """XF-2: the same facts and reasons, 2025-03-10."""
        return run(
            (
                register(t(2025, 3, 10), case_id="XF-2", repeat_of=["XF-1"], same_facts=True),
                t(2025, 3, 10),
            )
        )

    def test_source_is_explicit_in_the_rulebook(self) -> None:
        """The rule's source is data: a ministerial rule (国家信访局 2014), not the regulation."""
        fin = x.bundled_rulebook().finality
        assert (fin.source_kind, fin.good_reason) == ("ministerial", True)
        assert "无正当理由" in fin.citation

    def test_good_reason_lifts_lapsed_window_finality(self) -> None:
        """无正当理由...不再受理: refused without a good reason, accepted with one recorded."""
        related = {"XF-1": self.replied()}
        with pytest.raises(x.errors.FinalityError, match="good reason") as err:
            x.apply(self.repeat(), x.changes.Accept(), t(2025, 3, 11), related=related)
        assert err.value.rule == x.bundled_rulebook().finality.citation
        case, event = x.apply(
            self.repeat(),
            x.changes.Accept(good_reason="因病住院，未能按期请求复查"),
            t(2025, 3, 11),
            related=related,
        )
        assert case.stage is x.vocabulary.Stage.ACCEPTED
        assert isinstance(event.change, x.changes.Accept) and event.change.good_reason

    def test_good_reason_does_not_lift_a_rereview_art36_3(self) -> None:
        """Art. 36 ¶3: a re-reviewed matter stays final whatever reason is given."""
        final = run(*rereview_steps(), (OPINION_RE, t(2025, 4, 1)))
        with pytest.raises(x.errors.FinalityError):
            x.apply(
                self.repeat(),
                x.changes.Accept(good_reason="有新证据"),
                t(2025, 5, 7),
                related={"XF-1": final},
            )
