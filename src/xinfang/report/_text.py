"""The bulletin's words, one language at a time: labels, statuses, reasons, notes.

Every text a bulletin shows comes from here, keyed by a stable code; the
renderers never write a word of their own. A Chinese bulletin is Chinese
throughout and an English one English throughout, except the names the
host's data gives (units, the campaign).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import datetime as _dt
    from collections.abc import Mapping

    from xinfang.campaign import Listing

__all__ = [
    "AS_OF_BASES",
    "LANGS",
    "REASON_CODES",
    "as_of_note",
    "calendar_note",
    "labels",
    "listing_reasons",
    "placement_word",
    "rate_name",
    "status_word",
]

LANGS: Final = ("zh", "en")

_LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        "title": "信访事项专项攻坚行动通报",
        "title_closing": "信访事项专项攻坚行动总结通报",
        "follow_through": "紧盯落实(息访方案)",
        "plans_overdue": "方案超期",
        "steps_overdue": "步骤超期",
        "plans_stalled": "方案停滞",
        "deadline_moves": "时限后移(件/次)",
        "unfinished": "未完成攻坚任务",
        "owner": "包案领导",
        "last_report": "最近进展",
        "none_yet": "尚无",
        "as_of": "截至",
        "overall": "总体进展",
        "unit": "单位",
        "total": "合计",
        "targets": "攻坚任务",
        "settled": "已化解(停访息诉)",
        "open": "未化解",
        "in_handling": "办理中",
        "overdue": "超期",
        "plans_incomplete": "方案不完整",
        "new_intake": "新增(预期)",
        "visits": "进京访/越级访",
        "deductions": "扣分",
        "progress": "化解率",
        "rates": "指标",
        "commend": "表扬",
        "admonish": "约谈",
        "none": "无",
        "next_review": "下次调度",
        "no_next_review": "无(行动期内已无后续调度)",
        "reason_sep": "；",
        "agenda": "调度议程(到期或超期事项)",
        "case": "事项",
        "clock": "时限",
        "due": "届满日",
        "status": "状态",
        "burndown": "攻坚任务燃尽图(未化解事项)",
        "follow_up": "约谈落实跟踪",
        "more": "另有 {n} 项",
        "provisional": "暂定",
        "chart_axis": "未化解事项(件)",
        "reconciliation": "事项核对",
        "rec_cases": (
            "输入事项 {cases} 件 = 已归属 {placed} 件 + 行动范围外 {outside} 件 "
            "+ 未归属 {unplaced} 件"
        ),
        "rec_placed": (
            "已归属 {placed} 件: 攻坚任务 {targets} 件, 行动期间新增 {new} 件, "
            "行动开始前受理的其他事项 {earlier} 件(只计入指标和时限)"
        ),
        "rec_units": "各单位已归属",
        "rec_outside": "行动范围外 {outside} 件",
        "rec_targets": (
            "攻坚任务 {targets} 件 = 已归属 {placed} 件 + 行动范围外 {outside} 件 + "
            "未归属 {unplaced} 件 + 台账中无此编号 {unknown} 件"
        ),
        "rec_unbalanced": "核对不平: 请报告此问题",
        "unplaced": "未归属事项",
        "unplaced_row": "未归属(不计入合计)",
        "unplaced_none": "无: 每件事项均已归属或有行动规则所定的范围外原因",
        "reason": "原因",
        "field": "字段",
        "unknown_id": "未知编号",
        "nearest": "最接近的已知编号",
        "cases": "事项数",
        "of_targets": "其中攻坚任务",
        "first_case": "首件事项",
        "unknown_targets": "攻坚任务编号在台账中无对应事项",
        "missing_units": "行动范围内的单位不在组织机构文件中(未列入各单位表)",
        "unplaced_warning": (
            "注意: {n} 件事项未归属,未计入任何单位;下列各单位的数字和比率不含这些事项"
            "(见文末“事项核对”)。"
        ),
        "list_sep": "、",
    },
    "en": {
        "title": "Campaign bulletin: clearing the petition backlog",
        "title_closing": "Closing tally: clearing the petition backlog",
        "follow_through": "Following the settlement plans through",
        "plans_overdue": "Plans overdue",
        "steps_overdue": "Steps overdue",
        "plans_stalled": "Plans stalled",
        "deadline_moves": "Deadlines moved later (cases / times)",
        "unfinished": "Unfinished tasks",
        "owner": "owner",
        "last_report": "Last progress report",
        "none_yet": "none yet",
        "as_of": "as of",
        "overall": "Overall progress",
        "unit": "Unit",
        "total": "Total",
        "targets": "Targets",
        "settled": "Settled",
        "open": "Open",
        "in_handling": "In handling",
        "overdue": "Overdue",
        "plans_incomplete": "Plans incomplete",
        "new_intake": "New intake (expected)",
        "visits": "Beijing / skip-level visits",
        "deductions": "Deductions",
        "progress": "Progress",
        "rates": "Rates",
        "commend": "Commended",
        "admonish": "Admonition talks",
        "none": "none",
        "next_review": "Next review",
        "no_next_review": "none (no review left in the campaign)",
        "reason_sep": "; ",
        "agenda": "Agenda of the next review (clocks due or overdue)",
        "case": "Case",
        "clock": "Clock",
        "due": "Due",
        "status": "Status",
        "burndown": "Burndown (open target cases)",
        "follow_up": "Admonitions to follow up",
        "more": "{n} more",
        "provisional": "provisional",
        "chart_axis": "open cases",
        "reconciliation": "Reconciliation",
        "rec_cases": (
            "Cases in: {cases} = placed {placed} + outside the campaign {outside} "
            "+ not placed {unplaced}"
        ),
        "rec_placed": (
            "Placed: {placed} (targets {targets}, new intake {new}, earlier cases {earlier} "
            "counted in rates and clocks only)"
        ),
        "rec_units": "Placed per unit",
        "rec_outside": "Outside the campaign: {outside}",
        "rec_targets": (
            "Targets: {targets} = placed {placed} + outside {outside} + not placed {unplaced} "
            "+ no case with the id {unknown}"
        ),
        "rec_unbalanced": "the counts do not reconcile: please report this",
        "unplaced": "Cases not placed",
        "unplaced_row": "Not placed (not in the total)",
        "unplaced_none": (
            "none: every case is placed or outside the campaign for a reason its rules give"
        ),
        "reason": "Reason",
        "field": "Field",
        "unknown_id": "Unknown id",
        "nearest": "Nearest known id",
        "cases": "Cases",
        "of_targets": "Of them targets",
        "first_case": "First case",
        "unknown_targets": "Target ids with no case in the ledger",
        "missing_units": ("Campaign units not in the organisation (not shown in the unit tables)"),
        "unplaced_warning": (
            "Warning: {n} case(s) are not placed and counted under no unit; the units' "
            "numbers and rates below leave them out (see the reconciliation at the end)."
        ),
        "list_sep": ", ",
    },
}

_RATE_NAMES: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        "on_time_completion": "按期办结率",
        "timely_acceptance": "及时受理率",
        "participation": "参评率",
        "satisfaction": "满意率",
        "settlement": "化解率",
    },
    "en": {
        "on_time_completion": "On-time completion",
        "timely_acceptance": "Timely acceptance",
        "participation": "Participation",
        "satisfaction": "Satisfaction",
        "settlement": "Settlement",
    },
}

_PLACEMENT_WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        "not_yet_registered": "截至日尚未登记",
        "unit_not_covered": "所属单位不在行动范围内",
        "unknown_unit": "单位编号不存在",
        "unknown_official": "人员编号不存在",
        "unknown_target": "无此编号的事项",
        "campaign_unit_not_in_organization": "组织机构中无此单位",
    },
    "en": {
        "not_yet_registered": "registered after the date",
        "unit_not_covered": "its units are outside the campaign's units",
        "unknown_unit": "unknown unit id",
        "unknown_official": "unknown official id",
        "unknown_target": "no case with this id",
        "campaign_unit_not_in_organization": "not in the organisation",
    },
}

_STATUS_WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        "running": "进行中",
        "due_soon": "即将到期",
        "overdue": "已超期",
        "paused": "暂停(听证)",
        "met": "按期完成",
        "missed": "超期完成",
        "lapsed": "期限届满未行使",
        "stopped": "已终止",
    },
    "en": {
        "running": "running",
        "due_soon": "due soon",
        "overdue": "overdue",
        "paused": "paused (hearing)",
        "met": "met",
        "missed": "missed",
        "lapsed": "lapsed",
        "stopped": "stopped",
    },
}

#: Reason codes of the commend and admonish lists, with the values each one carries.
REASON_CODES: Final[Mapping[str, tuple[str, ...]]] = {
    "slow_progress": ("settled", "targets", "progress", "threshold"),
    "overdue": ("overdue", "threshold"),
    "plans_incomplete": ("plans_incomplete", "grace_days"),
    "fast_progress": ("settled", "targets", "progress", "threshold", "overdue"),
    "plans_overdue": ("plans_overdue", "threshold"),
    "plans_stalled": ("plans_stalled", "days", "threshold"),
    "unfinished": ("unfinished", "threshold"),
}

_REASON_TEXT: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        "slow_progress": "进展缓慢: 化解 {settled}/{targets} ({progress:.0%}) < {threshold:.0%}",
        "overdue": "超期 {overdue} 件 (≥ {threshold})",
        "plans_incomplete": "息访方案不完整 {plans_incomplete} 件 (超过宽限期 {grace_days} 日)",
        "fast_progress": (
            "进展较快: 化解 {settled}/{targets} ({progress:.0%}) ≥ {threshold:.0%}, "
            "超期 {overdue} 件"
        ),
        "plans_overdue": "息访方案超期 {plans_overdue} 件 (≥ {threshold})",
        "plans_stalled": (
            "息访方案停滞 {plans_stalled} 件 (超过 {days} 日无进展情况, ≥ {threshold})"
        ),
        "unfinished": "未完成攻坚任务 {unfinished} 件 (≥ {threshold})",
    },
    "en": {
        "slow_progress": (
            "slow progress: {settled} of {targets} settled ({progress:.0%}), below {threshold:.0%}"
        ),
        "overdue": "overdue cases: {overdue} (admonished from {threshold})",
        "plans_incomplete": (
            "incomplete settlement plans: {plans_incomplete} "
            "(the {grace_days}-day grace period is over)"
        ),
        "fast_progress": (
            "fast progress: {settled} of {targets} settled ({progress:.0%}, "
            "at least {threshold:.0%}); overdue cases: {overdue}"
        ),
        "plans_overdue": "settlement plans past their deadline: {plans_overdue} "
        "(admonished from {threshold})",
        "plans_stalled": "stalled settlement plans: {plans_stalled} (no progress report for "
        "over {days} days; admonished from {threshold})",
        "unfinished": "unfinished tasks after the campaign's end: {unfinished} "
        "(admonished from {threshold})",
    },
}

#: How the snapshot date was chosen.
AS_OF_BASES: Final = ("given", "today", "campaign_start", "campaign_end")

_AS_OF_NOTES: Final[Mapping[str, Mapping[str, str]]] = {
    "zh": {
        "given": "",
        "today": "未指定日期,取今日",
        "campaign_start": "未指定日期;今日({today})早于行动开始日,取开始日",
        "campaign_end": "未指定日期;今日({today})晚于行动结束日,取结束日",
    },
    "en": {
        "given": "",
        "today": "no date given: today",
        "campaign_start": "no date given: today ({today}) is before the campaign starts",
        "campaign_end": "no date given: today ({today}) is after the campaign ended",
    },
}

_CALENDAR_NOTE: Final[Mapping[str, str]] = {
    "zh": (
        "注：标注“暂定”的日期按暂定日历计算: {years}年的国务院放假安排尚未载入,"
        "仅按法定节假日计算,未含调休上班日;安排公布并载入后,结果可能变化。"
    ),
    "en": (
        "Note: dates marked “provisional” are counted on the provisional calendar: the "
        "State Council holiday arrangement for {years} is not loaded, so only the statutory "
        "holidays count and no weekend make-up working days; they may change once it is."
    ),
}


def labels(lang: str) -> Mapping[str, str]:
    """The labels of one language (``ValueError`` for an unknown one)."""
    if lang not in _LABELS:
        raise ValueError(f"unknown language {lang!r}; use 'zh' or 'en'")
    return _LABELS[lang]


def rate_name(code: str, lang: str) -> str:
    """A rate's name (a host's own rate keeps its code)."""
    return _RATE_NAMES[lang].get(code, code.replace("_", " "))


def placement_word(code: str, lang: str) -> str:
    """Why a case is outside the campaign or not placed, in words."""
    return _PLACEMENT_WORDS[lang].get(code, code.replace("_", " "))


def status_word(code: str, lang: str) -> str:
    """A clock status in words."""
    return _STATUS_WORDS[lang].get(code, code.replace("_", " "))


def as_of_note(basis: str, lang: str, today: _dt.date | None) -> str:
    """How the snapshot date was chosen, in words ("" when it was given)."""
    if basis not in AS_OF_BASES:
        raise ValueError(f"unknown as_of_basis {basis!r}; use one of {', '.join(AS_OF_BASES)}")
    return _AS_OF_NOTES[lang][basis].format(today=today.isoformat() if today else "?")


def calendar_note(years: list[int], lang: str) -> str:
    """The note under a bulletin some of whose dates are provisional."""
    shown = ("、" if lang == "zh" else ", ").join(str(y) for y in years)
    return _CALENDAR_NOTE[lang].format(years=shown)


# --------------------------------------------------------------- the reasons
# Until ``Listing`` carries its reasons as codes, they are read back from the
# campaign's fixed Chinese sentences (the four below are all it writes).
def listing_reasons(listing: Listing, lang: str) -> list[dict[str, Any]]:
    """Each reason of a listing as ``{"code", "values", "text"}`` in ``lang``."""
    pairs: list[tuple[str, dict[str, Any]]] = [(d.code, dict(d.values)) for d in listing.details]
    if not pairs:  # a listing built by hand with sentences only
        pairs = [("other", {"text": text}) for text in listing.reasons]
    out = []
    for code, values in pairs:
        template = _REASON_TEXT[lang].get(code)
        text = template.format(**values) if template else str(values.get("text", code))
        out.append({"code": code, "values": values, "text": text})
    return out
