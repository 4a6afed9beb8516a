"""Benchmark: the columnar engine (``xinfang.columnar``) against the value path, and on Dask.

    python bench/columnar_bench.py [--cases 100000] [--big 1000000,10000000]
                                   [--dask-cases 4000000] [--distinct 10000]
                                   [--bad-cases 1000000] [--bad-lines 100]
                                   [--skip-ledger] [--skip-parquet] [--skip-dask]
                                   [--skip-dask-default] [--skip-bad] [--whole]
                                   [--workdir DIR] [--keep]

The corpus (``bench/_corpus.py``) is ``--distinct`` cases built through the
value path with every change kind, repeated under new case ids to each size.
Every measurement runs in a fresh child process of this script, so its peak
RSS is its own. Three parts:

(a) **JSON Lines ledger → clocks** (``--cases``, all cores): the ledger file
    (resident IDs and phones revealed) → ``load_journal`` → ``journal_clocks``;
    beside it, in the same child, the value path ``load_ledger`` +
    ``clock_table`` on the same file. Wall-clock (``perf_counter``) and CPU
    seconds of the process (``process_time``, all its threads); best of 3.
    The two clock tables are compared row by row.
(b) **Parquet journal → clocks + campaign snapshot, one core** (``--big``
    sizes): ``pa.set_cpu_count(1)``, one I/O thread, ``OMP_NUM_THREADS=1``;
    ``read_journal(lean=True)`` (only the columns the fold reads) → one
    ``journal_clocks`` with the campaign (the clocks and the campaign counts
    from one run of the engine) → ``finish_snapshot``. Peak Arrow
    memory (``pa.default_memory_pool().max_memory()``), peak RSS
    (``getrusage``) above the child's RSS before reading, and the tables'
    ``nbytes``, all per case. Once per size (these are seconds-long runs).
    A size whose memory, at the smaller size's peak RSS per case, would
    exceed 80% of the memory available is skipped, and the line says so.
(c) **Dask on 2 worker processes** (``--dask-cases``): a Parquet dataset
    partitioned by year (several files per year), one task per file
    (``read_journal(lean=True, use_threads=False)``, ``journal_clocks`` with
    the campaign; status counts and ``SnapshotCounts`` reduced with ``+``:
    no clock rows travel) on ``LocalCluster(n_workers=2,
    threads_per_worker=1, processes=True)``, against one process running
    the same tasks one after the other on one core (and, with ``--whole``,
    one process reading the whole dataset at once). The cluster runs twice:
    with ``MALLOC_TRIM_THRESHOLD_`` removed from the workers' environment
    (``distributed.nanny.pre-spawn-environ``; the setting this bench
    recommends) and with Dask's default (65536, which turns glibc's adaptive
    mmap threshold off: every numpy array of 128 KiB or more is then mapped
    and page-faulted afresh; ``--skip-dask-default`` skips that run). Per
    run: the sum of the tasks' wall and CPU seconds and their page faults,
    the CPU of the workers, of the driver and of the whole machine during
    the sweep (the rest is other processes'). The scheduler's overhead per
    partition is the wall time of one no-op task per file, divided by the
    number of files. Results are checked equal.

(d) **Bad input at scale** (``--bad-cases``, ``--bad-lines``): a ledger of
    that many cases with that many lines spoilt, spread evenly through it,
    seven ways in turn (cut short, a string for an integer, a bad instant,
    an instant without offset, the first event numbered 2, a field missing,
    an unknown change kind). ``load_journal`` must refuse it naming every
    spoilt line with its case id (and no other); ``on_bad_lines="skip"``
    must keep every other case, name the same lines in ``rejected``, and
    its clocks must hold no rejected case. The clean ledger of the same
    size is loaded for comparison. Any exception other than a
    ``XinfangError`` fails the part. One run each.

Every number printed was measured in this run; the machine and its load
average (other processes share the CPUs and skew every rate) are printed
with them. Data preparation (the corpus, the ledger, the Parquet files) is
timed separately and is part of no rate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

ONE_CORE_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "POLARS_MAX_THREADS": "1",
    "ARROW_NUM_THREADS": "1",  # read by some Arrow builds; set_cpu_count below does the rest
}
FILE_CASES = 500_000  # cases per Parquet file written at a time


# ------------------------------------------------------------------ helpers
def peak_rss() -> int:
    """Peak resident set size of this process, bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as fh:
            mem = int(fh.readline().split()[1]) / 1024**2
    except OSError:
        mem = float("nan")
    import pyarrow as pa

    return (
        f"{cpu}, {os.cpu_count()} CPUs, {mem:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, pyarrow {pa.__version__}"
    )


def available_memory() -> int:
    """MemAvailable from /proc/meminfo, bytes."""
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages: other work on the machine skews every rate."""
    try:
        with open("/proc/loadavg") as fh:
            return " ".join(fh.read().split()[:3])
    except OSError:
        return "unknown"


SPIN = (
    "import time\nt = time.perf_counter()\nx = 0\n"
    "for i in range(20_000_000): x += i\nprint(time.perf_counter() - t)"
)


def parallel_capacity() -> tuple[float, float, float]:
    """A pure-Python loop alone, then two copies at once: (alone s, pair s, capacity in cores).

    The ceiling of any 2-process speed-up on this machine at this moment (other work
    shares the CPUs): 2 × alone ÷ pair.
    """

    def spin(k: int) -> list[float]:
        procs = [
            subprocess.Popen(  # noqa: S603 - this interpreter, our own snippet
                [sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True
            )
            for _ in range(k)
        ]
        return [float(p.communicate()[0]) for p in procs]

    alone = spin(1)[0]
    pair = max(spin(2))
    return alone, pair, 2 * alone / pair


def one_core() -> None:
    """Arrow, numpy and polars on one thread in this process."""
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


class Timer:
    """Wall-clock and process CPU seconds of a block."""

    def __enter__(self) -> Timer:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


def clock_rows_of_values(table: Any) -> Any:
    """A value-path :class:`~xinfang.deadlines.ClockTable` as Arrow: the columns both paths give."""
    import numpy as np
    import pyarrow as pa

    from xinfang.deadlines import STATUSES

    ids = np.array(table.case_ids, dtype=object)
    met = table.met_on
    return pa.table(
        {
            "case_id": pa.array(ids[table.case], pa.string()),
            "limit": pa.array(np.array(table.keys, dtype=object)[table.limit], pa.string()),
            "started": pa.array(table.started.astype("datetime64[D]")).cast(pa.date32()),
            "due": pa.array(table.due.astype("datetime64[D]")).cast(pa.date32()),
            "status": pa.array([STATUSES[s].value for s in table.status.tolist()], pa.string()),
            "met_on": pa.array(met.astype("datetime64[D]"), mask=np.isnat(met)).cast(pa.date32()),
        }
    )


def clock_rows_of_arrow(clocks: Any) -> Any:
    """The same columns of a columnar clocks table, plain strings."""
    import pyarrow as pa

    return pa.table(
        {
            "case_id": clocks.column("case_id"),
            "limit": clocks.column("limit").cast(pa.string()),
            "started": clocks.column("started"),
            "due": clocks.column("due"),
            "status": clocks.column("status").cast(pa.string()),
            "met_on": clocks.column("met_on"),
        }
    )


def status_counts(clocks: Any) -> dict[str, int]:
    import pyarrow.compute as pc

    counted = pc.value_counts(clocks.column("status").cast("string").combine_chunks())
    return {str(v["values"]): int(v["counts"]) for v in counted.to_pylist()}


def same_rows(a: Any, b: Any) -> bool:
    keys = [("case_id", "ascending"), ("limit", "ascending")]
    return bool(a.sort_by(keys).equals(b.sort_by(keys)))


def load_setup(workdir: Path) -> dict[str, Any]:
    with open(workdir / "setup.json") as fh:
        setup: dict[str, Any] = json.load(fh)
    return setup


def campaign_and_org(setup: dict[str, Any]) -> tuple[Any, Any]:
    import _corpus

    return _corpus.campaign_of(setup["targets"], setup["distinct"]), _corpus.make_org()


def as_of_calendar(setup: dict[str, Any]) -> tuple[dt.date, Any]:
    import xinfang as x

    return dt.date.fromisoformat(setup["as_of"]), x.china_mainland(provisional=True)


# ------------------------------------------------------------- (a) ledger
def child_ledger(workdir: Path, path: str, n: int, repeat: int) -> dict[str, Any]:
    import gc

    import xinfang as x
    from xinfang.columnar import journal_clocks, load_journal

    setup = load_setup(workdir)
    as_of, cal = as_of_calendar(setup)
    out: dict[str, Any] = {"cases": n, "bytes": os.path.getsize(path)}
    rss0 = current_rss()

    col_runs = []
    sweep = None
    for _ in range(repeat):
        sweep = None
        gc.collect()
        with Timer() as t_load:
            journal = load_journal(path)
        with Timer() as t_clk:
            sweep = journal_clocks(journal, as_of=as_of, calendar=cal)
        col_runs.append((t_load.wall, t_load.cpu, t_clk.wall, t_clk.cpu))
        del journal
    if sweep is None:
        raise SystemExit("--repeat must be at least 1")
    out["columnar_runs"] = col_runs
    out["columnar_peak_rss_per_case"] = (peak_rss() - rss0) / n
    columnar_rows = clock_rows_of_arrow(sweep.clocks)
    out["clock_rows"] = sweep.clocks.num_rows
    out["status"] = status_counts(sweep.clocks)
    del sweep

    val_runs = []
    rows = None
    for _ in range(repeat):
        rows = None
        gc.collect()
        with Timer() as t_load, open(path, encoding="utf-8") as fh:
            cases = x.load_ledger(fh.read())
        with Timer() as t_clk:
            table = x.clock_table(cases, as_of=as_of, calendar=cal)
        val_runs.append((t_load.wall, t_load.cpu, t_clk.wall, t_clk.cpu))
        rows = clock_rows_of_values(table)
        del cases, table
    out["value_runs"] = val_runs
    out["same_clocks"] = same_rows(columnar_rows, rows)

    # The floor of the columnar path: pyarrow's JSON reader alone, with the
    # engine's read schema, on the same bytes (no checks, no fold, no clocks).
    try:
        from xinfang.columnar._reader import read_json
    except ImportError:  # before the split of columnar/_io.py (issue 22): to compare with it
        from xinfang.columnar._io import _read_json as read_json  # type: ignore[no-redef]

    with open(path, "rb") as fh:
        data = fh.read()
    reader_runs = []
    for _ in range(repeat):
        gc.collect()
        with Timer() as t_read:
            read_json(data, None)
        reader_runs.append((t_read.wall, t_read.cpu))
    out["reader_runs"] = reader_runs
    return out


# ------------------------------------------------------ (b) Parquet, one core
def child_parquet(workdir: Path, path: str, n: int) -> dict[str, Any]:
    one_core()
    import gc

    import pyarrow as pa

    import xinfang as x
    from xinfang.columnar import journal_clocks, read_journal

    setup = load_setup(workdir)
    as_of, cal = as_of_calendar(setup)
    campaign, org = campaign_and_org(setup)
    gc.collect()
    pool = pa.default_memory_pool()
    rss0, alloc0 = current_rss(), pa.total_allocated_bytes()
    out: dict[str, Any] = {"cases": n, "parquet_bytes": dir_size(Path(path))}
    with Timer() as t_read:
        journal = read_journal(path, lean=True)
    out["events"] = journal.events.num_rows
    out["journal_alloc"] = pa.total_allocated_bytes() - alloc0
    out["events_nbytes"] = journal.events.nbytes
    out["milestones_nbytes"] = journal.milestones.nbytes
    with Timer() as t_clk:
        sweep = journal_clocks(journal, as_of=as_of, calendar=cal, campaign=campaign, org=org)
    with Timer() as t_snap:
        assert sweep.counts is not None  # noqa: S101
        snap = x.campaign.finish_snapshot(campaign, sweep.counts, org)
    out["times"] = {
        "read_journal": (t_read.wall, t_read.cpu),
        "journal_clocks": (t_clk.wall, t_clk.cpu),
        "journal_snapshot": (t_snap.wall, t_snap.cpu),
    }
    out["clock_rows"] = sweep.clocks.num_rows
    out["snapshot_cases"] = len(journal)
    out["snapshot_type"] = type(snap).__name__
    out["peak_arrow"] = pool.max_memory()
    out["peak_rss_growth"] = peak_rss() - rss0
    out["pool"] = pool.backend_name
    del journal, sweep, snap
    # The floor: pyarrow's Parquet decoder alone on the lean columns (no
    # checks, no fold), the same files, after the measured run.
    import pyarrow.parquet as pq

    from xinfang.columnar import SWEEP_COLUMNS

    gc.collect()
    with Timer() as t_decode:
        pq.read_table(path, columns=list(SWEEP_COLUMNS), use_threads=False)
    out["decode"] = (t_decode.wall, t_decode.cpu)
    return out


# ----------------------------------------------------- (d) bad input at scale
SPOILS = ("cut", "type", "instant", "offset", "first-seq", "missing", "kind")


def spoil(line: str, how: str) -> str:
    """``line`` spoilt one way (see the module's (d))."""
    if how == "cut":
        return line[: len(line) // 2]
    doc = json.loads(line)
    first, last = doc["events"][0], doc["events"][-1]
    if how == "type":
        first["change"]["received_at"] = 20260101
    elif how == "instant":
        last["at"] = "2026-13-01T09:00:00+08:00"
    elif how == "offset":
        last["at"] = last["at"][:19]
    elif how == "first-seq":
        for e in doc["events"]:
            e["seq"] += 1
    elif how == "missing":
        del first["by"]
    else:
        last["change"]["kind"] = "teleported"
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def child_bad(workdir: Path, clean: str, bad: str, n: int) -> dict[str, Any]:
    import gc

    import xinfang as x
    from xinfang.columnar import journal_clocks, load_journal

    setup = load_setup(workdir)
    as_of, cal = as_of_calendar(setup)
    expected = {(int(k), v) for k, v in json.loads((workdir / "bad.json").read_text()).items()}
    out: dict[str, Any] = {"cases": n, "spoilt": len(expected)}
    try:
        with Timer() as t_clean:
            journal = load_journal(clean)
        out["clean"] = (t_clean.wall, t_clean.cpu, len(journal))
        del journal
        gc.collect()
        with Timer() as t_refuse:
            try:
                load_journal(bad)
            except x.InvalidDataError as exc:
                refusal = exc
            else:
                raise SystemExit("the spoilt ledger was accepted")
        named = set()
        for path, _ in refusal.problems:
            head = path.split(": ", 1)[0]  # line N (case ID)
            number, _, rest = head.removeprefix("line ").partition(" (case ")
            named.add((int(number), rest.removesuffix(")") or None))
        out["refuse"] = (t_refuse.wall, t_refuse.cpu, len(refusal.problems))
        out["refuse_named_all"] = named == expected
        del refusal
        gc.collect()
        with Timer() as t_skip:
            journal = load_journal(bad, on_bad_lines="skip")
        with Timer() as t_clk:
            sweep = journal_clocks(journal, as_of=as_of, calendar=cal)
        rejected = {(b.line, b.case_id) for b in journal.rejected}
        ids = {cid for _, cid in expected}
        clock_ids = set(sweep.clocks.column("case_id").unique().to_pylist())
        out["skip"] = (t_skip.wall, t_skip.cpu, len(journal), t_clk.wall)
        out["skip_named_all"] = rejected == expected
        out["skip_kept_the_rest"] = len(journal) == n - len(expected)
        out["no_rejected_clocks"] = not (clock_ids & ids)
    except x.XinfangError as exc:
        out["xinfang_error"] = repr(exc)[:300]
    return out


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*.parquet"))


# ------------------------------------------------------------------ (c) Dask
def sweep_file(path: str, setup: dict[str, Any]) -> dict[str, Any]:
    """The per-partition task: a Parquet file → cases, clock rows, status counts, counts."""
    from xinfang.columnar import journal_clocks, read_journal

    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    with Timer() as t:
        as_of, cal = as_of_calendar(setup)
        campaign, org = campaign_and_org(setup)
        # Decoded on this thread: every core already runs a task (a worker process) of its own.
        journal = read_journal(path, lean=True, use_threads=False)
        sweep = journal_clocks(journal, as_of=as_of, calendar=cal, campaign=campaign, org=org)
        counts = sweep.counts
    return {
        "cases": len(journal),
        "rows": sweep.clocks.num_rows,
        "status": status_counts(sweep.clocks),
        "counts": counts,
        "wall": t.wall,
        "cpu": t.cpu,
        "faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults,
        "pid": os.getpid(),
    }


def noop(path: str) -> str:
    return path


def worker_setup() -> str:
    # No process-wide setting: the task passes use_threads=False to its read, and Dask's
    # nanny already starts workers with OMP_NUM_THREADS=1 (pyarrow's pool then has 1 thread).
    import xinfang.columnar  # noqa: F401 - import once, before any timed task

    return str(os.getpid())


def reduce_parts(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Add the per-file results: cases, clock rows, status counts, SnapshotCounts (with ``+``)."""
    status: dict[str, int] = {}
    for p in parts:
        for k, v in p["status"].items():
            status[k] = status.get(k, 0) + v
    busy: dict[int, float] = {}
    for p in parts:
        busy[p["pid"]] = busy.get(p["pid"], 0.0) + p["wall"]
    return {
        "cases": sum(p["cases"] for p in parts),
        "rows": sum(p["rows"] for p in parts),
        "status": dict(sorted(status.items())),
        "counts": sum((p["counts"] for p in parts[1:]), parts[0]["counts"]),
        "task_wall": sum(p["wall"] for p in parts),
        "task_cpu": sum(p["cpu"] for p in parts),
        "task_faults": sum(p["faults"] for p in parts),
        "busy": sorted(busy.values()),
    }


def parquet_files(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*.parquet"))


def child_files(workdir: Path, root: str, whole_too: bool) -> dict[str, Any]:
    """One process, one core: the same per-file tasks in turn (then the whole dataset at once)."""
    one_core()
    import pickle

    from xinfang.columnar import journal_clocks, read_journal

    setup = load_setup(workdir)
    files = parquet_files(Path(root))
    sweep_file(files[0], setup)  # warm: imports, calendar index
    with Timer() as t:
        parts = [sweep_file(f, setup) for f in files]
    red = reduce_parts(parts)
    out: dict[str, Any] = {
        "files": len(files),
        "tasks_wall": t.wall,
        "tasks_cpu": t.cpu,
        "task_wall_sum": red["task_wall"],
        "task_cpu_sum": red["task_cpu"],
        "task_faults": red["task_faults"],
    }
    whole = {"status": red["status"], "counts": red["counts"]}
    if whole_too:
        as_of, cal = as_of_calendar(setup)
        campaign, org = campaign_and_org(setup)
        with Timer() as t_whole:
            journal = read_journal(root, lean=True)
            sweep = journal_clocks(journal, as_of=as_of, calendar=cal, campaign=campaign, org=org)
            counts = sweep.counts
        whole = {"status": dict(sorted(status_counts(sweep.clocks).items())), "counts": counts}
        out["whole_wall"], out["whole_cpu"] = t_whole.wall, t_whole.cpu
        out["whole_equals_files"] = red["counts"] == counts and red["status"] == whole["status"]
    with open(workdir / "one-process.pickle", "wb") as fh:
        pickle.dump({"files": red, "whole": whole}, fh)
    out["peak_rss"] = peak_rss()
    return out


def cpu_ticks() -> list[int]:
    """The machine's CPU time so far (/proc/stat: user, nice, system, idle, ..., steal), ticks."""
    with open("/proc/stat") as fh:
        return [int(v) for v in fh.readline().split()[1:9]]


def child_dask(workdir: Path, root: str, dask_malloc: bool) -> dict[str, Any]:
    """The Dask sweep; ``dask_malloc``: keep the trim threshold Dask's nannies set by default."""
    import pickle

    import dask

    for k, v in ONE_CORE_ENV.items():  # inherited by the worker processes
        os.environ[k] = v
    if not dask_malloc:
        # Dask's nanny starts every worker with MALLOC_TRIM_THRESHOLD_=65536
        # (``distributed.nanny.pre-spawn-environ``), to hand freed memory back to the OS
        # at once. Setting it also turns off glibc's adaptive mmap threshold, so every
        # numpy array of 128 KiB or more is a fresh mmap, page-faulted in and unmapped
        # again: the sweep of a 62,500-case file allocates many such arrays. None unsets it
        # (the workers keep glibc's defaults, as one process has them).
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})
    # The tasks by reference to this module (the workers import it: bench/ is on the
    # sys.path they inherit), not pickled by value from __main__.
    import columnar_bench as me
    from distributed import Client, LocalCluster

    setup = load_setup(workdir)
    # Largest files first: the scheduler hands tasks out in about this order, so the
    # two workers finish together (longest-processing-time-first).
    files = sorted(parquet_files(Path(root)), key=lambda f: -os.path.getsize(f))
    out: dict[str, Any] = {"files": len(files)}
    with Timer() as t_start:
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    out["cluster_start"] = t_start.wall
    try:
        with Timer() as t_warm:
            pids = client.run(me.worker_setup)
            client.gather(client.map(me.sweep_file, files[:2], [setup] * 2, pure=False))
        out["worker_warmup"] = t_warm.wall
        out["worker_pids"] = sorted(pids.values())
        with Timer() as t_noop:
            client.gather(client.map(me.noop, files, pure=False))
        out["noop_wall"] = t_noop.wall
        with Timer() as t_noop_small:
            client.gather(client.map(me.noop, [f"{f}#{i}" for i in range(8) for f in files]))
        out["noop8_wall"] = t_noop_small.wall
        out["worker_malloc_env"] = sorted(
            set(client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_", "unset")).values())
        )
        ticks0 = cpu_ticks()
        workers0 = client.run(time.process_time)
        with Timer() as t:
            futures = client.map(me.sweep_file, files, [setup] * len(files), pure=False)
            parts = client.gather(futures)
            red = reduce_parts(parts)
        out["sweep_wall"] = t.wall
        out["sweep_driver_cpu"] = t.cpu
        ticks = [b - a for a, b in zip(ticks0, cpu_ticks(), strict=True)]
        workers1 = client.run(time.process_time)
        out["sweep_workers_cpu"] = sum(workers1[w] - workers0[w] for w in workers0)
        busy = sum(ticks) - ticks[3] - ticks[4] - ticks[7]  # not idle, not waiting, not stolen
        out["machine_busy_cpu_s"] = busy / os.sysconf("SC_CLK_TCK")
        out["machine_steal_s"] = ticks[7] / os.sysconf("SC_CLK_TCK")
        per_worker: dict[int, int] = {}
        for part in parts:
            per_worker[part["pid"]] = per_worker.get(part["pid"], 0) + 1
        out["tasks_per_worker"] = sorted(per_worker.values())
        out["busy_per_worker"] = red["busy"]
        out["task_wall_sum"] = red["task_wall"]
        out["task_cpu_sum"] = red["task_cpu"]
        out["task_faults"] = red["task_faults"]
    finally:
        client.close()
        cluster.close()
    with open(workdir / "one-process.pickle", "rb") as fh:
        one = pickle.load(fh)  # noqa: S301 - written by this bench's own child
    out["cases"] = red["cases"]
    out["equal_to_one_process"] = (
        red["counts"] == one["files"]["counts"]
        and red["status"] == one["files"]["status"]
        and red["counts"] == one["whole"]["counts"]
        and red["status"] == one["whole"]["status"]
    )
    out["clock_rows"] = red["rows"]
    return out


# ----------------------------------------------------------- the data on disk
def prepare(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Build the corpus and write the ledger and Parquet datasets the children read."""
    import _corpus
    import numpy as np
    import pyarrow as pa

    import xinfang as x
    from xinfang.columnar import Journal, journal_from_cases, write_journal

    info: dict[str, Any] = {}
    with Timer() as t:
        corpus = _corpus.make_corpus(args.distinct, seed=args.seed)
    info["corpus_s"] = t.wall
    kinds = _corpus.kind_counts(corpus.cases)
    info["kinds"] = kinds
    info["events_per_case"] = sum(kinds.values()) / len(corpus.cases)
    setup = {
        "distinct": args.distinct,
        "targets": list(corpus.campaign.targets),
        "as_of": corpus.as_of.isoformat(),
    }
    with open(workdir / "setup.json", "w") as fh:
        json.dump(setup, fh)

    if not args.skip_ledger:
        with Timer() as t:
            text = x.dump_ledger(corpus.cases, reveal_personal_data=True) + "\n"
            path = workdir / "ledger.jsonl"
            with open(path, "w", encoding="utf-8") as fh:
                fh.writelines(_corpus.replicate_ledger(text, args.cases, args.distinct))
        info["ledger_s"] = t.wall
        info["ledger_path"] = str(path)

    if not args.skip_bad:
        with Timer() as t:
            text = x.dump_ledger(corpus.cases, reveal_personal_data=True) + "\n"
            n, every = args.bad_cases, max(1, args.bad_cases // max(1, args.bad_lines))
            chosen = set(range(every // 2, n, every)[: args.bad_lines])
            spoilt: dict[int, str] = {}
            clean, bad = workdir / "clean-big.jsonl", workdir / "bad-big.jsonl"
            with open(clean, "w", encoding="utf-8") as fc, open(bad, "w", encoding="utf-8") as fb:
                i = 0
                for chunk in _corpus.replicate_ledger(text, n, args.distinct):
                    fc.write(chunk)
                    lines = chunk.splitlines(keepends=True)
                    for j, line in enumerate(lines):
                        if i + j in chosen:
                            how = SPOILS[len(spoilt) % len(SPOILS)]
                            spoilt[i + j + 1] = json.loads(line)["id"]
                            lines[j] = spoil(line.rstrip("\n"), how) + "\n"
                    fb.writelines(lines)
                    i += len(lines)
            (workdir / "bad.json").write_text(json.dumps(spoilt))
        info["bad_s"] = t.wall
        info["bad_paths"] = (str(clean), str(bad))

    base = journal_from_cases(corpus.cases)

    def copies(lo: int, hi: int) -> Journal:
        """Cases lo..hi (case numbers across copies) as one Journal (copies renamed)."""
        d = args.distinct
        ev, ms = [], []
        for k in range(lo // d, -(-hi // d)):
            a, b = max(lo - k * d, 0), min(hi - k * d, d)
            e, m = (
                _corpus.replicate_events(base.events, k),
                _corpus.replicate_events(base.milestones, k),
            )
            if (a, b) != (0, d):
                starts = np.flatnonzero(e.column("seq").to_numpy() == 1)
                starts = np.append(starts, e.num_rows)
                e = e.slice(int(starts[a]), int(starts[b] - starts[a]))
                m = m.slice(a, b - a)
            ev.append(e)
            ms.append(m)
        return Journal(events=pa.concat_tables(ev), milestones=pa.concat_tables(ms))

    def write_files(folder: Path, n: int, partition_by: tuple[str, ...] = ()) -> float:
        """Write cases 0..n in files of FILE_CASES (those already written are kept)."""
        folder.mkdir(parents=True, exist_ok=True)
        with Timer() as t:
            for i, lo in enumerate(range(0, n, FILE_CASES)):
                if not partition_by:
                    path = folder / f"part-{i:04d}.parquet"
                    if not path.exists():
                        write_journal(copies(lo, min(lo + FILE_CASES, n)), path)
                    continue
                scratch = folder.parent / f".{folder.name}-scratch"
                write_journal(
                    copies(lo, min(lo + FILE_CASES, n)), scratch, partition_by=partition_by
                )
                for f in scratch.rglob("*.parquet"):  # one file per chunk and partition
                    dest = folder / f.parent.relative_to(scratch) / f"part-{i:04d}.parquet"
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    f.rename(dest)
                shutil.rmtree(scratch)
        return t.wall

    def parquet_of(n: int) -> tuple[Path, float]:
        """A dataset of n cases (the first files of one growing set); seconds spent writing."""
        if n % FILE_CASES:
            raise SystemExit(f"--big sizes must be multiples of {FILE_CASES:,}")
        secs = write_files(workdir / "big", n)
        folder = workdir / f"pq-{n}"
        folder.mkdir()
        for f in sorted((workdir / "big").glob("*.parquet"))[: n // FILE_CASES]:
            (folder / f.name).symlink_to(f)
        return folder, secs

    info["parquet_of"] = parquet_of  # written when measured: a skipped size costs nothing
    if not args.skip_dask:
        # A --workdir kept (--keep) from a run with the same corpus and size is reused.
        made = {"cases": args.dask_cases, "distinct": args.distinct, "seed": args.seed}
        marker = workdir / "by-year.json"
        if marker.exists() and json.loads(marker.read_text()) == made:
            info["dask_write_s"] = None
        else:
            shutil.rmtree(workdir / "by-year", ignore_errors=True)
            info["dask_write_s"] = write_files(workdir / "by-year", args.dask_cases, ("year",))
            marker.write_text(json.dumps(made))
    return info


# -------------------------------------------------------------------- driver
def run_child(workdir: Path, mode: str, *params: Any, one_core_env: bool = False) -> dict[str, Any]:
    env = dict(os.environ)
    if one_core_env:
        env.update(ONE_CORE_ENV)
    src = str(HERE.parent / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), src) if p)
    cmd = [sys.executable, __file__, "--child", mode, "--workdir", str(workdir)]
    cmd += ["--params", json.dumps(params)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return {"failed": done.returncode, "child_wall": wall}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["child_wall"] = wall
    return result


def child_main(mode: str, workdir: Path, params: list[Any]) -> None:
    if mode == "ledger":
        out = child_ledger(workdir, *params)
    elif mode == "parquet":
        out = child_parquet(workdir, *params)
    elif mode == "files":
        out = child_files(workdir, *params)
    elif mode == "dask":
        out = child_dask(workdir, *params)
    elif mode == "bad":
        out = child_bad(workdir, *params)
    else:
        raise SystemExit(f"unknown child mode {mode}")
    print(json.dumps(out, default=str))


def rate(n: int, secs: float) -> str:
    return f"{n / secs:,.0f}" if secs > 0 else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", type=int, default=100_000, help="cases in the JSON Lines ledger")
    ap.add_argument(
        "--big",
        type=lambda s: [int(v) for v in s.split(",") if v],
        default=[1_000_000, 10_000_000],
        help="Parquet sizes, comma-separated multiples of 500,000",
    )
    ap.add_argument("--dask-cases", type=int, default=4_000_000)
    ap.add_argument("--distinct", type=int, default=10_000, help="distinct cases in the corpus")
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--repeat", type=int, default=3, help="runs of (a); the best is reported")
    ap.add_argument(
        "--whole",
        action="store_true",
        help="(c) also times one process reading the whole Dask dataset at once",
    )
    ap.add_argument("--skip-ledger", action="store_true")
    ap.add_argument("--skip-parquet", action="store_true")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--bad-cases", type=int, default=1_000_000, help="(d) cases in the ledger")
    ap.add_argument("--bad-lines", type=int, default=100, help="(d) lines spoilt in it")
    ap.add_argument("--skip-bad", action="store_true")
    ap.add_argument(
        "--skip-dask-default",
        action="store_true",
        help="(c) skip the second Dask run with Dask's default worker malloc setting",
    )
    ap.add_argument("--workdir", type=Path, default=None, help="default: a temporary directory")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--params", default="[]", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_main(args.child, args.workdir, json.loads(args.params))
        return

    t_all = time.perf_counter()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="xinfang-columnar-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()} (other processes share the CPUs)")
    print(f"work directory: {workdir}", file=sys.stderr)
    try:
        info = prepare(args, workdir)
        report(args, workdir, info)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nwhole run: {time.perf_counter() - t_all:.0f} s wall-clock")


def report(args: argparse.Namespace, workdir: Path, info: dict[str, Any]) -> None:
    print(
        f"corpus: {args.distinct:,} distinct cases built through the value path in "
        f"{info['corpus_s']:.1f} s, {info['events_per_case']:.2f} events a case, "
        f"{len(info['kinds'])} change kinds; as of {load_setup(workdir)['as_of']}, seed {args.seed}"
    )
    print("events by kind: " + ", ".join(f"{k} {v:,}" for k, v in info["kinds"].items()))
    print("(data preparation is not part of any rate below)")

    if not args.skip_ledger:
        n = args.cases
        print(f"\n## (a) JSON Lines ledger → validated journal → clocks, {n:,} cases, all cores")
        print(f"ledger written in {info['ledger_s']:.1f} s (not timed below)")
        print(f"load average: {load_average()}")
        r = run_child(workdir, "ledger", info["ledger_path"], n, args.repeat)
        if "failed" in r:
            print(f"FAILED (exit {r['failed']})")
        else:
            print(
                f"ledger: {r['bytes'] / n:,.0f} bytes a case; clock rows {r['clock_rows']:,}; "
                f"statuses {r['status']}; same clocks as the value path: {r['same_clocks']}"
            )
            print(f"best of {args.repeat} runs (wall); CPU seconds are the process's, all threads")
            print()
            print("| path | step | wall s | CPU s | cases/s (wall) | cases per CPU-second |")
            print("|---|---|---:|---:|---:|---:|")
            for name, runs in (("columnar", r["columnar_runs"]), ("value", r["value_runs"])):
                best = min(runs, key=lambda v: v[0] + v[2])
                lw, lc, cw, cc = best
                steps = (
                    ("load_journal", "journal_clocks")
                    if name == "columnar"
                    else ("load_ledger", "clock_table")
                )
                print(
                    f"| {name} | {steps[0]} | {lw:.2f} | {lc:.2f} | {rate(n, lw)} | {rate(n, lc)} |"
                )
                print(
                    f"| {name} | {steps[1]} | {cw:.2f} | {cc:.2f} | {rate(n, cw)} | {rate(n, cc)} |"
                )
                print(
                    f"| **{name}** | **ledger → clocks** | {lw + cw:.2f} | {lc + cc:.2f} | "
                    f"**{rate(n, lw + cw)}** | {rate(n, lc + cc)} |"
                )
            print()
            print("all runs (load wall, load CPU, clocks wall, clocks CPU):")
            for name in ("columnar_runs", "value_runs"):
                print(
                    f"  {name}: " + "; ".join(", ".join(f"{v:.2f}" for v in run) for run in r[name])
                )
            rw, rc = min(r["reader_runs"])
            print(
                f"the floor: pyarrow's JSON reader alone (the engine's read schema, no checks, "
                f"no fold) {rw:.2f} s wall, {rc:.2f} CPU-s (best of {args.repeat}): no "
                f"ledger → clocks through it can pass {rate(n, rw)} cases/s on this machine"
            )
            print(
                f"columnar peak RSS above the child's start: "
                f"{r['columnar_peak_rss_per_case']:,.0f} bytes a case"
            )

    if not args.skip_parquet and args.big:
        print("\n## (b) Parquet journal → clocks + campaign snapshot, one core")
        print(f"load average: {load_average()}")
        print(
            f"Parquet written (masked) before each size, not timed; files of {FILE_CASES:,} cases"
        )
        print()
        print(
            "| cases | events | read_journal(lean) + fold s | clocks + campaign counts s "
            "| finish_snapshot s | total s | "
            "cases/s | CPU s | events B/case | milestones B/case | Arrow alloc B/case | "
            "peak Arrow B/case | peak RSS growth B/case | Parquet B/case |"
        )
        print("|" + "---:|" * 14)
        per_case = 0.0
        decodes: list[tuple[int, tuple[float, float]]] = []
        for n in sorted(args.big):
            need = per_case * n  # from the previous (smaller) size's peak RSS
            if need > 0.8 * available_memory():
                print(
                    f"| {n:,} | skipped: the smaller run's peak RSS ({per_case:,.0f} B a case) "
                    f"would need {need / 2**30:.1f} GiB, more than 80% of the "
                    f"{available_memory() / 2**30:.1f} GiB available |"
                )
                continue
            folder, secs = info["parquet_of"](n)
            print(f"(written {n:,} cases in {secs:.1f} s)", file=sys.stderr)
            r = run_child(workdir, "parquet", str(folder), n, one_core_env=True)
            per_case = max(per_case, r.get("peak_rss_growth", 0) / n)
            if "failed" in r:
                print(f"| {n:,} | FAILED (exit {r['failed']}, {r['child_wall']:.0f} s) |")
                continue
            decodes.append((n, r["decode"]))
            tm = r["times"]
            total = sum(v[0] for v in tm.values())
            cpu = sum(v[1] for v in tm.values())
            print(
                f"| {n:,} | {r['events']:,} | {tm['read_journal'][0]:.2f} | "
                f"{tm['journal_clocks'][0]:.2f} | {tm['journal_snapshot'][0]:.2f} | {total:.2f} | "
                f"**{rate(n, total)}** | {cpu:.2f} | {r['events_nbytes'] / n:,.0f} | "
                f"{r['milestones_nbytes'] / n:,.0f} | {r['journal_alloc'] / n:,.0f} | "
                f"{r['peak_arrow'] / n:,.0f} | {r['peak_rss_growth'] / n:,.0f} | "
                f"{r['parquet_bytes'] / n:,.0f} |"
            )
        print(
            "(Arrow alloc: pa.total_allocated_bytes() held after read_journal; peak Arrow: "
            "the memory pool's max_memory() over the run)"
        )
        for n, (wall, cpu) in decodes:
            print(
                f"the floor at {n:,} cases: pyarrow's Parquet decoder alone on the lean columns "
                f"(no checks, no fold) {wall:.2f} s wall, {cpu:.2f} CPU-s: no Parquet → clocks "
                f"through it can pass {rate(n, wall)} cases/s on one core"
            )

    if not args.skip_bad:
        report_bad(args, workdir, info)
    if not args.skip_dask:
        report_dask(args, workdir, info)


def report_bad(args: argparse.Namespace, workdir: Path, info: dict[str, Any]) -> None:
    n = args.bad_cases
    print(f"\n## (d) Bad input at scale: {n:,} cases, {args.bad_lines} lines spoilt, all cores")
    print(f"ledgers written in {info['bad_s']:.1f} s (not timed below)")
    print(f"load average: {load_average()}")
    r = run_child(workdir, "bad", *info["bad_paths"], n)
    if "failed" in r:
        print(f"FAILED (exit {r['failed']}): an exception other than a XinfangError, or a crash")
        return
    if "xinfang_error" in r:
        print(f"FAILED: {r['xinfang_error']}")
        return
    cw, cc, _ = r["clean"]
    rw, rc, problems = r["refuse"]
    sw, sc, kept, kw = r["skip"]
    print()
    print("| run | wall s | CPU s | cases/s (wall) | result |")
    print("|---|---:|---:|---:|---|")
    print(f"| clean ledger, `load_journal` | {cw:.2f} | {cc:.2f} | {rate(n, cw)} | {n:,} cases |")
    print(
        f"| spoilt ledger, `load_journal` (refuses) | {rw:.2f} | {rc:.2f} | {rate(n, rw)} | "
        f"{problems} problems; every spoilt line named with its case id, no other: "
        f"{r['refuse_named_all']} |"
    )
    print(
        f'| spoilt ledger, `on_bad_lines="skip"` | {sw:.2f} | {sc:.2f} | {rate(n, sw)} | '
        f"{kept:,} cases kept (all the others: {r['skip_kept_the_rest']}); the same lines "
        f"rejected: {r['skip_named_all']} |"
    )
    print(
        f"| its clocks (`journal_clocks`) | {kw:.2f} | | | no clock of a rejected case: "
        f"{r['no_rejected_clocks']} |"
    )


def report_dask(args: argparse.Namespace, workdir: Path, info: dict[str, Any]) -> None:
    """(c): one process running the tasks in turn, then Dask with and without its malloc setting."""
    n = args.dask_cases
    print(f"\n## (c) Dask, 2 worker processes × 1 thread, {n:,} cases partitioned by year")
    if info["dask_write_s"] is None:
        print("dataset (masked) reused from the work directory")
    else:
        print(f"dataset written (masked) in {info['dask_write_s']:.1f} s (not timed below)")
    print(f"load average: {load_average()}")
    one = run_child(workdir, "files", str(workdir / "by-year"), args.whole, one_core_env=True)
    if "failed" in one:
        print(f"one-process run FAILED (exit {one['failed']})")
        return
    capacity = [parallel_capacity()]
    runs: dict[str, dict[str, Any]] = {}
    variants = (("unset", False),) if args.skip_dask_default else (("unset", False), ("dask", True))
    for name, dask_malloc in variants:
        print(f"load average before the Dask run ({name}): {load_average()}", file=sys.stderr)
        runs[name] = run_child(workdir, "dask", str(workdir / "by-year"), dask_malloc)
        capacity.append(parallel_capacity())
        if "failed" in runs[name]:
            print(f"Dask run ({name}) FAILED (exit {runs[name]['failed']})")
            return
    d = runs["unset"]
    files = d["files"]
    label = {
        "unset": "Dask, worker env without MALLOC_TRIM_THRESHOLD_ (this bench's setting)",
        "dask": "Dask, Dask's default worker env (MALLOC_TRIM_THRESHOLD_=65536)",
    }
    print()
    print(
        "| run | wall s | cases/s | speed-up over one process | sum of task wall s "
        "| sum of task CPU s | page faults a task |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(
        f"| one process, one core, the same {files} tasks in turn | {one['tasks_wall']:.2f} | "
        f"{rate(n, one['tasks_wall'])} | 1.00× | {one['task_wall_sum']:.2f} | "
        f"{one['task_cpu_sum']:.2f} | {one['task_faults'] / files:,.0f} |"
    )
    for name, r in runs.items():
        print(
            f"| {label[name]} on 2 workers | {r['sweep_wall']:.2f} | {rate(n, r['sweep_wall'])} | "
            f"**{one['tasks_wall'] / r['sweep_wall']:.2f}×** | {r['task_wall_sum']:.2f} | "
            f"{r['task_cpu_sum']:.2f} | {r['task_faults'] / files:,.0f} |"
        )
    if "whole_wall" in one:
        print(
            f"| one process, one core, read_journal of the whole dataset | "
            f"{one['whole_wall']:.2f} | {rate(n, one['whole_wall'])} | "
            f"{one['tasks_wall'] / one['whole_wall']:.2f}× | | | |"
        )
    print()
    print(
        f"speed-up of Dask over one process running the same tasks: "
        f"{one['tasks_wall'] / d['sweep_wall']:.2f}×"
    )
    print(
        f"scheduler overhead: {files} no-op tasks in {d['noop_wall'] * 1000:.0f} ms = "
        f"{d['noop_wall'] / files * 1000:.1f} ms a partition; {files * 8} no-op tasks in "
        f"{d['noop8_wall'] * 1000:.0f} ms = "
        f"{d['noop8_wall'] / (files * 8) * 1000:.2f} ms a task"
    )
    for name, r in runs.items():
        print(
            f"{name}: workers' MALLOC_TRIM_THRESHOLD_ {r['worker_malloc_env']}; cluster start "
            f"{r['cluster_start']:.1f} s, worker warm-up (imports + 2 tasks) "
            f"{r['worker_warmup']:.1f} s (neither in the sweep time); tasks per worker "
            f"{r['tasks_per_worker']}, busy {[round(b, 1) for b in r['busy_per_worker']]} s; "
            f"CPU during the sweep: workers {r['sweep_workers_cpu']:.1f} s, driver (client, "
            f"scheduler, nannies) {r['sweep_driver_cpu']:.1f} s, the whole machine "
            f"{r['machine_busy_cpu_s']:.1f} s, so other processes about "
            f"{r['machine_busy_cpu_s'] - r['sweep_workers_cpu'] - r['sweep_driver_cpu']:.1f} s; "
            f"stolen by the host {r['machine_steal_s']:.1f} s"
        )
    print(
        f"clock rows {d['clock_rows']:,}; Dask results equal to one process (status counts "
        "and SnapshotCounts): "
        + ", ".join(f"{name} {r['equal_to_one_process']}" for name, r in runs.items())
        + (
            f"; whole-dataset run equal to the per-file reduction: {one['whole_equals_files']}"
            if "whole_wall" in one
            else ""
        )
    )
    print(f"one-process child peak RSS: {one['peak_rss'] / 2**30:.1f} GiB")
    print(
        "the machine's parallel capacity (a Python loop alone, then two at once; the ceiling "
        "of a 2-process speed-up at that moment), before and after each Dask run: "
        + "; ".join(f"{a:.2f} s / {p:.2f} s = {c:.2f} cores" for a, p, c in capacity)
    )


if __name__ == "__main__":
    main()
