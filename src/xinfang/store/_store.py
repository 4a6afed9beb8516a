"""The store's public face: :class:`Store`, each method delegating to the job's module.

The package splits the store by job; each job is a module of functions
that take the store (or its connection) they work on, and :class:`Store`'s
methods delegate to them, keeping the signatures and the documentation a
host reads:

- ``_journal``: reading the journal, the journal row of an event, and
  :class:`~xinfang.store._journal.StoreBase` (what a store holds);
- ``_commands``: ``register`` and ``apply`` (one block for the idempotency
  key, the case's lock and a lost race);
- ``_projections``: the case and clock rows, written, rebuilt, checked;
- ``_queries``: a case, the due list, open cases per unit;
- ``_ledgers`` (and ``_bulk``, its column-wise reader): import and export;
- ``_viewer``: :class:`~xinfang.store.ViewerStore`, the scoped view;
- ``_open``: ``open_store``, ``init_store`` and ``app_role_sql``;
- ``_arguments`` and ``_storable``: the argument checks before any SQL.

Functions rather than a mixin per job: a reader of a job's module sees in
each signature what the job needs (the connection, the rulebook, the
calendar), and finds where a ``Store`` method goes by one call, not by the
method resolution order of five bases sharing private state.
"""

from __future__ import annotations

import io
import time
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Final, TypeVar, overload

from xinfang.campaign import snapshot as campaign_snapshot
from xinfang.store._arguments import MAX_ID_LENGTH, ids_arg, int_arg, key_arg
from xinfang.store._commands import apply_command, register_command
from xinfang.store._errors import ConcurrencyError, UnknownCaseError
from xinfang.store._journal import (
    BATCH,
    StoreBase,
    case_of,
    events,
    journal_pages,
    payloads_of,
    unknown,
)
from xinfang.store._ledgers import ImportResult, import_cases, write_cases
from xinfang.store._milestones import milestone_pages, unscoped_arg
from xinfang.store._projections import (
    CheckReport,
    check_projections,
    rebuild_projections,
)
from xinfang.store._queries import (
    case_versions,
    change_stamp,
    due_clocks,
    journal_mark,
    open_per_unit,
    read_case,
)
from xinfang.store._viewer import ViewerStore

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    import os
    from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
    from typing import Any

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign, Snapshot
    from xinfang.case import Case
    from xinfang.changes import Change, Event, Register
    from xinfang.deadlines import Clock
    from xinfang.responsibility import AccusedScope, Interest, Organization, RedactedCase
    from xinfang.rulebook import LimitKind, Rulebook
    from xinfang.store._db import Database

__all__ = [
    "BACK_OFFICE",
    "DEFAULT_URL",
    "MAX_ID_LENGTH",
    "CheckReport",
    "ImportResult",
    "Store",
    "ViewerStore",
    "retry",
]

T = TypeVar("T")

#: The store a host gets when it names none.
DEFAULT_URL: Final = "sqlite:///xinfang.db"

#: The public :class:`Store` names with no :class:`ViewerStore` counterpart, and why:
#: back-office work on the whole store, or plain facts about the connection.
BACK_OFFICE: Final[Mapping[str, str]] = MappingProxyType(
    {
        "close": "closes the connection",
        "schema_version": "the database's schema version (no case data)",
        "import_ledger": "back-office bulk load of whole cases",
        "journal_pages": "back-office: whole cases from the journal, a page at a time",
        "rebuild": "back-office: recomputes every projection row",
        "check": "back-office: compares every projection row with the journal",
        "for_viewer": "makes the scoped view",
        "journal_mark": "back-office: a cache key of the whole journal (counts every event)",
        "case_versions": "back-office: every case id with its version (a cache key)",
    }
)


def retry(fn: Callable[[], T], *, attempts: int = 5, delay: float = 0.0) -> T:
    """Call ``fn`` until it does not raise :class:`ConcurrencyError`, at most ``attempts`` times.

    ``fn`` must re-read what it decides on (the case, its version) on every
    call: that is what makes the retry correct. ``delay`` seconds (doubled
    each time) are slept between attempts. The last conflict is re-raised.
    """
    for attempt in range(attempts):
        try:
            return fn()
        except ConcurrencyError:
            if attempt + 1 >= attempts:
                raise
            if delay:
                time.sleep(delay * (2**attempt))
    raise ValueError("retry needs attempts >= 1")


class Store(StoreBase):
    """Cases kept as their events in a database (see :func:`open_store`): **unscoped**.

    Every read and command here sees every case, accusations included: this
    is the store for trusted back-office code (imports, rebuilds, checks,
    nightly jobs that publish nothing case by case). Whatever answers an
    official goes through :meth:`for_viewer`, which applies the
    confidentiality rule (信访工作条例 Art. 30 ¶3) to every read and command.

    One ``Store`` holds one connection: use it from one thread; give each
    process and thread its own. Close it (or use it as a context manager).
    ``rulebook`` and ``calendar`` are the defaults for commands and the ones
    the clock projections are computed under.
    """

    def __init__(
        self,
        db: Database,
        *,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
    ) -> None:
        super().__init__(db, rulebook=rulebook, calendar=calendar)
        self._marked: tuple[tuple[int, int], int] | None = None

    # ------------------------------------------------------------ basics
    @property
    def url(self) -> str:
        """The store's URL (without a password)."""
        return self._db.url

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.dialect

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        """The schema version of the database."""
        return self._db.schema_version()

    def for_viewer(
        self,
        viewer: str,
        org: Organization,
        *,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> ViewerStore:
        """What official ``viewer`` of ``org`` may see and do here: a :class:`ViewerStore`.

        Every read and command of the view applies :func:`xinfang.responsibility.visibility`;
        a case the viewer may not see is, to the view, a case that does not
        exist. The view shares this store's connection.
        """
        return ViewerStore(self, viewer, org, interests=interests, scope=scope)

    def version(self, case_id: str) -> int:
        """The case's version (its number of events); 0 when it is not stored."""
        key_arg(case_id, "case_id", "Store.version")
        row = self._db.one("SELECT version FROM xf_case WHERE case_id = ?", (case_id,))
        return int(row[0]) if row else 0

    def journal_mark(self) -> int:
        """The journal's high-water mark: the number of events it holds, read in one query.

        The journal is append-only, so the mark only grows, by one with every
        event recorded (a registration, a command, an imported event) by any
        connection, and two equal marks of one store mean the same journal. A
        host caches what it derives from the store under the mark and reads
        the mark again before each answer: never stale after a command. It
        counts every case (accusations too): back-office, a cache key, never
        shown to an official. One aggregate over the case projection (about
        20 ms for 100,000 cases on SQLite, a few on PostgreSQL; no read of
        the journal itself); on SQLite it is read again only when the
        database may have changed (its ``data_version`` or this connection's
        changes moved), else answered in microseconds.
        """
        stamp = change_stamp(self)
        if stamp is not None and self._marked is not None and self._marked[0] == stamp:
            return self._marked[1]
        mark = journal_mark(self)
        self._marked = None if stamp is None else (stamp, mark)
        return mark

    def case_versions(self) -> dict[str, int]:
        """Every stored case id with its version (its number of events), in one query.

        What changed between two reads is the cases whose version moved (the
        journal is append-only: a version only grows, a case never goes).
        Every case, accusations too: back-office, a cache key.
        """
        return case_versions(self)

    def count(self) -> int:
        """The number of cases stored (every case: see :meth:`for_viewer`)."""
        row = self._db.one("SELECT COUNT(*) FROM xf_case")
        return int(row[0]) if row else 0

    def register(
        self,
        change: Register,
        at: _dt.datetime,
        *,
        by: str = "system",
        idempotency_key: str | None = None,
    ) -> tuple[Case, Event]:
        """Register a new case (its id must be new): the case and its first event.

        A second registration of the same id is a :class:`ConcurrencyError`
        (expected version 0); a repeated ``idempotency_key`` returns the first
        result and writes nothing. Arguments are checked before any SQL: a
        wrong type, an id, key or actor longer than :data:`MAX_ID_LENGTH`,
        an ``at`` outside 1949-10-01..2199-12-31 (:mod:`xinfang.instants`)
        is an :class:`~xinfang.InvalidDataError` naming the argument.
        """
        return register_command(self, change, at, by=by, idempotency_key=idempotency_key, gate=None)

    def apply(
        self,
        case_id: str,
        change: Change,
        *,
        at: _dt.datetime,
        by: str = "system",
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        org: Organization | None = None,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
        related: Mapping[str, Case] | None = None,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> tuple[Case, Event]:
        """Apply a command to a stored case in one transaction: the new case and the event.

        Loads the case, runs :func:`xinfang.apply` (every check: windows, the
        extension cap, finality, recusal, confidentiality), then appends the
        event and rewrites the case's projections, all in one transaction.
        ``expected_version`` (the version the caller read) must match or a
        :class:`ConcurrencyError` names the case and both versions; ``None``
        applies to the current version. A repeated ``idempotency_key``
        returns the first result and writes nothing. For the finality check
        of a repeat petition, the earlier cases are read from the store
        unless ``related`` is given. A refused command writes nothing.
        Arguments are checked before any SQL as :meth:`register` says
        (``expected_version`` a whole number of 0 or more, ``change`` a
        change value, not a dict). With ``org``, a command recorded ``by``
        someone :func:`xinfang.responsibility.visibility` keeps out of the case entirely
        (the accused, an official of the accused unit, one who must step
        aside) is refused with the :class:`UnknownCaseError` of a missing
        case, even here; :meth:`for_viewer` scopes everything else.
        """
        return apply_command(
            self,
            case_id,
            change,
            at=at,
            by=by,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
            org=org,
            rulebook=rulebook,
            calendar=calendar,
            related_cases=related,
            interests=interests,
            scope=scope,
            gate=None,
        )

    # ------------------------------------------------------------ projections
    def rebuild(self) -> int:
        """Recompute every projection row from the journal; the number of cases.

        Each batch of cases is read and rewritten in one transaction, its case
        rows locked first (in case id order, on PostgreSQL), so a command
        running meanwhile is either read here or waits and projects itself.
        """
        return rebuild_projections(self._db, self.rulebook, self.calendar)

    def check(self) -> CheckReport:
        """Compare every projection row with a recomputation from the journal."""
        return check_projections(self._db, self.rulebook, self.calendar)

    # ------------------------------------------------------------ reads
    def events(self, case_id: str) -> tuple[Event, ...]:
        """The case's events in order (:class:`UnknownCaseError` if it is not stored)."""
        key_arg(case_id, "case_id", "Store.events")
        found = events(self._db, case_id)
        if not found:
            raise UnknownCaseError(f"no case {case_id} in the store", path="case_id")
        return found

    @overload
    def case(
        self,
        case_id: str,
        *,
        as_of: _dt.date | None = None,
        viewer: None = None,
        org: Organization | None = None,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> Case: ...

    @overload
    def case(
        self,
        case_id: str,
        *,
        as_of: _dt.date | None = None,
        viewer: str,
        org: Organization,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> Case | RedactedCase: ...

    def case(
        self,
        case_id: str,
        *,
        as_of: _dt.date | None = None,
        viewer: str | None = None,
        org: Organization | None = None,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> Case | RedactedCase:
        """The case, replayed from its events; as it stood at ``as_of`` if given.

        ``as_of`` is an aware instant (events after it are left out) or a
        date (events after that local day are left out). With ``viewer`` (an
        official's id) and ``org``, the answer is what
        :func:`xinfang.responsibility.visibility` allows on the case as it stands now (also
        when ``as_of`` asks for the past): the case, its redacted form, or
        :class:`UnknownCaseError` exactly as for a case that does not exist,
        whatever ``as_of`` is (so the accused cannot learn of an accusation,
        nor of when it was made).
        """
        return read_case(
            self,
            case_id,
            as_of=as_of,
            viewer=viewer,
            org=org,
            interests=interests,
            scope=scope,
        )

    def journal_pages(self, batch: int = BATCH) -> Iterator[list[tuple[str, list[Any]]]]:
        """Whole cases from the journal, ``batch`` at a time, in case id order (unscoped).

        Each page is a list of ``(case_id, payloads)``: every case whole, its
        events' JSON documents (as :func:`xinfang.to_dict` gives an event,
        personal data in full) in order. What the columnar engine reads a
        store by (:func:`xinfang.columnar.journal_from_store`); a back-office
        read, not scoped to a viewer.
        """
        return journal_pages(self._db, batch)

    def milestone_pages(
        self, batch: int = BATCH, *, unscoped: bool = False
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Every case's milestones row (``xf_milestones``), ``batch`` rows a page, in case id order.

        Every case, accusations too: refused (:class:`~xinfang.InvalidDataError`
        naming ``unscoped``) unless ``unscoped=True``, which back-office work
        that publishes nothing case by case says (a nightly sweep's counts); an
        official's read goes through :meth:`for_viewer`, whose ``milestone_pages``
        keeps only the cases the viewer sees in full. Each row holds the columns
        of :data:`xinfang.columnar.COMPANION_SCHEMA` in order, days as integers
        (days since 1970-01-01) and lists as JSON text (``None`` when empty):
        what :func:`xinfang.columnar.milestones_from_store` reads, without a refold.
        """
        unscoped_arg(unscoped, True, "Store.milestone_pages")
        size = int_arg(batch, "batch", "Store.milestone_pages") or 1
        return milestone_pages(self._db, size)

    def campaign_in_view(self, campaign: Campaign) -> Campaign:
        """The campaign as it is: the store's own reads see every case.

        A view's leaves out the targets its viewer may not see
        (:meth:`ViewerStore.campaign_in_view`).
        """
        return campaign

    def cases(self, case_ids: Iterable[str], *, unscoped: bool = False) -> list[Case]:
        """The cases ``case_ids``, in the order asked, replayed from their events (one query).

        Every case, accusations too: refused unless ``unscoped=True``, as
        :meth:`milestone_pages` is (what a sweep of the store's milestones reads
        the rare case it needs as a value by: :func:`xinfang.columnar.sweep_store`);
        a view's ``cases`` gives only the cases its viewer sees in full. An id
        not stored: :class:`UnknownCaseError`.
        """
        unscoped_arg(unscoped, True, "Store.cases")
        wanted = ids_arg(case_ids, "Store.cases")
        ids = list(dict.fromkeys(wanted))
        found: dict[str, list[Any]] = {}
        for i in range(0, len(ids), BATCH):
            found.update(payloads_of(self._db, ids[i : i + BATCH]))
        for cid in wanted:
            if cid not in found:
                raise unknown(cid)
        read = {cid: case_of(p, source=f"journal of case {cid}") for cid, p in found.items()}
        return [read[cid] for cid in wanted]

    def iter_cases(self, *, batch: int = BATCH) -> Iterator[Case]:
        """Every stored case, in id order, reading ``batch`` cases at a time (bounded memory)."""
        for page in journal_pages(self._db, batch):
            for cid, found in page:
                yield case_of(found, source=f"journal of case {cid}")

    def case_ids(self) -> list[str]:
        """The ids of every stored case, sorted."""
        return [str(r[0]) for r in self._db.run("SELECT case_id FROM xf_case ORDER BY case_id")]

    def due(
        self,
        as_of: _dt.date,
        within: int = 5,
        *,
        overdue: bool = True,
        due_soon: int = 3,
        kinds: Collection[LimitKind] | None = None,
    ) -> tuple[Clock, ...]:
        """Open clocks with at most ``within`` working days left as of ``as_of``.

        With ``overdue`` (the default) clocks past their due date are
        included; without, only those due from ``as_of`` on. ``kinds``: only
        clocks of these kinds (e.g. ``{LimitKind.PLAN}``, the settlement plans'
        deadlines; default every kind, statutory and plan clocks together). The answer is
        what :func:`xinfang.clocks` gives on every stored case for the same
        date, under the store's rulebook and calendar, provided ``as_of`` is
        not before a case's last event (the projections describe each case
        as its journal stands). It reads the clock index (``due_on``), with
        each plan clock's last progress report from the case's projection
        (``last_report_on``), and replays only cases whose clock is paused
        by a running hearing or could not be projected. Sorted by due date,
        case and limit.
        """
        return due_clocks(self, as_of, within, overdue=overdue, due_soon=due_soon, kinds=kinds)

    def open_cases_by_unit(self, case_ids: Collection[str] | None = None) -> dict[str, int]:
        """Open (not terminal) cases per unit; only among ``case_ids`` if given (a target list).

        A case's unit is its responsible unit, else its handling unit, else
        its receiving unit.
        """
        return open_per_unit(self, case_ids)

    def snapshot(
        self,
        campaign: Campaign,
        org: Organization,
        *,
        as_of: _dt.date,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
    ) -> Snapshot:
        """The campaign's snapshot (:func:`xinfang.snapshot`) over every stored case."""
        return campaign_snapshot(
            campaign,
            list(self.iter_cases()),
            org,
            as_of=as_of,
            rulebook=rulebook if rulebook is not None else self.rulebook,
            calendar=calendar if calendar is not None else self.calendar,
        )

    # ------------------------------------------------------------ ledgers
    def import_ledger(
        self,
        source: str | os.PathLike[str],
        *,
        batch: int = BATCH,
        columnar: bool | None = None,
        org: Organization | None = None,
        campaign: Campaign | None = None,
    ) -> ImportResult:
        """Import a JSON Lines ledger (text, or a path): idempotent, never half a case.

        A ``str`` is the ledger's text when it holds a line break, is blank or
        starts with ``{`` (after leading whitespace), else the path of a
        UTF-8 file; a file that cannot be read or decoded is an
        :class:`~xinfang.InvalidDataError` naming it.

        The rule: the whole ledger is validated first (every line parsed and
        replayed, no case id twice, every case that is already stored agreeing
        with its stored journal); any problem raises one
        :class:`~xinfang.InvalidDataError` listing every bad line by number
        (a line holding text no database can store, a NUL or a lone
        surrogate, is one), and nothing is written. Then the cases are written in case id order,
        ``batch`` cases per transaction, each case whole in one transaction.
        A case already stored is skipped when the ledger holds no event it
        lacks, and extended by the events it lacks otherwise. So re-importing
        a ledger changes nothing, and re-running an interrupted import
        completes it.

        ``columnar``: ``True`` reads, validates and projects new cases
        column-wise (:mod:`xinfang.columnar`, ``xinfang[columnar]``: the same
        verdict and the same words as :func:`xinfang.load_ledger`, the same
        rows as the value path; :class:`~xinfang.MissingDependencyError`
        without pyarrow); ``False`` reads every case as a value; ``None``
        (the default) reads column-wise when pyarrow is installed and the
        ledger has at least 1,000 lines (below that, loading
        pyarrow costs more than it saves).

        ``org`` and ``campaign``: the ledger is also checked against them
        before anything is written, by :func:`xinfang.campaign.check_references` (the
        one rule), and refused when a problem would keep a count from
        reconciling: a case naming a unit or official the organisation lacks
        where that stops its placement (``ReferenceProblem.unplaced``: the
        cases a bulletin would list as not placed, 未归属), and, with a
        campaign, its units missing from the organisation (with ``org``) and
        its targets that no case of the ledger or of the store has. Each is
        one problem of the one :class:`~xinfang.InvalidDataError` (path
        ``line N (case ID): field`` or ``campaign: targets[i]``, message the
        unknown id, the nearest known one and where the line writes it), with
        the ledger's other problems. An unknown id that places nothing (a
        receiving unit, when the handling unit places the case) does not
        refuse the import: ``check_references`` lists it. Both reading paths
        check the same cases: the column-wise one reads as values only the
        rows that name an unknown id.
        """
        return import_cases(
            self, source, batch=batch, columnar=columnar, org=org, campaign=campaign
        )

    def write_ledger(self, out: IO[str], *, reveal_personal_data: bool = False) -> int:
        """Write every case as a JSON Lines ledger to ``out``; the number of cases.

        Personal data is masked unless ``reveal_personal_data``.
        """
        return write_cases(out, self.iter_cases(), reveal_personal_data=reveal_personal_data)

    def export_ledger(self, *, reveal_personal_data: bool = False) -> str:
        """Every case as a JSON Lines ledger (masked unless ``reveal_personal_data``)."""
        out = io.StringIO()
        write_cases(out, self.iter_cases(), reveal_personal_data=reveal_personal_data)
        return out.getvalue()
