"""Benchmark: a campaign snapshot over many cases and 20 units.

    python bench/snapshot_bench.py [--cases 1000000] [--seed 20261127]

Builds ``--cases`` synthetic cases over 20 detachments (80% campaign targets,
some settled, with owners; building is not timed), then times ``snapshot``
as of 2026-11-27 with the cases in memory, and reports the peak memory per
case (the process's peak resident memory, from getrusage).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import random
import resource
import sys
import time

import xinfang as x
from xinfang.instants import SHANGHAI

AS_OF = dt.date(2026, 11, 27)


def build(n: int, seed: int) -> tuple[x.Organization, x.Campaign, list[x.Case]]:
    rng = random.Random(seed)
    units = [x.responsibility.Unit(id="HQ", name="总队", level="corps")]
    units += [
        x.responsibility.Unit(id=f"D{i}", name=f"支队{i}", level="detachment", parent="HQ")
        for i in range(20)
    ]
    officials = [
        x.responsibility.Official(
            id=f"D{i}-H", name="支队长", unit=f"D{i}", post=x.responsibility.Post.HEAD
        )
        for i in range(20)
    ]
    org = x.Organization(levels=("corps", "detachment"), units=units, officials=officials)
    petitioner = (x.personal.Petitioner(name="张三"),)
    claim = (x.changes.Claim(request="落实待遇"),)
    lo = dt.datetime(2025, 1, 1, 9, tzinfo=SHANGHAI)
    cases, targets = [], []
    for i in range(n):
        unit = f"D{i % 20}"
        received = lo + dt.timedelta(days=rng.randrange(600))
        reg = x.changes.Register(
            case_id=f"C{i:07d}",
            received_at=received,
            channel=x.vocabulary.Channel.LETTER,
            receiving_unit=unit,
            petitioners=petitioner,
            claims=claim,
            backlog_since=received.date(),
            skip_level=rng.random() < 0.05,
        )
        at = received + dt.timedelta(days=rng.randrange(1, 10))
        events = [
            x.Event(seq=1, at=received, by="c", change=reg),
            x.Event(seq=2, at=at, by="c", change=x.changes.Notify()),
            x.Event(seq=3, at=at, by="c", change=x.changes.Accept()),
        ]
        if rng.random() < 0.5:
            at += dt.timedelta(days=rng.randrange(1, 60))
            events.append(x.Event(seq=4, at=at, by="c", change=x.changes.Settle(evidence="承诺书")))
        cases.append(x.replay(events))
        if rng.random() < 0.8:
            targets.append(f"C{i:07d}")
    campaign = x.Campaign(
        id="bench",
        name="攻坚",
        units=[f"D{i}" for i in range(20)],
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 12, 31),
        targets=targets,
        intake_baseline=1000,
    )
    return org, campaign, cases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    org, campaign, cases = build(args.cases, args.seed)
    built = time.perf_counter() - t0
    rss_built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"  built {len(cases):,} cases in {built:.0f} s", file=sys.stderr)
    gc.collect()
    gc.freeze()
    cal = x.china_mainland(provisional=True)
    x.snapshot(campaign, cases[:100], org, as_of=AS_OF, calendar=cal)
    t0 = time.perf_counter()
    snap = x.snapshot(campaign, cases, org, as_of=AS_OF, calendar=cal)
    secs = time.perf_counter() - t0
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    n = len(cases)
    goal = "met" if secs < 3 and n >= 1_000_000 else "not met"
    print(f"Python {platform.python_version()} on {platform.machine()}, as of {AS_OF}, 20 units")
    print()
    print("| measurement | cases | seconds | cases/s | goal |")
    print("|---|---:|---:|---:|---|")
    print(f"| `snapshot` | {n:,} | {secs:.2f} | {n / secs:,.0f} | < 3 s for 1M: {goal} |")
    print()
    print(
        f"peak memory (max RSS): {(rss_built - rss0) / n:,.0f} bytes per case for the cases, "
        f"{max(rss_peak - rss_built, 0) / n:,.0f} more per case during the snapshot, "
        f"{rss_peak / 2**20:,.0f} MiB in all"
    )
    print(
        f"targets {snap.overall.targets:,}, settled {snap.overall.settled:,}, "
        f"overdue {snap.overall.overdue:,}, agenda {len(snap.agenda):,}"
    )


if __name__ == "__main__":
    main()
