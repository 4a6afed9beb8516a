"""Scale-out: the per-partition functions on Dask worker processes and on Spark equal one process.

The demo corps' journal is written as a Parquet dataset partitioned by year
(a case never split across files); each file is swept where the engine
runs it (a task on a real :class:`distributed.LocalCluster` of 2 worker
processes; a Spark ``mapInArrow`` partition), and the clocks, concatenated
and sorted, and the campaign :class:`~xinfang.campaign.SnapshotCounts`, added with
``+``, must equal one process sweeping the whole dataset.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("pyarrow")

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

from xinfang.columnar import (
    journal_clocks,
    journal_from_cases,
    journal_from_table,
    journal_snapshot_counts,
    read_journal,
    sweep_table,
    write_journal,
)
from xinfang.demo import DemoWorld, demo_world

from helpers import require

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import xinfang as x

SORT = [("case_id", "ascending"), ("limit", "ascending")]


def sorted_plain(clocks: Any) -> Any:
    """Clocks sorted by case and limit, dictionary columns as strings, nullability dropped."""
    schema = pa.schema(
        [
            pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type)
            for f in clocks.schema
        ]
    )
    return clocks.cast(schema).sort_by(SORT)


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return demo_world()


@pytest.fixture(scope="module")
def dataset(world: DemoWorld, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's journal as a Parquet dataset partitioned by year of receipt (masked)."""
    root = tmp_path_factory.mktemp("scale") / "journal"
    write_journal(journal_from_cases(world.cases), root, partition_by=("year",))
    return root


@pytest.fixture(scope="module")
def one_process(world: DemoWorld, dataset: Path) -> tuple[Any, x.campaign.SnapshotCounts]:
    """Clocks and campaign counts of the whole dataset, read and swept in this process."""
    journal = read_journal(dataset)
    clocks = journal_clocks(journal, as_of=world.as_of, calendar=world.calendar).clocks
    counts = journal_snapshot_counts(
        journal, world.campaign, world.org, as_of=world.as_of, calendar=world.calendar
    )
    return clocks, counts


def test_dataset_has_several_files_of_whole_cases(dataset: Path, world: DemoWorld) -> None:
    """Partitioning by year gives several files; no case id occurs in two of them."""
    files = sorted(dataset.rglob("*.parquet"))
    assert len(files) >= 4
    seen: set[str] = set()
    total = 0
    for f in files:
        ids = set(pq.read_table(f, columns=["case_id"]).column("case_id").to_pylist())
        assert not ids & seen
        seen |= ids
        total += len(ids)
    assert total == len(world.cases)


def test_read_on_the_calling_thread_equals_the_pooled_read(dataset: Path) -> None:
    """``use_threads=False`` (a worker's per-file read) reads the same journal, lean or whole."""
    for lean in (False, True):
        pooled = read_journal(dataset, lean=lean)
        alone = read_journal(dataset, lean=lean, use_threads=False)
        assert alone.equals(pooled)
        assert alone.lean == lean
    files = sorted(dataset.rglob("*.parquet"))
    parts = [read_journal(f, lean=True, use_threads=False) for f in files]
    assert sum(len(p) for p in parts) == len(read_journal(dataset))


@pytest.mark.dask
def test_dask_local_cluster_equals_one_process(
    world: DemoWorld, dataset: Path, one_process: tuple[Any, x.campaign.SnapshotCounts]
) -> None:
    """One task chain per file on 2 worker processes: the same clocks and counts as one process."""
    require("dask", "the dask extra")
    distributed = require("distributed", "the dask extra")
    files = sorted(str(p) for p in dataset.rglob("*.parquet"))
    kw: dict[str, Any] = {"as_of": world.as_of, "calendar": world.calendar}
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        # Library functions only, so the workers import them (nothing pickled by value).
        tables = client.map(pq.read_table, files)
        clocks = client.map(sweep_table, tables, **kw)
        journals = client.map(journal_from_table, tables)
        counts = client.map(
            journal_snapshot_counts,
            journals,
            campaign=world.campaign,
            org=world.org,
            **kw,
        )
        clock_parts: list[Any] = client.gather(clocks)
        count_parts: list[x.campaign.SnapshotCounts] = client.gather(counts)
        # The bench's and the example's task: a lean read on the task's thread, one engine run.
        lean = client.map(read_journal, files, lean=True, use_threads=False)
        sweeps = client.map(journal_clocks, lean, campaign=world.campaign, org=world.org, **kw)
        sweep_parts: list[Any] = client.gather(sweeps)
        pids = client.run(os.getpid)
    assert len(set(pids.values())) == 2
    assert os.getpid() not in pids.values()
    expected_clocks, expected_counts = one_process
    assert len(clock_parts) == len(files)
    assert sorted_plain(pa.concat_tables(clock_parts)).equals(sorted_plain(expected_clocks))
    assert sum(count_parts[1:], count_parts[0]) == expected_counts
    assert sum(c.cases for c in count_parts) == len(world.cases)
    swept = pa.concat_tables([p.clocks for p in sweep_parts])
    assert sorted_plain(swept).equals(sorted_plain(expected_clocks))
    assert sum((p.counts for p in sweep_parts[1:]), sweep_parts[0].counts) == expected_counts


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_map_in_arrow_equals_one_process(
    world: DemoWorld, dataset: Path, one_process: tuple[Any, x.campaign.SnapshotCounts]
) -> None:
    """``mapInArrow`` over partitions by case id: the same clocks and counts as one process."""
    require("pyspark", "the spark extra")
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but no Java runtime for pyspark (.ci/run installs one)")
        pytest.skip("pyspark needs a Java runtime")
    from pyspark.sql import SparkSession  # type: ignore[import-untyped,unused-ignore]

    as_of, cal = world.as_of, world.calendar
    campaign, org = world.campaign, world.org

    # Closures only: Spark's Python workers cannot import this test module.
    def whole(batches: Iterator[Any]) -> Any:
        table = pa.Table.from_batches(list(batches))
        return table if table.num_rows else None

    def clocks_of(batches: Iterator[Any]) -> Iterator[Any]:
        table = whole(batches)
        if table is not None:
            clocks = sweep_table(table, as_of=as_of, calendar=cal)
            for name in ("limit", "status"):  # Spark takes no dictionary columns
                i = clocks.schema.get_field_index(name)
                clocks = clocks.set_column(i, name, clocks.column(i).cast(pa.string()))
            yield from clocks.to_batches()

    def counts_of(batches: Iterator[Any]) -> Iterator[Any]:
        table = whole(batches)
        if table is not None:
            part = journal_snapshot_counts(
                journal_from_table(table), campaign, org, as_of=as_of, calendar=cal
            )
            yield pa.record_batch({"counts": pa.array([pickle.dumps(part)], pa.binary())})

    ddl = (
        "case_id string, limit string, started date, nominal date, due date, met_on date, "
        "paused int, extended int, status string, remaining_days int, "
        "remaining_working_days int, provisional boolean, last_report date"
    )
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("xinfang-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "3")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        spark.sparkContext.setLogLevel("ERROR")
        rows = (
            spark.read.parquet(str(dataset))
            .repartition(3, "case_id")
            .sortWithinPartitions("case_id", "seq")
            .cache()
        )
        clocks = rows.mapInArrow(clocks_of, ddl).toArrow()
        blobs = [r["counts"] for r in rows.mapInArrow(counts_of, "counts binary").collect()]
    finally:
        spark.stop()
    expected_clocks, expected_counts = one_process
    assert sorted_plain(clocks).equals(sorted_plain(expected_clocks))
    parts: list[x.campaign.SnapshotCounts] = [pickle.loads(b) for b in blobs]  # noqa: S301
    assert len(parts) == 3
    assert sum(parts[1:], parts[0]) == expected_counts
