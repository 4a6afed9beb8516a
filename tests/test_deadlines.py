"""Clocks: one status table for both paths; the vector table equals clocks(); limit edge rules."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from xinfang.case import MILESTONE_NAMES
from xinfang.deadlines import (
    CODES,
    STATUS_RULES,
    STATUSES,
    CaseColumns,
    Fact,
    clock_parts,
    status_codes,
    status_of,
)
from xinfang.periods import period_end, period_end_array
from xinfang.strategies import cases, work_calendars

from helpers import OPINION, clock, register, rereview_steps, run, t

D = dt.date
#: Every combination of facts, each as a set.
EVERY_FACT_SET = [
    frozenset(f for f, on in zip(Fact, bits, strict=True) if on)
    for bits in itertools.product((False, True), repeat=len(Fact))
]


def first_row(facts: frozenset[Fact]) -> int:
    """The index of the first row of STATUS_RULES that matches ``facts``."""
    return next(i for i, r in enumerate(STATUS_RULES) if r.when <= facts and not r.unless & facts)


class TestStatusRules:
    """The status rules exist once, as a table; both evaluators read it."""

    def test_every_status_is_produced_by_some_row(self) -> None:
        """Each ClockStatus is the status of a row that some facts select first."""
        reached = {first_row(facts) for facts in EVERY_FACT_SET}
        assert {STATUS_RULES[i].status for i in reached} == set(x.ClockStatus)
        assert {r.status for r in STATUS_RULES} == set(x.ClockStatus)

    def test_every_row_is_reachable(self) -> None:
        """No row is shadowed by the rows before it."""
        assert {first_row(facts) for facts in EVERY_FACT_SET} == set(range(len(STATUS_RULES)))

    def test_shape_closing_rows_first_calendar_facts_only_when_open(self) -> None:
        """Closing rows come first; only rows leaving a clock open test DUE_SOON; then a default."""
        first_open = next(i for i, r in enumerate(STATUS_RULES) if r.status.is_open)
        assert all(not r.status.is_open for r in STATUS_RULES[:first_open])
        assert all(r.status.is_open for r in STATUS_RULES[first_open:])
        assert all(Fact.DUE_SOON not in r.when | r.unless for r in STATUS_RULES[:first_open])
        assert not STATUS_RULES[-1].when and not STATUS_RULES[-1].unless

    def test_scalar_evaluator_is_first_match(self) -> None:
        """status_of gives the status of the first matching row, for every combination."""
        for facts in EVERY_FACT_SET:
            assert status_of(facts) is STATUS_RULES[first_row(facts)].status

    def test_vector_evaluator_equals_scalar_evaluator(self) -> None:
        """status_codes over all combinations as columns equals status_of on each."""
        columns = {f: np.array([f in fs for fs in EVERY_FACT_SET]) for f in Fact}
        codes = status_codes(columns, len(EVERY_FACT_SET))
        assert [STATUSES[c] for c in codes] == [status_of(fs) for fs in EVERY_FACT_SET]

    @given(st.sets(st.sampled_from(list(Fact))), st.sets(st.sampled_from(list(Fact))))
    def test_vector_evaluator_takes_flags_for_all(self, fixed: set[Fact], on: set[Fact]) -> None:
        """A fact given as one flag for every element reads like a column of that flag."""
        columns: dict[Fact, bool | npt.NDArray[np.bool_]] = {
            f: (f in on) if f in fixed else np.array([f in fs for fs in EVERY_FACT_SET])
            for f in Fact
        }
        expect = [
            status_of({f for f in Fact if (f in on if f in fixed else f in fs)})
            for fs in EVERY_FACT_SET
        ]
        codes = status_codes(columns, len(EVERY_FACT_SET))
        assert [STATUSES[c] for c in codes] == expect

    def test_closing_rows_then_open_rows_is_the_whole_table(self) -> None:
        """Deciding closed clocks first, then the open ones with DUE_SOON, changes nothing."""
        first_open = next(i for i, r in enumerate(STATUS_RULES) if r.status.is_open)
        for facts in EVERY_FACT_SET:
            without = {f: f in facts for f in Fact if f is not Fact.DUE_SOON}
            (closed,) = status_codes(without, 1, STATUS_RULES[:first_open])
            (opened,) = status_codes({f: f in facts for f in Fact}, 1, STATUS_RULES[first_open:])
            got = STATUSES[closed] if closed >= 0 else STATUSES[opened]
            assert got is status_of(facts)

    def test_no_row_matches(self) -> None:
        """A table without a default row says so rather than inventing a status."""
        with pytest.raises(x.XinfangError, match="no status rule matches"):
            status_of(set(), STATUS_RULES[:-1])
        assert list(status_codes(dict.fromkeys(Fact, False), 2, STATUS_RULES[:-1])) == [-1, -1]


class TestClockTable:
    """clock_table(cases) is clocks(case) for every case, as columns."""

    @given(st.lists(cases(), max_size=6), st.dates(D(2021, 1, 1), D(2026, 12, 31)))
    def test_table_equals_scalar_clocks(self, many: list[x.Case], as_of: dt.date) -> None:
        """Same clocks, same order, same statuses; or the same error."""
        try:
            expect = [c for case in many for c in x.clocks(case, as_of=as_of)]
        except x.XinfangError as exc:
            with pytest.raises(type(exc)):
                x.clock_table(many, as_of=as_of)
            return
        table = x.clock_table(many, as_of=as_of)
        assert table.to_clocks() == expect
        assert len(table) == len(expect)
        counts = table.counts()
        assert sum(counts.values()) == len(expect)
        for status, n in counts.items():
            assert n == sum(1 for c in expect if c.status is status)

    @given(
        st.lists(cases(), max_size=4),
        st.sampled_from(x.rulebook.bundled_rulebooks()),
        st.dates(D(2021, 1, 1), D(2026, 12, 31)),
        st.integers(0, 12),
    )
    def test_table_equals_scalar_for_any_day_threshold_and_rulebook(
        self, many: list[x.Case], rb_id: str, as_of: dt.date, due_soon: int
    ) -> None:
        """Under every bundled rulebook, as of any day and due-soon threshold; or the same error.

        And as of 2026-06-30 with the default threshold, the equality holds with no
        error at all. One test draws the cases and rulebook for both checks (they were
        two tests drawing the same strategies): drawing the cases is most of the cost.
        """
        rb = x.bundled_rulebook(rb_id)
        late = D(2026, 6, 30)
        expect = [c for case in many for c in x.clocks(case, as_of=late, rulebook=rb)]
        assert x.clock_table(many, as_of=late, rulebook=rb).to_clocks() == expect
        try:
            expect = [
                c
                for case in many
                for c in x.clocks(case, as_of=as_of, rulebook=rb, due_soon=due_soon)
            ]
        except x.XinfangError as exc:
            with pytest.raises(type(exc)):
                x.clock_table(many, as_of=as_of, rulebook=rb, due_soon=due_soon)
            return
        table = x.clock_table(many, as_of=as_of, rulebook=rb, due_soon=due_soon)
        assert table.to_clocks() == expect

    def test_empty(self) -> None:
        """No cases, no rows."""
        assert len(x.clock_table([], as_of=D(2025, 1, 1))) == 0

    def test_a_closed_clock_needs_no_calendar(self) -> None:
        """Met and lapsed clocks as of a day past the calendar: no CalendarRangeError."""
        case = run(
            (register(t(2025, 2, 3)), t(2025, 2, 3)),
            (x.changes.Notify(), t(2025, 2, 3)),
            (x.changes.Accept(), t(2025, 2, 3)),
            (OPINION, t(2025, 3, 3)),
        )
        later = D(2040, 1, 1)
        cal = x.china_mainland()
        assert not cal.covers(later)
        found = x.clocks(case, as_of=later, calendar=cal)
        assert found and not any(c.status.is_open for c in found)
        assert x.clock_table([case], as_of=later, calendar=cal).to_clocks() == list(found)
        still_open = run((register(t(2025, 2, 3)), t(2025, 2, 3)))
        with pytest.raises(x.errors.CalendarRangeError):
            x.clocks(still_open, as_of=later, calendar=cal)
        with pytest.raises(x.errors.CalendarRangeError):
            x.clock_table([case, still_open], as_of=later, calendar=cal)


class TestColumns:
    """The engine's column API reads the case values, per call."""

    @given(st.lists(cases(), max_size=5), st.dates(D(2021, 1, 1), D(2026, 12, 31)))
    def test_columns_are_the_case_values(self, many: list[x.Case], day: dt.date) -> None:
        """Each column holds what each case (as it stood on the day) says."""
        columns = CaseColumns(many, day, drop_unregistered=True)
        then = columns.cases
        kept = [
            x.replay([e for e in c.events if e.at.date() <= day])
            for c in many
            if c.on.received <= day and any(e.at.date() <= day for e in c.events)
        ]
        assert then == kept
        for name in MILESTONE_NAMES:
            days = [getattr(c.on, name) for c in then]
            assert columns[name].tolist() == [d.toordinal() if d else 0 for d in days]
        for name in ("route", "category", "procedure", "channel", "stage", "rating"):
            assert columns[name].tolist() == [CODES[getattr(c, name)] for c in then]
        assert columns["hearings"].tolist() == [len(c.hearings) for c in then]
        assert columns["is_settled"].tolist() == [int(c.settled) for c in then]
        plans = [0 if c.plan is None else 1 + c.plan.is_complete for c in then]
        assert columns["plan"].tolist() == plans
        rows = np.arange(len(then))[::2]
        extension, plan, rating = columns.at(rows, "extension_days", "plan", "rating")
        assert extension.tolist() == [then[k].extension_days for k in rows.tolist()]
        assert plan.tolist() == [plans[k] for k in rows.tolist()]
        assert rating.tolist() == [CODES[then[k].rating] for k in rows.tolist()]

    def test_an_unknown_column_is_named(self) -> None:
        """Asking for a column that does not exist names it."""
        case = run((register(t(2025, 2, 3)), t(2025, 2, 3)))
        with pytest.raises(x.XinfangError, match="'luck'"):
            CaseColumns([case], D(2025, 3, 1))["luck"]

    def test_parts_join_into_the_table(self) -> None:
        """clock_parts' rows, limit by limit, are the clock_table's rows."""
        case = run((register(t(2025, 2, 3)), t(2025, 2, 3)), (x.changes.Accept(), t(2025, 2, 4)))
        day = D(2025, 3, 1)
        parts = clock_parts(
            CaseColumns([case], day), rulebook=x.bundled_rulebook(), calendar=x.china_mainland()
        )
        table = x.clock_table([case], as_of=day)
        assert [p.limit.key for p in parts] == [table.keys[i] for i in table.limit.tolist()]
        assert [int(p.due[0]) for p in parts] == [
            D.fromisoformat(str(d)).toordinal() for d in table.due
        ]


RULES = st.builds(
    x.periods.CountingRule,
    exclude_start_day=st.booleans(),
    roll_forward=st.booleans(),
    weekend_is_rest_day=st.booleans(),
)
PERIODS = st.builds(
    x.periods.Period, st.integers(0, 70), st.sampled_from(list(x.periods.PeriodUnit))
)


class TestPeriodEndArray:
    """period_end_array is period_end, element by element (the column path's due dates)."""

    @given(
        st.lists(st.dates(D(2003, 12, 20), D(2027, 1, 10)), max_size=8),
        PERIODS,
        RULES,
        st.data(),
    )
    def test_equals_period_end(
        self,
        days: list[dt.date],
        period: x.periods.Period,
        rule: x.periods.CountingRule,
        data: st.DataObject,
    ) -> None:
        """Same nominal day, last day and provisional flag; or the first element's error."""
        cal = data.draw(st.sampled_from([x.china_mainland(), x.china_mainland(provisional=True)]))
        extra = data.draw(st.lists(st.integers(0, 40), min_size=len(days), max_size=len(days)))
        expect = []
        for d, e in zip(days, extra, strict=True):
            try:
                expect.append(period_end(d, period, cal, rule, e))
            except (x.XinfangError, OverflowError) as exc:
                with pytest.raises(type(exc), match=re.escape(str(exc))):
                    period_end_array([d.toordinal() for d in days], period, cal, rule, extra)
                return
        dtype = data.draw(st.sampled_from([np.int32, np.int64]))
        nominal, last, provisional = period_end_array(
            np.array([d.toordinal() for d in days], dtype=dtype),
            period,
            cal,
            rule,
            np.array(extra, dtype=dtype),
        )
        got = [
            (D.fromordinal(a), D.fromordinal(b), bool(p))
            for a, b, p in zip(nominal.tolist(), last.tolist(), provisional.tolist(), strict=True)
        ]
        assert got == expect

    @given(
        st.lists(st.dates(D(2019, 1, 1), D(2027, 12, 31)), max_size=8),
        PERIODS,
        RULES,
        work_calendars(min_year=2020, max_year=2026, max_span_days=3 * 366),
        st.data(),
    )
    def test_outside_marks_exactly_what_period_end_refuses(
        self,
        days: list[dt.date],
        period: x.periods.Period,
        rule: x.periods.CountingRule,
        cal: x.WorkCalendar,
        data: st.DataObject,
    ) -> None:
        """With ``outside``: the elements period_end refuses are marked, the others equal."""
        extra = data.draw(st.lists(st.integers(0, 40), min_size=len(days), max_size=len(days)))
        expect: list[tuple[dt.date, dt.date, bool] | None] = []
        for d, e in zip(days, extra, strict=True):
            try:
                expect.append(period_end(d, period, cal, rule, e))
            except x.errors.CalendarRangeError:
                expect.append(None)
        outside = np.zeros(len(days), dtype=bool)
        nominal, last, provisional = period_end_array(
            np.array([d.toordinal() for d in days], dtype=np.int64),
            period,
            cal,
            rule,
            np.array(extra, dtype=np.int64),
            outside=outside,
        )
        assert outside.tolist() == [e is None for e in expect]
        got = [
            None if out else (D.fromordinal(a), D.fromordinal(b), bool(p))
            for a, b, p, out in zip(
                nominal.tolist(), last.tolist(), provisional.tolist(), outside, strict=True
            )
        ]
        assert got == expect

    def test_outside_marks_a_roll_past_the_calendar(self) -> None:
        """Extra days roll a working-day period past the calendar's end: only that day is marked."""
        cal = x.WorkCalendar(name="january", first=D(2024, 1, 1), last=D(2024, 1, 31))
        days = [D(2024, 1, 2), D(2024, 1, 22)]
        outside = np.zeros(2, dtype=bool)
        _, last, _ = period_end_array(
            [d.toordinal() for d in days],
            x.periods.Period.working_days(5),
            cal,
            x.periods.CountingRule(),
            np.array([1, 6]),
            outside=outside,
        )
        with pytest.raises(x.errors.CalendarRangeError):
            period_end(days[1], x.periods.Period.working_days(5), cal, x.periods.CountingRule(), 6)
        assert outside.tolist() == [False, True]
        first = period_end(
            days[0], x.periods.Period.working_days(5), cal, x.periods.CountingRule(), 1
        )
        assert D.fromordinal(int(last[0])) == first[1]

    def test_one_extra_for_all(self) -> None:
        """A single extra_days applies to every day."""
        days = [D(2025, 1, 2).toordinal(), D(2025, 9, 28).toordinal()]
        rule = x.periods.CountingRule()
        _, last, _ = period_end_array(days, x.periods.Period.days(30), x.china_mainland(), rule, 10)
        assert [D.fromordinal(d) for d in last.tolist()] == [
            period_end(D.fromordinal(d), x.periods.Period.days(30), x.china_mainland(), rule, 10)[1]
            for d in days
        ]


class TestLimitEdges:
    """Edge rules of the limits, each with its article."""

    def test_one_day_hearing_pauses_one_day(self) -> None:
        """A hearing held on one day takes that day (听证所需时间, Art. 36 ¶2)."""
        steps = [
            *rereview_steps(),
            (x.changes.StartHearing(), t(2025, 3, 20, 9)),
            (x.changes.EndHearing(), t(2025, 3, 20, 17)),
        ]
        c = clock(run(*steps), "rereview_decision", D(2025, 3, 21))
        assert c.paused_days == 1
        assert c.due == D(2025, 4, 15)  # 04-14 + 1

    def test_a_refused_reforward_opens_a_new_objection_window(self) -> None:
        """After objection and a new forwarding, the new body's objection meets its window."""
        case = run(
            (register(t(2025, 3, 3)), t(2025, 3, 3)),
            (x.changes.Forward(to_unit="甲局"), t(2025, 3, 4)),
            (x.changes.ObjectRemit(reason="不属本单位"), t(2025, 3, 5)),
            (x.changes.Forward(to_unit="乙局"), t(2025, 3, 10)),
            (x.changes.ObjectRemit(reason="也不属本单位"), t(2025, 3, 11)),
        )
        c = clock(case, "remit_objection", D(2025, 4, 1))
        assert (c.started_on, c.status, c.met_on) == (
            D(2025, 3, 10),
            x.ClockStatus.MET,
            D(2025, 3, 11),
        )

    def test_window_check_reads_only_its_own_limit(self) -> None:
        """A review request is not blocked by another clock whose due date lies past the data."""
        case = run(
            (register(t(2026, 11, 27)), t(2026, 11, 27)),
            (x.changes.Accept(), t(2026, 11, 27)),
            (OPINION, t(2026, 12, 1)),
        )
        requested, _ = x.apply(case, x.changes.RequestReview(to_unit="省"), t(2026, 12, 10))
        assert requested.stage is x.vocabulary.Stage.REVIEW_REQUESTED

    def test_extension_must_tell_the_petitioner(self) -> None:
        """Art. 34: the reason for the extension is told to the petitioner."""
        case = run((register(t(2025, 8, 8)), t(2025, 8, 8)), (x.changes.Accept(), t(2025, 8, 8)))
        silent = x.changes.Extend(days=10, approved_by="局长", reason="复杂", petitioner_told=False)
        with pytest.raises(x.TransitionError, match=r"tell the petitioner the reason.*第三十四条"):
            x.apply(case, silent, t(2025, 9, 1))

    @pytest.mark.parametrize("days", [0, -3, "3", True])
    def test_extension_days_are_a_positive_integer(self, days: object) -> None:
        """A malformed extension is refused when built, with the field named."""
        with pytest.raises(x.InvalidDataError, match="days"):
            x.changes.Extend(days=days, approved_by="局长", reason="复杂")  # type: ignore[arg-type]

    def test_lapsed_window_has_no_countdown(self) -> None:
        """A lapsed window is closed: no remaining days."""
        case = run(
            (register(t(2025, 2, 3)), t(2025, 2, 3)),
            (x.changes.Accept(), t(2025, 2, 3)),
            (OPINION, t(2025, 3, 3)),
        )
        c = clock(case, "review_request", D(2025, 5, 1))
        assert c.status is x.ClockStatus.LAPSED
        assert (c.remaining_days, c.remaining_working_days) == (None, None)
