"""Journals in Parquet datasets: read whole or lean (the sweep's columns), and written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from xinfang.columnar._api import Journal, journal_from_cases, settle
from xinfang.columnar._companion import companion_path, sweep_milestones, write_milestones
from xinfang.columnar._deltas import (
    commit,
    committed,
    live_groups,
    merge_events,
    not_live,
    read_committed,
)
from xinfang.columnar._parquet import META_KEY, PARTITIONING, read_parquet, write_parquet
from xinfang.columnar._schema import JOURNAL_SCHEMA
from xinfang.columnar._sources import case_source, cases_from, scoped_campaign
from xinfang.columnar._sweeps import Sweep, journal_clocks
from xinfang.errors import InvalidDataError

if TYPE_CHECKING:
    import datetime as _dt
    from collections.abc import Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign
    from xinfang.columnar._sources import CaseSource
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook

__all__ = ["SWEEP_COLUMNS", "read_journal", "sweep_day", "write_journal"]


#: The journal columns the fold reads: a lean read of a Parquet dataset loads only these.
SWEEP_COLUMNS: Final = (
    "case_id",
    "seq",
    "at",
    "kind",
    "received_at",
    "channel",
    "procedure",
    "receiving_unit",
    "receiving_unit_kind",
    "category",
    "beijing_visit",
    "skip_level",
    "identity_unclear",
    "notified_on_the_spot",
    "to_unit",
    "to_unit_kind",
    "report_back_by",
    "route",
    "route_told",
    "days",
    "outcome",
    "delivered_at",
    "rating",
    "role",
    "holder",
    "plan",
)


def read_journal(
    where: str | os.PathLike[str],
    *,
    filters: Any = None,
    lean: bool = False,
    use_threads: bool = True,
) -> Journal:
    """A Parquet file or dataset (as :func:`write_journal` writes it) as a :class:`Journal`.

    ``lean=True`` reads only :data:`SWEEP_COLUMNS` (no names, claims or
    notes: what a nightly sweep needs); a case the engine needs as a value
    is then read whole from the dataset by its id. ``use_threads=False``
    decodes the file on the calling thread instead of pyarrow's thread pool
    (one per core): what a task on a worker process of a Dask or Spark
    cluster wants, where every core already runs a task of its own. A dataset
    updated in place (:func:`~xinfang.columnar.update_milestones`) reads as
    its partitions' base files and committed deltas merged.
    """
    if not lean:
        names: Sequence[str] = [f.name for f in JOURNAL_SCHEMA]
        return settle(_read_columns(where, filters, names, use_threads, JOURNAL_SCHEMA))

    def whole(ids: Sequence[str]) -> Any:
        chosen = pc.field("case_id").isin(pa.array(sorted(set(ids)), pa.string()))
        expr = pq.filters_to_expression(filters) if isinstance(filters, list) else filters
        return read_parquet(where, filters=chosen if expr is None else expr & chosen)

    lean_schema = pa.schema([JOURNAL_SCHEMA.field(name) for name in SWEEP_COLUMNS])
    table = _read_columns(where, filters, SWEEP_COLUMNS, use_threads, lean_schema)
    return settle(table, whole=whole)


def _read_columns(
    where: str | os.PathLike[str],
    filters: Any,
    names: Sequence[str],
    use_threads: bool,
    schema: Any,
) -> Any:
    """The columns ``names`` of a journal dataset, cast to ``schema`` (the journal's types)."""
    path = os.fspath(where)
    expr = pq.filters_to_expression(filters) if isinstance(filters, list) else filters

    def read(number: int | None) -> tuple[list[Any], Any]:
        try:
            dataset = pads.dataset(
                path, format="parquet", partitioning=PARTITIONING if os.path.isdir(path) else None
            )
            groups = live_groups(dataset.get_fragments(filter=expr), lambda f: f.path, number)
            parts = [
                merge_events(
                    [
                        f.to_table(
                            filter=expr,
                            columns=list(names),
                            schema=dataset.schema,
                            use_threads=use_threads,
                        )
                        for f in group
                    ]
                )
                for group in groups
            ]
            return parts, dataset.schema.metadata or {}
        except (OSError, pa.ArrowException) as exc:
            raise InvalidDataError(
                [("$", f"cannot read the Parquet journal: {exc}"[:300])], source=path
            ) from None

    parts, meta = read_committed(path if os.path.isdir(path) else None, read)
    if META_KEY not in meta:
        raise InvalidDataError([("$", f"not an xinfang journal (no {META_KEY!r})")], source=path)
    table = pa.concat_tables(parts) if parts else schema.empty_table()
    return table.replace_schema_metadata(schema.metadata).cast(schema)


def write_journal(
    journal: Journal,
    where: str | os.PathLike[str],
    *,
    partition_by: Sequence[str] = (),
    reveal_personal_data: bool = False,
    milestones: bool = True,
) -> None:
    """Write the journal's events to Parquet (personal data masked unless asked).

    ``partition_by``: ``("year",)`` (of receipt) and/or ``("unit",)`` (the
    receiving unit) make a partitioned dataset; a case is never split
    across files or row groups. With ``milestones`` (the default), the fold
    is written beside it as the milestones companion, partitioned alike
    (:func:`~xinfang.columnar.sweep_milestones` reads it). A dataset is
    written whole: the deltas of earlier updates are dropped. A dataset that
    has commits (:func:`~xinfang.columnar.update_milestones`,
    :func:`~xinfang.columnar.compact_milestones`) is written as its next
    commit: new base files, committed, then what they replace removed, so a
    write stopped half way leaves the dataset as it was.
    """
    root = Path(where)
    before = committed(root) if partition_by and root.is_dir() else 0
    number = before + 1 if before else 0
    folders = [root, companion_path(root)]
    for folder in folders if number else ():  # what a writer that did not commit left
        for stale in not_live(folder, before, above_only=True):
            stale.unlink(missing_ok=True)
    write_parquet(
        journal.events,
        where,
        partition_by=partition_by,
        reveal_personal_data=reveal_personal_data,
        number=number,
    )
    if milestones:
        write_milestones(
            journal,
            where,
            partition_by=partition_by,
            reveal_personal_data=reveal_personal_data,
            number=number,
        )
    if number:
        commit(root, number, folders)
        for folder in folders:
            for stale in not_live(folder, number):
                stale.unlink(missing_ok=True)


def sweep_day(
    rows: Any,
    journal: str | os.PathLike[str] | CaseSource,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    *,
    campaign: Campaign | None = None,
    org: Organization | None = None,
) -> Sweep:
    """Clocks (and campaign counts) of companion ``rows`` as of a day, any day.

    A companion row is a case as its last event left it: the cases whose last
    event is on or before ``as_of`` are swept from ``rows``
    (:func:`sweep_milestones`), the others (a nightly sweep of yesterday run
    this morning) from their events in ``journal`` (:func:`journal_clocks`),
    both through the one clock engine; the clocks are put together and the
    counts added (they add up over disjoint cases). ``journal``: a Parquet
    journal's path, or a :class:`CaseSource` (a store's view:
    :func:`sweep_store`) whose cases are read whole.
    """
    campaign = scoped_campaign(campaign, journal, rows.schema.metadata, "sweep_day")
    later = pc.fill_null(pc.greater(rows.column("last_event"), pa.scalar(as_of)), False)
    now = sweep_milestones(
        rows.filter(pc.invert(later)),
        as_of,
        rulebook,
        calendar,
        campaign=campaign,
        org=org,
        journal=journal,
    )
    ids = rows.filter(later).column("case_id")
    if not len(ids):
        return now
    if isinstance(journal, str | os.PathLike):
        then = read_journal(
            journal, filters=pc.field("case_id").isin(ids), lean=True, use_threads=False
        )
    else:
        wanted = ids.to_pylist()
        found = cases_from(case_source(journal, "sweep_day"), wanted, "sweep_day")
        then = journal_from_cases([found[cid] for cid in wanted])
    past = journal_clocks(
        then,
        as_of=as_of,
        rulebook=rulebook,
        calendar=calendar,
        campaign=campaign,
        org=org,
    )
    counts = None if now.counts is None or past.counts is None else now.counts + past.counts
    return Sweep(
        clocks=pa.concat_tables([now.clocks, past.clocks]),
        cases=now.cases + past.cases,
        not_yet_registered=past.not_yet_registered,
        counts=counts,
    )
