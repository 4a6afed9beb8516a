"""Forward-only migrations: an empty database and one at an earlier version end equal."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import store_helpers
import xinfang as x
from store_helpers import raw_connect
from test_plan_clocks import stepped
from test_plan_last_report import REPORTS
from xinfang.rulebook import LimitKind
from xinfang.store import SCHEMA_VERSION, StoreError, open_store
from xinfang.store._db import connect
from xinfang.store._schema import MIGRATIONS

from helpers import t

store_url = store_helpers.store_url

_EVENT = {
    "seq": 1,
    "at": "2026-03-02T10:00:00+08:00",
    "by": "clerk",
    "change": {
        "kind": "registered",
        "case_id": "OLD-1",
        "received_at": "2026-03-02T09:00:00+08:00",
        "channel": "letter",
        "receiving_unit": "D1",
        "petitioners": [{"name": "张三"}],
        "claims": [{"request": "退还押金"}],
    },
}


def test_every_dialect_has_the_same_number_of_migrations() -> None:
    """Both dialects reach the same schema version."""
    assert {len(m) for m in MIGRATIONS.values()} == {SCHEMA_VERSION}


def test_migrating_from_any_version_gives_the_same_schema(store_url: str, tmp_path: object) -> None:
    """Empty → latest equals version 1 (with a journal row) → latest; the old case is projected."""
    fresh = connect(store_url)
    try:
        assert fresh.migrate(1) == 1
        assert fresh.schema_version() == 1
        conn = raw_connect(store_url)
        try:
            sql = (
                "INSERT INTO xf_journal (case_id, seq, at, actor, kind, payload) "
                "VALUES ('OLD-1', 1, '2026-03-02T10:00:00+08:00', 'clerk', 'registered', "
                + ("?)" if store_url.startswith("sqlite") else "%s)")
            )
            conn.execute(sql, (json.dumps(_EVENT),))
        finally:
            conn.close()
        at_one = fresh.schema()
    finally:
        fresh.close()
    with open_store(store_url) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert s.case("OLD-1").receiving_unit == "D1"
        assert s.version("OLD-1") == 1
        assert s.check().ok
        migrated = s._db.schema()
    assert migrated != at_one
    other = store_url + ("-2" if store_url.startswith("sqlite") else "")
    if store_url.startswith("sqlite"):
        with open_store(other) as s:
            assert s._db.schema() == migrated
    else:
        for url in store_helpers.pg_schema_url():
            with open_store(url) as s:
                assert s._db.schema() == migrated


def test_newer_schema_is_refused(store_url: str) -> None:
    """A database written by a newer xinfang is refused, not misread."""
    with open_store(store_url):
        pass
    conn = raw_connect(store_url)
    try:
        conn.execute("UPDATE xf_meta SET value = '99' WHERE key = 'schema_version'")
    finally:
        conn.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(store_url)
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(store_url, migrate=False)


def _plan_cases() -> list[x.Case]:
    """Two planned cases: one with two progress reports (the last on 2026-10-09), one with none."""
    return [stepped(*REPORTS, cid="XF-S1"), stepped(cid="XF-S2")]


def _last_reports(url: str) -> dict[str, dt.date | None]:
    """``xf_case.last_report_on`` per case, read with the plain driver."""
    conn = raw_connect(url)
    try:
        rows = conn.execute("SELECT case_id, last_report_on FROM xf_case").fetchall()
    finally:
        conn.close()
    return {
        str(cid): None if v is None else (v if isinstance(v, dt.date) else dt.date.fromisoformat(v))
        for cid, v in rows
    }


def test_a_version_2_store_migrates_to_the_projected_last_report(store_url: str) -> None:
    """Version 2 → 3 adds ``xf_case.last_report_on`` and fills it from the journal on open."""
    ledger = x.dump_ledger(_plan_cases(), reveal_personal_data=True)
    with open_store(store_url) as s:
        s.import_ledger(ledger)
        current = s._db.schema()
    store_helpers.as_version_2(store_url)
    old = connect(store_url)
    try:
        assert old.schema_version() == 2
        at_two = old.schema()
    finally:
        old.close()
    assert at_two != current
    with open_store(store_url) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert s.check().ok
        assert s._db.schema() == current
    assert _last_reports(store_url) == {"XF-S1": dt.date(2026, 10, 9), "XF-S2": None}


def test_check_names_a_wrong_last_report_and_rebuild_writes_it(store_url: str) -> None:
    """``db check`` names a missing or wrong ``last_report_on``; ``rebuild`` writes it."""
    with open_store(store_url) as s:
        s.import_ledger(x.dump_ledger(_plan_cases(), reveal_personal_data=True))
    conn = raw_connect(store_url)
    try:
        conn.execute("UPDATE xf_case SET last_report_on = NULL WHERE case_id = 'XF-S1'")
        conn.execute("UPDATE xf_case SET last_report_on = '2026-09-20' WHERE case_id = 'XF-S2'")
    finally:
        conn.close()
    with open_store(store_url) as s:
        problems = s.check().problems
        assert len(problems) == 2
        assert problems[0].startswith("case XF-S1: case row last_report_on None != recomputed")
        assert "2026, 10, 9" in problems[0]
        assert problems[1].startswith("case XF-S2: case row last_report_on datetime.date(2026, 9")
        assert s.rebuild() == 2
        assert s.check().ok
    assert _last_reports(store_url) == {"XF-S1": dt.date(2026, 10, 9), "XF-S2": None}


@pytest.mark.parametrize("columnar", [False, True])
def test_store_due_gives_the_last_report_clocks_gives(store_url: str, columnar: bool) -> None:
    """``Store.due`` reads each plan clock's last report from the projection: as ``clocks()``.

    Imported by the value path and column-wise (``_bulk``), then one more report applied;
    at several days, including one before a report the projection holds.
    """
    if columnar:
        pytest.importorskip("pyarrow")
    with open_store(store_url) as s:
        s.import_ledger(x.dump_ledger(_plan_cases(), reveal_personal_data=True), columnar=columnar)
        assert s.check().ok
        stored = [s.case("XF-S1"), s.case("XF-S2")]
        for day in (dt.date(2026, 10, 9), dt.date(2026, 10, 20), dt.date(2026, 12, 1)):
            listed = s.due(day, 60, kinds={LimitKind.PLAN})
            by_value = sorted(
                (
                    c
                    for case in stored
                    for c in x.clocks(case, as_of=day)
                    if c.kind is LimitKind.PLAN
                    and c.status.is_open
                    and (c.remaining_working_days or 0) <= 60
                ),
                key=lambda c: (c.due, c.case_id, c.key),
            )
            assert listed and list(listed) == by_value
        s.apply("XF-S2", x.changes.ReportProgress(done="已听证"), at=t(2026, 11, 2))
        after = s.due(dt.date(2026, 12, 1), 60, kinds={LimitKind.PLAN})
    assert {c.last_report for c in after if c.case_id == "XF-S2"} == {dt.date(2026, 11, 2)}
