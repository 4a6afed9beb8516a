"""The milestones projection (``xf_milestones``): each case's fold, one row, kept with the case.

A nightly sweep over a store used to read every event of every case and fold
it again (:func:`xinfang.columnar.journal_from_store`), although a case's
milestones change only when an event arrives. Since schema version 4 the
store keeps, per case, every field of the columnar milestones companion
(:data:`xinfang.columnar.COMPANION_SCHEMA`: :data:`~xinfang.columnar.MILESTONES_SCHEMA`,
the hearings' days, the officials its role assignments name and its plan's
owner), written in the same transaction as the case's other projections by
every write path (a command, an import, a rebuild, the migration), and read
by :func:`xinfang.columnar.milestones_from_store` without a refold.

Layout, chosen and measured (``bench/store_milestones_bench.py``):

- **A table of its own, one row per case** (``xf_milestones``, keyed and
  referenced by ``case_id``), not 59 more columns on ``xf_case``: the case
  row is what the web list, ``due``, ``open_cases_by_unit``, ``case_versions``
  and ``journal_mark`` scan, and SQLite reads a row whole, so a wider case
  row would slow each of them for the one reader that wants the milestones;
  the milestones read is one table, in key order, with no join.
- **Days as integers** (days since 1970-01-01, what Arrow's ``date32`` holds),
  the same on both dialects: a page of rows becomes a ``date32`` column by a
  cast, with no ``datetime.date`` made per value (the driver makes one per
  ``DATE`` value on PostgreSQL, and SQLite keeps dates as text to parse);
  4 bytes a day on PostgreSQL as ``DATE`` is, 1 to 3 on SQLite against 10 for
  the text dates of ``xf_case``. A reader in SQL writes
  ``DATE '1970-01-01' + accepted`` (PostgreSQL) or
  ``date(accepted * 86400, 'unixepoch')`` (SQLite).
- Enums as their text values (a new member needs no migration); the lists
  (``step_due``, ``step_done``, ``hearing_start``, ``hearing_end``,
  ``officials``) as compact JSON text, NULL when empty (most cases).

The row of a ``Case`` value is made here in plain Python (the store needs
no pyarrow); the column-wise import makes the same row from the columnar
fold (:mod:`xinfang.store._bulk`); ``db check`` compares the stored row with
this one of the replayed journal, and the tests hold all of them to
:func:`xinfang.columnar.milestones_from_cases` and the companion's own rows.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import TYPE_CHECKING, Any, Final

from xinfang.case import MILESTONE_NAMES
from xinfang.changes import AssignRole, EndHearing, SetPlan, StartHearing
from xinfang.errors import InvalidDataError, quoted
from xinfang.instants import UTC8_SINCE
from xinfang.vocabulary import Role

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterator, Sequence

    from xinfang.case import Case
    from xinfang.store._db import Database

__all__ = [
    "DAY_COLUMNS",
    "LIST_COLUMNS",
    "MILESTONE_COLUMNS",
    "UPSERT_MILESTONES",
    "import_milestones",
    "json_list",
    "milestone_pages",
    "milestone_row",
    "stored_milestones",
    "unscoped_arg",
]

#: The enum attributes of a case kept as their text values (the companion's dictionaries).
ENUM_COLUMNS: Final = (
    "stage",
    "route",
    "category",
    "procedure",
    "channel",
    "rating",
    "receiving_unit_kind",
    "forwarded_unit_kind",
    "handling_unit_kind",
    "outcome",
)
#: The flags (``is_settled`` is ``Case.settled``; ``settled`` is the milestone's day).
FLAG_COLUMNS: Final = ("is_settled", "beijing_visit", "skip_level", "identity_unclear")
COUNT_COLUMNS: Final = ("extension_days", "extensions", "hearings", "deadline_moves", "plan_steps")
#: The list columns, as JSON text (NULL when empty).
LIST_COLUMNS: Final = ("step_due", "step_done", "hearing_start", "hearing_end", "officials")
#: The day columns (days since 1970-01-01), the milestones' and the lists of days.
DAY_COLUMNS: Final = tuple(MILESTONE_NAMES)
#: ``xf_milestones``'s columns, in the order of :data:`xinfang.columnar.COMPANION_SCHEMA`.
MILESTONE_COLUMNS: Final = (
    "case_id",
    "events",
    *MILESTONE_NAMES,
    *ENUM_COLUMNS,
    *FLAG_COLUMNS,
    *COUNT_COLUMNS,
    "plan",
    "receiving_unit",
    "handling_unit",
    "responsible_unit",
    "step_due",
    "step_done",
    "hearing_start",
    "hearing_end",
    "hearing_exact",
    "officials",
    "plan_owner",
)
_LIST: Final = "step_due, step_done, hearing_start, hearing_end, officials"
_NAMES: Final = ", ".join(MILESTONE_COLUMNS)
#: Insert or replace a case's row (every column but the key is replaced).
UPSERT_MILESTONES: Final = (
    f"INSERT INTO xf_milestones ({_NAMES}) VALUES ({', '.join('?' * len(MILESTONE_COLUMNS))}) "  # noqa: S608 - constant column list
    "ON CONFLICT (case_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in MILESTONE_COLUMNS[1:])
)
_FLAGS: Final = frozenset(i for i, c in enumerate(MILESTONE_COLUMNS) if c in FLAG_COLUMNS)
_BOOLS: Final = (*sorted(_FLAGS), MILESTONE_COLUMNS.index("hearing_exact"))
_EPOCH: Final = _dt.date(1970, 1, 1).toordinal()
_UTC_EPOCH: Final = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_MICROSECOND: Final = _dt.timedelta(microseconds=1)
_UTC8_US: Final = 8 * 3_600_000_000
_DAY_US: Final = 86_400_000_000
#: The first instant of 1992 in Beijing: a hearing's day from an earlier instant is not
#: certain from the fixed +08:00 offset (``hearing_exact`` false), as the column fold says.
_SINCE_1992: Final = _dt.datetime(UTC8_SINCE, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(hours=8)))


def _day(value: _dt.date | None) -> int | None:
    return None if value is None else value.toordinal() - _EPOCH


def _days(values: Sequence[_dt.date | None]) -> str | None:
    return json_list([_day(v) for v in values])


def json_list(values: Sequence[Any]) -> str | None:
    """A list column's value: compact JSON text; ``None`` for an empty list."""
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False) if values else None


def _hearings(case: Case) -> tuple[str | None, str | None, bool]:
    """The hearings' start and end days as the column fold reads them from the events.

    A hearing runs from a ``hearing_started`` event to the case's next hearing
    event if that is a ``hearing_ended`` (null while it runs); days are the
    instant's day at a fixed +08:00, exact from 1992 on (``hearing_exact``).
    """
    hearing = [e for e in case.events if isinstance(e.change, StartHearing | EndHearing)]
    starts: list[int] = []
    ends: list[int | None] = []
    for i, event in enumerate(hearing):
        if isinstance(event.change, StartHearing):
            starts.append(_fixed_day(event.at))
            after = hearing[i + 1] if i + 1 < len(hearing) else None
            ended = after is not None and isinstance(after.change, EndHearing)
            ends.append(_fixed_day(after.at) if after is not None and ended else None)
    exact = all(e.at >= _SINCE_1992 for e in hearing)
    return json_list(starts), json_list(ends), exact


def _fixed_day(at: _dt.datetime) -> int:
    """The day (since 1970-01-01) of an instant at +08:00."""
    us = (at - _UTC_EPOCH) // _MICROSECOND
    return (us + _UTC8_US) // _DAY_US


def milestone_row(case: Case) -> tuple[Any, ...]:
    """The ``xf_milestones`` row of ``case`` (plain parameters, the same on both dialects)."""
    on = case.on
    plan = case.plan
    officials = [
        e.change.holder
        for e in case.events
        if isinstance(e.change, AssignRole) and e.change.role is not Role.RESPONSIBLE_UNIT
    ]
    owner = None
    for e in case.events:
        if isinstance(e.change, SetPlan):
            owner = e.change.plan.owner
    start, end, exact = _hearings(case)
    return (
        case.id,
        len(case.events),
        *(_day(getattr(on, name)) for name in MILESTONE_NAMES),
        *(None if (v := getattr(case, name)) is None else v.value for name in ENUM_COLUMNS),
        bool(case.settled),
        bool(case.beijing_visit),
        bool(case.skip_level),
        bool(case.identity_unclear),
        case.extension_days,
        case.extensions,
        len(case.hearings),
        case.deadline_moves,
        len(plan.milestones) if plan is not None else 0,
        0 if plan is None else 2 if plan.is_complete else 1,
        case.receiving_unit,
        case.handling_unit,
        case.responsible_unit,
        _days([m.due for m in plan.milestones]) if plan is not None else None,
        _days(case.steps_done),
        start,
        end,
        exact,
        json_list(officials),
        owner,
    )


def import_milestones(
    db: Database, new: Sequence[tuple[Any, ...]], changed: Sequence[tuple[Any, ...]]
) -> None:
    """Write an import's milestones rows (inside its write, after the case rows).

    ``new``: rows of cases the store did not hold, appended (``COPY`` on
    PostgreSQL); ``changed``: rows of stored cases the import extended, replaced.
    """
    db.append("xf_milestones", _NAMES, new)
    db.many(UPSERT_MILESTONES, changed)


def _normal(row: Sequence[Any]) -> tuple[Any, ...]:
    """A stored row as :func:`milestone_row` makes it (SQLite's 0/1 flags as booleans)."""
    out = list(row)
    for i in _BOOLS:
        out[i] = bool(out[i])
    return tuple(out)


def stored_milestones(db: Database, ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """The stored ``xf_milestones`` rows of cases ``ids``, as :func:`milestone_row` makes them."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {
        str(r[0]): _normal(r)
        for r in db.run(
            f"SELECT {_NAMES} FROM xf_milestones WHERE case_id IN ({marks})",  # noqa: S608
            ids,
        )
    }


def milestone_pages(db: Database, batch: int) -> Iterator[list[tuple[Any, ...]]]:
    """Every ``xf_milestones`` row, ``batch`` at a time, in case id order (unscoped).

    Each page is one keyset query (``case_id > last``), so a long read holds
    no cursor open between pages and costs the same at any depth.
    """
    last = ""
    while True:
        page = db.run(
            f"SELECT {_NAMES} FROM xf_milestones WHERE case_id > ? "  # noqa: S608
            "ORDER BY case_id LIMIT ?",
            (last, batch),
        )
        if not page:
            return
        yield [_normal(r) for r in page]
        if len(page) < batch:
            return
        last = str(page[-1][0])


def unscoped_arg(value: object, allowed: bool, what: str) -> None:
    """Check ``unscoped``: a store's read of every case must say so; a view never reads so.

    ``allowed``: whether the reader may read unscoped (a :class:`~xinfang.store.Store`,
    when told ``True``); a view refuses ``True``.
    """
    if not isinstance(value, bool):
        got = f"{type(value).__name__} {quoted(value)}"
        raise InvalidDataError([("unscoped", f"expected True or False, got {got}")], source=what)
    if allowed and not value:
        why = (
            "a read of every case, accusations too: read through "
            "store.for_viewer(official, org) for an official, or pass "
            "unscoped=True for back-office work that shows no case"
        )
        raise InvalidDataError([("unscoped", why)], source=what)
    if not allowed and value:
        raise InvalidDataError(
            [("unscoped", "a view reads only the cases its viewer sees in full")], source=what
        )
