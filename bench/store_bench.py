"""The journal store, timed on SQLite and PostgreSQL.

    python bench/store_bench.py                       # SQLite only
    python bench/store_bench.py --pg-url postgresql://postgres@/postgres?host=/tmp/pg
    python bench/store_bench.py --cases 9600 --commands 1000 --due-cases 1000000
    python bench/store_bench.py --corpus realistic --cases 100000 --commands 0 --due-cases 0

Measures, per backend:

- bulk import of a JSON Lines ledger (copies of the demo corps with unique
  ids, or with ``--corpus realistic`` the columnar bench's corpus, every
  change kind at realistic rates): cases/s and events/s, parsing included,
  by the value path (``columnar=False``) and column-wise (``columnar=True``,
  the default with pyarrow), each into an empty database; pyarrow's one-off
  import is timed apart;
- single-command apply, durable (SQLite: WAL, ``synchronous=FULL``;
  PostgreSQL: ``fsync=on``, ``synchronous_commit=on``), one transaction each;
- "due within 5 working days" (:meth:`Store.due`, ``overdue=False``) over
  ``--due-cases`` stored cases. The projection rows of the imported cases are
  copied in SQL under new ids, their dates shifted over two years, until the
  store holds that many case rows (the journal is not copied: the query reads
  only the projections);
- bytes per case after the import (SQLite: file + WAL; PostgreSQL: the
  tables' total relation size);
- SQLite's own floor for the import (SQLite only): the rows the column-wise
  import wrote, copied by SQL alone (``INSERT ... SELECT`` from the imported
  file, attached) into a new store, ``batch`` cases a transaction, under the
  same schema, triggers and settings: the B-trees, indexes, the append-only
  trigger, the WAL pages and the commits, with no Python per row. Reading the
  rows back is timed apart and printed beside it. With the parse rate this
  bounds any serial import: ``1 / (1 / floor + 1 / parse)``;
- SQLite's own ceiling on this disk, beside the store's apply: bare one-row
  transactions (``BEGIN IMMEDIATE``, one ``INSERT``, ``COMMIT``) on a WAL
  database with ``synchronous=FULL`` and ``NORMAL``, through the stdlib
  driver alone. No store command can commit durably faster than this.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

import xinfang as x
from xinfang.demo import demo_world
from xinfang.store import Store, open_store
from xinfang.store._schema import MIGRATIONS
from xinfang.store._store import BATCH

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

WORLD = demo_world()


def ledger(n: int) -> tuple[str, int, int]:
    """A ledger of about ``n`` cases: copies of the demo corps under unique ids."""
    base = WORLD.cases
    cases = []
    k = 0
    while len(cases) < n:
        for c in base:
            first = c.events[0]
            reg = attrs.evolve(first.change, case_id=f"{c.id}-{k}")
            cases.append(x.replay((attrs.evolve(first, change=reg), *c.events[1:])))
            if len(cases) == n:
                break
        k += 1
    return (
        x.dump_ledger(cases, reveal_personal_data=True),
        len(cases),
        sum(len(c.events) for c in cases),
    )


def realistic_ledger(n: int, distinct: int) -> tuple[str, int, int, x.WorkCalendar]:
    """``n`` cases of the columnar bench's corpus (``bench/_corpus.py``), ``distinct`` built."""
    import _corpus

    corpus = _corpus.make_corpus(distinct)
    base = x.dump_ledger(list(corpus.cases), reveal_personal_data=True)
    text = "".join(_corpus.replicate_ledger(base, n, len(corpus.cases)))
    per_case = sum(len(c.events) for c in corpus.cases) / len(corpus.cases)
    return text, n, round(per_case * n), corpus.calendar


def bench_import(
    url: str, text: str, n: int, events: int, calendar: x.WorkCalendar
) -> tuple[float, float, tuple[float, float]]:
    """The import by the value path and column-wise, each into an empty database.

    Returns the column-wise import's rate and ``load_journal``'s (cases/s), and the
    CPU seconds of ``load_journal`` and of the import in this process.
    """
    t0 = time.perf_counter()
    import xinfang.store._bulk  # noqa: F401 - pyarrow, imported once per process

    print(f"  (importing pyarrow and the columnar engine once: {time.perf_counter() - t0:.2f} s)")
    t0 = time.perf_counter()
    x.load_ledger(text)
    parse = time.perf_counter() - t0
    columns = parse_cpu = math.inf
    for _ in range(3):  # the best of three: the floor a ceiling is computed from
        t0, cpu0 = time.perf_counter(), time.process_time()
        x.load_journal(text.encode())
        columns = min(columns, time.perf_counter() - t0)
        parse_cpu = min(parse_cpu, time.process_time() - cpu0)
    print(
        f"  parsing alone: load_ledger {n / parse:,.0f} cases/s, "
        f"load_journal {n / columns:,.0f} cases/s, best of 3 ({events / n:.1f} events per case)"
    )
    imported = imported_cpu = 0.0
    drop(url)
    pg = url.startswith("postgres")
    # (label, columnar, COPY, as before this session): the value path; on PostgreSQL the
    # INSERT statements of two sessions ago; the column-wise import as it was before
    # (the per-row sequence trigger, each batch committed durably);
    # and now. The last one stays for the floors.
    ways = [
        ("value path", False, True, False),
        *([("column-wise, INSERT, before", True, False, True)] if pg else []),
        ("column-wise, before", True, True, True),
        ("column-wise, now", True, True, False),
    ]
    for label, columnar, copy, before in ways:
        # A benchmark runs on a throwaway server as its superuser: allowed, said so.
        with open_store(url, calendar=calendar, allow_privileged_role=True) as store:
            db = store._db
            server = backend_cpu(db.conn) if pg else lambda: 0.0  # type: ignore[attr-defined]
            if pg:
                db.copy_rows = copy  # type: ignore[attr-defined]
            with as_before(db) if before else contextlib.nullcontext():
                t0 = time.perf_counter()
                cpu0, server0 = time.process_time(), server()
                result = store.import_ledger(text, columnar=columnar)
                took = time.perf_counter() - t0
                cpu, server1 = time.process_time() - cpu0, server() - server0
            if result.added != n:
                raise SystemExit(f"import added {result.added} of {n}")
            print(
                f"  import {label}: {n} cases / {events} events: {took:.2f} s = "
                f"{n / took:,.0f} cases/s, {events / took:,.0f} events/s "
                f"({cpu:.2f} CPU-s in this process"
                + (f", {server1:.2f} in the server's)" if pg else ")")
            )
        if label.endswith("now"):
            imported, imported_cpu = n / took, cpu
        else:
            drop(url)
    rows_alone(url, text, n, calendar)
    return imported, n / columns, (parse_cpu, imported_cpu)


#: The sequence check as it was before schema version 4, taken from the released
#: migration 1: a PL/pgSQL ``SELECT MAX(seq)`` per journal row (the floor's "before"
#: variant; the store's schema now checks per statement).
_ROW_TRIGGER = (
    "DROP TRIGGER xf_journal_next_seq ON xf_journal",
    *(
        statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
        for statement in MIGRATIONS["postgresql"][0]
        if "xf_journal_next_seq" in statement
    ),
)
#: The tables an import appends to, in the order it writes them (case rows before
#: the rows that reference them).
_APPENDED = ("xf_journal", "xf_case", "xf_milestones", "xf_clock")


def backend_cpu(conn: Any) -> Callable[[], float]:
    """CPU seconds the server process of ``conn`` has used so far (0 when it is not local).

    Linux's ``/proc/PID/schedstat`` (nanoseconds on the CPU), not the ticks of ``stat``.
    """
    stat = Path(f"/proc/{conn.info.backend_pid}/schedstat")

    def cpu() -> float:
        try:
            return int(stat.read_text().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            return 0.0

    return cpu


def rows_alone(url: str, text: str, n: int, calendar: x.WorkCalendar) -> None:
    """The import's own Python work apart from the database: reading and rows, timed alone.

    ``read_ledger`` (parse, check, fold, clocks, case and milestones rows of
    every case) and the rows of every batch (journal rows from the lines), as
    the column-wise import makes them for this database, written nowhere.
    """
    from xinfang.store._bulk import read_ledger

    with open_store(url, calendar=calendar, allow_privileged_role=True) as store:
        t0, cpu0 = time.perf_counter(), time.process_time()
        ledger = read_ledger(store, text, "bench")
        read, read_cpu = time.perf_counter() - t0, time.process_time() - cpu0
        t0, cpu0 = time.perf_counter(), time.process_time()
        for i in range(0, n, BATCH):
            ledger.incoming(range(i, min(n, i + BATCH)))
        rows, rows_cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(
        f"  the import's Python work alone: reading the ledger (parse, check, fold, clocks, "
        f"case and milestones rows) {read:.2f} s ({read_cpu:.2f} CPU-s), then every batch's "
        f"rows {rows:.2f} s ({rows_cpu:.2f} CPU-s): {n / (read + rows):,.0f} cases/s together"
    )


@contextlib.contextmanager
def as_before(db: Any) -> Iterator[None]:
    """The import as it was before this session (issue 25's second step).

    Every batch durable, case ids looked up as a list of
    parameters, instants sent as datetimes, and on PostgreSQL the per-row
    sequence trigger (put back in the schema).
    """
    from xinfang.store._db import Database

    if db.dialect == "postgresql":
        for statement in _ROW_TRIGGER:
            db.statement(statement)

    write = Database.write

    def durable(self: Any, what: str, fn: Any, **kw: Any) -> Any:
        return write(self, what, fn, **{**kw, "durable": True})

    Database.write = durable  # type: ignore[method-assign]
    # Case ids as a list of parameters, instants as datetimes (the base class's ways).
    for name in ("where_in", "param_instant_text"):
        setattr(db, name, getattr(Database, name).__get__(db))
    try:
        yield
    finally:
        Database.write = write  # type: ignore[method-assign]
        for name in ("where_in", "param_instant_text"):
            delattr(db, name)


def pg_import_floor(url: str, n: int, imported: float, parse: float) -> None:
    """PostgreSQL's own work for the import's rows: the same bytes by COPY, no Python per row.

    The rows the COPY import wrote are read out (``COPY ... TO``, in case and
    sequence order) and copied back in ``BATCH`` cases a transaction into a
    fresh schema, committed as the import commits them (every batch but the
    last with ``synchronous_commit = off``): with the store's schema, with
    the per-row sequence trigger it had before version 4, with every commit
    durable, and into bare tables. The server's CPU is read beside the time.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        have = {str(r[0]) for r in conn.execute(b"SELECT tablename FROM pg_tables")}
        tables = [t for t in _APPENDED if t in have]
        ids = [str(r[0]) for r in conn.execute(b"SELECT case_id FROM xf_case ORDER BY case_id")]
        bounds = [(ids[i], ids[min(len(ids), i + BATCH) - 1]) for i in range(0, len(ids), BATCH)]
        data: dict[str, list[bytes]] = {t: [] for t in tables}
        t0 = time.perf_counter()
        for lo, hi in bounds:
            for t in tables:
                sql = (
                    f"COPY (SELECT * FROM {t} WHERE case_id BETWEEN "  # noqa: S608
                    f"'{lo}' AND '{hi}' ORDER BY 1, 2) TO STDOUT"
                )
                with conn.cursor().copy(sql.encode()) as out:
                    data[t].append(b"".join(bytes(b) for b in out))
        read = time.perf_counter() - t0
        size = sum(len(b) for t in tables for b in data[t])
        store_schema = [s for step in MIGRATIONS["postgresql"] for s in step]
        bare = [f"CREATE TABLE xf_floor.{t} (LIKE public.{t})" for t in tables]
        variants = (
            (
                "the store's schema (indexes, keys, the sequence check per statement)",
                store_schema,
                1,
            ),
            ("the same, every commit durable", store_schema, 0),
            (
                "the same with the per-row sequence trigger (before)",
                [*store_schema, *_ROW_TRIGGER],
                1,
            ),
            ("bare tables (no index, key or trigger)", bare, 1),
        )
        print(
            f"  PostgreSQL's own work for these rows ({size / 1e6:.1f} MB of COPY text, "
            f"{', '.join(tables)}; {BATCH} cases a transaction; reading them out: {read:.2f} s):"
        )
        cpu = backend_cpu(conn)
        for label, statements, relaxed in variants:
            conn.execute(b"DROP SCHEMA IF EXISTS xf_floor CASCADE")
            conn.execute(b"CREATE SCHEMA xf_floor")
            conn.execute(b"SET search_path = xf_floor, public")
            for statement in statements:
                conn.execute(statement.encode())
            t0 = time.perf_counter()
            cpu0 = cpu()
            for i in range(len(bounds)):
                with conn.transaction():
                    if relaxed and i + 1 < len(bounds):
                        conn.execute(b"SET LOCAL synchronous_commit = off")
                    for t in tables:
                        with conn.cursor().copy(f"COPY {t} FROM STDIN".encode()) as into:
                            into.write(data[t][i])
            took = time.perf_counter() - t0
            server = cpu() - cpu0
            conn.execute(b"SET search_path = public")
            rate = n / took
            print(
                f"    {label}: {took:.2f} s = {rate:,.0f} cases/s (server CPU {server:.2f} s); "
                f"serial ceiling with load_journal's {parse:,.0f} cases/s: "
                f"{1 / (1 / rate + 1 / parse):,.0f} cases/s"
            )
        conn.execute(b"DROP SCHEMA IF EXISTS xf_floor CASCADE")
    print(f"    (the COPY import here: {imported:,.0f} cases/s)")


def sqlite_import_floor(
    path: Path, n: int, imported: float, parse: float, cpus: tuple[float, float]
) -> None:
    """SQLite's own work for the import's rows: copied by SQL alone into a new store."""
    floor = path.parent / "floor.db"
    with open_store(f"sqlite:///{floor}") as store:
        db = store._db
        db.statement("ATTACH DATABASE ? AS src", (str(path),))
        ids = [str(r[0]) for r in db.run("SELECT case_id FROM src.xf_case ORDER BY case_id")]
        bounds = [(ids[i], ids[min(len(ids), i + BATCH) - 1]) for i in range(0, len(ids), BATCH)]
        where = "WHERE case_id BETWEEN ? AND ? ORDER BY case_id"
        copies = (
            (
                "INSERT INTO xf_journal (case_id, seq, at, actor, kind, payload) "  # noqa: S608
                f"SELECT case_id, seq, at, actor, kind, payload FROM src.xf_journal {where}, seq"
            ),
            f"INSERT INTO xf_case SELECT * FROM src.xf_case {where}",  # noqa: S608
            f"INSERT INTO xf_milestones SELECT * FROM src.xf_milestones {where}",  # noqa: S608
            f"INSERT INTO xf_clock SELECT * FROM src.xf_clock {where}, limit_key",  # noqa: S608
        )
        if db.one("SELECT 1 FROM sqlite_master WHERE name = 'xf_milestones'") is None:
            copies = tuple(c for c in copies if "xf_milestones" not in c)
        reads = (
            f"SELECT count(*), sum(length(payload)) FROM src.xf_journal {where}",  # noqa: S608
            f"SELECT count(*), sum(length(flags)) FROM src.xf_case {where}",  # noqa: S608
            f"SELECT count(*), sum(length(due_on)) FROM src.xf_clock {where}",  # noqa: S608
        )
        t0 = time.perf_counter()
        for lo, hi in bounds:
            for sql in reads:
                db.one(sql, (lo, hi))
        read = time.perf_counter() - t0
        t0, cpu0 = time.perf_counter(), time.process_time()
        for i, (lo, hi) in enumerate(bounds):

            def run(lo: str = lo, hi: str = hi) -> None:
                for sql in copies:
                    db.statement(sql, (lo, hi))

            # Committed as the import commits: durably at the last batch only.
            db.write("copying", run, durable=i + 1 == len(bounds))
        took, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        if store.count() != n:
            raise SystemExit(f"the copy holds {store.count()} of {n} cases")
    rate = n / took
    print(
        f"  SQLite's own work for these rows (INSERT ... SELECT, {BATCH} cases a "
        f"transaction, no Python per row, committed as the import commits): {took:.2f} s = "
        f"{rate:,.0f} cases/s, {cpu:.2f} CPU-s "
        f"(reading them back alone: {read:.2f} s); a serial import at load_journal's "
        f"{parse:,.0f} cases/s can reach at most {1 / (1 / rate + 1 / parse):,.0f} cases/s "
        f"(the column-wise import here: {imported:,.0f}, "
        f"{imported / (1 / (1 / rate + 1 / parse)):.2f} of it). In CPU seconds, which the "
        f"machine's load disturbs less: load_journal "
        f"{cpus[0]:.2f} + this floor {cpu:.2f} = {cpus[0] + cpu:.2f} against the import's "
        f"{cpus[1]:.2f} ({(cpus[0] + cpu) / cpus[1]:.2f} of it)"
    )


def drop(url: str) -> None:
    """Empty the database at ``url`` (a SQLite file is removed; PostgreSQL tables dropped)."""
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        # Every table and function of the store (whatever its schema version made).
        for (table,) in conn.execute(
            b"SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            b"AND tablename LIKE 'xf\\_%'"
        ).fetchall():
            conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE".encode())
        for (fn,) in conn.execute(
            b"SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace "
            b"AND proname LIKE 'xf\\_%'"
        ).fetchall():
            conn.execute(f"DROP FUNCTION IF EXISTS {fn}() CASCADE".encode())


def sqlite_ceiling(folder: Path, commands: int) -> None:
    """Bare one-row transactions per second on a WAL file: the disk's bound on any apply."""
    for sync in ("FULL", "NORMAL"):
        con = sqlite3.connect(folder / f"ceiling-{sync}.db", isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute(f"PRAGMA synchronous={sync}")
        con.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, payload TEXT)")
        t0 = time.perf_counter()
        for _ in range(commands):
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO t (payload) VALUES (?)", ("x" * 300,))
            con.execute("COMMIT")
        took = time.perf_counter() - t0
        con.close()
        print(
            f"  bare SQLite, one-row transactions, WAL, synchronous={sync}: "
            f"{commands / took:,.0f}/s (the ceiling for any durable command at this setting)"
        )


def bench_apply(store: Store, commands: int, label: str = "") -> None:
    """``commands`` Notify commands over ``commands // 10`` fresh cases (up to 11 events each)."""
    sh = WORLD.cases[0].received_at.tzinfo
    base = dt.datetime(2026, 11, 2, 9, tzinfo=sh)
    first = WORLD.cases[0].events[0].change
    assert isinstance(first, x.changes.Register)  # noqa: S101
    n_cases = max(1, commands // 10)
    ids = [f"BENCH{label}-{i}" for i in range(n_cases)]
    for cid in ids:
        store.register(attrs.evolve(first, case_id=cid), base)
    times = []
    t_all = time.perf_counter()
    for i in range(commands):
        t0 = time.perf_counter()
        store.apply(
            ids[i % n_cases],
            x.changes.Notify(note=str(i)),
            at=base + dt.timedelta(seconds=i + 1),
            expected_version=i // n_cases + 1,
        )
        times.append(time.perf_counter() - t0)
    took = time.perf_counter() - t_all
    print(
        f"  apply {commands} commands over {n_cases} cases, one durable transaction each"
        f"{label}: {commands / took:,.0f} commands/s (median "
        f"{statistics.median(times) * 1000:.2f} ms)"
    )


def fill_projections(store: Store, target: int) -> int:
    """Copy the case and clock rows under new ids (dates shifted) to about ``target`` cases."""
    db = store._db
    base = store.count()
    copies = max(0, -(-(target - base) // base))
    if not copies:
        return base
    if db.dialect == "sqlite":
        series = "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < ?) "

        def day(col: str) -> str:
            return f"date({col}, ((k.n * 7) % 730 - 365) || ' days')"

    else:
        series = "WITH k(n) AS (SELECT generate_series(1, ?)) "

        def day(col: str) -> str:
            return f"({col} + ((k.n * 7) % 730 - 365))"

    cols = (
        "version, stage, terminal, unit, receiving_unit, handling_unit, responsible_unit, "
        "category, route, settled, backlog, flags"
    )
    case_sql = (
        f"INSERT INTO xf_case (case_id, {cols}, received_on, last_event_on, clock_error) "  # noqa: S608
        f"{series}SELECT case_id || '~' || k.n, {cols}, {day('received_on')}, "
        f"{day('last_event_on')}, clock_error FROM xf_case, k"
    )
    clock_sql = (
        "INSERT INTO xf_clock (case_id, limit_key, started_on, nominal_on, due_on, paused, "  # noqa: S608
        f"paused_days, extended_days, provisional) {series}SELECT case_id || '~' || k.n, "
        f"limit_key, {day('started_on')}, {day('nominal_on')}, {day('due_on')}, paused, "
        "paused_days, extended_days, provisional FROM xf_clock, k"
    )
    if db.dialect == "postgresql":  # the WITH goes after INSERT INTO ... in both, but be plain
        case_sql = case_sql.replace(f"{series}SELECT", "SELECT").replace(
            "FROM xf_case, k", f"FROM xf_case, generate_series(1, {copies}) AS k(n)"
        )
        clock_sql = clock_sql.replace(f"{series}SELECT", "SELECT").replace(
            "FROM xf_clock, k", f"FROM xf_clock, generate_series(1, {copies}) AS k(n)"
        )

        def run() -> None:
            db.statement(case_sql)
            db.statement(clock_sql)

    else:

        def run() -> None:
            db.statement(case_sql, (copies,))
            db.statement(clock_sql, (copies,))

    db.write("filling projections", run)
    return store.count()


def bench_due(store: Store, target: int) -> None:
    t0 = time.perf_counter()
    have = fill_projections(store, target)
    fill = time.perf_counter() - t0
    db = store._db
    if db.dialect == "postgresql":
        db.statement("ANALYZE xf_clock")
        db.statement("ANALYZE xf_case")
    clocks_n = db.one("SELECT COUNT(*) FROM xf_clock")
    as_of = WORLD.as_of
    times = []
    found = 0
    for _ in range(7):
        t0 = time.perf_counter()
        found = len(store.due(as_of, 5, overdue=False))
        times.append(time.perf_counter() - t0)
    print(
        f"  due within 5 working days over {have:,} case rows "
        f"({clocks_n[0] if clocks_n else 0:,} open clock rows; filled in {fill:.0f} s): "
        f"median {statistics.median(times) * 1000:.1f} ms, "
        f"best {min(times) * 1000:.1f} ms, {found} clocks found"
    )


def size_per_case(store: Store, path: Path | None, n: int) -> None:
    db = store._db
    if path is not None:
        db.statement("PRAGMA wal_checkpoint(TRUNCATE)")
        total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    else:
        row = db.one(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "WHERE c.relname LIKE 'xf_%' AND c.relkind = 'r' "
            "AND c.relnamespace = current_schema()::regnamespace"
        )
        total = int(row[0]) if row else 0
    print(f"  size: {total / n:,.0f} bytes per case ({total / 1e6:.1f} MB for {n} cases)")


def run_backend(url: str, path: Path | None, args: argparse.Namespace) -> None:
    if args.corpus == "realistic":
        text, n, events, calendar = realistic_ledger(args.cases, args.distinct)
    else:
        text, n, events = ledger(args.cases)
        calendar = WORLD.calendar
    print(f"{url.split(':', maxsplit=1)[0]}: {url} ({args.corpus} corpus)")
    imported, parse, cpus = bench_import(url, text, n, events, calendar)
    with open_store(url, calendar=calendar, allow_privileged_role=True) as store:
        size_per_case(store, path, n)
    if path is not None:
        sqlite_import_floor(path, n, imported, parse, cpus)
    else:
        pg_import_floor(url, n, imported, parse)
    with open_store(url, calendar=calendar, allow_privileged_role=True) as store:
        if args.commands:
            bench_apply(store, args.commands)
    if path is not None and args.commands:  # SQLite with synchronous=NORMAL (no fsync per commit)
        with open_store(f"{url}?synchronous=normal", calendar=calendar) as store:
            bench_apply(store, args.commands, label=" [synchronous=NORMAL]")
        sqlite_ceiling(path.parent, args.commands)
    if args.due_cases:
        with open_store(url, calendar=calendar, allow_privileged_role=True) as store:
            bench_due(store, args.due_cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=9600)
    parser.add_argument(
        "--corpus",
        choices=("demo", "realistic"),
        default="demo",
        help="copies of the demo corps, or the columnar bench's corpus (every change kind)",
    )
    parser.add_argument("--distinct", type=int, default=2000, help="realistic: cases built")
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--due-cases", type=int, default=1_000_000)
    parser.add_argument("--pg-url", default=os.environ.get("XINFANG_BENCH_PG_URL", ""))
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if not args.no_sqlite:
            path = Path(folder) / "bench.db"
            run_backend(f"sqlite:///{path}", path, args)
        if args.pg_url:
            run_backend(args.pg_url, None, args)


if __name__ == "__main__":
    main()
