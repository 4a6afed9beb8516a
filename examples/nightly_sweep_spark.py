"""The nightly sweep on Spark: ``mapInArrow`` runs :func:`sweep_table` on each partition.

Run it with ``python examples/nightly_sweep_spark.py`` (needs ``pip install
'xinfang[spark]'`` and a Java runtime; it starts a local ``SparkSession`` on
``local[2]``, which takes 10-20 s). It writes the demo corps' journal as a
Parquet dataset partitioned by year (personal data masked), reads it with
Spark, and:

* repartitions the rows by ``case_id`` (all of a case's events in one
  partition) and sorts each partition by ``case_id, seq``;
* in ``mapInArrow``, collects each partition's record batches into one
  Arrow table (a case may straddle two batches) and calls
  :func:`sweep_table` (journal rows in, clocks out); the clocks' dictionary
  columns are cast to strings for Spark;
* a second ``mapInArrow`` over the same partitions returns each
  partition's campaign :class:`~xinfang.campaign.SnapshotCounts`, pickled, which the
  driver adds with ``+``.

Spark hands Arrow back with dictionaries as strings and instants in UTC:
:func:`journal_from_table` casts them back to the journal's schema. The
result is checked against one process sweeping the whole dataset.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
from pyspark.sql import SparkSession

import xinfang as x
from xinfang.columnar import (
    journal_clocks,
    journal_from_cases,
    journal_from_table,
    journal_snapshot_counts,
    read_journal,
    sweep_table,
    write_journal,
)
from xinfang.demo import demo_world

if TYPE_CHECKING:
    from collections.abc import Iterator

SORT = [("case_id", "ascending"), ("limit", "ascending")]
#: The clocks table as Spark sees it (dictionary columns as strings).
CLOCKS_DDL = (
    "case_id string, limit string, started date, nominal date, due date, met_on date, "
    "paused int, extended int, status string, remaining_days int, "
    "remaining_working_days int, provisional boolean, last_report date"
)
PARTITIONS = 4


def plain(table: pa.Table) -> pa.Table:
    """Dictionary columns as plain strings (what Spark accepts back)."""
    return table.cast(
        pa.schema(
            [
                f.with_type(pa.string()) if pa.types.is_dictionary(f.type) else f
                for f in table.schema
            ]
        )
    )


def whole(batches: Iterator[pa.RecordBatch]) -> pa.Table | None:
    """One partition's batches as one table (``None`` for an empty partition)."""
    table = pa.Table.from_batches(list(batches))
    return table if table.num_rows else None


def main() -> None:
    """Write the demo's journal, sweep it on Spark, check it against one process, print it."""
    world = demo_world()
    campaign, org, as_of, cal = world.campaign, world.org, world.as_of, world.calendar

    def clocks_of(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = whole(batches)
        if table is not None:
            yield from plain(sweep_table(table, as_of=as_of, calendar=cal)).to_batches()

    def counts_of(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = whole(batches)
        if table is not None:
            journal = journal_from_table(table)
            counts = journal_snapshot_counts(journal, campaign, org, as_of=as_of, calendar=cal)
            yield pa.record_batch({"counts": pa.array([pickle.dumps(counts)], pa.binary())})

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "journal"
        write_journal(journal_from_cases(world.cases), root, partition_by=("year",))
        spark = (
            SparkSession.builder.master("local[2]")
            .appName("xinfang-nightly-sweep")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(PARTITIONS))
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        try:
            rows = (
                spark.read.parquet(str(root))
                .repartition(PARTITIONS, "case_id")
                .sortWithinPartitions("case_id", "seq")
                .cache()
            )
            clocks = rows.mapInArrow(clocks_of, CLOCKS_DDL).toArrow()
            blobs = rows.mapInArrow(counts_of, "counts binary").collect()
        finally:
            spark.stop()
        parts = [pickle.loads(r["counts"]) for r in blobs]  # noqa: S301 - our own workers'
        counts = sum(parts[1:], parts[0])
        snapshot = x.campaign.finish_snapshot(campaign, counts, org)

        journal = read_journal(root)  # the same sweep in one process
        alone = plain(journal_clocks(journal, as_of=as_of, calendar=cal).clocks)
        alone_counts = journal_snapshot_counts(journal, campaign, org, as_of=as_of, calendar=cal)
    clocks = clocks.cast(alone.schema)  # Spark's nullability flags differ
    if not clocks.sort_by(SORT).equals(alone.sort_by(SORT)):
        raise SystemExit("the clocks differ from one process's")
    if counts != alone_counts:
        raise SystemExit("the campaign counts differ from one process's")

    statuses = sorted(Counter(clocks.column("status").to_pylist()).items())
    print(f"Spark local[2], {PARTITIONS} partitions by case_id")
    print(f"{counts.cases} cases, {clocks.num_rows} clocks")
    print("clocks by status: " + ", ".join(f"{k} {v}" for k, v in statuses))
    o = snapshot.overall
    print(
        f"campaign {snapshot.campaign}: {o.settled} of {o.targets} targets settled "
        f"({o.progress:.0%}), {o.open} open, {o.overdue} overdue, {o.new_intake} new"
    )
    print("equal to one process: clocks and campaign counts")


if __name__ == "__main__":
    main()
