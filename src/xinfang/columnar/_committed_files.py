"""What another engine reads of a journal updated in place: its committed files, numbered.

The library's readers merge a partition's base file and committed deltas
(:mod:`~xinfang.columnar._deltas`). An engine that reads Parquet files itself
(Spark, DuckDB, Polars, a Dask task) cannot tell a committed delta from the
leftover of an update that stopped, nor an old companion row from its
replacement: :func:`committed_files` names the files the library's readers
read, each with its number, so the engine reads those and keeps, per case,
the companion row of the file with the largest number.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.dataset as pads

from xinfang.columnar._companion import companion_path
from xinfang.columnar._deltas import live_groups, numbered, read_committed
from xinfang.columnar._parquet import PARTITIONING
from xinfang.errors import InvalidDataError

__all__ = ["committed_files"]


def committed_files(
    where: str | os.PathLike[str], *, of: Literal["milestones", "journal"]
) -> list[tuple[str, int]]:
    """The files the library's readers read of the journal at ``where``, each with its number.

    ``of="milestones"``: the files of its companion (what a nightly sweep
    reads); ``of="journal"``: of its events. Each is ``(path, number)``, the
    number the one in the file's name (``base-0000000k.parquet``: ``k``,
    ``delta-0000000n.parquet``: ``n``; ``part-0.parquet`` and a base file of
    another name: 0),
    partition by partition in path order, each partition's base file first,
    then its committed deltas in order. The leftovers of an update or
    compaction that did not commit, and the files a compaction superseded,
    are not listed; nor are names pyarrow's discovery skips (``_``, ``.``).

    Read as listed, the files give what :func:`read_milestones
    <xinfang.columnar.read_milestones>` and :func:`read_journal
    <xinfang.columnar.read_journal>` give, once merged: a case's companion
    row is the one in its file with the **largest number** (a case is in one
    partition; a file holds a case once), and a case's events are the union
    of its rows (sort by ``case_id``, ``seq``). In a partition without
    deltas every case is in its one base file.

    The list is of one commit: the number in ``_committed`` is read before
    and after the folders are listed, and they are listed again if a commit
    came between (the library readers' rule). A compaction run while the
    engine reads deletes the files it replaced: compact between reads, not
    during one. A journal in one file lists that file (or its companion's),
    numbered 0. A path with no journal (or companion) is an
    :class:`~xinfang.errors.InvalidDataError`.
    """
    if of not in ("milestones", "journal"):
        raise InvalidDataError(
            [("of", f"must be 'milestones' or 'journal', not {str(of)[:40]!r}")],
            source="committed_files",
        )
    root = Path(where)
    target = companion_path(root) if of == "milestones" else root
    if not target.exists():
        what = "milestones companion" if of == "milestones" else "journal"
        raise InvalidDataError([("$", f"no {what} at this path")], source=str(target)[:300])
    if not target.is_dir():
        return [(os.fspath(target), 0)]

    def listed(number: int | None) -> list[tuple[str, int]]:
        try:
            paths = pads.dataset(str(target), format="parquet", partitioning=PARTITIONING).files
        except (OSError, pa.ArrowException) as exc:
            raise InvalidDataError(
                [("$", f"cannot list the files: {exc}"[:300])], source=str(target)[:300]
            ) from None
        groups = live_groups(paths, str, number)
        return [(path, numbered(os.path.basename(path))[1]) for group in groups for path in group]

    return read_committed(root, listed)
