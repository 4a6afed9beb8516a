"""The calendar a command counts on: the mainland one, extended by ``--calendar`` files.

A calendar file (a State Council arrangement or local closures) is checked
before it is applied: an unfilled copy of the template is refused with what
to fill in. Dates counted past the loaded arrangements are provisional; the
note saying how to load the real arrangement is said once per run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from xinfang.calendar import china_mainland
from xinfang.cli._inputs import UNCHECKED, read_toml, unchecked
from xinfang.cli._output import EXIT_DATA, EXIT_USAGE, Exit, log, say
from xinfang.errors import XinfangError

if TYPE_CHECKING:  # pragma: no cover
    import argparse
    import datetime as _dt
    from collections.abc import Sequence

    from xinfang.calendar import WorkCalendar

__all__ = ["TEMPLATE", "Notes", "counting_calendar", "extend", "year_ranges"]

#: The template for a new year's State Council arrangement (calendar format 1).
TEMPLATE: Final = (
    Path(__file__).resolve().parent.parent / "data" / "calendars" / "template-next-year.toml"
)
#: Text in a calendar file's ``source`` that marks an unfilled template.
_PLACEHOLDER: Final = "PLACEHOLDER"


def counting_calendar(args: argparse.Namespace) -> WorkCalendar:
    """The calendar a command counts on: the mainland one, then each ``--calendar`` file."""
    cal = china_mainland(strict=args.strict_calendar)
    for path in args.calendar or ():
        cal, problem = extend(cal, path, args.encoding)
        if problem:
            raise Exit(EXIT_DATA, problem)
    log.info(
        "calendar %s covers %s..%s; provisional years: %s",
        cal.name,
        cal.first,
        cal.last,
        year_ranges(cal.provisional_years) or "none",
    )
    return cal


def extend(cal: WorkCalendar, path: str, encoding: str) -> tuple[WorkCalendar, str]:
    """``cal`` with the calendar file applied, or ``cal`` and the problem found."""
    try:
        data = read_toml(path, encoding)
    except Exit as exc:
        if exc.code == EXIT_USAGE:
            raise
        return cal, exc.message
    for j, entry in enumerate(data.get("year", []) if isinstance(data.get("year"), list) else []):
        source = entry.get("source") if isinstance(entry, dict) else None
        if isinstance(source, str) and _PLACEHOLDER in source.upper():
            return cal, (
                f"{path}: year[{j}].source: still the template's placeholder; fill in the "
                "year's days off and make-up working days from the State Council notice and "
                "put the notice's title in 'source'"
            )
    try:
        return cal.extend(data, origin=path), ""
    except XinfangError as exc:
        return cal, str(exc)
    except UNCHECKED as exc:
        return cal, f"{path}: {unchecked(exc)}"


def year_ranges(years: frozenset[int] | Sequence[int]) -> str:
    """Years as ranges: ``2027-2035`` or ``2027, 2029``."""
    ys = sorted(years)
    runs: list[str] = []
    start = prev = None
    for y in [*ys, None]:
        if y is not None and prev is not None and y == prev + 1:
            prev = y
            continue
        if start is not None:
            runs.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = y
    return ", ".join(runs)


class Notes:
    """Messages said once per run on standard error (the provisional-calendar note)."""

    def __init__(self, quiet: bool, lang: str = "zh") -> None:
        self.quiet = quiet
        self.lang = lang
        self.said: set[str] = set()

    def provisional(self, dates: Sequence[_dt.date]) -> None:
        """Say once how to load the real arrangement, when provisional dates were shown."""
        if self.quiet or not dates or "provisional" in self.said:
            return
        self.said.add("provisional")
        years = sorted({d.year for d in dates})
        if self.lang == "zh":
            say(
                f"注意: 所示 {len(dates)} 个日期落在 {year_ranges(years)} 年, "
                "尚未载入该年国务院办公厅"
                "放假安排: 已按暂定日历(仅法定节假日及其补休, 无调休上班日)计算, 标为“暂定”。"
                f"安排公布后, 按模板填写('xinfang calendar --template > {years[0]}.toml'; "
                f"模板文件 {TEMPLATE}), 用 'xinfang calendar FILE' 检查, 再以 --calendar FILE "
                "载入。--strict-calendar 则拒绝此类日期。"
            )
            return
        say(
            f"note: {len(dates)} date(s) shown fall in {year_ranges(years)}, for which no State "
            "Council holiday arrangement is loaded: they were counted on the provisional "
            "calendar (statutory holidays only, no make-up working days) and are marked "
            "provisional. Once the arrangement is published, fill in a copy of the template "
            f"('xinfang calendar --template > {years[0]}.toml'; the file is {TEMPLATE}), "
            "check it with 'xinfang calendar FILE' and pass it with --calendar FILE. "
            "--strict-calendar refuses such dates instead."
        )
