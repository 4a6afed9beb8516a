"""Periods and due dates: 民法典 Arts. 201, 203 counting on the working-day calendar."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang import WorkCalendar, china_mainland, due_date
from xinfang.errors import CalendarRangeError, NaiveDatetimeError, PeriodError
from xinfang.periods import CountingRule, Period, PeriodUnit, local_date
from xinfang.strategies import counting_rules, dates_in, periods, work_calendars

D = dt.date
CN = china_mainland(strict=True)  # the published years only
PROV = china_mainland()  # the default: published years, then provisional ones


class TestWorkedExamples:
    """民法典 Art. 203: a period whose last day is a rest day ends on the first day after it."""

    def test_sixty_days_from_2025_08_08(self) -> None:
        """Accepted 2025-08-08 + 60 日 = 2025-10-07, in the National Day holiday → 2025-10-09."""
        due = due_date(D(2025, 8, 8), Period.days(60))
        assert due.nominal == D(2025, 10, 7)
        assert due.last_day == D(2025, 10, 9)
        assert due.rolled
        assert [d for d, _ in due.rolled_past] == [D(2025, 10, 7), D(2025, 10, 8)]
        assert "国庆节" in due.explain()
        assert "2025-10-07" in due.explain("en")
        assert not due.provisional

    def test_thirty_days_from_2026_09_01(self) -> None:
        """2026-09-01 + 30 日 = 2026-10-01 (National Day) → rolls to 2026-10-08."""
        assert due_date(D(2026, 9, 1), Period.days(30)).last_day == D(2026, 10, 8)

    def test_five_working_days(self) -> None:
        """5 个工作日 after 2026-02-12 is 2026-02-26 and never rolls."""
        due = due_date(D(2026, 2, 12), Period.working_days(5))
        assert due.last_day == D(2026, 2, 26)
        assert not due.rolled

    def test_2027_is_provisional_by_default_and_refused_when_strict(self) -> None:
        """A 60-day limit started 2026-11-27 ends in 2027: flagged by default, error if strict."""
        with pytest.raises(CalendarRangeError):
            due_date(D(2026, 11, 27), Period.days(60), CN)
        due = due_date(D(2026, 11, 27), Period.days(60))
        assert due == due_date(D(2026, 11, 27), Period.days(60), PROV)
        assert due.provisional
        assert due.last_day == D(2027, 1, 26)
        assert "暂定" in due.explain()
        assert "PROVISIONAL" in due.explain("en")

    def test_deadline_is_the_end_of_the_last_day_in_shanghai(self) -> None:
        """The period ends at 24:00 of its last day (Art. 203 ¶2), as an aware instant."""
        due = due_date(D(2025, 8, 8), Period.days(60))
        assert due.deadline == pendulum.datetime(
            2025, 10, 9, 23, 59, 59, 999999, tz="Asia/Shanghai"
        )
        assert due.deadline.utcoffset() == dt.timedelta(hours=8)
        assert due.is_met_by(pendulum.datetime(2025, 10, 9, 15, 59, tz="UTC"))
        assert not due.is_met_by(pendulum.datetime(2025, 10, 9, 16, 0, tz="UTC"))
        assert due.is_met_by(D(2025, 10, 9))
        assert not due.is_met_by(D(2025, 10, 10))

    def test_close_of_business_cutoff(self) -> None:
        """Where business is done in hours, the period closes at the close of business."""
        rule = CountingRule(cutoff=dt.time(17, 30))
        due = due_date(D(2025, 8, 8), Period.days(60), rule=rule)
        assert due.deadline == pendulum.datetime(2025, 10, 9, 17, 30, tz="Asia/Shanghai")
        assert "17:30" in due.explain()


class TestStartInstants:
    """Days are counted in Asia/Shanghai; an instant without a zone says no day at all."""

    def test_naive_datetime_is_rejected(self) -> None:
        """A naive datetime raises NaiveDatetimeError naming the field."""
        with pytest.raises(NaiveDatetimeError, match=r"start.*no time zone"):
            due_date(dt.datetime(2025, 8, 8, 9, 0), Period.days(60))

    def test_aware_instant_in_another_zone_is_converted(self) -> None:
        """2025-08-07 20:00 UTC is already 2025-08-08 in Shanghai."""
        utc = dt.datetime(2025, 8, 7, 20, 0, tzinfo=dt.UTC)
        assert local_date(utc) == D(2025, 8, 8)
        assert due_date(utc, Period.days(60)).last_day == D(2025, 10, 9)
        assert due_date(
            pendulum.datetime(2025, 8, 8, 9, tz="Asia/Shanghai"), Period.days(60)
        ).start == D(2025, 8, 8)

    def test_pendulum_date_is_accepted(self) -> None:
        """A pendulum Date counts like the plain date it is."""
        assert due_date(pendulum.date(2026, 2, 12), Period.working_days(5)).last_day == D(
            2026, 2, 26
        )


class TestCountingRuleSwitches:
    """Each part of the counting rule is a setting, because local practice differs."""

    def test_counting_the_start_day(self) -> None:
        """With the start day counted, 60 日 from 08-08 nominally ends 10-06 (and still rolls)."""
        due = due_date(D(2025, 8, 8), Period.days(60), rule=CountingRule(exclude_start_day=False))
        assert due.nominal == D(2025, 10, 6)
        assert due.last_day == D(2025, 10, 9)
        wd = due_date(
            D(2026, 2, 13), Period.working_days(1), rule=CountingRule(exclude_start_day=False)
        )
        assert wd.last_day == D(2026, 2, 13)

    def test_no_roll_forward(self) -> None:
        """Without roll-forward the period ends on its nominal day, even in a holiday."""
        due = due_date(D(2025, 8, 8), Period.days(60), rule=CountingRule(roll_forward=False))
        assert due.last_day == D(2025, 10, 7)

    def test_weekend_not_a_rest_day_for_rolling(self) -> None:
        """With weekends not rest days, a period ending on a plain Saturday does not roll."""
        sat = D(2026, 3, 7)
        start = sat - dt.timedelta(days=30)
        assert due_date(start, Period.days(30)).last_day == D(2026, 3, 9)
        rule = CountingRule(weekend_is_rest_day=False)
        assert due_date(start, Period.days(30), rule=rule).last_day == sat
        assert due_date(D(2025, 8, 8), Period.days(60), rule=rule).last_day == D(2025, 10, 9)


class TestProperties:
    """Invariants every due date keeps."""

    @given(dates_in(CN, margin=200), periods(), counting_rules())
    def test_never_before_the_start_and_rolls_onto_working_days(
        self, start: dt.date, period: Period, rule: CountingRule
    ) -> None:
        """Due dates never precede the start; with roll-forward they land on working days."""
        due = due_date(start, period, CN, rule)
        assert due.last_day >= start or (period.amount == 0 and due.last_day == start)
        assert due.last_day >= due.nominal
        if period.amount > 0 and (
            period.is_working_days or (rule.roll_forward and rule.weekend_is_rest_day)
        ):
            assert CN.is_working_day(due.last_day)
        if not rule.roll_forward or period.is_working_days:
            assert due.last_day == due.nominal

    @given(
        dates_in(CN, margin=200),
        st.integers(0, 100),
        st.integers(0, 100),
        st.sampled_from(PeriodUnit),
    )
    def test_monotone_in_amount(self, start: dt.date, a: int, b: int, unit: PeriodUnit) -> None:
        """A longer period never ends earlier."""
        lo, hi = sorted((a, b))
        assert (
            due_date(start, Period(lo, unit)).last_day <= due_date(start, Period(hi, unit)).last_day
        )

    @given(dates_in(CN, margin=200), dates_in(CN, margin=200), periods())
    def test_monotone_in_start(self, a: dt.date, b: dt.date, period: Period) -> None:
        """A later start never ends earlier."""
        a, b = sorted((a, b))
        assert due_date(a, period).last_day <= due_date(b, period).last_day

    @given(dates_in(CN, margin=200), st.integers(1, 100))
    def test_working_day_period_counts_exactly_n(self, start: dt.date, n: int) -> None:
        """An n-working-day period contains exactly n working days after the start."""
        due = due_date(start, Period.working_days(n))
        assert CN.working_days_between(start, due.last_day) == n

    @given(work_calendars(max_span_days=800), st.data())
    def test_provisional_flag_tracks_the_days_used(
        self, cal: WorkCalendar, data: st.DataObject
    ) -> None:
        """A due date is provisional iff a day it was decided by lies in a provisional year."""
        start = data.draw(dates_in(cal))
        period = data.draw(periods(max_amount=30))
        try:
            due = due_date(start, period, cal)
        except CalendarRangeError:
            return
        if period.is_working_days:
            used = range(start.toordinal() + 1, due.last_day.toordinal() + 1)
        else:
            used = range(due.nominal.toordinal(), due.last_day.toordinal() + 1)
        expect = any(D.fromordinal(o).year in cal.provisional_years for o in used)
        assert due.provisional == expect

    @given(periods(max_amount=10_000))
    def test_period_text_round_trip(self, period: Period) -> None:
        """Period.parse(str(p)) == p, and the English form parses too."""
        assert Period.parse(str(period)) == period
        assert Period.parse(period.english()) == period


class TestPeriodValues:
    """Periods are small values with clear errors."""

    def test_parse_forms(self) -> None:
        """Chinese and English spellings are read."""
        assert Period.parse("60日") == Period.days(60)
        assert Period.parse("15 天") == Period.days(15)
        assert Period.parse("5个工作日") == Period.working_days(5)
        assert Period.parse("5 working days") == Period.working_days(5)
        assert str(Period.working_days(5)) == "5个工作日"

    def test_extension_adds_up(self) -> None:
        """60 日 + 30 日 = 90 日; days and working days do not add."""
        assert Period.days(60) + Period.days(30) == Period.days(90)
        with pytest.raises(PeriodError, match="units differ"):
            Period.days(60) + Period.working_days(5)

    @pytest.mark.parametrize("bad", ["sixty days", "-5日", "5 weeks", ""])
    def test_bad_text(self, bad: str) -> None:
        """Unreadable periods raise PeriodError with an example of what works."""
        with pytest.raises(PeriodError, match="60日"):
            Period.parse(bad)

    def test_negative_period(self) -> None:
        """A period cannot be negative."""
        with pytest.raises(PeriodError, match="negative"):
            Period.days(-1)
