"""A calendar's index as numpy arrays: what the column paths gather from.

:attr:`WorkCalendar.arrays <xinfang.calendar.WorkCalendar.arrays>` builds a
:class:`CalendarArrays` on first use and keeps it with the calendar; this
module (and numpy) is imported only then, so the per-case path never pays
for numpy.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["CalendarArrays", "calendar_arrays"]


def _read_only(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a.flags.writeable = False
    return a


@attrs.frozen(eq=False)
class CalendarArrays:
    """The arithmetic index of one calendar as read-only numpy arrays.

    Days are proleptic ordinals (``date.toordinal()``); covered day ``i``
    (0-based) is ordinal ``first + i``.

    Attributes:
        first: the ordinal of the calendar's first covered day.
        size: how many days the calendar covers.
        count: how many of them are working days.
        cumulative: int64, ``size + 1`` long: ``cumulative[i]`` working days
            among the first ``i`` covered days.
        working_days: int64, ``count`` long: the ordinal of the ``k``-th
            working day (0-based), ascending.
        is_working: bool, ``size`` long: whether covered day ``i`` is a working day.
        provisional: int64, ``size + 1`` long: provisional days among the
            first ``i`` covered days.
    """

    first: int
    size: int
    count: int
    cumulative: npt.NDArray[np.int64]
    working_days: npt.NDArray[np.int64]
    is_working: npt.NDArray[np.bool_]
    provisional: npt.NDArray[np.int64]


def calendar_arrays(
    first: int,
    cumulative: Sequence[int],
    working_days: Sequence[_dt.date],
    is_working: bytes,
    provisional: Sequence[int],
) -> CalendarArrays:
    """The arrays of a calendar's index (its Python lists), each built once."""
    return CalendarArrays(
        first=first,
        size=len(is_working),
        count=len(working_days),
        cumulative=_read_only(np.asarray(cumulative, dtype=np.int64)),
        working_days=_read_only(
            np.fromiter(map(_dt.date.toordinal, working_days), np.int64, len(working_days))
        ),
        is_working=_read_only(np.frombuffer(is_working, dtype=np.uint8).astype(bool)),
        provisional=_read_only(np.asarray(provisional, dtype=np.int64)),
    )
