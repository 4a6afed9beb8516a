"""The cases of one call as int32 numpy columns: what the column engine reads.

:class:`CaseColumns` reads the columns from :class:`~xinfang.Case` values;
:class:`ColumnSource` is what the column engine asks of any source (the
columnar engine reads an Arrow table instead). Imported, with numpy, on
first use of a column name of :mod:`xinfang.deadlines`.
"""

from __future__ import annotations

import datetime as _dt
from itertools import chain
from operator import attrgetter, is_not
from typing import TYPE_CHECKING, Any, Final, Protocol

import numpy as np

from xinfang.case import MILESTONE_NAMES, Case
from xinfang.deadlines._clocks import case_as_of, not_yet_registered, paused_days
from xinfang.deadlines._plan import CODES, ENUM_COLUMNS
from xinfang.errors import XinfangError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterable, Sequence

    import numpy.typing as npt

__all__ = ["CaseColumns", "ColumnSource"]


#: Columns of singletons (enum members, flags, None): the attribute each reads.
_SINGLETON_COLUMNS: Final = {
    **{name: name for name in ENUM_COLUMNS},
    "beijing_visit": "beijing_visit",
    "skip_level": "skip_level",
    "is_settled": "settled",  # the flag, not the milestone
    "identity_unclear": "identity_unclear",
}
_OTHER_COLUMNS: Final = ("extension_days", "hearings", "plan", "deadline_moves", "plan_steps")
_MILESTONE_SET: Final = frozenset(MILESTONE_NAMES)
_ON: Final = attrgetter("on")


class _Ordinals(dict[_dt.date | None, int]):
    """Day → proleptic ordinal (``None`` → 0), filled on first sight of each day (one call)."""

    __slots__ = ()

    def __missing__(self, day: _dt.date | None) -> int:
        found = self[day] = 0 if day is None else day.toordinal()
        return found


def _singleton_codes() -> dict[int, int]:
    """``id(value)`` → code, for every value a singleton column holds.

    Keyed by identity: members, ``True``, ``False`` and ``None`` are
    singletons, and ``Enum.__hash__`` runs in Python (slow on a million).
    """
    found = {id(None): 0, id(False): 0, id(True): 1}
    found.update((id(m), code) for m, code in CODES.items() if m is not None)
    return found


class CaseColumns:
    """The clock engine's column API: the cases of one call as int32 numpy columns.

    Built per call from the :class:`~xinfang.Case` values and dropped with
    it (no rows, caches or tables on the cases or in the module). A column
    is read from the cases on first use; :meth:`read` reads several at
    once, all milestones in one pass over the cases and all enum and flag
    columns in another. By name:

    * a milestone (:data:`~xinfang.case.MILESTONE_NAMES`): the day as a
      proleptic ordinal (``date.toordinal()``), 0 for none;
    * ``route``, ``category``, ``procedure``, ``channel``, ``stage``,
      ``rating``: the member's code in :data:`CODES`, 0 for none;
    * ``beijing_visit``, ``skip_level``, ``is_settled`` (the flag): 0 or 1;
    * ``extension_days``; ``hearings`` (how many); ``plan`` (0 none, 1
      incomplete, 2 complete); ``deadline_moves`` (revisions that moved the
      plan's deadline later); ``plan_steps`` (the current plan's steps).

    ``cases`` are the cases as they stood at the end of ``day``: a case with
    later events is replayed up to it; a case received or registered after
    it is left out with ``drop_unregistered``, else it raises
    :class:`~xinfang.XinfangError`. ``read`` names columns to read in the
    first passes (e.g. :func:`clock_columns`).
    """

    __slots__ = ("_columns", "_ordinal", "cases", "day")

    def __init__(
        self,
        cases: Iterable[Case],
        day: _dt.date,
        *,
        drop_unregistered: bool = False,
        read: Iterable[str] = (),
    ) -> None:
        self.cases: list[Case] = list(cases)
        self.day = day
        self._columns: dict[str, npt.NDArray[np.int32]] = {}
        self._ordinal = _Ordinals()
        self.read("last_event", "received", *read)
        day_o = day.toordinal()
        if drop_unregistered:
            keep = self._columns["received"] <= day_o
            if not keep.all():
                self._keep(np.flatnonzero(keep))
        # Cases with events after the day are seen as they stood then (rare: replayed).
        late = np.flatnonzero(self._columns["last_event"] > day_o).tolist()
        if not late:
            return
        gone = []
        for k in late:
            then = case_as_of(self.cases[k], day)
            if then is None and not drop_unregistered:
                raise not_yet_registered(self.cases[k], day)
            if then is None:  # received by the day, but registered only after it
                gone.append(k)
            else:
                self.cases[k] = then
        if gone:
            self._keep(np.setdiff1d(np.arange(len(self.cases)), gone))
            late = np.flatnonzero(self._columns["last_event"] > day_o).tolist()
        again = self._read([self.cases[k] for k in late], tuple(self._columns))
        for name, column in self._columns.items():
            column[late] = again[name]

    def _keep(self, rows: npt.NDArray[np.intp]) -> None:
        self.cases = [self.cases[k] for k in rows.tolist()]
        for name, column in self._columns.items():
            self._columns[name] = column[rows]

    @property
    def as_of(self) -> int:
        """The ordinal of :attr:`day` (every case stands as of it)."""
        return self.day.toordinal()

    def __len__(self) -> int:
        return len(self.cases)

    def __getitem__(self, name: str) -> npt.NDArray[np.int32]:
        found = self._columns.get(name)
        if found is None:
            self.read(name)
            found = self._columns[name]
        return found

    def __contains__(self, name: object) -> bool:
        """Whether column ``name`` has been read (of every case)."""
        return name in self._columns

    def case(self, k: int) -> Case:
        """Case ``k`` (as it stood at the end of :attr:`day`)."""
        return self.cases[k]

    def pauses(
        self, rows: npt.NDArray[np.intp], since: npt.NDArray[np.integer[Any]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """:func:`paused_days` of cases ``rows`` from ``since`` (ordinals), case by case."""
        return _pauses_of(self.case, rows, since, self.day)

    def at(self, rows: npt.NDArray[np.intp], *names: str) -> list[npt.NDArray[np.int32]]:
        """Columns ``names`` at ``rows`` only: read from just those cases unless read already."""
        todo = [name for name in names if name not in self._columns]
        found = self._read(list(map(self.cases.__getitem__, rows.tolist())), todo) if todo else {}
        return [found[name] if name in found else self._columns[name][rows] for name in names]

    def read(self, *names: str) -> None:
        """Read the columns ``names`` not read yet (each kind in one pass over the cases)."""
        todo = [name for name in dict.fromkeys(names) if name not in self._columns]
        if todo:
            self._columns.update(self._read(self.cases, todo))

    def _read(self, cases: Sequence[Case], names: Sequence[str]) -> dict[str, Any]:
        n = len(cases)
        out: dict[str, Any] = {}
        days = [name for name in names if name in _MILESTONE_SET]
        if days:
            values = map(attrgetter(*days), map(_ON, cases))
            flat = chain.from_iterable(values) if len(days) > 1 else values
            out.update(_unstack(days, map(self._ordinal.__getitem__, flat), n))
        singles = [name for name in names if name in _SINGLETON_COLUMNS]
        if singles:
            values = map(attrgetter(*(_SINGLETON_COLUMNS[name] for name in singles)), cases)
            flat = chain.from_iterable(values) if len(singles) > 1 else values
            out.update(_unstack(singles, map(_singleton_codes().__getitem__, map(id, flat)), n))
        for name in names:
            if name not in out:
                out[name] = _other_column(cases, name)
        return out


def _unstack(names: Sequence[str], flat: Iterable[int], n: int) -> dict[str, Any]:
    """Columns from their values case by case (each a view of one block)."""
    block = np.fromiter(flat, np.int32, n * len(names)).reshape(n, len(names))
    return {name: block[:, j] for j, name in enumerate(names)}


def _other_column(cases: Sequence[Case], name: str) -> npt.NDArray[np.int32]:
    n = len(cases)
    if name == "extension_days":
        return np.fromiter(map(attrgetter(name), cases), np.int32, n)
    if name == "hearings":
        return np.fromiter(map(len, map(attrgetter(name), cases)), np.int32, n)
    if name.startswith(("step_due_", "step_done_")):  # step N of each case's current plan
        number = int(name.rsplit("_", 1)[1])
        out = np.zeros(n, np.int32)
        for k, case in enumerate(cases):
            plan = case.plan
            if plan is None or len(plan.milestones) < number:
                continue
            d = plan.milestones[number - 1].due if "due" in name else case.steps_done[number - 1]
            out[k] = 0 if d is None else d.toordinal()
        return out
    if name == "deadline_moves":  # the events are read of the cases with a plan only
        moves = (0 if c.plan is None else c.deadline_moves for c in cases)
        return np.fromiter(moves, np.int32, n)
    if name == "plan_steps":
        steps = (0 if c.plan is None else len(c.plan.milestones) for c in cases)
        return np.fromiter(steps, np.int32, n)
    if name == "plan":
        plans = list(map(attrgetter(name), cases))
        out = np.fromiter(map(is_not, plans, [None] * n), np.int32, n)
        for k in np.flatnonzero(out).tolist():
            out[k] = 2 if plans[k].is_complete else 1
        return out
    known = sorted({*_SINGLETON_COLUMNS, *_OTHER_COLUMNS})
    raise XinfangError(
        f"no case column {name!r}; columns are the milestones and {known}", path="column"
    )


def _pauses_of(
    case: Callable[[int], Case],
    rows: npt.NDArray[np.intp],
    since: npt.NDArray[np.integer[Any]],
    day: _dt.date,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """:func:`paused_days` of cases ``rows`` (``case(k)`` gives case ``k``), one by one."""
    paused = np.zeros(len(rows), dtype=np.int64)
    running = np.zeros(len(rows), dtype=bool)
    for i, (k, start) in enumerate(zip(rows.tolist(), since.tolist(), strict=True)):
        paused[i], running[i] = paused_days(case(k), _dt.date.fromordinal(start), day)
    return paused, running


class ColumnSource(Protocol):
    """What :func:`clock_parts` reads: the cases of one call as named int32 columns.

    :class:`CaseColumns` reads them from :class:`~xinfang.Case` values; the
    columnar engine (:mod:`xinfang.columnar`) from an Arrow milestones table.
    Columns are named and coded as :class:`CaseColumns` documents. ``day`` is
    the day the cases stand as of; :meth:`case` gives case ``k`` as a value,
    for the rare per-case work (hearing pauses, the error of a case outside
    the calendar).
    """

    @property
    def day(self) -> _dt.date:
        """The day the cases stand as of."""
        ...

    @property
    def as_of(self) -> int | npt.NDArray[np.int32]:
        """The ordinal of the day each case stands as of: :attr:`day`'s, or one per case.

        Per case (an array) when each case is counted as of its own day, as
        the store's projections are (each case as of its last event).
        """
        ...

    def __len__(self) -> int: ...

    def __getitem__(self, name: str) -> npt.NDArray[np.int32]: ...

    def __contains__(self, name: object) -> bool: ...

    def read(self, *names: str) -> None:
        """Read the columns ``names`` now (one pass per kind), if not read yet."""
        ...

    def at(self, rows: npt.NDArray[np.intp], *names: str) -> list[npt.NDArray[np.int32]]:
        """Columns ``names`` at ``rows`` only."""
        ...

    def case(self, k: int) -> Case:
        """Case ``k`` as a value, as it stood at the end of :attr:`day`."""
        ...

    def pauses(
        self, rows: npt.NDArray[np.intp], since: npt.NDArray[np.integer[Any]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Hearing days of cases ``rows`` from ``since`` (ordinals) on, and whether one runs.

        What :func:`paused_days` gives for each case (a running hearing counts
        to :attr:`day`).
        """
        ...
