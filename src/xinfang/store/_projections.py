"""The projections: each case's ``xf_case`` row, open ``xf_clock`` rows and ``xf_milestones`` row.

Written with every command and import (:func:`project`), recomputed from the
journal by :func:`rebuild` (and by a migration that adds a column or a
table), compared with the journal by :func:`check` (every row of the three,
the milestones row column by column: :mod:`xinfang.store._milestones`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs

from xinfang.deadlines import Clock, ClockStatus, clocks
from xinfang.errors import CalendarRangeError, XinfangError
from xinfang.store._journal import BATCH, case_of, journal_pages, journal_row
from xinfang.store._milestones import (
    MILESTONE_COLUMNS,
    UPSERT_MILESTONES,
    milestone_row,
    stored_milestones,
)

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Iterable

    from xinfang.calendar import WorkCalendar
    from xinfang.case import Case
    from xinfang.rulebook import Rulebook
    from xinfang.store._db import Database

__all__ = [
    "CASE_COLUMNS",
    "CLOCK_COLUMNS",
    "INSERT_CLOCK",
    "UPSERT_CASE",
    "CheckReport",
    "Incoming",
    "after_migration",
    "case_rows",
    "check_projections",
    "incoming",
    "param_rows",
    "project",
    "rebuild_projections",
]

#: A store migrated from below this schema version has its journal projected anew in the
#: migration's transaction: version 2 added the projection tables, version 3 the last
#: progress report's day (``xf_case.last_report_on``), version 4 the milestones
#: (``xf_milestones``).
_PROJECTED_SINCE: Final = 4

CASE_COLUMNS: Final = (
    "case_id, version, stage, terminal, unit, receiving_unit, handling_unit, "
    "responsible_unit, category, route, settled, backlog, flags, received_on, "
    "last_event_on, clock_error, last_report_on"
)
#: The case row's column names, in order (``db check`` names the ones that differ).
_CASE_NAMES: Final = tuple(CASE_COLUMNS.split(", "))
UPSERT_CASE: Final = (
    f"INSERT INTO xf_case ({CASE_COLUMNS}) VALUES "  # noqa: S608 - constant column list
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET "
    "version = excluded.version, stage = excluded.stage, terminal = excluded.terminal, "
    "unit = excluded.unit, receiving_unit = excluded.receiving_unit, "
    "handling_unit = excluded.handling_unit, responsible_unit = excluded.responsible_unit, "
    "category = excluded.category, route = excluded.route, settled = excluded.settled, "
    "backlog = excluded.backlog, flags = excluded.flags, received_on = excluded.received_on, "
    "last_event_on = excluded.last_event_on, clock_error = excluded.clock_error, "
    "last_report_on = excluded.last_report_on"
)
CLOCK_COLUMNS: Final = (
    "case_id, limit_key, started_on, nominal_on, due_on, paused, paused_days, "
    "extended_days, provisional"
)
INSERT_CLOCK: Final = f"INSERT INTO xf_clock ({CLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608

Rows = tuple[tuple[Any, ...], list[tuple[Any, ...]]]


@attrs.frozen(kw_only=True)
class CheckReport:
    """What :meth:`Store.check` found: the cases checked and every problem."""

    cases: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether the projections and the journal agree."""
        return not self.problems


class Incoming(NamedTuple):
    """What an import writes for one case: rows with their parameters ready."""

    case_id: str
    #: The stored version the rows were made against (0: a new case).
    have: int
    events: list[tuple[Any, ...]]
    case_row: tuple[Any, ...]
    clocks: list[tuple[Any, ...]]
    #: The case's ``xf_milestones`` row (:func:`xinfang.store._milestones.milestone_row`).
    milestones: tuple[Any, ...]


def case_rows(case: Case, rulebook: Rulebook, calendar: WorkCalendar) -> Rows:
    """The case row and clock rows of ``case`` (plain Python values)."""
    last = case.on.last_event or case.on.received
    error = None
    open_clocks: list[Clock] = []
    try:
        found = clocks(case, as_of=last, rulebook=rulebook, calendar=calendar)
        open_clocks = [c for c in found if c.status.is_open]
    except CalendarRangeError as exc:
        error = str(exc)[:500]
    row = (
        case.id,
        len(case.events),
        case.stage.value,
        case.is_terminal,
        case.responsible_unit or case.handling_unit or case.receiving_unit,
        case.receiving_unit,
        case.handling_unit,
        case.responsible_unit,
        case.category.value if case.category else None,
        case.route.value if case.route else None,
        case.settled,
        case.is_backlog,
        ",".join(code for code, _ in case.flags),
        case.on.received,
        last,
        error,
        case.on.progress_reported,
    )
    clock_rows = [
        (
            case.id,
            c.key,
            c.started_on,
            c.nominal,
            c.due,
            c.status is ClockStatus.PAUSED,
            c.paused_days,
            c.extended_days,
            c.provisional,
        )
        for c in open_clocks
    ]
    return row, clock_rows


def param_rows(db: Database, case: Case, rulebook: Rulebook, calendar: WorkCalendar) -> Rows:
    """:func:`case_rows` with the dates as ``db``'s dialect's parameters."""
    d = db.param_date
    row, crows = case_rows(case, rulebook, calendar)
    reported = None if row[16] is None else d(row[16])
    return (
        (*row[:13], d(row[13]), d(row[14]), row[15], reported),
        [(*r[:2], d(r[2]), d(r[3]), d(r[4]), *r[5:]) for r in crows],
    )


def incoming(
    db: Database, case: Case, have: int, rulebook: Rulebook, calendar: WorkCalendar
) -> Incoming:
    """What importing ``case`` writes when ``have`` of its events are stored (a value)."""
    rows = [journal_row(db, case.id, e, check=False) for e in case.events[have:]]
    case_row, clock_rows = param_rows(db, case, rulebook, calendar)
    return Incoming(case.id, have, rows, case_row, clock_rows, milestone_row(case))


def project(
    db: Database, cases: Iterable[Case], rulebook: Rulebook, calendar: WorkCalendar
) -> None:
    """Rewrite the projection rows of ``cases`` (inside a write; ids in sorted order)."""
    case_rows_: list[tuple[Any, ...]] = []
    clock_rows: list[tuple[Any, ...]] = []
    milestones: list[tuple[Any, ...]] = []
    ids = []
    for case in sorted(cases, key=lambda c: c.id):
        row, crows = param_rows(db, case, rulebook, calendar)
        case_rows_.append(row)
        clock_rows += crows
        milestones.append(milestone_row(case))
        ids.append((case.id,))
    db.many(UPSERT_CASE, case_rows_)
    db.many(UPSERT_MILESTONES, milestones)
    db.many("DELETE FROM xf_clock WHERE case_id = ?", ids)
    db.many(INSERT_CLOCK, clock_rows)


def rebuild_projections(db: Database, rulebook: Rulebook, calendar: WorkCalendar) -> int:
    """Recompute every projection row from the journal, a batch per transaction; the cases."""
    return _project_batches(
        lambda last: db.write(
            "rebuilding projections",
            functools.partial(_rebuild_batch, db, rulebook, calendar, last, BATCH),
        )
    )


def _project_batches(step: Callable[[str], list[str]]) -> int:
    """Run ``step(last id)`` until it projects no more cases; how many it projected."""
    total = 0
    last = ""
    while done := step(last):
        total += len(done)
        last = done[-1]
    return total


def _rebuild_batch(
    db: Database, rulebook: Rulebook, calendar: WorkCalendar, after: str, batch: int
) -> list[str]:
    """Project the next ``batch`` cases after id ``after`` (inside a write); their ids."""
    ids = [
        str(r[0])
        for r in db.run(
            "SELECT DISTINCT case_id FROM xf_journal WHERE case_id > ? ORDER BY case_id LIMIT ?",
            (after, batch),
        )
    ]
    if not ids:
        return ids
    db.lock_cases(ids)
    marks = ",".join("?" * len(ids))
    payloads: dict[str, list[Any]] = {}
    for cid, payload in db.run(
        f"SELECT case_id, payload FROM xf_journal WHERE case_id IN ({marks}) "  # noqa: S608
        "ORDER BY case_id, seq",
        ids,
    ):
        payloads.setdefault(str(cid), []).append(db.payload(payload))
    project(db, [case_of(p) for p in payloads.values()], rulebook, calendar)
    return ids


def after_migration(db: Database, rulebook: Rulebook, calendar: WorkCalendar, found: int) -> None:
    """Inside the migration's transaction: project a journal whose projections are older."""
    if 0 < found < _PROJECTED_SINCE:
        _project_batches(lambda last: _rebuild_batch(db, rulebook, calendar, last, BATCH))


def check_projections(db: Database, rulebook: Rulebook, calendar: WorkCalendar) -> CheckReport:
    """Compare every projection row with a recomputation from the journal."""
    problems: list[str] = []
    total = 0
    for batch in journal_pages(db):
        ids = [cid for cid, _ in batch]
        stored = _stored_rows(db, ids)
        kept = stored_milestones(db, ids)
        for cid, payloads in batch:
            total += 1
            try:
                case = case_of(payloads)
            except XinfangError as exc:
                problems.append(f"case {cid}: the journal does not replay: {exc}")
                continue
            row, crows = case_rows(case, rulebook, calendar)
            got_row, got_clocks = stored.get(cid, ((), []))
            if not got_row:
                problems.append(f"case {cid}: case row missing != recomputed {row}")
            elif got_row != row:
                differ = "; ".join(
                    f"{name} {got!r} != recomputed {want!r}"
                    for name, got, want in zip(_CASE_NAMES, got_row, row, strict=True)
                    if got != want
                )
                problems.append(f"case {cid}: case row {differ}")
            if sorted(got_clocks) != sorted(crows):
                problems.append(f"case {cid}: clock rows {got_clocks} != recomputed {crows}")
            problems += _milestone_problems(cid, kept.get(cid), milestone_row(case))
    orphans = db.run(
        "SELECT c.case_id FROM xf_case c WHERE NOT EXISTS "
        "(SELECT 1 FROM xf_journal j WHERE j.case_id = c.case_id)"
    )
    problems += [f"case {r[0]}: a case row without journal rows" for r in orphans]
    return CheckReport(cases=total, problems=tuple(problems))


def _milestone_problems(cid: str, got: tuple[Any, ...] | None, want: tuple[Any, ...]) -> list[str]:
    """What differs between a stored milestones row and the one of the replayed journal."""
    if got is None:
        return [f"case {cid}: milestones row missing"]
    differ = "; ".join(
        f"{name} {have!r} != recomputed {should!r}"
        for name, have, should in zip(MILESTONE_COLUMNS, got, want, strict=True)
        if have != should
    )
    return [f"case {cid}: milestones row {differ}"] if differ else []


def _stored_rows(db: Database, ids: list[str]) -> dict[str, Rows]:
    """The stored case and clock rows of cases ``ids``, as :func:`case_rows` makes them."""
    marks = ",".join("?" * len(ids))
    out: dict[str, Rows] = {}
    for r in db.run(
        f"SELECT {CASE_COLUMNS} FROM xf_case WHERE case_id IN ({marks})",  # noqa: S608
        ids,
    ):
        row = (
            r[0],
            int(r[1]),
            r[2],
            bool(r[3]),
            *r[4:10],
            bool(r[10]),
            bool(r[11]),
            r[12],
            db.date(r[13]),
            db.date(r[14]),
            r[15],
            None if r[16] is None else db.date(r[16]),
        )
        out[r[0]] = (row, [])
    for r in db.run(
        f"SELECT {CLOCK_COLUMNS} FROM xf_clock WHERE case_id IN ({marks})",  # noqa: S608
        ids,
    ):
        clock = (
            r[0],
            r[1],
            db.date(r[2]),
            db.date(r[3]),
            db.date(r[4]),
            bool(r[5]),
            int(r[6]),
            int(r[7]),
            bool(r[8]),
        )
        out.setdefault(r[0], ((), []))[1].append(clock)
    return out
