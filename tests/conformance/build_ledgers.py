"""Write the pinned ledgers of the conformance suite (run by hand, never by the tests).

``python tests/conformance/build_ledgers.py`` writes ``ledgers/<rule>.jsonl``
from the cases below: each case is its registration and its events, written
as :func:`xinfang.to_json` writes a case (the canonical form, so the column
fold reads it itself); an event the fold refuses is appended as it is, so the
line records the breach. The expectations (``ledgers/<rule>.toml``: verdicts,
problem text, articles, due dates computed by hand) are written by hand and
never generated. Re-run it only to add a ledger: a pinned line that changes
is a change of the law's record, to be read in review.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import attrs

import xinfang as x
from xinfang.case import mutate
from xinfang.instants import SHANGHAI

HERE = Path(__file__).parent / "ledgers"


def at(month: int, day: int, hour: int = 9, year: int = 2025) -> dt.datetime:
    """An instant in Asia/Shanghai."""
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def reg(cid: str, when: dt.datetime, **kw: Any) -> x.changes.Register:
    """A plain registration (a letter to a city petition bureau, one petitioner, one claim)."""
    args: dict[str, Any] = {
        "case_id": cid,
        "received_at": when,
        "channel": x.vocabulary.Channel.LETTER,
        "receiving_unit": "市信访局",
        "petitioners": [x.personal.Petitioner(name="张三")],
        "claims": [x.changes.Claim(request="退还押金", facts="2019年起拖欠", reasons="合同约定")],
    }
    args.update(kw)
    return x.changes.Register(**args)


def line(register: x.changes.Register, *steps: tuple[x.Change, dt.datetime]) -> str:
    """A ledger line: the registration and ``steps``; the first step the fold refuses ends it.

    Steps up to the refused one are folded (:func:`xinfang.mutate`, no time
    windows: a breach of a rulebook guard folds); the refused step is written
    as an event after them, and no step may follow it.
    """
    case = mutate(None, x.Event(seq=1, at=register.received_at, by="clerk", change=register))
    for i, (change, when) in enumerate(steps):
        event = x.Event(seq=len(case.events) + 1, at=when, by="clerk", change=change)
        try:
            case = mutate(case, event)
        except x.TransitionError:
            if i != len(steps) - 1:
                raise
            doc = x.to_dict(case, reveal_personal_data=True)
            doc["events"].append(x.to_dict(event, reveal_personal_data=True))
            return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return x.to_json(case, reveal_personal_data=True)


def with_event(text: str, event: dict[str, Any]) -> str:
    """A ledger line with ``event`` (a JSON document) appended to its events."""
    doc = json.loads(text)
    doc["events"].append(event)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


OPINION = x.changes.IssueOpinion(outcome=x.vocabulary.Outcome.NOT_SUPPORTED, basis="缺乏事实根据")
REVIEW = x.changes.IssueReviewOpinion(outcome=x.vocabulary.Outcome.NOT_SUPPORTED, basis="维持")
REREVIEW = x.changes.IssueReReviewOpinion(outcome=x.vocabulary.Outcome.NOT_SUPPORTED, basis="维持")
PLAN = x.changes.SettlementPlan(owner="o-1", deadline=dt.date(2025, 4, 30), measures=["当面沟通"])
STEPPED = attrs.evolve(
    PLAN,
    milestones=[
        x.changes.PlanMilestone(due=dt.date(2025, 3, 10), what="走访当事人"),
        x.changes.PlanMilestone(due=dt.date(2025, 3, 31), what="听证评议"),
    ],
)
ASSIGN = x.changes.Assign(to_unit="区信访局", report_back_by=dt.date(2025, 4, 30))


def ledgers() -> dict[str, list[str]]:
    """Rule name → its lines (the case that breaks it, then the one that passes)."""
    r = reg
    return {
        # ---- the fold's order rules (xinfang.case._fold: _start / _step)
        "first_registered": [
            json.dumps(
                {
                    "schema_version": 1,
                    "id": "CF-FIRST-1",
                    "events": [
                        {
                            "seq": 1,
                            "at": "2025-03-03T09:00:00+08:00",
                            "by": "clerk",
                            "change": {"kind": "accepted", "route": None},
                        }
                    ],
                },
                separators=(",", ":"),
            ),
            line(r("CF-FIRST-2", at(3, 3))),
        ],
        "events_in_order": [
            line(r("CF-ORDER-1", at(3, 3)), (x.changes.Accept(), at(3, 2))),
            line(r("CF-ORDER-2", at(3, 3)), (x.changes.Accept(), at(3, 3, 10))),
        ],
        "seq_numbered": [
            line(r("CF-SEQ-1", at(3, 3)), (x.changes.Accept(), at(3, 4))).replace(
                '"seq":2', '"seq":3'
            ),
            line(r("CF-SEQ-2", at(3, 3)), (x.changes.Accept(), at(3, 4))),
        ],
        "one_registration": [
            line(r("CF-REG-1", at(3, 3)), (r("CF-REG-1", at(3, 3)), at(3, 4))),
            line(r("CF-REG-2", at(3, 3)), (x.changes.Notify(), at(3, 4))),
        ],
        # ---- the stage graph and the fold's guards
        "stage_graph": [
            line(r("CF-STAGE-1", at(3, 3)), (OPINION, at(3, 4))),
            line(r("CF-STAGE-2", at(3, 3)), (x.changes.Accept(), at(3, 4)), (OPINION, at(3, 10))),
        ],
        "route_accepted": [
            line(
                r("CF-ROUTE-1", at(3, 3)),
                (x.changes.Accept(route=x.vocabulary.Route.LITIGATION), at(3, 4)),
            ),
            line(
                r("CF-ROUTE-2", at(3, 3)),
                (x.changes.Accept(route=x.vocabulary.Route.DUTY), at(3, 4)),
            ),
        ],
        "route_fits_category": [
            line(
                r("CF-FITS-1", at(3, 3)),
                (x.changes.Accept(route=x.vocabulary.Route.SUGGESTION), at(3, 4)),
            ),
            line(
                r("CF-FITS-2", at(3, 3), category=x.vocabulary.Category.SUGGESTION),
                (x.changes.Accept(), at(3, 4)),
            ),
            line(
                r("CF-FITS-3", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.Categorize(category=x.vocabulary.Category.SUGGESTION), at(3, 5)),
            ),
        ],
        "review_route": [
            line(
                r("CF-REVIEW-1", at(3, 3), category=x.vocabulary.Category.SUGGESTION),
                (x.changes.Accept(), at(3, 4)),
                (OPINION, at(3, 10)),
                (x.changes.RequestReview(to_unit="省信访局"), at(3, 12)),
            ),
            line(
                r("CF-REVIEW-2", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (OPINION, at(3, 10)),
                (x.changes.RequestReview(to_unit="省信访局"), at(3, 12)),
            ),
        ],
        "receipt_once": [
            line(
                r("CF-RECEIPT-1", at(3, 3)),
                (x.changes.Forward(to_unit="区信访局"), at(3, 4)),
                (x.changes.ReceiveForwarded(), at(3, 5)),
                (x.changes.ReceiveForwarded(), at(3, 6)),
            ),
            line(
                r("CF-RECEIPT-2", at(3, 3)),
                (x.changes.Forward(to_unit="区信访局"), at(3, 4)),
                (x.changes.ReceiveForwarded(), at(3, 5)),
            ),
        ],
        "receipt_before_answer": [
            line(
                r("CF-ANSWER-1", at(3, 3)),
                (x.changes.Forward(to_unit="区信访局"), at(3, 4)),
                (x.changes.Notify(), at(3, 5)),
                (x.changes.ReceiveForwarded(), at(3, 6)),
            ),
            line(
                r("CF-ANSWER-2", at(3, 3)),
                (x.changes.Forward(to_unit="区信访局"), at(3, 4)),
                (x.changes.ReceiveForwarded(), at(3, 5)),
                (x.changes.Notify(), at(3, 6)),
            ),
        ],
        "approval_once": [
            line(
                r("CF-APPROVE-1", at(3, 3)),
                (x.changes.Forward(to_unit="区住建局"), at(3, 4)),
                (x.changes.ObjectRemit(reason="不属于本单位职权范围"), at(3, 5)),
                (x.changes.ApproveObjection(approved_by="市信访局"), at(3, 6)),
                (x.changes.ApproveObjection(approved_by="市信访局"), at(3, 7)),
            ),
            line(
                r("CF-APPROVE-2", at(3, 3)),
                (x.changes.Forward(to_unit="区住建局"), at(3, 4)),
                (x.changes.ObjectRemit(reason="不属于本单位职权范围"), at(3, 5)),
                (x.changes.ApproveObjection(approved_by="市信访局"), at(3, 6)),
            ),
        ],
        "return_after_approval": [
            line(
                r("CF-RETURN-1", at(3, 3)),
                (x.changes.Forward(to_unit="区住建局"), at(3, 4)),
                (x.changes.ObjectRemit(reason="不属于本单位职权范围"), at(3, 5)),
                (x.changes.ReturnMaterials(to_unit="市信访局"), at(3, 6)),
            ),
            line(
                r("CF-RETURN-2", at(3, 3)),
                (x.changes.Forward(to_unit="区住建局"), at(3, 4)),
                (x.changes.ObjectRemit(reason="不属于本单位职权范围"), at(3, 5)),
                (x.changes.ApproveObjection(approved_by="市信访局"), at(3, 6)),
                (x.changes.ReturnMaterials(to_unit="市信访局"), at(3, 7)),
            ),
        ],
        "report_back_assigned": [
            line(
                r("CF-REPORT-1", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.ReportBack(summary="已办结"), at(3, 20)),
            ),
            line(
                r("CF-REPORT-2", at(3, 3)),
                (ASSIGN, at(3, 4)),
                (x.changes.Accept(), at(3, 6)),
                (x.changes.ReportBack(summary="已办结"), at(3, 20)),
            ),
        ],
        "hearing_not_running": [
            line(
                r("CF-HEAR-1", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.StartHearing(), at(3, 10)),
                (x.changes.StartHearing(), at(3, 11)),
            ),
            line(
                r("CF-HEAR-2", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.StartHearing(), at(3, 10)),
                (x.changes.EndHearing(), at(3, 11)),
                (x.changes.StartHearing(), at(3, 12)),
            ),
        ],
        "hearing_running": [
            line(
                r("CF-ENDHEAR-1", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.EndHearing(), at(3, 10)),
            ),
            line(
                r("CF-ENDHEAR-2", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.StartHearing(), at(3, 10)),
                (x.changes.EndHearing(), at(3, 12)),
            ),
        ],
        "hearing_ended": [
            line(
                r("CF-ISSUE-1", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.StartHearing(), at(3, 10)),
                (OPINION, at(3, 12)),
            ),
            line(
                r("CF-ISSUE-2", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.StartHearing(), at(3, 10)),
                (x.changes.EndHearing(), at(3, 11)),
                (OPINION, at(3, 12)),
            ),
        ],
        "delivered_after_issue": [
            line(
                r("CF-DELIVER-1", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (
                    x.changes.IssueOpinion(
                        outcome=x.vocabulary.Outcome.SUPPORT,
                        basis="合同约定",
                        delivered_at=at(3, 9),
                    ),
                    at(3, 10),
                ),
            ),
            line(
                r("CF-DELIVER-2", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (
                    x.changes.IssueOpinion(
                        outcome=x.vocabulary.Outcome.SUPPORT,
                        basis="合同约定",
                        delivered_at=at(3, 12),
                    ),
                    at(3, 10),
                ),
            ),
        ],
        "settle_once": [
            line(
                r("CF-SETTLE-1", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.Settle(evidence="息诉罢访承诺书"), at(3, 10)),
                (x.changes.Settle(evidence="息诉罢访承诺书"), at(3, 11)),
            ),
            line(
                r("CF-SETTLE-2", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.Settle(evidence="息诉罢访承诺书"), at(3, 10)),
            ),
        ],
        "relapse_after_settle": [
            line(
                r("CF-RELAPSE-1", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.Relapse(), at(3, 10)),
            ),
            line(
                r("CF-RELAPSE-2", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.Settle(evidence="息诉罢访承诺书"), at(3, 10)),
                (x.changes.Relapse(), at(3, 11)),
            ),
        ],
        "role_not_held": [
            line(
                r("CF-ROLE-1", at(3, 3)),
                (
                    x.changes.AssignRole(
                        role=x.vocabulary.Role.HANDLER, holder="o-1", reason="承办"
                    ),
                    at(3, 4),
                ),
                (
                    x.changes.AssignRole(
                        role=x.vocabulary.Role.HANDLER, holder="o-1", reason="承办"
                    ),
                    at(3, 5),
                ),
            ),
            line(
                r("CF-ROLE-2", at(3, 3)),
                (
                    x.changes.AssignRole(
                        role=x.vocabulary.Role.HANDLER, holder="o-1", reason="承办"
                    ),
                    at(3, 4),
                ),
            ),
        ],
        "role_held": [
            line(
                r("CF-RELEASE-1", at(3, 3)),
                (
                    x.changes.ReleaseRole(
                        role=x.vocabulary.Role.HANDLER, holder="o-1", reason="调岗"
                    ),
                    at(3, 4),
                ),
            ),
            line(
                r("CF-RELEASE-2", at(3, 3)),
                (
                    x.changes.AssignRole(
                        role=x.vocabulary.Role.HANDLER, holder="o-1", reason="承办"
                    ),
                    at(3, 4),
                ),
                (
                    x.changes.ReleaseRole(
                        role=x.vocabulary.Role.HANDLER, holder="o-1", reason="调岗"
                    ),
                    at(3, 5),
                ),
            ),
        ],
        "plan_deadline_reason": [
            line(
                r("CF-PLAN-1", at(3, 3)),
                (x.changes.SetPlan(plan=PLAN), at(3, 4)),
                (
                    x.changes.SetPlan(plan=attrs.evolve(PLAN, deadline=dt.date(2025, 5, 31))),
                    at(3, 20),
                ),
            ),
            line(
                r("CF-PLAN-2", at(3, 3)),
                (x.changes.SetPlan(plan=PLAN), at(3, 4)),
                (
                    x.changes.SetPlan(
                        plan=attrs.evolve(PLAN, deadline=dt.date(2025, 5, 31)),
                        reason="鉴定意见延后出具",
                    ),
                    at(3, 20),
                ),
            ),
        ],
        "progress_needs_plan": [
            line(r("CF-PROG-1", at(3, 3)), (x.changes.ReportProgress(done="走访当事人"), at(3, 5))),
            line(
                r("CF-PROG-2", at(3, 3)),
                (x.changes.SetPlan(plan=STEPPED), at(3, 4)),
                (x.changes.ReportProgress(done="走访当事人"), at(3, 5)),
            ),
        ],
        "progress_steps": [
            line(
                r("CF-STEP-1", at(3, 3)),
                (x.changes.SetPlan(plan=STEPPED), at(3, 4)),
                (x.changes.ReportProgress(done="走访当事人", completes=[1]), at(3, 5)),
                (x.changes.ReportProgress(done="再次走访", completes=[1]), at(3, 12)),
            ),
            line(
                r("CF-STEP-2", at(3, 3)),
                (x.changes.SetPlan(plan=STEPPED), at(3, 4)),
                (
                    x.changes.ReportProgress(done="走访当事人", done_by="o-2", completes=[1]),
                    at(3, 5),
                ),
                (x.changes.ReportProgress(done="召开听证评议", completes=[2]), at(3, 25)),
            ),
            line(
                r("CF-STEP-3", at(3, 3)),
                (x.changes.SetPlan(plan=STEPPED), at(3, 4)),
                (x.changes.ReportProgress(done="走访当事人", completes=[3]), at(3, 5)),
            ),
        ],
        "agreement_on_appeal": [
            line(
                r("CF-AGREE-1", at(3, 3), category=x.vocabulary.Category.SUGGESTION),
                (x.changes.Accept(), at(3, 4)),
                (
                    x.changes.RecordAgreement(
                        form=x.vocabulary.AgreementKind.MEDIATION, summary="调解协议"
                    ),
                    at(3, 10),
                ),
            ),
            line(
                r("CF-AGREE-2", at(3, 3), category=x.vocabulary.Category.APPEAL),
                (x.changes.Accept(), at(3, 4)),
                (
                    x.changes.RecordAgreement(
                        form=x.vocabulary.AgreementKind.MEDIATION, summary="调解协议"
                    ),
                    at(3, 10),
                ),
            ),
        ],
        "report_back_date": [
            line(
                r("CF-RBD-1", at(3, 3)),
                (
                    x.changes.Assign(to_unit="区信访局", report_back_by=dt.date(2025, 3, 3)),
                    at(3, 4),
                ),
            ),
            line(
                r("CF-RBD-2", at(3, 3)),
                (
                    x.changes.Assign(to_unit="区信访局", report_back_by=dt.date(2025, 3, 31)),
                    at(3, 4),
                ),
            ),
        ],
        "extension_days": [
            with_event(
                line(r("CF-EXTDAYS-1", at(3, 3)), (x.changes.Accept(), at(3, 4))),
                {
                    "seq": 3,
                    "at": "2025-04-01T09:00:00+08:00",
                    "by": "clerk",
                    "change": {
                        "kind": "extended",
                        "days": 0,  # no Extend value can hold it: written as a host might
                        "approved_by": "局长",
                        "reason": "情况复杂",
                        "petitioner_told": True,
                    },
                },
            ),
            line(
                r("CF-EXTDAYS-2", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.Extend(days=10, approved_by="局长", reason="情况复杂"), at(4, 1)),
            ),
        ],
        "accusation_route": [
            line(
                r("CF-ACCUSE-1", at(3, 3), category=x.vocabulary.Category.ACCUSATION),
                (x.changes.Accept(route=x.vocabulary.Route.ORDINARY), at(3, 4)),
            ),
            line(
                r("CF-ACCUSE-2", at(3, 3), category=x.vocabulary.Category.ACCUSATION),
                (x.changes.Accept(), at(3, 4)),
            ),
            line(
                r("CF-ACCUSE-3", at(3, 3), category=x.vocabulary.Category.ACCUSATION),
                (x.changes.Accept(), at(3, 4)),
                (OPINION, at(3, 10)),
                (x.changes.RequestReview(to_unit="省纪委监委"), at(3, 12)),
            ),
            line(
                r("CF-ACCUSE-4", at(3, 3), category=x.vocabulary.Category.ACCUSATION),
                (x.changes.Accept(), at(3, 4)),
                (OPINION, at(3, 10)),
            ),
        ],
        # ---- guards that need the rulebook (checked by apply; a ledger records history)
        "window": [
            line(
                r("CF-WINDOW-1", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (OPINION, at(3, 10)),
                (x.changes.RequestReview(to_unit="省信访局"), at(4, 10)),
            ),
            line(
                r("CF-WINDOW-2", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (OPINION, at(3, 10)),
                (x.changes.RequestReview(to_unit="省信访局"), at(4, 9)),
            ),
        ],
        "extension_cap": [
            line(
                r("CF-EXTEND-1", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.Extend(days=31, approved_by="局长", reason="情况复杂"), at(4, 1)),
            ),
            line(
                r("CF-EXTEND-2", at(3, 3)),
                (x.changes.Accept(), at(3, 4)),
                (x.changes.Extend(days=30, approved_by="局长", reason="情况复杂"), at(4, 1)),
            ),
        ],
        "finality": [
            line(
                r("CF-FINAL-0", at(1, 6)),
                (x.changes.Accept(), at(1, 6)),
                (OPINION, at(1, 10)),
                (x.changes.RequestReview(to_unit="省信访局"), at(1, 13)),
                (REVIEW, at(2, 10)),
                (x.changes.RequestReReview(to_unit="国家信访局"), at(2, 12)),
                (REREVIEW, at(3, 3)),
            ),
            line(
                r("CF-FINAL-1", at(3, 10), repeat_of=["CF-FINAL-0"], same_facts=True),
                (x.changes.Accept(), at(3, 11)),
            ),
            line(
                r("CF-FINAL-2", at(3, 10), repeat_of=["CF-FINAL-0"], same_facts=False),
                (x.changes.Accept(), at(3, 11)),
            ),
            line(
                r("CF-FINAL-3", at(3, 10), repeat_of=["CF-FINAL-0"], same_facts=True),
                (x.changes.Forward(to_unit="区信访局"), at(3, 11)),
            ),
            line(
                r("CF-FINAL-4", at(3, 10), repeat_of=["CF-FINAL-0"], same_facts=True),
                (ASSIGN, at(3, 11)),
            ),
        ],
        "finality_after_lapsed_window": [
            line(r("CF-LAPSED-0", at(1, 6)), (x.changes.Accept(), at(1, 6)), (OPINION, at(1, 10))),
            line(
                r("CF-LAPSED-1", at(3, 10), repeat_of=["CF-LAPSED-0"], same_facts=True),
                (x.changes.Accept(), at(3, 11)),
            ),
            line(
                r("CF-LAPSED-2", at(3, 10), repeat_of=["CF-LAPSED-0"], same_facts=False),
                (x.changes.Accept(), at(3, 11)),
            ),
            line(
                r("CF-LAPSED-3", at(3, 10), repeat_of=["CF-LAPSED-0"], same_facts=True),
                (x.changes.Accept(good_reason="住院治疗，未能在期限内请求复查"), at(3, 11)),
            ),
        ],
        "being_handled": [
            line(r("CF-HANDLED-0", at(3, 3)), (x.changes.Accept(), at(3, 3))),
            line(
                r("CF-HANDLED-1", at(3, 10), repeat_of=["CF-HANDLED-0"], skip_level=True),
                (x.changes.Accept(), at(3, 11)),
            ),
            line(r("CF-HANDLED-2", at(3, 3)), (x.changes.Accept(), at(3, 3)), (OPINION, at(3, 5))),
            line(
                r("CF-HANDLED-3", at(3, 10), repeat_of=["CF-HANDLED-2"], skip_level=True),
                (x.changes.Accept(), at(3, 11)),
            ),
        ],
        # ---- the legal rules of issue 20 that are clocks, not refusals
        "rulebook_2005": [
            line(
                r("CF-2005-1", at(3, 3), category=x.vocabulary.Category.SUGGESTION),
                (x.changes.Accept(), at(3, 4)),
            ),
            line(
                r("CF-2005-0", at(1, 6)),
                (x.changes.Accept(), at(1, 6)),
                (OPINION, at(1, 10)),
                (x.changes.RequestReview(to_unit="省信访局"), at(1, 13)),
                (REVIEW, at(2, 10)),
                (x.changes.RequestReReview(to_unit="国家信访局"), at(2, 12)),
                (REREVIEW, at(3, 3)),
            ),
            line(
                r("CF-2005-2", at(3, 10), repeat_of=["CF-2005-0"], same_facts=True),
                (x.changes.Accept(), at(3, 11)),
            ),
        ],
        "notice_exemption": [
            line(
                r(
                    "CF-EXEMPT-1",
                    at(3, 3),
                    receiving_unit="市公安局",
                    receiving_unit_kind=x.vocabulary.UnitKind.POLITICAL_LEGAL,
                    category=x.vocabulary.Category.SUGGESTION,
                ),
            ),
            line(
                r(
                    "CF-EXEMPT-2",
                    at(3, 3),
                    receiving_unit="市公安局",
                    receiving_unit_kind=x.vocabulary.UnitKind.POLITICAL_LEGAL,
                    category=x.vocabulary.Category.APPEAL,
                ),
            ),
            line(
                r(
                    "CF-EXEMPT-3",
                    at(3, 3),
                    receiving_unit="市纪委监委",
                    receiving_unit_kind=x.vocabulary.UnitKind.DISCIPLINE_INSPECTION,
                    category=x.vocabulary.Category.ACCUSATION,
                ),
            ),
        ],
        "report_back_stops": [
            line(
                r("CF-RBSTOP-1", at(3, 3)),
                (
                    x.changes.Assign(to_unit="区住建局", report_back_by=dt.date(2025, 3, 24)),
                    at(3, 4),
                ),
                (x.changes.ObjectRemit(reason="不属于本单位职权范围"), at(3, 5)),
                (x.changes.ApproveObjection(approved_by="市信访局"), at(3, 6)),
            ),
            line(
                r("CF-RBSTOP-2", at(3, 3)),
                (
                    x.changes.Assign(to_unit="区住建局", report_back_by=dt.date(2025, 3, 24)),
                    at(3, 4),
                ),
                (x.changes.ObjectRemit(reason="不属于本单位职权范围"), at(3, 5)),
            ),
        ],
        "forwarded_routing": [
            line(
                r("CF-FWDROUTE-1", at(3, 3)),
                (
                    x.changes.Forward(
                        to_unit="区信访局", to_unit_kind=x.vocabulary.UnitKind.PETITION_DEPARTMENT
                    ),
                    at(3, 4),
                ),
                (x.changes.ReceiveForwarded(), at(3, 6)),
            ),
            line(
                r("CF-FWDROUTE-2", at(3, 3)),
                (
                    x.changes.Forward(
                        to_unit="区信访局", to_unit_kind=x.vocabulary.UnitKind.PETITION_DEPARTMENT
                    ),
                    at(3, 4),
                ),
                (x.changes.ReceiveForwarded(), at(3, 6)),
                (x.changes.Accept(), at(3, 7)),
            ),
        ],
        # ---- the paths' own rules
        "one_line_per_case": [
            line(r("CF-ONCE-1", at(3, 3))),
            line(r("CF-ONCE-1", at(3, 3)), (x.changes.Accept(), at(3, 4))),
        ],
        "format_controls": [
            line(
                r("CF-CF-1", at(3, 3), petitioners=[x.personal.Petitioner(name="张三")]),
            ).replace("张三", "张\u202e三"),
            line(r("CF-CF-2", at(3, 3)), (x.changes.Forward(to_unit="区信访局"), at(3, 4))).replace(
                '"to_unit":"区信访局"', '"to_unit":"区信访局\u200d"'
            ),
            line(r("CF-CF-3", at(3, 3), petitioners=[x.personal.Petitioner(name="张三丰")])),
        ],
    }


def main(names: list[str]) -> None:
    """Write the ledgers named (default: every one)."""
    HERE.mkdir(exist_ok=True)
    for name, lines in ledgers().items():
        if names and name not in names:
            continue
        (HERE / f"{name}.jsonl").write_text("".join(f"{t}\n" for t in lines), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
