"""Working-day calendars: days off, make-up working days (调休), O(1) arithmetic.

The calendar value and its arithmetic (:class:`WorkCalendar`,
:func:`combine_calendars`, the calendar file format) live in
``_calendar``; the mainland China calendar and the holiday data it is built
from (:func:`china_mainland`, :func:`load_calendar`) in ``_mainland``; a
calendar's index as numpy arrays for the column paths
(:class:`CalendarArrays`, :attr:`WorkCalendar.arrays`) in ``_arrays``,
imported with numpy only when first used. Importing this package imports
neither numpy nor the holiday data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xinfang.calendar._calendar import WorkCalendar, combine_calendars
from xinfang.calendar._mainland import china_mainland, load_calendar

if TYPE_CHECKING:  # pragma: no cover
    from xinfang.calendar._arrays import CalendarArrays

__all__ = [
    "CalendarArrays",
    "WorkCalendar",
    "china_mainland",
    "combine_calendars",
    "load_calendar",
]


def __getattr__(name: str) -> Any:
    """:class:`CalendarArrays`, imported (with numpy) on first use (PEP 562)."""
    if name == "CalendarArrays":
        from xinfang.calendar._arrays import CalendarArrays

        return CalendarArrays
    raise AttributeError(f"module 'xinfang.calendar' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names, :class:`CalendarArrays` included before its first use."""
    return sorted(__all__)
