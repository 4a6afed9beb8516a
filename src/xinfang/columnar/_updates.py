"""A journal and its companion updated in place: delta files, and their compaction.

:func:`update_milestones` appends new events to a partitioned journal
without rewriting a partition: the touched cases' stored events are read
(only the rows of those cases, only the columns the fold reads), joined with
their new events and folded; then, in each partition they fall in, the new
events go to a journal delta file and the touched cases' new companion rows
to a companion delta file, and one rename commits both
(:mod:`~xinfang.columnar._deltas`). Readers see base and deltas merged.
:func:`compact_milestones` rewrites each partition's base and deltas as one
base file, committed the same way. A journal in one file (no partitions)
has no deltas: an update rewrites it and its companion whole.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from xinfang.columnar._api import Journal, journal_from_table, settle
from xinfang.columnar._companion import (
    companion_path,
    companion_settings,
    companion_table,
    write_companion,
    write_companion_file,
)
from xinfang.columnar._datasets import SWEEP_COLUMNS
from xinfang.columnar._deltas import (
    base_name,
    commit,
    committed,
    delta_name,
    merge_events,
    merge_rows,
    not_live,
    partition_files,
)
from xinfang.columnar._masking import mask_personal_data
from xinfang.columnar._parquet import (
    case_partitions,
    partition_folder,
    read_parquet,
    write_file,
    write_parquet,
)
from xinfang.columnar._schema import JOURNAL_SCHEMA
from xinfang.errors import InvalidDataError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["compact_milestones", "update_milestones"]

_CASES_PER_ROW_GROUP = 100_000  # as write_journal writes
_BY_CASE = [("case_id", "ascending"), ("seq", "ascending")]


def update_milestones(where: str | os.PathLike[str], new_events: Any) -> int:
    """Append ``new_events`` to the journal at ``where`` and refold only the cases they touch.

    ``new_events``: journal rows (:data:`JOURNAL_SCHEMA`, or a :class:`Journal`)
    continuing stored cases (their next ``seq``) or registering new ones.
    The touched cases' stored events are read (their rows only), joined with
    their new events and folded (the column checks, the value path for what
    they cannot certify: a bad event refuses the whole update, nothing
    written). In a partitioned journal, each partition they fall in gets a
    delta file of its new events and one of its touched cases' new companion
    rows, committed together by one atomic rename: a reader sees the update
    whole or not at all, and a writer stopped half-way leaves files no reader
    reads (the next update or compaction deletes them). A journal in one file
    is rewritten whole, companion too. Returns how many cases were refolded.
    """
    new = new_events.events if isinstance(new_events, Journal) else new_events
    if isinstance(new, pa.RecordBatch):
        new = pa.Table.from_batches([new])
    new = new.select(JOURNAL_SCHEMA.names).combine_chunks().cast(JOURNAL_SCHEMA)
    folder = companion_path(where)
    by, reveal = companion_settings(folder)
    if not reveal:
        new = mask_personal_data(new)
    if not new.num_rows:
        return 0
    new = new.take(pc.sort_indices(new, _BY_CASE)).replace_schema_metadata(JOURNAL_SCHEMA.metadata)
    if not by:
        return _rewrite_file(where, new, folder, reveal=reveal)
    return _add_deltas(Path(where), new, folder, by, reveal=reveal)


def _rewrite_file(where: str | os.PathLike[str], new: Any, folder: Path, *, reveal: bool) -> int:
    """A journal in one file: the touched cases refolded, file and companion rewritten."""
    stored = read_parquet(where) if Path(where).exists() else JOURNAL_SCHEMA.empty_table()
    ids = pc.unique(new.column("case_id"))
    hit = pc.is_in(stored.column("case_id"), value_set=ids)
    touched = _joined(stored.filter(hit), new)  # validated whole before any write
    rest = stored.filter(pc.invert(hit))
    whole = journal_from_table(pa.concat_tables([rest, touched.events]))
    # Both written beside, then renamed: a writer stopped before leaves both as they were.
    # The companion first: stopped between the two renames, the journal is one update
    # behind its companion (check_milestones says so), and the same update run again
    # completes it; the other way round, the journal would hold the events and a retry
    # would be refused as a repeat.
    path = Path(where)
    events, rows = path.with_name(f".{path.name}.new"), folder.with_name(f".{folder.name}.new")
    write_parquet(whole.events, events, reveal_personal_data=True)
    write_companion(companion_table(whole), whole.events, rows, (), reveal=reveal)
    try:
        os.replace(rows, folder)
        os.replace(events, path)
    except OSError as exc:
        raise InvalidDataError(
            [("$", f"cannot replace the journal: {exc}"[:300])], source=str(path)
        ) from None
    return len(touched)


def _joined(old: Any, new: Any) -> Journal:
    """Stored and new events of the touched cases, each case's in ``seq`` order, folded whole."""
    both = pa.concat_tables([old, new])
    return journal_from_table(both.take(pc.sort_indices(both, _BY_CASE)))


def _add_deltas(root: Path, new: Any, folder: Path, by: Sequence[str], *, reveal: bool) -> int:
    """A partitioned journal: the touched cases refolded, their deltas written and committed."""
    number = committed(root)
    _drop_uncommitted(root, folder, number)
    ids = pc.unique(new.column("case_id"))
    homes = _homes(folder, number, ids)
    lean = pa.schema([JOURNAL_SCHEMA.field(n) for n in SWEEP_COLUMNS], JOURNAL_SCHEMA.metadata)
    old = _stored_rows(root, number, homes, ids, lean)
    both = pa.concat_tables([old, new.select(list(SWEEP_COLUMNS)).cast(lean)])

    def whole(wanted: Sequence[str]) -> Any:
        chosen = pa.array(sorted(set(wanted)), pa.string())
        stored = _stored_rows(root, number, homes, chosen, JOURNAL_SCHEMA)
        rows = pa.concat_tables([stored, new.filter(pc.is_in(new.column("case_id"), chosen))])
        return rows.take(pc.sort_indices(rows, _BY_CASE))

    touched = settle(both.take(pc.sort_indices(both, _BY_CASE)), whole=whole)  # before any write
    rows = companion_table(touched)
    cases = touched.milestones.column("case_id")
    name = delta_name(number + 1)
    for key, ks in case_partitions(touched.events, by).items():
        mine = cases.take(pa.array(ks, pa.int64()))
        part = new.filter(pc.is_in(new.column("case_id"), value_set=mine))
        target = partition_folder(root, by, key) / name
        write_file(part, target, _CASES_PER_ROW_GROUP, folder=True)
    write_companion(rows, touched.events, folder, by, reveal=reveal, name=name)
    commit(root, number + 1, (root, folder))
    return len(touched)


def _drop_uncommitted(root: Path, folder: Path, number: int) -> None:
    """Delete what a writer that did not commit left (files numbered above ``number``)."""
    for stale in [
        *not_live(root, number, above_only=True),
        *not_live(folder, number, above_only=True),
    ]:
        stale.unlink(missing_ok=True)


def _homes(folder: Path, number: int, ids: Any) -> list[Path]:
    """The partition folders (relative) of the companion at ``folder`` holding a case of ``ids``."""
    return [
        group[0].parent.relative_to(folder)
        for group in partition_files(folder, number)
        if any(_holds(f, ids) for f in group)
    ]


def _holds(path: Path, ids: Any) -> bool:
    """Whether the file at ``path`` has a row of a case ``ids`` names."""
    try:
        held = pq.ParquetFile(path).read(columns=["case_id"], use_threads=False).column("case_id")
    except (OSError, pa.ArrowException) as exc:
        raise InvalidDataError(
            [("$", f"cannot read the milestones companion: {exc}"[:300])], source=str(path)
        ) from None
    return bool(pc.any(pc.is_in(held, value_set=ids)).as_py())


def _stored_rows(root: Path, number: int, homes: Sequence[Path], ids: Any, schema: Any) -> Any:
    """The stored events of the cases ``ids`` in the partitions ``homes``, columns of ``schema``.

    Each live file's ``case_id`` column is read first; then only the row
    groups holding those cases, only ``schema``'s columns, and only their rows.
    """
    parts = [schema.empty_table()]
    for home in homes:
        for group in partition_files(root / home, number):
            tables = [_rows_of_cases(f, ids, schema) for f in group]
            parts.append(merge_events(tables))
    return pa.concat_tables(parts)


def _rows_of_cases(path: Path, ids: Any, schema: Any) -> Any:
    """The rows of ``path`` whose case ``ids`` names, ``schema``'s columns, in file order."""
    try:
        file = pq.ParquetFile(path)
        held = file.read(columns=["case_id"], use_threads=False).column("case_id")
        rows = np.flatnonzero(pc.is_in(held, value_set=ids).to_numpy(zero_copy_only=False))
        if not len(rows):
            return schema.empty_table()
        sizes = np.array(
            [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)], np.int64
        )
        starts = np.concatenate(([0], np.cumsum(sizes)))
        group_of = np.searchsorted(starts, rows, side="right") - 1
        chosen = np.unique(group_of)
        read_starts = np.concatenate(([0], np.cumsum(sizes[chosen])))  # where each begins, read
        local = rows - starts[group_of] + read_starts[np.searchsorted(chosen, group_of)]
        others = [n for n in schema.names if n != "case_id"]  # case_id is read already
        table = _row_groups(path, others, chosen.tolist())
    except (OSError, pa.ArrowException) as exc:
        raise InvalidDataError(
            [("$", f"cannot read the Parquet journal: {exc}"[:300])], source=str(path)
        ) from None
    table = table.take(pa.array(local, pa.int64()))
    table = table.add_column(0, "case_id", held.take(pa.array(rows, pa.int64())))
    return table.select(schema.names).replace_schema_metadata(schema.metadata).cast(schema)


def _row_groups(path: Path, columns: Sequence[str], row_groups: Sequence[int] | None) -> Any:
    """Row groups (``None``: all) of the Parquet file at ``path``, through the dataset scanner.

    ``ParquetFile.read`` and its batches refuse a row group whose nested
    columns' dictionaries change mid-chunk (a ``petitioners`` column of 745,000
    events: "Nested data conversions not implemented for chunked array
    outputs"); the scanner the readers use reads it.
    """
    fragment = next(iter(pads.dataset(str(path), format="parquet").get_fragments()))
    if row_groups is not None:
        fragment = fragment.subset(row_group_ids=list(row_groups))
    table = fragment.to_table(columns=list(columns), use_threads=False)
    return table.replace_schema_metadata(pq.read_schema(path).metadata)


def compact_milestones(where: str | os.PathLike[str], *, journal: bool = True) -> int:
    """Rewrite each partition holding deltas (journal and companion) as one base file.

    ``journal=False``: the companion's alone (what a nightly sweep reads; the
    journal's deltas stay, read merged). All or nothing: the new base files
    are written beside the old ones and committed by one atomic rename (a
    writer stopped before it leaves the old files read, and the next writer
    deletes the new ones); the files they replace are deleted after. Returns
    how many partition folders were rewritten (0: no deltas, or a journal in
    one file).
    """
    root = Path(where)
    if not root.is_dir():
        return 0
    folder = companion_path(root)
    number = committed(root)
    _drop_uncommitted(root, folder, number)
    events = [g for g in partition_files(root, number) if len(g) > 1] if journal else []
    rows = [g for g in partition_files(folder, number) if len(g) > 1]
    if events or rows:
        name = base_name(number + 1)
        for group in events:
            tables = [_read(f) for f in group]
            merged = merge_events(tables).replace_schema_metadata(tables[0].schema.metadata)
            write_file(merged, group[0].parent / name, _CASES_PER_ROW_GROUP)
        for group in rows:
            tables = [_read(f) for f in group]
            merged = merge_rows(tables).replace_schema_metadata(tables[0].schema.metadata)
            write_companion_file(merged, group[0].parent / name)
        commit(root, number + 1, (root, folder))
        number += 1
    for stale in [*not_live(root, number), *not_live(folder, number)]:
        stale.unlink(missing_ok=True)  # what the commit superseded
    return len(events) + len(rows)


def _read(path: Path) -> Any:
    """One file of a dataset, whole (its partition columns are in its folder's name)."""
    try:
        return _row_groups(path, pq.read_schema(path).names, None)
    except (OSError, pa.ArrowException) as exc:
        raise InvalidDataError(
            [("$", f"cannot read for compaction: {exc}"[:300])], source=str(path)
        ) from None
