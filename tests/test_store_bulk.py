"""The store's bulk import through the columnar engine writes what the value path writes.

``Store.import_ledger`` reads a ledger column-wise when pyarrow is installed
(``columnar=None`` or ``True``) and case by case otherwise (``False``). The
tests import the same ledgers both ways into two databases and compare every
row of every table (``store_helpers.digest``), the verdicts on bad ledgers,
and what the clock engine leaves out when a case's clocks need days the
calendar lacks (``clock_parts(..., outside=...)``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xinfang as x
from store_helpers import BACKENDS, big_ledger, demo_cases, digest, pg_schema_url, raw_connect
from xinfang.deadlines import STATUSES, CaseColumns, clock_columns, clock_parts
from xinfang.store import ImportResult, open_store
from xinfang.strategies import cases, work_calendars

from helpers import require

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

require("pyarrow", "the columnar import needs xinfang[columnar]")


@pytest.fixture(params=BACKENDS)
def two_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases on one backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'values.db'}", f"sqlite:///{tmp_path / 'columns.db'}"
        return
    first, second = pg_schema_url(), pg_schema_url()
    try:
        yield next(first), next(second)
    finally:
        for schema in (first, second):
            next(schema, None)  # the rest of the generator: it drops the schema


def both_ways(urls: tuple[str, str], text: str, **store: Any) -> tuple[ImportResult, ImportResult]:
    """``text`` imported by the value path into the first database, column-wise into the second.

    The column-wise store is checked (every case refolded, its projections
    compared); the callers compare every row of the two databases, so the
    value path's store, built by the very functions the check refolds with,
    is not checked again.
    """
    results = []
    for url, columnar in zip(urls, (False, True), strict=True):
        with open_store(url, **store) as s:
            results.append(s.import_ledger(text, columnar=columnar))
            if columnar:
                report = s.check()
                assert report.ok, report.problems[:3]
    return results[0], results[1]


def error_rows(url: str) -> tuple[int, int]:
    """How many case rows carry a clock error, and how many clock rows there are."""
    conn = raw_connect(url)
    try:
        errors = conn.execute("SELECT COUNT(*) FROM xf_case WHERE clock_error IS NOT NULL")
        n_errors = int(errors.fetchone()[0])
        n_clocks = int(conn.execute("SELECT COUNT(*) FROM xf_clock").fetchone()[0])
        return n_errors, n_clocks
    finally:
        conn.close()


def test_the_demo_corps_imports_alike_both_ways(two_urls: tuple[str, str]) -> None:
    """Two copies of the demo corps: the same rows in every table, both backends.

    The corps runs past the published calendar, so on the strict calendar
    some cases' clocks need days it lacks (their rows carry the error, from
    the value path) and the others' come from the engine: both kinds are checked.
    """
    text, n = big_ledger(2)
    by_values, by_columns = both_ways(two_urls, text, calendar=x.china_mainland(strict=True))
    assert by_values == by_columns
    assert by_columns.added == n
    assert digest(two_urls[0]) == digest(two_urls[1])
    errors, clocks = error_rows(two_urls[1])
    assert errors > 0
    assert clocks > 0


def test_extending_and_reimporting_alike(two_urls: tuple[str, str]) -> None:
    """Cases stored short, then the whole ledger: extended alike; again: unchanged alike."""
    full = list(demo_cases())
    short = [x.replay(c.events[:1]) for c in full[::3]]
    for text in (
        x.dump_ledger(short, reveal_personal_data=True),
        x.dump_ledger(full, reveal_personal_data=True),
    ):
        by_values, by_columns = both_ways(two_urls, text)
        assert by_values == by_columns
        assert digest(two_urls[0]) == digest(two_urls[1])
    assert by_columns.extended == len(short)
    again = both_ways(two_urls, x.dump_ledger(full, reveal_personal_data=True))
    assert again[0] == again[1]
    assert again[1].unchanged == len(full)
    assert again[1].added == again[1].extended == 0


def refusal(url: str, text: str, columnar: bool) -> tuple[str, Any]:
    """What importing ``text`` raises (its words), and the database's digest after it."""
    with open_store(url) as s:
        before = digest(url)
        with pytest.raises(x.InvalidDataError) as info:
            s.import_ledger(text, columnar=columnar)
        assert digest(url) == before  # nothing half-imported
        return str(info.value), info.value.problems


def test_bad_ledgers_are_refused_alike(two_urls: tuple[str, str]) -> None:
    """Bad lines, a case twice, a case differing from its stored journal: the same words."""
    corps = list(demo_cases())
    lines = x.dump_ledger(corps, reveal_personal_data=True).splitlines()
    for url in two_urls:
        with open_store(url) as s:
            s.import_ledger(x.dump_ledger(corps[:5], reveal_personal_data=True), columnar=False)
    other = x.replay((corps[1].events[0], *corps[0].events[1:2]))
    differing = x.dump_ledger([other], reveal_personal_data=True).replace(other.id, corps[0].id)
    bad_lines = [
        *lines[:10],
        lines[3],  # a case twice
        '{"schema_version": 1, "events": [{"seq": 1}]}',
        "not json",
        lines[11].replace('"at":"', '"at":"x', 1),
    ]
    for text in ("\n".join(bad_lines) + "\n", differing):
        said = [
            refusal(url, text, columnar)
            for url, columnar in zip(two_urls, (False, True), strict=True)
        ]
        assert said[0] == said[1]


def test_the_default_reads_large_ledgers_column_wise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``columnar=None``: column-wise from 1,000 lines on, by value below."""
    from xinfang.store import _bulk

    seen: list[int] = []
    read = _bulk.read_ledger

    def spy(store: Any, text: str, name: str, *rest: Any) -> Any:
        seen.append(text.count("\n"))
        return read(store, text, name, *rest)

    monkeypatch.setattr(_bulk, "read_ledger", spy)
    small = x.dump_ledger(list(demo_cases())[:20], reveal_personal_data=True)
    large, n = big_ledger(3)
    assert n >= 1000
    for name, text in (("small", small), ("large", large)):
        with open_store(f"sqlite:///{tmp_path / name}.db") as s:
            s.import_ledger(text)
    assert seen == [n]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    many=st.lists(cases(max_steps=10), min_size=1, max_size=4),
    rulebook=st.sampled_from(x.rulebook.bundled_rulebooks()),
    narrow=st.none() | work_calendars(min_year=2020, max_year=2026, max_span_days=5 * 366),
)
def test_generated_cases_import_alike(
    tmp_path_factory: pytest.TempPathFactory,
    many: list[x.Case],
    rulebook: str,
    narrow: x.WorkCalendar | None,
) -> None:
    """Random cases, every bundled rulebook, the mainland or a random calendar: the same rows."""
    by_id = {c.id: c for c in many}
    text = x.dump_ledger(list(by_id.values()), reveal_personal_data=True)
    where = tmp_path_factory.mktemp("bulk")
    urls = (f"sqlite:///{where / 'values.db'}", f"sqlite:///{where / 'columns.db'}")
    both = both_ways(urls, text, rulebook=x.bundled_rulebook(rulebook), calendar=narrow)
    assert both[0] == both[1]
    assert digest(urls[0]) == digest(urls[1])


@settings(deadline=None)
@given(
    many=st.lists(cases(max_steps=10), min_size=1, max_size=6),
    calendar=work_calendars(min_year=2020, max_year=2026, max_span_days=5 * 366),
    data=st.data(),
)
def test_the_engine_leaves_out_exactly_the_cases_clocks_refuses(
    many: list[x.Case], calendar: x.WorkCalendar, data: st.DataObject
) -> None:
    """``clock_parts(outside=...)`` marks the cases ``clocks`` refuses; the rest are its clocks."""
    by_id = list({c.id: c for c in many}.values())
    day = data.draw(st.dates(dt.date(2021, 1, 1), dt.date(2026, 12, 31)))
    then = [c for c in by_id if c.events[0].at.date() <= day]
    rb = x.bundled_rulebook()
    refused, want = set(), []
    for k, case in enumerate(then):
        try:
            want += [
                (k, c.key, c.due, c.status)
                for c in x.clocks(case, as_of=day, rulebook=rb, calendar=calendar)
            ]
        except x.errors.CalendarRangeError:
            refused.add(k)
    outside = np.zeros(len(then), dtype=bool)
    parts = clock_parts(
        CaseColumns(then, day, read=clock_columns(rb)),
        rulebook=rb,
        calendar=calendar,
        outside=outside,
    )
    assert set(np.flatnonzero(outside).tolist()) == refused
    got = [
        (int(k), part.limit.key, dt.date.fromordinal(int(due)), STATUSES[int(status)])
        for part in parts
        for k, due, status in zip(part.case, part.due, part.status, strict=True)
    ]
    assert sorted(got, key=repr) == sorted(want, key=repr)


def test_a_day_outside_still_raises_without_outside() -> None:
    """Without ``outside`` the engine raises as before (what ``clocks`` raises)."""
    case = demo_cases()[0]
    cal = x.WorkCalendar(name="tiny", first=dt.date(2030, 1, 1), last=dt.date(2030, 1, 31))
    rb = x.bundled_rulebook()
    day = case.events[-1].at.date()
    with pytest.raises(x.errors.CalendarRangeError):
        clock_parts(CaseColumns([case], day, read=clock_columns(rb)), rulebook=rb, calendar=cal)
