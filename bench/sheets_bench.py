"""A 台账 of the template's layout, read, mapped and applied into a ledger and into SQLite.

    python bench/sheets_bench.py                  # 100,000 rows
    python bench/sheets_bench.py --rows 20000

Writes a workbook of ``--rows`` rows of the template's layout (the demo
corps' rows repeated with new ids; written once with openpyxl's write-only
mode, not timed), then times in one run, on one core:

- the reader alone (python-calamine: the sheet's cells as Python values);
- read + mapped + applied (every row through ``apply``: the whole path of
  ``xinfang sheet import``), then dumped as a JSON Lines ledger: rows/s;
- the same into SQLite (``Store.import_ledger`` of the rows' ledger).

The issue's goal: the whole path at least 5,000 rows/s and within 3x of the
reader alone.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from xinfang.demo import demo_world
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    world = demo_world()
    mapping = default_mapping()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        started = time.perf_counter()
        _write(path, args.rows)
        took = time.perf_counter() - started
        print(f"wrote {args.rows:,} rows ({len(FIELDS)} fields) in {took:.1f} s")

        started = time.perf_counter()
        table = read_sheet(path, mapping=mapping)
        read_s = time.perf_counter() - started
        print(f"reader alone:           {args.rows / read_s:10,.0f} rows/s ({read_s:.1f} s)")

        started = time.perf_counter()
        table = read_sheet(path, mapping=mapping)
        result = cases_from_table(table, mapping, world.org, calendar=world.calendar)
        ledger = dump_ledger(result.cases, reveal_personal_data=True)
        whole_s = time.perf_counter() - started
        if len(result.cases) != args.rows:
            raise SystemExit(f"rows refused: {result.problems[:3]}")
        print(
            f"read + map + apply + ledger: {args.rows / whole_s:6,.0f} rows/s ({whole_s:.1f} s; "
            f"{whole_s / read_s:.1f}x the reader)"
        )

        started = time.perf_counter()
        with open_store(f"sqlite:///{Path(folder) / 'b.db'}", calendar=world.calendar) as store:
            done = store.import_ledger(ledger)
        db_s = time.perf_counter() - started
        print(
            f"into SQLite (after the above): {args.rows / db_s:,.0f} rows/s ({db_s:.1f} s, "
            f"{done.added:,} added); whole path into SQLite "
            f"{args.rows / (whole_s + db_s):,.0f} rows/s"
        )


if __name__ == "__main__":
    main()
