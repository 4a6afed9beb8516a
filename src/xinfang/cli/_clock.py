"""The clocks the command reads: today's date in Asia/Shanghai, and time elapsed (for logs).

The only place in xinfang that reads the wall clock. Callers reach ``now`` and
``today`` through this module (``clock.today()``), so that a test can set the
command's today by replacing the attribute here.
"""

from __future__ import annotations

import datetime as _dt
import time
import zoneinfo
from typing import Final

__all__ = ["SHANGHAI", "now", "since", "today"]

SHANGHAI: Final = zoneinfo.ZoneInfo("Asia/Shanghai")


def now() -> _dt.datetime:
    """Now in Asia/Shanghai (the only clock the command reads; tests replace it)."""
    return _dt.datetime.now(SHANGHAI)


def today() -> _dt.date:
    """Today in Asia/Shanghai."""
    return now().date()


def since(started: float) -> float:
    """Seconds since ``started`` (a ``time.perf_counter()`` reading)."""
    return time.perf_counter() - started
