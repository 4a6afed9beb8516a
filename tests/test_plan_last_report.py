"""Issue 26 (紧盯落实): the due list shows a plan clock's last progress report (进展情况).

攻坚行动讲话: the leading group hears progress (调度进展情况); a plan clock listed as due
carries the date of the case's last progress report, alike on the per-case path, the column
path, the store's due query (SQLite and PostgreSQL) and the ``due`` and ``db due`` commands.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import store_helpers
import xinfang as x
from test_plan_clocks import planned, stepped
from xinfang.cli import main
from xinfang.rulebook import LimitKind
from xinfang.store import open_store

from helpers import examples, t

if TYPE_CHECKING:
    from pathlib import Path

store_url = store_helpers.store_url

REPORTS = (
    (x.changes.ReportProgress(done="已走访"), t(2026, 9, 20)),
    (x.changes.ReportProgress(done="已约谈"), t(2026, 10, 9)),
)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (dt.date(2026, 9, 10), None),  # no report yet
        (dt.date(2026, 10, 1), dt.date(2026, 9, 20)),  # a later report not yet made
        (dt.date(2026, 12, 1), dt.date(2026, 10, 9)),
    ],
)
def test_plan_clocks_carry_the_last_report_as_of_the_day(
    as_of: dt.date, expected: dt.date | None
) -> None:
    """进展情况: plan clocks carry the last report on or before the day; statutory ones none."""
    case = stepped(*REPORTS)
    every = x.clocks(case, as_of=as_of)
    plan = [c for c in every if c.kind is LimitKind.PLAN]
    assert plan and all(c.last_report == expected for c in plan)
    assert all(c.last_report is None for c in every if c.kind is not LimitKind.PLAN)
    assert x.clock_table([case], as_of=as_of).to_clocks() == list(every)


@settings(max_examples=examples(25))
@given(
    reports=st.lists(st.integers(1, 90), max_size=3, unique=True),
    as_of=st.integers(0, 120),
)
def test_value_path_and_column_path_give_the_same_last_report(
    reports: list[int], as_of: int
) -> None:
    """clocks() and clock_table() give each plan clock the same last report, whatever the day."""
    start = dt.date(2026, 9, 2)
    days = sorted(start + dt.timedelta(days=d) for d in reports)
    more = [(x.changes.ReportProgress(done="进展"), t(d.year, d.month, d.day, 11)) for d in days]
    cases = [planned(*more), planned(cid="XF-2")]
    day = start + dt.timedelta(days=as_of)
    by_value = [c for case in cases for c in x.clocks(case, as_of=day)]
    assert x.clock_table(cases, as_of=day).to_clocks() == by_value
    made = [d for d in days if d <= day]
    plan = [c.last_report for c in by_value if c.case_id == "XF-1" and c.kind is LimitKind.PLAN]
    assert plan == [made[-1] if made else None]


def test_store_due_gives_plan_clocks_their_last_report(store_url: str) -> None:
    """Store.due (SQLite, PostgreSQL): a plan clock's last report as clocks() gives it."""
    day = dt.date(2026, 12, 1)
    cases = [stepped(*REPORTS, cid="XF-R1"), stepped(cid="XF-R2")]
    with open_store(store_url) as s:
        s.import_ledger(x.dump_ledger([cases[0]], reveal_personal_data=True))
        s.import_ledger(x.dump_ledger([cases[1]], reveal_personal_data=True))
        s.apply(
            "XF-R2", x.changes.ReportProgress(done="已听证", completes=[1, 2]), at=t(2026, 11, 2)
        )
        stored = [s.case("XF-R1"), s.case("XF-R2")]
        every = s.due(day, 30)
    by_value = sorted(
        (
            c
            for case in stored
            for c in x.clocks(case, as_of=day)
            if c.status.is_open and (c.remaining_working_days or 0) <= 30
        ),
        key=lambda c: (c.due, c.case_id, c.key),
    )
    assert list(every) == by_value
    plan = {(c.case_id, c.key): c.last_report for c in every if c.kind is LimitKind.PLAN}
    assert plan == {
        ("XF-R1", "plan_deadline"): dt.date(2026, 10, 9),
        ("XF-R1", "plan_step_1"): dt.date(2026, 10, 9),
        ("XF-R1", "plan_step_2"): dt.date(2026, 10, 9),
        ("XF-R2", "plan_deadline"): dt.date(2026, 11, 2),
    }


def test_a_store_from_before_the_last_report_opens_and_shows_it(store_url: str) -> None:
    """A store of schema version 2 (no projected last report) migrates and shows the report.

    The migration to version 3 adds ``xf_case.last_report_on`` and projects the journal again
    in its own transaction, so the store checks clean and its due list shows the report.
    """
    with open_store(store_url) as s:
        s.import_ledger(x.dump_ledger([stepped(*REPORTS)], reveal_personal_data=True))
    store_helpers.as_version_2(store_url)
    with open_store(store_url) as s:
        assert s.schema_version() == x.store.SCHEMA_VERSION
        assert s.check().ok
        plan = s.due(dt.date(2026, 12, 1), 30, kinds={LimitKind.PLAN})
    assert plan and {c.last_report for c in plan} == {dt.date(2026, 10, 9)}


@pytest.mark.parametrize(
    ("lang", "made", "none"),
    [
        ("zh", "最近进展 2026-10-09", "尚无进展报告"),
        ("en", "last report 2026-10-09", "no progress"),
    ],
)
def test_due_and_db_due_print_the_last_report_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, made: str, none: str
) -> None:
    """紧盯落实: `due` and `db due` print a plan clock's last report alike, as text and JSON."""
    ledger = tmp_path / "l.jsonl"
    cases = [stepped(*REPORTS, cid="XF-R1"), stepped(cid="XF-R2")]
    ledger.write_text(x.dump_ledger(cases, reveal_personal_data=True), encoding="utf-8")
    db = ["--db", f"sqlite:///{tmp_path / 's.db'}"]
    assert main(["db", "import", str(ledger), *db, "-q"]) == 0
    opts = ["--as-of", "2026-12-01", "--within", "5", "--lang", lang, "-q"]
    outs = {}
    for fmt in ("text", "json"):
        capsys.readouterr()
        assert main(["due", str(ledger), *opts, "--format", fmt]) == 0
        outs[fmt] = from_ledger = capsys.readouterr().out
        assert main(["db", "due", *db, *opts, "--format", fmt]) == 0
        assert capsys.readouterr().out == from_ledger
    lines = outs["text"].splitlines()
    assert any("XF-R1" in ln and made in ln for ln in lines)
    assert any("XF-R2" in ln and none in ln for ln in lines)
    rows = json.loads(outs["json"])["clocks"]
    plan = {(r["case_id"], r["key"]): r["last_report"] for r in rows if r["kind"] == "plan"}
    assert plan[("XF-R1", "plan_deadline")] == "2026-10-09"
    assert plan[("XF-R2", "plan_deadline")] is None
    assert all(r["last_report"] is None for r in rows if r["kind"] != "plan")
