"""A 台账 of the template's layout, read, mapped and applied into a ledger and into SQLite.

    python bench/sheets_bench.py                         # 100,000 rows, best of 3
    python bench/sheets_bench.py --rows 20000 --repeat 3
    python bench/sheets_bench.py --rows 5000 --profile   # + where apply's time goes

Writes a workbook of ``--rows`` rows of the template's layout (the demo
corps' rows repeated with new ids; written once with openpyxl's write-only
mode, not timed), then times in one run, as CPU time of this process
(``time.process_time``: the machine is shared, so wall time would count other
jobs), each the best of ``--repeat`` runs (its floor):

- the reader alone (python-calamine: the sheet's cells as Python values);
- applying the rows' changes, the same ``(change, at)`` lists the import
  makes: with ``apply`` one change at a time (thaw and freeze the case each
  time), and with ``apply_all`` one row at a time (what the import does);
- mapping the rows to changes: ``cases_from_table`` (map + ``apply_all``)
  minus ``apply_all`` alone, both measured here;
- writing the ledger (``dump_ledger``);
- the whole path (read + map + apply + ledger, one timed run, the work of
  ``xinfang sheet import -o``), and the ledger into SQLite
  (``Store.import_ledger``).

The issue's goal: the whole path at least 5,000 rows/s on one core and
within 3x of the reader alone.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xinfang.demo import demo_world
from xinfang.procedure import apply, apply_all
from xinfang.serialization import dump_ledger
from xinfang.sheets import (
    FIELDS,
    case_row,
    cases_from_table,
    default_mapping,
    names_of,
    read_sheet,
    template_headers,
)
from xinfang.store import open_store


def _write(path: Path, rows: int) -> None:
    import openpyxl

    world = demo_world()
    mapping = default_mapping()
    names = names_of(world.org, mapping)
    layout = template_headers(mapping)
    base = [case_row(c, mapping, names) for c in world.cases]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["序号", *(h for _, h in layout)])
    for n in range(rows):
        row = dict(base[n % len(base)])
        row["id"] = f"B-{n:07d}"
        ws.append([n + 1, *(row[f] for f, _ in layout)])
    wb.save(str(path))


#: CPU seconds spent in the garbage collector since the last reset (gc.callbacks).
_GC = {"spent": 0.0, "started": 0.0}


def _gc_clock(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _GC["started"] = time.process_time()
    else:
        _GC["spent"] += time.process_time() - _GC["started"]


def _floor(repeat: int, run: Callable[[], Any]) -> tuple[float, float, Any]:
    """The least CPU seconds of ``repeat`` runs, that run's seconds in the GC, the result."""
    best, best_gc = float("inf"), 0.0
    result = None
    for _ in range(repeat):
        result = None
        _GC["spent"] = 0.0
        started = time.process_time()
        result = run()
        took = time.process_time() - started
        if took < best:
            best, best_gc = took, _GC["spent"]
    return best, best_gc, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each part (the least counts)")
    ap.add_argument("--profile", action="store_true", help="cProfile apply_all: the top 20")
    args = ap.parse_args()
    n = args.rows
    world = demo_world()
    mapping = default_mapping()
    kw: dict[str, Any] = {"by": "sheet import", "calendar": world.calendar, "org": world.org}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        started = time.perf_counter()
        _write(path, n)
        took = time.perf_counter() - started
        print(f"wrote {n:,} rows ({len(FIELDS)} fields) in {took:.1f} s (wall, not counted)")
        print(f"CPU time (time.process_time), the least of {args.repeat} run(s) each:")

        gc.callbacks.append(_gc_clock)

        def line(what: str, seconds: float, extra: str = "", in_gc: float | None = None) -> None:
            spent = "" if in_gc is None else f" ({in_gc * 1e6 / n:5.1f} in the GC)"
            print(
                f"  {what:<34} {n / seconds:9,.0f} rows/s {seconds * 1e6 / n:7.1f} µs/row"
                f"{spent}{extra}"
            )

        read_s, read_gc, table = _floor(args.repeat, lambda: read_sheet(path, mapping=mapping))
        line("reader alone", read_s, in_gc=read_gc)

        def cases() -> Any:
            return cases_from_table(table, mapping, world.org, calendar=world.calendar)

        map_apply_s, map_apply_gc, result = _floor(args.repeat, cases)
        if len(result.cases) != n:
            raise SystemExit(f"rows refused: {result.problems[:3]}")
        scripts = [[(e.change, e.at) for e in c.events] for c in result.cases]
        events = sum(len(s) for s in scripts)

        # Both keep every case, as the import does (the GC's work grows with what is kept).
        def one_by_one() -> list[Any]:
            out = []
            for script in scripts:
                case = None
                for change, at in script:
                    case, _ = apply(case, change, at, **kw)
                out.append(case)
            return out

        def batches() -> list[Any]:
            return [apply_all(None, script, **kw)[0] for script in scripts]

        apply_s, apply_gc, _ = _floor(args.repeat, one_by_one)
        apply_all_s, apply_all_gc, _ = _floor(args.repeat, batches)
        map_s = max(map_apply_s - apply_all_s, 1e-9)
        map_gc = max(map_apply_gc - apply_all_gc, 0.0)
        line("map (cells to changes)", map_s, " (map + apply_all - apply_all)", map_gc)
        per = f" ({events / n:.1f} events a row, {apply_s * 1e6 / events:.1f} µs an event)"
        line("apply, one change at a time", apply_s, per, apply_gc)
        per = f" ({apply_all_s * 1e6 / events:.1f} µs an event)"
        line("apply_all, one row at a time", apply_all_s, per, apply_all_gc)
        line("map + apply_all (cases_from_table)", map_apply_s, in_gc=map_apply_gc)
        ledger_s, ledger_gc, ledger = _floor(
            args.repeat, lambda: dump_ledger(result.cases, reveal_personal_data=True)
        )
        line("ledger (dump_ledger)", ledger_s, in_gc=ledger_gc)

        def whole() -> str:
            t = read_sheet(path, mapping=mapping)
            r = cases_from_table(t, mapping, world.org, calendar=world.calendar)
            return dump_ledger(r.cases, reveal_personal_data=True)

        whole_s, whole_gc, _ = _floor(args.repeat, whole)
        times = f" ({whole_s / read_s:.1f}x the reader)"
        line("whole path: read+map+apply+ledger", whole_s, times, whole_gc)
        before = whole_s - apply_all_s + apply_s
        line("the same with apply one at a time", before, " (whole - apply_all + apply)")

        def into_sqlite(k: list[int] = [0]) -> int:  # noqa: B006 - a counter for fresh files
            k[0] += 1
            db = f"sqlite:///{Path(folder) / f'b{k[0]}.db'}"
            with open_store(db, calendar=world.calendar) as store:
                return store.import_ledger(ledger).added

        db_s, _, added = _floor(args.repeat, into_sqlite)
        line("ledger into SQLite", db_s, f" ({added:,} added)")
        line("whole path into SQLite", whole_s + db_s)
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(batches)
            pstats.Stats(profile).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
