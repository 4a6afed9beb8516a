"""A synthetic, realistic petition corpus for the columnar bench, examples and tests.

:func:`make_corpus` builds ``n`` distinct cases through the value path
(:func:`xinfang.open_case` and :func:`xinfang.apply` under the 2022
rulebook, the provisional mainland calendar and a corps of eight
detachments): every change kind occurs, at realistic rates (registrations
with resident IDs and phones; forwarding and assignment with receipt and
report-back; remit objections approved and materials returned; acceptance
on the ordinary, duty and suggestion routes; notices; extensions; rare
hearings; opinions, reviews, re-reviews; settlements, agreements, rare
relapses; withdrawals; ratings; roles assigned and released; settlement
plans; categorisations; declines). A command the law refuses is skipped, so
every case is reachable legally. Receipts run from 2019 to November 2026,
every event on or before :data:`AS_OF`.

Case ids are ``XF-0000-nnnnnn``: copy ``k`` of the corpus renames them
``XF-kkkk-nnnnnn`` (:func:`replicate_ledger` by string replacement in the
JSON Lines text, :func:`replicate_events` vectorised on the Arrow journal),
which scales 10,000 distinct cases to millions without building them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

import attrs

import xinfang as x
from xinfang.errors import TransitionError
from xinfang.instants import SHANGHAI

__all__ = [
    "AS_OF",
    "BASE",
    "Corpus",
    "backlog_ids",
    "campaign_of",
    "make_corpus",
    "make_org",
    "replicate_events",
    "replicate_ledger",
]

#: The sweep day of the bench (every event of the corpus is on or before it).
AS_OF: Final = dt.date(2026, 11, 27)
#: The id prefix of the distinct cases (copy 0).
BASE: Final = "XF-0000-"
_UNITS: Final = tuple(f"D{i}" for i in range(1, 9))
_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN: Final = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚"
_AREAS: Final = ("110105", "310104", "440305", "510107", "330106", "420102", "610113")
_CLAIMS: Final = (
    ("落实伤残抚恤待遇", "2015年因公负伤", "政策规定"),
    ("补发拖欠津贴", "2017年至2019年津贴未发", "文件规定"),
    ("解决营区周边噪声扰民", "夜间训练噪声", "影响休息"),
    ("退还多收的住房款", "2014年购房多缴", "合同约定"),
    ("恢复退役安置待遇", "安置时未落实", "安置政策"),
    ("建议改进来访接待流程", "", "便民"),
)
_TEXT: Final = ("依据政策", "经调查核实", "事实清楚", "理由说明", "情况复杂")


@attrs.frozen
class Corpus:
    """Distinct cases with the organisation and campaign they are swept under."""

    cases: tuple[x.Case, ...]
    org: x.Organization
    campaign: x.Campaign
    calendar: x.WorkCalendar
    as_of: dt.date


def make_org() -> x.Organization:
    """A corps (HQ) with eight detachments D1..D8, each with a head, a leader and staff."""
    units = [x.responsibility.Unit(id="HQ", name="总队", level="corps")]
    officials = [
        x.responsibility.Official(
            id="HQ-H", name="总队长", unit="HQ", post=x.responsibility.Post.HEAD
        ),
        x.responsibility.Official(
            id="HQ-P", name="总队政委", unit="HQ", post=x.responsibility.Post.LEADERSHIP
        ),
    ]
    for i, d in enumerate(_UNITS, start=1):
        units.append(
            x.responsibility.Unit(id=d, name=f"第{i}支队", level="detachment", parent="HQ")
        )
        officials += [
            x.responsibility.Official(
                id=f"{d}-H", name=f"{d}支队长", unit=d, post=x.responsibility.Post.HEAD
            ),
            x.responsibility.Official(
                id=f"{d}-P", name=f"{d}政委", unit=d, post=x.responsibility.Post.LEADERSHIP
            ),
            x.responsibility.Official(
                id=f"{d}-S", name=f"{d}信访干事", unit=d, post=x.responsibility.Post.STAFF
            ),
        ]
    return x.Organization(levels=("corps", "detachment"), units=units, officials=officials)


def campaign_of(targets: Sequence[str], distinct: int) -> x.Campaign:
    """The 2026 campaign over the detachments, targeting ``targets`` (the backlog's ids)."""
    return x.Campaign(
        id="2026-gongjian",
        name="信访事项专项攻坚行动",
        units=_UNITS,
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 12, 31),
        targets=targets,
        intake_baseline=max(1, distinct // 5),
        leading_group=("HQ-H", "HQ-P"),
        review_every_days=30,
    )


def backlog_ids(cases: Iterable[x.Case]) -> list[str]:
    """Ids of the cases registered as backlog (``backlog_since`` set): the campaign's targets."""
    return [c.id for c in cases if getattr(c.events[0].change, "backlog_since", None) is not None]


def _resident_id(rng: random.Random) -> str:
    from xinfang.personal import id_check_digit

    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(24_000))
    first17 = f"{rng.choice(_AREAS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))


def _petitioners(rng: random.Random, group: int) -> list[x.personal.Petitioner]:
    if rng.random() < 0.05:
        return [
            x.personal.Petitioner(
                name="某某物业公司", kind=x.vocabulary.PetitionerKind.ORGANISATION
            )
        ]
    return [
        x.personal.Petitioner(
            name=_name(rng),
            id_number=_resident_id(rng) if rng.random() < 0.9 else None,
            phone=_phone(rng) if rng.random() < 0.85 else None,
            address=rng.choice(("", "北京市朝阳区", "上海市徐汇区", "成都市武侯区")),
        )
        for _ in range(1 if group == 1 else rng.randint(1, 3))
    ]


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(('138', '139', '150', '186', '199'))}{rng.randrange(10**8):08d}"


class _Walk:
    """One case's history, applied command by command; refused commands are skipped."""

    def __init__(
        self, rng: random.Random, case: x.Case, at: dt.datetime, org: x.Organization, cal: Any
    ) -> None:
        self.rng, self.case, self.at, self.org, self.cal = rng, case, at, org, cal
        self.end = dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, 17, tzinfo=SHANGHAI)

    def later(self, lo: int, hi: int) -> bool:
        """Move the clock ``lo..hi`` days (and some minutes) on; False past the sweep day."""
        step = dt.timedelta(days=self.rng.randint(lo, hi), minutes=self.rng.randrange(480))
        if self.at + step > self.end:
            return False
        self.at += step
        return True

    def do(self, change: x.Change, lo: int = 0, hi: int = 5) -> bool:
        if not self.later(lo, hi):
            return False
        try:
            self.case, _ = x.apply(
                self.case, change, self.at, by="clerk", org=self.org, calendar=self.cal
            )
        except TransitionError:
            return False
        return True


def _register(rng: random.Random, i: int, received: dt.datetime) -> x.changes.Register:
    group = rng.choice((1, 1, 1, 1, 1, 1, 2, 3, 8))
    request, facts, reasons = _CLAIMS[rng.randrange(len(_CLAIMS))]
    backlog = received.date() < dt.date(2025, 6, 1) and rng.random() < 0.3
    repeat = rng.random() < 0.05
    return x.changes.Register(
        case_id=f"{BASE}{i:06d}",
        received_at=received,
        channel=rng.choice(list(x.vocabulary.Channel)),
        receiving_unit=rng.choice(("HQ", *_UNITS)),
        receiving_unit_kind=rng.choice(
            (None, None, x.vocabulary.UnitKind.OTHER, x.vocabulary.UnitKind.POLITICAL_LEGAL)
        ),
        petitioners=_petitioners(rng, group),
        claims=[x.changes.Claim(request=request, facts=facts, reasons=reasons)],
        category=rng.choice(
            (None, None, x.vocabulary.Category.APPEAL, x.vocabulary.Category.SUGGESTION)
        )
        if request.startswith("建议")
        else rng.choice((None, None, None, x.vocabulary.Category.APPEAL)),
        group_size=group,
        representatives=[_name(rng) for _ in range(min(group, 5) if group >= 5 else 0)],
        repeat_of=("XF-OLD-000001",) if repeat else (),
        same_facts=False,
        skip_level=rng.random() < 0.05,
        beijing_visit=rng.random() < 0.01,
        backlog_since=received.date() if backlog else None,
        procedure=x.vocabulary.Procedure.SIMPLIFIED
        if rng.random() < 0.1
        else x.vocabulary.Procedure.STANDARD,
        identity_unclear=rng.random() < 0.02,
        notified_on_the_spot=rng.random() < 0.1,
    )


def _route(w: _Walk, home: str) -> None:
    """Before acceptance: categorise, forward or assign, receipts, objections, notices."""
    rng = w.rng
    if rng.random() < 0.08:
        w.do(x.changes.Categorize(category=rng.choice(list(x.vocabulary.Category))), 0, 3)
    r = rng.random()
    if r < 0.25:
        kind = rng.choice(
            (None, x.vocabulary.UnitKind.OTHER, x.vocabulary.UnitKind.PETITION_DEPARTMENT)
        )
        w.do(x.changes.Forward(to_unit=home, to_unit_kind=kind), 1, 10)
    elif r < 0.37:
        by = w.at.date() + dt.timedelta(days=rng.randint(30, 90))
        w.do(x.changes.Assign(to_unit=home, report_back_by=by, note="限期办结"), 1, 10)
    if w.case.stage in (x.vocabulary.Stage.FORWARDED, x.vocabulary.Stage.ASSIGNED):
        if rng.random() < 0.6:
            w.do(x.changes.ReceiveForwarded(), 0, 4)
        objected = rng.random() < 0.06 and w.do(
            x.changes.ObjectRemit(reason="不属本单位职权范围"), 0, 4
        )
        if objected and w.do(x.changes.ApproveObjection(approved_by="信访局"), 1, 5):
            w.do(x.changes.ReturnMaterials(to_unit="HQ", note="交还材料"), 0, 3)
            w.do(x.changes.Forward(to_unit=rng.choice(_UNITS)), 1, 5)
    if rng.random() < 0.8:
        w.do(x.changes.Notify(), 0, 8)


def _handle(w: _Walk, home: str) -> None:
    """From acceptance: roles, plans, extensions, hearings, opinions, reviews, settlement."""
    rng = w.rng
    if rng.random() < 0.3:
        w.do(
            x.changes.AssignRole(
                role=x.vocabulary.Role.RESPONSIBLE_UNIT, holder=home, reason="谁主管、谁负责"
            ),
            0,
            3,
        )
        w.do(
            x.changes.AssignRole(
                role=x.vocabulary.Role.LEAD_OFFICIAL, holder=f"{home}-H", reason="包案"
            ),
            0,
            1,
        )
        if rng.random() < 0.3:
            w.do(
                x.changes.AssignRole(
                    role=x.vocabulary.Role.HANDLER, holder=f"{home}-S", reason="承办"
                ),
                0,
                1,
            )
            if rng.random() < 0.3:
                w.do(
                    x.changes.ReleaseRole(
                        role=x.vocabulary.Role.HANDLER, holder=f"{home}-S", reason="调岗"
                    ),
                    5,
                    20,
                )
        if rng.random() < 0.6:
            plan = x.changes.SettlementPlan(
                owner=f"{home}-H",
                deadline=w.at.date() + dt.timedelta(days=rng.randint(30, 120)),
                measures=("专班攻坚", "当面听取诉求") if rng.random() < 0.85 else (),
                milestones=(
                    (x.changes.PlanMilestone(due=w.at.date() + dt.timedelta(days=20), what="走访"),)
                    if rng.random() < 0.3
                    else ()
                ),
            )
            w.do(x.changes.SetPlan(plan=plan), 0, 3)
    if rng.random() < 0.08:
        w.do(
            x.changes.Extend(days=rng.choice((15, 30)), approved_by="局长", reason="情况复杂"),
            20,
            45,
        )
    if rng.random() < 0.01 and w.do(x.changes.StartHearing(note="公开听证"), 5, 15):
        w.do(x.changes.EndHearing(), 1, 5)
    if w.case.stage is not x.vocabulary.Stage.ACCEPTED:
        return
    if rng.random() < 0.06:
        form = rng.choice(list(x.vocabulary.AgreementKind))
        if w.do(x.changes.RecordAgreement(form=form, summary="达成调解协议"), 10, 50):
            if rng.random() < 0.5:
                w.do(x.changes.Settle(evidence="协议履行完毕"), 5, 30)
            return
    if rng.random() < 0.8 and w.do(
        x.changes.IssueOpinion(
            outcome=rng.choice(list(x.vocabulary.Outcome)), basis=rng.choice(_TEXT)
        ),
        10,
        55,
    ):
        if w.case.on.assigned is not None or rng.random() < 0.05:
            w.do(x.changes.ReportBack(summary="办结报告"), 0, 5)
        if rng.random() < 0.5:
            w.do(x.changes.Rate(rating=rng.choice(list(x.vocabulary.Rating))), 0, 10)
        reviewed = (
            rng.random() < 0.12
            and w.do(x.changes.RequestReview(to_unit="HQ"), 3, 25)
            and w.do(
                x.changes.IssueReviewOpinion(
                    outcome=rng.choice(list(x.vocabulary.Outcome)), basis="复查"
                ),
                10,
                28,
            )
        )
        if (
            reviewed
            and rng.random() < 0.3
            and w.do(x.changes.RequestReReview(to_unit="省局"), 3, 25)
        ):
            outcome = rng.choice(list(x.vocabulary.Outcome))
            w.do(x.changes.IssueReReviewOpinion(outcome=outcome, basis="复核"), 10, 28)
    settled = rng.random() < 0.35 and w.do(x.changes.Settle(evidence="签订息诉罢访承诺书"), 1, 60)
    if settled and rng.random() < 0.04:
        w.do(x.changes.Relapse(note="再次来访"), 10, 90)


def _one(rng: random.Random, i: int, org: x.Organization, cal: Any) -> x.Case:
    # More recent receipts are commoner (a growing backlog of open work).
    span = (dt.date(2026, 11, 20) - dt.date(2019, 1, 1)).days
    day = dt.date(2019, 1, 1) + dt.timedelta(days=int(span * rng.random() ** 0.6))
    received = dt.datetime(day.year, day.month, day.day, 8, tzinfo=SHANGHAI) + dt.timedelta(
        minutes=rng.randrange(600)
    )
    reg = _register(rng, i, received)
    case, _ = x.open_case(reg, received + dt.timedelta(minutes=rng.randrange(120)), by="clerk")
    w = _Walk(rng, case, case.events[0].at, org, cal)
    home = rng.choice(_UNITS)
    _route(w, home)
    if rng.random() < 0.02:
        w.do(x.changes.Withdraw(reason="撤回"), 1, 10)
    elif rng.random() < 0.07:
        route = rng.choice(
            [r for r in x.vocabulary.Route if r.value in ("litigation", "administrative")]
        )
        w.do(x.changes.Decline(reason="属诉讼事项", route_told=route, body_told="人民法院"), 1, 10)
    elif w.do(
        x.changes.Accept(
            route=rng.choice(
                (None, None, None, x.vocabulary.Route.ORDINARY, x.vocabulary.Route.DUTY)
            )
        ),
        0,
        10,
    ):
        _handle(w, w.case.handling_unit or home)
        if rng.random() < 0.01:
            w.do(x.changes.Withdraw(reason="撤回"), 1, 20)
    return w.case


def make_corpus(n: int = 10_000, *, seed: int = 20261127) -> Corpus:
    """``n`` distinct valid cases (ids ``XF-0000-000000``...), their corps and campaign."""
    rng = random.Random(seed)
    org = make_org()
    cal = x.china_mainland(provisional=True)
    cases = tuple(_one(rng, i, org, cal) for i in range(n))
    return Corpus(
        cases=cases, org=org, campaign=campaign_of(backlog_ids(cases), n), calendar=cal, as_of=AS_OF
    )


def kind_counts(cases: Any) -> dict[str, int]:
    """How many events of each kind the cases hold."""
    out: dict[str, int] = {}
    for case in cases:
        for event in case.events:
            out[event.change.kind] = out.get(event.change.kind, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _prefix(copy: int) -> str:
    return f"XF-{copy:04d}-"


def replicate_ledger(text: str, n: int, base: int) -> Iterator[str]:
    """Pieces of a JSON Lines ledger of ``n`` cases: copies of ``text`` (``base`` lines) renamed.

    Copy ``k`` replaces every ``"XF-0000-`` by ``"XF-kkkk-`` (the case's id,
    its registration's ``case_id``); the last copy is cut to fit.
    """
    for k in range(-(-n // base)):
        chunk = text if k == 0 else text.replace(f'"{BASE}', f'"{_prefix(k)}')
        left = n - k * base
        if left < base:
            chunk = "".join(chunk.splitlines(keepends=True)[:left])
        yield chunk


def replicate_events(events: Any, copy: int) -> Any:
    """The journal ``events`` (of copy 0) as copy ``copy``: ``case_id`` renamed, vectorised."""
    import pyarrow.compute as pc

    if copy == 0:
        return events
    i = events.schema.get_field_index("case_id")
    ids = pc.replace_substring(events.column(i), BASE, _prefix(copy), max_replacements=1)
    return events.set_column(i, events.schema.field(i), ids)
