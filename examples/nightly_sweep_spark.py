"""The nightly sweep on Spark: ``mapInArrow`` runs :func:`sweep_day` on each partition.

Run it with ``python examples/nightly_sweep_spark.py`` (needs ``pip install
'xinfang[spark]'`` and a Java runtime; it starts a local ``SparkSession`` on
``local[2]``, which takes 10-20 s). It writes the demo corps' journal as a
Parquet dataset partitioned by year (personal data masked), with its
milestones companion beside it (:func:`write_journal` writes both), without
the day's new events; those come as an update (:func:`update_milestones`:
delta files beside each touched partition's base, not compacted). Then it
reads the companion with Spark (one row per case: no event is read, no case
is folded again), and:

* reads the files :func:`committed_files` lists (not the folder: Spark would
  take every file in it, a case's old row beside its new one and the files
  of an update that did not commit), each row tagged with its file's number
  (``_metadata.file_name`` mapped to it), and keeps each case's row of the
  largest number: the cases the deltas name are few, so their newest number
  is computed from the delta files alone and broadcast, and the bulk of the
  rows is neither shuffled nor sorted;
* needs no repartition by case and no sort: a row is a whole case, so Spark
  may split and merge the files into partitions as it likes;
* in ``mapInArrow``, collects each partition's record batches into one
  Arrow table and calls :func:`sweep_day` on it (one run of the clock
  engine); the clocks' dictionary columns are cast to strings for Spark. The
  rare case the engine needs as a value is read from the event journal
  (``journal=``, a path every executor must see; the library's reader merges
  its deltas);
* a second ``mapInArrow`` over the same partitions returns each
  partition's campaign :class:`~xinfang.campaign.SnapshotCounts`, pickled, which the
  driver adds with ``+``.

Spark hands Arrow back with dictionaries as strings and its own nullability
flags: the rows are cast back to :data:`COMPANION_SCHEMA` before the sweep.
The result is checked against one process folding every event of the demo's
cases (:func:`journal_clocks` on :func:`journal_from_cases`, no file read).
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
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F  # noqa: N812 - Spark's usual name

import xinfang as x
from xinfang.columnar import (
    COMPANION_SCHEMA,
    committed_files,
    journal_clocks,
    journal_from_cases,
    journal_from_table,
    journal_snapshot_counts,
    sweep_day,
    update_milestones,
    write_journal,
)
from xinfang.demo import demo_world

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

SORT = [("case_id", "ascending"), ("limit", "ascending")]
#: The clocks table as Spark sees it (dictionary columns as strings).
CLOCKS_DDL = (
    "case_id string, limit string, started date, nominal date, due date, met_on date, "
    "paused int, extended int, status string, remaining_days int, "
    "remaining_working_days int, provisional boolean, last_report date"
)


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
    """One partition's companion rows as one table in its schema (``None``: an empty partition)."""
    table = pa.Table.from_batches(list(batches))
    return table.select(COMPANION_SCHEMA.names).cast(COMPANION_SCHEMA) if table.num_rows else None


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


def newest_rows(spark: SparkSession, root: Path) -> DataFrame:
    """The companion's committed rows, each case's newest: what :func:`read_milestones` reads."""
    files = committed_files(root, of="milestones")  # [(path, number)], bases before deltas
    numbers = {Path(p).name: n for p, n in files}  # a file's number is the one in its name
    as_number = F.create_map(*[F.lit(v) for item in numbers.items() for v in item])

    def read(paths: Sequence[str]) -> DataFrame:
        return (
            spark.read.option("basePath", f"{root}.milestones")  # keeps the year column
            .parquet(*paths)
            .withColumn("file_number", F.element_at(as_number, F.col("_metadata.file_name")))
        )

    rows = read([p for p, _ in files])
    base: dict[Path, int] = {}
    for path, n in files:
        base.setdefault(Path(path).parent, n)  # each partition's base is listed first
    deltas = [p for p, n in files if n > base[Path(p).parent]]
    if not deltas:  # compacted: one file a partition, a case in one of them
        return rows.drop("file_number")
    # The cases the deltas name, with their newest number: few rows, broadcast to every task.
    newest = read(deltas).groupBy("case_id").agg(F.max("file_number").alias("newest"))
    kept = rows.join(F.broadcast(newest), "case_id", "left").where(
        F.col("newest").isNull() | (F.col("file_number") == F.col("newest"))
    )
    return kept.drop("file_number", "newest")


def main() -> None:
    """Write the demo's journal, sweep it on Spark, check it against one process, print it."""
    world = demo_world()
    campaign, org, as_of, cal = world.campaign, world.org, world.as_of, world.calendar

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "journal"
        events = str(root)  # where a case needed as a value is read (executors must see it)

        def clocks_of(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            table = whole(batches)
            if table is not None:
                clocks = sweep_day(table, events, as_of, calendar=cal).clocks
                yield from plain(clocks).to_batches()

        def counts_of(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            table = whole(batches)
            if table is not None:
                counts = sweep_day(
                    table, events, as_of, calendar=cal, campaign=campaign, org=org
                ).counts
                blob = pickle.dumps(counts)
                yield pa.record_batch({"counts": pa.array([blob], pa.binary())})

        everything = journal_from_cases(world.cases)
        new = todays(world.cases)
        before = journal_from_table(everything.events.filter(pc.invert(new)))
        write_journal(before, root, partition_by=("year",))
        touched = update_milestones(root, everything.events.filter(new))  # today's: deltas
        files = committed_files(root, of="milestones")
        spark = (
            SparkSession.builder.master("local[2]")
            .appName("xinfang-nightly-sweep")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        try:
            # The companion: one row per case, so no repartition by case and no sort.
            rows = newest_rows(spark, root).cache()
            partitions = rows.rdd.getNumPartitions()
            clocks = rows.mapInArrow(clocks_of, CLOCKS_DDL).toArrow()
            blobs = rows.mapInArrow(counts_of, "counts binary").collect()
        finally:
            spark.stop()
        parts = [pickle.loads(r["counts"]) for r in blobs]  # noqa: S301 - our own workers'
        counts = sum(parts[1:], parts[0])
        snapshot = x.campaign.finish_snapshot(campaign, counts, org)

    # The same sweep in one process, folding every event of the cases again (no file read).
    alone = plain(journal_clocks(everything, as_of=as_of, calendar=cal).clocks)
    alone_counts = journal_snapshot_counts(everything, campaign, org, as_of=as_of, calendar=cal)
    clocks = clocks.cast(alone.schema)  # Spark's nullability flags differ
    if not clocks.sort_by(SORT).equals(alone.sort_by(SORT)):
        raise SystemExit("the clocks differ from one process's")
    if counts != alone_counts:
        raise SystemExit("the campaign counts differ from one process's")

    statuses = sorted(Counter(clocks.column("status").to_pylist()).items())
    deltas = sum(1 for p, _ in files if Path(p).name.startswith("delta-"))
    print(f"today's update: {touched} cases, {deltas} delta files beside the base files")
    print(f"Spark local[2], {partitions} partitions of the milestones companion")
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
