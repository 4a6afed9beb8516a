"""The milestones companion: clocks and counts from it, its update, its size (issue 25).

    python bench/milestones_bench.py                      # 1,000,000 cases, one core
    python bench/milestones_bench.py --cases 200000 --distinct 2000
    python bench/milestones_bench.py --sweep-sizes 1000000,10000000   # the sweep alone

On one core (pyarrow's CPU and I/O pools set to one thread, ``use_threads=False``):

- the journal of ``--cases`` cases (copies of the columnar bench's corpus,
  ``bench/_corpus.py``, renamed) written by ``write_journal`` partitioned by
  year, with its companion;
- **sweep**: ``read_milestones`` + ``sweep_milestones`` (clocks and the
  campaign's counts) beside the floor: Parquet's decoder alone on the same
  files and columns (``pyarrow.parquet.read_table``), and the engine alone on
  the table already in memory; best of ``--repeat``;
- checked equal to ``journal_clocks`` on the events (clocks and counts);
- with ``--sweep-sizes 1000000,10000000``: the sweep alone at each size
  (nothing else), the companion made directly (the base corpus's companion,
  as ``write_journal`` writes it, replicated with renamed ids: writing a
  10M-case journal would take minutes and ~10 GB), each size beside the
  decoder alone on its files; checked: the generated companion equals the one
  ``write_journal`` writes for a small size, and at each size the counts of
  the whole equal the sum of those of its slices of at most 1M cases;
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
    COMPANION_SCHEMA,
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


# -- sweep: the companion of many cases made directly, and the sweep alone at each size


def best_of(repeat: int, fn: Any) -> tuple[float, float, Any]:
    """The best wall and CPU seconds of ``repeat`` calls and the last result.

    Each result is dropped before the next call (two 10M-case clock tables
    need not be held at once).
    """
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        out = None
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), out


def replicated_companion(seed: Path, to: Path, base: Journal, n: int) -> None:
    """At ``to``: the companion of ``n`` cases, copies of ``base`` renamed, made from its own.

    ``seed`` is ``base`` written by ``write_journal``: its companion's folder
    is copied and each of its files replaced by its rows repeated once per
    copy, ids renamed (``XF-0000-`` to ``XF-kkkk-``), the last copy cut to
    fit: the rows, order and files ``write_journal`` writes beside
    ``replicated(base, n, distinct)``, without that journal.
    """
    distinct = len(base)
    position = {cid: k for k, cid in enumerate(base.milestones.column("case_id").to_pylist())}
    copies = -(-n // distinct)
    left = n - (copies - 1) * distinct  # cases of the last copy: the first `left` of base
    target = companion_path(to)
    shutil.copytree(companion_path(seed), target)
    for f in sorted(target.rglob("*.parquet")):
        rows = pq.read_table(f)
        ids = rows.column("case_id").combine_chunks()
        tail = pc.utf8_slice_codeunits(ids, len(_corpus.BASE))
        keep = np.array([position[c] < left for c in ids.to_pylist()], dtype=bool)
        m = rows.num_rows
        take = np.concatenate([np.tile(np.arange(m), copies - 1), np.flatnonzero(keep)])
        copy = np.concatenate(
            [np.repeat(np.arange(copies - 1), m), np.full(int(keep.sum()), copies - 1)]
        )
        prefixes = pa.array([f"XF-{k:04d}-" for k in range(copies)], pa.string())
        prefix = pa.DictionaryArray.from_arrays(pa.array(copy, pa.int32()), prefixes)
        renamed = pc.binary_join_element_wise(
            prefix.cast(pa.string()), tail.take(pa.array(take)), ""
        )
        out = rows.take(pa.array(take))
        out = out.set_column(out.schema.get_field_index("case_id"), "case_id", renamed)
        pq.write_table(out.cast(rows.schema), str(f))


def sweep_sizes(
    sizes: list[int], base: Journal, corpus: Any, *, day: dt.date, campaign: Any, repeat: int
) -> None:
    """The sweep from the companion alone at each size, beside Parquet's decoder alone."""
    with tempfile.TemporaryDirectory() as folder:
        seed = Path(folder) / "base"
        write_journal(base, seed, partition_by=("year",))
        small = min(3 * len(base), max(sizes))  # the generated companion, checked at a small size
        check = Path(folder) / "check"
        write_journal(replicated(base, small, len(base)), check, partition_by=("year",))
        made = Path(folder) / "made"
        replicated_companion(seed, made, base, small)
        faithful = read_milestones(made).equals(read_milestones(check))
        print(
            f"  the companion made directly equals write_journal's at {small:,} cases: {faithful}"
        )
        if not faithful:
            raise SystemExit("the generated companion differs from write_journal's")
        shutil.rmtree(companion_path(check))
        shutil.rmtree(companion_path(made))
        for n in sizes:
            where = Path(folder) / f"j{n}"
            t0 = time.perf_counter()
            replicated_companion(seed, where, base, n)
            print(f"{n:,} cases: companion made in {time.perf_counter() - t0:.0f} s")
            sweep_at(n, where, corpus, day=day, campaign=campaign, repeat=repeat)
            shutil.rmtree(companion_path(where))


def sweep_at(n: int, where: Path, corpus: Any, *, day: dt.date, campaign: Any, repeat: int) -> None:
    """Decoder alone, read + sweep (clocks and counts) of the companion at ``where``; checked."""
    org, cal = corpus.org, corpus.calendar
    files = sorted(str(f) for f in companion_path(where).rglob("*.parquet"))
    size = size_of(companion_path(where))
    print(f"  {size / n:.1f} bytes a case on disk, {len(files)} files")
    names = COMPANION_SCHEMA.names
    floor, floor_cpu, _ = best_of(
        repeat, lambda: [pq.read_table(f, columns=names, use_threads=False) for f in files]
    )
    read, read_cpu, table = best_of(repeat, lambda: read_milestones(where, use_threads=False))
    sweep, sweep_cpu, found = best_of(
        repeat, lambda: sweep_milestones(table, day, calendar=cal, campaign=campaign, org=org)
    )
    total, cpu = read + sweep, read_cpu + sweep_cpu
    print(
        f"  Parquet's decoder alone, the same files and columns: {floor:.2f} s = "
        f"{n / floor:,.0f} cases/s (CPU {floor_cpu:.2f} s)"
    )
    print(
        f"  read_milestones {read:.2f} s + sweep_milestones (clocks + counts) {sweep:.2f} s "
        f"= {total:.2f} s = {n / total:,.0f} cases/s ({total / floor:.2f}x the decoder; "
        f"{found.clocks.num_rows:,} clock rows)"
    )
    print(
        f"  CPU: read {read_cpu:.2f} s + sweep {sweep_cpu:.2f} s = {cpu:.2f} s = "
        f"{n / cpu:,.0f} cases/s ({cpu / floor_cpu:.2f}x the decoder's CPU)"
    )
    step = min(1_000_000, -(-n // 4))  # four slices at least, at most 1M cases each
    counts, rows = found.counts, found.clocks.num_rows
    found = None
    pieces = [
        sweep_milestones(table.slice(i, step), day, calendar=cal, campaign=campaign, org=org)
        for i in range(0, n, step)
    ]
    adds = sum(p.counts for p in pieces) == counts
    adds &= sum(p.clocks.num_rows for p in pieces) == rows
    print(f"  the counts of the whole = the sum of its {len(pieces)} slices': {adds}")
    if not adds:
        raise SystemExit("the sweep's counts do not add up over slices")


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
    ap.add_argument(
        "--sweep-sizes",
        default="",
        help="the sweep alone at these sizes (comma-separated), the companion made directly",
    )
    args = ap.parse_args()
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    t0 = time.perf_counter()
    corpus = _corpus.make_corpus(args.distinct, seed=args.seed)
    base = journal_from_cases(corpus.cases)
    if args.sweep_sizes:
        day = max([corpus.as_of, *(c.events[-1].at.date() for c in corpus.cases)])
        campaign = _corpus.campaign_of(_corpus.backlog_ids(corpus.cases), args.distinct)
        sizes = [int(v) for v in args.sweep_sizes.split(",")]
        print(f"the sweep alone at {sizes}, {args.distinct:,} distinct cases; one thread")
        sweep_sizes(sizes, base, corpus, day=day, campaign=campaign, repeat=args.repeat)
        return
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
        floor, floor_cpu, _ = best_of(
            args.repeat, lambda: [pq.read_table(f, columns=names, use_threads=False) for f in files]
        )
        read, read_cpu, table = best_of(
            args.repeat, lambda: read_milestones(where, use_threads=False)
        )
        sweep, sweep_cpu, found = best_of(
            args.repeat,
            lambda: sweep_milestones(
                table, day, calendar=cal, campaign=campaign, org=org, journal=where
            ),
        )
        clocks_only, clocks_cpu, _ = best_of(
            args.repeat, lambda: sweep_milestones(table, day, calendar=cal, journal=where)
        )
        print(
            f"  Parquet's decoder alone, the same files and columns: {floor:.2f} s = "
            f"{n / floor:,.0f} cases/s (CPU {floor_cpu:.2f} s)"
        )
        print(f"  read_milestones: {read:.2f} s = {n / read:,.0f} cases/s (CPU {read_cpu:.2f} s)")
        print(
            f"  sweep_milestones, clocks + campaign counts (table in memory): {sweep:.2f} s = "
            f"{n / sweep:,.0f} cases/s (CPU {sweep_cpu:.2f} s); clocks alone {clocks_only:.2f} s "
            f"= {n / clocks_only:,.0f} cases/s (CPU {clocks_cpu:.2f} s)"
        )
        total, cpu = read + sweep, read_cpu + sweep_cpu
        print(
            f"  Parquet milestones -> clocks + counts: {total:.2f} s = {n / total:,.0f} cases/s "
            f"(CPU {cpu:.2f} s = {n / cpu:,.0f} cases/s; {found.clocks.num_rows:,} clock rows)"
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
