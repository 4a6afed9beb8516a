"""The :class:`Journal` and how one is built: from a ledger, case values, an Arrow table or a store.

Each constructor ends in :func:`settle`: the column fold, and the value path
for the cases it cannot certify. Re-exported by :mod:`xinfang.columnar`, with
the Parquet datasets (:mod:`~xinfang.columnar._datasets`) and the sweeps
(:mod:`~xinfang.columnar._sweeps`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.case import Case
from xinfang.columnar._cases import case_documents, case_offsets
from xinfang.columnar._cases import journal_from_cases as _events_of
from xinfang.columnar._column_checks import string_buffers
from xinfang.columnar._encoding import PLAIN_SCHEMA, conform_table
from xinfang.columnar._fold import fold, truncate
from xinfang.columnar._milestones import MILESTONES_SCHEMA, Folded, milestones_from_cases
from xinfang.columnar._reader import Parsed, parse_ledger
from xinfang.columnar._schema import JOURNAL_SCHEMA
from xinfang.columnar._store_journal import journal_from_store as _store_events
from xinfang.convert import structure
from xinfang.errors import InvalidDataError
from xinfang.serialization import (
    LONE_SURROGATE_OR_NUL,
    BadLine,
    duplicate_id,
    from_json,
    to_json,
)

if TYPE_CHECKING:  # pragma: no cover
    import os

    import numpy.typing as npt

    from xinfang.columnar._store_journal import StoredJournal

__all__ = [
    "Journal",
    "journal_from_cases",
    "journal_from_store",
    "journal_from_table",
    "load_journal",
    "settle",
    "validated",
]

_SOURCE: Final = "ledger"


@attrs.frozen(eq=False)
class Journal:
    """Many cases as Arrow: their events and their fold.

    ``events`` (:data:`JOURNAL_SCHEMA`): one row per event, each case's
    events together and in order, cases in input order. ``milestones``
    (:data:`MILESTONES_SCHEMA`): one row per case in the same order, the
    fold of all its events, equal to what :func:`xinfang.replay` gives.
    Build one with :func:`load_journal`, :func:`read_journal`,
    :func:`journal_from_cases`, :func:`journal_from_store` or
    :func:`journal_from_table`.
    """

    events: Any
    milestones: Any
    #: For a lean journal (:func:`read_journal` with ``lean=True``): whole rows of cases by id.
    whole: Callable[[Sequence[str]], Any] | None = attrs.field(default=None, repr=False)
    #: The day the events were cut at (events after it dropped), if they were.
    day: _dt.date | None = None
    #: The ledger lines left out (``load_journal(..., on_bad_lines="skip")``), in line order.
    rejected: tuple[BadLine, ...] = ()

    @property
    def lean(self) -> bool:
        """Whether ``events`` holds only the columns the fold reads (:data:`SWEEP_COLUMNS`)."""
        return bool(self.events.num_columns < len(JOURNAL_SCHEMA))

    def __len__(self) -> int:
        """How many cases."""
        return int(self.milestones.num_rows)

    def equals(self, other: Journal) -> bool:
        """Whether both tables are equal (Arrow's ``Table.equals``)."""
        return bool(self.events.equals(other.events) and self.milestones.equals(other.milestones))

    def cases(self, rows: Iterable[int] | None = None) -> list[Case]:
        """Cases as values (all, or those at ``rows``), through the value path."""
        ks = list(range(len(self)) if rows is None else rows)
        return _cases_of(self.events, ks, self.whole, self.day)


def _cases_of(
    events: Any,
    ks: Sequence[int],
    whole: Callable[[Sequence[str]], Any] | None,
    day: _dt.date | None,
) -> list[Case]:
    """Cases ``ks`` of ``events`` as values; a lean table's cases are read whole first."""
    if events.num_columns == len(JOURNAL_SCHEMA):
        return [_case(doc) for doc in case_documents(events, list(ks))]
    if whole is None:
        raise InvalidDataError(
            [("events", "a lean journal table has no whole rows to read cases from")],
            source="journal",
        )
    offsets = case_offsets(events)
    ids = events.column("case_id").take(pa.array(offsets[:-1][list(ks)])).to_pylist()
    full = whole(ids)
    if day is not None:
        full, _ = truncate(full, day)
    found = {}
    offsets = case_offsets(full)
    all_ids = full.column("case_id").take(pa.array(offsets[:-1])).to_pylist()
    for case_id, doc in zip(all_ids, case_documents(full, range(len(all_ids))), strict=True):
        if case_id in found:
            raise InvalidDataError(
                [("case_id", f"case {case_id} is in the dataset twice")], source="journal"
            )
        found[case_id] = doc
    return [_case(found[case_id]) for case_id in ids]


def _case(document: Any, source: str = "journal") -> Case:
    return structure(document, Case, source=source)


def _replace_rows(table: Any, rows: npt.NDArray[np.intp], fixed: Any) -> Any:
    """``table`` with its rows ``rows`` replaced by ``fixed`` (same length, same order)."""
    if not len(rows):
        return table
    n = table.num_rows
    order = np.arange(n, dtype=np.int64)
    order[rows] = n + np.arange(len(rows), dtype=np.int64)
    joined = pa.concat_tables([table, fixed.cast(table.schema)])
    return joined.take(pa.array(order)).combine_chunks()


def _replace_cases(
    events: Any, offsets: npt.NDArray[np.int64], ks: Sequence[int], cases: Sequence[Case]
) -> Any:
    """``events`` with the rows of cases ``ks`` replaced by the rows of ``cases`` (one take)."""
    if not ks:
        return events
    fixed = _events_of(cases).cast(events.schema)
    n = events.num_rows
    starts = np.asarray(offsets[:-1])
    lengths = np.diff(offsets)
    cut = np.asarray(ks, dtype=np.int64)
    # Mark the rows of the replaced cases (their row ranges) as dropped.
    drop = np.zeros(n + 1, dtype=np.int64)
    np.add.at(drop, starts[cut], 1)
    np.add.at(drop, starts[cut] + lengths[cut], -1)
    keep = np.cumsum(drop[:n]) == 0
    # Each case's new rows go where its old ones began: order by (position, new?).
    fixed_lengths = np.array([len(case.events) for case in cases], dtype=np.int64)
    kept_rows = np.flatnonzero(keep)
    # A case's new rows sort before the kept row at the same position (a case with no rows).
    position = np.concatenate([2 * kept_rows + 1, 2 * np.repeat(starts[cut], fixed_lengths)])
    source = np.concatenate([kept_rows, n + np.arange(fixed.num_rows)])
    order = source[np.argsort(position, kind="stable")]
    joined = pa.concat_tables([events, fixed])
    return joined.take(pa.array(order)).combine_chunks()


def _fold(events: Any, offsets: npt.NDArray[np.int64], suspicious: Any = None) -> Folded:
    """:func:`fold` over cases bounded by ``offsets``; a case with no rows is suspicious."""
    starts = np.asarray(offsets[:-1], dtype=np.int64)
    empty = np.diff(offsets) == 0
    if not empty.any():
        return fold(events, suspicious, starts=starts)
    m = len(starts)
    some = np.flatnonzero(~empty)
    flags = np.ones(m, dtype=bool)
    if not len(some):
        nulls = {f.name: pa.nulls(m, f.type) for f in MILESTONES_SCHEMA}
        return Folded(milestones=pa.table(nulls, schema=MILESTONES_SCHEMA), suspicious=flags)
    part = fold(events, None if suspicious is None else suspicious[some], starts=starts[some])
    index = np.zeros(m, dtype=np.int64)
    index[some] = np.arange(len(some))
    flags[some] = part.suspicious
    return Folded(milestones=part.milestones.take(pa.array(index)), suspicious=flags)


def settle(
    events: Any,
    suspicious: Any = None,
    *,
    whole: Callable[[Sequence[str]], Any] | None = None,
    day: _dt.date | None = None,
) -> Journal:
    """Fold ``events``; the cases the fold cannot certify are folded by the value path.

    A table naming one case id twice is refused (:func:`_once`) unless ``day``
    is given (the table is then a cut of a journal already read).
    """
    offsets = case_offsets(events)
    if day is None:
        _once(events, offsets)
    folded = _fold(events, offsets, suspicious)
    ks = np.flatnonzero(folded.suspicious)
    milestones = folded.milestones
    if len(ks):
        cases = _cases_of(events, ks.tolist(), whole, day)
        milestones = _replace_rows(milestones, ks, milestones_from_cases(cases))
    return Journal(events=events, milestones=milestones, whole=whole, day=day)


def _once(events: Any, offsets: npt.NDArray[np.int64]) -> None:
    """Refuse journal rows that hold one case id as two cases, naming both.

    A journal (like a ledger) names each case once: two cases under one id
    would be counted twice, and a lean read could not tell which one to read
    whole. Each is named by the row of its first event among the rows read
    (from 1), as a ledger's line is named. One hash count when no id repeats.
    """
    starts = np.asarray(offsets[:-1], dtype=np.int64)
    ids = events.column("case_id").take(pa.array(starts)).combine_chunks()
    if _distinct(ids):
        return
    first: dict[str, int] = {}
    problems = []
    for row, cid in zip(starts.tolist(), ids.to_pylist(), strict=True):
        seen = first.setdefault(cid, row)
        if seen != row:
            problems.append(
                (
                    f"row {row + 1} (case {cid}): case_id",
                    f"the case of row {seen + 1} again: a journal holds each case once",
                )
            )
    raise InvalidDataError(problems, source="journal")


#: An odd 64-bit multiplier (2**64 / the golden ratio) for the ids' hash.
_MIX: Final = np.uint64(0x9E3779B97F4A7C15)


def _distinct(ids: Any) -> bool:
    """Whether no string of ``ids`` (no nulls) repeats.

    Ids of one length (a host's scheme, as a rule) are hashed from their
    bytes (a numpy view, no call per id) and the hashes sorted: all distinct,
    the ids are. Otherwise, or when two hashes meet, Arrow counts them (a
    hash table of strings: about four times the time).
    """
    n = len(ids)
    if n < 2:
        return True
    offsets, data = string_buffers(ids)
    width = int(offsets[1] - offsets[0])
    if 0 < width <= 64 and bool((np.diff(offsets) == width).all()):
        matrix = data[int(offsets[0]) : int(offsets[0]) + n * width].reshape(n, width)
        padded = np.zeros((n, -(-width // 8) * 8), np.uint8)
        padded[:, :width] = matrix
        words = padded.view(np.uint64)
        mixed = np.zeros(n, np.uint64)
        for k in range(words.shape[1]):
            mixed = mixed * _MIX + words[:, k]
        mixed.sort()  # (np.unique is a hash table in numpy 2: ten times slower here)
        if not (mixed[1:] == mixed[:-1]).any():
            return True
    return bool(pc.count_distinct(ids).as_py() == n)


def load_journal(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str = _SOURCE,
    on_bad_lines: Literal["raise", "skip"] = "raise",
) -> Journal:
    """A JSON Lines ledger (a path, or its text as ``bytes``) as a validated :class:`Journal`.

    The same verdict as :func:`xinfang.load_ledger` on the same text: a bad
    ledger raises :class:`~xinfang.InvalidDataError` listing every bad line's
    problems in the same words (``line 12 (case XF-A0012): $.events[0].at``),
    headed ``name``.

    ``on_bad_lines="skip"`` (a nightly sweep that must not stop for a few
    bad lines among millions) leaves the bad lines out instead: the journal
    holds every case of the good lines (exactly what ``load_ledger`` gives
    of those lines alone) and :attr:`Journal.rejected` names each bad line
    (its number, the case id it gives, its problems); nothing is computed
    from a bad line.
    """
    if on_bad_lines not in ("raise", "skip"):
        raise InvalidDataError(
            [("on_bad_lines", f"expected 'raise' or 'skip', got {on_bad_lines!r}")], source=name
        )
    parsed = parse_ledger(source)
    if on_bad_lines == "raise":
        events, milestones, _ = validated(parsed, name)
        return Journal(events=events, milestones=milestones)
    events, milestones, _, rejected = _checked(parsed)
    return Journal(events=events, milestones=milestones, rejected=tuple(rejected))


def validated(parsed: Parsed, name: str) -> tuple[Any, Any, dict[int, Case]]:
    """A parsed ledger's events and milestones, checked: :func:`load_journal`'s verdict.

    The cases the column checks cannot certify are read by the value path
    (:func:`~xinfang.serialization.from_json` of their lines, its problems
    headed by line number and case id) and their rows replaced by those
    values'; the third item holds those values by case position.
    """
    events, milestones, values, rejected = _checked(parsed)
    if rejected:
        raise InvalidDataError([p for bad in rejected for p in bad.headed()], source=name)
    return events, milestones, values


def _unicode_only(case: Case) -> None:
    """Refuse a case holding text that is not Unicode (a lone surrogate): Arrow cannot hold it.

    The one verdict the columnar path gives alone: :func:`xinfang.load_ledger`
    accepts such text as :func:`json.loads` reads it, but an Arrow string is
    UTF-8, which has no lone surrogates.
    """
    try:
        to_json(case, reveal_personal_data=True).encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(exc.object[exc.start])
        why = f"holds a lone surrogate (U+{code:04X}), which is not Unicode text"
        raise InvalidDataError(
            [("$", f"{why}: the columnar journal keeps UTF-8 text only")]
        ) from None


def _checked(parsed: Parsed) -> tuple[Any, Any, dict[int, Case], list[BadLine]]:
    """:func:`validated` without the verdict: the good cases' tables, and the bad lines.

    The events and milestones hold the cases of the good lines only (the
    values' positions in the third item are those before the bad lines were
    left out).
    """
    folded = _fold(parsed.journal, parsed.offsets, parsed.suspicious)
    ks = np.flatnonzero(folded.suspicious).tolist()
    values: dict[int, Case] = {}
    rejected: list[BadLine] = []
    bad: list[int] = []
    for k in ks:
        try:
            line = parsed.text(k)
            case: Case = from_json(line)
            if LONE_SURROGATE_OR_NUL.search(line):  # a UTF-8 line gives one only escaped
                _unicode_only(case)
            values[k] = case
        except InvalidDataError as exc:
            text = parsed.raw(k).decode("utf-8", "replace")
            rejected.append(BadLine.of(int(parsed.lines[k]), text, exc.problems))
            bad.append(k)
    good = [k for k in ks if k in values]
    cases = [values[k] for k in good]
    events = _replace_cases(parsed.journal, parsed.offsets, good, cases)
    milestones = _replace_rows(
        folded.milestones, np.asarray(good, dtype=np.intp), milestones_from_cases(cases)
    )
    lengths = np.diff(parsed.offsets)
    lengths[good] = [len(case.events) for case in cases]
    keep = np.ones(len(lengths), dtype=bool)
    keep[bad] = False
    again = _named_again(milestones.column("case_id"), parsed.lines, keep)
    if again:
        rejected = sorted([*rejected, *(bad_line for _, bad_line in again)], key=_by_line)
        keep[[k for k, _ in again]] = False
    if bad or again:
        events = events.filter(pa.array(np.repeat(keep, lengths)))
        milestones = milestones.filter(pa.array(keep))
    return events, milestones, values, rejected


def _by_line(bad: BadLine) -> int:
    return bad.line


def _named_again(ids: Any, lines: Any, keep: npt.NDArray[np.bool_]) -> list[tuple[int, BadLine]]:
    """The good lines (``keep``) that name a case id a good line above them named.

    Each as (its case position, its :class:`~xinfang.serialization.BadLine`),
    worded as :func:`xinfang.load_ledger` words it. One hash count when no
    id repeats (the common case).
    """
    kept = ids.filter(pa.array(keep))
    if _distinct(kept.combine_chunks() if isinstance(kept, pa.ChunkedArray) else kept):
        return []
    first: dict[str, int] = {}
    out = []
    for k, cid in enumerate(ids.to_pylist()):
        if not keep[k]:
            continue
        number = int(lines[k])
        seen = first.setdefault(cid, number)
        if seen != number:
            out.append((k, duplicate_id(number, cid, seen)))
    return out


def journal_from_cases(cases: Iterable[Case]) -> Journal:
    """The :class:`Journal` of case values (personal data as the values hold it).

    A case holding text that is not Unicode (a lone surrogate, which Arrow's
    UTF-8 strings cannot hold) is an :class:`~xinfang.InvalidDataError` naming it.
    """
    many = list(cases)
    try:
        return Journal(events=_events_of(many), milestones=milestones_from_cases(many))
    except UnicodeEncodeError:
        problems = []
        for case in many:
            try:
                _unicode_only(case)
            except InvalidDataError as exc:
                problems += [(f"case {case.id}: {p}", m) for p, m in exc.problems]
        raise InvalidDataError(problems or [("$", "holds text that is not Unicode")]) from None


def journal_from_table(table: Any) -> Journal:
    """Any Arrow table or record batch of journal rows (whole cases) as a :class:`Journal`.

    Columns are cast to :data:`JOURNAL_SCHEMA` (a Spark or pandas round trip
    turns dictionaries into strings and zones into UTC); the fold's checks
    run and the value path decides what they cannot certify.
    """
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    return settle(_conform(table))


def _conform(table: Any) -> Any:
    """``table`` in :data:`JOURNAL_SCHEMA`'s column order and types; unknown codes refused."""
    names = set(table.column_names)
    missing = [f.name for f in JOURNAL_SCHEMA if f.name not in names]
    if missing:
        raise InvalidDataError(
            [(name, "column missing from the journal table") for name in missing],
            source="journal",
        )
    table = table.select(JOURNAL_SCHEMA.names)
    if table.schema.equals(JOURNAL_SCHEMA):
        return table
    plain = _plain(table)
    conformed = conform_table(plain)
    unknown = [
        (field.name, "a code that is not one of the enum's")
        for field in JOURNAL_SCHEMA
        if pa.types.is_dictionary(field.type)
        and conformed.column(field.name).null_count != plain.column(field.name).null_count
    ]
    if unknown:
        raise InvalidDataError(unknown, source="journal")
    return conformed


def _plain(table: Any) -> Any:
    """``table`` cast to :data:`PLAIN_SCHEMA`, or an error naming each column it cannot be.

    Instants must carry their zone: a naive timestamp (or a date) would be
    read as UTC, where the value path refuses an instant without a zone.
    """
    problems: list[tuple[str, str]] = []
    columns = []
    for field in PLAIN_SCHEMA:
        column = table.column(field.name)
        given = column.type
        if pa.types.is_timestamp(field.type) and (
            pa.types.is_date(given) or (pa.types.is_timestamp(given) and given.tz is None)
        ):
            problems.append(
                (field.name, f"instants without a time zone ({given}): a zone is needed")
            )
            continue
        try:
            columns.append(column.cast(field.type))
        except (pa.ArrowException, ValueError) as exc:
            problems.append((field.name, f"cannot be read as {field.type}: {exc}"[:300]))
    if problems:
        raise InvalidDataError(problems, source="journal")
    return pa.Table.from_arrays(columns, schema=PLAIN_SCHEMA)


def journal_from_store(store: StoredJournal) -> Journal:
    """Every case of a :class:`~xinfang.Store` as a :class:`Journal`.

    A back-office read, like :meth:`Store.import_ledger <xinfang.Store.import_ledger>`:
    it is not scoped to a viewer (an accusation is read like any case), so
    what it feeds must not be shown to an official the confidentiality rule
    keeps out; an official's view is ``store.for_viewer(...)``.
    """
    # The pages are tables (journal_from_store's parts), not record batches.
    return settle(pa.concat_tables([JOURNAL_SCHEMA.empty_table(), *_store_events(store)]))
