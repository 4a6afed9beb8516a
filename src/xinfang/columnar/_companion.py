"""The milestones companion: one row per case kept beside a Parquet journal, swept alone.

A nightly sweep that folds every event of every case again does work that
changed only for the cases that received events. :func:`write_journal
<xinfang.columnar.write_journal>` therefore writes, beside the journal, the
fold itself (:data:`COMPANION_SCHEMA`: :data:`MILESTONES_SCHEMA` and what the
clock engine and the campaign count read from events: each case's hearing
spans and the officials its role assignments name), partitioned as the
journal is. :func:`sweep_milestones` gives the clocks and campaign counts
from it through the one clock engine; :func:`~xinfang.columnar.update_milestones`
refolds only the cases that received events and adds their rows as a delta
file (:mod:`~xinfang.columnar._deltas`: a partition reads as its newest row
of each case); :func:`check_milestones` refolds a sample (or all) and
compares.

Layout: beside the journal, never inside it (a glob of the journal's
``*.parquet`` files finds only events): a journal written to the folder
``j/`` keeps its companion in the folder ``j.milestones/``, with the same
``year=/unit=`` folders; a journal written to the file ``j.parquet`` keeps
it in the file ``j.parquet.milestones``. Days are ``date32`` on disk (Parquet
``INT32`` days since 1970-01-01).
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from xinfang.columnar._api import Journal, journal_from_table
from xinfang.columnar._cases import case_offsets
from xinfang.columnar._deltas import (
    base_name,
    live_groups,
    merge_events,
    merge_rows,
    not_live,
    partition_files,
    read_committed,
)
from xinfang.columnar._engine import Campaigned, HearingSpans, run, spans_of
from xinfang.columnar._milestones import MILESTONES_SCHEMA
from xinfang.columnar._parquet import (
    PARTITIONING,
    case_partitions,
    partition_folder,
    read_parquet,
)
from xinfang.columnar._schema import JOURNAL_SCHEMA
from xinfang.columnar._sources import case_source, cases_from, scoped_campaign
from xinfang.columnar._sweeps import Sweep
from xinfang.deadlines import as_of_day
from xinfang.errors import InvalidDataError

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    from collections.abc import Sequence

    import numpy.typing as npt

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign
    from xinfang.case import Case
    from xinfang.columnar._sources import CaseSource
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook

__all__ = [
    "COMPANION_SCHEMA",
    "check_milestones",
    "companion_meta",
    "companion_path",
    "companion_settings",
    "companion_table",
    "read_milestones",
    "sweep_milestones",
    "write_companion",
    "write_milestones",
]

#: The Parquet metadata key naming a milestones companion (value: the partition columns).
COMPANION_KEY: Final = b"xinfang.milestones"
_REVEAL_KEY: Final = b"xinfang.reveal_personal_data"
_EPOCH: Final = 719163  # date(1970, 1, 1).toordinal()
_DAYS: Final = pa.list_(pa.date32())

#: One row per case: :data:`MILESTONES_SCHEMA`, then each case's hearings (``hearing_start``,
#: ``hearing_end``: local days, the end null while a hearing runs; ``hearing_exact`` false when
#: an instant before 1992 makes the days uncertain) and ``officials`` (the holders its role
#: assignments name, other than a responsible unit) and ``plan_owner`` (its current plan's
#: owner, null without a plan): what the sweep reads of the events.
COMPANION_SCHEMA: Final = pa.schema(
    [
        *MILESTONES_SCHEMA,
        pa.field("hearing_start", _DAYS),
        pa.field("hearing_end", _DAYS),
        pa.field("hearing_exact", pa.bool_()),
        pa.field("officials", pa.list_(pa.string())),
        pa.field("plan_owner", pa.string()),
    ]
)


def companion_path(where: str | os.PathLike[str]) -> Path:
    """Where the companion of the journal at ``where`` lives (see the module's layout)."""
    path = Path(where)
    return path.with_name(path.name + ".milestones")


def companion_table(journal: Journal) -> Any:
    """The companion rows (:data:`COMPANION_SCHEMA`) of a journal's cases, in its order."""
    events, m = journal.events, len(journal)
    offsets = case_offsets(events)
    spans = spans_of(events, offsets)
    lengths = np.bincount(spans.case, minlength=m).astype(np.int32)
    list_offsets = pa.array(np.concatenate(([0], np.cumsum(lengths))).astype(np.int32))
    start = pa.array((spans.start - _EPOCH).astype(np.int32)).cast(pa.date32())
    ends = pa.array((spans.end - _EPOCH).astype(np.int32), mask=spans.end == 0).cast(pa.date32())
    return pa.Table.from_arrays(
        [
            *journal.milestones.columns,
            pa.ListArray.from_arrays(list_offsets, start),
            pa.ListArray.from_arrays(list_offsets, ends),
            pa.array(~spans.inexact, pa.bool_()),
            _officials(events, offsets, m),
            _plan_owners(events, offsets, m),
        ],
        schema=COMPANION_SCHEMA,
    )


def _officials(events: Any, offsets: npt.NDArray[np.int64], m: int) -> Any:
    """Per case, the holders of its role assignments (not a responsible unit's), in order."""
    kind = events.column("kind").cast(pa.string())
    role = events.column("role").cast(pa.string())
    hit = pc.and_(pc.equal(kind, "role_assigned"), pc.not_equal(role, "responsible_unit"))
    hit = pc.and_(pc.fill_null(hit, False), pc.is_valid(events.column("holder")))
    rows = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
    case = np.searchsorted(offsets, rows, side="right") - 1
    lengths = np.bincount(case, minlength=m).astype(np.int32)
    list_offsets = pa.array(np.concatenate(([0], np.cumsum(lengths))).astype(np.int32))
    holders = events.column("holder").take(pa.array(rows, pa.int64())).cast(pa.string())
    if isinstance(holders, pa.ChunkedArray):
        holders = holders.combine_chunks()
    return pa.ListArray.from_arrays(list_offsets, holders)


def _plan_owners(events: Any, offsets: npt.NDArray[np.int64], m: int) -> Any:
    """Per case, the owner of its current plan (its last ``plan_set``), null without one."""
    kind = events.column("kind").cast(pa.string())
    rows = np.flatnonzero(pc.fill_null(pc.equal(kind, "plan_set"), False).to_numpy())
    out = pa.nulls(m, pa.string())
    if not len(rows):
        return out
    case = np.searchsorted(offsets, rows, side="right") - 1
    last = np.flatnonzero(np.append(case[1:] != case[:-1], True))  # rows in order: last per case
    plans = events.column("plan").take(pa.array(rows[last], pa.int64()))
    owner = pc.struct_field(plans, "owner").to_pylist()
    found: list[str | None] = [None] * m
    for k, who in zip(case[last].tolist(), owner, strict=True):
        found[k] = who
    return pa.array(found, pa.string())


def write_milestones(
    journal: Journal,
    where: str | os.PathLike[str],
    *,
    partition_by: Sequence[str] = (),
    reveal_personal_data: bool = False,
    number: int = 0,
) -> None:
    """Write the companion of ``journal``, written (or being written) at ``where``.

    ``journal`` is the whole journal: the companion's deltas and compacted
    files (:func:`~xinfang.columnar.update_milestones`) are replaced too.
    ``number``: as :func:`write_parquet`'s (base files of that number, not
    yet committed).
    """
    folder = companion_path(where)
    rows = companion_table(journal)
    write_companion(
        rows,
        journal.events,
        folder,
        partition_by,
        reveal=reveal_personal_data,
        name=base_name(number),
    )
    _write_meta(folder, partition_by, reveal_personal_data)
    if number:
        return
    for stale in not_live(folder, 0):
        stale.unlink(missing_ok=True)


def _write_meta(folder: Path, by: Sequence[str], reveal: bool) -> None:
    """The companion's settings (its partition columns and the journal's masking)."""
    if not by:
        return  # a file companion carries them in its own metadata
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_settings").write_text(f"{','.join(by)}\n{int(reveal)}\n", encoding="utf-8")


def companion_settings(folder: Path) -> tuple[tuple[str, ...], bool]:
    """The partition columns and masking a companion (at ``folder``) was written with."""
    if not folder.is_dir():
        try:
            meta = pq.read_schema(folder).metadata or {}
        except (OSError, pa.ArrowException) as exc:
            raise InvalidDataError(
                [("$", f"not an xinfang milestones companion: {exc}"[:300])], source=str(folder)
            ) from None
        return (), meta.get(_REVEAL_KEY) == b"1"
    try:
        by, reveal = (folder / "_settings").read_text(encoding="utf-8").split("\n")[:2]
    except (OSError, ValueError) as exc:
        raise InvalidDataError(
            [("$", f"not an xinfang milestones companion: {exc}"[:300])], source=str(folder)
        ) from None
    return tuple(p for p in by.split(",") if p), reveal == "1"


def companion_meta(by: Sequence[str], reveal: bool) -> dict[bytes, bytes]:
    """The Parquet schema metadata of a companion's files."""
    return {COMPANION_KEY: ",".join(by).encode(), _REVEAL_KEY: b"1" if reveal else b"0"}


def write_companion(
    rows: Any,
    events: Any,
    folder: Path,
    by: Sequence[str],
    *,
    reveal: bool,
    name: str = "part-0.parquet",
) -> None:
    """Write ``rows`` (one per case of ``events``) by partition, as ``name`` in each folder."""
    meta = companion_meta(by, reveal)
    if not by:
        write_companion_file(rows.replace_schema_metadata(meta), folder)
        return
    for key, ks in case_partitions(events, by).items():
        part = rows.take(pa.array(ks, pa.int64()))
        target = partition_folder(folder, by, key) / name
        write_companion_file(part.replace_schema_metadata(meta), target)


def write_companion_file(table: Any, path: Path) -> None:
    """Write one companion file (its folder made); a refusal: InvalidDataError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, str(path))
    except OSError as exc:
        raise InvalidDataError(
            [("$", f"cannot write the milestones companion: {exc}"[:300])], source=str(path)
        ) from None


def read_milestones(
    where: str | os.PathLike[str], *, filters: Any = None, use_threads: bool = True
) -> Any:
    """The companion of the journal at ``where`` (:data:`COMPANION_SCHEMA`), filtered as asked.

    A partition with deltas (:func:`~xinfang.columnar.update_milestones`)
    reads as its newest row of each case; ``filters`` apply to those rows.
    """
    folder = companion_path(where)
    expr = pq.filters_to_expression(filters) if isinstance(filters, list) else filters

    def read(number: int | None) -> Any:
        try:
            dataset = pads.dataset(
                str(folder),
                format="parquet",
                partitioning=PARTITIONING if folder.is_dir() else None,
            )
            groups = live_groups(dataset.get_fragments(filter=expr), lambda f: f.path, number)
            parts = [_rows_of(group, expr, dataset.schema, use_threads) for group in groups]
            return pa.concat_tables(parts) if parts else COMPANION_SCHEMA.empty_table()
        except (OSError, pa.ArrowException) as exc:
            raise InvalidDataError(
                [("$", f"cannot read the milestones companion: {exc}"[:300])], source=str(folder)
            ) from None

    table = read_committed(where if folder.is_dir() else None, read)
    return table.cast(COMPANION_SCHEMA)


def _rows_of(group: Sequence[Any], expr: Any, schema: Any, use_threads: bool) -> Any:
    """One partition's rows: its base file's, or, with deltas, the newest of each case."""
    if len(group) == 1:
        return group[0].to_table(
            filter=expr, columns=COMPANION_SCHEMA.names, schema=schema, use_threads=use_threads
        )
    tables = [
        f.to_table(columns=schema.names, schema=schema, use_threads=use_threads) for f in group
    ]
    merged = merge_rows(tables)  # merged first: a filter sees each case's newest row only
    if expr is not None:
        merged = merged.filter(expr)
    return merged.select(COMPANION_SCHEMA.names)


def sweep_milestones(
    source: str | os.PathLike[str] | Any,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    *,
    campaign: Campaign | None = None,
    org: Organization | None = None,
    journal: str | os.PathLike[str] | CaseSource | None = None,
) -> Sweep:
    """The clocks (and, with ``campaign`` and ``org``, its counts) from the companion alone.

    ``source``: a journal's folder or file (its companion is read) or a
    companion table (:func:`read_milestones`). Equal to :func:`journal_clocks`
    on the journal for a day on or after every case's last event; a case with
    an event after ``as_of`` is refused (sweep the journal for a past day). The
    rare case the engine needs as a value (a hearing before 1992, a clock the
    calendar cannot count, a responsible unit or official the organisation
    lacks) is read from the journal (``source``'s, or ``journal``), or from
    ``journal`` a :class:`CaseSource` (a store's view, whose ``cases`` gives
    the cases it sees in full: :func:`sweep_store`); a source is asked for
    no case first, so one that refuses (a plain store not told ``unscoped``)
    refuses before the sweep. The
    engine runs on :data:`SLICE` cases at a time: the clocks table is the
    one a single run gives, chunked.
    """
    day = as_of_day(as_of, rulebook)
    where = journal if journal is not None else source
    if journal is not None and not isinstance(journal, str | os.PathLike):
        case_source(journal, "sweep_milestones").cases([])
    table = source if isinstance(source, pa.Table) else read_milestones(source)
    campaign = scoped_campaign(campaign, journal, table.schema.metadata, "sweep_milestones")
    table = table.select(COMPANION_SCHEMA.names)
    last = pc.max(table.column("last_event")).as_py()
    if last is not None and last > day:
        later = pc.sum(pc.greater(table.column("last_event"), pa.scalar(day))).as_py()
        raise InvalidDataError(
            [("as_of", f"{later} cases have events after {day}: sweep the journal instead")],
            source="sweep_milestones",
        )
    if (campaign is None) != (org is None):
        raise InvalidDataError(
            [("campaign", "a sweep with a campaign needs its org")], source="sweep_milestones"
        )
    ids, owners = table.column("case_id"), table.column("plan_owner")
    memo: dict[int, Case] = {}

    def cases_of(ks: Sequence[int]) -> list[Case]:
        todo = [k for k in dict.fromkeys(ks) if k not in memo]
        if todo:
            if where is None or isinstance(where, pa.Table):
                cid = str(ids[todo[0]].as_py())[:40]
                why = f"case {cid} is needed as a value: name the journal (its path, or a store)"
                raise InvalidDataError([("journal", why)], source="sweep_milestones")
            wanted = ids.take(pa.array(todo, pa.int64())).to_pylist()
            if isinstance(where, str | os.PathLike):
                found = _journal_of(where, wanted)
                named = found.milestones.column("case_id").to_pylist()
                by_id = dict(zip(named, found.cases(), strict=True))
            else:
                by_id = cases_from(where, wanted, "sweep_milestones")
            memo.update((k, by_id[cid]) for k, cid in zip(todo, wanted, strict=True))
        return [memo[k] for k in ks]

    count = None if campaign is None or org is None else Campaigned(campaign, org)
    officials = _unknown_officials(table, org) if org is not None else None

    def run_slice(lo: int) -> tuple[Any, Any]:
        """The engine on the cases from ``lo`` (rows ``k`` of the slice: ``lo + k`` of all)."""
        rows = table.slice(lo, SLICE)
        return run(
            rows.select(MILESTONES_SCHEMA.names),
            day=day,
            case_of=lambda k: cases_of([lo + k])[0],
            cases_of=lambda ks: cases_of([lo + k for k in ks]),
            spans=lambda: _spans(rows),
            rulebook=rulebook,
            calendar=calendar,
            count=count,
            officials=None if officials is None else officials[lo : lo + rows.num_rows],
            owner=lambda k: owners[lo + k].as_py() or "",
        )

    found = [run_slice(lo) for lo in range(0, max(table.num_rows, 1), SLICE)]  # see SLICE
    counts = None if count is None else sum(c for _, c in found)
    return Sweep(
        clocks=_by_limit([t for t, _ in found]),
        cases=table.num_rows,
        not_yet_registered=0,
        counts=counts,
    )


#: Cases a companion sweep runs the engine on at once: the clocks of 2**18 cases (a
#: million rows) keep the engine's arrays small enough to stay in the processor's caches
#: and to be reused from one slice to the next, so a sweep's cost per case stays flat
#: from a million cases to ten (one run over ten million took twice as long a case).
SLICE: Final = 1 << 18


def _by_limit(tables: list[Any]) -> Any:
    """The clocks tables of consecutive slices of cases as one run over all gives them.

    Each slice's rows are grouped by limit (its ``limit`` index: the limit's
    position); the result takes, limit by limit, each slice's rows of it,
    without a copy (a chunked table), under the longest ``limit`` dictionary
    (each is a prefix of it: the rulebook's limits, then the plan's steps).
    """
    tables = [t for t in tables if t.num_rows] or tables[:1]
    if len(tables) == 1:
        return tables[0]
    limits = [t.column("limit").combine_chunks() for t in tables]
    keys = max((a.dictionary for a in limits), key=len)
    at = tables[0].schema.get_field_index("limit")
    bounds = [  # each table's rows of each limit, from where to where (rows sorted by limit)
        np.concatenate(([0], np.cumsum(np.bincount(a.indices.to_numpy(), minlength=len(keys)))))
        for a in limits
    ]
    tables = [
        t
        if a.dictionary.equals(keys)
        else t.set_column(
            at, t.schema.field(at), pa.DictionaryArray.from_arrays(a.indices, keys, safe=False)
        )
        for t, a in zip(tables, limits, strict=True)
    ]
    pieces = []
    for position in range(len(keys)):
        for t, rows in zip(tables, bounds, strict=True):
            lo, hi = int(rows[position]), int(rows[position + 1])
            if hi > lo:
                pieces.append(t.slice(lo, hi - lo))
    return pa.concat_tables(pieces)


def _spans(table: Any) -> HearingSpans:
    """The hearing spans of a companion table, as the engine reads them from events."""
    start = table.column("hearing_start").combine_chunks()
    end = table.column("hearing_end").combine_chunks()
    lengths = pc.list_value_length(start).fill_null(0).to_numpy(zero_copy_only=False)
    case = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    days = start.flatten().cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)
    ended = end.flatten().cast(pa.int32())
    ends = ended.fill_null(-_EPOCH).to_numpy(zero_copy_only=False).astype(np.int64) + _EPOCH
    exact = pc.fill_null(table.column("hearing_exact"), True).to_numpy(zero_copy_only=False)
    return HearingSpans(case, days + _EPOCH, ends, ~exact.astype(bool))


def _unknown_officials(table: Any, org: Organization) -> npt.NDArray[np.bool_]:
    """Per case, whether its role assignments name an official ``org`` does not know."""
    lists = table.column("officials").combine_chunks()
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False)
    case = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    held = pc.dictionary_encode(lists.flatten())
    known = [bool(o) and org.has_official(o) for o in held.dictionary.to_pylist()]
    lookup = np.append(np.array(known, dtype=bool), True)
    codes = pc.fill_null(held.indices.cast(pa.int32()), len(known))
    unknown = ~lookup[codes.to_numpy(zero_copy_only=False)]
    bad = np.zeros(len(lengths), dtype=bool)
    bad[case[unknown]] = True
    return bad


def _journal_of(where: str | os.PathLike[str], ids: Sequence[str]) -> Journal:
    """The cases ``ids`` of the journal at ``where``, read whole and folded.

    In a partitioned journal only the partitions holding them are read whole
    (each live file's ``case_id`` column tells which): a sweep's few cases
    read as values cost one column of every file and the rest of a few.
    """
    wanted = pa.array(sorted(set(ids)), pa.string())
    chosen = pc.field("case_id").isin(wanted)
    path = Path(where)
    if not path.is_dir():
        return journal_from_table(read_parquet(where, filters=chosen))

    def read(number: int | None) -> Any:
        parts = [JOURNAL_SCHEMA.empty_table()]
        parts.extend(
            merge_events([read_parquet(f, filters=chosen) for f in group])
            for group in partition_files(path, number or 0)
            if any(_holds(f, wanted) for f in group)
        )
        return pa.concat_tables(parts)

    return journal_from_table(read_committed(path, read))


def _holds(path: Path, wanted: Any) -> bool:
    """Whether the journal file at ``path`` holds an event of a case ``wanted`` names."""
    try:
        held = pq.read_table(str(path), columns=["case_id"], use_threads=False).column("case_id")
    except (OSError, pa.ArrowException) as exc:
        raise InvalidDataError(
            [("$", f"cannot read the Parquet journal: {exc}"[:300])], source=str(path)
        ) from None
    return bool(pc.any(pc.is_in(held, value_set=wanted)).as_py())


def check_milestones(
    where: str | os.PathLike[str], *, sample: int | None = 1000, seed: int = 0
) -> list[str]:
    """Refold ``sample`` cases of the journal at ``where`` (``None``: all) and compare.

    Returns the ids of the cases whose companion row differs from their
    fold, or that one of the two lacks (empty: the companion holds).
    """
    stored = read_milestones(where).select(COMPANION_SCHEMA.names)
    ids = stored.column("case_id").to_pylist()
    chosen = (
        ids if sample is None or sample >= len(ids) else random.Random(seed).sample(ids, sample)  # noqa: S311 - a sample
    )
    if sample is None:
        folded = companion_table(journal_from_table(read_parquet(where)))
    else:
        folded = companion_table(_journal_of(where, chosen)) if chosen else stored.slice(0, 0)
    want = {r["case_id"]: r for r in folded.to_pylist()}
    have = stored.filter(pc.is_in(stored.column("case_id"), pa.array(chosen, pa.string())))
    got = {r["case_id"]: r for r in have.to_pylist()}
    return sorted(cid for cid in set(want) | set(got) if want.get(cid) != got.get(cid))
