"""Hypothesis strategies for xinfang values, for hosts' own property tests.

Requires hypothesis (``pip install xinfang[strategies]``). Every strategy
yields valid values only; xinfang's own test-suite uses these same strategies.
"""

from __future__ import annotations

import datetime as _dt

from hypothesis import strategies as st

from xinfang.calendar import WorkCalendar, china_mainland
from xinfang.periods import CountingRule, Period, PeriodUnit

__all__ = [
    "counting_rules",
    "dates_in",
    "periods",
    "work_calendars",
]


def dates_in(
    calendar: WorkCalendar | None = None, *, margin: int = 0
) -> st.SearchStrategy[_dt.date]:
    """Dates covered by ``calendar`` (default: mainland), ``margin`` days in from each end."""
    cal = calendar if calendar is not None else china_mainland()
    lo = cal.first + _dt.timedelta(days=margin)
    hi = cal.last - _dt.timedelta(days=margin)
    return st.dates(min_value=lo, max_value=hi)


def periods(
    *, max_amount: int = 120, units: tuple[PeriodUnit, ...] = tuple(PeriodUnit)
) -> st.SearchStrategy[Period]:
    """Periods of 0..``max_amount`` calendar or working days."""
    return st.builds(Period, st.integers(0, max_amount), st.sampled_from(units))


def counting_rules() -> st.SearchStrategy[CountingRule]:
    """Counting rules with every switch drawn, cutoff at 24:00 or a close of business."""
    return st.builds(
        CountingRule,
        exclude_start_day=st.booleans(),
        roll_forward=st.booleans(),
        weekend_is_rest_day=st.booleans(),
        cutoff=st.none() | st.sampled_from([_dt.time(17, 0), _dt.time(17, 30), _dt.time(18, 0)]),
    )


@st.composite
def work_calendars(
    draw: st.DrawFn,
    *,
    min_year: int = 2000,
    max_year: int = 2040,
    max_span_days: int = 3 * 366,
    max_listed: int = 60,
) -> WorkCalendar:
    """Arbitrary valid calendars: a range, a weekend, holidays and make-up days.

    At most three weekdays are weekend; a short range may still have no working
    day at all, so arithmetic on it may raise :class:`~xinfang.CalendarRangeError`.
    """
    first = draw(st.dates(_dt.date(min_year, 1, 1), _dt.date(max_year, 12, 31)))
    span = draw(st.integers(0, max_span_days))
    last = min(first + _dt.timedelta(days=span), _dt.date(max_year, 12, 31))
    weekend = draw(st.sets(st.integers(0, 6), max_size=3))
    in_range = st.dates(first, last)
    holidays = draw(st.sets(in_range, max_size=max_listed))
    candidates = draw(st.sets(in_range, max_size=max_listed))
    makeup = {d for d in candidates if d.weekday() in weekend and d not in holidays}
    return WorkCalendar(
        name="generated",
        first=first,
        last=last,
        weekend=weekend,
        holidays=holidays,
        makeup_workdays=makeup,
        provisional_years=draw(st.sets(st.integers(first.year, last.year), max_size=2)),
    )
