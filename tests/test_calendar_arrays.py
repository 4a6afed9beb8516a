"""WorkCalendar.arrays: the public seam the column paths read, and what importing loads."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang
from xinfang.calendar import CalendarArrays, WorkCalendar
from xinfang.strategies import work_calendars

SRC = Path(xinfang.__file__).parent


def _day(arrays: CalendarArrays, i: int) -> dt.date:
    return dt.date.fromordinal(arrays.first + i)


@given(work_calendars())
def test_arrays_agree_with_the_scalar_index(cal: WorkCalendar) -> None:
    """Each array says, day by day, what the calendar's scalar methods say."""
    a = cal.arrays
    assert isinstance(a, CalendarArrays)
    assert a.first == cal.first.toordinal()
    assert a.size == (cal.last - cal.first).days + 1
    assert len(a.cumulative) == len(a.provisional) == a.size + 1
    assert len(a.is_working) == a.size
    assert a.count == len(a.working_days) == int(a.is_working.sum())
    for i in range(a.size):
        d = _day(a, i)
        assert bool(a.is_working[i]) is cal.is_working_day(d)
        assert a.cumulative[i + 1] - a.cumulative[i] == int(cal.is_working_day(d))
        assert a.provisional[i + 1] - a.provisional[i] == int(cal.is_provisional(d))
    assert [dt.date.fromordinal(int(o)) for o in a.working_days] == [
        _day(a, i) for i in range(a.size) if cal.is_working_day(_day(a, i))
    ]


@given(work_calendars(), st.sampled_from(["cumulative", "working_days", "is_working"]))
def test_arrays_are_read_only_and_built_once(cal: WorkCalendar, name: str) -> None:
    """The arrays cannot be written, and the calendar hands out the same ones each time."""
    a = cal.arrays
    assert cal.arrays is a
    column = getattr(a, name)
    assert not column.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        column[...] = column  # even when empty (a calendar with no working day)


def test_arrays_leave_equality_alone() -> None:
    """Building a calendar's arrays does not change what it equals or hashes to."""
    first, last = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    a = WorkCalendar(name="a", first=first, last=last)
    b = WorkCalendar(name="a", first=first, last=last)
    assert np.array_equal(a.arrays.cumulative, b.arrays.cumulative)
    assert a == b
    assert hash(a) == hash(b)


def test_importing_the_calendar_and_the_clocks_loads_no_numpy_or_holiday_data() -> None:
    """xinfang.calendar and xinfang.deadlines import neither numpy nor holidays (issue 22).

    Checked on the modules themselves, under a bare parent package, so that what the top
    level imports for other modules does not hide it.
    """
    code = (
        "import sys, types\n"
        "pkg = types.ModuleType('xinfang')\n"
        f"pkg.__path__ = [{str(SRC)!r}]\n"
        "sys.modules['xinfang'] = pkg\n"
        "import xinfang.calendar, xinfang.deadlines\n"
        "heavy = ('numpy', 'holidays', 'chinese_calendar', 'importlib.metadata')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "xinfang.calendar.china_mainland()\n"
        "print('holidays' in sys.modules, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True False"  # building the mainland calendar needs the data, not numpy


def test_lazy_names_are_listed_and_unknown_ones_refused() -> None:
    """The column path's names show in dir() before use; an unknown name is an AttributeError."""
    import xinfang.calendar
    import xinfang.deadlines

    assert {"ClockTable", "clock_parts", "IS_OPEN"} <= set(dir(xinfang.deadlines))
    assert "CalendarArrays" in dir(xinfang.calendar)
    assert set(xinfang.deadlines.__all__) <= set(dir(xinfang.deadlines))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = xinfang.deadlines.nope  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = xinfang.calendar.nope  # type: ignore[attr-defined]
