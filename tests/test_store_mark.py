"""The journal's high-water mark and every case's version, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import store_helpers
import xinfang as x
from store_helpers import raw_connect, renamed
from xinfang import strategies as xs
from xinfang.store import BACK_OFFICE, ConcurrencyError, Store, open_store

from helpers import examples

store_url = store_helpers.store_url


def _journal_rows(url: str, s: Store) -> int:
    """The journal's rows counted directly (a plain driver connection on SQLite)."""
    if url.startswith("postgresql"):
        return sum(len(s.events(i)) for i in s.case_ids())
    conn = raw_connect(url)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM xf_journal").fetchone()[0])
    finally:
        conn.close()


@settings(
    max_examples=examples(5),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cases=st.lists(xs.cases(max_steps=5), min_size=1, max_size=2), stale=st.booleans())
def test_the_mark_grows_by_one_with_every_event_and_only_then(
    store_url: str, cases: list[x.Case], stale: bool
) -> None:
    """Each event recorded raises the mark by one, a refused command not; it counts the events."""
    with open_store(store_url) as s, open_store(store_url) as other:
        start = s.journal_mark()  # the store outlives one example
        for generated in cases:
            case = renamed(generated, f"M-{s.journal_mark()}-{generated.id}")
            first = case.events[0]
            assert isinstance(first.change, x.changes.Register)
            before = s.journal_mark()
            s.register(first.change, first.at, by=first.by)
            assert s.journal_mark() == other.journal_mark() == before + 1
            for e in case.events[1:]:
                before = s.journal_mark()
                if stale and e.seq > 1:
                    # A lost race writes nothing: the mark stays.
                    with pytest.raises(ConcurrencyError):
                        s.apply(case.id, e.change, at=e.at, by=e.by, expected_version=e.seq - 2)
                    assert s.journal_mark() == before
                s.apply(case.id, e.change, at=e.at, by=e.by, expected_version=e.seq - 1)
                assert other.journal_mark() == before + 1  # seen by another connection
        total = sum(len(c.events) for c in cases)
        assert s.journal_mark() == start + total == sum(len(s.events(i)) for i in s.case_ids())
        versions = s.case_versions()
        assert versions == {i: len(s.events(i)) for i in s.case_ids()}
        assert sum(versions.values()) == s.journal_mark()


def test_an_import_raises_the_mark_by_its_new_events_and_a_repeat_leaves_it(
    store_url: str,
) -> None:
    """Importing a ledger adds its events to the mark; importing it again adds nothing."""
    cases = store_helpers.demo_cases()[:5]
    ledger = x.dump_ledger(cases, reveal_personal_data=True)
    with open_store(store_url) as s:
        assert s.journal_mark() == 0
        s.import_ledger(ledger)
        events = sum(len(c.events) for c in cases)
        assert s.journal_mark() == events
        s.import_ledger(ledger)
        assert s.journal_mark() == events
        assert _journal_rows(store_url, s) == events


def test_the_mark_is_back_office() -> None:
    """The mark and the versions count every case: the viewer's store has neither, and says why."""
    for name in ("journal_mark", "case_versions"):
        assert name in BACK_OFFICE
        assert not hasattr(x.store.ViewerStore, name)
