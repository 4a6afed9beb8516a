"""The store's reads: a case, the due list, open cases per unit.

A case as it stood at a date and as a viewer may see it; the due list from
the clock index (``xf_clock``, with each case's last progress report).
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from xinfang.case import Case, replay
from xinfang.deadlines import Clock, ClockStatus, clock_limit, clocks, limit_clock
from xinfang.errors import InvalidDataError, XinfangError, quoted
from xinfang.instants import aware, in_range, local_day
from xinfang.responsibility import DEFAULT_SCOPE, Visibility, redact, visibility
from xinfang.rulebook import Limit, LimitKind
from xinfang.store._arguments import ids_arg, int_arg, key_arg, kinds_arg, org_arg
from xinfang.store._commands import SECRECY
from xinfang.store._errors import StoreError, UnknownCaseError
from xinfang.store._journal import BATCH, StoreBase, database_of, load, unknown
from xinfang.store._projections import CLOCK_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Collection, Iterable

    from xinfang.responsibility import AccusedScope, Interest, Organization, RedactedCase

__all__ = [
    "case_versions",
    "change_stamp",
    "due_clocks",
    "journal_mark",
    "open_per_unit",
    "read_case",
]

#: Each listed clock row with its case's last progress report (``xf_case.last_report_on``).
_LISTED = (
    f"SELECT {CLOCK_COLUMNS}, last_report_on FROM xf_clock "  # noqa: S608 - constant columns
    "JOIN xf_case USING (case_id) "
)


def read_case(
    store: StoreBase,
    case_id: str,
    *,
    as_of: _dt.date | None,
    viewer: str | None,
    org: Organization | None,
    interests: Iterable[Interest],
    scope: AccusedScope | None,
) -> Case | RedactedCase:
    """:meth:`Store.case`: the case replayed, at ``as_of``, as ``viewer`` may see it."""
    key_arg(case_id, "case_id", "Store.case")
    if viewer is not None:
        key_arg(viewer, "viewer", "Store.case")
    if viewer is not None and org is None:
        raise XinfangError(
            "a viewer needs the organisation (org=) to decide what they may see",
            path="org",
            rule=SECRECY,
        )
    if org is not None:
        org_arg(org, "Store.case")
    if as_of is not None and not isinstance(as_of, _dt.date):
        raise InvalidDataError(
            [("as_of", f"expected a date or an aware datetime, got {type(as_of).__name__}")],
            source="Store.case",
        )
    case = load(database_of(store), case_id)
    seen = Visibility.FULL
    if viewer is not None and org is not None:
        # Judged on the case as it stands now: a case categorised as an
        # accusation later is hidden from the accused in every past too.
        seen = visibility(
            viewer,
            case,
            org,
            interests=tuple(interests),
            scope=scope if scope is not None else DEFAULT_SCOPE,
        )
        if seen is Visibility.NONE:
            raise unknown(case_id)
    if as_of is not None:
        if isinstance(as_of, _dt.datetime):
            cut = aware(as_of, "as_of")
            kept = [e for e in case.events if e.at <= cut]
        else:
            kept = [e for e in case.events if local_day(e.at) <= as_of]
        if not kept:
            raise UnknownCaseError(
                f"case {case_id} was not yet registered as of {as_of.isoformat()}",
                path="as_of",
            )
        if len(kept) < len(case.events):
            case = replay(kept)
    if seen is Visibility.REDACTED:
        return redact(case)
    return case


def due_clocks(
    store: StoreBase,
    as_of: _dt.date,
    within: int,
    *,
    overdue: bool,
    due_soon: int,
    kinds: Collection[LimitKind] | None,
) -> tuple[Clock, ...]:
    """:meth:`Store.due`: the open clocks due within ``within`` working days of ``as_of``."""
    what = "Store.due"
    if not isinstance(as_of, _dt.date):
        raise InvalidDataError(
            [("as_of", f"expected a date, got {type(as_of).__name__} {quoted(as_of)}")],
            source=what,
        )
    in_range(as_of, "as_of")  # the one range of xinfang.instants, before any SQL
    int_arg(within, "within", what)
    int_arg(due_soon, "due_soon", what)
    wanted = kinds_arg(kinds, what)
    db = database_of(store)
    rb, cal = store.rulebook, store.calendar
    day = local_day(aware(as_of, "as_of")) if isinstance(as_of, _dt.datetime) else as_of
    hi = cal.add_working_days(day, within + 1)
    # A clock that starts after the day is not open on it: left out in SQL.
    if overdue:
        rows = db.run(
            f"{_LISTED}WHERE due_on < ? AND started_on <= ?",
            (db.param_date(hi), db.param_date(day)),
        )
    else:
        rows = db.run(
            f"{_LISTED}WHERE due_on >= ? AND due_on < ? AND started_on <= ?",
            (db.param_date(day), db.param_date(hi), db.param_date(day)),
        )
    replayed = {str(r[0]) for r in db.run("SELECT case_id FROM xf_clock WHERE paused")}
    replayed |= {
        str(r[0]) for r in db.run("SELECT case_id FROM xf_case WHERE clock_error IS NOT NULL")
    }
    out: list[Clock] = []
    row_clock = _row_clocks(store, day, due_soon)
    for r in rows:
        if r[0] in replayed:
            continue
        clock = row_clock(r)
        if clock is not None:
            out.append(clock)
    for cid in sorted(replayed):
        case = load(db, cid)
        for c in clocks(case, as_of=day, rulebook=rb, calendar=cal, due_soon=due_soon):
            left = c.remaining_working_days
            if not c.status.is_open or left is None or left > within:
                continue
            if overdue or c.due >= day:
                out.append(c)
    if wanted is not None:
        out = [c for c in out if c.kind in wanted]
    out.sort(key=lambda c: (c.due, c.case_id, c.key))
    return tuple(out)


def _row_clocks(
    store: StoreBase, day: _dt.date, due_soon: int
) -> Callable[[tuple[Any, ...]], Clock | None]:
    """A builder of the open :class:`Clock` of a clock row as of ``day`` (``None``: not open).

    What each limit contributes is looked up once per call, not per row.
    """
    db, rb, cal = database_of(store), store.rulebook, store.calendar
    as_date, between = db.date, cal.working_days_between
    statics: dict[str, tuple[Limit, bool]] = {}
    calendar_name, counting = cal.name, rb.counting

    def limit_of(key: str) -> tuple[Limit, bool]:
        limit = clock_limit(rb, key)
        if limit is None:
            raise StoreError(
                f"{db.url}: the clock projection names limit {key!r}, which rulebook "
                f"{rb.id!r} lacks; rebuild the projections under this rulebook",
                rule="projections",
            )
        found = statics[key] = (limit, limit.kind is LimitKind.WINDOW)
        return found

    def row_clock(r: tuple[Any, ...]) -> Clock | None:
        key = str(r[1])
        lim, window = statics.get(key) or limit_of(key)
        started = as_date(r[2])
        if started > day:
            return None
        due = as_date(r[4])
        past = day > due
        if past and window:
            return None  # a window closed unused: lapsed, not open
        left = between(day, due)
        reported = None if r[9] is None else as_date(r[9])
        if past:
            status = ClockStatus.OVERDUE
        elif left <= due_soon:
            status = ClockStatus.DUE_SOON
        else:
            status = ClockStatus.RUNNING
        return limit_clock(
            lim,
            str(r[0]),
            started=started,
            nominal=as_date(r[3]),
            due=due,
            paused=int(r[6]),
            extended=int(r[7]),
            status=status,
            met_on=None,
            remaining=(due - day).days,
            remaining_wd=left,
            provisional=bool(r[8]),
            calendar=calendar_name,
            rule=counting,
            # The projection holds the report as the journal stands (as_of is not before the
            # last event), so it is on or before the day (as deadlines.last_report gives it).
            last_report=reported if reported is not None and reported <= day else None,
        )

    return row_clock


def open_per_unit(store: StoreBase, case_ids: Collection[str] | None) -> dict[str, int]:
    """:meth:`Store.open_cases_by_unit`: open cases per unit, among ``case_ids`` if given."""
    db = database_of(store)
    counts: dict[str, int] = {}
    if case_ids is None:
        for unit, n in db.run(
            "SELECT unit, COUNT(*) FROM xf_case WHERE NOT terminal GROUP BY unit"
        ):
            counts[str(unit)] = int(n)
        return dict(sorted(counts.items()))
    ids = sorted(set(ids_arg(case_ids, "Store.open_cases_by_unit")))
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        marks = ",".join("?" * len(chunk))
        for unit, n in db.run(
            f"SELECT unit, COUNT(*) FROM xf_case WHERE NOT terminal "  # noqa: S608
            f"AND case_id IN ({marks}) GROUP BY unit",
            chunk,
        ):
            counts[str(unit)] = counts.get(str(unit), 0) + int(n)
    return dict(sorted(counts.items()))


def journal_mark(store: StoreBase) -> int:
    """:meth:`Store.journal_mark`: the number of events the journal holds, in one query.

    Read from the projection (the sum of the cases' versions, which the same
    transaction as every append writes), not by counting the journal's rows.
    """
    row = database_of(store).one("SELECT COALESCE(SUM(version), 0) FROM xf_case")
    return int(row[0]) if row else 0


def change_stamp(store: StoreBase) -> tuple[int, int] | None:
    """On SQLite, a stamp that changes whenever the database may have: ``None`` elsewhere.

    SQLite's ``PRAGMA data_version`` changes when another connection commits;
    the connection's ``total_changes`` when this one writes (a row inserted,
    updated or deleted, even if rolled back). Both are read without touching
    a table, so while the stamp stands, the journal's mark stands too. Read
    it before the mark: a commit between the two only makes the next stamp
    differ.
    """
    db = database_of(store)
    conn = getattr(db, "conn", None)
    if db.dialect != "sqlite" or conn is None:
        return None
    row = conn.execute("PRAGMA data_version").fetchone()
    return int(row[0]), int(conn.total_changes)


def case_versions(store: StoreBase) -> dict[str, int]:
    """:meth:`Store.case_versions`: every case id with its version, from the projection."""
    rows = database_of(store).run("SELECT case_id, version FROM xf_case ORDER BY case_id")
    return {str(r[0]): int(r[1]) for r in rows}
