"""A nightly sweep over a store: from its milestones projection against refolding its journal.

    python bench/store_milestones_bench.py                      # 50,400 cases, SQLite
    python bench/store_milestones_bench.py --pg-url "$XINFANG_TEST_PG_URL"   # and PostgreSQL
    python bench/store_milestones_bench.py --cases 4800 --no-sqlite --pg-url ...

The store holds copies of the demo corps under unique ids (``--cases``,
imported column-wise; the import is not timed here: ``bench/store_bench.py``).
Per backend, in one run, each timed ``--repeat`` times (best of):

- ``milestones_from_store`` (the ``xf_milestones`` rows, ``--batch`` a page,
  made :data:`~xinfang.columnar.COMPANION_SCHEMA` tables) and then
  :func:`~xinfang.columnar.sweep_milestones` (the clocks as of ``--as-of``);
- beside it, its floors: the bare ``SELECT`` of the same rows in the same
  pages through the store's connection (no Arrow), and that ``SELECT`` in one
  query through the plain driver;
- ``journal_from_store`` (every event, refolded) and then
  :func:`~xinfang.columnar.journal_clocks`, and its floor: the bare ``SELECT``
  of the journal's payloads in the same pages;
- the day columns' representation: three days a case read as the integer
  days of ``xf_milestones`` and as the ``DATE`` (PostgreSQL) / ISO text
  (SQLite) days of ``xf_case``, each made a ``date32`` column.

Both sweeps are checked equal (the same clocks) before any figure is printed.
Run ``uptime`` first: other work on the machine moves the absolute figures;
the ratios to the floors printed beside them move less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pyarrow as pa

import xinfang as x
from xinfang.columnar import (
    COMPANION_SCHEMA,
    journal_clocks,
    journal_from_store,
    milestones_from_store,
    sweep_milestones,
)
from xinfang.demo import demo_world
from xinfang.store import Store, open_store

if TYPE_CHECKING:
    from collections.abc import Callable

WORLD = demo_world()


def ledger(n: int) -> tuple[str, int]:
    """A ledger of ``n`` cases: copies of the demo corps under unique ids."""
    cases = []
    k = 0
    while len(cases) < n:
        for c in WORLD.cases:
            first = c.events[0]
            reg = attrs.evolve(first.change, case_id=f"{c.id}-{k:04d}")
            cases.append(x.replay((attrs.evolve(first, change=reg), *c.events[1:])))
            if len(cases) == n:
                break
        k += 1
    return x.dump_ledger(cases, reveal_personal_data=True), sum(len(c.events) for c in cases)


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The shortest of ``repeat`` runs of ``fn``, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def keyset(s: Store, sql: str, batch: int) -> int:
    """Rows of ``sql`` (``... WHERE case_id > ? ORDER BY case_id LIMIT ?``) read in pages."""
    db = s._db  # a floor measured on the store's own connection
    n, last = 0, ""
    while True:
        page = db.run(sql, (last, batch))
        n += len(page)
        if len(page) < batch:
            return n
        last = str(page[-1][0])


def driver_select(url: str, sql: str) -> int:
    """Every row of ``sql`` in one query through the plain driver (the lowest floor)."""
    if url.startswith("sqlite"):
        conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
    else:
        import psycopg

        conn = psycopg.connect(url.replace("&allow_privileged_role=true", ""))
    try:
        return len(conn.execute(sql).fetchall())
    finally:
        conn.close()


def run_backend(url: str, text: str, n: int, events: int, args: argparse.Namespace) -> None:
    """Import, check both sweeps equal, then time each beside its floors."""
    as_of = dt.date.fromisoformat(args.as_of)
    with open_store(url, calendar=WORLD.calendar) as s:
        start = time.perf_counter()
        s.import_ledger(text, columnar=True)
        print(
            f"\n{s.dialect}: {n:,} cases, {events:,} events (imported in "
            f"{time.perf_counter() - start:.1f} s, not part of the figures)"
        )
        batch, repeat = args.batch, args.repeat

        def from_milestones() -> Any:
            return pa.concat_tables(
                [
                    COMPANION_SCHEMA.empty_table(),
                    *milestones_from_store(s, batch=batch, unscoped=True),
                ]
            )

        def sweep(table: Any) -> Any:
            return sweep_milestones(table, as_of, s.rulebook, s.calendar)

        def from_journal() -> Any:
            return journal_from_store(s)

        def clocks(journal: Any) -> Any:
            return journal_clocks(journal, as_of=as_of, rulebook=s.rulebook, calendar=s.calendar)

        read_m, table = best(from_milestones, repeat)
        sweep_m, swept = best(lambda: sweep(table), repeat)
        read_j, journal = best(from_journal, 1)
        sweep_j, refolded = best(lambda: clocks(journal), 1)
        if not swept.clocks.equals(refolded.clocks):
            raise SystemExit("the two sweeps differ")
        names = ", ".join(COMPANION_SCHEMA.names)
        page_m, _ = best(
            lambda: keyset(
                s,
                f"SELECT {names} FROM xf_milestones WHERE case_id > ? "  # noqa: S608
                "ORDER BY case_id LIMIT ?",
                batch,
            ),
            repeat,
        )
        bare_m, _ = best(lambda: driver_select(url, f"SELECT {names} FROM xf_milestones"), repeat)  # noqa: S608
        page_j, _ = best(
            lambda: keyset(
                s,
                "SELECT case_id, payload FROM xf_journal WHERE case_id > ? "
                "ORDER BY case_id, seq LIMIT ?",
                batch * 11,  # about as many events a page as journal_pages reads
            ),
            1,
        )
        days_int, _ = best(lambda: day_columns(s, "int"), repeat)
        days_date, _ = best(lambda: day_columns(s, "date"), repeat)

        def rate(seconds: float) -> str:
            return f"{n / seconds:>12,.0f} cases/s  ({seconds:6.2f} s)"

        print(f"  clocks: {swept.clocks.num_rows:,} (equal by both ways), as of {as_of}")
        print(f"  milestones_from_store          {rate(read_m)}")
        print(f"    floor: the same pages, bare  {rate(page_m)}   ratio {page_m / read_m:.2f}")
        print(f"    floor: one driver SELECT     {rate(bare_m)}   ratio {bare_m / read_m:.2f}")
        print(f"  sweep_milestones               {rate(sweep_m)}")
        total_m = read_m + sweep_m
        print(f"  = milestones path              {rate(total_m)}")
        print(f"  journal_from_store             {rate(read_j)}")
        print(f"    floor: its pages' SELECT     {rate(page_j)}   ratio {page_j / read_j:.2f}")
        print(f"  journal_clocks                 {rate(sweep_j)}")
        total_j = read_j + sweep_j
        print(f"  = journal path                 {rate(total_j)}")
        print(f"  milestones path / journal path: {total_j / total_m:.1f}x faster")
        print(
            f"  three days a case to date32: integers {rate(days_int)}; "
            f"{'DATE' if s.dialect == 'postgresql' else 'ISO text'} {rate(days_date)}"
        )
        print(f"  xf_milestones on disk: {table_bytes(s) / n:,.0f} bytes a case")


def day_columns(s: Store, kind: str) -> int:
    """Three days a case as date32 columns: xf_milestones' integers or xf_case's dates."""
    db = s._db  # a measurement of the representation alone
    if kind == "int":
        rows = db.run("SELECT received, last_event, progress_reported FROM xf_milestones")
        cols = list(zip(*rows, strict=True))
        arrays = [pa.array(c, pa.int32()).cast(pa.date32()) for c in cols]
    else:
        rows = db.run("SELECT received_on, last_event_on, last_report_on FROM xf_case")
        cols = list(zip(*rows, strict=True))
        if s.dialect == "postgresql":
            arrays = [pa.array(c, pa.date32()) for c in cols]
        else:
            arrays = [pa.array(c, pa.string()).cast(pa.date32()) for c in cols]
    return sum(len(a) for a in arrays)


def table_bytes(s: Store) -> int:
    """The bytes ``xf_milestones`` takes (PostgreSQL: with its index; SQLite: its B-tree pages)."""
    db = s._db  # a measurement of the table alone
    if s.dialect == "postgresql":
        row = db.one("SELECT pg_total_relation_size('xf_milestones')")
    else:
        row = db.one("SELECT SUM(pgsize) FROM dbstat WHERE name = 'xf_milestones'")
    return int(row[0]) if row and row[0] is not None else 0


def pg_schema(base: str) -> tuple[str, Callable[[], None]]:
    """A fresh schema on the server at ``base`` (the URL naming it) and how to drop it."""
    import psycopg

    schema = f"xf_msbench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}".encode())

    def drop() -> None:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE".encode())

    opt = urllib.parse.quote(f"-csearch_path={schema}")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={opt}&allow_privileged_role=true", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=50_400)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--as-of", default="2027-01-31")
    parser.add_argument("--pg-url", default=os.environ.get("XINFANG_BENCH_PG_URL", ""))
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    text, events = ledger(args.cases)
    print(f"load average: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as folder:
        if not args.no_sqlite:
            run_backend(f"sqlite:///{Path(folder) / 'bench.db'}", text, args.cases, events, args)
        if args.pg_url:
            url, drop = pg_schema(args.pg_url)
            try:
                run_backend(url, text, args.cases, events, args)
            finally:
                drop()


if __name__ == "__main__":
    main()
