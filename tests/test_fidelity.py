"""Legal fidelity (issue #11): whom each limit binds, suggestions, report-back, receipt, finality.

Each worked example cites its article; the dates are counted by hand in the
comments (start day not counted, 民法典 Art. 201; a last day on a rest day
rolls to the next working day, Art. 203).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from xinfang import strategies as xs

from helpers import OPINION, register, run, t

D = dt.date
PD = x.vocabulary.UnitKind.PETITION_DEPARTMENT
OTHER = x.vocabulary.UnitKind.OTHER


def keys(case: x.Case, as_of: dt.date, **kw: object) -> dict[str, x.Clock]:
    """The case's clocks by key."""
    return {c.key: c for c in x.clocks(case, as_of=as_of, **kw)}  # type: ignore[arg-type]


# ------------------------------------------------------------ unit kinds
class TestUnitKinds:
    """Units have a kind; the organisation file says which (Arts. 22-23)."""

    def test_default_kind_is_other_and_not_inherited(self) -> None:
        """A unit is 其他机关、单位 unless the file says otherwise; a child keeps its own kind."""
        org = x.Organization(
            levels=["province", "city"],
            units=[
                x.responsibility.Unit(id="P", name="省信访局", level="province", kind=PD),
                x.responsibility.Unit(id="C", name="市人社局", level="city", parent="P"),
            ],
        )
        assert org.unit_kind("P") is PD
        assert org.unit_kind("C") is OTHER
        assert org.unit_kind("nowhere") is None

    def test_unknown_kind_is_refused_at_load(self) -> None:
        """A kind the library does not know is an error naming the unit."""
        with pytest.raises(x.XinfangError) as err:
            x.from_dict(
                {
                    "levels": ["province"],
                    "units": [{"id": "P", "name": "省", "level": "province", "kind": "bank"}],
                },
                x.Organization,
            )
        assert "kind" in str(err.value)

    def test_binds_is_validated_at_load(self) -> None:
        """A rulebook limit's binds names known unit kinds only."""
        with pytest.raises(x.errors.RulebookError) as err:
            x.load_rulebook(
                {
                    "id": "bad",
                    "title": "t",
                    "version": "1",
                    "limits": {
                        "routing": {
                            "title": "转送",
                            "period": "15日",
                            "starts": "received",
                            "ends": ["forwarded"],
                            "binds": ["bank"],
                            "citation": "x",
                        }
                    },
                }
            )
        assert err.value.path == "limits.routing.binds[0]"

    def test_bundled_binds(self) -> None:
        """Art. 22 binds petition departments; Art. 23 ¶2-3 binds other bodies (¶4 exempts)."""
        rb = x.bundled_rulebook("xinfang-2022")
        assert rb["routing"].binds == {PD}
        # Changed with issue 20: political-legal and discipline inspection bodies are
        # other bodies too; Art. 23 ¶4 exempts them only by category (``exempt``).
        others = {
            OTHER,
            x.vocabulary.UnitKind.POLITICAL_LEGAL,
            x.vocabulary.UnitKind.DISCIPLINE_INSPECTION,
        }
        assert rb["receipt_notice"].binds == others
        assert rb["forwarded_notice"].binds == others
        assert rb["remit_objection"].binds == others
        assert rb["receipt_notice"].waived_if_identity_unclear
        old = x.bundled_rulebook("xinfang-2005")
        assert old["routing"].binds == {PD}
        assert old["forwarded_notice"].starts == "forwarded"
        assert "第二十一条第二款" in old["forwarded_notice"].citation


# ------------------------------------------------------------ the fold
class TestForwardedReceipt:
    """Art. 23 ¶3: the receiving body counts from its own receipt (自收到之日起)."""

    def test_receipt_moves_the_start(self) -> None:
        """Forwarded 2025-03-03, received 2025-03-10: last_forwarded is the receipt."""
        case = run(
            (register(t(2025, 3, 1), receiving_unit_kind=PD), t(2025, 3, 1)),
            (x.changes.Forward(to_unit="市人社局", to_unit_kind=OTHER), t(2025, 3, 3)),
            (x.changes.ReceiveForwarded(), t(2025, 3, 10)),
        )
        assert case.on.forwarded == D(2025, 3, 3)
        assert case.on.forward_received == D(2025, 3, 10)
        assert case.on.last_forwarded == D(2025, 3, 10)
        assert case.forwarded_unit_kind is OTHER
        assert case.receiving_unit_kind is PD

    def test_receipt_once_and_before_the_answer(self) -> None:
        """A receipt is recorded once per forwarding, before the notice or objection."""
        case = run(
            (register(t(2025, 3, 1)), t(2025, 3, 1)),
            (x.changes.Forward(to_unit="市人社局"), t(2025, 3, 3)),
            (x.changes.ReceiveForwarded(), t(2025, 3, 4)),
        )
        with pytest.raises(x.TransitionError, match="already recorded"):
            x.apply(case, x.changes.ReceiveForwarded(), t(2025, 3, 5))
        notified, _ = x.apply(
            run(
                (register(t(2025, 3, 1)), t(2025, 3, 1)),
                (x.changes.Forward(to_unit="U"), t(2025, 3, 3)),
            ),
            x.changes.Notify(),
            t(2025, 3, 4),
        )
        with pytest.raises(x.TransitionError, match="before the receiving body"):
            x.apply(notified, x.changes.ReceiveForwarded(), t(2025, 3, 5))

    def test_objection_approved_then_materials_returned(self) -> None:
        """Art. 23 ¶3: 经...核实同意后，交还相关材料; then the sender routes it again."""
        case = run(
            (register(t(2025, 3, 1), receiving_unit_kind=PD), t(2025, 3, 1)),
            (x.changes.Forward(to_unit="市人社局", to_unit_kind=OTHER), t(2025, 3, 3)),
            (x.changes.ReceiveForwarded(), t(2025, 3, 4)),
            (x.changes.ObjectRemit(reason="不属于本机关职权范围"), t(2025, 3, 6)),
        )
        with pytest.raises(x.TransitionError, match="only after the sending body approves"):
            x.apply(case, x.changes.ReturnMaterials(to_unit="市信访局"), t(2025, 3, 7))
        case, _ = x.apply(case, x.changes.ApproveObjection(approved_by="市信访局"), t(2025, 3, 7))
        case, _ = x.apply(
            case, x.changes.ReturnMaterials(to_unit="市信访局", to_unit_kind=PD), t(2025, 3, 8)
        )
        assert case.on.objection_approved == D(2025, 3, 7)
        assert case.on.materials_returned == D(2025, 3, 8)
        assert (case.handling_unit, case.handling_unit_kind) == ("市信访局", PD)
        case, _ = x.apply(
            case, x.changes.Forward(to_unit="市住建局", to_unit_kind=OTHER), t(2025, 3, 9)
        )
        assert case.on.objection_approved is None and case.on.remit_objected is None


class TestSuggestions:
    """Art. 29: a suggestion is studied and replied to; no 60日 limit, no review."""

    def test_accept_puts_a_suggestion_on_the_suggestion_route(self) -> None:
        """Accept() on a suggestion records Route.SUGGESTION; on anything else ORDINARY."""
        sugg = run(
            (register(t(2025, 3, 3), category=x.vocabulary.Category.SUGGESTION), t(2025, 3, 3)),
            (x.changes.Accept(), t(2025, 3, 4)),
        )
        assert sugg.route is x.vocabulary.Route.SUGGESTION
        plain = run((register(t(2025, 3, 3)), t(2025, 3, 3)), (x.changes.Accept(), t(2025, 3, 4)))
        assert plain.route is x.vocabulary.Route.ORDINARY

    def test_mismatched_routes_are_refused(self) -> None:
        """Suggestions go on the suggestion route only, and only suggestions do (Art. 29)."""
        sugg = run(
            (register(t(2025, 3, 3), category=x.vocabulary.Category.SUGGESTION), t(2025, 3, 3))
        )
        with pytest.raises(x.TransitionError, match="第二十九条"):
            x.apply(sugg, x.changes.Accept(route=x.vocabulary.Route.ORDINARY), t(2025, 3, 4))
        appeal = run(
            (register(t(2025, 3, 3), category=x.vocabulary.Category.APPEAL), t(2025, 3, 3))
        )
        with pytest.raises(x.TransitionError, match="第二十九条"):
            x.apply(appeal, x.changes.Accept(route=x.vocabulary.Route.SUGGESTION), t(2025, 3, 4))

    def test_no_review_of_a_suggestion_reply(self) -> None:
        """Art. 29 with Art. 35: the reply to a suggestion has no review route."""
        case = run(
            (register(t(2025, 3, 3), category=x.vocabulary.Category.SUGGESTION), t(2025, 3, 3)),
            (x.changes.Accept(), t(2025, 3, 4)),
            (OPINION, t(2025, 3, 20)),
        )
        with pytest.raises(x.TransitionError, match="no review"):
            x.apply(case, x.changes.RequestReview(to_unit="省信访局"), t(2025, 3, 25))


class TestReportBack:
    """Art. 22 (3): 交办 with a deadline; the receiver hands in an 办结报告."""

    def test_report_back_is_recorded(self) -> None:
        """Assign sets report_back_due; ReportBack records the report."""
        case = run(
            (register(t(2025, 3, 3), receiving_unit_kind=PD), t(2025, 3, 3)),
            (x.changes.Assign(to_unit="市人社局", report_back_by=D(2025, 4, 30)), t(2025, 3, 5)),
            (x.changes.Accept(), t(2025, 3, 7)),
            (x.changes.ReportBack(summary="已办结"), t(2025, 4, 20)),
        )
        assert case.on.report_back_due == D(2025, 4, 30)
        assert case.on.reported_back == D(2025, 4, 20)

    def test_only_an_assigned_matter_reports_back(self) -> None:
        """A forwarded (not assigned) matter has no report-back."""
        case = run(
            (register(t(2025, 3, 3)), t(2025, 3, 3)),
            (x.changes.Forward(to_unit="U"), t(2025, 3, 4)),
            (x.changes.Accept(), t(2025, 3, 5)),
        )
        with pytest.raises(x.TransitionError, match="第二十二条第三项"):
            x.apply(case, x.changes.ReportBack(summary="已办结"), t(2025, 3, 6))


class TestAgreements:
    """Art. 33: a mediation or reconciliation agreement is an event of its own."""

    def test_agreement_is_recorded(self) -> None:
        """调解协议书 on 2025-03-20 is the agreement milestone."""
        case = run(
            (register(t(2025, 3, 3)), t(2025, 3, 3)),
            (x.changes.Accept(), t(2025, 3, 4)),
            (
                x.changes.RecordAgreement(
                    form=x.vocabulary.AgreementKind.MEDIATION, summary="双方同意分期退还"
                ),
                t(2025, 3, 20),
            ),
        )
        assert case.on.agreement_recorded == D(2025, 3, 20)


class TestOnTheSpotNotice:
    """Art. 23 ¶2: 能够当场告知的，应当当场书面告知."""

    def test_on_the_spot_notice_is_a_notice_on_the_day_of_receipt(self) -> None:
        """Registered with notified_on_the_spot: notified on the day received."""
        case = run((register(t(2025, 3, 3), notified_on_the_spot=True), t(2025, 3, 3)))
        assert case.on.notified == D(2025, 3, 3)


# ------------------------------------------------------------ classification
class TestTypedFacts:
    """Facts are typed: enums and their codes classify the same."""

    def test_enum_facts_are_read(self) -> None:
        """Art. 29 / Art. 30: the enum members are understood, not silently misread."""
        c = x.classify(x.CaseFacts(category=x.vocabulary.Category.SUGGESTION))
        assert (c.category, c.route) == (
            x.vocabulary.Category.SUGGESTION,
            x.vocabulary.Route.SUGGESTION,
        )
        c = x.classify(x.CaseFacts(category=x.vocabulary.Category.ACCUSATION))
        assert (c.category, c.route) == (
            x.vocabulary.Category.ACCUSATION,
            x.vocabulary.Route.DISCIPLINE_INSPECTION,
        )
        c = x.classify(x.CaseFacts(legal_channel=x.vocabulary.Route.ARBITRATION))
        assert c.route is x.vocabulary.Route.ARBITRATION

    def test_unknown_codes_and_wrong_types_are_refused(self) -> None:
        """An unknown code or a bool where a number is due names the field."""
        with pytest.raises(x.InvalidDataError, match="category"):
            x.CaseFacts(category="complaint")
        with pytest.raises(x.InvalidDataError, match="legal_channel"):
            x.CaseFacts(legal_channel=x.vocabulary.Route.ORDINARY)
        with pytest.raises(x.InvalidDataError, match="group_size"):
            x.CaseFacts(group_size=True)
        with pytest.raises(x.InvalidDataError, match="hardship"):
            x.CaseFacts(hardship=1)  # type: ignore[arg-type]

    def test_every_policy_route_exists_and_decline_takes_it(self) -> None:
        """Every route the default policy names is a Route that Decline can tell."""
        for rule in x.classification.default_policy().rules:
            if "route" in rule.then:
                route = x.vocabulary.Route(rule.then["route"])
                x.changes.Decline(reason="r", route_told=route, body_told="b")

    @given(xs.case_facts(), st.booleans())
    def test_enums_and_codes_classify_the_same(self, f: x.CaseFacts, as_codes: bool) -> None:
        """A fact given as its code is converted: the same classification as the enum."""
        as_code = x.CaseFacts(
            **{
                **{a: getattr(f, a) for a in attrs_names(f)},
                "category": f.category.value if f.category else None,
                "legal_channel": f.legal_channel.value if f.legal_channel else None,
            }
        )
        assert as_code == f
        assert x.classify(as_code) == x.classify(f)


def attrs_names(f: x.CaseFacts) -> list[str]:
    """The field names of a CaseFacts value."""
    import attrs

    return [a.name for a in attrs.fields(type(f))]


# ------------------------------------------------------------ scope
class TestScope:
    """Art. 30 ¶3 with the host's AccusedScope: derived and assigned units obey one rule."""

    ORG = x.Organization(
        levels=["corps", "detachment", "brigade"],
        units=[
            x.responsibility.Unit(id="HQ", name="总队", level="corps"),
            x.responsibility.Unit(id="U", name="第一支队", level="detachment", parent="HQ"),
            x.responsibility.Unit(id="B", name="第一大队", level="brigade", parent="U"),
        ],
        officials=[
            x.responsibility.Official(
                id="hq-head", name="总队长", unit="HQ", post=x.responsibility.Post.HEAD
            ),
            x.responsibility.Official(
                id="u-head", name="支队长", unit="U", post=x.responsibility.Post.HEAD
            ),
            x.responsibility.Official(
                id="b-head", name="大队长", unit="B", post=x.responsibility.Post.HEAD
            ),
        ],
    )

    def accusation(self) -> x.Case:
        """An accusation against U, handled by B (under U)."""
        return run(
            (
                register(
                    t(2025, 3, 3), category=x.vocabulary.Category.ACCUSATION, accused_units=["U"]
                ),
                t(2025, 3, 3),
            ),
            (x.changes.Forward(to_unit="B"), t(2025, 3, 4)),
            (x.changes.Accept(), t(2025, 3, 5)),
        )

    def test_unit_scope_keeps_b(self) -> None:
        """scope=UNIT: B is not kept out, so B is the responsible unit and its head sees it."""
        case = self.accusation()
        unit = x.responsibility.AccusedScope.UNIT
        assert x.responsibility.responsible_unit(case, self.ORG, scope=unit) == "B"
        assert x.responsibility.first_responsible(case, self.ORG, scope=unit).id == "b-head"  # type: ignore[union-attr]
        assert (
            x.responsibility.visibility("b-head", case, self.ORG, scope=unit)
            is x.responsibility.Visibility.FULL
        )
        proposed = x.responsibility.proposed_assignments(
            case, self.ORG, x.responsibility.load_assignment_policy(), scope=unit
        )
        assert any(
            a.role is x.vocabulary.Role.RESPONSIBLE_UNIT and a.holder == "B" for a in proposed
        )

    def test_subtree_scope_keeps_b_out(self) -> None:
        """scope=SUBTREE (the default): B sits under U and is kept out."""
        case = self.accusation()
        assert x.responsibility.responsible_unit(case, self.ORG) is None
        assert (
            x.responsibility.visibility("b-head", case, self.ORG)
            is x.responsibility.Visibility.NONE
        )

    @given(xs.organizations(), st.sampled_from(x.responsibility.AccusedScope), st.data())
    def test_derived_and_assigned_obey_the_same_rule(
        self, org: x.Organization, scope: x.responsibility.AccusedScope, data: st.DataObject
    ) -> None:
        """Whatever the scope, a unit is derived as responsible iff it may be assigned."""
        ids = [u.id for u in org.units]
        accused = data.draw(st.sampled_from(ids))
        handler = data.draw(st.sampled_from(ids))
        case = run(
            (
                register(t(2025, 3, 3), accused_units=[accused], receiving_unit=handler),
                t(2025, 3, 3),
            ),
        )
        derived = x.responsibility.responsible_unit(case, org, scope=scope)
        try:
            assigned, _ = x.apply(
                case,
                x.changes.AssignRole(
                    role=x.vocabulary.Role.RESPONSIBLE_UNIT, holder=handler, reason="r"
                ),
                t(2025, 3, 5),
                org=org,
                scope=scope,
            )
        except x.errors.ConfidentialityError:
            allowed = False
        else:
            allowed = True
            assert x.responsibility.responsible_unit(assigned, org, scope=scope) == handler
        assert (derived == handler) == allowed


# ------------------------------------------------------------ clocks: whom a limit binds
class TestWhomLimitsBind:
    """Arts. 22-23: the routing limit binds petition departments, the notices other bodies."""

    def test_other_body_petitioned_directly_has_no_routing_clock(self) -> None:
        """Art. 22 binds 信访部门 only: a 人社局 that notifies on time and accepts later is fine.

        Received Mon 2025-03-03; 15日 → Tue 03-18 (a working day). Notified
        03-10 (met); accepted 04-01, which under Art. 22 would be late, but
        the 人社局 is no petition department: no routing clock at all.
        """
        case = run(
            (
                register(t(2025, 3, 3), receiving_unit="市人社局", receiving_unit_kind=OTHER),
                t(2025, 3, 3),
            ),
            (x.changes.Notify(), t(2025, 3, 10)),
            (x.changes.Accept(), t(2025, 4, 1)),
        )
        found = keys(case, D(2025, 4, 2))
        assert "routing" not in found
        assert found["receipt_notice"].due == D(2025, 3, 18)
        assert found["receipt_notice"].status is x.ClockStatus.MET
        unrecorded = run(
            (register(t(2025, 3, 3)), t(2025, 3, 3)),
            (x.changes.Notify(), t(2025, 3, 10)),
            (x.changes.Accept(), t(2025, 4, 1)),
        )
        # A kind not recorded binds every limit (the behaviour before unit kinds).
        assert keys(unrecorded, D(2025, 4, 2))["routing"].status is x.ClockStatus.MISSED

    def test_petition_department_owes_no_direct_notice(self) -> None:
        """Art. 23 ¶2 binds bodies other than petition departments.

        A 信访局 receives Mon 2025-03-03 and forwards Mon 03-10 (routing due
        03-18: met). The receiver notifies Thu 03-20: its own limit runs
        15日 from 03-10 → Tue 03-25 (met). No receipt_notice for the 信访局.
        """
        case = run(
            (register(t(2025, 3, 3), receiving_unit_kind=PD), t(2025, 3, 3)),
            (x.changes.Forward(to_unit="市人社局", to_unit_kind=OTHER), t(2025, 3, 10)),
            (x.changes.Notify(), t(2025, 3, 20)),
        )
        found = keys(case, D(2025, 3, 31))
        assert "receipt_notice" not in found
        assert found["routing"].status is x.ClockStatus.MET
        assert found["forwarded_notice"].due == D(2025, 3, 25)
        assert found["forwarded_notice"].status is x.ClockStatus.MET

    def test_no_notice_owed_when_name_or_address_unclear(self) -> None:
        """Art. 23 ¶2 但书: 信访人的姓名（名称）、住址不清的除外."""
        case = run(
            (
                register(t(2025, 3, 3), receiving_unit_kind=OTHER, identity_unclear=True),
                t(2025, 3, 3),
            ),
        )
        assert "receipt_notice" not in keys(case, D(2025, 4, 30))

    def test_on_the_spot_written_notice_meets_the_limit(self) -> None:
        """Art. 23 ¶2: 当场书面告知 on Mon 2025-03-03 meets the 15日 notice that day."""
        case = run(
            (
                register(t(2025, 3, 3), receiving_unit_kind=OTHER, notified_on_the_spot=True),
                t(2025, 3, 3),
            ),
        )
        notice = keys(case, D(2025, 3, 31))["receipt_notice"]
        assert (notice.status, notice.met_on) == (x.ClockStatus.MET, D(2025, 3, 3))

    def test_political_legal_and_discipline_bodies_follow_their_own_rules(self) -> None:
        """Art. 23 ¶4: no 15日 notice and no objection window on their own kind of matter."""
        # Changed with issue 20: the exemption is bound to the category too (a
        # political-legal body on an appeal/demand, a discipline body on an accusation).
        for kind, category in (
            (x.vocabulary.UnitKind.POLITICAL_LEGAL, x.vocabulary.Category.APPEAL),
            (x.vocabulary.UnitKind.DISCIPLINE_INSPECTION, x.vocabulary.Category.ACCUSATION),
        ):
            case = run(
                (register(t(2025, 3, 3), receiving_unit_kind=PD, category=category), t(2025, 3, 3)),
                (x.changes.Forward(to_unit="市公安局", to_unit_kind=kind), t(2025, 3, 4)),
            )
            found = keys(case, D(2025, 4, 30))
            assert "forwarded_notice" not in found and "remit_objection" not in found


class TestReceiptOfForwardedMatter:
    """Art. 23 ¶3: 自收到之日起15日内书面告知; 5个工作日内提出异议."""

    def case(self) -> x.Case:
        """Forwarded Mon 2025-03-03, received by the 人社局 Wed 03-12."""
        return run(
            (register(t(2025, 3, 1), receiving_unit_kind=PD), t(2025, 3, 1)),
            (x.changes.Forward(to_unit="市人社局", to_unit_kind=OTHER), t(2025, 3, 3)),
            (x.changes.ReceiveForwarded(), t(2025, 3, 12)),
        )

    def test_notice_counts_from_the_receipt(self) -> None:
        """15日 from Wed 03-12 → Thu 03-27; a notice on 03-25 is in time.

        Counted from the forwarding (03-03) it would have been due 03-18.
        """
        case, _ = x.apply(self.case(), x.changes.Notify(), t(2025, 3, 25))
        notice = keys(case, D(2025, 3, 31))["forwarded_notice"]
        assert (notice.started_on, notice.due) == (D(2025, 3, 12), D(2025, 3, 27))
        assert notice.status is x.ClockStatus.MET

    def test_objection_window_counts_working_days_from_the_receipt(self) -> None:
        """5个工作日 from Wed 03-12: Thu 13, Fri 14, Mon 17, Tue 18, Wed 19 → 03-19."""
        window = keys(self.case(), D(2025, 3, 13))["remit_objection"]
        assert window.due == D(2025, 3, 19)
        x.apply(self.case(), x.changes.ObjectRemit(reason="不属于职权范围"), t(2025, 3, 19))
        with pytest.raises(x.errors.WindowClosedError):
            x.apply(self.case(), x.changes.ObjectRemit(reason="不属于职权范围"), t(2025, 3, 20))

    def test_2005_forwarded_body_counts_from_its_own_receipt(self) -> None:
        """2005 Art. 21 ¶2: 自收到转送、交办的信访事项之日起15日内.

        Received by the 信访局 Mon 2025-03-03, forwarded Wed 03-05, receipt
        recorded Mon 03-10; 15日 → Tue 03-25; the notice on Mon 03-24 is in
        time (from the original receipt it would have been due 03-18).
        """
        rb = x.bundled_rulebook("xinfang-2005")
        case = run(
            (register(t(2025, 3, 3), receiving_unit_kind=PD), t(2025, 3, 3)),
            (x.changes.Forward(to_unit="市人社局", to_unit_kind=OTHER), t(2025, 3, 5)),
            (x.changes.ReceiveForwarded(), t(2025, 3, 10)),
            (x.changes.Notify(), t(2025, 3, 24)),
            rulebook=rb,
        )
        notice = keys(case, D(2025, 3, 31), rulebook=rb)["forwarded_notice"]
        assert (notice.started_on, notice.due) == (D(2025, 3, 10), D(2025, 3, 25))
        assert notice.status is x.ClockStatus.MET


class TestSuggestionClocks:
    """Art. 29: no 60日 handling clock and no review window for a suggestion."""

    def case(self, rulebook: x.Rulebook | None = None) -> x.Case:
        """A suggestion accepted Tue 2025-03-04."""
        return run(
            (register(t(2025, 3, 3), category=x.vocabulary.Category.SUGGESTION), t(2025, 3, 3)),
            (x.changes.Accept(), t(2025, 3, 4)),
            rulebook=rulebook,
        )

    def test_no_handling_and_no_review_clock(self) -> None:
        """Accepted 03-04, replied 05-20: no handling clock, no review window after it."""
        case, _ = x.apply(self.case(), OPINION, t(2025, 5, 20))
        found = keys(case, D(2025, 6, 30))
        assert "handling" not in found and "review_request" not in found
        assert x.deadlines.stage_as_of(case, D(2025, 12, 31)) is x.vocabulary.Stage.REPLIED

    def test_a_host_sets_its_own_reply_period(self) -> None:
        """A host rulebook's 30日 reply period: 03-04 + 30 → Thu 04-03; overdue on 04-10."""
        rb = x.load_rulebook(
            {
                "id": "host",
                "title": "本地建议答复",
                "version": "1",
                "base": "xinfang-2022",
                "limits": {
                    "suggestion_reply": {
                        "title": "建议意见答复",
                        "period": "30日",
                        "starts": "accepted",
                        "ends": ["opinion_issued"],
                        "applies_to": {"route": ["suggestion"]},
                        "citation": "本地规定",
                    }
                },
            }
        )
        reply = keys(self.case(rb), D(2025, 4, 10), rulebook=rb)["suggestion_reply"]
        assert (reply.due, reply.status) == (D(2025, 4, 3), x.ClockStatus.OVERDUE)


class TestReportBackClock:
    """Art. 22 (3): 要求其在指定办理期限内反馈结果，提交办结报告."""

    def case(self) -> x.Case:
        """Assigned Wed 2025-03-05 with a report-back date of Wed 04-30."""
        return run(
            (register(t(2025, 3, 3), receiving_unit_kind=PD), t(2025, 3, 3)),
            (
                x.changes.Assign(
                    to_unit="市人社局", to_unit_kind=OTHER, report_back_by=D(2025, 4, 30)
                ),
                t(2025, 3, 5),
            ),
            (x.changes.Accept(), t(2025, 3, 7)),
        )

    def test_overdue_without_a_report(self) -> None:
        """The day is the assigning body's: due 04-30 itself, overdue on 05-06."""
        clock = keys(self.case(), D(2025, 5, 6))["report_back"]
        assert (clock.due, clock.status, clock.obligor) == (
            D(2025, 4, 30),
            x.ClockStatus.OVERDUE,
            "body",
        )
        assert clock.period == x.periods.Period.days(56)  # 03-05 → 04-30

    def test_met_by_the_report(self) -> None:
        """An 办结报告 on 04-28 meets it; the column path agrees."""
        case, _ = x.apply(self.case(), x.changes.ReportBack(summary="已办结"), t(2025, 4, 28))
        clock = keys(case, D(2025, 5, 6))["report_back"]
        assert (clock.status, clock.met_on) == (x.ClockStatus.MET, D(2025, 4, 28))
        for day in (D(2025, 4, 1), D(2025, 5, 6)):
            for c in (case, self.case()):
                table = x.clock_table([c], as_of=day)
                assert table.to_clocks() == list(x.clocks(c, as_of=day))


class TestHandlingEnds:
    """Art. 33 and 停访息诉: what ends the 60日 handling duty."""

    def test_agreement_meets_the_handling_limit(self) -> None:
        """Accepted 2025-01-02 (due Mon 03-03); 调解协议书 02-20 → met."""
        case = run(
            (register(t(2025, 1, 2)), t(2025, 1, 2)),
            (x.changes.Accept(), t(2025, 1, 2)),
            (
                x.changes.RecordAgreement(
                    form=x.vocabulary.AgreementKind.RECONCILIATION, summary="和解"
                ),
                t(2025, 2, 20),
            ),
        )
        handling = keys(case, D(2025, 6, 1))["handling"]
        assert (handling.status, handling.met_on) == (x.ClockStatus.MET, D(2025, 2, 20))

    def test_settlement_closes_the_clock(self) -> None:
        """Settled 02-01 (before 03-03): stopped; settled 05-01: missed, not overdue for ever."""
        for when, status in (
            (t(2025, 2, 1), x.ClockStatus.STOPPED),
            (t(2025, 5, 1), x.ClockStatus.MISSED),
        ):
            case = run(
                (register(t(2025, 1, 2)), t(2025, 1, 2)),
                (x.changes.Accept(), t(2025, 1, 2)),
                (x.changes.Settle(evidence="签字息诉"), when),
            )
            assert keys(case, D(2025, 12, 1))["handling"].status is status


class TestCountingSettings:
    """Finality and the extension's base are rulebook data."""

    def test_extension_base(self) -> None:
        """Art. 34: accepted Tue 2025-01-07; 60日 → Sat 03-08 (rolled to Mon 03-10); +30.

        nominal_end (default): 03-08 + 30 = Mon 04-07. rolled_end: 03-10 + 30 = Wed 04-09.
        """
        rolled = x.load_rulebook(
            {
                "id": "rolled",
                "title": "t",
                "version": "1",
                "base": "xinfang-2022",
                "counting": {"extension_base": "rolled_end"},
            }
        )
        assert x.bundled_rulebook().extension_base is x.rulebook.ExtensionBase.NOMINAL_END
        for rb, due in ((x.bundled_rulebook(), D(2025, 4, 7)), (rolled, D(2025, 4, 9))):
            case = run(
                (register(t(2025, 1, 7)), t(2025, 1, 7)),
                (x.changes.Accept(), t(2025, 1, 7)),
                (x.changes.Extend(days=30, approved_by="局长", reason="情况复杂"), t(2025, 2, 20)),
                rulebook=rb,
            )
            assert keys(case, D(2025, 3, 1), rulebook=rb)["handling"].due == due
            assert x.clock_table([case], as_of=D(2025, 3, 1), rulebook=rb).to_clocks() == list(
                x.clocks(case, as_of=D(2025, 3, 1), rulebook=rb)
            )

    def test_finality_after_a_lapsed_window_is_a_cited_setting(self) -> None:
        """Reply delivered 2025-01-20; review window 30日 → Wed 02-19; lapsed on 03-01.

        Final only under a rulebook that says so, citing its own (ministerial) source;
        Art. 36 ¶3 alone speaks of a re-review opinion.
        """
        rb = x.bundled_rulebook()
        assert rb.finality.after_lapsed_window and "国家信访局" in rb.finality.citation
        plain = x.load_rulebook(
            {
                "id": "p",
                "title": "t",
                "version": "1",
                "base": "xinfang-2022",
                "finality": {"after_lapsed_window": False},
            }
        )
        earlier = run(
            (register(t(2025, 1, 2), case_id="P-1"), t(2025, 1, 2)),
            (x.changes.Accept(), t(2025, 1, 2)),
            (OPINION, t(2025, 1, 20)),
        )
        assert x.deadlines.stage_as_of(earlier, D(2025, 3, 1)) is x.vocabulary.Stage.FINAL
        assert (
            x.deadlines.stage_as_of(earlier, D(2025, 3, 1), rulebook=plain)
            is x.vocabulary.Stage.REPLIED
        )
        again = run(
            (
                register(t(2025, 3, 1), case_id="XF-2", repeat_of=["P-1"], same_facts=True),
                t(2025, 3, 1),
            )
        )
        with pytest.raises(x.errors.FinalityError) as err:
            x.apply(again, x.changes.Accept(), t(2025, 3, 2), related={"P-1": earlier})
        assert err.value.rule == rb.finality.citation
        x.apply(again, x.changes.Accept(), t(2025, 3, 2), related={"P-1": earlier}, rulebook=plain)


class TestReportBackEverywhere:
    """Art. 22 (3): the report-back clock escalates and is on the campaign's agenda."""

    ORG = x.Organization(
        levels=["city", "bureau"],
        units=[
            x.responsibility.Unit(id="XFJ", name="市信访局", level="city", kind=PD),
            x.responsibility.Unit(id="RSJ", name="市人社局", level="bureau", parent="XFJ"),
        ],
        officials=[
            x.responsibility.Official(
                id="xfj-head", name="局长", unit="XFJ", post=x.responsibility.Post.HEAD
            ),
            x.responsibility.Official(
                id="rsj-head", name="局长", unit="RSJ", post=x.responsibility.Post.HEAD
            ),
        ],
    )

    def case(self) -> x.Case:
        """Assigned to the 人社局 Wed 2025-03-05, report back by Wed 04-30, accepted 03-07."""
        return run(
            (register(t(2025, 3, 3), receiving_unit="XFJ", receiving_unit_kind=PD), t(2025, 3, 3)),
            (
                x.changes.Assign(to_unit="RSJ", to_unit_kind=OTHER, report_back_by=D(2025, 4, 30)),
                t(2025, 3, 5),
            ),
            (x.changes.Accept(), t(2025, 3, 7)),
        )

    def test_escalates_when_overdue(self) -> None:
        """Overdue on 05-06 (due 04-30): the report-back clock is escalated."""
        case = self.case()
        day = D(2025, 5, 6)
        found, _ = x.responsibility.escalations(
            case, x.clocks(case, as_of=day), self.ORG, as_of=day
        )
        assert any(e.clock == "report_back" for e in found)

    def test_on_the_campaign_agenda(self) -> None:
        """A review on 05-10 lists the report-back due 04-30 (overdue) for the 人社局."""
        campaign = x.Campaign(
            id="c",
            name="攻坚",
            units=["XFJ"],
            start=D(2025, 4, 1),
            end=D(2025, 6, 30),
            targets=[],
            review_dates=[D(2025, 5, 10)],
        )
        snap = x.snapshot(campaign, [self.case()], self.ORG, as_of=D(2025, 5, 6))
        assert any(
            (item.clock, item.due) == ("report_back", D(2025, 4, 30)) for item in snap.agenda
        )
