"""Extreme and wrongly typed input never escapes as a raw exception (issue #11).

Every public constructor and entry point is fed extreme values (the ends of
the date range, huge numbers, empty and invisible strings, control
characters) and values of the wrong type; only :class:`~xinfang.XinfangError`
subclasses may come out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xinfang as x

from helpers import accepted_on, register, t

D = dt.date
UTC = dt.UTC

#: Values of every shape: the extremes of each type and the wrong types.
WEIRD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, -1, 10**30, 2**63, 36_601, True, False]),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(["", " ", "\u200b", "\x00", "abc", "2025-05-01", "99999999999999999999日"]),
    st.binary(max_size=4),
    st.dates(),
    st.sampled_from([D.min, D.max]),
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(),  # naive
    st.sampled_from([dt.datetime.min.replace(tzinfo=UTC), dt.datetime.max.replace(tzinfo=UTC)]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.sampled_from(list(x.Route) + list(x.Category) + list(x.UnitKind)),
)


def only_domain_errors(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; any exception must be a XinfangError."""
    try:
        return fn(*args, **kwargs)
    except x.XinfangError:
        return None


#: A valid instance of each change class, to vary one field at a time.
VALID_CHANGES: list[Any] = [
    register(t(2025, 3, 3)),
    x.Categorize(category=x.Category.APPEAL),
    x.Forward(to_unit="U"),
    x.Assign(to_unit="U", report_back_by=D(2025, 4, 30)),
    x.ReceiveForwarded(),
    x.ApproveObjection(approved_by="信访局"),
    x.ReturnMaterials(to_unit="信访局"),
    x.ReportBack(summary="已办结"),
    x.RecordAgreement(form=x.AgreementKind.MEDIATION, summary="调解"),
    x.Decline(reason="r", route_told=x.Route.LITIGATION, body_told="法院"),
    x.ObjectRemit(reason="r"),
    x.Accept(),
    x.Notify(),
    x.Extend(days=10, approved_by="局长", reason="复杂"),
    x.StartHearing(),
    x.EndHearing(),
    x.IssueOpinion(outcome=x.Outcome.SUPPORT, basis="b"),
    x.RequestReview(to_unit="U"),
    x.IssueReviewOpinion(outcome=x.Outcome.SUPPORT, basis="b"),
    x.RequestReReview(to_unit="U"),
    x.IssueReReviewOpinion(outcome=x.Outcome.SUPPORT, basis="b"),
    x.Settle(evidence="e"),
    x.Relapse(),
    x.Withdraw(),
    x.Rate(rating=x.Rating.SATISFIED),
    x.AssignRole(role=x.Role.HANDLER, holder="o", reason="r"),
    x.ReleaseRole(role=x.Role.HANDLER, holder="o", reason="r"),
    x.SetPlan(plan=x.SettlementPlan(owner="o")),
    x.ReportProgress(done="走访", completes=(1,)),
]


def test_every_change_class_is_covered() -> None:
    """The list above has one valid instance of every change class."""
    assert {type(c) for c in VALID_CHANGES} == set(x.changes.CHANGE_TYPES)


class TestConstructors:
    """Constructors refuse bad values with domain errors (or accept them for apply to refuse)."""

    @settings(max_examples=300)
    @given(st.sampled_from(VALID_CHANGES), st.data(), WEIRD)
    def test_changes_and_apply(self, valid: Any, data: st.DataObject, value: Any) -> None:
        """A change with one field set to anything: constructed, applied, replayed."""
        names = [a.name for a in attrs.fields(type(valid))]
        name = data.draw(st.sampled_from(names))
        change = only_domain_errors(attrs.evolve, valid, **{name: value})
        if change is None:
            return
        base = None if isinstance(change, x.Register) else accepted_on(t(2025, 3, 3))
        found = only_domain_errors(x.apply, base, change, t(2025, 3, 5))
        if found is not None:
            case, _ = found
            only_domain_errors(x.replay, case.events)
            only_domain_errors(x.clocks, case, as_of=D(2025, 6, 1))

    @given(st.sampled_from(["name", "kind", "id_number", "phone", "address"]), WEIRD)
    def test_petitioner(self, field: str, value: Any) -> None:
        """A petitioner with one field set to anything."""
        p = only_domain_errors(x.Petitioner, **{"name": "张三", field: value})
        if p is not None:
            reg = only_domain_errors(register, t(2025, 3, 3), petitioners=[p])
            if reg is not None:
                only_domain_errors(x.open_case, reg, t(2025, 3, 3))

    @given(WEIRD, WEIRD)
    def test_event(self, seq: Any, at: Any) -> None:
        """An event with any sequence number and instant."""
        only_domain_errors(x.Event, seq=seq, at=at, by="clerk", change=x.Notify())

    @given(WEIRD, st.sampled_from(list(x.PeriodUnit)))
    def test_period(self, amount: Any, unit: x.PeriodUnit) -> None:
        """A period of any amount."""
        only_domain_errors(x.Period, amount, unit)
        only_domain_errors(x.Period.days, amount)
        if isinstance(amount, str):
            only_domain_errors(x.Period.parse, amount)

    @given(st.sampled_from([a.name for a in attrs.fields(x.CaseFacts)]), WEIRD)
    def test_case_facts_and_classify(self, field: str, value: Any) -> None:
        """Facts with one field set to anything, then classified."""
        facts = only_domain_errors(x.CaseFacts, **{field: value})
        if facts is not None:
            only_domain_errors(x.classify, facts)
        only_domain_errors(x.classify, value)

    @given(st.sampled_from(["id", "name", "level", "parent", "kind"]), WEIRD)
    def test_organization(self, field: str, value: Any) -> None:
        """An organisation whose one unit has one field set to anything."""
        unit = only_domain_errors(
            x.Unit, **{"id": "U", "name": "单位", "level": "city", field: value}
        )
        if unit is not None:
            only_domain_errors(x.Organization, levels=["city"], units=[unit])


class TestEntryPoints:
    """The functions a host calls, with extreme and wrongly typed arguments."""

    @given(WEIRD, WEIRD)
    def test_due_date(self, start: Any, amount: Any) -> None:
        """due_date(start, Period.days(n)) for any start and n."""
        period = only_domain_errors(x.Period.days, amount)
        if period is not None:
            only_domain_errors(x.due_date, start, period)
        only_domain_errors(x.due_date, start, x.Period.days(1))

    @given(WEIRD)
    def test_clocks_and_stage(self, as_of: Any) -> None:
        """clocks, clock_table, stage_as_of and limit_due as of anything."""
        case = accepted_on(t(2025, 3, 3))
        only_domain_errors(x.clocks, case, as_of=as_of)
        only_domain_errors(x.clock_table, [case], as_of=as_of)
        only_domain_errors(x.stage_as_of, case, as_of)

    @given(WEIRD, WEIRD)
    def test_apply_and_replay(self, case: Any, at: Any) -> None:
        """Apply and replay on anything."""
        only_domain_errors(x.apply, case, x.Notify(), t(2025, 3, 5))
        only_domain_errors(x.apply, accepted_on(t(2025, 3, 3)), x.Notify(), at)
        only_domain_errors(x.replay, case)

    @given(WEIRD, WEIRD)
    def test_china_mainland(self, provisional: Any, through: Any) -> None:
        """china_mainland with any arguments."""
        only_domain_errors(x.china_mainland, provisional=provisional, provisional_through=through)
        only_domain_errors(x.china_mainland, provisional=True, provisional_through=through)

    @settings(max_examples=200)
    @given(
        st.sampled_from(
            [
                "period",
                "starts",
                "ends",
                "stops",
                "binds",
                "kind",
                "due_on",
                "applies_to",
                "waived_if_identity_unclear",
                "pauses_for_hearing",
                "obligor",
            ]
        ),
        WEIRD,
    )
    def test_rulebook(self, field: str, value: Any) -> None:
        """A rulebook limit with one key set to anything: it loads and runs, or is refused."""
        limit: dict[str, Any] = {
            "title": "办结",
            "period": "60日",
            "starts": "accepted",
            "ends": ["opinion_issued"],
            "citation": "c",
        }
        limit[field] = value
        rb = only_domain_errors(
            x.load_rulebook,
            {"id": "r", "title": "t", "version": "1", "limits": {"handling": limit}},
        )
        if rb is not None:
            only_domain_errors(
                x.clocks, accepted_on(t(2025, 3, 3)), as_of=D(2025, 6, 1), rulebook=rb
            )


class TestWorkedExamples:
    """The cases the issue names, one by one."""

    def test_overflow_is_a_calendar_range_error(self) -> None:
        """due_date(9999-12-31, 1日) has no day to end on."""
        with pytest.raises(x.CalendarRangeError):
            x.due_date(D(9999, 12, 31), x.Period.days(1))

    def test_periods_have_a_maximum(self) -> None:
        """Period.days(3_000_000) and a rulebook's 99999999999999999999日 are refused."""
        assert x.periods.MAX_PERIOD_AMOUNT == 36_600
        x.Period.days(36_600)
        with pytest.raises(x.PeriodError):
            x.Period.days(3_000_000)
        with pytest.raises(x.RulebookError) as err:
            x.load_rulebook(
                {
                    "id": "r",
                    "title": "t",
                    "version": "1",
                    "limits": {
                        "handling": {
                            "title": "办结",
                            "period": "99999999999999999999日",
                            "starts": "accepted",
                            "ends": ["opinion_issued"],
                            "citation": "c",
                        }
                    },
                }
            )
        assert err.value.path == "limits.handling.period"

    def test_group_size_true_is_refused(self) -> None:
        """Bool is not an int here."""
        with pytest.raises(x.InvalidDataError, match="group_size"):
            register(t(2025, 3, 3), group_size=True)

    @pytest.mark.parametrize(
        "name", ["", "   ", "\u200b\u200b", "\u200b \ufeff", "张\x00三", "李四\n"]
    )
    def test_bad_names_are_refused_with_the_field(self, name: str) -> None:
        """Empty after stripping, only zero-width characters, or a control character."""
        with pytest.raises(x.InvalidDataError) as err:
            x.Petitioner(name=name)
        assert err.value.problems[0][0] == "name"

    def test_provisional_through_must_be_a_year(self) -> None:
        """china_mainland(provisional_through="abc") is a CalendarDataError."""
        with pytest.raises(x.CalendarDataError) as err:
            x.china_mainland(provisional_through="abc")  # type: ignore[arg-type]
        assert err.value.path == "provisional_through"

    def test_clocks_names_as_of(self) -> None:
        """clocks(as_of="2025-05-01") names as_of, not start."""
        with pytest.raises(x.XinfangError) as err:
            x.clocks(accepted_on(t(2025, 3, 3)), as_of="2025-05-01")  # type: ignore[arg-type]
        assert err.value.path == "as_of"
