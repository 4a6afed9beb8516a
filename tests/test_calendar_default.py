"""One calendar default for the library and the command (issue 21).

``china_mainland()`` is the published arrangements, then provisional years;
``strict=True`` (the command's ``--strict-calendar``) refuses instead. The
library and the command count the same clocks with the same provisional
marks, and loading next year's arrangement from a file stays one call.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from xinfang.cli import main

if TYPE_CHECKING:
    from pathlib import Path

D = dt.date
DEFAULT = x.china_mainland()
STRICT = x.china_mainland(strict=True)
LAST_PUBLISHED = max(chinese_calendar.constants.holidays).year


class TestTheDefault:
    """The default extends the published data with provisional years; strict does not."""

    def test_default_covers_published_then_provisional_years(self) -> None:
        """2004 to the last published year exactly, then provisional years through 2035."""
        assert (DEFAULT.first, DEFAULT.last) == (D(2004, 1, 1), D(2035, 12, 31))
        assert (STRICT.first, STRICT.last) == (D(2004, 1, 1), D(LAST_PUBLISHED, 12, 31))
        assert DEFAULT.provisional_years == frozenset(range(LAST_PUBLISHED + 1, 2036))
        assert not STRICT.provisional_years

    @given(st.dates(D(2004, 1, 1), D(LAST_PUBLISHED, 12, 31)))
    def test_default_and_strict_agree_on_every_published_day(self, day: dt.date) -> None:
        """On a published day both calendars say the same, and it is not provisional."""
        assert DEFAULT.is_working_day(day) == STRICT.is_working_day(day)
        assert not DEFAULT.is_provisional(day)

    @given(st.dates(D(LAST_PUBLISHED + 1, 1, 1), D(2035, 12, 31)))
    def test_past_the_data_default_is_provisional_and_strict_refuses(self, day: dt.date) -> None:
        """A day after the published data: the default answers, flagged; strict raises."""
        assert DEFAULT.is_provisional(day)
        DEFAULT.is_working_day(day)
        with pytest.raises(x.errors.CalendarRangeError, match=r"strict=True refuses"):
            STRICT.is_working_day(day)

    def test_the_former_spelling_still_works(self) -> None:
        """provisional=True is the default, provisional=False is strict; both at once refused."""
        assert x.china_mainland(provisional=True) is DEFAULT
        assert x.china_mainland(provisional=False) is STRICT
        with pytest.raises(x.errors.CalendarDataError, match="contradicts"):
            x.china_mainland(provisional=True, strict=True)
        with pytest.raises(x.errors.CalendarDataError, match="strict"):
            x.china_mainland(strict="yes")  # type: ignore[arg-type]

    def test_every_default_in_the_library_is_this_one(self) -> None:
        """due_date, clocks and the store, given no calendar, count on china_mainland()."""
        due = x.due_date(D(2026, 11, 27), x.periods.Period.days(60))
        assert due.provisional and due.calendar == DEFAULT.name
        with pytest.raises(x.errors.CalendarRangeError):
            x.due_date(D(2026, 11, 27), x.periods.Period.days(60), STRICT)

    def test_next_years_arrangement_from_a_file_is_one_call(self, tmp_path: Path) -> None:
        """load_calendar(FILE) on the default: that year exact, later years still provisional."""
        year = LAST_PUBLISHED + 1
        path = tmp_path / f"{year}.toml"
        path.write_text(
            f'[[year]]\nyear = {year}\nsource = "国务院办公厅关于{year}年部分节假日安排的通知"\n'
            f'holidays = ["{year}-01-01"]\n',
            encoding="utf-8",
        )
        cal = x.load_calendar(path)
        assert year not in cal.provisional_years
        assert year + 1 in cal.provisional_years
        assert not cal.is_provisional(D(year, 6, 1))
        assert not cal.is_working_day(D(year, 1, 1))


def test_the_command_and_the_library_count_the_same_clocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`xinfang due` and clock_table with no calendar: the same clocks and provisional marks."""
    assert main(["demo", "--export", str(tmp_path), "-q"]) == 0
    capsys.readouterr()
    ledger = tmp_path / "ledger.jsonl"
    argv = ["due", str(ledger), "--as-of", "2026-12-28", "--within", "5", "--format", "json"]
    assert main([*argv, "-q"]) == 0
    doc = json.loads(capsys.readouterr().out)
    from_command = sorted(
        (c["case_id"], c["key"], c["due"], c["provisional"]) for c in doc["clocks"]
    )
    cases = x.load_ledger(ledger.read_text(encoding="utf-8"))
    table = x.clock_table(cases, as_of=D(2026, 12, 28), due_soon=5)
    listed = {x.ClockStatus.DUE_SOON, x.ClockStatus.OVERDUE, x.ClockStatus.PAUSED}
    from_library = sorted(
        (c.case_id, c.key, c.due.isoformat(), c.provisional)
        for c in table.to_clocks()
        if c.status in listed
    )
    assert from_command == from_library
    assert any(p for *_, p in from_library)
    assert doc["calendar"]["name"] == DEFAULT.name
