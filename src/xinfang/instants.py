"""Instants: every recorded time is an aware datetime in Asia/Shanghai.

Naive datetimes are refused (:class:`~xinfang.NaiveDatetimeError`); aware ones
in another zone are converted. From 1992 on a fixed +08:00 offset *is*
Asia/Shanghai (no daylight saving since 1991), so it is relabelled without
arithmetic: the fast path of a loaded ledger.
"""

from __future__ import annotations

import datetime as _dt
import zoneinfo
from typing import Final

from xinfang.errors import InvalidDataError, NaiveDatetimeError

__all__ = ["SHANGHAI", "aware", "aware_or_none", "local_day"]

SHANGHAI: Final = zoneinfo.ZoneInfo("Asia/Shanghai")
_UTC8: Final = _dt.timedelta(hours=8)
#: From this year on a fixed +08:00 offset is Asia/Shanghai's own (no DST since 1991).
_UTC8_SINCE: Final = 1992

#: The local date of an aware instant in Asia/Shanghai (its own wall-clock fields).
local_day: Final = _dt.datetime.date


def aware(value: _dt.datetime, field: str = "at") -> _dt.datetime:
    """``value`` as an aware datetime in Asia/Shanghai; naive values are rejected."""
    if not isinstance(value, _dt.datetime):
        raise InvalidDataError([(field, f"expected an aware datetime, got {type(value).__name__}")])
    tz = value.tzinfo
    if type(value) is _dt.datetime:
        if tz is SHANGHAI:
            return value
        if tz is not None and value.year >= _UTC8_SINCE and tz.utcoffset(value) == _UTC8:
            return value.replace(tzinfo=SHANGHAI)
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{value.isoformat()} has no time zone", path=field, rule="instants must be aware"
        )
    local = value.astimezone(SHANGHAI)
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
