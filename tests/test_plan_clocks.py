"""Issue 26 (紧盯落实): the settlement plan's deadline as a clock, and revisions on the record.

The plan clock is a campaign clock (攻坚行动讲话: 明确责任、明确时限、明确措施,紧盯落实), not a
statutory limit: it runs from the first plan's day to the settlement (停访息诉), its due
day is the deadline the current plan sets, never rolled.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import store_helpers
import xinfang as x
from shared_world import world
from xinfang.campaign import stalled
from xinfang.case import mutate
from xinfang.cli import main
from xinfang.deadlines import PLAN_LIMIT, kind_label, limit_due, plan_step_clocks
from xinfang.rulebook import LimitKind
from xinfang.store import open_store
from xinfang.strategies import work_calendars

from helpers import examples, register, t

if TYPE_CHECKING:
    from pathlib import Path

PLAN = x.changes.SettlementPlan(owner="o-1", deadline=dt.date(2026, 11, 30), measures=["当面沟通"])


def planned(*more: tuple[x.Change, dt.datetime], cid: str = "XF-1") -> x.Case:
    """A case accepted on 2026-09-01, its plan (due 2026-11-30) set on 2026-09-02, then ``more``."""
    steps = [
        (x.changes.Accept(), t(2026, 9, 1)),
        (x.changes.SetPlan(plan=PLAN), t(2026, 9, 2)),
        *more,
    ]
    case = mutate(
        None,
        x.Event(seq=1, at=t(2026, 9, 1), by="clerk", change=register(t(2026, 9, 1), case_id=cid)),
    )
    for change, at in steps:
        case = then(case, change, at)
    return case


def then(case: x.Case, change: x.Change, at: dt.datetime) -> x.Case:
    """``case`` with one more event (the fold: the stage graph and the spec's guards)."""
    return mutate(case, x.Event(seq=len(case.events) + 1, at=at, by="o-1", change=change))


def plan_clock(case: x.Case, as_of: dt.date) -> x.Clock:
    """The case's plan deadline clock as of ``as_of``."""
    found = [c for c in x.clocks(case, as_of=as_of) if c.key == PLAN_LIMIT.key]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize(
    ("more", "as_of", "status", "met_on"),
    [
        ((), dt.date(2026, 10, 15), x.ClockStatus.RUNNING, None),
        ((), dt.date(2026, 11, 27), x.ClockStatus.DUE_SOON, None),
        ((), dt.date(2026, 12, 1), x.ClockStatus.OVERDUE, None),
        (
            ((x.changes.Settle(evidence="签字息诉"), t(2026, 11, 20)),),
            dt.date(2026, 12, 1),
            "met",
            20,
        ),
        (
            ((x.changes.Settle(evidence="签字息诉"), t(2026, 12, 3)),),
            dt.date(2026, 12, 5),
            "late",
            3,
        ),
    ],
)
def test_plan_clock_status_by_the_speech_deadline(
    more: tuple[tuple[x.Change, dt.datetime], ...],
    as_of: dt.date,
    status: x.ClockStatus | str,
    met_on: int | None,
) -> None:
    """明确时限: running, due soon, overdue, met, met late (settled after 2026-11-30)."""
    c = plan_clock(planned(*more), as_of)
    want = {"met": x.ClockStatus.MET, "late": x.ClockStatus.MISSED}.get(str(status), status)
    assert c.status is want
    assert c.due == c.nominal == dt.date(2026, 11, 30)
    assert c.started_on == dt.date(2026, 9, 2)
    assert c.kind is LimitKind.PLAN and c.obligor == "plan_owner"
    if met_on is not None:
        assert c.met_on is not None and c.met_on.day == met_on


def test_plan_clock_explains_itself_as_a_campaign_clock() -> None:
    """The explanation says campaign clock, not statutory, not rolled; one language each."""
    c = plan_clock(planned(), dt.date(2026, 10, 15))
    assert "非法定时限" in c.explain() and "不因休息日顺延" in c.explain()
    en = c.explain("en")
    assert "not a statutory limit" in en and "not rolled" in en
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en)
    assert kind_label(c.kind) == "方案时限" and kind_label(c.kind, "en") == "plan clock"


def test_no_deadline_no_plan_clock() -> None:
    """A plan without a deadline has no clock (it is incomplete: 明确时限 is missing)."""
    case = planned(
        (x.changes.SetPlan(plan=attrs.evolve(PLAN, deadline=None), reason="待定"), t(2026, 9, 3))
    )
    assert not [c for c in x.clocks(case, as_of=dt.date(2026, 10, 1)) if c.key == PLAN_LIMIT.key]


def test_revision_moving_the_deadline_later_needs_a_reason() -> None:
    """明确时限: a later deadline without a reason is refused, naming the guard's rule."""
    later = attrs.evolve(PLAN, deadline=dt.date(2026, 12, 31))
    with pytest.raises(x.TransitionError) as info:
        planned((x.changes.SetPlan(plan=later), t(2026, 11, 1)))
    assert "明确时限" in (info.value.rule or "") and "no reason" in str(info.value)
    case = planned((x.changes.SetPlan(plan=later, reason="鉴定意见延后"), t(2026, 11, 1)))
    assert plan_clock(case, dt.date(2026, 12, 5)).due == dt.date(2026, 12, 31)
    assert case.deadline_moves == 1
    assert [r.plan.deadline for r in case.plan_history] == [PLAN.deadline, later.deadline]
    assert case.plan_history[1].reason == "鉴定意见延后" and case.plan_history[1].moved_later


def test_revision_moving_the_deadline_earlier_needs_no_reason() -> None:
    """An earlier deadline is not a move later: no reason needed, nothing counted."""
    case = planned(
        (x.changes.SetPlan(plan=attrs.evolve(PLAN, deadline=dt.date(2026, 11, 15))), t(2026, 10, 1))
    )
    assert case.deadline_moves == 0 and len(case.plan_history) == 2


@settings(max_examples=examples(30))
@given(calendar=work_calendars(min_year=2026, max_year=2027), days=st.integers(0, 200))
def test_plan_clock_due_day_is_the_deadline_whatever_the_calendar(
    calendar: x.WorkCalendar, days: int
) -> None:
    """The due day is the date the plan sets, never rolled, whatever the calendar."""
    deadline = dt.date(2026, 9, 2) + dt.timedelta(days=days)
    plan = attrs.evolve(PLAN, deadline=deadline)
    case = planned((x.changes.SetPlan(plan=plan, reason="重定"), t(2026, 9, 2, 10)))
    rb = x.bundled_rulebook()
    try:
        found = limit_due(case, PLAN_LIMIT, rb, calendar, as_of=dt.date(2026, 9, 3))
    except x.errors.CalendarRangeError:  # only the working days left need the calendar
        assert not calendar.first <= dt.date(2026, 9, 3) <= deadline <= calendar.last
        return
    assert found is not None and (found.due, found.nominal) == (deadline, deadline)


@settings(max_examples=examples(25))
@given(
    deadlines=st.lists(
        st.one_of(st.none(), st.dates(dt.date(2026, 9, 1), dt.date(2027, 6, 30))),
        min_size=1,
        max_size=5,
    )
)
def test_a_revision_never_loses_the_earlier_plan(deadlines: list[dt.date | None]) -> None:
    """Every plan set stays in the history, in order; the moves later are counted."""
    case = planned()
    for i, d in enumerate(deadlines):
        change = x.changes.SetPlan(plan=attrs.evolve(PLAN, deadline=d), reason=f"第{i}次调整")
        case = then(case, change, t(2026, 9, 3 + i))
    history = case.plan_history
    assert [r.plan.deadline for r in history] == [PLAN.deadline, *deadlines]
    assert case.plan == history[-1].plan
    previous = [PLAN.deadline, *deadlines][:-1]
    moved = [
        old is not None and (new is None or new > old)
        for old, new in zip(previous, deadlines, strict=True)
    ]
    assert case.deadline_moves == sum(moved)
    assert [r.moved_later for r in history[1:]] == moved


@settings(max_examples=examples(25))
@given(
    settle=st.one_of(st.none(), st.integers(1, 150)),
    deadline=st.integers(0, 120),
    as_of=st.integers(0, 180),
    step_days=st.lists(st.integers(0, 120), max_size=3),
    report=st.one_of(st.none(), st.integers(1, 150)),
)
def test_value_path_and_column_path_give_the_same_plan_clocks(
    settle: int | None, deadline: int, as_of: int, step_days: list[int], report: int | None
) -> None:
    """clocks() and clock_table() (the column path) give the same plan and step clocks."""
    start = dt.date(2026, 9, 2)
    milestones = [
        x.changes.PlanMilestone(due=start + dt.timedelta(days=d), what=f"步骤{i}")
        for i, d in enumerate(step_days)
    ]
    plan = attrs.evolve(PLAN, deadline=start + dt.timedelta(days=deadline), milestones=milestones)
    steps: list[tuple[x.Change, dt.datetime]] = [
        (x.changes.SetPlan(plan=plan, reason="重定"), t(2026, 9, 2, 10))
    ]
    if report is not None and milestones and (settle is None or report < settle):
        d = start + dt.timedelta(days=report)
        steps.append(
            (x.changes.ReportProgress(done="完成", completes=[1]), t(d.year, d.month, d.day))
        )
    if settle is not None:
        d = start + dt.timedelta(days=settle)
        steps.append((x.changes.Settle(evidence="息诉"), t(d.year, d.month, d.day)))
    many = [planned(*steps), planned()]
    day = start + dt.timedelta(days=as_of)
    table = x.clock_table(many, as_of=day)
    by_value = [c for case in many for c in x.clocks(case, as_of=day)]
    assert table.to_clocks() == by_value
    assert any(c.key == PLAN_LIMIT.key for c in by_value)


def test_store_due_lists_plan_clocks_beside_statutory_ones_filterable_by_kind(
    tmp_path: Path,
) -> None:
    """The store's due query gives clocks() answer, plan clocks included; kinds= filters."""
    ids = [
        planned(cid="XF-P1"),
        planned(cid="XF-P2"),
    ]
    day = dt.date(2026, 12, 1)
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as s:
        s.import_ledger(x.dump_ledger(ids, reveal_personal_data=True))
        every = s.due(day, 5)
        plans = s.due(day, 5, kinds={LimitKind.PLAN})
        statutory = s.due(day, 5, kinds={LimitKind.DUTY, LimitKind.WINDOW})
        with pytest.raises(x.InvalidDataError, match="kinds"):
            s.due(day, 5, kinds={"plan"})  # type: ignore[arg-type]
    by_value = [
        c
        for case in ids
        for c in x.clocks(case, as_of=day)
        if c.status.is_open and (c.remaining_working_days or 0) <= 5
    ]
    assert sorted(every, key=lambda c: (c.case_id, c.key)) == sorted(
        by_value, key=lambda c: (c.case_id, c.key)
    )
    assert [(c.case_id, c.key, c.status) for c in plans] == [
        ("XF-P1", "plan_deadline", x.ClockStatus.OVERDUE),
        ("XF-P2", "plan_deadline", x.ClockStatus.OVERDUE),
    ]
    assert set(plans) | set(statutory) == set(every) and not set(plans) & set(statutory)


def test_due_command_labels_each_clock_with_its_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`due` lists plan clocks beside statutory ones, each with its kind, in one language."""
    ledger = tmp_path / "l.jsonl"
    ledger.write_text(x.dump_ledger([planned()], reveal_personal_data=True), encoding="utf-8")
    args = ["due", str(ledger), "--as-of", "2026-12-01", "-q"]
    assert main(args) == 0
    zh = capsys.readouterr().out.splitlines()
    assert any("方案时限" in ln and "息访方案时限" in ln for ln in zh)
    assert any("法定时限" in ln for ln in zh)
    assert main([*args, "--kind", "plan", "--lang", "en"]) == 0
    en = capsys.readouterr().out.splitlines()
    assert len(en) == 1 and "plan clock" in en[0] and "overdue" in en[0]
    assert "the campaign speech" in en[0]


STEPPED = attrs.evolve(
    PLAN,
    milestones=[
        x.changes.PlanMilestone(due=dt.date(2026, 9, 30), what="走访当事人"),
        x.changes.PlanMilestone(due=dt.date(2026, 10, 30), what="听证评议"),
    ],
)


def stepped(*more: tuple[x.Change, dt.datetime], cid: str = "XF-1") -> x.Case:
    """A case whose plan (first set 09-02, revised 09-03) has two steps: due 09-30 and 10-30."""
    return planned((x.changes.SetPlan(plan=STEPPED), t(2026, 9, 3)), *more, cid=cid)


def step(case: x.Case, number: int, as_of: dt.date) -> x.Clock:
    """Step ``number``'s clock as of ``as_of``."""
    return plan_step_clocks(case, as_of=as_of)[number - 1]


@pytest.mark.parametrize(
    ("more", "as_of", "status"),
    [
        ((), dt.date(2026, 9, 10), x.ClockStatus.RUNNING),
        ((), dt.date(2026, 9, 28), x.ClockStatus.DUE_SOON),
        ((), dt.date(2026, 10, 8), x.ClockStatus.OVERDUE),
        (((x.changes.ReportProgress(done="已走访", completes=[1]), t(2026, 9, 20)),), None, "met"),
        (((x.changes.ReportProgress(done="已走访", completes=[1]), t(2026, 10, 9)),), None, "late"),
    ],
)
def test_step_clock_status_by_the_speech_deadline(
    more: tuple[tuple[x.Change, dt.datetime], ...],
    as_of: dt.date | None,
    status: x.ClockStatus | str,
) -> None:
    """紧盯落实: a step runs to the report that marks it done; due 09-30 as the plan sets it."""
    c = step(stepped(*more), 1, as_of or dt.date(2026, 10, 12))
    want = {"met": x.ClockStatus.MET, "late": x.ClockStatus.MISSED}.get(str(status), status)
    assert c.status is want
    assert (c.key, c.due, c.started_on) == (
        "plan_step_1",
        dt.date(2026, 9, 30),
        dt.date(2026, 9, 2),  # the first plan's day, as the deadline's clock
    )
    assert (c.kind, c.title, c.title_en) == (LimitKind.PLAN, "方案步骤1", "settlement plan step 1")


def test_progress_report_records_what_who_and_the_last_date() -> None:
    """进展情况: the report's text, who did it, its steps; the case keeps the last date."""
    case = stepped(
        (x.changes.ReportProgress(done="已走访", done_by="o-2", completes=[1]), t(2026, 9, 20)),
        (x.changes.ReportProgress(done="准备听证"), t(2026, 10, 10)),
    )
    assert case.on.progress_reported == dt.date(2026, 10, 10)
    assert case.steps_done == (dt.date(2026, 9, 20), None)
    assert step(case, 2, dt.date(2026, 11, 2)).status is x.ClockStatus.OVERDUE
    first = case.events[-2].change
    assert isinstance(first, x.changes.ReportProgress) and first.done_by == "o-2"


def test_a_step_done_twice_or_missing_is_refused() -> None:
    """A report completes the current plan's steps, each once (guard progress_steps)."""
    with pytest.raises(x.TransitionError, match="already done"):
        stepped(
            (x.changes.ReportProgress(done="已走访", completes=[1]), t(2026, 9, 20)),
            (x.changes.ReportProgress(done="又走访", completes=[1]), t(2026, 9, 21)),
        )
    with pytest.raises(x.TransitionError, match="no step 3"):
        stepped((x.changes.ReportProgress(done="?", completes=[3]), t(2026, 9, 20)))
    with pytest.raises(x.TransitionError, match="set one first"):
        then(
            mutate(None, x.Event(seq=1, at=t(2026, 9, 1), by="c", change=register(t(2026, 9, 1)))),
            x.changes.ReportProgress(done="走访"),
            t(2026, 9, 2),
        )


@pytest.mark.parametrize(
    ("report", "as_of", "expected"),
    [
        (None, dt.date(2026, 10, 2), False),  # 30 days since the plan (09-02): not yet
        (None, dt.date(2026, 10, 3), True),  # 31 days with no report: stalled
        (dt.date(2026, 9, 20), dt.date(2026, 10, 3), False),  # a report resets the count
        (dt.date(2026, 9, 20), dt.date(2026, 10, 21), True),
    ],
)
def test_a_plan_with_no_report_for_the_campaign_days_is_stalled(
    report: dt.date | None, as_of: dt.date, expected: bool
) -> None:
    """A plan with no progress report for more than stalled_after_days (30) days is stalled."""
    more = (
        []
        if report is None
        else [(x.changes.ReportProgress(done="走访"), t(report.year, report.month, report.day))]
    )
    case = planned(*more)
    assert stalled(case, as_of, 30) is expected
    settled = then(case, x.changes.Settle(evidence="息诉"), t(2026, 10, 1, 10))
    assert not stalled(settled, dt.date(2026, 12, 1), 30)


def test_an_overdue_plan_escalates_to_its_owner_and_the_unit_head() -> None:
    """By the escalation policy's data: an overdue plan goes to its owner and the unit's head."""
    w = world()
    case = then(
        planned((x.changes.SetPlan(plan=attrs.evolve(PLAN, owner="D1-P")), t(2026, 9, 3))),
        x.changes.AssignRole(role=x.vocabulary.Role.RESPONSIBLE_UNIT, holder="D1", reason="谁主管"),
        t(2026, 9, 3),
    )
    day = dt.date(2026, 12, 1)
    plan_only = [c for c in x.clocks(case, as_of=day) if c.key == PLAN_LIMIT.key]
    assert [c.status for c in plan_only] == [x.ClockStatus.OVERDUE]
    told, _ = x.responsibility.escalations(case, plan_only, w.org, as_of=day)
    assert {(e.official, e.target) for e in told} == {("D1-P", "plan_owner"), ("D1-H", "unit_head")}
    assert all("紧盯落实" in e.reason for e in told)
    running = [c for c in x.clocks(case, as_of=dt.date(2026, 10, 1)) if c.key == PLAN_LIMIT.key]
    assert x.responsibility.escalations(case, running, w.org, as_of=dt.date(2026, 10, 1))[0] == ()


store_url = store_helpers.store_url


def test_store_due_lists_step_clocks_as_clocks_does(store_url: str) -> None:
    """The store's due query (SQLite and PostgreSQL) lists step clocks (done, missed, running).

    紧盯落实 (攻坚行动讲话): each step of a plan is a plan clock; the projections carry
    them through the one clock engine, and ``check`` agrees after step reports.
    """
    running = stepped(cid="XF-S1")
    missed = stepped(cid="XF-S2")
    done = stepped(cid="XF-S3")
    reports = [
        ("XF-S2", x.changes.ReportProgress(done="已走访", completes=[1]), t(2026, 10, 9)),
        ("XF-S3", x.changes.ReportProgress(done="已走访", completes=[1]), t(2026, 9, 20)),
        ("XF-S3", x.changes.ReportProgress(done="已听证", completes=[2]), t(2026, 10, 9)),
    ]
    day = dt.date(2026, 10, 12)
    with open_store(store_url) as s:
        s.import_ledger(x.dump_ledger([running, missed, done], reveal_personal_data=True))
        for cid, change, at in reports:
            s.apply(cid, change, at=at)
        assert s.check().ok
        cases = [s.case(cid) for cid in ("XF-S1", "XF-S2", "XF-S3")]
        every = s.due(day, 30)
        plans = s.due(day, 30, overdue=False, kinds={LimitKind.PLAN})
    by_value = sorted(
        (
            c
            for case in cases
            for c in x.clocks(case, as_of=day)
            if c.status.is_open and (c.remaining_working_days or 0) <= 30
        ),
        key=lambda c: (c.case_id, c.key),
    )
    assert sorted(every, key=lambda c: (c.case_id, c.key)) == by_value
    steps = [(c.case_id, c.key, c.status) for c in every if c.key.startswith("plan_step_")]
    assert steps == [
        ("XF-S1", "plan_step_1", x.ClockStatus.OVERDUE),
        ("XF-S1", "plan_step_2", x.ClockStatus.RUNNING),
        ("XF-S2", "plan_step_2", x.ClockStatus.RUNNING),
    ]
    assert {c.key for c in plans} == {"plan_step_2"}  # overdue=False: from the day on


def test_projections_from_before_step_clocks_are_flagged_and_rebuilt(store_url: str) -> None:
    """A store projected before step clocks (no plan_step rows): check says so, rebuild mends.

    紧盯落实 (攻坚行动讲话): the schema is unchanged, so the existing path applies.
    """
    day = dt.date(2026, 10, 12)
    with open_store(store_url) as s:
        s.import_ledger(x.dump_ledger([stepped(cid="XF-S1")], reveal_personal_data=True))
        before = s.due(day, 30)
    conn = store_helpers.raw_connect(store_url)
    try:
        conn.execute("DELETE FROM xf_clock WHERE limit_key LIKE 'plan_step_%'")
    finally:
        conn.close()
    with open_store(store_url) as s:
        assert not any(c.key.startswith("plan_step_") for c in s.due(day, 30))
        report = s.check()
        assert not report.ok and "plan_step_1" in report.problems[0]
        assert s.rebuild() == 1
        assert s.check().ok
        assert s.due(day, 30) == before
    assert {c.key for c in before} >= {"plan_step_1", "plan_step_2"}


def test_due_and_db_due_label_step_clocks_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """紧盯落实: `due` and `db due` list a missed step as a plan clock, in zh and en alike."""
    missed = stepped(
        (x.changes.ReportProgress(done="已走访", completes=[1]), t(2026, 10, 9)), cid="XF-S2"
    )
    ledger = tmp_path / "l.jsonl"
    ledger.write_text(
        x.dump_ledger([stepped(cid="XF-S1"), missed], reveal_personal_data=True), encoding="utf-8"
    )
    db = ["--db", f"sqlite:///{tmp_path / 's.db'}"]
    assert main(["db", "import", str(ledger), *db, "-q"]) == 0
    for lang, kind, title in (("zh", "方案时限", "方案步骤"), ("en", "plan clock", "plan step")):
        opts = ["--as-of", "2026-10-12", "--within", "3", "--kind", "plan", "--lang", lang, "-q"]
        capsys.readouterr()
        assert main(["due", str(ledger), *opts]) == 0
        from_ledger = capsys.readouterr().out.splitlines()
        assert main(["db", "due", *db, *opts]) == 0
        assert capsys.readouterr().out.splitlines() == from_ledger
        assert len(from_ledger) == 1  # XF-S1's step 1 (XF-S2 reported its own)
        assert "XF-S1" in from_ledger[0] and kind in from_ledger[0] and title in from_ledger[0]
