"""Issue 26: the bulletin follows the plans through (紧盯落实) and closes the campaign (总结通报).

Per unit: plans overdue, steps overdue, stalled plans, deadlines moved later,
unfinished tasks (未完成攻坚任务: open targets on and after the end); the
admonish rules are the campaign file's data (攻坚行动讲话: 对进展缓慢、
未完成攻坚任务的落实约谈机制).
"""

from __future__ import annotations

import datetime as dt
import json

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xinfang as x
from shared_world import world
from xinfang.case import mutate
from xinfang.deadlines import last_report
from xinfang.report import render

from helpers import examples, register, t

W = world()
PLAN = x.changes.SettlementPlan(
    owner="D1-H",
    deadline=dt.date(2026, 11, 30),
    measures=["当面沟通"],
    milestones=[x.changes.PlanMilestone(due=dt.date(2026, 10, 15), what="走访当事人")],
)


def then(case: x.Case, change: x.Change, at: dt.datetime) -> x.Case:
    """``case`` with one more event."""
    return mutate(case, x.Event(seq=len(case.events) + 1, at=at, by="D1-S", change=change))


def d1_case(cid: str, *more: tuple[x.Change, dt.datetime]) -> x.Case:
    """A target case of unit D1 (the responsible unit), accepted 2026-09-01, planned 09-02."""
    reg = register(t(2026, 9, 1), case_id=cid)
    case = mutate(None, x.Event(seq=1, at=t(2026, 9, 1), by="clerk", change=reg))
    steps = [
        (x.changes.Accept(), t(2026, 9, 1)),
        (
            x.changes.AssignRole(
                role=x.vocabulary.Role.RESPONSIBLE_UNIT, holder="D1", reason="谁主管"
            ),
            t(2026, 9, 1),
        ),
        (x.changes.SetPlan(plan=PLAN), t(2026, 9, 2)),
        *more,
    ]
    for change, at in steps:
        case = then(case, change, at)
    return case


def snap(cases: list[x.Case], as_of: dt.date, **rules: int) -> x.Snapshot:
    """The snapshot of ``cases`` (all targets) under the demo campaign with ``rules``."""
    campaign = attrs.evolve(W.campaign, targets=[c.id for c in cases], **rules)
    return x.snapshot(campaign, cases, W.org, as_of=as_of, calendar=W.calendar)


def test_plan_figures_of_a_unit() -> None:
    """Plans past 11-30 overdue, missed steps, plans with no report for 30 days, moves."""
    later = attrs.evolve(PLAN, deadline=dt.date(2026, 12, 10))
    latest = attrs.evolve(PLAN, deadline=dt.date(2026, 12, 20))
    moved = d1_case(
        "XF-M",
        (x.changes.SetPlan(plan=later, reason="鉴定延后"), t(2026, 9, 5)),
        (x.changes.SetPlan(plan=latest, reason="再次延后"), t(2026, 9, 6)),
    )
    late = d1_case("XF-L")
    kept = d1_case(
        "XF-K",
        (x.changes.ReportProgress(done="已走访", completes=[1]), t(2026, 10, 10)),
        (x.changes.ReportProgress(done="协调会", completes=[]), t(2026, 11, 20)),
    )
    p = snap([moved, late, kept], dt.date(2026, 12, 5)).unit("D1")
    assert p.plans_overdue == 2  # XF-L and XF-K (XF-M's deadline moved to 12-20)
    assert p.steps_overdue == 2  # XF-M's and XF-L's step (XF-K reported it done)
    assert p.plans_stalled == 2  # XF-M and XF-L: no report since the plan (> 30 days)
    assert (p.cases_moved, p.deadline_moves) == (1, 2)
    assert p.unfinished == 0


def test_agenda_names_the_plan_owner() -> None:
    """An overdue plan is on the agenda with its owner (包案领导) by name."""
    s = snap([d1_case("XF-L")], dt.date(2026, 12, 5))
    item = next(a for a in s.agenda if a.clock == "plan_deadline")
    assert (item.owner, item.owner_name, item.status) == ("D1-H", "D1支队长", "overdue")
    assert "包案领导: D1支队长" in render(s, format="md")


def test_agenda_shows_the_last_progress_report() -> None:
    """An overdue plan's agenda row shows its last progress report (调度进展情况), else none yet."""
    reported = d1_case(
        "XF-R", (x.changes.ReportProgress(done="协调会", completes=[1]), t(2026, 11, 20))
    )
    s = snap([reported, d1_case("XF-N")], dt.date(2026, 12, 5))
    rows = {a.case_id: a for a in s.agenda if a.clock == "plan_deadline"}
    assert (rows["XF-R"].last_report, rows["XF-N"].last_report) == (dt.date(2026, 11, 20), None)
    zh, en = render(s, format="md"), render(s, format="md", lang="en")
    assert "| 状态 | 最近进展 |" in zh
    assert (
        "| XF-R | 第一支队 | 息访方案时限(包案领导: D1支队长) | 2026-11-30 | 已超期 | 2026-11-20 |"
        in zh
    )
    assert "| 已超期 | 尚无 |" in zh
    assert "| Status | Last progress report |" in en
    assert "| overdue | none yet |" in en
    assert "<td>2026-11-20</td>" in render(s, format="html")
    data = json.loads(render(s, format="json", lang="en"))
    texts = {a["case_id"]: (a["last_report"], a["last_report_text"]) for a in data["agenda"]}
    assert texts["XF-R"] == ("2026-11-20", "2026-11-20")
    assert texts["XF-N"] == (None, "none yet")
    assert data["schema_version"] == 4


def test_admonish_rules_on_plans_are_data() -> None:
    """Admonished at 2 overdue plans (the file's rule); 0 turns the rule off."""
    cases = [d1_case("XF-A"), d1_case("XF-B")]
    s = snap(cases, dt.date(2026, 12, 5), admonish_min_stalled_plans=0)
    d1 = next(i for i in s.admonish if i.unit == "D1")
    assert "息访方案超期 2 件 (≥ 2)" in d1.reasons
    off = snap(
        cases, dt.date(2026, 12, 5), admonish_min_overdue_plans=0, admonish_min_stalled_plans=0
    )
    assert not any("方案超期" in r for i in off.admonish for r in i.reasons)


def test_the_campaign_end_counts_unfinished_tasks_and_closes() -> None:
    """On and after the end (2026-12-31) open targets are unfinished; the bulletin is 总结通报."""
    cases = [d1_case("XF-O"), d1_case("XF-S", (x.changes.Settle(evidence="息诉"), t(2026, 11, 1)))]
    before = snap(cases, dt.date(2026, 12, 30))
    after = snap(cases, dt.date(2026, 12, 31))
    assert (before.unit("D1").unfinished, after.unit("D1").unfinished) == (0, 1)
    assert not before.closing and after.closing
    d1 = next(i for i in after.admonish if i.unit == "D1")
    assert "未完成攻坚任务 1 件 (≥ 1)" in d1.reasons
    assert render(after, format="md").startswith("# 信访事项专项攻坚行动总结通报")
    assert "Closing tally" in render(after, format="md", lang="en")


@settings(max_examples=examples(15))
@given(
    picks=st.lists(st.integers(0, len(W.cases) - 1), min_size=1, max_size=60, unique=True),
    days=st.integers(0, 320),
)
def test_plan_figures_per_unit_add_up_to_the_totals(picks: list[int], days: int) -> None:
    """Plans overdue, steps overdue, stalled, moves, unfinished: the units sum to the total."""
    cases = [W.cases[i] for i in sorted(picks)]
    as_of = W.campaign.start + dt.timedelta(days=days)
    s = x.snapshot(W.campaign, cases, W.org, as_of=as_of, calendar=W.calendar)
    rows = [*s.units, *((s.unplaced,) if s.unplaced else ())]
    for name in (
        "plans_overdue",
        "steps_overdue",
        "plans_stalled",
        "deadline_moves",
        "cases_moved",
        "unfinished",
    ):
        assert sum(getattr(p, name) for p in s.units) == getattr(s.overall, name), name
        assert all(getattr(p, name) >= 0 for p in rows)
    assert s.overall.unfinished == (s.overall.open if as_of >= W.campaign.end else 0)


@settings(max_examples=examples(15))
@given(
    picks=st.lists(st.integers(0, len(W.cases) - 1), min_size=1, max_size=60, unique=True),
    days=st.integers(0, 320),
)
def test_agenda_last_report_is_the_plan_clock_rule(picks: list[int], days: int) -> None:
    """A plan row's last report is the case's last report by the date; other rows have none."""
    cases = {W.cases[i].id: W.cases[i] for i in picks}
    as_of = W.campaign.start + dt.timedelta(days=days)
    s = x.snapshot(W.campaign, list(cases.values()), W.org, as_of=as_of, calendar=W.calendar)
    for item in s.agenda:
        plan = item.clock.startswith("plan_")
        expected = last_report(cases[item.case_id], as_of) if plan else None
        assert item.last_report == expected, item


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 27), dt.date(2027, 1, 5)])
def test_value_and_column_snapshots_give_the_same_plan_figures(as_of: dt.date) -> None:
    """The columnar engine's snapshot gives the value path's plan figures and agenda."""
    pytest.importorskip("pyarrow")
    journal = x.load_journal(x.dump_ledger(W.cases, reveal_personal_data=True).encode())
    by_value = x.snapshot(W.campaign, W.cases, W.org, as_of=as_of, calendar=W.calendar)
    by_columns = x.columnar.journal_snapshot(
        journal, W.campaign, W.org, as_of=as_of, calendar=W.calendar
    )
    assert by_columns.units == by_value.units and by_columns.overall == by_value.overall
    assert by_columns.agenda == by_value.agenda
