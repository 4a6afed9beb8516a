"""The transition spec: one table of what each change does to a case, read by both folds.

For each change kind, :data:`TRANSITIONS` declares the stages it is allowed
from (the stage graph), the stage it leaves the case in, the milestones it
sets (the first occurrence, or the latest) or clears, the routes the case
must be on, and the named guards (refusal rules) it must pass. Both engines
read this table and nothing else for those facts: the value fold
(:func:`xinfang.replay`, ``xinfang.case``) and the column fold
(``xinfang.columnar``'s numpy fold). A change to the law is one diff here.

A guard is named in :data:`GUARDS` (name → :class:`Guard`, with its article).
Where a guard is a plain predicate, its one form here is written over
duck-typed values, so the value fold calls it with ``int`` ordinals or enum
codes and the column fold with numpy arrays of them (this module imports
no numpy). The guards on the fold's state (a receipt once, a hearing
running, settled, a role held, ...) take that state as a count or a flag:
one ``bool``/``int`` in the value fold, an array of "the state before row i"
in the column fold. :data:`CHECKS` maps each guard to its predicates. Where a
guard is data (the stage graph, the routes a category may be accepted
on), both engines read the same data (:data:`DATA_GUARDS`). Guards that need a rulebook (time
windows, the extension cap, finality, Art. 19 ¶3) are checked by
:func:`xinfang.apply` and cite the rulebook in force; they are listed here
too (``needs_rulebook``) so that every guard has one name.

This module sits between the change classes and the case model.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any, Final

import attrs

from xinfang.changes import CHANGE_TYPES
from xinfang.vocabulary import TERMINAL, Category, Route, Stage

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Mapping

__all__ = [
    "ACCEPTED_ROUTES",
    "ALLOWED_FROM",
    "ANCHORS",
    "CHECKS",
    "DATA_GUARDS",
    "DEFAULT_ROUTE",
    "GUARDS",
    "PLAN_RULE",
    "ROUTES_BY_CATEGORY",
    "TRANSITIONS",
    "Guard",
    "Transition",
    "approval_once_ok",
    "deadline_moved_later",
    "delivered_after_issue_ok",
    "extension_days_ok",
    "hearing_ended_ok",
    "hearing_not_running_ok",
    "hearing_running_ok",
    "progress_needs_plan_ok",
    "receipt_before_answer_ok",
    "receipt_once_ok",
    "relapse_after_settle_ok",
    "report_back_assigned_ok",
    "report_back_date_ok",
    "return_after_approval_ok",
    "role_held_ok",
    "role_not_held_ok",
    "route_fits_category",
    "setters",
    "settle_once_ok",
    "step_once_ok",
    "steps_ok",
]

_ART = "信访工作条例 (2022)"
#: The campaign rule a settlement plan answers to (the seed speech, not a statute).
PLAN_RULE: Final = "攻坚行动讲话: 明确责任、明确时限、明确措施,紧盯落实"


@attrs.frozen(kw_only=True)
class Guard:
    """A named refusal rule: its article and what a refusal says.

    ``needs_rulebook``: checked by :func:`xinfang.apply` under the rulebook in
    force, whose data gives the citation (``article`` then names the 2022 one).
    """

    name: str
    article: str
    why: str
    needs_rulebook: bool = False


def _guards(*guards: Guard) -> Mapping[str, Guard]:
    return types.MappingProxyType({g.name: g for g in guards})


#: Every named guard (refusal rule) of the fold and of :func:`xinfang.apply`.
GUARDS: Final[Mapping[str, Guard]] = _guards(
    Guard(
        name="stage_graph",
        article="each kind's own article (TRANSITIONS[kind].rule)",
        why="not allowed in the case's stage",
    ),
    Guard(
        name="route_accepted",
        article=f"{_ART} 第二十八条第二款、第三十一条",
        why="a matter for another legal procedure is declined with that route told, "
        "not accepted into petition handling",
    ),
    Guard(
        name="route_fits_category",
        article=f"{_ART} 第二十九条、第三十条、第三十一条",
        why="a suggestion (建议意见类) is accepted on the suggestion route, an accusation "
        "(检举控告类) on the accusation route, any other matter on an Art. 31 route; "
        "a later categorisation keeps the matter on its route's side",
    ),
    Guard(
        name="review_route",
        article=f"{_ART} 第二十九条、第三十条、第三十五条、第三十六条",
        why="a suggestion is studied and replied to, an accusation handled 依规依纪依法: "
        "their reply has no review (复查) route; only an Art. 31 matter has one",
    ),
    Guard(
        name="agreement_on_appeal",
        article=f"{_ART} 第三十三条: 在处理申诉求决类事项过程中",
        why="a mediation or reconciliation agreement is made only while an appeal or "
        "demand (申诉求决类) is being handled",
    ),
    Guard(
        name="receipt_once",
        article=f"{_ART} 第二十三条第三款",
        why="the receipt of this forwarding is already recorded",
    ),
    Guard(
        name="receipt_before_answer",
        article=f"{_ART} 第二十三条第三款",
        why="the receipt comes before the receiving body's notice or objection",
    ),
    Guard(
        name="approval_once",
        article=f"{_ART} 第二十三条第三款",
        why="the objection is already approved",
    ),
    Guard(
        name="return_after_approval",
        article=f"{_ART} 第二十三条第三款",
        why="materials are returned only after the sending body approves the objection",
    ),
    Guard(
        name="report_back_assigned",
        article=f"{_ART} 第二十二条第三项",
        why="only an assigned matter (交办) is reported back",
    ),
    Guard(
        name="report_back_date",
        article=f"{_ART} 第二十二条第三项: 在指定办理期限内反馈结果",
        why="the day set for the report back (report_back_by) is before the assignment",
    ),
    Guard(
        name="extension_days",
        article=f"{_ART} 第三十四条",
        why="an extension is a positive number of days",
    ),
    Guard(
        name="hearing_not_running",
        article=f"{_ART} 第三十六条第二款",
        why="a hearing is already running",
    ),
    Guard(
        name="hearing_running",
        article=f"{_ART} 第三十六条第二款",
        why="no hearing is running",
    ),
    Guard(
        name="hearing_ended",
        article=f"{_ART} 第三十六条第二款",
        why="end the hearing first",
    ),
    Guard(
        name="delivered_after_issue",
        article="a reply is delivered after it is issued",
        why="delivered too early",
    ),
    Guard(name="settle_once", article="停访息诉", why="the case is already settled"),
    Guard(name="relapse_after_settle", article="停访息诉", why="only a settled case can relapse"),
    Guard(name="role_not_held", article=f"{_ART} 第五条", why="the holder already holds the role"),
    Guard(name="role_held", article=f"{_ART} 第五条", why="the holder does not hold the role"),
    Guard(
        name="progress_needs_plan",
        article=f"{PLAN_RULE} (a campaign rule: 调度进展情况)",
        why="progress (进展情况) is reported on a settlement plan: set one first",
    ),
    Guard(
        name="progress_steps",
        article=f"{PLAN_RULE} (a campaign rule: 调度进展情况)",
        why="a report completes steps of the current plan (numbered from 1), each once",
    ),
    Guard(
        name="plan_deadline_reason",
        article=f"{PLAN_RULE} (a campaign rule, not a statutory one)",
        why="a revision that moves the plan's deadline later (or drops it) states its reason",
    ),
    # Checked by apply() under the rulebook in force (its data gives the citation).
    Guard(
        name="window",
        article=f"{_ART} 第二十三条第三款、第三十五条、第三十六条 (the rulebook's limit)",
        why="a request outside its window (remit objection, review, re-review)",
        needs_rulebook=True,
    ),
    Guard(
        name="extension_cap",
        article=f"{_ART} 第三十四条 (the rulebook's cap)",
        why="an extension beyond the cap, untold, or after the handling limit",
        needs_rulebook=True,
    ),
    Guard(
        name="finality",
        article=f"{_ART} 第三十六条第三款 (the rulebook's finality.final_citation)",
        why="the same facts and reasons as a re-reviewed matter are not accepted, forwarded "
        "or assigned again",
        needs_rulebook=True,
    ),
    Guard(
        name="finality_after_lapsed_window",
        article="the rulebook's finality.citation (a ministerial rule: 无正当理由超过规定期限"
        "未请求复查、复核的，不再受理)",
        why="the same facts and reasons as a matter whose review window lapsed unused, "
        "with no good reason (正当理由) recorded",
        needs_rulebook=True,
    ),
    Guard(
        name="being_handled",
        article=f"{_ART} 第十九条第三款 (the rulebook's finality.handled_citation)",
        why="a higher body does not accept the same matter while it is accepted or being "
        "handled within its limits",
        needs_rulebook=True,
    ),
)


@attrs.frozen(kw_only=True)
class Transition:
    """What one change kind does to a case.

    Attributes:
        kind: the change's kind code.
        allowed_from: the stages it may be recorded in; ``rule`` the article of that.
        stage_after: the stage it leaves the case in (``None``: unchanged).
        first: milestones it sets to its day when not set yet.
        latest: milestones it sets to its day.
        clears: milestones it removes (before setting its own).
        computed: milestones it sets from its payload or the case's state
            (a delivery instant, a report-back date, the settled flag), by its
            handler in each fold; listed here so that every milestone it
            touches is named in the table.
        routes: the routes the case must be on (``None``: any, or none);
            ``route_guard`` names the guard that refuses otherwise.
        guards: the named guards its handler checks (:data:`GUARDS`).
    """

    kind: str
    allowed_from: frozenset[Stage]
    rule: str
    stage_after: Stage | None = None
    first: tuple[str, ...] = ()
    latest: tuple[str, ...] = ()
    clears: tuple[str, ...] = ()
    computed: tuple[str, ...] = ()
    routes: frozenset[Route] | None = None
    route_guard: str = ""
    guards: tuple[str, ...] = ()


_BEFORE_ACCEPT: Final = frozenset(
    {Stage.REGISTERED, Stage.FORWARDED, Stage.ASSIGNED, Stage.OBJECTED}
)
_AFTER_ACCEPT: Final = frozenset(
    {
        Stage.ACCEPTED,
        Stage.REPLIED,
        Stage.REVIEW_REQUESTED,
        Stage.REVIEWED,
        Stage.REREVIEW_REQUESTED,
        Stage.FINAL,
    }
)
_REPLIED_OR_LATER: Final = _AFTER_ACCEPT - {Stage.ACCEPTED}
#: The routes handled under Art. 31 (an appeal or demand, 申诉求决类).
_ART31_ROUTES: Final = frozenset({Route.ORDINARY, Route.DUTY})
#: The routes a matter may be accepted on (the others are declined with the route told).
ACCEPTED_ROUTES: Final = frozenset({*_ART31_ROUTES, Route.SUGGESTION, Route.ACCUSATION})
#: Which accepted routes fit a category (Arts. 29-31); ``None``, not categorised yet, is
#: handled as an appeal or demand until categorised.
ROUTES_BY_CATEGORY: Final[Mapping[Category | None, frozenset[Route]]] = types.MappingProxyType(
    {
        None: _ART31_ROUTES,
        Category.APPEAL: _ART31_ROUTES,
        Category.SUGGESTION: frozenset({Route.SUGGESTION}),
        Category.ACCUSATION: frozenset({Route.ACCUSATION}),
    }
)
#: The default route of an ``Accept(route=None)`` by category.
DEFAULT_ROUTE: Final[Mapping[Category | None, Route]] = types.MappingProxyType(
    {
        None: Route.ORDINARY,
        Category.APPEAL: Route.ORDINARY,
        Category.SUGGESTION: Route.SUGGESTION,
        Category.ACCUSATION: Route.ACCUSATION,
    }
)
_FORWARD_CLEARS: Final = (
    # A new receipt: what answered the previous one (an objection, a notice, an
    # approval, a return) does not answer this one, even earlier the same day.
    "remit_objected",
    "forward_notified",
    "forward_received",
    "objection_approved",
    "materials_returned",
)

#: Milestones set only while another is set (``first`` setters after its latest clear):
#: the first notice after a forwarding is what the receiving body owes (Art. 23 ¶3).
ANCHORS: Final[Mapping[str, str]] = types.MappingProxyType({"forward_notified": "last_forwarded"})


def _t(kind: str, allowed: frozenset[Stage], rule: str, **kw: Any) -> Transition:
    return Transition(kind=kind, allowed_from=allowed, rule=rule, **kw)


_ALL: Final = frozenset(Stage)
_OPEN: Final = _ALL - TERMINAL

#: The transition spec: change kind → :class:`Transition`. ``registered`` opens a case.
TRANSITIONS: Final[Mapping[str, Transition]] = types.MappingProxyType(
    {
        t.kind: t
        for t in (
            _t(
                "registered",
                frozenset(),
                f"{_ART} 第二十一条: every matter is registered first",
                stage_after=Stage.REGISTERED,
                computed=("received", "notified"),
            ),
            _t(
                "categorized",
                _BEFORE_ACCEPT | {Stage.ACCEPTED},
                f"{_ART} 第二十九至三十一条",
                guards=("route_fits_category",),
            ),
            _t(
                "forwarded",
                _BEFORE_ACCEPT,
                f"{_ART} 第二十二条",
                stage_after=Stage.FORWARDED,
                first=("forwarded",),
                latest=("last_forwarded",),
                clears=_FORWARD_CLEARS,
            ),
            _t(
                "assigned",
                _BEFORE_ACCEPT,
                f"{_ART} 第二十二条第三项",
                stage_after=Stage.ASSIGNED,
                first=("assigned",),
                latest=("last_forwarded",),
                clears=(*_FORWARD_CLEARS, "reported_back"),
                computed=("report_back_due",),
                guards=("report_back_date",),
            ),
            _t(
                "declined",
                _BEFORE_ACCEPT,
                f"{_ART} 第二十二条、第二十三条",
                stage_after=Stage.DECLINED,
                latest=("declined",),
            ),
            _t(
                "remit_objected",
                frozenset({Stage.FORWARDED, Stage.ASSIGNED}),
                f"{_ART} 第二十三条第三款",
                stage_after=Stage.OBJECTED,
                latest=("remit_objected",),
            ),
            _t(
                "accepted",
                frozenset({Stage.REGISTERED, Stage.FORWARDED, Stage.ASSIGNED}),
                f"{_ART} 第二十三条",
                stage_after=Stage.ACCEPTED,
                latest=("accepted",),
                guards=("route_accepted", "route_fits_category"),
            ),
            _t(
                "notified",
                _BEFORE_ACCEPT | {Stage.ACCEPTED},
                f"{_ART} 第二十三条",
                first=("notified", "forward_notified"),
            ),
            _t(
                "forward_received",
                frozenset({Stage.FORWARDED, Stage.ASSIGNED}),
                f"{_ART} 第二十三条第三款: 自收到之日起",
                latest=("forward_received", "last_forwarded"),
                guards=("receipt_once", "receipt_before_answer"),
            ),
            _t(
                "objection_approved",
                frozenset({Stage.OBJECTED}),
                f"{_ART} 第二十三条第三款: 经转送、交办的信访部门或者上级机关、单位核实同意",
                latest=("objection_approved",),
                guards=("approval_once",),
            ),
            _t(
                "materials_returned",
                frozenset({Stage.OBJECTED}),
                f"{_ART} 第二十三条第三款: 核实同意后，交还相关材料",
                latest=("materials_returned",),
                guards=("return_after_approval",),
            ),
            _t(
                "reported_back",
                _ALL - {Stage.REGISTERED, Stage.FORWARDED, Stage.DECLINED, Stage.WITHDRAWN},
                f"{_ART} 第二十二条第三项: 在指定办理期限内反馈结果，提交办结报告",
                first=("reported_back",),
                guards=("report_back_assigned",),
            ),
            _t(
                "agreement_recorded",
                frozenset({Stage.ACCEPTED}),
                f"{_ART} 第三十三条: 经调解、和解达成一致意见的，应当制作调解协议书或者和解协议书",
                first=("agreement_recorded",),
                computed=("settled",),
                routes=_ART31_ROUTES,
                route_guard="agreement_on_appeal",
            ),
            _t(
                "extended",
                frozenset({Stage.ACCEPTED}),
                f"{_ART} 第三十四条",
                guards=("extension_days",),
            ),
            _t(
                "hearing_started",
                frozenset({Stage.ACCEPTED, Stage.REREVIEW_REQUESTED}),
                f"{_ART} 第三十一条第六项、第三十六条第二款",
                guards=("hearing_not_running",),
            ),
            _t(
                "hearing_ended",
                frozenset({Stage.ACCEPTED, Stage.REREVIEW_REQUESTED}),
                f"{_ART} 第三十六条第二款",
                guards=("hearing_running",),
            ),
            _t(
                "opinion_issued",
                frozenset({Stage.ACCEPTED}),
                f"{_ART} 第三十一条第六项、第三十二条",
                stage_after=Stage.REPLIED,
                latest=("opinion_issued",),
                computed=("opinion_delivered",),
                guards=("hearing_ended", "delivered_after_issue"),
            ),
            _t(
                "review_requested",
                frozenset({Stage.REPLIED}),
                f"{_ART} 第三十五条",
                stage_after=Stage.REVIEW_REQUESTED,
                latest=("review_requested",),
                routes=_ART31_ROUTES,
                route_guard="review_route",
            ),
            _t(
                "review_opinion_issued",
                frozenset({Stage.REVIEW_REQUESTED}),
                f"{_ART} 第三十五条",
                stage_after=Stage.REVIEWED,
                latest=("review_opinion_issued",),
                computed=("review_delivered",),
                guards=("hearing_ended", "delivered_after_issue"),
            ),
            _t(
                "rereview_requested",
                frozenset({Stage.REVIEWED}),
                f"{_ART} 第三十六条",
                stage_after=Stage.REREVIEW_REQUESTED,
                latest=("rereview_requested",),
                routes=_ART31_ROUTES,
                route_guard="review_route",
            ),
            _t(
                "rereview_opinion_issued",
                frozenset({Stage.REREVIEW_REQUESTED}),
                f"{_ART} 第三十六条",
                stage_after=Stage.FINAL,
                latest=("rereview_opinion_issued",),
                guards=("hearing_ended", "delivered_after_issue"),
            ),
            _t(
                "settled",
                _AFTER_ACCEPT,
                "停访息诉: possible at any point after acceptance",
                computed=("settled",),
                guards=("settle_once",),
            ),
            _t(
                "relapsed",
                _AFTER_ACCEPT,
                "a relapse follows a settlement",
                clears=("settled",),
                guards=("relapse_after_settle",),
            ),
            _t(
                "withdrawn",
                _OPEN,
                "a closed matter cannot be withdrawn",
                stage_after=Stage.WITHDRAWN,
                latest=("withdrawn",),
            ),
            _t("rated", _REPLIED_OR_LATER, f"{_ART} 第二十一条: the petitioner rates the handling"),
            _t(
                "role_assigned",
                _OPEN,
                f"{_ART} 第五条: 谁主管、谁负责",
                guards=("role_not_held",),
            ),
            _t("role_released", _ALL, f"{_ART} 第五条", guards=("role_held",)),
            _t(
                "plan_set",
                _OPEN,
                PLAN_RULE,
                first=("plan_set",),
                computed=("plan_due",),
                guards=("plan_deadline_reason",),
            ),
            _t(
                "progress_reported",
                _OPEN,
                PLAN_RULE,
                latest=("progress_reported",),
                guards=("progress_needs_plan", "progress_steps"),
            ),
        )
    }
)

#: kind → (stages it is allowed from, the rule it enforces): the stage graph, from the spec.
ALLOWED_FROM: Final[Mapping[str, tuple[frozenset[Stage], str]]] = types.MappingProxyType(
    {k: (t.allowed_from, t.rule) for k, t in TRANSITIONS.items() if k != "registered"}
)


def setters(milestone: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The kinds that set ``milestone`` first, set it latest, and clear it (spec order)."""
    return (
        tuple(k for k, t in TRANSITIONS.items() if milestone in t.first),
        tuple(k for k, t in TRANSITIONS.items() if milestone in t.latest),
        tuple(k for k, t in TRANSITIONS.items() if milestone in t.clears),
    )


# ------------------------------------------------------- guard forms (duck-typed)
def route_fits_category(route: Route, category: Category | None) -> bool:
    """Whether an accepted ``route`` fits ``category`` (guard ``route_fits_category``).

    The column fold reads :data:`ROUTES_BY_CATEGORY` as a table of codes.
    """
    return route in ROUTES_BY_CATEGORY[category]


def report_back_date_ok(report_back_by: Any, assigned_on: Any) -> Any:
    """Guard ``report_back_date``: the day set is not before the assignment's day.

    Dates or ordinals, one or arrays of them (the column fold passes numpy arrays).
    """
    return report_back_by >= assigned_on


def extension_days_ok(days: Any) -> Any:
    """Guard ``extension_days``: an extension is a positive number of days (one or an array)."""
    return days >= 1


def deadline_moved_later(new: Any, old: Any, none: Any) -> Any:
    """Whether a plan's deadline moved later (or was dropped): guard ``plan_deadline_reason``.

    Ordinals (``none`` for no deadline), one or arrays of them; a first plan
    (``old`` is ``none``) moves nothing. Such a revision needs a reason.
    """
    return (old != none) & ((new == none) | (new > old))


def steps_ok(number: Any, steps: Any) -> Any:
    """Guard ``progress_steps``: a step number names a step of the plan (1 to ``steps``)."""
    return (number >= 1) & (number <= steps)


def delivered_after_issue_ok(delivered: Any, issued: Any) -> Any:
    """Guard ``delivered_after_issue``: a reply is delivered on or after its issue day."""
    return delivered >= issued


# The guards on the fold's state. Each takes what the state before the change
# holds, as a count or a flag: the value fold passes Python ``bool`` or ``int``
# (``True == 1``), the column fold numpy arrays of the same per row ("the state
# before row i"). Written with ``==`` / ``!=`` against 0, never ``not`` or ``~``
# (``~True`` is -2), so one form serves both.
def receipt_once_ok(receipts: Any) -> Any:
    """Guard ``receipt_once``: no receipt recorded since the latest forwarding or assignment."""
    return receipts == 0


def receipt_before_answer_ok(answers: Any) -> Any:
    """Guard ``receipt_before_answer``: no notice or objection since the latest forwarding."""
    return answers == 0


def approval_once_ok(approvals: Any) -> Any:
    """Guard ``approval_once``: no approval of the objection since the latest forwarding."""
    return approvals == 0


def return_after_approval_ok(approvals: Any) -> Any:
    """Guard ``return_after_approval``: the objection was approved since the latest forwarding."""
    return approvals != 0


def report_back_assigned_ok(assignments: Any) -> Any:
    """Guard ``report_back_assigned``: the matter was assigned (交办) before the report."""
    return assignments != 0


def hearing_not_running_ok(running: Any) -> Any:
    """Guard ``hearing_not_running``: a hearing starts only when none runs."""
    return running == 0


def hearing_running_ok(running: Any) -> Any:
    """Guard ``hearing_running``: a hearing ends only while one runs."""
    return running != 0


def hearing_ended_ok(running: Any) -> Any:
    """Guard ``hearing_ended``: an opinion is issued only when no hearing runs."""
    return running == 0


def settle_once_ok(settled: Any) -> Any:
    """Guard ``settle_once``: a case is settled only when it is not settled."""
    return settled == 0


def relapse_after_settle_ok(settled: Any) -> Any:
    """Guard ``relapse_after_settle``: only a settled case relapses."""
    return settled != 0


def role_not_held_ok(held: Any) -> Any:
    """Guard ``role_not_held``: a role is assigned to a holder who does not hold it."""
    return held == 0


def role_held_ok(held: Any) -> Any:
    """Guard ``role_held``: a role is released by a holder who holds it."""
    return held != 0


def progress_needs_plan_ok(plans: Any) -> Any:
    """Guard ``progress_needs_plan``: a settlement plan was set before the report."""
    return plans != 0


def step_once_ok(done: Any) -> Any:
    """Guard ``progress_steps``: a step of the current plan is completed once (not done before)."""
    return done == 0


#: Each guard with predicates → its predicates, each its one form (both folds call them).
CHECKS: Final[Mapping[str, tuple[Callable[..., Any], ...]]] = types.MappingProxyType(
    {
        "route_fits_category": (route_fits_category,),
        "report_back_date": (report_back_date_ok,),
        "extension_days": (extension_days_ok,),
        "delivered_after_issue": (delivered_after_issue_ok,),
        "receipt_once": (receipt_once_ok,),
        "receipt_before_answer": (receipt_before_answer_ok,),
        "approval_once": (approval_once_ok,),
        "return_after_approval": (return_after_approval_ok,),
        "report_back_assigned": (report_back_assigned_ok,),
        "hearing_not_running": (hearing_not_running_ok,),
        "hearing_running": (hearing_running_ok,),
        "hearing_ended": (hearing_ended_ok,),
        "settle_once": (settle_once_ok,),
        "relapse_after_settle": (relapse_after_settle_ok,),
        "role_not_held": (role_not_held_ok,),
        "role_held": (role_held_ok,),
        "progress_needs_plan": (progress_needs_plan_ok,),
        # a step number names a step of the plan, and each step is completed once
        "progress_steps": (steps_ok, step_once_ok),
        # when a reason is needed; its blankness is each fold's (str.strip; a regex that
        # leaves what it cannot judge to the value fold)
        "plan_deadline_reason": (deadline_moved_later,),
    }
)
#: The guards that are data both folds read (no predicate) → that data.
DATA_GUARDS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "stage_graph": "TRANSITIONS[kind].allowed_from",
        "route_accepted": "ACCEPTED_ROUTES",
        "review_route": "TRANSITIONS[kind].routes",
        "agreement_on_appeal": "TRANSITIONS[kind].routes",
    }
)


def _check_spec() -> None:
    """Every change kind has one transition; every guard named exists."""
    kinds = {c.kind for c in CHANGE_TYPES}
    if kinds != set(TRANSITIONS):  # pragma: no cover - a new change class needs a row
        raise AssertionError(f"transitions and change kinds differ: {kinds ^ set(TRANSITIONS)}")
    for t in TRANSITIONS.values():
        for g in (*t.guards, *((t.route_guard,) if t.route_guard else ())):
            if g not in GUARDS:  # pragma: no cover - a typo in the table
                raise AssertionError(f"{t.kind}: unknown guard {g!r}")
    for name in (*CHECKS, *DATA_GUARDS):
        if name not in GUARDS:  # pragma: no cover - a typo in the table
            raise AssertionError(f"a form for an unknown guard {name!r}")


_check_spec()
