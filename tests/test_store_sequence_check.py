"""The journal's sequence check, in the database, on every path that inserts (issue 25).

Every case's journal rows are numbered 1, 2, ... n without gaps. SQLite
checks each row as it is inserted (a ``BEFORE INSERT`` trigger); PostgreSQL,
from schema version 4, once per statement over the statement's new rows (an
``AFTER INSERT ... FOR EACH STATEMENT`` trigger with a transition table),
with the same trigger name, error code (``unique_violation``) and message as
the per-row trigger it replaced. These tests write straight through the
driver, as a writer who bypasses the store would: one-row and multi-row
``INSERT`` statements on both dialects, and ``COPY`` on PostgreSQL.
"""

from __future__ import annotations

import itertools
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import store_helpers
from store_helpers import raw_connect
from xinfang.store import open_store

from helpers import examples

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

store_url = store_helpers.store_url

_COLUMNS = "case_id, seq, at, actor, kind, payload"
_AT = "2026-03-02T10:00:00+08:00"
#: Distinct case ids across a property test's examples (one store serves them all).
_IDS = itertools.count()


def _rows(case_id: str, seqs: list[int]) -> list[tuple[Any, ...]]:
    """Journal rows of ``case_id`` numbered ``seqs``."""
    return [(case_id, s, _AT, "tester", "notified", "{}") for s in seqs]


def _insert(conn: Any, rows: list[tuple[Any, ...]], *, pg: bool) -> None:
    """``rows`` as one multi-row ``INSERT`` statement (autocommit: the statement is atomic)."""
    mark = "%s" if pg else "?"
    one = "(" + ", ".join([mark] * 6) + ")"
    sql = f"INSERT INTO xf_journal ({_COLUMNS}) VALUES " + ", ".join([one] * len(rows))  # noqa: S608
    conn.execute(sql, [v for row in rows for v in row])


def _copy(conn: Any, rows: list[tuple[Any, ...]]) -> None:
    """``rows`` by one ``COPY`` in its own transaction (PostgreSQL)."""
    with conn.transaction(), conn.cursor().copy(f"COPY xf_journal ({_COLUMNS}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def _seqs(conn: Any, case_id: str) -> list[int]:
    """The stored seqs of ``case_id``, in order."""
    mark = "?" if isinstance(conn, sqlite3.Connection) else "%s"
    sql = f"SELECT seq FROM xf_journal WHERE case_id = {mark} ORDER BY seq"  # noqa: S608
    return [int(r[0]) for r in conn.execute(sql, (case_id,)).fetchall()]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty schema on the PostgreSQL test server (CI=true: never skipped)."""
    yield from store_helpers.pg_schema_url()


def _refused(write: Callable[[], None]) -> str:
    """The driver's refusal of ``write`` (empty when the database accepted it)."""
    try:
        write()
    except (sqlite3.Error, OSError) as exc:
        return str(exc) or type(exc).__name__
    except Exception as exc:  # psycopg's errors (imported only with PostgreSQL)
        if type(exc).__module__.startswith("psycopg"):
            return str(exc) or type(exc).__name__
        raise
    return ""


def _opened(url: str) -> Any:
    """A driver connection to a store's database at this schema version."""
    with open_store(url):  # the schema, at this version
        pass
    return raw_connect(url)


def test_a_wrong_first_seq_or_a_gap_is_refused(store_url: str) -> None:
    """A new case starting at 2, a gap after stored events, a gap inside one statement: refused."""
    pg = not store_url.startswith("sqlite")
    conn = _opened(store_url)
    try:
        _insert(conn, _rows("A", [1, 2]), pg=pg)
        for case_id, seqs in (("B", [2]), ("A", [4]), ("B", [1, 3]), ("A", [3, 5]), ("C", [0])):
            with pytest.raises(Exception, match=r"next number|CHECK|check constraint") as info:
                _insert(conn, _rows(case_id, seqs), pg=pg)
            assert not isinstance(info.value, AssertionError)
            if pg:
                assert info.value.sqlstate in ("23505", "23514")  # type: ignore[attr-defined]
        assert _seqs(conn, "A") == [1, 2]
        assert _seqs(conn, "B") == []
        _insert(conn, _rows("A", [3, 4]) + _rows("B", [1]), pg=pg)
        assert (_seqs(conn, "A"), _seqs(conn, "B")) == ([1, 2, 3, 4], [1])
    finally:
        conn.close()


def test_postgresql_refuses_a_gap_by_copy_with_the_same_error(pg_url: str) -> None:
    """On PostgreSQL a COPY with a gap is refused whole, as unique_violation with the message."""
    import psycopg

    conn = _opened(pg_url)
    try:
        _copy(conn, _rows("A", [1, 2]))
        with pytest.raises(psycopg.errors.UniqueViolation, match="next number of its case"):
            _copy(conn, _rows("A", [3]) + _rows("B", [1, 2, 4]))
        with pytest.raises(psycopg.errors.UniqueViolation, match="next number of its case"):
            _copy(conn, _rows("C", [2, 3]))
        assert (_seqs(conn, "A"), _seqs(conn, "B"), _seqs(conn, "C")) == ([1, 2], [], [])
    finally:
        conn.close()


_PLANS = st.lists(
    st.tuples(st.integers(0, 3), st.lists(st.integers(0, 6), max_size=5)),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(plan=_PLANS)
def test_a_statement_is_accepted_exactly_when_every_case_ends_at_1_to_n(
    store_url: str, plan: list[tuple[int, list[int]]]
) -> None:
    """Stored 1..m per case, then one statement of new seqs: accepted iff each case ends 1..n."""
    pg = not store_url.startswith("sqlite")
    conn = _opened(store_url)
    try:
        ids = [f"P{next(_IDS)}" for _ in plan]
        for case_id, (stored, _) in zip(ids, plan, strict=True):
            for s in range(1, stored + 1):
                _insert(conn, _rows(case_id, [s]), pg=pg)
        # Each case's new seqs ascending (SQLite checks row by row, in order), cases in turn.
        rows = [
            r
            for case_id, (_, new) in zip(ids, plan, strict=True)
            for r in _rows(case_id, sorted(new))
        ]
        expected = all(
            sorted([*range(1, stored + 1), *new]) == list(range(1, stored + len(new) + 1))
            for stored, new in plan
        )
        ways = [lambda: _insert(conn, rows, pg=pg)] + ([lambda: _copy(conn, rows)] if pg else [])
        if len(plan) % 2:  # accepted rows go in by COPY first in these examples
            ways.reverse()
        for way in ways:
            before = [_seqs(conn, c) for c in ids]
            if not rows:
                break
            refused = _refused(way)
            assert bool(refused) == (not expected), refused
            if refused:
                assert [_seqs(conn, c) for c in ids] == before  # nothing half-applied
            else:
                for case_id, (stored, new) in zip(ids, plan, strict=True):
                    assert _seqs(conn, case_id) == list(range(1, stored + len(new) + 1))
                break  # the rows are in: the other way would duplicate them
    finally:
        conn.close()


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seqs=st.lists(st.integers(1, 5), min_size=1, max_size=6))
def test_whatever_the_order_an_accepted_statement_leaves_1_to_n(
    store_url: str, seqs: list[int]
) -> None:
    """New seqs in any order: when the database accepts the statement, the case reads 1..n."""
    pg = not store_url.startswith("sqlite")
    conn = _opened(store_url)
    try:
        case_id = f"Q{next(_IDS)}"
        refused = _refused(lambda: _insert(conn, _rows(case_id, seqs), pg=pg))
        if refused:
            assert sorted(seqs) != list(range(1, len(seqs) + 1)) or not pg, refused
            assert _seqs(conn, case_id) == []
        else:
            assert _seqs(conn, case_id) == list(range(1, len(seqs) + 1))
    finally:
        conn.close()
