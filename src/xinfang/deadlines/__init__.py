"""Clocks: every statutory time limit of a case, computed, explained and checked.

:func:`clocks` reads a case's milestones and a :class:`~xinfang.Rulebook` and
returns one :class:`Clock` per limit that has started: its due date (with
extension and paused hearing time), its status as of a date, what is left,
and an explanation naming the rule and article. Clocks never change the case.

One clock engine, two paths. Which status a clock has is decided by one
ordered table, :data:`STATUS_RULES`, over a few :class:`Fact` flags (met,
stopped, past due, ...). The per-case path (:func:`clocks`) works on
``datetime.date`` values and evaluates the table over Python ints; the
column path (:func:`clock_parts`, behind :func:`clock_table` and the
campaign snapshot) works on numpy columns read from the cases
(:class:`CaseColumns`) and evaluates the same table with ``np.select``.
Due dates come from :func:`~xinfang.periods.period_end` and its vectorised
sibling :func:`~xinfang.periods.period_end_array`; which milestones end or
stop a clock is data in the plan compiled once per rulebook. A property
test holds the two paths equal.

The package, by job: ``_status`` (the statuses and :data:`STATUS_RULES`),
``_plan`` (the clock plan compiled once per rulebook, the plan clocks' limits,
the case columns' names and codes), ``_clocks`` (the per-case path and the
:class:`Clock` value with its explanation); the column path, imported with
numpy only when one of its names is first used: ``_columns``
(:class:`CaseColumns`, :class:`ColumnSource`), ``_parts`` (:func:`clock_parts`,
:func:`status_codes`, :data:`IS_OPEN`) and ``_table`` (:func:`clock_table`).
Importing this package does not import numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from xinfang.deadlines._clocks import (
    Clock,
    as_of_day,
    case_as_of,
    clocks,
    handling_limit,
    kind_label,
    last_report,
    limit_clock,
    limit_due,
    paused_days,
    plan_step_clocks,
    stage_as_of,
    window_closed,
)
from xinfang.deadlines._plan import (
    CODES,
    ENUM_COLUMNS,
    PLAN_LIMIT,
    PLAN_STEP_PREFIX,
    clock_columns,
    clock_limit,
    clock_limits,
    part_limits,
    plan_step_limit,
)
from xinfang.deadlines._status import (
    CALENDAR_FACTS,
    STATUS_RULES,
    STATUSES,
    ClockStatus,
    Fact,
    StatusRule,
    status_label,
    status_of,
)

if TYPE_CHECKING:  # pragma: no cover
    from xinfang.deadlines._columns import CaseColumns, ColumnSource
    from xinfang.deadlines._parts import IS_OPEN, ClockPart, clock_parts, status_codes
    from xinfang.deadlines._table import ClockTable, clock_table

__all__ = [
    "CALENDAR_FACTS",
    "CODES",
    "ENUM_COLUMNS",
    "IS_OPEN",
    "PLAN_LIMIT",
    "PLAN_STEP_PREFIX",
    "STATUSES",
    "STATUS_RULES",
    "CaseColumns",
    "Clock",
    "ClockPart",
    "ClockStatus",
    "ClockTable",
    "ColumnSource",
    "Fact",
    "StatusRule",
    "as_of_day",
    "case_as_of",
    "clock_columns",
    "clock_limit",
    "clock_limits",
    "clock_parts",
    "clock_table",
    "clocks",
    "handling_limit",
    "kind_label",
    "last_report",
    "limit_clock",
    "limit_due",
    "part_limits",
    "paused_days",
    "plan_step_clocks",
    "plan_step_limit",
    "stage_as_of",
    "status_codes",
    "status_label",
    "status_of",
    "window_closed",
]

#: The column path's names: each from its module, imported (with numpy) on first use.
COLUMN_NAMES: Final = {
    "CaseColumns": "_columns",
    "ColumnSource": "_columns",
    "IS_OPEN": "_parts",
    "ClockPart": "_parts",
    "clock_parts": "_parts",
    "status_codes": "_parts",
    "ClockTable": "_table",
    "clock_table": "_table",
}


def __getattr__(name: str) -> Any:
    """A name of the column path, imported with its module on first use (PEP 562)."""
    module = COLUMN_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'xinfang.deadlines' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"xinfang.deadlines.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, the column path's included before their first use."""
    return sorted(__all__)
