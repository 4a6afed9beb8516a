"""Extreme and wrongly typed input is refused by name, or accepted whole (issue #11, #22).

Every public constructor and entry point is fed extreme values (the ends of
the date range, huge numbers and texts, empty and invisible strings, control
characters) and values of the wrong type. Each refusal is a
:class:`~xinfang.XinfangError` of the kind the input calls for, names the
field path it refuses, and quotes at most a bounded prefix of the value
(:func:`xinfang.errors.quoted`); what is accepted round-trips.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xinfang as x
from xinfang.errors import QUOTE_LIMIT, quoted

from helpers import accepted_on, examples, register, t

D = dt.date
UTC = dt.UTC

#: Values far longer than an error message may quote.
HUGE = st.sampled_from(
    [
        "x" * 1000,
        "一" * 500,
        "\x00" * 300,
        10**200,
        list(range(100)),
        {str(i): i for i in range(100)},
    ]
)

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
    st.sampled_from(
        list(x.vocabulary.Route) + list(x.vocabulary.Category) + list(x.vocabulary.UnitKind)
    ),
    HUGE,
)


def attempt(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, x.XinfangError | None]:
    """``(fn's result, None)``, or ``(None, the XinfangError)``; any other exception escapes."""
    try:
        return fn(*args, **kwargs), None
    except x.XinfangError as exc:
        return None, exc


def names(exc: x.XinfangError, field: str) -> bool:
    """Whether the message names ``field`` as a step of a field path (``a.field[0].b: ...``)."""
    pattern = rf"(?<![\w]){re.escape(field)}(\[\d+\])?(\.[^\s:]*)?: "
    return re.search(pattern, str(exc)) is not None


def data_error(value: Any) -> tuple[type[x.XinfangError], ...]:
    """The error a field given ``value`` raises: a naive datetime may be named as such."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return (x.InvalidDataError, x.errors.NaiveDatetimeError)
    return (x.InvalidDataError,)


def bounded(exc: x.XinfangError, value: Any) -> bool:
    """Whether the message quotes no more of ``value`` than ``errors.quoted`` shows of it."""
    text = str(exc)
    n = len(quoted(value)) + 1  # all of a short value; a bounded prefix of a long one
    assert n <= QUOTE_LIMIT + 40, "errors.quoted itself is bounded"
    return all(len(shown) < n or shown[:n] not in text for shown in (repr(value), str(value)))


def refused(
    exc: x.XinfangError | None,
    kind: type[x.XinfangError] | tuple[type[x.XinfangError], ...],
    field: str,
    value: Any,
) -> None:
    """``exc`` is a ``kind`` naming ``field`` and quoting ``value`` within the limit."""
    assert isinstance(exc, kind), f"{type(exc).__name__}: {exc}"
    assert names(exc, field), f"{field} not named: {exc}"
    assert bounded(exc, value), f"quotes too much: {str(exc)[:200]}"


#: A valid instance of each change class, to vary one field at a time.
VALID_CHANGES: list[Any] = [
    register(t(2025, 3, 3)),
    x.changes.Categorize(category=x.vocabulary.Category.APPEAL),
    x.changes.Forward(to_unit="U"),
    x.changes.Assign(to_unit="U", report_back_by=D(2025, 4, 30)),
    x.changes.ReceiveForwarded(),
    x.changes.ApproveObjection(approved_by="信访局"),
    x.changes.ReturnMaterials(to_unit="信访局"),
    x.changes.ReportBack(summary="已办结"),
    x.changes.RecordAgreement(form=x.vocabulary.AgreementKind.MEDIATION, summary="调解"),
    x.changes.Decline(reason="r", route_told=x.vocabulary.Route.LITIGATION, body_told="法院"),
    x.changes.ObjectRemit(reason="r"),
    x.changes.Accept(),
    x.changes.Notify(),
    x.changes.Extend(days=10, approved_by="局长", reason="复杂"),
    x.changes.StartHearing(),
    x.changes.EndHearing(),
    x.changes.IssueOpinion(outcome=x.vocabulary.Outcome.SUPPORT, basis="b"),
    x.changes.RequestReview(to_unit="U"),
    x.changes.IssueReviewOpinion(outcome=x.vocabulary.Outcome.SUPPORT, basis="b"),
    x.changes.RequestReReview(to_unit="U"),
    x.changes.IssueReReviewOpinion(outcome=x.vocabulary.Outcome.SUPPORT, basis="b"),
    x.changes.Settle(evidence="e"),
    x.changes.Relapse(),
    x.changes.Withdraw(),
    x.changes.Rate(rating=x.vocabulary.Rating.SATISFIED),
    x.changes.AssignRole(role=x.vocabulary.Role.HANDLER, holder="o", reason="r"),
    x.changes.ReleaseRole(role=x.vocabulary.Role.HANDLER, holder="o", reason="r"),
    x.changes.SetPlan(plan=x.changes.SettlementPlan(owner="o")),
    x.changes.ReportProgress(done="走访", completes=(1,)),
]


def test_every_change_class_is_covered() -> None:
    """The list above has one valid instance of every change class."""
    assert {type(c) for c in VALID_CHANGES} == set(x.changes.CHANGE_TYPES)


class TestConstructors:
    """Constructors refuse bad values by name (or accept them for apply to refuse by name)."""

    @settings(max_examples=examples(300))
    @given(st.sampled_from(VALID_CHANGES), st.data(), WEIRD)
    def test_changes_and_apply(self, valid: Any, data: st.DataObject, value: Any) -> None:
        """A change with one field set to anything: refused naming it, or applied and replayed."""
        names_ = [a.name for a in attrs.fields(type(valid))]
        name = data.draw(st.sampled_from(names_))
        change, exc = attempt(attrs.evolve, valid, **{name: value})
        if change is None:
            refused(exc, data_error(value), name, value)
            return
        base = None if isinstance(change, x.changes.Register) else accepted_on(t(2025, 3, 3))
        found, exc = attempt(x.apply, base, change, t(2025, 3, 5))
        if found is None:
            if isinstance(exc, x.InvalidDataError):  # the event's check: change.<name>
                refused(exc, data_error(value), name, value)
            else:  # the law refuses the change here: it names its rule
                assert isinstance(exc, x.TransitionError), f"{type(exc).__name__}: {exc}"
                assert exc.rule
                assert bounded(exc, value)
            return
        case, event = found
        assert event.change == change
        assert x.replay(case.events) == case
        assert x.from_json(x.to_json(case, reveal_personal_data=True)) == case
        clocks, exc = attempt(x.clocks, case, as_of=D(2025, 6, 1))
        assert clocks is not None or isinstance(exc, x.errors.CalendarRangeError)

    @given(st.sampled_from(["name", "kind", "id_number", "phone", "address"]), WEIRD)
    def test_petitioner(self, field: str, value: Any) -> None:
        """A petitioner with one field set to anything: refused naming it, or round-trips."""
        p, exc = attempt(x.personal.Petitioner, **{"name": "张三", field: value})
        if p is None:
            refused(exc, data_error(value), field, value)
            return
        reg, exc = attempt(register, t(2025, 3, 3), petitioners=[p])
        if reg is None:  # the registration checks what the petitioner let through
            refused(exc, x.InvalidDataError, field, value)
            assert isinstance(exc, x.InvalidDataError)
            assert any(path == f"petitioners[0].{field}" for path, _ in exc.problems)
            return
        case, _ = x.open_case(reg, t(2025, 3, 3))
        assert case.petitioners == (p,)
        assert x.from_dict(x.to_dict(p, reveal_personal_data=True), x.personal.Petitioner) == p

    @given(WEIRD, WEIRD)
    def test_event(self, seq: Any, at: Any) -> None:
        """An event with any sequence number and instant: refused naming one, or round-trips."""
        event, exc = attempt(x.Event, seq=seq, at=at, by="clerk", change=x.changes.Notify())
        if event is None:
            assert isinstance(exc, x.InvalidDataError | x.errors.NaiveDatetimeError), repr(exc)
            assert names(exc, "seq") or names(exc, "at"), str(exc)
            assert bounded(exc, seq)
            assert bounded(exc, at)
            return
        assert event.seq == seq
        assert x.from_dict(x.to_dict(event), x.Event) == event

    @given(WEIRD, st.sampled_from(list(x.periods.PeriodUnit)))
    def test_period(self, amount: Any, unit: x.periods.PeriodUnit) -> None:
        """A period of any amount: a PeriodError naming period.amount, or one that reads back."""
        period, exc = attempt(x.periods.Period, amount, unit)
        days, days_exc = attempt(x.periods.Period.days, amount)
        if period is None:
            refused(exc, x.errors.PeriodError, "amount", amount)
            assert exc is not None
            assert exc.path == "period.amount"
            refused(days_exc, x.errors.PeriodError, "amount", amount)
        else:
            assert (period.amount, period.unit) == (amount, unit)
            assert x.periods.Period.parse(str(period)) == period
            assert days == x.periods.Period(amount, x.periods.PeriodUnit.DAYS)
        if isinstance(amount, str):
            parsed, exc = attempt(x.periods.Period.parse, amount)
            if parsed is None:
                refused(exc, x.errors.PeriodError, "period", amount)
            else:
                assert x.periods.Period.parse(str(parsed)) == parsed

    @given(st.sampled_from([a.name for a in attrs.fields(x.CaseFacts)]), WEIRD)
    def test_case_facts_and_classify(self, field: str, value: Any) -> None:
        """Facts with one field set to anything: refused naming it, or classified and read back."""
        facts, exc = attempt(x.CaseFacts, **{field: value})
        if facts is None:
            refused(exc, data_error(value), field, value)
        else:
            back = x.from_dict(x.to_dict(facts), x.CaseFacts)
            assert back == facts
            assert x.classify(back) == x.classify(facts)
        result, exc = attempt(x.classify, value)
        assert result is None, "classify takes CaseFacts only"
        refused(exc, x.InvalidDataError, "facts", value)

    @given(st.sampled_from(["id", "name", "level", "parent", "kind"]), WEIRD)
    def test_organization(self, field: str, value: Any) -> None:
        """An organisation whose one unit has one field set to anything: refused naming it."""
        unit, exc = attempt(
            x.responsibility.Unit, **{"id": "U", "name": "单位", "level": "city", field: value}
        )
        if unit is None:
            refused(exc, (*data_error(value), x.errors.OrganizationError), field, value)
            return
        org, exc = attempt(x.Organization, levels=["city"], units=[unit])
        if org is None:
            refused(exc, x.errors.OrganizationError, field, value)
            assert exc is not None
            assert exc.path is not None
            assert exc.path.startswith("units")
            return
        assert org.units == (unit,)
        assert x.from_dict(x.to_dict(org), x.Organization) == org


class TestEntryPoints:
    """The functions a host calls, with extreme and wrongly typed arguments."""

    @given(WEIRD, WEIRD)
    def test_due_date(self, start: Any, amount: Any) -> None:
        """due_date(start, Period.days(n)) for any start and n: refused naming start, or later."""
        period, exc = attempt(x.periods.Period.days, amount)
        if period is None:
            refused(exc, x.errors.PeriodError, "amount", amount)
        else:
            due, exc = attempt(x.due_date, start, period)
            if due is None:
                assert isinstance(exc, x.XinfangError)
                assert bounded(exc, start)
                assert bounded(exc, amount)
            else:
                assert due.period == period
                assert due.last_day >= due.start
        due, exc = attempt(x.due_date, start, x.periods.Period.days(1))
        if due is None:  # not a date (start), or past the calendar (start, date or due)
            assert isinstance(
                exc,
                x.errors.PeriodError | x.errors.NaiveDatetimeError | x.errors.CalendarRangeError,
            )
            assert exc.path in {"start", "date", "due"}, str(exc)
            assert bounded(exc, start)
        else:
            assert isinstance(start, D)  # a date, or an aware instant (its day in Shanghai)
            assert due.last_day > due.start

    @given(WEIRD)
    def test_clocks_and_stage(self, as_of: Any) -> None:
        """clocks, clock_table and stage_as_of as of anything: refused naming as_of, or agreeing."""
        case = accepted_on(t(2025, 3, 3))
        one, exc = attempt(x.clocks, case, as_of=as_of)
        table, table_exc = attempt(x.clock_table, [case], as_of=as_of)
        stage, stage_exc = attempt(x.deadlines.stage_as_of, case, as_of)
        if one is None:
            assert exc is not None
            assert table is None
            assert type(exc) is type(table_exc)
            if isinstance(exc, x.errors.CalendarRangeError):  # a date past the calendar's data
                assert exc.path in {"as_of", "date"}
            else:
                assert exc.path == "as_of", str(exc)
            assert bounded(exc, as_of)
        else:
            assert table is not None
            assert table.to_clocks() == list(one)
        assert stage is not None or stage_exc is not None
        if stage_exc is not None:
            assert names(stage_exc, "as_of"), str(stage_exc)

    @given(WEIRD, WEIRD)
    def test_apply_and_replay(self, case: Any, at: Any) -> None:
        """Apply and replay on anything: refused naming case, at or events; or replayed whole."""
        found, exc = attempt(x.apply, case, x.changes.Notify(), t(2025, 3, 5))
        assert found is None, "not a case"
        assert isinstance(exc, x.TransitionError)
        assert exc.path is not None
        assert exc.path.split("[")[0] in {"case", "events"}, exc.path
        assert bounded(exc, case)
        found, exc = attempt(x.apply, accepted_on(t(2025, 3, 3)), x.changes.Notify(), at)
        if found is None:
            assert isinstance(
                exc, x.InvalidDataError | x.errors.NaiveDatetimeError | x.TransitionError
            )
            assert names(exc, "at") or isinstance(exc, x.TransitionError), str(exc)
            assert bounded(exc, at)
        else:
            applied, _ = found
            assert x.replay(applied.events) == applied
        replayed, exc = attempt(x.replay, case)
        assert replayed is None, "not a list of events"
        assert isinstance(exc, x.TransitionError)
        assert exc.path is not None
        assert exc.path.startswith("events")
        assert bounded(exc, case)

    @given(WEIRD, WEIRD)
    def test_china_mainland(self, provisional: Any, through: Any) -> None:
        """china_mainland with any arguments: refused naming the argument, or a calendar."""
        for kwargs in (
            {"provisional": provisional, "provisional_through": through},
            {"provisional": True, "provisional_through": through},
        ):
            cal, exc = attempt(x.china_mainland, **kwargs)
            if cal is None:
                assert isinstance(exc, x.errors.CalendarDataError)
                assert exc.path in {"provisional", "provisional_through"}
                assert bounded(exc, kwargs[exc.path])
            else:
                assert isinstance(cal, x.WorkCalendar)
                assert isinstance(through, int)

    @settings(max_examples=examples(200))
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
        """A rulebook limit with one key set to anything: refused naming the key, or it runs."""
        limit: dict[str, Any] = {
            "title": "办结",
            "period": "60日",
            "starts": "accepted",
            "ends": ["opinion_issued"],
            "citation": "c",
        }
        limit[field] = value
        rb, exc = attempt(
            x.load_rulebook,
            {"id": "r", "title": "t", "version": "1", "limits": {"handling": limit}},
        )
        if rb is None:
            refused(exc, x.errors.RulebookError, field, value)
            assert exc is not None
            assert exc.path is not None
            assert exc.path.startswith(f"limits.handling.{field}")
            return
        clocks, exc = attempt(
            x.clocks, accepted_on(t(2025, 3, 3)), as_of=D(2025, 6, 1), rulebook=rb
        )
        assert clocks is not None or isinstance(exc, x.errors.CalendarRangeError)


class TestWorkedExamples:
    """The cases the issue names, one by one."""

    def test_overflow_is_a_calendar_range_error(self) -> None:
        """due_date(9999-12-31, 1日) has no day to end on."""
        with pytest.raises(x.errors.CalendarRangeError):
            x.due_date(D(9999, 12, 31), x.periods.Period.days(1))

    def test_periods_have_a_maximum(self) -> None:
        """Period.days(3_000_000) and a rulebook's 99999999999999999999日 are refused."""
        assert x.periods.MAX_PERIOD_AMOUNT == 36_600
        x.periods.Period.days(36_600)
        with pytest.raises(x.errors.PeriodError):
            x.periods.Period.days(3_000_000)
        with pytest.raises(x.errors.RulebookError) as err:
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
            x.personal.Petitioner(name=name)
        assert err.value.problems[0][0] == "name"

    def test_provisional_through_must_be_a_year(self) -> None:
        """china_mainland(provisional_through="abc") is a CalendarDataError."""
        with pytest.raises(x.errors.CalendarDataError) as err:
            x.china_mainland(provisional_through="abc")  # type: ignore[arg-type]
        assert err.value.path == "provisional_through"

    def test_clocks_names_as_of(self) -> None:
        """clocks(as_of="2025-05-01") names as_of, not start."""
        with pytest.raises(x.XinfangError) as err:
            x.clocks(accepted_on(t(2025, 3, 3)), as_of="2025-05-01")  # type: ignore[arg-type]
        assert err.value.path == "as_of"
