"""The nightly sweep on Dask: the milestones companion, one task per partition, counts reduced.

Run it with ``python examples/nightly_sweep_dask.py [SCHEDULER_ADDRESS]``
(needs ``pip install 'xinfang[dask]'``). It writes the demo corps' journal as
a Parquet dataset partitioned by year of receipt (personal data masked), with
its milestones companion beside it (:func:`write_journal` writes both),
without the day's new events; those come as an update
(:func:`update_milestones`: delta files beside each touched partition's base,
not compacted). Then, on a local cluster of 2 worker processes (or the Dask scheduler whose address
is given, which must see the same files) runs one task per partition:

* read the partition's companion rows, one row per case, on the task's own
  thread (:func:`read_milestones` with the partition as a filter and
  ``use_threads=False``: its base file and committed deltas, each case's
  newest row): no event is read and no case is folded again;
* run the clock engine once on them (:func:`sweep_day`: :func:`sweep_milestones` with the
  campaign): its clocks and its campaign :class:`~xinfang.campaign.SnapshotCounts`.
  The rare case the engine needs as a value is read from the partition's own
  events folder (``journal=``);
* write the clocks to a Parquet file of their own and return only small
  values: the clocks' count by status and the campaign counts.

The tasks are submitted largest partition first, a partition's size the sum
of its committed files' (:func:`committed_files`: not the leftovers of an
update that did not commit). The client adds the counts up (``+``) and
finishes the snapshot; then it checks that the clocks written and the counts
equal one process folding every event of the demo's cases again
(:func:`journal_clocks` on :func:`journal_from_cases`, no file read).

The local cluster is started without ``MALLOC_TRIM_THRESHOLD_`` in its
workers' environment. Dask's nannies set it (65536) by default so that freed
memory goes back to the OS at once; glibc then stops adapting its mmap
threshold, and every numpy array of 128 KiB or more becomes a fresh mapping
that is page-faulted in and unmapped again. A sweep of tens of thousands of
cases allocates many such arrays: measured on 2 cores, that setting made
every task cost 35-50% more CPU (``bench/columnar_bench.py``;
``docs/scale.md``). On a cluster of your own, set the same in the Dask
configuration the workers start with (``distributed.nanny.pre-spawn-environ``
with ``MALLOC_TRIM_THRESHOLD_: null``).
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import dask
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from distributed import Client, LocalCluster

import xinfang as x
from xinfang.columnar import (
    committed_files,
    journal_clocks,
    journal_from_cases,
    journal_from_table,
    journal_snapshot_counts,
    read_milestones,
    sweep_day,
    update_milestones,
    write_journal,
)
from xinfang.demo import demo_world

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

SORT = [("case_id", "ascending"), ("limit", "ascending")]


def sweep_partition(
    root: str,
    year: int,
    out: str,
    *,
    campaign: x.Campaign,
    org: x.Organization,
    as_of: dt.date,
    calendar: x.WorkCalendar,
) -> tuple[Counter[str], x.campaign.SnapshotCounts]:
    """The per-partition task: one year's companion rows (one per case) → its clocks and counts."""
    rows = read_milestones(root, filters=[("year", "=", year)], use_threads=False)
    sweep = sweep_day(  # no fold: one run of the clock engine on the rows
        rows,
        Path(root) / f"year={year}",  # this year's events, for the rare case they are needed
        as_of,
        calendar=calendar,
        campaign=campaign,
        org=org,
    )
    clocks, counts = sweep.clocks, sweep.counts
    pq.write_table(clocks, out)  # the rows stay on the worker's side
    if counts is None:  # pragma: no cover - a sweep with a campaign counts it
        raise RuntimeError("no campaign counts")
    return by_status(clocks), counts


def plain_sorted(clocks: pa.Table) -> pa.Table:
    """Clocks with dictionary columns as strings, sorted by case and limit (to compare)."""
    schema = pa.schema(
        [f.with_type(pa.string()) if pa.types.is_dictionary(f.type) else f for f in clocks.schema]
    )
    return clocks.cast(schema).sort_by(SORT)


def by_status(clocks: pa.Table) -> Counter[str]:
    """How many clocks have each status."""
    return Counter(clocks.column("status").cast(pa.string()).to_pylist())


def todays(cases: Sequence[x.Case]) -> pa.Array:
    """Per journal row of ``cases``: whether it is one of the day's new events.

    The last event of every third case that has more than one, and every
    event of every 40th case (registered today): what the nightly update brings.
    """
    new = []
    for k, case in enumerate(cases):
        n = len(case.events)
        new += [k % 40 == 1 or (k % 3 == 0 and n > 1 and i == n - 1) for i in range(n)]
    return pa.array(new)


def main() -> None:
    """Write the demo's journal, sweep it on Dask, check it against one process, print a summary."""
    world = demo_world()
    kw = {
        "campaign": world.campaign,
        "org": world.org,
        "as_of": world.as_of,
        "calendar": world.calendar,
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "journal"
        everything = journal_from_cases(world.cases)
        new = todays(world.cases)
        before = journal_from_table(everything.events.filter(pc.invert(new)))
        write_journal(before, root, partition_by=("year",))
        touched = update_milestones(root, everything.events.filter(new))  # today's: deltas
        # The companion's partitions (journal.milestones/year=2025/...), each with its size:
        # its base file's and its committed deltas' (not the leftovers of a stopped update).
        files = committed_files(root, of="milestones")
        sizes: Counter[int] = Counter()
        for path, _ in files:
            sizes[int(Path(path).parent.name.removeprefix("year="))] += Path(path).stat().st_size
        years = sorted(sizes, key=lambda y: -sizes[y])  # largest first: the last task is small
        clocks_dir = Path(tmp) / "clocks"
        clocks_dir.mkdir()
        outs = [str(clocks_dir / f"clocks-{y}.parquet") for y in years]

        if len(sys.argv) > 1:
            client = Client(sys.argv[1])  # its workers' environment is the cluster's own
            cluster = None
        else:
            # The workers keep glibc's adaptive malloc (see the module's docstring).
            with dask.config.set(
                {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
            ):
                cluster = LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
                )
            client = Client(cluster)
        try:
            futures = client.map(
                sweep_partition,
                [str(root)] * len(years),
                years,
                outs,
                **kw,  # the same for every task
            )
            parts: list[tuple[Counter[str], x.campaign.SnapshotCounts]] = client.gather(futures)
            workers = len(client.scheduler_info()["workers"])
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

        status = sum((p[0] for p in parts), Counter[str]())
        counts = sum((p[1] for p in parts[1:]), parts[0][1])
        snapshot = x.campaign.finish_snapshot(world.campaign, counts, world.org)
        clocks = pa.concat_tables([pq.read_table(o) for o in outs])

    # The same sweep in one process, folding every event of the cases again (no file read).
    alone = journal_clocks(everything, as_of=world.as_of, calendar=world.calendar).clocks
    alone_counts = journal_snapshot_counts(
        everything, world.campaign, world.org, as_of=world.as_of, calendar=world.calendar
    )
    if not plain_sorted(clocks).equals(plain_sorted(alone)) or status != by_status(alone):
        raise SystemExit("the clocks differ from one process's")
    if counts != alone_counts:
        raise SystemExit("the campaign counts differ from one process's")

    deltas = sum(1 for p, _ in files if Path(p).name.startswith("delta-"))
    print(f"today's update: {touched} cases, {deltas} delta files beside the base files")
    print(f"{len(years)} milestones partitions (by year, one row a case), {workers} Dask workers")
    print(f"{counts.cases} cases, {clocks.num_rows} clocks")
    print("clocks by status: " + ", ".join(f"{k} {v}" for k, v in sorted(status.items())))
    o = snapshot.overall
    print(
        f"campaign {snapshot.campaign}: {o.settled} of {o.targets} targets settled "
        f"({o.progress:.0%}), {o.open} open, {o.overdue} overdue, {o.new_intake} new"
    )
    print("equal to one process: clocks and campaign counts")


if __name__ == "__main__":
    main()
