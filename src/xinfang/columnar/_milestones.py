"""The milestones table: its schema, its numpy columns, and the reference from ``Case`` values.

:data:`MILESTONES_SCHEMA` is one row per case (what ``replay`` leaves in
``case.on`` and the case attributes the clock engine reads);
:class:`MilestoneArrays` holds its columns as numpy while the fold fills
them, :func:`milestones_table` makes the table, and
:func:`milestones_from_cases` builds it from ``Case`` values (the value
path's fold: the reference the column fold is tested against).
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from xinfang.case import MILESTONE_NAMES
from xinfang.columnar._column_arrays import I64, fixed_array
from xinfang.vocabulary import (
    Category,
    Channel,
    Outcome,
    Procedure,
    Rating,
    Route,
    Stage,
    UnitKind,
)

if TYPE_CHECKING:  # pragma: no cover
    import enum
    from collections.abc import Iterable

    from xinfang.case import Case

__all__ = [
    "ENUM_COLUMNS",
    "MILESTONES_SCHEMA",
    "NO_DAY",
    "Folded",
    "MilestoneArrays",
    "enum_code",
    "fixed_days",
    "milestones_from_cases",
    "milestones_table",
]

#: A missing day in the int32 day columns (days since 1970-01-01), before they become date32.
NO_DAY: Final = np.int32(np.iinfo(np.int32).min)

#: Enum attributes of the milestones table, each with its enum (code = position + 1, 0 None).
ENUM_COLUMNS: Final[tuple[tuple[str, type[enum.Enum]], ...]] = (
    ("stage", Stage),
    ("route", Route),
    ("category", Category),
    ("procedure", Procedure),
    ("channel", Channel),
    ("rating", Rating),
    ("receiving_unit_kind", UnitKind),
    ("forwarded_unit_kind", UnitKind),
    ("handling_unit_kind", UnitKind),
    ("outcome", Outcome),
)
#: ``is_settled`` is ``Case.settled`` (the flag); ``settled`` is the milestone's date column.
_FLAG_COLUMNS: Final = ("is_settled", "beijing_visit", "skip_level", "identity_unclear")
_FLAG_ATTRIBUTES: Final = {"is_settled": "settled"}
#: ``deadline_moves``: revisions that moved the plan's deadline later (Case.deadline_moves);
#: ``plan_steps``: the current plan's number of steps (its milestones).
_COUNT_COLUMNS: Final = ("extension_days", "extensions", "hearings", "deadline_moves", "plan_steps")
_STRING_COLUMNS: Final = ("receiving_unit", "handling_unit", "responsible_unit")
#: The current plan's steps: each one's date, and the day a report marked it done (null: not).
_LIST_COLUMNS: Final = ("step_due", "step_done")
_DAYS_LIST: Final = pa.list_(pa.date32())
_DICT: Final = pa.dictionary(pa.int8(), pa.string())

#: One row per case (see the session spec): milestones as date32, enums as dictionaries.
MILESTONES_SCHEMA: Final = pa.schema(
    [
        pa.field("case_id", pa.string()),
        pa.field("events", pa.int32()),
        *(pa.field(name, pa.date32()) for name in MILESTONE_NAMES),
        *(pa.field(name, _DICT) for name, _ in ENUM_COLUMNS),
        *(pa.field(name, pa.bool_()) for name in _FLAG_COLUMNS),
        *(pa.field(name, pa.int32()) for name in _COUNT_COLUMNS),
        pa.field("plan", pa.int8()),
        *(pa.field(name, pa.string()) for name in _STRING_COLUMNS),
        *(pa.field(name, _DAYS_LIST) for name in _LIST_COLUMNS),
    ]
)
_DICTIONARIES: Final = {
    name: pa.array([m.value for m in cls], pa.string()) for name, cls in ENUM_COLUMNS
}


@attrs.frozen
class Folded:
    """The fold's result: the milestones table and the per-case suspicious flags."""

    #: ``MILESTONES_SCHEMA``, one row per case (a suspicious case's row may be anything).
    milestones: Any
    #: Per case: the input flags OR what the column checks could not certify.
    suspicious: npt.NDArray[np.bool_]


def enum_code(cls: type[enum.Enum], member: enum.Enum | None) -> int:
    return 0 if member is None else list(cls).index(member) + 1


class MilestoneArrays:
    """The milestones table's columns as numpy, filled by the fold."""

    def __init__(self, m: int) -> None:
        self.days = {name: np.full(m, NO_DAY, np.int32) for name in MILESTONE_NAMES}
        self.codes = {name: np.zeros(m, np.int16) for name, _ in ENUM_COLUMNS}
        self.counts = {name: np.zeros(m, np.int32) for name in ("deadline_moves", "plan_steps")}
        self.lists: dict[str, Any] = {}


def fixed_days(days: Any) -> npt.NDArray[np.int32]:
    """A date32 array's days since the epoch, :data:`NO_DAY` where null."""
    values = days.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int32)
    return np.where(days.is_null().to_numpy(zero_copy_only=False), NO_DAY, values)


def milestones_table(
    case_id: Any,
    events: npt.NDArray[np.int64],
    out: MilestoneArrays,
    *,
    flags: dict[str, npt.NDArray[np.bool_]],
    counts: dict[str, npt.NDArray[np.int32]],
    plan: npt.NDArray[np.int8],
    strings: dict[str, Any],
) -> Any:
    columns: list[Any] = [case_id, pa.array(events.astype(np.int32), pa.int32())]
    m = len(events)
    for name in MILESTONE_NAMES:
        d = out.days[name]
        columns.append(fixed_array(pa.date32(), d, d != NO_DAY))
    for name, _ in ENUM_COLUMNS:
        codes = out.codes[name]
        idx = fixed_array(pa.int8(), (codes - 1).astype(np.int8), codes > 0)
        columns.append(pa.DictionaryArray.from_arrays(idx, _DICTIONARIES[name]))
    columns.extend(pa.array(flags[name], pa.bool_()) for name in _FLAG_COLUMNS)
    columns.extend(pa.array(counts[name], pa.int32()) for name in _COUNT_COLUMNS)
    columns.append(pa.array(plan, pa.int8()))
    columns.extend(strings[name] for name in _STRING_COLUMNS)
    for name in _LIST_COLUMNS:
        found = out.lists.get(name)
        columns.append(pa.array([[]] * m, _DAYS_LIST) if found is None else found)
    assert all(len(c) == m for c in columns)  # noqa: S101 - a table of one length
    return pa.Table.from_arrays(columns, schema=MILESTONES_SCHEMA)


def milestones_from_cases(cases: Iterable[Case]) -> Any:
    """The milestones table from ``Case`` values (the value path's fold: the reference)."""
    cases = list(cases)
    m = len(cases)
    out = MilestoneArrays(m)
    epoch = _dt.date(1970, 1, 1).toordinal()
    for k, case in enumerate(cases):
        for name in MILESTONE_NAMES:
            d = getattr(case.on, name)
            if d is not None:
                out.days[name][k] = d.toordinal() - epoch
        for name, cls in ENUM_COLUMNS:
            out.codes[name][k] = enum_code(cls, getattr(case, name))
    flags = {
        name: np.array(
            [bool(getattr(c, _FLAG_ATTRIBUTES.get(name, name))) for c in cases], np.bool_
        )
        for name in _FLAG_COLUMNS
    }
    counts = {
        "extension_days": np.array([c.extension_days for c in cases], np.int32),
        "extensions": np.array([c.extensions for c in cases], np.int32),
        "hearings": np.array([len(c.hearings) for c in cases], np.int32),
        "deadline_moves": np.array([c.deadline_moves for c in cases], np.int32),
        "plan_steps": np.array(
            [len(c.plan.milestones) if c.plan is not None else 0 for c in cases], np.int32
        ),
    }
    plan = np.array(
        [0 if c.plan is None else 2 if c.plan.is_complete else 1 for c in cases], np.int8
    )
    strings = {
        "receiving_unit": pa.array([c.receiving_unit for c in cases], pa.string()),
        "handling_unit": pa.array([c.handling_unit for c in cases], pa.string()),
        "responsible_unit": pa.array([c.responsible_unit for c in cases], pa.string()),
    }
    events = np.array([len(c.events) for c in cases], I64)
    case_id = pa.array([c.id for c in cases], pa.string())
    out.lists = {
        "step_due": pa.array(
            [[m.due for m in c.plan.milestones] if c.plan is not None else [] for c in cases],
            _DAYS_LIST,
        ),
        "step_done": pa.array([list(c.steps_done) for c in cases], _DAYS_LIST),
    }
    return milestones_table(
        case_id, events, out, flags=flags, counts=counts, plan=plan, strings=strings
    )
