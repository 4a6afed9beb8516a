"""The milestones companion: clocks and counts from it, its update, its size (issue 25).

    python bench/milestones_bench.py                      # 1,000,000 cases, one core
    python bench/milestones_bench.py --cases 200000 --distinct 2000

On one core (pyarrow's CPU and I/O pools set to one thread, ``use_threads=False``):

- the journal of ``--cases`` cases (copies of the columnar bench's corpus,
  ``bench/_corpus.py``, renamed) written by ``write_journal`` partitioned by
  year, with its companion;
- **sweep**: ``read_milestones`` + ``sweep_milestones`` (clocks and the
  campaign's counts) beside the floor: Parquet's decoder alone on the same
  files and columns (``pyarrow.parquet.read_table``), and the engine alone on
  the table already in memory; best of ``--repeat``;
- checked equal to ``journal_clocks`` on the events (clocks and counts);
- **bytes per case** of the companion on disk (Parquet, as written by default);
- **update**: 1% of the cases receive one event each (``Notify``, a minute
  after their last); ``update_milestones`` (delta files) against the full
  refresh (the lean read of the whole journal, the fold and
  ``write_milestones``), beside its floors: the touched cases' stored events
  read alone (and Parquet's decoder alone on the lean columns of every
  journal file), the deltas' writes alone; then ``compact_milestones``, the
  readers with one delta a partition and compacted, and the companion checked
  equal to a full refold of the journal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import xinfang as x
from xinfang.columnar import (
    JOURNAL_SCHEMA,
    SWEEP_COLUMNS,
    Journal,
    compact_milestones,
    journal_clocks,
    journal_from_cases,
    journal_from_table,
    read_journal,
    read_milestones,
    sweep_milestones,
    update_milestones,
    write_journal,
)
from xinfang.columnar._companion import companion_path, companion_table, write_milestones
from xinfang.columnar._updates import _stored_rows as stored_rows

sys.path.insert(0, str(Path(__file__).parent))
import _corpus  # the bench's own corpus, beside this file


def best(repeat: int, fn: Any) -> tuple[float, Any]:
    """The best wall time of ``repeat`` calls and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def replicated(base: Journal, n: int, distinct: int) -> Journal:
    """``n`` cases: copies of ``base`` (``distinct`` cases) with their ids renamed."""
    events, milestones = [], []
    for k in range(-(-n // distinct)):
        e = _corpus.replicate_events(base.events, k)
        m = _corpus.replicate_events(base.milestones, k)
        left = n - k * distinct
        if left < distinct:
            starts = np.append(np.flatnonzero(e.column("seq").to_numpy() == 1), e.num_rows)
            e, m = e.slice(0, int(starts[left])), m.slice(0, left)
        events.append(e)
        milestones.append(m)
    return Journal(events=pa.concat_tables(events), milestones=pa.concat_tables(milestones))


def new_events(
    corpus: Any, journal: Journal, share: float, seed: int, *, year: int | None = None
) -> Any:
    """A ``Notify`` a minute after the last event of ``share`` of the cases (that allow one).

    ``year``: only among the cases received that year (the journal's partition).
    """
    rng = np.random.default_rng(seed)
    d = len(corpus.cases)
    extra: dict[int, Any] = {}  # base case -> the journal row of its extra event
    for i, case in enumerate(corpus.cases):
        last = case.events[-1]
        event = x.Event(
            seq=last.seq + 1,
            at=last.at + dt.timedelta(minutes=1),
            by="bench",
            change=x.changes.Notify(),
        )
        try:
            longer = x.replay((*case.events, event))
        except x.XinfangError:
            continue
        rows = journal_from_cases([longer]).events
        extra[i] = rows.slice(rows.num_rows - 1, 1)
    n = len(journal)
    received = pc.year(journal.milestones.column("received")).to_numpy(zero_copy_only=False)
    open_ = np.array([k for k in range(n) if k % d in extra and year in (None, received[k])])
    chosen = np.sort(rng.choice(open_, size=int(n * share), replace=False))
    parts = [_corpus.replicate_events(extra[int(k % d)], int(k // d)) for k in chosen]
    return pa.concat_tables(parts)


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*.parquet"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--distinct", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--share", type=float, default=0.01, help="cases receiving an event")
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args()
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    t0 = time.perf_counter()
    corpus = _corpus.make_corpus(args.distinct, seed=args.seed)
    base = journal_from_cases(corpus.cases)
    journal = replicated(base, args.cases, args.distinct)
    n = len(journal)
    day = max([corpus.as_of, *(c.events[-1].at.date() for c in corpus.cases)])
    campaign = _corpus.campaign_of(_corpus.backlog_ids(corpus.cases), args.distinct)
    org, cal = corpus.org, corpus.calendar
    print(
        f"{n:,} cases, {journal.events.num_rows / n:.1f} events each, as of {day} "
        f"(built in {time.perf_counter() - t0:.0f} s); pyarrow on one thread"
    )
    with tempfile.TemporaryDirectory() as folder:
        where = Path(folder) / "journal"
        t0 = time.perf_counter()
        write_journal(journal, where, partition_by=("year",))
        print(f"  write_journal (events and companion, by year): {time.perf_counter() - t0:.1f} s")
        companion = companion_path(where)
        files = sorted(str(f) for f in companion.rglob("*.parquet"))
        size = size_of(companion)
        print(
            f"  companion on disk: {size / n:.1f} bytes a case ({size / 1e6:.1f} MB, "
            f"{len(files)} files); the journal: {size_of(where):,} bytes "
            f"= {size_of(where) / n:.0f} a case"
        )
        names = read_milestones(where).column_names
        floor, _ = best(
            args.repeat, lambda: [pq.read_table(f, columns=names, use_threads=False) for f in files]
        )
        read, table = best(args.repeat, lambda: read_milestones(where, use_threads=False))
        sweep, found = best(
            args.repeat,
            lambda: sweep_milestones(
                table, day, calendar=cal, campaign=campaign, org=org, journal=where
            ),
        )
        clocks_only, _ = best(
            args.repeat, lambda: sweep_milestones(table, day, calendar=cal, journal=where)
        )
        print(
            f"  Parquet's decoder alone, the same files and columns: {floor:.2f} s = "
            f"{n / floor:,.0f} cases/s"
        )
        print(f"  read_milestones: {read:.2f} s = {n / read:,.0f} cases/s")
        print(
            f"  sweep_milestones, clocks + campaign counts (table in memory): {sweep:.2f} s = "
            f"{n / sweep:,.0f} cases/s; clocks alone {clocks_only:.2f} s = "
            f"{n / clocks_only:,.0f} cases/s"
        )
        total = read + sweep
        print(
            f"  Parquet milestones -> clocks + counts: {total:.2f} s = {n / total:,.0f} cases/s "
            f"({found.clocks.num_rows:,} clock rows)"
        )
        t0 = time.perf_counter()
        lean = read_journal(where, lean=True, use_threads=False)
        events_sweep = journal_clocks(lean, as_of=day, calendar=cal, campaign=campaign, org=org)
        events_took = time.perf_counter() - t0
        same = events_sweep.clocks.equals(found.clocks) and events_sweep.counts == found.counts
        print(
            f"  the same from the events (lean read + fold + sweep): {events_took:.2f} s = "
            f"{n / events_took:,.0f} cases/s; equal clocks and counts: {same}"
        )
        if not same:
            raise SystemExit("the companion's sweep differs from the journal's")

        # -- update: share of the cases receive one event each (delta files, then compaction)
        added = new_events(corpus, journal, args.share, args.seed)
        arriving = Path(folder) / "new-events.parquet"  # the day's events, in one file
        pq.write_table(added, arriving)
        added = pq.read_table(arriving, use_threads=False)
        touched = added.num_rows
        ids = added.column("case_id").unique()
        fold_s, fold_all = best(
            args.repeat, lambda: read_journal(where, lean=True, use_threads=False)
        )
        copy_dir = Path(folder) / "full"
        write_s, _ = best(
            args.repeat, lambda: write_milestones(fold_all, copy_dir, partition_by=("year",))
        )
        full = fold_s + write_s
        shutil.rmtree(companion_path(copy_dir))
        journal_files = sorted(where.rglob("*.parquet"))
        lean_schema = pa.schema([JOURNAL_SCHEMA.field(c) for c in SWEEP_COLUMNS])
        # Floor 1: the touched cases' stored events alone, as the update reads them (each
        # file's case_id column, then the lean columns of the row groups holding them).
        homes = sorted({f.parent.relative_to(where) for f in journal_files})
        read_floor, old = best(args.repeat, lambda: stored_rows(where, 0, homes, ids, lean_schema))
        # Floor 2: Parquet's decoder alone on the lean columns of every journal file (random
        # cases touch every row group: what any read of their events by row group decodes).
        decode_floor, _ = best(
            args.repeat,
            lambda: [
                pq.read_table(f, columns=list(SWEEP_COLUMNS), use_threads=False)
                for f in journal_files
            ],
        )
        # Floor 3: the deltas' writes alone: the new events and the touched cases' new rows
        # (folded beforehand), one file of each per touched partition.
        stored = read_journal(where, filters=pc.field("case_id").isin(ids), use_threads=False)
        both = pa.concat_tables([stored.events, added])
        rows = companion_table(
            journal_from_table(both.sort_by([("case_id", "ascending"), ("seq", "ascending")]))
        )
        scratch = Path(folder) / "floor"

        def write_floor() -> None:
            for k, home in enumerate(homes):
                part = scratch / home
                part.mkdir(parents=True, exist_ok=True)
                lo, hi = k * touched // len(homes), (k + 1) * touched // len(homes)
                pq.write_table(added.slice(lo, hi - lo), part / "events.parquet")
                pq.write_table(rows.slice(lo, hi - lo), part / "rows.parquet")

        write_floor_s, _ = best(args.repeat, write_floor)
        shutil.rmtree(scratch)
        print(
            f"  full refresh: lean read + fold {fold_s:.2f} s, write_milestones {write_s:.2f} s "
            f"= {full:.2f} s"
        )
        print(
            f"  floors: the touched cases' stored events read alone {read_floor:.2f} s "
            f"= {read_floor / full:.1%} ({old.num_rows:,} events; Parquet's decoder alone on the "
            f"lean columns of all {len(journal_files)} journal files: {decode_floor:.2f} s "
            f"= {decode_floor / full:.1%}); the deltas' writes alone {write_floor_s:.3f} s "
            f"= {write_floor_s / full:.1%}"
        )

        def timed_updates(name: str, events_file: Path) -> tuple[list[float], int, Path]:
            """``update_milestones`` of one file's events, each run on a fresh copy."""
            runs, refolded, copy = [], 0, where
            for r in range(args.repeat):
                copy = Path(folder) / f"{name}-{r}"
                shutil.copytree(where, copy)
                shutil.copytree(companion_path(where), companion_path(copy))
                t0 = time.perf_counter()
                refolded = update_milestones(copy, pq.read_table(events_file, use_threads=False))
                runs.append(time.perf_counter() - t0)
            return runs, refolded, copy

        updates, refolded, copy = timed_updates("updated", arriving)
        update = min(updates)
        print(
            f"  update_milestones (the new events read from one file), {touched:,} cases "
            f"({args.share:.0%}) one event each: {update:.2f} s = {update / full:.1%} of the "
            f"full refresh ({refolded:,} refolded; runs {', '.join(f'{u:.2f}' for u in updates)})"
        )
        latest = int(pc.max(pc.year(journal.milestones.column("received"))).as_py())
        recent = Path(folder) / "recent-events.parquet"
        pq.write_table(new_events(corpus, journal, args.share, args.seed, year=latest), recent)
        recent_runs, _, _ = timed_updates("recent", recent)
        print(
            f"  the same number of cases, all received in {latest} (one partition: time limits "
            f"are months, so a day's events fall mostly on recent cases): {min(recent_runs):.2f} s "
            f"= {min(recent_runs) / full:.1%} of the full refresh "
            f"(runs {', '.join(f'{u:.2f}' for u in recent_runs)})"
        )
        readers = {
            "read_milestones": lambda: read_milestones(copy, use_threads=False),
            "read_journal(lean)": lambda: read_journal(copy, lean=True, use_threads=False),
        }
        with_deltas = {name: best(args.repeat, read)[0] for name, read in readers.items()}
        t0 = time.perf_counter()
        compacted = compact_milestones(copy, journal=False)
        rows_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        compacted += compact_milestones(copy)
        events_s = time.perf_counter() - t0
        print(
            f"  compact_milestones: the companion alone (journal=False) {rows_s:.2f} s = "
            f"{rows_s / full:.0%} of the full refresh, then the journal {events_s:.2f} s = "
            f"{events_s / full:.0%} ({compacted} partition folders rewritten)"
        )
        for name, read in readers.items():
            print(
                f"  {name}: {with_deltas[name]:.2f} s with one delta a partition, "
                f"{best(args.repeat, read)[0]:.2f} s compacted"
            )
        t0 = time.perf_counter()
        merged = read_journal(copy, lean=True, use_threads=False)
        want = companion_table(merged).sort_by("case_id")
        same = read_milestones(copy).sort_by("case_id").equals(want)
        print(
            f"  after the update and the compaction: the companion equals a full refold of the "
            f"journal ({merged.events.num_rows:,} events, {len(merged):,} cases): {same} "
            f"({time.perf_counter() - t0:.1f} s)"
        )
        if not same:
            raise SystemExit("the updated companion differs from a full refold")


if __name__ == "__main__":
    main()
