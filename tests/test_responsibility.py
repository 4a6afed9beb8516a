"""Responsibility: organisation, chain, recusal (Art. 28 ¶3), confidentiality (Art. 30 ¶3)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from xinfang import serialization
from xinfang.strategies import cases, interests, organizations

from helpers import register, run, t

if TYPE_CHECKING:
    from pathlib import Path

D = dt.date
RECUSAL = "第二十八条第三款"
SECRECY = "第三十条第三款"

ORG = x.Organization(
    levels=["corps", "detachment", "brigade"],
    units=[
        x.responsibility.Unit(id="HQ", name="总队", level="corps"),
        x.responsibility.Unit(id="D1", name="第一支队", level="detachment", parent="HQ"),
        x.responsibility.Unit(id="D2", name="第二支队", level="detachment", parent="HQ"),
        x.responsibility.Unit(id="B11", name="第一大队", level="brigade", parent="D1"),
    ],
    officials=[
        x.responsibility.Official(
            id="hq-head", name="总队长", unit="HQ", post=x.responsibility.Post.HEAD
        ),
        x.responsibility.Official(
            id="hq-deputy",
            name="副总队长",
            unit="HQ",
            post=x.responsibility.Post.LEADERSHIP,
            liaison_units=["D1"],
        ),
        x.responsibility.Official(
            id="d1-head", name="一支队长", unit="D1", post=x.responsibility.Post.HEAD
        ),
        x.responsibility.Official(
            id="d1-pol", name="一支队政委", unit="D1", post=x.responsibility.Post.LEADERSHIP
        ),
        x.responsibility.Official(
            id="d1-clerk", name="一支队干事", unit="D1", post=x.responsibility.Post.STAFF
        ),
        x.responsibility.Official(
            id="d2-head", name="二支队长", unit="D2", post=x.responsibility.Post.HEAD
        ),
        x.responsibility.Official(
            id="b11-head", name="一大队长", unit="B11", post=x.responsibility.Post.HEAD
        ),
    ],
)


def backlog_case(to_unit: str = "D1", **kw: object) -> x.Case:
    """A backlog case forwarded to ``to_unit`` and accepted."""
    return run(
        (register(t(2025, 3, 3), backlog_since=D(2019, 5, 1), **kw), t(2025, 3, 3)),
        (x.changes.Forward(to_unit=to_unit), t(2025, 3, 4)),
        (x.changes.Accept(), t(2025, 3, 5)),
    )


def assign(
    case: x.Case, role: x.vocabulary.Role, holder: str, when: dt.datetime, **kw: object
) -> x.Case:
    new, _ = x.apply(
        case,
        x.changes.AssignRole(role=role, holder=holder, reason="攻坚行动分工"),
        when,
        org=ORG,
        **kw,  # type: ignore[arg-type]
    )
    return new


class TestOrganization:
    """One root, no cycles, known levels and units, one head a unit."""

    @pytest.mark.parametrize(
        ("units", "officials", "path", "fragment"),
        [
            (
                [
                    x.responsibility.Unit(id="A", name="a", level="corps"),
                    x.responsibility.Unit(id="B", name="b", level="corps"),
                ],
                [],
                "units",
                "exactly one root",
            ),
            (
                [
                    x.responsibility.Unit(id="A", name="a", level="corps"),
                    x.responsibility.Unit(id="B", name="b", level="x", parent="A"),
                ],
                [],
                "units[1].level",
                "unknown level",
            ),
            (
                [
                    x.responsibility.Unit(id="A", name="a", level="corps"),
                    x.responsibility.Unit(id="B", name="b", level="detachment", parent="Z"),
                ],
                [],
                "units[1].parent",
                "unknown parent",
            ),
            (
                [x.responsibility.Unit(id="A", name="a", level="corps")],
                [
                    x.responsibility.Official(
                        id="1", name="甲", unit="A", post=x.responsibility.Post.HEAD
                    ),
                    x.responsibility.Official(
                        id="2", name="乙", unit="A", post=x.responsibility.Post.HEAD
                    ),
                ],
                "officials[1].post",
                "already has a head",
            ),
            (
                [x.responsibility.Unit(id="A", name="a", level="corps")],
                [
                    x.responsibility.Official(
                        id="1",
                        name="甲",
                        unit="A",
                        post=x.responsibility.Post.STAFF,
                        liaison_units=["A"],
                    )
                ],
                "officials[0].liaison_units",
                "联系点",
            ),
        ],
    )
    def test_invalid_trees(
        self,
        units: list[x.responsibility.Unit],
        officials: list[x.responsibility.Official],
        path: str,
        fragment: str,
    ) -> None:
        """Each mistake is refused at construction with its path."""
        with pytest.raises(x.errors.OrganizationError) as info:
            x.Organization(levels=["corps", "detachment"], units=units, officials=officials)
        assert path in str(info.value)
        assert fragment in str(info.value)

    def test_cycle(self) -> None:
        """A unit that is its own ancestor is refused."""
        with pytest.raises(x.errors.OrganizationError, match=r"own ancestor|exactly one root"):
            x.Organization(
                levels=["a", "b", "c"],
                units=[
                    x.responsibility.Unit(id="R", name="r", level="a"),
                    x.responsibility.Unit(id="A", name="a", level="b", parent="B"),
                    x.responsibility.Unit(id="B", name="b", level="c", parent="A"),
                ],
            )

    def test_navigation(self) -> None:
        """Ancestors, heads and containment."""
        assert ORG.root.id == "HQ"
        assert ORG.ancestors("B11") == ("D1", "HQ")
        assert ORG.is_within("B11", "D1") and not ORG.is_within("D2", "D1")
        head = ORG.head("D1")
        assert head is not None and head.id == "d1-head"

    def test_json_and_toml_round_trip(self, tmp_path: Path) -> None:
        """The organisation goes through the one converter: JSON and TOML."""
        assert serialization.from_json(serialization.to_json(ORG), x.Organization) == ORG
        path = tmp_path / "org.toml"
        path.write_text(serialization.to_toml(ORG), encoding="utf-8")
        assert x.load_organization(path) == ORG

    @given(organizations())
    def test_generated_trees_round_trip(self, org: x.Organization) -> None:
        """Any valid tree survives JSON; every unit's path ends at the root."""
        assert serialization.from_json(serialization.to_json(org), x.Organization) == org
        for u in org.units:
            path = org.ancestors(u.id)
            assert (path[-1] if path else u.id) == org.root.id


class TestRoles:
    """Role rules, each with its article."""

    def test_lead_official_is_a_head_or_leadership_member(self) -> None:
        """包案领导 must be a head or a leadership member (Art. 18 ¶2)."""
        case = backlog_case()
        with pytest.raises(x.TransitionError, match="第十八条"):
            assign(case, x.vocabulary.Role.LEAD_OFFICIAL, "d1-clerk", t(2025, 3, 6))
        led = assign(case, x.vocabulary.Role.LEAD_OFFICIAL, "d1-pol", t(2025, 3, 6))
        assert [(h.role, h.holder) for h in led.roles] == [
            (x.vocabulary.Role.LEAD_OFFICIAL, "d1-pol")
        ]

    def test_supervisor_comes_from_above(self) -> None:
        """督办 comes from a unit above the responsible unit (Art. 40)."""
        case = assign(backlog_case(), x.vocabulary.Role.RESPONSIBLE_UNIT, "D1", t(2025, 3, 6))
        with pytest.raises(x.TransitionError, match="第四十条"):
            assign(case, x.vocabulary.Role.SUPERVISOR, "d2-head", t(2025, 3, 7))
        sup = assign(case, x.vocabulary.Role.SUPERVISOR, "hq-deputy", t(2025, 3, 7))
        assert any(h.role is x.vocabulary.Role.SUPERVISOR for h in sup.roles)
        # A new responsible unit the supervisor is not above: release the supervisor first.
        with pytest.raises(x.TransitionError, match=r"hq-deputy would not be above HQ.*第四十条"):
            assign(sup, x.vocabulary.Role.RESPONSIBLE_UNIT, "HQ", t(2025, 3, 8))
        released, _ = x.apply(
            sup,
            x.changes.ReleaseRole(
                role=x.vocabulary.Role.SUPERVISOR, holder="hq-deputy", reason="改由总队直接办理"
            ),
            t(2025, 3, 8),
            org=ORG,
        )
        moved = assign(released, x.vocabulary.Role.RESPONSIBLE_UNIT, "HQ", t(2025, 3, 8))
        assert x.responsibility.responsible_unit(moved, ORG) == "HQ"
        assert (
            assign(sup, x.vocabulary.Role.RESPONSIBLE_UNIT, "D2", t(2025, 3, 8)).responsible_unit
            == "D2"
        )

    def test_chain_changes_need_the_organisation(self) -> None:
        """Without org= a chain change cannot be checked, so it is refused."""
        with pytest.raises(x.TransitionError, match="org="):
            x.apply(
                backlog_case(),
                x.changes.AssignRole(
                    role=x.vocabulary.Role.HANDLER, holder="d1-clerk", reason="承办"
                ),
                t(2025, 3, 6),
            )

    def test_reassign_and_release_and_the_chain_in_the_past(self) -> None:
        """Who owned the case on a past day is answered from the events."""
        case = assign(backlog_case(), x.vocabulary.Role.LEAD_OFFICIAL, "d1-head", t(2025, 3, 6))
        case = assign(case, x.vocabulary.Role.LEAD_OFFICIAL, "d1-pol", t(2025, 4, 1))
        case = assign(case, x.vocabulary.Role.HANDLER, "d1-clerk", t(2025, 4, 2))
        case, _ = x.apply(
            case,
            x.changes.ReleaseRole(role=x.vocabulary.Role.HANDLER, holder="d1-clerk", reason="调岗"),
            t(2025, 5, 1),
        )
        assert x.responsibility.chain_as_of(case, D(2025, 3, 15)) == (
            (x.vocabulary.Role.LEAD_OFFICIAL, "d1-head"),
        )
        assert x.responsibility.chain_as_of(case, D(2025, 4, 15)) == (
            (x.vocabulary.Role.LEAD_OFFICIAL, "d1-pol"),
            (x.vocabulary.Role.HANDLER, "d1-clerk"),
        )
        assert x.responsibility.chain_as_of(case, D(2025, 5, 2)) == (
            (x.vocabulary.Role.LEAD_OFFICIAL, "d1-pol"),
        )
        with pytest.raises(x.TransitionError, match="does not hold"):
            x.apply(
                case,
                x.changes.ReleaseRole(
                    role=x.vocabulary.Role.HANDLER, holder="d1-clerk", reason="x"
                ),
                t(2025, 5, 2),
            )

    def test_first_responsible_is_derived(self) -> None:
        """The responsible unit's head is first responsible without any assignment."""
        head = x.responsibility.first_responsible(backlog_case(), ORG)
        assert head is not None and head.id == "d1-head"


class TestRecusalAndConfidentiality:
    """回避 (Art. 28 ¶3) and 保密 (Art. 30 ¶3)."""

    def test_interested_official_is_refused(self) -> None:
        """An official related to the petitioner cannot take any role."""
        kin = x.responsibility.Interest(
            official="d1-head", petitioner="张三", note="与信访人系亲属"
        )
        with pytest.raises(x.errors.RecusalError, match=RECUSAL):
            assign(
                backlog_case(),
                x.vocabulary.Role.LEAD_OFFICIAL,
                "d1-head",
                t(2025, 3, 6),
                interests=[kin],
            )

    def test_accused_person_and_unit_are_refused(self) -> None:
        """Neither the accused nor an official of the accused unit (or below it) may hold a role."""
        case = backlog_case(
            to_unit="D2",
            category=x.vocabulary.Category.ACCUSATION,
            accused_persons=["d1-pol"],
            accused_units=["D1"],
        )
        for who in ("d1-pol", "d1-head", "b11-head"):
            with pytest.raises(x.errors.ConfidentialityError, match=SECRECY):
                assign(case, x.vocabulary.Role.HANDLER, who, t(2025, 3, 6))
        with pytest.raises(x.errors.ConfidentialityError, match=SECRECY):
            assign(case, x.vocabulary.Role.RESPONSIBLE_UNIT, "D1", t(2025, 3, 6))
        narrow = assign(
            case,
            x.vocabulary.Role.HANDLER,
            "b11-head",
            t(2025, 3, 6),
            scope=x.responsibility.AccusedScope.UNIT,
        )
        assert narrow.roles[0].holder == "b11-head"

    def test_plan_owner_is_checked_like_a_role(self) -> None:
        """An accused official cannot own the settlement plan."""
        case = backlog_case(category=x.vocabulary.Category.ACCUSATION, accused_persons=["d1-head"])
        plan = x.changes.SettlementPlan(owner="d1-head", deadline=D(2025, 6, 30), measures=["约谈"])
        with pytest.raises(x.errors.ConfidentialityError):
            x.apply(case, x.changes.SetPlan(plan=plan), t(2025, 3, 6), org=ORG)

    def test_visibility(self) -> None:
        """The accused see nothing; the chain sees all; others see only that it exists."""
        case = backlog_case(category=x.vocabulary.Category.ACCUSATION, accused_units=["D2"])
        case = assign(case, x.vocabulary.Role.HANDLER, "d1-clerk", t(2025, 3, 6))
        assert x.responsibility.visibility("d2-head", case, ORG) is x.responsibility.Visibility.NONE
        assert (
            x.responsibility.visibility("d1-clerk", case, ORG) is x.responsibility.Visibility.FULL
        )
        assert x.responsibility.visibility("hq-head", case, ORG) is x.responsibility.Visibility.FULL
        assert (
            x.responsibility.visibility("b11-head", case, ORG)
            is x.responsibility.Visibility.REDACTED
        )
        assert not x.responsibility.can_view("b11-head", case, ORG)
        shown = x.responsibility.redact(case)
        assert not hasattr(shown, "claims") and shown.id == case.id
        plain = backlog_case()
        assert x.responsibility.can_view("d2-head", plain, ORG)

    def test_declaring_an_interest_reports_the_chains_to_change(self) -> None:
        """A new interest lists every role the official holds in the cases it touches."""
        case = assign(backlog_case(), x.vocabulary.Role.LEAD_OFFICIAL, "d1-head", t(2025, 3, 6))
        kin = x.responsibility.Interest(official="d1-head", petitioner="张三")
        assert x.responsibility.conflicts(kin, [case], ORG) == (
            (case.id, x.vocabulary.Role.LEAD_OFFICIAL, "d1-head"),
        )
        assert (
            x.responsibility.conflicts(
                x.responsibility.Interest(official="d2-head", petitioner="张三"), [case], ORG
            )
            == ()
        )


class TestPlansAndPolicy:
    """明确责任、明确时限、明确措施; the default assignment policy as data."""

    def test_plan_reports_what_is_missing(self) -> None:
        """Incompleteness is a list, not a bare false."""
        assert x.changes.SettlementPlan().missing() == ("owner", "deadline", "measures")
        full = x.changes.SettlementPlan(
            owner="d1-head", deadline=D(2025, 6, 30), measures=["专班攻坚"]
        )
        assert full.is_complete and full.missing() == ()

    def test_default_policy_proposes_the_head_for_a_backlog_case(self) -> None:
        """Backlog: responsible unit = the competent unit, lead official = its head."""
        policy = x.responsibility.load_assignment_policy()
        case = backlog_case()
        assert x.responsibility.policy_gaps(case, ORG, policy) == (
            "no responsible person (责任人)",
            "no lead official (包案领导) for a backlog case",
        )
        proposed = x.responsibility.proposed_assignments(case, ORG, policy)
        assert [(a.role, a.holder) for a in proposed] == [
            (x.vocabulary.Role.RESPONSIBLE_UNIT, "D1"),
            (x.vocabulary.Role.LEAD_OFFICIAL, "d1-head"),
        ]

    def test_proposal_skips_the_excluded_and_climbs(self) -> None:
        """If the head must step aside, the liaison leader, then the heads above, are proposed."""
        policy = x.responsibility.load_assignment_policy()
        kin = x.responsibility.Interest(official="d1-head", petitioner="张三")
        proposed = x.responsibility.proposed_assignments(
            backlog_case(), ORG, policy, interests=[kin]
        )
        assert proposed[-1].holder == "hq-deputy"

    def test_host_override(self) -> None:
        """A host policy that needs lead officials only for Beijing visits."""
        policy = x.responsibility.load_assignment_policy(
            {"lead_official_required_for": ["beijing_visit"]}
        )
        assert x.responsibility.policy_gaps(backlog_case(), ORG, policy) == (
            "no responsible person (责任人)",
        )
        with pytest.raises(x.errors.PolicyError, match="unknown trait"):
            x.responsibility.load_assignment_policy({"lead_official_required_for": ["weather"]})


class TestEscalation:
    """Who is told now, strictly upward, skipping (and reporting) the excluded."""

    def overdue(self, **kw: object) -> x.Case:
        case = backlog_case(**kw)
        case = assign(case, x.vocabulary.Role.RESPONSIBLE_UNIT, "D1", t(2025, 3, 6))
        case = assign(case, x.vocabulary.Role.RESPONSIBLE_PERSON, "d1-clerk", t(2025, 3, 6))
        return assign(case, x.vocabulary.Role.LEAD_OFFICIAL, "d1-pol", t(2025, 3, 6))

    def test_steps(self) -> None:
        """Overdue: responsible person, unit head, lead official; 10 days late: the head above."""
        case = self.overdue()
        as_of = D(2025, 5, 20)  # handling due 2025-05-06, 14 days late
        told, skipped = x.responsibility.escalations(
            case, x.clocks(case, as_of=as_of), ORG, as_of=as_of
        )
        handling = {(e.official, e.target) for e in told if e.clock == "handling"}
        assert handling == {
            ("d1-clerk", "responsible_person"),
            ("d1-head", "unit_head"),
            ("d1-pol", "lead_official"),
            ("hq-head", "superior_head"),
        }
        assert skipped == ()
        assert all("第三十九条" in e.reason for e in told)

    def test_excluded_superior_is_skipped_and_reported(self) -> None:
        """An interested superior head is passed over; with no one above, that is reported."""
        kin = x.responsibility.Interest(official="hq-head", petitioner="张三", note="亲属")
        case = self.overdue()
        as_of = D(2025, 5, 20)
        told, skipped = x.responsibility.escalations(
            case, x.clocks(case, as_of=as_of), ORG, as_of=as_of, interests=[kin]
        )
        assert "hq-head" not in {e.official for e in told}
        assert any(s.official == "hq-head" and RECUSAL in s.reason for s in skipped)


# ----------------------------------------------------------------- properties
@st.composite
def world(draw: st.DrawFn) -> tuple[x.Organization, tuple[x.responsibility.Interest, ...], x.Case]:
    org = draw(organizations())
    declared = tuple(draw(st.lists(interests(org), max_size=4)))
    case = draw(cases(org=org, interests=declared, max_steps=16))
    return org, declared, case


class TestNoOneExcludedGetsIn:
    """No operation sequence puts a recused or accused official in a chain (Arts. 28, 30)."""

    @given(world(), st.sampled_from(x.responsibility.AccusedScope))
    def test_holders_escalations_and_views(
        self,
        w: tuple[x.Organization, tuple[x.responsibility.Interest, ...], x.Case],
        scope: x.responsibility.AccusedScope,
    ) -> None:
        """No holder, plan owner or escalated official is excluded; the excluded see nothing."""
        org, declared, case = w
        assert x.replay(case.events) == case  # the chain replays from the events
        assert (
            serialization.from_json(serialization.to_json(case, reveal_personal_data=True)) == case
        )
        default = x.responsibility.DEFAULT_SCOPE
        if case.responsible_unit is not None:  # supervision from above it (Art. 40)
            above = org.ancestors(case.responsible_unit)
            for h in case.roles:
                if h.role is x.vocabulary.Role.SUPERVISOR:
                    assert org.official(h.holder).unit in above
        for h in case.roles:
            if h.role is x.vocabulary.Role.RESPONSIBLE_UNIT:
                assert h.holder not in case.accused_units
            else:
                assert (
                    x.responsibility.excluded(
                        h.holder, case, org, interests=declared, scope=default
                    )
                    is None
                )
        if case.plan is not None and case.plan.owner:
            assert x.responsibility.excluded(case.plan.owner, case, org, interests=declared) is None
        if case.plan is not None and case.plan.is_complete:
            assert case.plan.owner and case.plan.deadline and case.plan.measures
        as_of = case.events[-1].at.date() + dt.timedelta(days=40)
        try:
            clocks = x.clocks(case, as_of=as_of)
        except x.errors.CalendarRangeError:
            return
        told, skipped = x.responsibility.escalations(
            case, clocks, org, as_of=as_of, interests=declared, scope=scope
        )
        unit = x.responsibility.responsible_unit(case, org)
        for e in told:
            assert (
                x.responsibility.excluded(e.official, case, org, interests=declared, scope=scope)
                is None
            )
            if e.target == "superior_head":
                assert unit is not None
                assert org.official(e.official).unit in org.ancestors(unit)
        for s in skipped:
            assert s.reason
        for o in org.officials:
            if (
                x.responsibility.excluded(o.id, case, org, interests=declared, scope=scope)
                is not None
            ):
                assert not x.responsibility.can_view(
                    o.id, case, org, interests=declared, scope=scope
                )

    @given(organizations(), st.data())
    def test_supervisors_stay_above_the_responsible_unit(
        self, org: x.Organization, data: st.DataObject
    ) -> None:
        """No sequence of chain changes leaves a supervisor not above the responsible unit."""
        case = data.draw(cases(org=org, max_steps=2))
        # Supervisors come from units with units under them: draw from those.
        parents = {u.parent for u in org.units if u.parent}
        upper = [o.id for o in org.officials if o.unit in parents]
        people = st.sampled_from(upper or [o.id for o in org.officials] or ["nobody"])
        ops = st.one_of(
            st.builds(
                x.changes.AssignRole,
                role=st.just(x.vocabulary.Role.RESPONSIBLE_UNIT),
                holder=st.sampled_from([u.id for u in org.units]),
                reason=st.just("分工"),
            ),
            *(
                st.builds(
                    cls,
                    role=st.just(x.vocabulary.Role.SUPERVISOR),
                    holder=people,
                    reason=st.just("督办"),
                )
                for cls in (x.changes.AssignRole, x.changes.ReleaseRole)
            ),
        )
        at = case.events[-1].at
        for change in data.draw(st.lists(ops, max_size=12)):
            at += dt.timedelta(hours=1)
            try:
                case, _ = x.apply(case, change, at, org=org)
            except x.TransitionError:
                continue
            if case.responsible_unit is not None:
                above = org.ancestors(case.responsible_unit)
                for h in case.roles:
                    if h.role is x.vocabulary.Role.SUPERVISOR:
                        assert org.official(h.holder).unit in above, (h.holder, case.roles)

    @given(world(), st.data())
    def test_a_new_interest_reports_exactly_the_chains_it_breaks(
        self,
        w: tuple[x.Organization, tuple[x.responsibility.Interest, ...], x.Case],
        data: st.DataObject,
    ) -> None:
        """conflicts() lists each role the interested official holds in a touched case."""
        org, _, case = w
        new = data.draw(interests(org, (case.id,)))
        reported = x.responsibility.conflicts(new, [case], org)
        expected = {
            (case.id, h.role, h.holder)
            for h in case.roles
            if h.holder == new.official and new.touches(case)
        }
        assert {r for r in reported if r[1] is not None} == expected


class TestForwardingAnAccusation:
    """An accusation is never sent to the unit it accuses (Art. 30 ¶3)."""

    def test_forward_to_the_accused_unit_is_refused(self) -> None:
        """Forward or assign to the accused unit (or, with the org, a unit under it) is refused."""
        case = run(
            (
                register(
                    t(2025, 3, 3), category=x.vocabulary.Category.ACCUSATION, accused_units=["D1"]
                ),
                t(2025, 3, 3),
            )
        )
        with pytest.raises(x.errors.ConfidentialityError, match=SECRECY):
            x.apply(case, x.changes.Forward(to_unit="D1"), t(2025, 3, 4))
        with pytest.raises(x.errors.ConfidentialityError, match=SECRECY):
            x.apply(
                case,
                x.changes.Assign(to_unit="B11", report_back_by=D(2025, 4, 1)),
                t(2025, 3, 4),
                org=ORG,
            )
        sent, _ = x.apply(case, x.changes.Forward(to_unit="D2"), t(2025, 3, 4), org=ORG)
        assert sent.handling_unit == "D2"

    def test_an_accused_handling_unit_is_never_the_responsible_unit(self) -> None:
        """Registered at the accused unit: no fallback responsibility, the gap is reported."""
        case = run(
            (
                register(
                    t(2025, 3, 3),
                    receiving_unit="D1",
                    category=x.vocabulary.Category.ACCUSATION,
                    accused_units=["D1"],
                ),
                t(2025, 3, 3),
            )
        )
        assert x.responsibility.first_responsible(case, ORG) is None
        assert "no responsible unit (责任单位)" in x.responsibility.policy_gaps(
            case, ORG, x.responsibility.load_assignment_policy()
        )
