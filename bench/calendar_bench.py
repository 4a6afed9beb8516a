"""Benchmark: "n working days after d" with xinfang and its peers, in one run.

    python bench/calendar_bench.py [--ops 100000] [--seed 20261127]

Draws ``--ops`` random (start in 2021-2025, n in 1-90) pairs of plain
``datetime.date`` values and times each implementation on them (best of
``--repeat`` runs). Peers too slow to run all pairs in reasonable time run on a
prefix of the same pairs; the table says how many. Every implementation's
answers are compared with xinfang's and the disagreements are counted, so a
fast wrong answer is visible as such.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import sys
import time
import warnings
from collections.abc import Callable, Sequence

import xinfang

Pair = tuple[dt.date, int]
ONE = dt.timedelta(days=1)


def make_pairs(n: int, seed: int) -> list[Pair]:
    rng = random.Random(seed)
    lo, hi = dt.date(2021, 1, 1).toordinal(), dt.date(2025, 12, 31).toordinal()
    return [(dt.date.fromordinal(rng.randint(lo, hi)), rng.randint(1, 90)) for _ in range(n)]


def timed(fn: Callable[[Sequence[Pair]], list[dt.date]], pairs: Sequence[Pair], repeat: int):
    best = float("inf")
    out: list[dt.date] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(pairs)
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--ops", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--slow-ops", type=int, default=2_000, help="pairs for the slowest peers")
    args = ap.parse_args()

    pairs = make_pairs(args.ops, args.seed)
    cal = xinfang.china_mainland()

    # ---- xinfang
    def xin_scalar(ps: Sequence[Pair]) -> list[dt.date]:
        add = cal.add_working_days
        return [add(d, n) for d, n in ps]

    def xin_many(ps: Sequence[Pair]) -> list[dt.date]:
        return cal.add_working_days_many([d for d, _ in ps], [n for _, n in ps])

    # ---- a naive loop over the same data (what a careful hand-written loop does)
    off, on = cal.holidays, cal.makeup_workdays

    def naive(ps: Sequence[Pair]) -> list[dt.date]:
        out = []
        for d, n in ps:
            while n:
                d += ONE
                if d in on or (d.weekday() < 5 and d not in off):
                    n -= 1
            out.append(d)
        return out

    # ---- chinesecalendar
    import chinese_calendar

    def cc_loop(ps: Sequence[Pair]) -> list[dt.date]:
        is_workday = chinese_calendar.is_workday
        out = []
        for d, n in ps:
            while n:
                d += ONE
                if is_workday(d):
                    n -= 1
            out.append(d)
        return out

    def cc_find(ps: Sequence[Pair]) -> list[dt.date]:
        find = chinese_calendar.find_workday
        return [find(n, d) for d, n in ps]

    # ---- holidays (CN, with its weekend_workdays)
    import holidays

    hcn = holidays.country_holidays("CN", years=range(2021, 2027))

    def hol_nth(ps: Sequence[Pair]) -> list[dt.date]:
        nth = hcn.get_nth_working_day
        return [nth(d, n) for d, n in ps]

    # ---- workalendar China (data for 2018-2023 only: run on pairs that stay inside)
    warnings.simplefilter("ignore")
    from workalendar.asia import China

    wcal = China()
    wpairs = [(d, n) for d, n in pairs if d <= dt.date(2023, 7, 31)]

    def wal(ps: Sequence[Pair]) -> list[dt.date]:
        add = wcal.add_working_days
        return [add(d, n) for d, n in ps]

    rows: list[tuple[str, int, float, int]] = []
    reference = dict(zip(pairs, xin_scalar(pairs), strict=True))

    def run(name: str, fn: Callable[[Sequence[Pair]], list[dt.date]], ps: Sequence[Pair]) -> None:
        secs, out = timed(fn, ps, args.repeat)
        wrong = sum(1 for p, r in zip(ps, out, strict=True) if reference[p] != r)
        rows.append((name, len(ps), len(ps) / secs, wrong))
        print(f"  measured {name} on {len(ps):,} pairs", file=sys.stderr)

    run("xinfang add_working_days (scalar)", xin_scalar, pairs)
    run("xinfang add_working_days_many (batch, pure Python)", xin_many, pairs)
    run("naive day loop over sets", naive, pairs)
    run("holidays CN get_nth_working_day", hol_nth, pairs[: max(args.slow_ops * 5, 1)])
    run("workalendar China add_working_days (2021-2023 only)", wal, wpairs[: args.slow_ops])
    run("chinesecalendar find_workday", cc_find, pairs[: args.slow_ops])
    run("chinesecalendar is_workday day loop", cc_loop, pairs[: args.slow_ops])

    # ---- numpy batch path
    numpy_rate = None
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None  # type: ignore[assignment]
    if np is not None:
        big = make_pairs(1_000_000, args.seed)
        days = np.array([d for d, _ in big], dtype="datetime64[D]")
        ns = np.array([n for _, n in big], dtype=np.int64)
        cal.add_working_days_array(days[:10], ns[:10])  # build the numpy index once
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            res = cal.add_working_days_array(days, ns)
            best = min(best, time.perf_counter() - t0)
        check = [x.astype(object) for x in res[:20_000]]
        wrong = sum(1 for p, r in zip(big[:20_000], check, strict=True) if xin_scalar([p])[0] != r)
        numpy_rate = len(big) / best
        rows.append(("xinfang add_working_days_array (numpy, 1M)", len(big), numpy_rate, wrong))

    scalar = rows[0][2]
    peers = [r for r in rows if not r[0].startswith(("xinfang", "naive"))]
    fastest_peer = max(peers, key=lambda r: r[2])
    print()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {args.ops:,} pairs, "
        f"seed {args.seed}, best of {args.repeat}"
    )
    print()
    print(
        "| implementation | pairs | ops/s | xinfang scalar ÷ it | answers differing from xinfang |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, count, rate, wrong in rows:
        ratio = scalar / rate
        shown = f"{ratio:,.1f}×" if ratio >= 1 else f"{ratio:.3f}×"
        print(f"| {name} | {count:,} | {rate:,.0f} | {shown} | {wrong:,} |")
    print()
    print(
        f"xinfang scalar vs the fastest library ({fastest_peer[0]}): "
        f"{scalar / fastest_peer[2]:,.0f}× (goal ≥ 100×)"
    )
    if numpy_rate is not None:
        print(f"numpy batch path: {numpy_rate / 1e6:,.1f} million/s (goal ≥ 10 million/s)")


if __name__ == "__main__":
    main()
