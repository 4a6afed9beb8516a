"""Benchmark: clocks over many open cases, and loading a JSON Lines ledger.

    python bench/cases_bench.py [--cases 1000000] [--scalar 200000] [--load 100000]
                                [--only-load]

1. Builds ``--cases`` synthetic open cases (registered, notified or not,
   accepted: 3-4 events each, replayed from their events like a loaded
   ledger; building is not timed).
2. Times ``clock_table`` (the vectorised path) over all of them, and the
   per-case ``clocks()`` over the first ``--scalar`` of them, as of
   2026-11-27, and checks both give the same clocks on a sample.
3. Writes ``--load`` cases (each with a resident ID and a phone) as a JSON
   Lines ledger and times ``load_ledger`` (parse, validate, replay), first,
   in a fresh process; beside it, in the same run: the JSON parsers alone,
   ``xinfang.convert.structure`` alone on parsed documents (the fast
   converter, what ``load_ledger`` runs after parsing), the detailed
   converter alone (what re-reads a refused document), and rebuilding the
   same values with their constructors and ``replay`` from already-typed
   fields (no JSON at all: what any loader must at least do). The converter
   rows hold all parsed documents in memory while they run, and the
   collector walks them too. ``--only-load`` skips 1 and 2; ``--skip-load`` skips 3.

Every row is the best of 3 runs, with the garbage collector running as it
does in any process (``load_ledger`` leaves it alone). Every number printed
was measured in this run; nothing is extrapolated except where a line says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import platform
import random
import sys
import time
from operator import attrgetter
from typing import Any

import attrs

import xinfang as x
from xinfang import convert, serialization
from xinfang.instants import SHANGHAI

AS_OF = dt.date(2026, 11, 27)


def make_cases(n: int, seed: int, *, personal: bool = False) -> list[x.Case]:
    rng = random.Random(seed)
    plain = (x.personal.Petitioner(name="张三"),)
    claim = (x.changes.Claim(request="退还押金", facts="2019年起拖欠", reasons="合同约定"),)
    lo = dt.datetime(2025, 1, 1, 8, tzinfo=SHANGHAI)
    span = (dt.datetime(2026, 10, 25, tzinfo=SHANGHAI) - lo).days
    out = []
    for i in range(n):
        received = lo + dt.timedelta(days=rng.randrange(span), minutes=rng.randrange(600))
        petitioners = plain
        if personal:
            petitioners = (
                x.personal.Petitioner(
                    name="李四", id_number="11010519491231002X", phone="13812345678"
                ),
            )
        reg = x.changes.Register(
            case_id=f"XF-{i:07d}",
            received_at=received,
            channel=x.vocabulary.Channel.LETTER,
            receiving_unit=f"第{rng.randrange(8) + 1}支队",
            petitioners=petitioners,
            claims=claim,
        )
        events = [x.Event(seq=1, at=received, by="clerk", change=reg)]
        at = received
        if rng.random() < 0.7:
            at += dt.timedelta(days=rng.randrange(12))
            events.append(
                x.Event(seq=len(events) + 1, at=at, by="clerk", change=x.changes.Notify())
            )
        at += dt.timedelta(days=rng.randrange(10))
        events.append(x.Event(seq=len(events) + 1, at=at, by="clerk", change=x.changes.Accept()))
        if rng.random() < 0.1:
            at += dt.timedelta(days=rng.randrange(20))
            ext = x.changes.Extend(days=30, approved_by="局长", reason="情况复杂")
            events.append(x.Event(seq=len(events) + 1, at=at, by="clerk", change=ext))
        out.append(x.replay(events))
    return out


_FIELDS: dict[type, tuple[tuple[str, ...], Any]] = {}


def rebuild(value: Any) -> Any:
    """The same value built again by its constructors, all the way down."""
    cls = type(value)
    if cls is tuple:
        return tuple(map(rebuild, value))
    if not attrs.has(cls):
        return value
    found = _FIELDS.get(cls)
    if found is None:
        init = [f for f in attrs.fields(cls) if f.init]
        names = tuple(f.alias for f in init)
        get = attrgetter(*(f.name for f in init)) if len(init) > 1 else None
        found = _FIELDS[cls] = (names, get or (lambda v, n=init[0].name: (getattr(v, n),)))
    names, get = found
    return cls(**dict(zip(names, map(rebuild, get(value)), strict=True)))


def measure_loading(n: int, seed: int) -> dict[str, Any]:
    """Seconds for each way of reading ``n`` cases (best of 3, the collector running)."""
    try:
        import orjson
    except ImportError:  # the fast extra is not installed: say so in the table
        orjson = None

    ledger_cases = make_cases(n, seed, personal=True)
    text = serialization.dump_ledger(ledger_cases, reveal_personal_data=True)
    lines = text.splitlines()
    assert serialization.load_ledger(text) == ledger_cases  # noqa: S101 - else the run is void
    gc.collect()

    def best(fn: Any, repeat: int = 3) -> float:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
            gc.collect()  # each run starts from the same heap
        return min(times)

    def on_parsed(structure: Any) -> float:
        docs = [json.loads(line) for line in lines]  # dropped on return
        return best(lambda: [structure(d, x.Case) for d in docs])

    load_s = best(lambda: serialization.load_ledger(text))
    fast_s = on_parsed(convert.structure)
    detailed_s = on_parsed(convert.converter.structure)
    floor_s = best(lambda: [x.replay(rebuild(c.events)) for c in ledger_cases])

    def parse_each(parse: Any) -> None:
        for line in lines:  # each document dropped once read, as in `load_ledger`
            parse(line)

    print(f"  ledger: {len(text) / n:,.0f} bytes per case", file=sys.stderr)
    return {
        "cases": n,
        "load + validate + replay, `load_ledger`": load_s,
        "of which `orjson.loads` alone": (
            best(lambda: parse_each(orjson.loads)) if orjson else float("nan")
        ),
        "`json.loads` alone (stdlib)": best(lambda: parse_each(json.loads)),
        "`convert.structure` alone on parsed documents (the fast converter)": fast_s,
        "the detailed converter alone on parsed documents": detailed_s,
        "constructors + `replay` from typed values (no JSON)": floor_s,
    }


def print_loading(load: dict[str, Any]) -> None:
    n_load = load.pop("cases")
    for label, secs in load.items():
        goal = ""
        if label.startswith("load + validate"):
            goal = f"≥ 50,000/s: {'met' if n_load / secs >= 50_000 else 'not met'}"
        print(f"| {label} | {n_load:,} | {secs:.2f} | {n_load / secs:,.0f} | {goal} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--scalar", type=int, default=200_000)
    ap.add_argument("--load", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--only-load", action="store_true", help="time loading a ledger only")
    ap.add_argument("--skip-load", action="store_true", help="time the clocks only")
    args = ap.parse_args()
    # As of today, limits run into 2027, which has no published arrangement yet.
    rb, cal = x.bundled_rulebook(), x.china_mainland(provisional=True)

    load = {} if args.skip_load else measure_loading(args.load, args.seed + 1)
    if args.only_load:
        print()
        print(f"Python {platform.python_version()} on {platform.machine()}, seed {args.seed}")
        print()
        print("| measurement | cases | seconds | cases/s | goal |")
        print("|---|---:|---:|---:|---|")
        print_loading(load)
        return

    t0 = time.perf_counter()
    cases = make_cases(args.cases, args.seed)
    built = time.perf_counter() - t0
    print(f"  built {len(cases):,} cases in {built:.1f} s (not part of any rate)", file=sys.stderr)
    gc.collect()
    gc.freeze()  # the cases live for the whole run; keep the collector off them

    x.clock_table(cases[:10], as_of=AS_OF, rulebook=rb, calendar=cal)  # warm the calendar index
    t0 = time.perf_counter()
    table = x.clock_table(cases, as_of=AS_OF, rulebook=rb, calendar=cal)
    vec_s = time.perf_counter() - t0
    print(f"  clock_table: {vec_s:.2f} s", file=sys.stderr)

    sub = cases[: args.scalar]
    t0 = time.perf_counter()
    scalar_rows = 0
    for case in sub:
        scalar_rows += len(x.clocks(case, as_of=AS_OF, rulebook=rb, calendar=cal))
    sca_s = time.perf_counter() - t0
    print(f"  clocks() on {len(sub):,}: {sca_s:.2f} s", file=sys.stderr)

    sample = cases[:2000]
    same = x.clock_table(sample, as_of=AS_OF, rulebook=rb, calendar=cal).to_clocks() == [
        c for case in sample for c in x.clocks(case, as_of=AS_OF, rulebook=rb, calendar=cal)
    ]

    vec_rate = len(cases) / vec_s
    sca_rate = len(sub) / sca_s
    print()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, as of {AS_OF}, "
        f"rulebook {rb.id}, calendar {cal.name}, seed {args.seed}"
    )
    print()
    print("| measurement | cases | seconds | cases/s | goal |")
    print("|---|---:|---:|---:|---|")
    print(
        f"| clocks, vectorised `clock_table` | {len(cases):,} | {vec_s:.2f} | {vec_rate:,.0f} | "
        f"1M in < 3 s: {'met' if len(cases) >= 1_000_000 and vec_s < 3 else 'not met'} |"
    )
    print(
        f"| clocks, per-case `clocks()` | {len(sub):,} | {sca_s:.2f} | {sca_rate:,.0f} | "
        f"(1M would take ~{1_000_000 / sca_rate:.0f} s, extrapolated) |"
    )
    if load:
        print_loading(load)
    print()
    print(f"clock rows: {len(table):,} ({table.counts()[x.ClockStatus.OVERDUE]:,} overdue); ")
    print(f"vectorised ÷ per-case speed: {vec_rate / sca_rate:.1f}×; same clocks on 2,000: {same}")


if __name__ == "__main__":
    main()
