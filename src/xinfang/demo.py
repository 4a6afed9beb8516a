"""Deterministic synthetic demo data: a corps, its backlog, a campaign.

:func:`demo_world` builds one corps with eight detachments (heads and
leadership members), a few hundred backlog cases with event histories
(forwarded, accepted, owned by a lead official, with settlement plans,
opinions, ratings, settlements), new intake during the campaign, and the
campaign itself. The same seed always gives the same world; nothing is read
from disk. Limits run into 2027, so the world uses the provisional calendar.
"""

from __future__ import annotations

import datetime as _dt
import random
import zoneinfo
from typing import Final

import attrs

from xinfang.calendar import WorkCalendar, china_mainland
from xinfang.campaign import Campaign
from xinfang.case import Case
from xinfang.changes import (
    Accept,
    AssignRole,
    Change,
    Claim,
    Forward,
    IssueOpinion,
    Notify,
    PlanMilestone,
    Rate,
    Register,
    ReportProgress,
    SetPlan,
    Settle,
    SettlementPlan,
)
from xinfang.errors import TransitionError
from xinfang.personal import Petitioner
from xinfang.procedure import apply, open_case
from xinfang.responsibility import Official, Organization, Post, Unit
from xinfang.vocabulary import Category, Channel, Outcome, Rating, Role

__all__ = ["DemoWorld", "demo_world"]

_SH: Final = zoneinfo.ZoneInfo("Asia/Shanghai")
_NAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN: Final = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰")
_CLAIMS: Final = (
    ("落实伤残抚恤待遇", "2015年因公负伤", "政策规定"),
    ("补发拖欠津贴", "2017年至2019年津贴未发", "文件规定"),
    ("解决营区周边噪声扰民", "夜间训练噪声", "影响休息"),
    ("退还多收的住房款", "2014年购房多缴", "合同约定"),
    ("恢复退役安置待遇", "安置时未落实", "安置政策"),
    ("查处违规招录问题", "招录过程不公开", "招录规定"),
)


@attrs.frozen(kw_only=True)
class DemoWorld:
    """The demo's organisation, campaign, cases, calendar and the default as-of date."""

    org: Organization
    campaign: Campaign
    cases: tuple[Case, ...]
    calendar: WorkCalendar
    as_of: _dt.date


def _at(day: _dt.date, hour: int = 9) -> _dt.datetime:
    return _dt.datetime(day.year, day.month, day.day, hour, tzinfo=_SH)


def demo_world(*, seed: int = 2026, backlog: int = 320, intake: int = 160) -> DemoWorld:
    """The deterministic demo corps, its backlog and intake, and the campaign."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    units = [Unit(id="HQ", name="总队", level="corps")]
    officials = [
        Official(id="HQ-H", name="总队长", unit="HQ", post=Post.HEAD),
        Official(id="HQ-P", name="总队政委", unit="HQ", post=Post.LEADERSHIP),
    ]
    detachments = [f"D{i}" for i in range(1, 9)]
    for i, d in enumerate(detachments, start=1):
        units.append(
            Unit(id=d, name=f"第{'一二三四五六七八'[i - 1]}支队", level="detachment", parent="HQ")
        )
        officials += [
            Official(id=f"{d}-H", name=f"{d}支队长", unit=d, post=Post.HEAD),
            Official(id=f"{d}-P", name=f"{d}政委", unit=d, post=Post.LEADERSHIP),
            Official(id=f"{d}-S", name=f"{d}信访干事", unit=d, post=Post.STAFF),
        ]
    officials[1] = attrs.evolve(officials[1], liaison_units=("D1", "D2"))
    org = Organization(levels=("corps", "detachment"), units=units, officials=officials)
    cal = china_mainland(provisional=True)
    ctx = (org, cal)
    start, end, as_of = _dt.date(2026, 3, 1), _dt.date(2026, 12, 31), _dt.date(2026, 11, 27)
    # Some detachments work faster than others: the bulletin should show it.
    pace = {d: 0.15 + 0.1 * ((i * 3) % 8) for i, d in enumerate(detachments)}
    cases: list[Case] = []
    targets: list[str] = []
    for n in range(backlog):
        unit = detachments[n % 8]
        received = _dt.date(2019, 1, 1) + _dt.timedelta(days=rng.randrange(6 * 365))
        received = min(received, _dt.date(2025, 12, 31))
        case = _history(rng, f"XF-B{n:04d}", unit, received, ctx, backlog=True)
        case = _campaign_work(rng, case, unit, ctx, start=start, as_of=as_of, pace=pace[unit])
        cases.append(case)
        targets.append(case.id)
    for n in range(intake):
        unit = detachments[rng.randrange(8)]
        received = start + _dt.timedelta(days=rng.randrange((as_of - start).days))
        case = _history(rng, f"XF-N{n:04d}", unit, received, ctx, backlog=False)
        if rng.random() < 0.9:
            # Most new matters get their opinion, some late.
            day = received + _dt.timedelta(days=rng.randrange(20, 75))
            if day <= as_of:
                opinion = IssueOpinion(outcome=rng.choice(list(Outcome)), basis="调查核实")
                case = _apply(case, opinion, day, ctx)
        cases.append(case)
    campaign = Campaign(
        id="2026-gongjian",
        name="信访事项专项攻坚行动",
        units=detachments,
        start=start,
        end=end,
        targets=targets,
        intake_baseline=200,
        leading_group=("HQ-H", "HQ-P"),
        review_every_days=30,
    )
    return DemoWorld(org=org, campaign=campaign, cases=tuple(cases), calendar=cal, as_of=as_of)


_Ctx = tuple[Organization, WorkCalendar]


def _apply(case: Case, change: Change, day: _dt.date, ctx: _Ctx, hour: int = 10) -> Case:
    org, cal = ctx
    try:
        case, _ = apply(case, change, _at(day, hour), by="demo", org=org, calendar=cal)
    except TransitionError:
        return case
    return case


def _history(
    rng: random.Random,
    case_id: str,
    unit: str,
    received: _dt.date,
    ctx: _Ctx,
    *,
    backlog: bool,
) -> Case:
    request, facts, reasons = _CLAIMS[rng.randrange(len(_CLAIMS))]
    accusation = request.startswith("查处")
    reg = Register(
        case_id=case_id,
        received_at=_at(received),
        channel=rng.choice(list(Channel)),
        receiving_unit="HQ",
        petitioners=[Petitioner(name=rng.choice(_NAMES) + rng.choice(_GIVEN))],
        claims=[Claim(request=request, facts=facts, reasons=reasons)],
        category=Category.ACCUSATION if accusation else Category.APPEAL,
        group_size=rng.choice((1, 1, 1, 1, 3, 8)),
        skip_level=rng.random() < 0.08,
        beijing_visit=rng.random() < 0.02,
        backlog_since=received if backlog else None,
        accused_units=("D8",) if accusation and unit != "D8" else (),
    )
    case, _ = open_case(reg, _at(received))
    day = received + _dt.timedelta(days=rng.randrange(1, 12))
    case = _apply(case, Forward(to_unit=unit), day, ctx)
    day += _dt.timedelta(days=rng.randrange(1, 6))
    if backlog or rng.random() < 0.95:
        case = _apply(case, Notify(), day, ctx)
    case = _apply(case, Accept(), day, ctx, hour=11)
    if backlog:
        # Handled before, without settling: replied long ago, still petitioning.
        day += _dt.timedelta(days=rng.randrange(20, 75))
        outcome = rng.choice(list(Outcome))
        case = _apply(case, IssueOpinion(outcome=outcome, basis="原处理意见"), day, ctx)
        if rng.random() < 0.6:
            case = _apply(case, Rate(rating=rng.choice(list(Rating))), day, ctx, hour=15)
    return case


def _campaign_work(
    rng: random.Random,
    case: Case,
    unit: str,
    ctx: _Ctx,
    *,
    start: _dt.date,
    as_of: _dt.date,
    pace: float,
) -> Case:
    """The campaign's work on a backlog case: owner, plan, and (at the unit's pace) settlement."""
    day = start + _dt.timedelta(days=rng.randrange(0, 20))
    case = _apply(
        case,
        AssignRole(role=Role.RESPONSIBLE_UNIT, holder=unit, reason="谁主管、谁负责"),
        day,
        ctx,
    )
    case = _apply(
        case,
        AssignRole(role=Role.LEAD_OFFICIAL, holder=f"{unit}-H", reason="主官带头包案"),
        day,
        ctx,
    )
    case = _apply(
        case,
        AssignRole(role=Role.RESPONSIBLE_PERSON, holder=f"{unit}-S", reason="具体承办"),
        day,
        ctx,
    )
    plan = None
    if rng.random() < 0.85:
        plan = SettlementPlan(
            owner=f"{unit}-H",
            deadline=_dt.date(2026, 10, 31),
            measures=("专班攻坚", "当面听取诉求") if rng.random() < 0.9 else (),
        )
    settle = None
    if rng.random() < pace * 2:
        settle = start + _dt.timedelta(days=rng.randrange(15, (as_of - start).days))
    if plan is not None:
        until = min(settle or as_of, as_of)
        case = _follow_plan(case, plan, day + _dt.timedelta(days=2), until, ctx)
    if settle is not None:
        case = _apply(case, Settle(evidence="签订息诉罢访承诺书"), settle, ctx, hour=17)
    return case


def _follow_plan(
    case: Case, plan: SettlementPlan, day: _dt.date, until: _dt.date, ctx: _Ctx
) -> Case:
    """紧盯落实: the plan set on ``day`` with its steps, progress reports up to ``until``.

    Drawn from the case's own generator (the rest of the demo draws as before):
    deadlines from late September to January, two steps, reports on time, late
    or never (stalled), and one plan in eight revised with its deadline moved later.
    """
    prng = random.Random(f"plan:{case.id}")  # noqa: S311 - reproducible demo data
    deadline = _dt.date(2026, 9, 20) + _dt.timedelta(days=prng.randrange(0, 130))
    first = day + _dt.timedelta(days=prng.randrange(20, 50))
    second = first + _dt.timedelta(days=prng.randrange(30, 80))
    plan = attrs.evolve(
        plan,
        deadline=deadline,
        milestones=(
            PlanMilestone(due=first, what="走访当事人、听取诉求"),
            PlanMilestone(due=min(second, deadline), what="召开听证评议、落实化解措施"),
        ),
    )
    case = _apply(case, SetPlan(plan=plan), day, ctx)
    if plan.measures and day <= until:
        events: list[tuple[_dt.date, Change]] = []
        diligence = prng.random()  # a few owners never report: their plans stall
        if diligence > 0.15:
            for number, step in enumerate(plan.milestones, start=1):
                done = step.due + _dt.timedelta(days=prng.randrange(-15, 20))
                if prng.random() < 0.8:
                    report = ReportProgress(
                        done=f"完成: {step.what}", done_by=plan.owner, completes=(number,)
                    )
                    events.append((done, report))
            check = day + _dt.timedelta(days=prng.randrange(20, 35))
            while diligence > 0.3 and check <= until:  # the diligent report monthly
                events.append((check, ReportProgress(done="调度推进,当事人情绪稳定")))
                check += _dt.timedelta(days=prng.randrange(20, 35))
        if prng.random() < 0.125:  # a revision on the record, with its reason
            later = attrs.evolve(plan, deadline=deadline + _dt.timedelta(days=45))
            revised = SetPlan(plan=later, reason="鉴定意见延后出具")
            events.append((day + _dt.timedelta(days=3), revised))  # before any step is done
        for when, change in sorted(events, key=lambda e: e[0]):
            if day < when <= until:
                case = _apply(case, change, when, ctx, hour=11)
    return case
