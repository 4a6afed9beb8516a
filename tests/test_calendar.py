"""WorkCalendar: the mainland data, the O(1) index, extension and combination."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import xinfang
from xinfang import WorkCalendar, china_mainland, load_calendar
from xinfang.calendar import combine_calendars
from xinfang.errors import CalendarDataError, CalendarRangeError
from xinfang.strategies import dates_in, work_calendars

D = dt.date
CN = china_mainland(strict=True)  # the published years only
PROV = china_mainland()  # the default: published years, then provisional ones
EXAMPLE = Path(xinfang.__file__).parent / "data" / "calendars" / "example-local.toml"
offsets = st.integers(-200, 200)


def naive_is_working(cal: WorkCalendar, d: dt.date) -> bool:
    """Reference: the definition, read straight off the calendar's data."""
    return d in cal.makeup_workdays or (d.weekday() not in cal.weekend and d not in cal.holidays)


def naive_add(cal: WorkCalendar, d: dt.date, n: int) -> dt.date:
    """Reference: step day by day (the slow way peers do it)."""
    step = dt.timedelta(days=1 if n > 0 else -1)
    left = abs(n)
    while left:
        d += step
        if not cal.first <= d <= cal.last:
            raise CalendarRangeError("past the range")
        if naive_is_working(cal, d):
            left -= 1
    return d


class TestMainlandData:
    """2022 条例 counts some periods in 工作日: Mon-Fri minus holidays plus 调休 days."""

    def test_worked_examples(self) -> None:
        """Sun 2025-01-26 and Sat 2025-02-08 are make-up working days; Mon 2025-02-03 is off."""
        assert CN.is_working_day(D(2025, 1, 26))
        assert CN.is_working_day(D(2025, 2, 8))
        assert not CN.is_working_day(D(2025, 2, 3))
        assert CN.is_makeup_workday(D(2025, 1, 26))
        assert CN.label(D(2025, 10, 7)) == "国庆节"

    def test_five_working_days_across_spring_festival_2026(self) -> None:
        """5 working days after Thu 2026-02-12 is 2026-02-26 (Sat 02-14 works, 02-15..23 off)."""
        assert CN.add_working_days(D(2026, 2, 12), 5) == D(2026, 2, 26)
        assert CN.working_days_between(D(2026, 2, 12), D(2026, 2, 26)) == 5

    def test_agrees_with_chinesecalendar_on_every_covered_day(self) -> None:
        """Every day 2004-2026: is_working_day equals chinesecalendar.is_workday."""
        o = CN.first.toordinal()
        mismatches = []
        while o <= CN.last.toordinal():
            d = D.fromordinal(o)
            if CN.is_working_day(d) != chinese_calendar.is_workday(d):
                mismatches.append(d)
            o += 1
        assert mismatches == []
        assert (CN.first, CN.last) == (D(2004, 1, 1), D(2026, 12, 31))

    def test_2027_is_out_of_range_and_the_error_says_how_out(self) -> None:
        """A date without published data raises, naming the date, the range and both ways out."""
        with pytest.raises(CalendarRangeError) as info:
            CN.is_working_day(D(2027, 3, 1))
        text = str(info.value)
        assert "2027-03-01" in text
        assert "2004-01-01..2026-12-31" in text
        assert "strict=True" in text
        assert "load_calendar" in text
        assert isinstance(info.value, xinfang.XinfangError)

    def test_arithmetic_that_leaves_the_range_raises(self) -> None:
        """Adding past the last covered day never silently counts plain weekdays."""
        with pytest.raises(CalendarRangeError, match="reaches past 2026-12-31"):
            CN.add_working_days(D(2026, 12, 28), 10)
        with pytest.raises(CalendarRangeError):
            CN.add_working_days(D(2004, 1, 5), -10)

    def test_provisional_calendar_covers_2027_and_flags_it(self) -> None:
        """china_mainland(provisional=True) answers for 2027 and says the answer is provisional."""
        assert not PROV.is_working_day(D(2027, 1, 1))  # New Year's Day, by the holiday measures
        assert PROV.is_working_day(D(2027, 1, 4))
        assert PROV.is_provisional(D(2027, 1, 4))
        assert not PROV.is_provisional(D(2026, 6, 1))
        assert PROV.provisional_between(D(2026, 12, 30), D(2027, 1, 2))
        assert not PROV.provisional_between(D(2026, 1, 1), D(2026, 12, 31))
        assert 2027 in PROV.provisional_years
        # The published years are unchanged.
        assert PROV.add_working_days(D(2026, 2, 12), 5) == D(2026, 2, 26)

    def test_loading_the_real_arrangement_clears_the_provisional_flag(self) -> None:
        """A host that later loads a year's notice gets exact, non-provisional results."""
        cal = PROV.with_arrangement(
            2027,
            holidays=[D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)],
            makeup_workdays=[D(2027, 1, 9)],
            source="test notice",
        )
        assert not cal.is_provisional(D(2027, 6, 1))
        assert cal.is_working_day(D(2027, 1, 9))  # a Saturday made a working day
        assert cal.is_working_day(D(2027, 2, 10))  # provisional Spring Festival data replaced
        assert 2028 in cal.provisional_years


class TestArithmeticProperties:
    """The O(1) index must equal the day-by-day definition."""

    @given(work_calendars(), st.data())
    def test_index_equals_reference_on_random_calendars(
        self, cal: WorkCalendar, data: st.DataObject
    ) -> None:
        """add_working_days and is_working_day equal the naive day loop on any calendar."""
        d = data.draw(dates_in(cal))
        n = data.draw(st.integers(-40, 40))
        assert cal.is_working_day(d) == naive_is_working(cal, d)
        try:
            expected = naive_add(cal, d, n)
        except CalendarRangeError:
            with pytest.raises(CalendarRangeError):
                cal.add_working_days(d, n)
        else:
            assert cal.add_working_days(d, n) == expected

    @given(dates_in(CN, margin=400), offsets)
    def test_add_then_subtract_returns_to_a_working_start(self, d: dt.date, n: int) -> None:
        """From a working day, +n then -n working days is the identity."""
        start = CN.roll_forward(d)
        assert CN.add_working_days(CN.add_working_days(start, n), -n) == start

    @given(dates_in(CN, margin=400), offsets, offsets)
    def test_monotone_in_n(self, d: dt.date, a: int, b: int) -> None:
        """More working days never land earlier; distinct non-zero n land on distinct days."""
        lo, hi = sorted((a, b))
        assert CN.add_working_days(d, lo) <= CN.add_working_days(d, hi)
        if lo != hi and 0 not in (lo, hi):
            assert CN.add_working_days(d, lo) < CN.add_working_days(d, hi)

    @given(dates_in(CN, margin=400), dates_in(CN, margin=400), offsets)
    def test_monotone_in_start(self, a: dt.date, b: dt.date, n: int) -> None:
        """A later start never lands earlier (for n != 0, the result is a working day)."""
        a, b = sorted((a, b))
        assume(n != 0)
        ra, rb = CN.add_working_days(a, n), CN.add_working_days(b, n)
        assert ra <= rb
        assert CN.is_working_day(ra)

    @given(dates_in(CN, margin=400), offsets)
    def test_between_is_consistent_with_add(self, d: dt.date, n: int) -> None:
        """between(d, add(d, n)) == n for n >= 0, and for n < 0 from a working day."""
        back = CN.working_days_between(d, CN.add_working_days(d, n))
        if n >= 0 or CN.is_working_day(d):
            assert back == n
        else:  # from a rest day, the first working day back is not counted in (x, d]
            assert back == n + 1

    @given(dates_in(CN), dates_in(CN))
    def test_between_is_antisymmetric_and_counts_half_open(self, a: dt.date, b: dt.date) -> None:
        """between(a, b) == -between(b, a), and counts working days in (a, b]."""
        assert CN.working_days_between(a, b) == -CN.working_days_between(b, a)
        if a <= b and (b - a).days <= 60:
            days = (a + dt.timedelta(days=i) for i in range(1, (b - a).days + 1))
            assert CN.working_days_between(a, b) == sum(map(CN.is_working_day, days))

    @given(dates_in(CN, margin=10))
    def test_next_previous_and_rolls(self, d: dt.date) -> None:
        """next/previous are strict; rolls are inclusive; all land on working days."""
        nxt, prv = CN.next_working_day(d), CN.previous_working_day(d)
        assert prv < d < nxt
        assert CN.working_days_between(d, nxt) == 1
        assert CN.working_days_between(prv, d) == int(CN.is_working_day(d))
        fwd, back = CN.roll_forward(d), CN.roll_backward(d)
        assert back <= d <= fwd
        assert CN.is_working_day(fwd)
        assert CN.is_working_day(back)
        assert (fwd == d) == CN.is_working_day(d)

    @given(st.lists(dates_in(CN, margin=400), max_size=30), st.data())
    def test_batch_equals_scalar(self, days: list[dt.date], data: st.DataObject) -> None:
        """add_working_days_many and the numpy path equal the scalar function."""
        import numpy as np

        ns = data.draw(st.lists(offsets, min_size=len(days), max_size=len(days)))
        scalar = [CN.add_working_days(d, n) for d, n in zip(days, ns, strict=True)]
        assert CN.add_working_days_many(days, ns) == scalar
        arr = CN.add_working_days_array(np.array(days, dtype="datetime64[D]"), np.array(ns))
        assert [x.astype(object) for x in arr] == scalar
        flags = CN.is_working_day_array(np.array(days, dtype="datetime64[D]"))
        assert list(flags) == [CN.is_working_day(d) for d in days]

    def test_numpy_path_raises_on_range(self) -> None:
        """The vectorised path refuses out-of-range input like the scalar one."""
        import numpy as np

        with pytest.raises(CalendarRangeError, match="2027-01-05"):
            CN.add_working_days_array(np.array(["2026-01-05", "2027-01-05"], "datetime64[D]"), 1)
        with pytest.raises(CalendarRangeError, match="reaches past"):
            CN.add_working_days_array(np.array(["2026-12-30"], "datetime64[D]"), 5)

    def test_zero_is_the_identity(self) -> None:
        """add_working_days(d, 0) returns d even on a rest day."""
        assert CN.add_working_days(D(2025, 10, 4), 0) == D(2025, 10, 4)


class TestExtension:
    """Hosts add a year's arrangement or local closures as data; the result is a new calendar."""

    def test_bundled_example_file_loads(self) -> None:
        """The documented example file applies a local closure on top of the national calendar."""
        cal = load_calendar(EXAMPLE)
        assert cal.name != CN.name
        closed = sorted(cal.holidays - CN.holidays)
        assert closed
        assert all(not cal.is_working_day(d) for d in closed)
        assert CN.is_working_day(closed[0])  # the base calendar is untouched

    def test_arrangement_extends_the_range_by_a_year(self) -> None:
        """Adding 2027 as data makes 2027 countable on the default calendar."""
        cal = CN.extend(
            {
                "year": [
                    {
                        "year": 2027,
                        "source": "hypothetical notice for the test",
                        "holidays": ["2027-01-01..2027-01-03", "2027-10-01..2027-10-07"],
                        "makeup_workdays": ["2027-09-26"],
                    }
                ]
            }
        )
        assert cal.last == D(2027, 12, 31)
        assert cal.is_working_day(D(2027, 9, 26))
        assert not cal.is_working_day(D(2027, 10, 5))
        assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)

    @pytest.mark.parametrize(
        ("data", "path", "fragment"),
        [
            ({"year": [{"year": 2028, "source": "x", "holidays": []}]}, "year[0].year", "adjacent"),
            ({"year": [{"year": 2027, "holidays": []}]}, "year[0]", "'source'"),
            (
                {"year": [{"year": 2027, "source": "x", "holidays": ["2027-13-01"]}]},
                "year[0].holidays[0]",
                "not a date",
            ),
            (
                {"year": [{"year": 2027, "source": "x", "holidays": ["2026-12-31"]}]},
                "year[0].holidays",
                "not in year 2027",
            ),
            (
                {
                    "year": [
                        {
                            "year": 2027,
                            "source": "x",
                            "holidays": [],
                            "makeup_workdays": ["2027-01-04"],
                        }
                    ]
                },
                "makeup_workdays",
                "Monday",
            ),
            (
                {"closure": [{"dates": ["2030-01-01"], "reason": "x"}]},
                "closure[0].dates",
                "outside",
            ),
            ({"holiday": []}, "holiday", "unknown key"),
            ({"format": 2}, "format", "unsupported format"),
        ],
    )
    def test_bad_data_is_rejected_whole_with_its_path(
        self, data: dict[str, object], path: str, fragment: str
    ) -> None:
        """Each error names the key path and the problem; no calendar is produced."""
        with pytest.raises(CalendarDataError) as info:
            CN.extend(data)
        assert path in str(info.value)
        assert fragment in str(info.value)

    def test_bad_toml_file_names_the_file(self, tmp_path: Path) -> None:
        """A broken file is reported with its path."""
        bad = tmp_path / "bad.toml"
        bad.write_text('[[closure]]\ndates = ["2026-01-05"]\n', encoding="utf-8")
        with pytest.raises(CalendarDataError, match=r"bad\.toml: closure\[0\].*'reason'"):
            load_calendar(bad)
        with pytest.raises(CalendarDataError, match="cannot read"):
            load_calendar(tmp_path / "missing.toml")

    @given(
        work_calendars(min_year=2026, max_year=2026), work_calendars(min_year=2026, max_year=2026)
    )
    def test_combine_is_working_only_where_all_are(self, a: WorkCalendar, b: WorkCalendar) -> None:
        """A combined calendar works on a day iff every input works on it."""
        lo, hi = max(a.first, b.first), min(a.last, b.last)
        assume(lo <= hi)
        c = combine_calendars(a, b)
        assert (c.first, c.last) == (lo, hi)
        for o in range(lo.toordinal(), hi.toordinal() + 1):
            d = D.fromordinal(o)
            assert c.is_working_day(d) == (a.is_working_day(d) and b.is_working_day(d))

    def test_combine_with_closures_calendar(self) -> None:
        """National + local closure: the closure day stops being a working day."""
        local = CN.with_closures([D(2026, 7, 28)], reason="台风停工")
        both = combine_calendars(CN, local, name="cn+local")
        assert not both.is_working_day(D(2026, 7, 28))
        assert both.label(D(2026, 7, 28)) == "台风停工"
        assert both.is_working_day(D(2026, 2, 14))  # national make-up day kept

    @pytest.mark.parametrize(
        ("kwargs", "fragment"),
        [
            ({"first": D(2026, 2, 1), "last": D(2026, 1, 1)}, "after last"),
            ({"weekend": {7}}, "weekday numbers"),
            ({"holidays": {D(2030, 1, 1)}}, "outside"),
            ({"holidays": {D(2026, 1, 3)}, "makeup_workdays": {D(2026, 1, 3)}}, "both"),
            ({"makeup_workdays": {D(2026, 1, 5)}}, "Monday"),
        ],
    )
    def test_constructor_validates(self, kwargs: dict[str, object], fragment: str) -> None:
        """An inconsistent calendar cannot be built."""
        args: dict[str, object] = {"name": "t", "first": D(2026, 1, 1), "last": D(2026, 12, 31)}
        args.update(kwargs)
        with pytest.raises(CalendarDataError, match=fragment):
            WorkCalendar(**args)  # type: ignore[arg-type]

    def test_calendars_are_hashable_values(self) -> None:
        """Equal data gives equal, hashable calendars; the mainland one is built once."""
        assert china_mainland(strict=True) is CN
        again = CN.with_closures([], reason="none")
        assert again.holidays == CN.holidays
        assert hash(CN) == hash(CN)
