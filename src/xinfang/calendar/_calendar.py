"""Working-day calendars: days off, make-up working days (调休), O(1) arithmetic.

A :class:`WorkCalendar` is an immutable value. It knows, for every day of a
closed range ``first..last``, whether that day is a working day (工作日):

* a day is a working day when it is not a weekend day and not a holiday or
  closure, **or** when it is a make-up working day (a weekend day the State
  Council arrangement turns into a working day);
* a day outside ``first..last`` is unknown: every method raises
  :class:`~xinfang.errors.CalendarRangeError` rather than guess.

Arithmetic conventions (all O(1), from a cumulative index built once):

* ``add_working_days(d, n)``, ``n > 0``: the *n*-th working day strictly after
  ``d``; the start day is never counted, whether or not it is a working day.
  ``n < 0``: the ``|n|``-th working day strictly before ``d``. ``n == 0``
  returns ``d`` unchanged (the identity, even on a rest day); use
  :meth:`WorkCalendar.roll_forward` to move onto a working day.
* ``working_days_between(a, b)``: the number of working days in the half-open
  interval ``(a, b]``; negative when ``b < a`` (``-working_days_between(b, a)``).
  It is the difference of the cumulative working-day count, so it is
  antisymmetric and additive. ``working_days_between(d, add_working_days(d, n))``
  is ``n`` for every ``n >= 0``, and for ``n < 0`` when ``d`` is a working day
  (from a rest day it is ``n + 1``: the rest day itself is not a working day to
  step back over).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from xinfang._toml import read_toml
from xinfang.errors import CalendarDataError, CalendarRangeError, quoted

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    import numpy as np
    import numpy.typing as npt

    from xinfang.calendar._arrays import CalendarArrays

__all__ = ["WorkCalendar", "combine_calendars"]

_date = _dt.date
_fromordinal = _dt.date.fromordinal
# Ordinal of 1970-01-01: numpy's datetime64[D] counts days from there.
_EPOCH_ORDINAL: Final = _dt.date(1970, 1, 1).toordinal()
_FORMAT: Final = 1
_FORMAT_RULE: Final = "xinfang calendar format 1 (docs/calendar.md)"


def _iso(d: _dt.date) -> str:
    return d.isoformat()


class _Index:
    """The precomputed arithmetic of one calendar (private, built once).

    ``cum[i]`` is the number of working days among the first ``i`` covered
    days; ``nth[k]`` is the ``k``-th working day (0-based) as a ``date``;
    ``prov[i]`` counts provisional days among the first ``i`` covered days.
    """

    __slots__ = ("arrays", "base", "count", "cum", "nth", "prov", "size", "work")

    def __init__(self, cal: WorkCalendar) -> None:
        base = cal.first.toordinal()
        size = cal.last.toordinal() - base + 1
        weekend = cal.weekend
        off = cal.holidays
        on = cal.makeup_workdays
        prov_years = cal.provisional_years
        work = bytearray(size)
        cum = [0] * (size + 1)
        prov = [0] * (size + 1)
        nth: list[_dt.date] = []
        c = 0
        p = 0
        for i in range(size):
            d = _fromordinal(base + i)
            if d in on or (d.weekday() not in weekend and d not in off):
                work[i] = 1
                c += 1
                nth.append(d)
            if d.year in prov_years:
                p += 1
            cum[i + 1] = c
            prov[i + 1] = p
        self.base = base
        self.size = size
        self.work = bytes(work)
        self.cum = cum
        self.nth = nth
        self.count = c
        self.prov = prov
        self.arrays: CalendarArrays | None = None  # built on first use (numpy)


def _frozen_dates(value: Iterable[_dt.date]) -> frozenset[_dt.date]:
    return frozenset(value)


def _frozen_ints(value: Iterable[int]) -> frozenset[int]:
    return frozenset(value)


def _tuple_str(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _labels(value: Mapping[_dt.date, str]) -> Mapping[_dt.date, str]:
    return dict(value)


@attrs.frozen(kw_only=True)
class WorkCalendar:
    """An immutable working-day calendar over a closed range of dates.

    Build one with :func:`china_mainland`, :meth:`extend`, :func:`load_calendar`
    or :func:`combine_calendars`; the constructor validates its input.

    Attributes:
        name: a short identifier, shown in explanations and errors.
        first: the first covered date.
        last: the last covered date (inclusive).
        weekend: weekday numbers (Monday = 0) that are rest days unless listed
            in ``makeup_workdays``.
        holidays: days off (statutory holidays, the rest days of an arranged
            holiday period, local closures). Weekend days may appear here too.
        makeup_workdays: weekend days that are working days (调休).
        provisional_years: years whose days come from the holiday measures
            rather than a published arrangement (see :func:`china_mainland`).
        sources: where the data came from, for explanations and audits.
        labels: a name for each listed day (e.g. ``"国庆节"``); descriptive
            only, not part of equality.
    """

    name: str
    first: _dt.date
    last: _dt.date
    weekend: frozenset[int] = attrs.field(default=frozenset({5, 6}), converter=_frozen_ints)
    holidays: frozenset[_dt.date] = attrs.field(default=frozenset(), converter=_frozen_dates)
    makeup_workdays: frozenset[_dt.date] = attrs.field(default=frozenset(), converter=_frozen_dates)
    provisional_years: frozenset[int] = attrs.field(default=frozenset(), converter=_frozen_ints)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_tuple_str)
    labels: Mapping[_dt.date, str] = attrs.field(
        factory=dict, converter=_labels, eq=False, hash=False, repr=False
    )
    _ix: _Index = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.first, _dt.date) or not isinstance(self.last, _dt.date):
            raise CalendarDataError("first and last must be dates", path="first/last")
        if self.first > self.last:
            raise CalendarDataError(
                f"first ({self.first}) is after last ({self.last})",
                path="first",
                rule="a calendar covers a non-empty range",
            )
        bad_weekend = sorted(w for w in self.weekend if not 0 <= w <= 6)
        if bad_weekend:
            raise CalendarDataError(
                f"weekday numbers must be 0 (Monday) to 6 (Sunday), got {bad_weekend}",
                path="weekend",
            )
        for field, days in (("holidays", self.holidays), ("makeup_workdays", self.makeup_workdays)):
            outside = sorted(d for d in days if not self.first <= d <= self.last)
            if outside:
                raise CalendarDataError(
                    f"{_iso(outside[0])} lies outside the covered range "
                    f"{_iso(self.first)}..{_iso(self.last)}",
                    path=field,
                    rule="listed days must be covered",
                )
        both = sorted(self.holidays & self.makeup_workdays)
        if both:
            raise CalendarDataError(
                f"{_iso(both[0])} is listed both as a day off and as a make-up working day",
                path="makeup_workdays",
                rule="a day is either off or working",
            )
        weekdays = sorted(d for d in self.makeup_workdays if d.weekday() not in self.weekend)
        if weekdays:
            d = weekdays[0]
            raise CalendarDataError(
                f"{_iso(d)} is a {d.strftime('%A')}; a make-up working day (调休) must "
                "fall on a weekend day",
                path="makeup_workdays",
                rule="调休 turns a weekend day into a working day",
            )
        object.__setattr__(self, "_ix", _Index(self))

    # ------------------------------------------------------------------ range
    def covers(self, d: _dt.date) -> bool:
        """Whether ``d`` lies in ``first..last``."""
        return 0 <= d.toordinal() - self._ix.base < self._ix.size

    def _out_of_range(self, d: _dt.date, what: str = "") -> CalendarRangeError:
        if d < self.first:
            way = (
                f"Load an arrangement for {d.year} (WorkCalendar.extend / load_calendar) "
                "if you have one: no holiday data before it is bundled"
            )
        else:
            way = (
                f"Either load the State Council arrangement for {d.year} (WorkCalendar.extend "
                "/ load_calendar), or count it provisionally on china_mainland() (its "
                "default; strict=True refuses, provisional_through=YEAR reaches further)"
            )
        return CalendarRangeError(
            f"{what}{_iso(d)} is outside the calendar {self.name!r}, which covers "
            f"{_iso(self.first)}..{_iso(self.last)}. {way}",
            path="date",
            rule="a calendar never counts days it has no data for",
        )

    def _i(self, d: _dt.date) -> int:
        ix = self._ix
        i = d.toordinal() - ix.base
        if 0 <= i < ix.size:
            return i
        raise self._out_of_range(d)

    # --------------------------------------------------------------- queries
    def is_working_day(self, d: _dt.date) -> bool:
        """Whether ``d`` is a working day (工作日)."""
        return self._ix.work[self._i(d)] == 1

    def is_rest_day(self, d: _dt.date) -> bool:
        """Whether ``d`` is not a working day (a weekend day or a day off)."""
        return self._ix.work[self._i(d)] == 0

    def is_holiday(self, d: _dt.date) -> bool:
        """Whether ``d`` is listed as a day off (holiday, holiday-period rest day or closure)."""
        self._i(d)
        return d in self.holidays

    def is_makeup_workday(self, d: _dt.date) -> bool:
        """Whether ``d`` is a weekend day made a working day (调休)."""
        self._i(d)
        return d in self.makeup_workdays

    def is_provisional(self, d: _dt.date) -> bool:
        """Whether ``d``'s status comes from provisional (unpublished) data."""
        self._i(d)
        return d.year in self.provisional_years

    def provisional_between(self, a: _dt.date, b: _dt.date) -> bool:
        """Whether any day in the closed interval between ``a`` and ``b`` is provisional."""
        ia, ib = self._i(a), self._i(b)
        if ia > ib:
            ia, ib = ib, ia
        prov = self._ix.prov
        return prov[ib + 1] != prov[ia]

    def label(self, d: _dt.date) -> str | None:
        """The name given to a listed day (e.g. ``"国庆节"``), if any."""
        return self.labels.get(d)

    # ------------------------------------------------------------ arithmetic
    def add_working_days(self, d: _dt.date, n: int) -> _dt.date:
        """The ``n``-th working day after ``d`` (before it when ``n < 0``).

        The start day is not counted; ``n == 0`` returns ``d`` itself.
        """
        ix = self._ix
        i = d.toordinal() - ix.base
        if not 0 <= i < ix.size:
            raise self._out_of_range(d)
        if n > 0:
            k = ix.cum[i + 1] + n - 1
        elif n < 0:
            k = ix.cum[i] + n
        else:
            return d
        if 0 <= k < ix.count:
            return ix.nth[k]
        raise self._shift_out_of_range(d, n)

    def _shift_out_of_range(self, d: _dt.date, n: int) -> CalendarRangeError:
        edge = self.last if n > 0 else self.first
        beyond = edge + _dt.timedelta(days=1 if n > 0 else -1)
        return self._out_of_range(
            beyond, f"{n:+d} working days from {_iso(d)} reaches past {_iso(edge)}: "
        )

    def working_days_between(self, a: _dt.date, b: _dt.date) -> int:
        """The number of working days in ``(a, b]``; negative when ``b < a``."""
        cum = self._ix.cum
        return cum[self._i(b) + 1] - cum[self._i(a) + 1]

    def next_working_day(self, d: _dt.date) -> _dt.date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def previous_working_day(self, d: _dt.date) -> _dt.date:
        """The last working day strictly before ``d``."""
        return self.add_working_days(d, -1)

    def roll_forward(self, d: _dt.date) -> _dt.date:
        """``d`` if it is a working day, else the first working day after it."""
        i = self._i(d)
        if self._ix.work[i]:
            return d
        return self.add_working_days(d, 1)

    def roll_backward(self, d: _dt.date) -> _dt.date:
        """``d`` if it is a working day, else the last working day before it."""
        i = self._i(d)
        if self._ix.work[i]:
            return d
        return self.add_working_days(d, -1)

    # ----------------------------------------------------------------- batch
    def add_working_days_many(
        self, dates: Iterable[_dt.date], n: int | Iterable[int]
    ) -> list[_dt.date]:
        """:meth:`add_working_days` over a sequence of dates (``n`` scalar or one per date)."""
        dates = list(dates)
        ns = [n] * len(dates) if isinstance(n, int) else list(n)
        if len(ns) != len(dates):
            raise CalendarDataError(
                f"{len(dates)} dates but {len(ns)} offsets", path="n", rule="one offset per date"
            )
        ix = self._ix
        base, size, cum, nth, count = ix.base, ix.size, ix.cum, ix.nth, ix.count
        add = self.add_working_days
        out: list[_dt.date] = []
        append = out.append
        for d, k in zip(dates, ns, strict=True):
            # Inlined fast path for the common case; edge cases (n <= 0, out of
            # range) go through the scalar method, which raises the right error.
            i = d.toordinal() - base
            j = cum[i + 1] + k - 1 if 0 <= i < size and k > 0 else -1
            append(nth[j] if 0 <= j < count else add(d, k))
        return out

    def working_days_between_many(self, pairs: Iterable[tuple[_dt.date, _dt.date]]) -> list[int]:
        """:meth:`working_days_between` over ``(a, b)`` pairs."""
        between = self.working_days_between
        return [between(a, b) for a, b in pairs]

    @property
    def arrays(self) -> CalendarArrays:
        """The calendar's arithmetic index as read-only numpy arrays (for the column paths).

        Built on first use and kept with the calendar; numpy is imported only
        then. See :class:`~xinfang.calendar.CalendarArrays`.
        """
        ix = self._ix
        if ix.arrays is None:
            from xinfang.calendar._arrays import calendar_arrays

            ix.arrays = calendar_arrays(ix.base, ix.cum, ix.nth, ix.work, ix.prov)
        return ix.arrays

    def add_working_days_array(
        self, dates: npt.ArrayLike, n: npt.ArrayLike
    ) -> np.ndarray[Any, np.dtype[np.datetime64]]:
        """Vectorised :meth:`add_working_days` (requires numpy, ``pip install xinfang[numpy]``).

        ``dates`` is anything numpy turns into ``datetime64[D]``; ``n`` an integer
        or an integer array broadcastable against it. Returns ``datetime64[D]``.
        Raises :class:`~xinfang.errors.CalendarRangeError` naming the first bad element.
        """
        import numpy as np

        arrays = self.arrays
        cum = arrays.cumulative
        nth = arrays.working_days - _EPOCH_ORDINAL
        days = np.asarray(dates, dtype="datetime64[D]").view(np.int64)
        offs = np.asarray(n, dtype=np.int64)
        days, offs = np.broadcast_arrays(days, offs)
        base = self._ix.base - _EPOCH_ORDINAL
        i = days - base
        bad = (i < 0) | (i >= self._ix.size)
        if bad.any():
            first_bad = int(days[bad].flat[0]) + _EPOCH_ORDINAL
            raise self._out_of_range(_fromordinal(first_bad))
        k = np.where(offs > 0, cum[i + 1] + offs - 1, cum[i] + offs)
        bad = (k < 0) | (k >= self._ix.count)
        if bad.any():
            pos = np.flatnonzero(bad.ravel())[0]
            d0 = _fromordinal(int(days.ravel()[pos]) + _EPOCH_ORDINAL)
            raise self._shift_out_of_range(d0, int(offs.ravel()[pos]))
        out = np.where(offs == 0, days, nth[np.clip(k, 0, self._ix.count - 1)])
        return out.astype("datetime64[D]")

    def is_working_day_array(self, dates: npt.ArrayLike) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Vectorised :meth:`is_working_day` (requires numpy)."""
        import numpy as np

        work = self.arrays.is_working
        days = np.asarray(dates, dtype="datetime64[D]").view(np.int64)
        i = days - (self._ix.base - _EPOCH_ORDINAL)
        bad = (i < 0) | (i >= self._ix.size)
        if bad.any():
            raise self._out_of_range(_fromordinal(int(days[bad].flat[0]) + _EPOCH_ORDINAL))
        result: np.ndarray[Any, np.dtype[np.bool_]] = work[i]
        return result

    # ------------------------------------------------------------- extension
    def with_arrangement(
        self,
        year: int,
        *,
        holidays: Iterable[_dt.date],
        makeup_workdays: Iterable[_dt.date] = (),
        source: str,
        labels: Mapping[_dt.date, str] | None = None,
    ) -> WorkCalendar:
        """A new calendar with ``year``'s published holiday arrangement.

        The year's previous holiday and make-up data (provisional or not) is
        replaced whole, the year stops being provisional, and the covered range
        grows to include it when the year is adjacent to the range.
        """
        return self.extend(
            {"year": [_arrangement_mapping(year, holidays, makeup_workdays, source, labels)]}
        )

    def with_closures(self, dates: Iterable[_dt.date], *, reason: str) -> WorkCalendar:
        """A new calendar with extra days off (local closures), each labelled ``reason``."""
        return self.extend({"closure": [{"dates": [_iso(d) for d in dates], "reason": reason}]})

    def extend(self, data: Mapping[str, Any], *, origin: str = "<mapping>") -> WorkCalendar:
        """A new calendar with the years and closures of ``data`` applied.

        ``data`` follows the calendar format of ``docs/calendar.md`` (the same
        structure as a TOML file read by :func:`load_calendar`). Nothing is
        applied unless all of it is valid.
        """
        return _apply(self, data, origin)

    def extend_from_file(self, path: str | Path) -> WorkCalendar:
        """A new calendar with the TOML file at ``path`` applied (see :meth:`extend`)."""
        return _apply(self, _read_toml(path), str(path))


# ---------------------------------------------------------------- data format
def _arrangement_mapping(
    year: int,
    holidays: Iterable[_dt.date],
    makeup_workdays: Iterable[_dt.date],
    source: str,
    labels: Mapping[_dt.date, str] | None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "year": year,
        "source": source,
        "holidays": [_iso(d) for d in sorted(holidays)],
        "makeup_workdays": [_iso(d) for d in sorted(makeup_workdays)],
    }
    if labels:
        entry["labels"] = {_iso(d): name for d, name in labels.items()}
    return entry


def _read_toml(path: str | Path) -> dict[str, Any]:
    return read_toml(path, CalendarDataError, "calendar file")


def _parse_days(value: Any, path: str) -> list[_dt.date]:
    """Dates from a list of ``"YYYY-MM-DD"`` strings, ``date`` values and ``"A..B"`` ranges."""
    if not isinstance(value, list | tuple):
        raise CalendarDataError(
            f"expected a list of dates, got {type(value).__name__}", path=path, rule=_FORMAT_RULE
        )
    out: list[_dt.date] = []
    for j, item in enumerate(value):
        p = f"{path}[{j}]"
        if isinstance(item, _dt.datetime):
            raise CalendarDataError("expected a date, got a date-time", path=p, rule=_FORMAT_RULE)
        if isinstance(item, _dt.date):
            out.append(item)
            continue
        if not isinstance(item, str):
            raise CalendarDataError(
                f"expected a date string, got {type(item).__name__}", path=p, rule=_FORMAT_RULE
            )
        lo_s, sep, hi_s = item.partition("..")
        try:
            lo = _dt.date.fromisoformat(lo_s.strip())
            hi = _dt.date.fromisoformat(hi_s.strip()) if sep else lo
        except ValueError:
            raise CalendarDataError(
                f"{quoted(item)} is not a date (YYYY-MM-DD, e.g. 2027-02-05) or a range "
                "(YYYY-MM-DD..YYYY-MM-DD)",
                path=p,
                rule=_FORMAT_RULE,
            ) from None
        if hi < lo:
            raise CalendarDataError(f"range {quoted(item)} ends before it starts", path=p)
        out.extend(_fromordinal(o) for o in range(lo.toordinal(), hi.toordinal() + 1))
    return out


def _expect(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], path: str) -> Any:
    if key not in data:
        raise CalendarDataError(f"missing required key {key!r}", path=path, rule=_FORMAT_RULE)
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise CalendarDataError(
            f"{key!r} must be {names}, got {type(value).__name__}",
            path=f"{path}.{key}" if path else key,
            rule=_FORMAT_RULE,
        )
    return value


def _apply(cal: WorkCalendar, data: Mapping[str, Any], origin: str) -> WorkCalendar:
    """Validate ``data`` whole, then build the extended calendar (or raise)."""
    try:
        return _apply_unchecked(cal, data)
    except CalendarDataError as exc:
        where = f"{origin}: {exc.path}" if exc.path else origin
        raise CalendarDataError(exc.message, path=where, rule=exc.rule) from None


def _apply_unchecked(cal: WorkCalendar, data: Mapping[str, Any]) -> WorkCalendar:
    if not isinstance(data, Mapping):
        raise CalendarDataError("calendar data must be a table/mapping", rule=_FORMAT_RULE)
    allowed = {"format", "name", "year", "closure"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise CalendarDataError(
            f"unknown key {quoted(unknown[0])} (expected one of {sorted(allowed)})",
            path=unknown[0],
            rule=_FORMAT_RULE,
        )
    fmt = data.get("format", _FORMAT)
    if fmt != _FORMAT:
        raise CalendarDataError(
            f"unsupported format {quoted(fmt)}; this version reads format {_FORMAT}",
            path="format",
            rule=_FORMAT_RULE,
        )
    name = _expect(data, "name", str, "") if "name" in data else cal.name
    holidays = set(cal.holidays)
    makeup = set(cal.makeup_workdays)
    prov = set(cal.provisional_years)
    sources = list(cal.sources)
    labels = dict(cal.labels)
    first, last = cal.first, cal.last

    years = data.get("year", [])
    if not isinstance(years, list):
        raise CalendarDataError("'year' must be an array of tables ([[year]])", path="year")
    seen: set[int] = set()
    for j, entry in enumerate(years):
        path = f"year[{j}]"
        if not isinstance(entry, Mapping):
            raise CalendarDataError("each [[year]] must be a table", path=path, rule=_FORMAT_RULE)
        extra = sorted(set(entry) - {"year", "source", "holidays", "makeup_workdays", "labels"})
        if extra:
            raise CalendarDataError(f"unknown key {quoted(extra[0])}", path=f"{path}.{extra[0]}")
        year = _expect(entry, "year", int, path)
        if not 1900 <= year <= 2200:
            raise CalendarDataError(f"year {year} is implausible", path=f"{path}.year")
        if year in seen:
            raise CalendarDataError(f"year {year} is given twice", path=f"{path}.year")
        seen.add(year)
        source = _expect(entry, "source", str, path)
        if not source.strip():
            raise CalendarDataError(
                "source must name the published arrangement", path=f"{path}.source"
            )
        off = _parse_days(_expect(entry, "holidays", list, path), f"{path}.holidays")
        on = _parse_days(entry.get("makeup_workdays", []), f"{path}.makeup_workdays")
        for key, days in (("holidays", off), ("makeup_workdays", on)):
            for d in days:
                if d.year != year:
                    raise CalendarDataError(
                        f"{_iso(d)} is not in year {year}", path=f"{path}.{key}"
                    )
        for d in on:
            if d.weekday() not in cal.weekend:
                raise CalendarDataError(
                    f"{_iso(d)} is a {d.strftime('%A')}; a make-up working day (调休) must "
                    "fall on a weekend day",
                    path=f"{path}.makeup_workdays",
                    rule="调休 turns a weekend day into a working day",
                )
        y_first, y_last = _dt.date(year, 1, 1), _dt.date(year, 12, 31)
        if y_first > last + _dt.timedelta(days=1) or y_last < first - _dt.timedelta(days=1):
            raise CalendarDataError(
                f"year {year} is not adjacent to the covered range {_iso(first)}..{_iso(last)}; "
                "add the years in between first",
                path=f"{path}.year",
                rule="a calendar covers one unbroken range",
            )
        holidays = {d for d in holidays if d.year != year} | set(off)
        makeup = {d for d in makeup if d.year != year} | set(on)
        for d in [d for d in labels if d.year == year]:
            del labels[d]
        raw_labels = entry.get("labels", {})
        if not isinstance(raw_labels, Mapping):
            raise CalendarDataError("labels must be a table", path=f"{path}.labels")
        for key, value in raw_labels.items():
            for d in _parse_days([key], f"{path}.labels"):
                labels[d] = str(value)
        prov.discard(year)
        sources.append(f"{year}: {source}")
        first, last = min(first, y_first), max(last, y_last)

    closures = data.get("closure", [])
    if not isinstance(closures, list):
        raise CalendarDataError(
            "'closure' must be an array of tables ([[closure]])", path="closure"
        )
    for j, entry in enumerate(closures):
        path = f"closure[{j}]"
        if not isinstance(entry, Mapping):
            raise CalendarDataError(
                "each [[closure]] must be a table", path=path, rule=_FORMAT_RULE
            )
        extra = sorted(set(entry) - {"dates", "reason"})
        if extra:
            raise CalendarDataError(f"unknown key {quoted(extra[0])}", path=f"{path}.{extra[0]}")
        reason = _expect(entry, "reason", str, path)
        days = _parse_days(_expect(entry, "dates", list, path), f"{path}.dates")
        for d in days:
            if not first <= d <= last:
                raise CalendarDataError(
                    f"closure {_iso(d)} is outside the covered range {_iso(first)}..{_iso(last)}",
                    path=f"{path}.dates",
                )
            makeup.discard(d)
            holidays.add(d)
            labels[d] = reason
        sources.append(f"closure: {reason}")

    return WorkCalendar(
        name=name,
        first=first,
        last=last,
        weekend=cal.weekend,
        holidays=holidays,
        makeup_workdays=makeup,
        provisional_years=prov,
        sources=sources,
        labels=labels,
    )


def combine_calendars(*calendars: WorkCalendar, name: str | None = None) -> WorkCalendar:
    """A calendar whose working days are the days that are working in *every* input.

    It covers the intersection of the inputs' ranges (a day is known only where
    every calendar knows it); a year is provisional if any input has it so.
    Use it to lay a local calendar of closures over the national one.
    """
    if not calendars:
        raise CalendarDataError("combine_calendars needs at least one calendar", path="calendars")
    first = max(c.first for c in calendars)
    last = min(c.last for c in calendars)
    if first > last:
        raise CalendarDataError(
            "the calendars' ranges do not overlap",
            path="calendars",
            rule="a calendar covers a non-empty range",
        )
    weekend = frozenset.intersection(*(c.weekend for c in calendars))
    holidays: set[_dt.date] = set()
    makeup: set[_dt.date] = set()
    labels: dict[_dt.date, str] = {}
    for o in range(first.toordinal(), last.toordinal() + 1):
        d = _fromordinal(o)
        working = all(c.is_working_day(d) for c in calendars)
        is_weekend = d.weekday() in weekend
        if working and is_weekend:
            makeup.add(d)
        elif not working and (not is_weekend or any(d in c.holidays for c in calendars)):
            holidays.add(d)
        for c in calendars:
            if d in c.labels:
                labels.setdefault(d, c.labels[d])
    return WorkCalendar(
        name=name or "+".join(c.name for c in calendars),
        first=first,
        last=last,
        weekend=weekend,
        holidays=holidays,
        makeup_workdays=makeup,
        provisional_years=frozenset().union(*(c.provisional_years for c in calendars)),
        sources=tuple(s for c in calendars for s in c.sources),
        labels=labels,
    )
