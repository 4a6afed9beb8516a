"""A petition matter from letter to re-review, with its clocks, as a host would run it.

Run it with ``python examples/case_lifecycle.py``. It registers a letter,
forwards and accepts it, extends the handling once, issues the handling
opinion, takes a review and a re-review with a hearing, and prints the clocks
and the JSON document (personal data masked) at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import xinfang as x
from xinfang import serialization

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 9) -> dt.datetime:
    """An instant in Asia/Shanghai."""
    return dt.datetime(y, m, d, h, tzinfo=SH)


def show(case: x.Case, as_of: dt.date) -> None:
    """Print the case's stage and every clock that has started."""
    print(f"as of {as_of}: stage {x.deadlines.stage_as_of(case, as_of).value}")
    for clock in x.clocks(case, as_of=as_of):
        print(f"  {clock.key:<18} due {clock.due}  {clock.status.value:<8} {clock.citation}")


def main() -> None:
    """Walk one case through the 2022 procedure."""
    letter = x.changes.Register(
        case_id="XF-2025-000123",
        received_at=at(2025, 8, 1),
        channel=x.vocabulary.Channel.LETTER,
        receiving_unit="市信访局",
        petitioners=[
            x.personal.Petitioner(name="张三", id_number="11010519491231002X", phone="13812345678")
        ],
        claims=[
            x.changes.Claim(request="补发拖欠工资", facts="2024年起拖欠", reasons="劳动合同约定")
        ],
        category=x.vocabulary.Category.APPEAL,
    )
    case, _ = x.open_case(letter, at(2025, 8, 1, 10), by="登记员 王五")
    steps: list[tuple[x.Change, dt.datetime]] = [
        (x.changes.Forward(to_unit="区人社局"), at(2025, 8, 4)),
        (x.changes.Accept(), at(2025, 8, 8)),
        (x.changes.Notify(note="书面告知受理及办理程序"), at(2025, 8, 8, 15)),
        (
            x.changes.Extend(days=30, approved_by="区人社局局长 李四", reason="需调取多年工资台账"),
            at(2025, 9, 30),
        ),
        (
            x.changes.IssueOpinion(
                outcome=x.vocabulary.Outcome.EXPLAIN, basis="劳动合同法第三十条"
            ),
            at(2025, 10, 20),
        ),
        (x.changes.Rate(rating=x.vocabulary.Rating.DISSATISFIED), at(2025, 10, 22)),
        (x.changes.RequestReview(to_unit="市人社局"), at(2025, 11, 3)),
        (
            x.changes.IssueReviewOpinion(
                outcome=x.vocabulary.Outcome.EXPLAIN, basis="维持原处理意见"
            ),
            at(2025, 11, 28),
        ),
        (x.changes.RequestReReview(to_unit="市人民政府"), at(2025, 12, 6)),
        (x.changes.StartHearing(note="复核听证会"), at(2025, 12, 15)),
        (x.changes.EndHearing(), at(2025, 12, 19)),
    ]
    show(case, dt.date(2025, 8, 2))
    for change, when in steps:
        case, event = x.apply(case, change, when, by="承办人 赵六")
        if event.kind in {"accepted", "extended", "opinion_issued", "rereview_requested"}:
            show(case, when.date())
    print()
    try:
        x.apply(case, x.changes.RequestReview(to_unit="省人社厅"), at(2026, 1, 5))
    except x.TransitionError as exc:
        print(f"refused: {type(exc).__name__}: {exc}")
    print()
    show(case, dt.date(2025, 12, 20))
    rereview = next(
        c for c in x.clocks(case, as_of=dt.date(2025, 12, 20)) if c.key == "rereview_decision"
    )
    print(rereview.explain())
    print(rereview.explain("en"))
    print()
    print(repr(case.petitioners[0]))
    document = serialization.to_dict(case)
    print(json.dumps(document["events"][0]["change"]["petitioners"], ensure_ascii=False))
    print(f"{len(case.events)} events; replay equals the case: {x.replay(case.events) == case}")


if __name__ == "__main__":
    main()
