"""The web pages' own words in Chinese and English (the bulletin's own come from the report)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["count_label", "word"]

#: What each count of a list means: (Chinese, English), the glossary's terms.
_COUNTS: Final[Mapping[str, tuple[str, str]]] = {
    "cases": ("归属事项", "cases placed"),
    "targets": ("攻坚事项", "targets"),
    "settled": ("已化解", "settled"),
    "open": ("未化解", "open"),
    "in_handling": ("在办", "in handling"),
    "overdue_cases": ("超期事项", "overdue cases"),
    "plans": ("方案不完整", "plans incomplete"),
    "new": ("新发事项", "new intake"),
    "bj": ("进京访", "Beijing visits"),
    "skip": ("越级访", "skip-level visits"),
    "plans_overdue": ("方案超期", "plans overdue"),
    "steps_overdue": ("节点超期", "steps overdue"),
    "plans_stalled": ("方案停滞", "plans stalled"),
    "cases_moved": ("期限后延事项", "cases with deadlines moved"),
    "deadline_moves": ("期限后延次数", "deadline moves"),
    "unfinished": ("未完成攻坚任务", "unfinished tasks"),
    "handling_met": ("按期办结", "handled on time"),
    "handling_missed": ("逾期办结", "handled late"),
    "handling_overdue": ("办理超期", "handling overdue"),
    "routing_met": ("按期受理", "accepted on time"),
    "routing_missed": ("逾期受理", "accepted late"),
    "routing_overdue": ("受理超期", "acceptance overdue"),
    "replied": ("已出具意见", "replied"),
    "rated": ("已评价", "rated"),
    "satisfied": ("满意", "satisfied"),
    "basically_satisfied": ("基本满意", "basically satisfied"),
    "dissatisfied": ("不满意", "dissatisfied"),
}

_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "bulletin": ("通报", "Bulletin"),
    "cases": ("事项清单", "Cases"),
    "case": ("信访事项", "Case"),
    "due": ("到期提醒", "Due"),
    "overall": ("合计", "Total"),
    "unplaced": ("未归属", "not placed"),
    "unit": ("单位", "Unit"),
    "as_of": ("截至", "As of"),
    "redacted": ("仅知其存在(检举控告类,非本人经办)", "known to exist only (an accusation)"),
    "received": ("登记", "received"),
    "settled": ("已化解", "settled"),
    "plan": ("化解方案", "settlement plan"),
    "complete": ("完整", "complete"),
    "incomplete": ("不完整", "incomplete"),
    "none": ("无", "none"),
    "moves": ("期限后延", "deadline moves"),
    "beijing_visit": ("进京访", "Beijing visit"),
    "skip_level": ("越级访", "skip-level visit"),
    "timeline": ("办理经过", "Timeline"),
    "clocks": ("办理时限", "Clocks"),
    "chain": ("责任链条", "Responsibility chain"),
    "petitioners": ("信访人", "Petitioners"),
    "claims": ("诉求", "Claims"),
    "counted_in": ("计入通报", "Counted in the bulletin"),
    "not_found": ("未找到", "Not found"),
    "error": ("请求有误", "Bad request"),
    "unauthorized": ("未识别的查看人", "Unknown viewer"),
    "total": ("共", "Total"),
    "page": ("页", "page"),
    "previous": ("上一页", "previous"),
    "next": ("下一页", "next"),
    "filter": ("筛选", "Filter"),
    "within": ("工作日内", "within working days"),
    "trend": ("存量变化", "Burndown"),
    "agenda": ("调度议程", "Review agenda"),
    "why": ("计入原因", "Why listed"),
    "stage": ("阶段", "Stage"),
    "category": ("类别", "Category"),
    "status": ("状态", "Status"),
    "explanation": ("说明", "Explanation"),
    "citation": ("依据", "Article"),
    "role": ("角色", "Role"),
    "holder": ("承担者", "Holder"),
    "since": ("起始", "Since"),
    "reason": ("理由", "Reason"),
    "owner": ("包案领导", "Owner"),
    "deadline": ("时限", "Deadline"),
    "measures": ("措施", "Measures"),
    "steps": ("节点", "Steps"),
    "missing": ("缺少", "Missing"),
    "target": ("攻坚事项", "target"),
    "viewer": ("查看人", "Viewer"),
    # stages
    "registered": ("已登记", "registered"),
    "forwarded": ("已转送", "forwarded"),
    "assigned": ("已交办", "assigned"),
    "objected": ("有异议", "objected"),
    "declined": ("不予受理", "declined"),
    "accepted": ("已受理", "accepted"),
    "replied": ("已出具意见", "replied"),
    "review_requested": ("申请复查", "review requested"),
    "reviewed": ("已复查", "reviewed"),
    "rereview_requested": ("申请复核", "re-review requested"),
    "final": ("已终结", "final"),
    "withdrawn": ("已撤回", "withdrawn"),
    # clock statuses
    "running": ("计时中", "running"),
    "due_soon": ("临期", "due soon"),
    "overdue": ("超期", "overdue"),
    "met": ("按期", "met"),
    "missed": ("逾期", "missed"),
    "paused": ("暂停", "paused"),
    "stopped": ("停止", "stopped"),
    "lapsed": ("已失效", "lapsed"),
    # categories
    "suggestion": ("建议意见类", "suggestion"),
    "accusation": ("检举控告类", "accusation"),
    "appeal": ("申诉求决类", "appeal"),
    # roles
    "lead_official": ("包案领导", "lead official"),
    "responsible_unit": ("责任单位", "responsible unit"),
    "responsible_person": ("责任人", "responsible person"),
    "handler": ("承办人", "handler"),
    "liaison": ("联系领导", "liaison"),
    "supervisor": ("督办", "supervisor"),
}


def count_label(count: str, lang: str) -> str:
    """A count's name in ``lang`` (``zh`` or ``en``)."""
    pair = _COUNTS.get(count)
    if pair is None:
        return count.replace("_", " ")
    return pair[1] if lang == "en" else pair[0]


def word(key: str, lang: str) -> str:
    """A page word in ``lang``; an unknown key is shown as itself (a code of the data)."""
    pair = _WORDS.get(key)
    if pair is None:
        return key.replace("_", " ")
    return pair[1] if lang == "en" else pair[0]
