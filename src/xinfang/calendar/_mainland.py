"""The mainland China calendar: the published arrangements and the provisional years.

:func:`china_mainland` builds the one default calendar of the library from the
``chinesecalendar`` package (the State Council arrangements) and, past them,
the ``holidays`` package (the statutory holidays, provisionally); both
packages and the package metadata are imported when a mainland calendar is
first built, not when :mod:`xinfang.calendar` is imported.
:func:`load_calendar` reads a calendar file onto it.
"""

from __future__ import annotations

import datetime as _dt
import functools
from typing import TYPE_CHECKING, Final

from xinfang.calendar._calendar import WorkCalendar
from xinfang.errors import CalendarDataError, quoted

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

__all__ = ["china_mainland", "load_calendar"]


def load_calendar(path: str | Path, *, base: WorkCalendar | None = None) -> WorkCalendar:
    """Read a calendar TOML file and apply it to ``base`` (default: :func:`china_mainland`).

    See ``docs/calendar.md`` for the format; the bundled example is
    ``xinfang/data/calendars/example-local.toml``.
    """
    return (base if base is not None else china_mainland()).extend_from_file(path)


_CN_LABELS: Final = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}


@functools.cache
def _published() -> WorkCalendar:
    import importlib.metadata

    from chinese_calendar import constants

    holidays: dict[_dt.date, str] = dict(constants.holidays)
    workdays: dict[_dt.date, str] = dict(constants.workdays)
    first = _dt.date(min(holidays).year, 1, 1)
    last = _dt.date(max(holidays).year, 12, 31)
    try:
        version = importlib.metadata.version("chinesecalendar")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        version = "unknown"
    labels = {d: _CN_LABELS.get(n, n) for d, n in holidays.items()}
    labels.update({d: f"{_CN_LABELS.get(n, n)}调休上班" for d, n in workdays.items()})
    return WorkCalendar(
        name="china-mainland",
        first=first,
        last=last,
        holidays=holidays,
        makeup_workdays=workdays,
        sources=(
            (
                f"chinesecalendar {version}: State Council General Office holiday "
                f"arrangements {first.year}-{last.year}"
            ),
        ),
        labels=labels,
    )


_PROVISIONAL_SOURCE: Final = (
    "provisional: statutory holidays of 全国年节及纪念日放假办法 (rev. 2024) with weekend "
    "compensation days, dates from the holidays package; no make-up working days"
)


#: The last year a provisional calendar may reach: the holiday measures are 2024's,
#: and a century of guessed holidays is already more than any limit needs.
_MAX_PROVISIONAL_YEAR: Final = 2200


@functools.cache
def _provisional(through: int) -> WorkCalendar:
    base = _published()
    first_year = base.last.year + 1
    if through < first_year:
        raise CalendarDataError(
            f"provisional_through={through} must be after the published data's last year "
            f"({base.last.year})",
            path="provisional_through",
        )
    import holidays as holidays_pkg

    years = range(first_year, through + 1)
    days: dict[_dt.date, str] = {}
    zh = holidays_pkg.country_holidays("CN", years=years, language="zh_CN")
    en = holidays_pkg.country_holidays("CN", years=years, language="en_US")
    for d, name in en.items():
        # Days "substituted" for a make-up working day come only from a State
        # Council notice; the holiday measures give the holidays themselves and
        # the weekday compensation for holidays that fall on a weekend.
        if "substitut" in name.lower() or "day off" in name.lower():
            continue
        days[d] = zh.get(d, name)
    return WorkCalendar(
        name=f"china-mainland+provisional-{through}",
        first=base.first,
        last=_dt.date(through, 12, 31),
        holidays=base.holidays | days.keys(),
        makeup_workdays=base.makeup_workdays,
        provisional_years=years,
        sources=(*base.sources, _PROVISIONAL_SOURCE),
        labels={**base.labels, **{d: f"{n}(暂定)" for d, n in days.items()}},
    )


def china_mainland(
    *,
    strict: bool = False,
    provisional_through: int = 2035,
    provisional: bool | None = None,
) -> WorkCalendar:
    """The mainland China calendar: the one default of the library and the command.

    It covers the years that have a published State Council arrangement in
    the bundled data source (``chinesecalendar``: 2004-2026 at the time of
    writing), then **provisional years** through ``provisional_through``: the
    statutory holidays of the national holiday measures (and their weekday
    compensation when one falls on a weekend), and **no** make-up working
    days. Those years are listed in ``provisional_years``; every result a
    provisional day decided is flagged ``provisional`` (due dates, clocks,
    due rows, bulletins, JSON). Load the real arrangement with
    :meth:`WorkCalendar.with_arrangement` or :func:`load_calendar` once it is
    published. Built once per choice, then cached.

    ``strict=True`` gives the published years only: a date past them raises
    :class:`~xinfang.errors.CalendarRangeError` instead of being counted
    provisionally (the command's ``--strict-calendar``).

    ``provisional`` is the former spelling, kept for compatibility:
    ``provisional=True`` is the default, ``provisional=False`` means
    ``strict=True``; ``provisional=True, strict=True`` is a
    :class:`~xinfang.errors.CalendarDataError`.
    """
    if not isinstance(strict, bool):
        raise CalendarDataError(
            f"strict must be true or false, got {type(strict).__name__}", path="strict"
        )
    if provisional is not None:
        if not isinstance(provisional, bool):
            raise CalendarDataError(
                f"provisional must be true or false, got {type(provisional).__name__}",
                path="provisional",
            )
        if provisional and strict:
            raise CalendarDataError(
                "provisional=True contradicts strict=True; give only strict "
                "(provisional is its former spelling)",
                path="provisional",
            )
        strict = not provisional
    if (
        not isinstance(provisional_through, int)
        or isinstance(provisional_through, bool)
        or not 1 <= provisional_through <= _MAX_PROVISIONAL_YEAR
    ):
        raise CalendarDataError(
            f"provisional_through must be a year (an integer up to {_MAX_PROVISIONAL_YEAR}), "
            f"got {quoted(provisional_through)}",
            path="provisional_through",
        )
    if strict:
        return _published()
    return _provisional(provisional_through)
