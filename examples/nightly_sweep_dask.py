"""The nightly sweep on Dask: a partitioned Parquet journal, one task per file, counts reduced.

Run it with ``python examples/nightly_sweep_dask.py [SCHEDULER_ADDRESS]``
(needs ``pip install 'xinfang[dask]'``). It writes the demo corps' journal as
a Parquet dataset partitioned by year of receipt (personal data masked), then
on a local cluster of 2 worker processes (or the Dask scheduler whose address
is given, which must see the same files) runs one task per Parquet file:

* read the file as Arrow (a file holds whole cases: :func:`write_journal`
  never splits a case across files or row groups);
* fold it once (:func:`journal_from_table`) and compute its clocks
  (:func:`journal_clocks`; :func:`sweep_table` is those two calls in one,
  for a sweep that wants clocks only) and its campaign
  :class:`~xinfang.SnapshotCounts` (:func:`journal_snapshot_counts`);
* return the clocks as an Arrow table and the counts.

The client concatenates the clocks, counts them by status, adds the
campaign counts with ``+`` and finishes the snapshot; then it checks that
everything equals one process sweeping the whole dataset.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, LocalCluster

import xinfang as x
from xinfang.columnar import (
    journal_clocks,
    journal_from_cases,
    journal_from_table,
    journal_snapshot_counts,
    read_journal,
    write_journal,
)
from xinfang.demo import demo_world

if TYPE_CHECKING:
    import datetime as dt

SORT = [("case_id", "ascending"), ("limit", "ascending")]


def sweep_file(
    path: str,
    campaign: x.Campaign,
    org: x.Organization,
    as_of: dt.date,
    calendar: x.WorkCalendar,
) -> tuple[pa.Table, x.SnapshotCounts]:
    """The per-partition task: one Parquet file of whole cases → its clocks and campaign counts."""
    table = pq.read_table(path)  # Arrow in
    journal = journal_from_table(table)  # validated and folded once
    clocks = journal_clocks(journal, as_of=as_of, calendar=calendar).clocks  # Arrow out
    counts = journal_snapshot_counts(journal, campaign, org, as_of=as_of, calendar=calendar)
    return clocks, counts


def plain_sorted(clocks: pa.Table) -> pa.Table:
    """Clocks with dictionary columns as strings, sorted by case and limit (to compare)."""
    schema = pa.schema(
        [f.with_type(pa.string()) if pa.types.is_dictionary(f.type) else f for f in clocks.schema]
    )
    return clocks.cast(schema).sort_by(SORT)


def by_status(clocks: pa.Table) -> Counter[str]:
    """How many clocks have each status."""
    return Counter(clocks.column("status").cast(pa.string()).to_pylist())


def main() -> None:
    """Write the demo's journal, sweep it on Dask, check it against one process, print a summary."""
    world = demo_world()
    args = (world.campaign, world.org, world.as_of, world.calendar)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "journal"
        write_journal(journal_from_cases(world.cases), root, partition_by=("year",))
        files = sorted(str(p) for p in root.rglob("*.parquet"))

        if len(sys.argv) > 1:
            client = Client(sys.argv[1])
            cluster = None
        else:
            cluster = LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        try:
            futures = client.map(sweep_file, files, *[[a] * len(files) for a in args])
            parts: list[tuple[pa.Table, x.SnapshotCounts]] = client.gather(futures)
            workers = len(client.scheduler_info()["workers"])
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

        clocks = pa.concat_tables([p[0] for p in parts])
        counts = sum((p[1] for p in parts[1:]), parts[0][1])
        snapshot = x.finish_snapshot(world.campaign, counts, world.org)

        # The same sweep in one process, over the whole dataset at once.
        journal = read_journal(root)
        alone = journal_clocks(journal, as_of=world.as_of, calendar=world.calendar).clocks
        alone_counts = journal_snapshot_counts(
            journal, world.campaign, world.org, as_of=world.as_of, calendar=world.calendar
        )
    if not plain_sorted(clocks).equals(plain_sorted(alone)):
        raise SystemExit("the clocks differ from one process's")
    if counts != alone_counts:
        raise SystemExit("the campaign counts differ from one process's")

    print(f"{len(files)} Parquet files (partitioned by year), {workers} Dask workers")
    print(f"{counts.cases} cases, {clocks.num_rows} clocks")
    print(
        "clocks by status: " + ", ".join(f"{k} {v}" for k, v in sorted(by_status(clocks).items()))
    )
    o = snapshot.overall
    print(
        f"campaign {snapshot.campaign}: {o.settled} of {o.targets} targets settled "
        f"({o.progress:.0%}), {o.open} open, {o.overdue} overdue, {o.new_intake} new"
    )
    print("equal to one process: clocks and campaign counts")


if __name__ == "__main__":
    main()
