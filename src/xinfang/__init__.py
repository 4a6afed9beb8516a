"""xinfang: petition (信访) casework as pure, typed domain models.

Everything public is importable from here; the submodules are implementation
detail except :mod:`xinfang.strategies` (hypothesis strategies for hosts).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from xinfang.calendar import WorkCalendar, china_mainland, combine_calendars, load_calendar
from xinfang.errors import (
    CalendarDataError,
    CalendarRangeError,
    NaiveDatetimeError,
    PeriodError,
    XinfangError,
)
from xinfang.periods import (
    DEFAULT_TIMEZONE,
    CountingRule,
    DueDate,
    Period,
    PeriodUnit,
    due_date,
    local_date,
)

try:
    __version__ = version("xinfang")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "DEFAULT_TIMEZONE",
    "CalendarDataError",
    "CalendarRangeError",
    "CountingRule",
    "DueDate",
    "NaiveDatetimeError",
    "Period",
    "PeriodError",
    "PeriodUnit",
    "WorkCalendar",
    "XinfangError",
    "__version__",
    "china_mainland",
    "combine_calendars",
    "due_date",
    "load_calendar",
    "local_date",
]
