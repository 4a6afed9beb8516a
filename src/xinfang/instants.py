"""Instants: every recorded time is an aware datetime in Asia/Shanghai.

Naive datetimes are refused (:class:`~xinfang.errors.NaiveDatetimeError`); aware ones
in another zone are converted. From 1992 on a fixed +08:00 offset *is*
Asia/Shanghai (no daylight saving since 1991), so it is relabelled without
arithmetic: the fast path of a loaded ledger.

Every instant and date xinfang records lies in **1949-10-01..2199-12-31**
(local days in Asia/Shanghai, :data:`FIRST_DAY`..:data:`LAST_DAY`); anything
else is refused at the edge with an :class:`~xinfang.InvalidDataError`
naming the field. The range is what every part can hold: no petition
predates the People's Republic; the calendar counts working days through
2200 at most (published arrangements from 2004, provisional years after);
PostgreSQL's ``timestamptz`` and SQLite's ISO text hold every instant of it,
where an instant on 0001-01-01 in Asia/Shanghai (+08:05:43 local mean time)
has no UTC value at all.
"""

from __future__ import annotations

import datetime as _dt
import zoneinfo
from typing import Any, Final

from xinfang.errors import InvalidDataError, NaiveDatetimeError, quoted

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "SHANGHAI",
    "UTC8_SINCE",
    "aware",
    "aware_or_none",
    "day_in_range",
    "in_range",
    "local_day",
]

SHANGHAI: Final = zoneinfo.ZoneInfo("Asia/Shanghai")
_UTC8: Final = _dt.timedelta(hours=8)
#: From this year on a fixed +08:00 offset is Asia/Shanghai's own (no DST since 1991).
UTC8_SINCE: Final = 1992

#: The first and the last local day (Asia/Shanghai) of an instant or date xinfang accepts.
FIRST_DAY: Final = _dt.date(1949, 10, 1)
LAST_DAY: Final = _dt.date(2199, 12, 31)
#: Years wholly inside the range: the fast path checks only the year.
_SAFE_YEARS: Final = range(FIRST_DAY.year + 1, LAST_DAY.year + 1)
_RANGE_RULE: Final = (
    f"instants and dates lie in {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()} (Asia/Shanghai)"
)

#: The local date of an aware instant in Asia/Shanghai (its own wall-clock fields).
local_day: Final = _dt.datetime.date


def _outside(shown: str, field: str) -> InvalidDataError:
    return InvalidDataError(
        [(field, f"{shown} is outside the range xinfang accepts: {_RANGE_RULE}")]
    )


def in_range(day: _dt.date, field: str = "date") -> _dt.date:
    """``day`` itself when it lies in :data:`FIRST_DAY`..:data:`LAST_DAY`, else a data error.

    A ``datetime`` is checked on its own wall-clock date. Anything that is not
    a date is an :class:`~xinfang.InvalidDataError` naming ``field``.
    """
    if type(day) is _dt.date and day.year in _SAFE_YEARS:
        return day
    if not isinstance(day, _dt.date):
        raise InvalidDataError([(field, f"expected a date, got {type(day).__name__}")])
    if not FIRST_DAY <= (day.date() if isinstance(day, _dt.datetime) else day) <= LAST_DAY:
        raise _outside(quoted(day.isoformat()), field)
    return day


def day_in_range(_instance: object, attribute: Any, value: Any) -> None:
    """An attrs validator: a ``date`` field lies in the accepted range (``None`` passes).

    Only dates are checked here; a value of another type is left to the
    class's own type checks, which name it.
    """
    if type(value) is _dt.date:
        in_range(value, attribute.name)


def aware(value: _dt.datetime, field: str = "at") -> _dt.datetime:
    """``value`` as an aware datetime in Asia/Shanghai; naive values are rejected."""
    if not isinstance(value, _dt.datetime):
        raise InvalidDataError([(field, f"expected an aware datetime, got {type(value).__name__}")])
    tz = value.tzinfo
    if type(value) is _dt.datetime and value.year in _SAFE_YEARS:
        if tz is SHANGHAI:
            return value
        if tz is not None and value.year >= UTC8_SINCE and tz.utcoffset(value) == _UTC8:
            return value.replace(tzinfo=SHANGHAI)
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{quoted(value.isoformat())} has no time zone",
            path=field,
            rule="instants must be aware",
        )
    try:
        local = value.astimezone(SHANGHAI)
    except (OverflowError, ValueError):  # no UTC value (year 1 or 9999 at the edge)
        raise _outside(quoted(value.isoformat()), field) from None
    if not FIRST_DAY <= local.date() <= LAST_DAY:
        raise _outside(quoted(value.isoformat()), field)
    return _dt.datetime(
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
        local.microsecond,
        tzinfo=SHANGHAI,
    )


def aware_or_none(value: _dt.datetime | None, field: str = "delivered_at") -> _dt.datetime | None:
    """:func:`aware` for an optional instant (``None`` stays ``None``)."""
    return None if value is None else aware(value, field)
