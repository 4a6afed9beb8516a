"""The petition matter (信访事项): :class:`Case`, the fold of its events.

A :class:`Case` is built only by folding :class:`~xinfang.Event` values
(:func:`replay`, or :func:`xinfang.apply` one command at a time). The fold
enforces the order of events and the transition spec
(:data:`xinfang.transitions.TRANSITIONS`: the stage graph, the stage each
change leaves, the milestones it sets or clears, the route it needs, its
guards); it needs no rulebook and no calendar: time windows, the extension
cap and finality are the procedure's checks (:mod:`xinfang.procedure`).

Two modules, one job each: ``_value`` (the frozen case, its milestones,
hearings, roles and plan history) and ``_fold`` (one handler per change
class, each checking its guards through the spec's one predicate,
:data:`xinfang.transitions.CHECKS`).
"""

from xinfang.case._fold import Folding, mutate, replay
from xinfang.case._value import (
    MAX_EXTENSION_DAYS,
    MILESTONE_NAMES,
    Case,
    Hearing,
    Holding,
    Milestones,
    PlanRevision,
    case_flags,
)
from xinfang.transitions import ALLOWED_FROM

__all__ = [
    "ALLOWED_FROM",
    "MAX_EXTENSION_DAYS",
    "MILESTONE_NAMES",
    "Case",
    "Folding",
    "Hearing",
    "Holding",
    "Milestones",
    "PlanRevision",
    "case_flags",
    "mutate",
    "replay",
]
