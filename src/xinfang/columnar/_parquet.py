"""The journal in Parquet: a file or a hive dataset partitioned by year and unit."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from xinfang.columnar._cases import case_offsets
from xinfang.columnar._deltas import (
    COMMIT_FILE,
    base_name,
    live_groups,
    merge_events,
    not_live,
    read_committed,
)
from xinfang.columnar._masking import mask_personal_data
from xinfang.columnar._schema import JOURNAL_SCHEMA, JOURNAL_VERSION
from xinfang.errors import InvalidDataError

if TYPE_CHECKING:  # pragma: no cover
    import os
    from collections.abc import Sequence

    from xinfang.columnar._column_checks import Ints

__all__ = [
    "META_KEY",
    "PARTITIONING",
    "case_partitions",
    "partition_folder",
    "read_parquet",
    "write_file",
    "write_parquet",
]

#: The Parquet schema metadata key naming an xinfang journal (value: its version).
META_KEY: Final = b"xinfang.journal"
_PARTITIONS: Final = ("year", "unit")


def _partition_columns(journal: pa.Table, by: Sequence[str]) -> pa.Table:
    offsets = case_offsets(journal)
    lengths = np.diff(offsets)
    firsts = pa.array(offsets[:-1])
    out = journal
    if "year" in by:
        at = journal.column("received_at").take(firsts)
        at = pc.coalesce(at, journal.column("at").take(firsts))
        year = pc.year(at)  # local year: the timestamps carry Asia/Shanghai
        out = out.append_column("year", pc.cast(year, pa.int32()).take(_repeat(lengths)))
    if "unit" in by:
        unit = pc.fill_null(journal.column("receiving_unit").take(firsts), "")
        out = out.append_column("unit", unit.take(_repeat(lengths)))
    return out


def _repeat(lengths: Ints) -> pa.Array:
    return pa.array(np.repeat(np.arange(len(lengths), dtype=np.int64), lengths))


def write_parquet(
    journal: pa.Table,
    where: str | os.PathLike[str],
    *,
    partition_by: Sequence[str] = (),
    reveal_personal_data: bool = False,
    cases_per_row_group: int = 100_000,
    number: int = 0,
) -> None:
    """Write the journal to a Parquet file (or, with ``partition_by``, a hive dataset).

    ``number`` above 0: a dataset with commits written whole as base files of
    that number, not yet committed (:func:`~xinfang.columnar.write_journal`
    commits them, then removes what they replace); 0: written in place.

    Personal data is masked unless ``reveal_personal_data``. A case is never
    split across files or row groups. ``partition_by``: ``("year",)`` (local
    year of receipt), ``("unit",)`` (receiving unit), both, or ``()``.
    """
    unknown = [p for p in partition_by if p not in _PARTITIONS]
    if unknown:
        raise InvalidDataError([("partition_by", f"unknown {unknown}; one of {_PARTITIONS}")])
    table = journal if reveal_personal_data else mask_personal_data(journal)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), META_KEY: str(JOURNAL_VERSION).encode()}
    )
    if not partition_by:
        write_file(table, Path(where), cases_per_row_group)
        return
    offsets = case_offsets(table)
    root = Path(where)
    if not number:
        _forget_deltas(root)
    for key, ks in case_partitions(table, partition_by).items():
        case_ks = np.array(ks, np.int64)
        starts, ends = offsets[case_ks], offsets[case_ks + 1]
        rows = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
        part = table.take(pa.array(rows))
        folder = partition_folder(root, partition_by, key)
        write_file(part, folder / base_name(number), cases_per_row_group, folder=True)
    if number:
        return
    for stale in not_live(root, 0):  # deltas and compacted bases of the journal replaced
        stale.unlink(missing_ok=True)


def _forget_deltas(root: Path) -> None:
    """Before a dataset is written whole: its commit record goes, so its deltas are not read."""
    try:
        (root / COMMIT_FILE).unlink(missing_ok=True)
    except OSError as exc:
        raise InvalidDataError(
            [("$", f"cannot write the Parquet journal: {exc}"[:300])], source=str(root)
        ) from None


def case_partitions(journal: pa.Table, by: Sequence[str]) -> dict[tuple[Any, ...], list[int]]:
    """The cases (positions) of each partition key of ``journal`` (``by`` as written)."""
    extra = _partition_columns(journal, by)
    keys = extra.select(list(by)).take(pa.array(case_offsets(journal)[:-1])).to_pylist()
    groups: dict[tuple[Any, ...], list[int]] = {}
    for k, key in enumerate(keys):
        groups.setdefault(tuple(key[p] for p in by), []).append(k)
    return groups


def partition_folder(root: Path, by: Sequence[str], key: tuple[Any, ...]) -> Path:
    """The hive folder of partition ``key`` under ``root``."""
    return root.joinpath(*(f"{p}={_hive(v)}" for p, v in zip(by, key, strict=True)))


#: The partition columns' types, given to pyarrow wherever a dataset is opened: inferred,
#: unit ids that look like numbers would be read as int32 (``007`` and ``7`` one partition).
#: Its ``null_fallback`` is the empty string, which no unit can be (a unit is never empty):
#: with hive's default, a unit named ``__HIVE_DEFAULT_PARTITION__`` read back as null, and
#: a filter on it found none of its rows (pyarrow compares the decoded segment with it).
PARTITIONING: Final = ds.HivePartitioning(
    pa.schema([("year", pa.int32()), ("unit", pa.string())]), null_fallback=""
)


def _hive(value: Any) -> str:
    r"""A partition value as a hive path segment's value.

    pyarrow URL-decodes the segments it reads, so only what a path or that
    decoding needs is escaped: ``%``, ``/``, ``=``, ``\`` and control
    characters. Chinese unit names stay as they are: percent-encoded, a
    character takes 9 bytes, and a name of 29 outgrows a file name's 255.
    """
    return "".join(
        "".join(f"%{b:02X}" for b in c.encode()) if c in _HIVE_ESCAPE or _is_control(c) else c
        for c in str(value)
    )


_HIVE_ESCAPE: Final = frozenset("%/=\\")


def _is_control(c: str) -> bool:
    return ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F  # category Cc


def write_file(
    table: pa.Table, path: Path, cases_per_row_group: int, *, folder: bool = False
) -> None:
    """Write ``table`` to ``path`` (``folder``: make its folder); a refusal: InvalidDataError."""
    try:
        if folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        _write_row_groups(table, path, cases_per_row_group)
    except OSError as exc:
        raise InvalidDataError(
            [("$", f"cannot write the Parquet journal: {exc}"[:300])], source=str(path)
        ) from None


def _write_row_groups(table: pa.Table, path: Path, cases_per_row_group: int) -> None:
    offsets = case_offsets(table)
    cuts = offsets[:: max(cases_per_row_group, 1)]
    if cuts[-1] != offsets[-1]:
        cuts = np.concatenate((cuts, offsets[-1:]))
    with pq.ParquetWriter(str(path), table.schema) as writer:
        if table.num_rows == 0:
            writer.write_table(table)
        for lo, hi in itertools.pairwise(cuts):
            chunk = table.slice(int(lo), int(hi - lo))
            writer.write_table(chunk, row_group_size=max(int(hi - lo), 1))


def read_parquet(
    where: str | os.PathLike[str], *, filters: Any = None, columns: Sequence[str] | None = None
) -> pa.Table:
    """A journal written by :func:`write_parquet` (a file or a partitioned dataset).

    ``filters`` (pyarrow expressions or DNF tuples) should select whole cases:
    partition columns (``year``, ``unit``) or case-level ones. Partition
    columns are dropped; ``columns`` selects journal columns (default: all).
    A dataset's committed deltas are read with their partitions' base files
    (:mod:`~xinfang.columnar._deltas`).
    """
    path = Path(where)
    expr = pq.filters_to_expression(filters) if isinstance(filters, list) else filters

    def read(number: int | None) -> tuple[pa.Table, Any]:
        try:
            dataset = ds.dataset(
                str(path), format="parquet", partitioning=PARTITIONING if path.is_dir() else None
            )
            names = [n for n in dataset.schema.names if n not in _PARTITIONS]
            groups = live_groups(dataset.get_fragments(filter=expr), lambda f: f.path, number)
            parts = [
                merge_events(
                    [f.to_table(filter=expr, columns=names, schema=dataset.schema) for f in group]
                )
                for group in groups
            ]
            empty = dataset.schema.empty_table().select(names)
            return (pa.concat_tables(parts) if parts else empty), dataset.schema.metadata or {}
        except (OSError, pa.ArrowException) as exc:
            raise InvalidDataError(
                [("$", f"cannot read the Parquet journal: {exc}"[:300])]
            ) from None

    table, meta = read_committed(path if path.is_dir() else None, read)
    if META_KEY not in meta:
        raise InvalidDataError([("$", f"{where}: not an xinfang journal (no {META_KEY!r})")])
    table = table.replace_schema_metadata(JOURNAL_SCHEMA.metadata).cast(JOURNAL_SCHEMA)
    if columns is not None:
        table = table.select(list(columns))
    return table
