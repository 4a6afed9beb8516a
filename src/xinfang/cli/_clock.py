"""The clocks the command reads: today's date in Asia/Shanghai, and time elapsed (for logs).

The only place in xinfang that reads the wall clock: ``wall_clock``. ``now``
and ``today`` look it up when called, so a test sets the command's now (and
today) by replacing ``wall_clock`` here, whichever module calls them.
"""

from __future__ import annotations

import datetime as _dt
import time
import zoneinfo
from typing import Final

__all__ = ["SHANGHAI", "now", "since", "today", "wall_clock"]

SHANGHAI: Final = zoneinfo.ZoneInfo("Asia/Shanghai")


def wall_clock() -> _dt.datetime:
    """Now in Asia/Shanghai, read from the system (the only clock read; tests replace it)."""
    return _dt.datetime.now(SHANGHAI)


def now() -> _dt.datetime:
    """Now in Asia/Shanghai."""
    return wall_clock()


def today() -> _dt.date:
    """Today in Asia/Shanghai."""
    return now().date()


def since(started: float) -> float:
    """Seconds since ``started`` (a ``time.perf_counter()`` reading)."""
    return time.perf_counter() - started
