"""The campaign bulletin as a workbook: the bulletin's tables, and the cases behind each count.

The tables are the bulletin's own (``report.render(..., format="json")``:
the same numbers, words and lists as the Markdown and HTML bulletins), one
sheet each: units, indicators, commend and admonish lists, the agenda. The
sheet 案件明细 lists every case with the counts it adds to: each case's
counts are the snapshot's counts over that case alone (counts over disjoint
cases add up, ``campaign.SnapshotCounts``), so no counting rule is written
here a second time.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import TYPE_CHECKING, Any, Final

from xinfang.campaign import snapshot_counts
from xinfang.errors import XinfangError
from xinfang.report import render
from xinfang.sheets._readers import require
from xinfang.sheets._writers import put, size, style_header, width

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence
    from pathlib import Path

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign, Snapshot
    from xinfang.case import Case
    from xinfang.responsibility import Organization

__all__ = ["CASES_SHEET_LIMIT", "COUNT_WORDS", "UNIT_COLUMNS", "bulletin_xlsx", "write_bulletin"]

_WHAT: Final = "writing a workbook"
#: The most cases the 案件明细 sheet lists (each costs a snapshot of its own, about 15 ms);
#: above it the sheet says so and lists none.
CASES_SHEET_LIMIT: Final = 2000
_OVERDUE_FILL: Final = "FFC7CE"
#: The unit table's count columns: (key in the bulletin's JSON, zh, en).
UNIT_COLUMNS: Final = (
    ("cases", "案件", "cases"),
    ("targets", "攻坚目标", "targets"),
    ("settled", "已化解", "settled"),
    ("open", "未化解", "open"),
    ("in_handling", "办理中", "in handling"),
    ("overdue", "超期", "overdue"),
    ("plans_incomplete", "方案不完整", "plans incomplete"),
    ("plans_overdue", "方案超期", "plans overdue"),
    ("plans_stalled", "方案停滞", "plans stalled"),
    ("steps_overdue", "步骤超期", "steps overdue"),
    ("deadline_moves", "时限后移", "deadline moves"),
    ("new_intake", "新增信访", "new intake"),
    ("skip_level_visits", "越级访", "skip-level visits"),
    ("beijing_visits", "进京访", "Beijing visits"),
    ("deductions", "扣分", "deductions"),
)


#: The snapshot's count names in words (the 案件明细 sheet's headers show both).
COUNT_WORDS: Final = {
    "targets": "攻坚目标",
    "settled": "已化解",
    "open": "未化解",
    "handling_met": "按期办结",
    "handling_missed": "超期办结",
    "handling_overdue": "办理超期",
    "routing_met": "按期转送交办",
    "routing_missed": "超期转送交办",
    "routing_overdue": "转送交办超期",
    "replied": "已答复",
    "rated": "已评价",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
    "in_handling": "办理中",
    "plans": "方案不完整",
    "new": "新增信访",
    "bj": "进京访",
    "skip": "越级访",
    "overdue_cases": "超期案件",
    "cases": "案件",
    "plans_overdue": "方案超期",
    "steps_overdue": "步骤超期",
    "plans_stalled": "方案停滞",
    "deadline_moves": "时限后移",
    "cases_moved": "时限后移案件",
    "unfinished": "未完成攻坚任务",
}


def _sheet(wb: Any, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Any:
    ws = wb.create_sheet(title[:31])
    widths = [width(h) for h in headers]
    for c, h in enumerate(headers, start=1):
        ws.cell(row=1, column=c, value=h)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value, None)
            if r < 300:
                widths[c - 1] = max(widths[c - 1], width(value) if value is not None else 0)
    style_header(ws, len(headers))
    size(ws, widths)
    return ws


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def write_bulletin(
    path: str | Path,
    snap: Snapshot,
    burndown: Sequence[tuple[_dt.date, int]],
    *,
    campaign: Campaign,
    cases: Sequence[Case],
    org: Organization,
    calendar: WorkCalendar | None = None,
    lang: str = "zh",
) -> None:
    """The bulletin of ``snap`` as an ``.xlsx`` workbook (overdue agenda rows highlighted)."""
    openpyxl = require("openpyxl", _WHAT)
    styles = require("openpyxl.styles", _WHAT)
    doc = json.loads(render(snap, burndown, format="json", lang=lang, calendar=calendar))
    zh = lang == "zh"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    rate_names: dict[str, str] = doc["text"]["rates"]
    rate_keys = list(rate_names)
    headers = [
        "单位" if zh else "unit",
        "名称" if zh else "name",
        *(z if zh else e for _, z, e in UNIT_COLUMNS),
        *(f"{rate_names[k]} (%)" for k in rate_keys),
    ]

    def unit_row(u: dict[str, Any], name: str) -> list[Any]:
        rates = dict(u["rates"])
        return [
            u["unit"],
            name,
            *(u[k] for k, _, _ in UNIT_COLUMNS),
            *(_pct(rates.get(k)) for k in rate_keys),
        ]

    rows = [unit_row(u, u["name"]) for u in doc["units"]]
    rows.append(unit_row(doc["overall"], doc["text"]["total"]))
    ws = _sheet(wb, "单位" if zh else "units", headers, rows)
    ws.cell(row=len(rows) + 1, column=1).font = styles.Font(bold=True)
    overall = doc["overall"]
    indicators = [[rate_names[k], _pct(dict(overall["rates"]).get(k))] for k in rate_keys]
    indicators += [[z if zh else e, overall[k]] for k, z, e in UNIT_COLUMNS]
    _sheet(
        wb,
        "指标" if zh else "indicators",
        ["指标" if zh else "indicator", "值" if zh else "value"],
        indicators,
    )
    for key, title in (
        ("commend", "表扬" if zh else "commend"),
        ("admonish", "通报" if zh else "admonish"),
    ):
        listed = [
            [item["unit"], item["unit_name"], "; ".join(r["text"] for r in item["reasons"])]
            for item in doc[key]
        ]
        _sheet(
            wb,
            title,
            ["单位" if zh else "unit", "名称" if zh else "name", "理由" if zh else "reasons"],
            listed,
        )
    agenda_headers = (
        ["到期日", "状态", "信访编号", "时限", "单位", "包案领导"]
        if zh
        else ["due", "status", "case", "clock", "unit", "owner"]
    )
    agenda = [
        [
            _dt.date.fromisoformat(a["due"]),
            a["status_text"],
            a["case_id"],
            a["clock_title"],
            a["unit_name"],
            a.get("owner_name", ""),
        ]
        for a in doc["agenda"]
    ]
    ws = _sheet(wb, "议程" if zh else "agenda", agenda_headers, agenda)
    fill = styles.PatternFill("solid", fgColor=_OVERDUE_FILL)
    for r, a in enumerate(doc["agenda"], start=2):
        if a["status"] == "overdue":
            for c in range(1, len(agenda_headers) + 1):
                ws.cell(row=r, column=c).fill = fill
    _cases_sheet(wb, campaign=campaign, cases=cases, org=org, snap=snap, calendar=calendar, zh=zh)
    wb.save(str(path))


def _cases_sheet(
    wb: Any,
    *,
    campaign: Campaign,
    cases: Sequence[Case],
    org: Organization,
    snap: Snapshot,
    calendar: WorkCalendar | None,
    zh: bool,
) -> None:
    """One row a case: its unit and each count it adds to (the snapshot's counts of it alone)."""
    if len(cases) > CASES_SHEET_LIMIT:
        note = (
            f"{len(cases)} 件, 超过 {CASES_SHEET_LIMIT} 件, 本表未列出逐案明细"
            if zh
            else f"{len(cases)} cases (more than {CASES_SHEET_LIMIT}): no per-case rows"
        )
        _sheet(wb, "案件明细" if zh else "cases", [note], [])
        return
    per_case: list[tuple[str, str, dict[str, int]]] = []
    names: list[str] = []
    for case in cases:
        counts = snapshot_counts(campaign, [case], org, as_of=snap.as_of, calendar=calendar)
        units = counts.units
        mine: dict[str, int] = {}
        unit = ""
        for name, values in counts.counts:
            total = sum(values)
            if total:
                mine[name] = total
                if name not in names:
                    names.append(name)
            if name == "cases":
                unit = next((units[k] for k, v in enumerate(values) if v), "")
        if counts.cases:
            per_case.append((case.id, unit, mine))
    words = [f"{COUNT_WORDS[n]} ({n})" if zh and n in COUNT_WORDS else n for n in names]
    headers = ["信访编号" if zh else "case", "单位" if zh else "unit", *words]
    rows = [[cid, unit, *(mine.get(n) for n in names)] for cid, unit, mine in per_case]
    _sheet(wb, "案件明细" if zh else "cases", headers, rows)


def bulletin_xlsx(
    args: Any,
    snap: Snapshot,
    burndown: Sequence[tuple[_dt.date, int]],
    *,
    campaign: Campaign,
    cases: Sequence[Case],
    org: Organization,
    calendar: WorkCalendar,
) -> None:
    """``report/db report/demo --format xlsx -o FILE``: :func:`write_bulletin` from the CLI."""
    out = getattr(args, "output", None)
    if not out or out == "-":
        raise XinfangError("--format xlsx writes a workbook: give -o FILE.xlsx", path="--output")
    write_bulletin(
        out,
        snap,
        burndown,
        campaign=campaign,
        cases=cases,
        org=org,
        calendar=calendar,
        lang=args.lang,
    )
