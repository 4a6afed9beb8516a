"""Ledgers in and out of the store: the import and the export.

The import validates the whole ledger, then writes it in batches, each case
whole in one transaction.

A ledger is read by the value path (:func:`xinfang.load_ledger`) here, or
column-wise by :mod:`xinfang.store._bulk` (pyarrow, imported when a ledger
is read column-wise: an optional dependency). Both give what an import asks
of a ledger (:class:`Ledger`).
"""

from __future__ import annotations

import functools
import os
from typing import IO, TYPE_CHECKING, Final, Protocol

import attrs

from xinfang.campaign import Campaign, check_references
from xinfang.errors import InvalidDataError, MissingDependencyError, quoted
from xinfang.responsibility import Organization
from xinfang.serialization import line_problems, load_ledger, to_json
from xinfang.store._arguments import MAX_ID_LENGTH
from xinfang.store._errors import ConcurrencyError, StoreError
from xinfang.store._journal import BATCH, StoreBase, database_of, events
from xinfang.store._milestones import import_milestones
from xinfang.store._projections import (
    CASE_COLUMNS,
    CLOCK_COLUMNS,
    UPSERT_CASE,
    Incoming,
    incoming,
)
from xinfang.store._storable import unstorable_lines

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Sequence

    from xinfang.case import Case
    from xinfang.store._db import Database

__all__ = ["ImportResult", "Ledger", "ValueLedger", "import_cases", "write_cases"]

#: ``import_ledger(columnar=None)`` reads a ledger of at least this many lines
#: column-wise (with pyarrow installed): measured, a 480-case ledger imports
#: in about 0.25 s by the value path, and loading pyarrow takes 0.5-1 s.
_COLUMNAR_FROM: Final = 1000
#: The journal's columns an import writes (``recorded_at`` is the database's clock).
JOURNAL_COLUMNS: Final = "case_id, seq, at, actor, kind, payload"


@attrs.frozen(kw_only=True)
class ImportResult:
    """What an import did: cases added whole, cases extended, cases already stored."""

    added: int
    extended: int
    unchanged: int
    events: int


class Ledger(Protocol):
    """A validated ledger, as an import reads it: ids, lines, values, new cases' rows."""

    @property
    def ids(self) -> Sequence[str]:
        """Each case's id, in ledger order."""
        ...

    @property
    def lines(self) -> Sequence[int]:
        """Each case's line number."""
        ...

    def case(self, k: int) -> Case:
        """Case ``k`` as a value."""
        ...

    def incoming(self, ks: Sequence[int]) -> list[Incoming]:
        """The rows of cases ``ks``, none of them stored yet."""
        ...

    def reference_rows(self) -> Sequence[int]:
        """The cases that may name an id the organisation lacks (every other names none)."""
        ...


class ValueLedger:
    """A ledger read by the value path (:func:`~xinfang.load_ledger`)."""

    __slots__ = ("_store", "cases", "ids", "lines")

    def __init__(self, store: StoreBase, cases: list[Case], text: str) -> None:
        self._store = store
        self.cases = cases
        self.ids = [c.id for c in cases]
        self.lines = [
            n for n, line in enumerate(text.split("\n"), start=1) if line and not line.isspace()
        ]

    def case(self, k: int) -> Case:
        """Case ``k``."""
        return self.cases[k]

    def incoming(self, ks: Sequence[int]) -> list[Incoming]:
        """The rows of the new cases ``ks``."""
        store = self._store
        db = database_of(store)
        return [incoming(db, self.cases[k], 0, store.rulebook, store.calendar) for k in ks]

    def reference_rows(self) -> Sequence[int]:
        """Every case (``check_references`` finds its suspects column-wise itself)."""
        return range(len(self.cases))


def import_cases(
    store: StoreBase,
    source: str | os.PathLike[str],
    *,
    batch: int,
    columnar: bool | None,
    org: Organization | None,
    campaign: Campaign | None,
) -> ImportResult:
    """:meth:`Store.import_ledger`: validate the whole ledger, then write it in batches."""
    for arg, value, kind in (("org", org, Organization), ("campaign", campaign, Campaign)):
        if value is not None and not isinstance(value, kind):
            got = f"{type(value).__name__} {quoted(value)}"
            raise InvalidDataError(
                [(arg, f"expected a {kind.__name__}, got {got}")],
                source="Store.import_ledger",
            )
    db = database_of(store)
    name, text = _ledger_text(source)
    # Text no database can store (a NUL, a lone surrogate) is a bad line
    # like any other: such a ledger is refused, and is read by the value
    # path for its other problems.
    unstorable = unstorable_lines(text, raw=False)
    try:
        ledger = _read_ledger(store, text, name, False if unstorable else columnar, org)
    except InvalidDataError as exc:
        unstorable = unstorable_lines(text, raw=True)
        if not unstorable:
            raise
        raise InvalidDataError([*exc.problems, *unstorable], source=name) from exc
    if isinstance(ledger, ValueLedger):  # the columnar reader refuses raw surrogates itself
        unstorable = unstorable_lines(text, raw=True)
    ids = ledger.ids
    problems: list[tuple[str, str]] = list(unstorable)
    long_ids = [
        (
            f"line {number} (case {quoted(cid)}): $.id",
            (
                f"{len(cid):,} characters, more than the {MAX_ID_LENGTH} a case id may hold "
                "in a store"
            ),
        )
        for number, cid in zip(ledger.lines, ids, strict=True)
        if len(cid) > MAX_ID_LENGTH
    ]
    if long_ids:  # refused before any SQL, with the ledger's other problems
        raise InvalidDataError([*problems, *long_ids], source=name)
    first_line: dict[str, int] = {}
    for number, cid in zip(ledger.lines, ids, strict=True):
        if cid in first_line:
            problems.append(
                (f"line {number} (case {cid}): $.id", f"already on line {first_line[cid]}")
            )
        else:
            first_line[cid] = number
    if org is not None or campaign is not None:
        problems += _reference_problems(db, ledger, org, campaign)
    plan: list[tuple[int, int]] = []  # (case's position in the ledger, stored version)
    unchanged = 0
    for i in range(0, len(ids), batch):
        chunk = range(i, min(len(ids), i + batch))
        stored = _versions(db, [ids[k] for k in chunk])
        for k in chunk:
            have = stored.get(ids[k], 0)
            if have:
                case = ledger.case(k)
                old = events(db, case.id)
                n = min(len(old), len(case.events))
                differs = next((j for j in range(n) if old[j] != case.events[j]), None)
                if differs is not None:
                    problems.append(
                        (
                            f"line {first_line[case.id]} (case {case.id}): $.events[{differs}]",
                            f"differs from the stored journal at event {differs + 1}",
                        )
                    )
                    continue
                if len(case.events) <= have:
                    unchanged += 1
                    continue
            plan.append((k, have))
    if problems:
        raise InvalidDataError(problems, source=name)
    plan.sort(key=lambda p: ids[p[0]])
    added = extended = written = 0
    rb, cal = store.rulebook, store.calendar
    for i in range(0, len(plan), batch):
        part = plan[i : i + batch]
        rows = ledger.incoming([k for k, have in part if not have])
        rows += [incoming(db, ledger.case(k), have, rb, cal) for k, have in part if have]
        rows.sort(key=lambda r: r.case_id)
        # Every batch but the last commits without waiting for the disk; the last
        # one's durable commit carries them all (Database.write, durable=False).
        db.write(
            f"importing {len(rows)} cases from {name}",
            functools.partial(_write_incoming, db, rows),
            on_conflict=functools.partial(_import_conflict, db, rows),
            durable=i + batch >= len(plan),
        )
        added += sum(1 for r in rows if not r.have)
        extended += sum(1 for r in rows if r.have)
        written += sum(len(r.events) for r in rows)
    return ImportResult(added=added, extended=extended, unchanged=unchanged, events=written)


def _reference_problems(
    db: Database, ledger: Ledger, org: Organization | None, campaign: Campaign | None
) -> list[tuple[str, str]]:
    """What refuses ``ledger`` against ``org`` and ``campaign`` (see :meth:`import_ledger`)."""
    rows = ledger.reference_rows() if org is not None else ()
    ids = ledger.ids
    known: set[str] = set()
    if campaign is not None:
        known.update(ids)
        elsewhere = sorted(
            t for t in set(campaign.targets) - known if len(t) <= MAX_ID_LENGTH
        )  # a longer id cannot be stored: no case has it
        for i in range(0, len(elsewhere), BATCH):
            known.update(_versions(db, elsewhere[i : i + BATCH]))
    found = check_references([ledger.case(k) for k in rows], org, campaign, case_ids=known)
    lines = ledger.lines
    return [
        (
            f"line {lines[rows[p.index]]} (case {p.case_id}): {p.field}"
            if p.index is not None
            else f"campaign: {p.field}",
            p.message,
        )
        for p in found
        if p.unplaced or p.index is None
    ]


def _read_ledger(
    store: StoreBase, text: str, name: str, columnar: bool | None, org: Organization | None
) -> Ledger:
    """The ledger validated whole: column-wise when pyarrow is there (and allowed)."""
    if columnar is None and text.count("\n") < _COLUMNAR_FROM:
        columnar = False  # a small ledger: the value path is quicker than importing pyarrow
    if columnar is not False:
        try:
            # An optional dependency (pyarrow), imported when first needed; _bulk imports
            # nothing of this module.
            from xinfang.store._bulk import read_ledger as read_columns
        except ModuleNotFoundError as exc:
            if columnar or not (exc.name or "").startswith("pyarrow"):
                raise MissingDependencyError(
                    f"a columnar import needs pyarrow ({exc.name} is not installed): "
                    "pip install 'xinfang[columnar]'",
                    path="columnar",
                    rule="optional dependency",
                ) from exc
        else:
            try:
                return read_columns(store, text, name, org)
            except UnicodeEncodeError:
                pass  # raw surrogates in the text: the value path reads it (and reports them)
    return ValueLedger(store, load_ledger(text, source=name), text)


def _versions(db: Database, ids: list[str]) -> dict[str, int]:
    """The stored version of each of ``ids`` that is stored."""
    if not ids:
        return {}
    where, params = db.where_in("case_id", ids)
    rows = db.run(f"SELECT case_id, version FROM xf_case WHERE {where}", params)  # noqa: S608
    return {str(r[0]): int(r[1]) for r in rows}


def _write_incoming(db: Database, rows: list[Incoming]) -> None:
    """Write one batch of an import (inside a write; ``rows`` in case id order)."""
    now = _versions(db, [r.case_id for r in rows if not r.have])
    for r in rows:
        found = now.get(r.case_id, 0)
        if r.have:
            row = db.lock_case(r.case_id)
            found = int(row[0]) if row else 0
        if found != r.have:
            raise ConcurrencyError(r.case_id, expected=r.have, actual=found, detail="during import")
    # Appends (COPY on PostgreSQL): the journal, new cases' rows, every open clock.
    db.append("xf_journal", JOURNAL_COLUMNS, [e for r in rows for e in r.events])
    db.append("xf_case", CASE_COLUMNS, [r.case_row for r in rows if not r.have])
    db.many(UPSERT_CASE, [r.case_row for r in rows if r.have])
    new, changed = [r for r in rows if not r.have], [r for r in rows if r.have]
    import_milestones(db, [r.milestones for r in new], [r.milestones for r in changed])
    db.many("DELETE FROM xf_clock WHERE case_id = ?", [(r.case_id,) for r in rows if r.have])
    db.append("xf_clock", CLOCK_COLUMNS, [c for r in rows for c in r.clocks])


def _import_conflict(db: Database, rows: list[Incoming], exc: BaseException) -> None:
    """After a unique violation in an import: the case another writer changed."""
    stored = _versions(db, [r.case_id for r in rows])
    for r in rows:
        if stored.get(r.case_id, 0) != r.have:
            raise ConcurrencyError(
                r.case_id,
                expected=r.have,
                actual=stored.get(r.case_id, 0),
                detail="during import",
            ) from exc
    raise StoreError(f"{db.url}: import conflict: {exc}", rule="database") from exc


def write_cases(out: IO[str], cases: Iterable[Case], *, reveal_personal_data: bool) -> int:
    """Write ``cases`` as JSON Lines to ``out`` (masked unless told); how many."""
    n = 0
    for case in cases:
        out.write(to_json(case, reveal_personal_data=reveal_personal_data))
        out.write("\n")
        n += 1
    return n


def _ledger_text(source: str | os.PathLike[str]) -> tuple[str, str]:
    """The ledger's name and text: ``source`` itself, or the file it names.

    A string is the ledger's text when it holds a line break, is blank, or
    starts with ``{`` after leading whitespace; otherwise it names a file
    (read as UTF-8: a file that cannot be read, or is not UTF-8 text, is an
    :class:`~xinfang.InvalidDataError` naming it).
    """
    if not isinstance(source, os.PathLike):
        head = source.lstrip()
        if "\n" in source or not head or head.startswith("{"):
            return "ledger", source
    name = os.fspath(source)
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidDataError(
            [("$", f"the ledger file cannot be read: {reason}")], source=name
        ) from exc
    try:
        return name, data.decode("utf-8")
    except UnicodeDecodeError as exc:  # headed as every bad line is: number and case id
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        line = data[start : end if end >= 0 else len(data)].decode("utf-8", "replace")
        number = data.count(b"\n", 0, exc.start) + 1
        raise InvalidDataError(
            line_problems(number, line, [("$", f"not UTF-8 text: {exc}"[:200])]), source=name
        ) from exc
