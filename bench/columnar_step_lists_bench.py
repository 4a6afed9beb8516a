"""Benchmark: what the plan step list columns cost the milestones table (issue 26).

    python bench/columnar_step_lists_bench.py [--cases 1000000] [--distinct 10000] [--repeat 3]

The corpus (``bench/_corpus.py``: ``--distinct`` cases through the value
path, every change kind, plans with one step) is repeated under new case ids
to ``--cases`` as one journal table. In one process, one core
(``pa.set_cpu_count(1)``), CPU seconds (``process_time``), best of
``--repeat``, the two folds run in alternation (the machine is shared):

* **fold**: the column fold (journal -> milestones table) as it is, and with
  its step lists computed as empty (the fold's ``_steps`` replaced by one that
  builds two empty list columns from zero offsets: what a table without step
  lists would cost, everything else equal). Cases per CPU-second of each, and
  the CPU time of ``_steps`` itself, timed inside the fold.
* **bytes**: the milestones table's ``nbytes`` per case, whole and without
  the two list columns (``step_due``, ``step_done``), and the two columns'
  own bytes per case.
* **clocks**: ``journal_clocks`` (the engine, with the plan and step clocks)
  on the whole journal, once: cases per wall second, and how many step clocks it gave.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))


def best(runs: list[float]) -> float:
    return min(runs)


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    runs, out = [], None
    for _ in range(repeat):
        out = None
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return best(runs), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--distinct", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import _corpus
    import numpy as np
    import pyarrow as pa

    from xinfang.columnar import _fold, journal_clocks, journal_from_cases
    from xinfang.columnar._cases import case_offsets
    from xinfang.columnar._fold import fold

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    corpus = _corpus.make_corpus(args.distinct, seed=args.seed)
    base = journal_from_cases(corpus.cases)
    copies = -(-args.cases // args.distinct)
    events = pa.concat_tables(
        _corpus.replicate_events(base.events, k) for k in range(copies)
    ).combine_chunks()
    starts = case_offsets(events)[:-1]
    n = len(starts)
    plans = int(np.count_nonzero(base.milestones.column("plan_steps").to_numpy() > 0))
    print(f"xinfang columnar step lists bench: {n:,} cases, {events.num_rows:,} events")
    print(f"  cases with a plan step: {plans / args.distinct:.1%} of the corpus")

    real_steps = _fold._steps
    spent: list[float] = []

    def timed_steps(plan: Any, completes: Any, rows: Any, out: Any, day: Any) -> None:
        t0 = time.process_time()
        real_steps(plan, completes, rows, out, day)
        spent.append(time.process_time() - t0)

    def no_steps(plan: Any, completes: Any, rows: Any, out: Any, day: Any) -> None:
        empty = pa.ListArray.from_arrays(
            pa.array(np.zeros(rows.m + 1, np.int32)), pa.array([], pa.date32())
        )
        out.lists["step_due"] = out.lists["step_done"] = empty

    # with and without in alternation (the machine is shared): best CPU seconds of each
    with_runs: list[float] = []
    without_runs: list[float] = []
    try:
        for _ in range(args.repeat):
            for variant, runs in ((timed_steps, with_runs), (no_steps, without_runs)):
                _fold._steps = variant
                gc.collect()
                t0 = time.process_time()
                result = fold(events, starts=starts)
                runs.append(time.process_time() - t0)
                if variant is timed_steps:
                    folded = result
                else:
                    folded_without = result
                del result
    finally:
        _fold._steps = real_steps
    with_s, without_s, steps_s = min(with_runs), min(without_runs), min(spent)
    milestones = folded.milestones
    lists = ["step_due", "step_done"]
    whole_b = milestones.nbytes
    bare_b = milestones.drop_columns(lists).nbytes
    list_b = sum(milestones.column(c).nbytes for c in lists)
    empty_b = sum(folded_without.milestones.column(c).nbytes for c in lists)
    print(
        f"  fold with step lists     {n / with_s:>12,.0f} cases/CPU-s  ({with_s:.2f} CPU-s)\n"
        f"  fold, step lists empty   {n / without_s:>12,.0f} cases/CPU-s  ({without_s:.2f} CPU-s)\n"
        f"  the step lists alone (the fold's _steps, timed inside it): {steps_s:.3f} CPU-s,"
        f" {steps_s / with_s:.1%} of the fold"
    )
    print(f"  all runs (CPU-s): with {with_runs}, without {without_runs}, _steps {spent}")
    print(
        f"  milestones bytes/case: {whole_b / n:.1f} whole, {bare_b / n:.1f} without the"
        f" step lists; the two lists {list_b / n:.1f} (empty: {empty_b / n:.1f})"
    )
    del folded, folded_without
    journal = journal_from_cases([])  # an empty Journal's type, to build one from the tables
    journal = type(journal)(events=events, milestones=milestones)
    as_of = dt.date.fromisoformat(str(corpus.as_of))
    clocks_s, sweep = timed(lambda: journal_clocks(journal, as_of=as_of), 1)
    kinds = sweep.clocks.column("limit").to_pylist() if "limit" in sweep.clocks.column_names else []
    steps = sum(1 for k in kinds if k and "step" in str(k))
    print(
        f"  journal_clocks           {n / clocks_s:>12,.0f} cases/s  ({clocks_s:.2f} s),"
        f" {sweep.clocks.num_rows:,} clocks, {steps:,} step clocks"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"  peak RSS {rss / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
