"""A snapshot's values: per-unit progress, the commend and admonish lists, the agenda."""

from __future__ import annotations

import datetime as _dt

import attrs

from xinfang.campaign._reconciliation import Reconciliation
from xinfang.errors import XinfangError, quoted

__all__ = [
    "AgendaItem",
    "Listing",
    "ListingReason",
    "Progress",
    "Snapshot",
]


@attrs.frozen(kw_only=True)
class Progress:
    """One unit's (or the whole campaign's) progress as of the snapshot date."""

    unit: str
    name: str
    targets: int
    settled: int
    open: int
    in_handling: int
    overdue: int
    plans_incomplete: int
    new_intake: int
    intake_expected: float
    beijing_visits: int
    skip_level_visits: int
    deductions: float
    rates: tuple[tuple[str, float | None], ...]
    counters: tuple[tuple[str, int], ...]
    #: The cases placed under the unit (every case it counts: targets, new intake and earlier).
    cases: int = 0
    #: 紧盯落实: settlement plans past their deadline, plan steps past their date, plans
    #: with no progress report for ``stalled_after_days``, how many times plan deadlines
    #: were moved later and on how many cases.
    plans_overdue: int = 0
    steps_overdue: int = 0
    plans_stalled: int = 0
    deadline_moves: int = 0
    cases_moved: int = 0
    #: 未完成攻坚任务: open targets on and after the campaign's end (0 before it).
    unfinished: int = 0

    @property
    def progress(self) -> float:
        """Share of the target cases settled (1.0 with no targets)."""
        return self.settled / self.targets if self.targets else 1.0

    def rate(self, name: str) -> float | None:
        """A rate by name (``None`` when its denominator is zero)."""
        return dict(self.rates).get(name)


@attrs.frozen(kw_only=True)
class ListingReason:
    """Why a unit is listed, as a stable code and its numbers (for any language).

    Codes: ``slow_progress`` (settled, targets, progress, threshold),
    ``overdue`` (overdue, threshold), ``plans_incomplete`` (plans_incomplete,
    grace_days), ``fast_progress`` (settled, targets, progress, threshold,
    overdue).
    """

    code: str
    values: tuple[tuple[str, float], ...]


@attrs.frozen(kw_only=True)
class Listing:
    """A unit on the commend or admonish list, with the reasons.

    ``reasons`` are Chinese sentences (as a bulletin of the leading group
    words them); ``details`` the same reasons as codes and numbers.
    """

    unit: str
    reasons: tuple[str, ...]
    details: tuple[ListingReason, ...] = ()


@attrs.frozen(kw_only=True)
class AgendaItem:
    """A case the next review must look at: a body's clock due or overdue before it."""

    case_id: str
    unit: str
    clock: str
    due: _dt.date
    status: str
    #: The due date was decided by provisional calendar data.
    provisional: bool = False
    #: A plan clock's owner (包案领导): the official's id and name ("" for a statutory clock).
    owner: str = ""
    owner_name: str = ""
    #: A plan clock's last progress report (进展情况) on or before the snapshot date
    #: (``None``: none yet, or a statutory clock).
    last_report: _dt.date | None = None


@attrs.frozen(kw_only=True)
class Snapshot:
    """The campaign as of a date: overall and per-unit progress, lists, the next review."""

    campaign: str
    as_of: _dt.date
    overall: Progress
    units: tuple[Progress, ...]
    commend: tuple[Listing, ...]
    admonish: tuple[Listing, ...]
    next_review: _dt.date | None
    agenda: tuple[AgendaItem, ...]
    agenda_total: int
    follow_up: tuple[str, ...]
    #: Where every case of the input went (cases in = placed + outside + not placed).
    reconciliation: Reconciliation = attrs.field(factory=Reconciliation)
    #: The not placed (未归属) cases' own progress, outside every unit and ``overall``
    #: (``None`` when every case is placed).
    unplaced: Progress | None = None
    #: On and after the campaign's end: the bulletin is the closing tally (总结通报), its
    #: lists the final commend and admonish lists, open targets unfinished tasks.
    closing: bool = False

    def unit(self, unit_id: str) -> Progress:
        """One unit's progress."""
        for p in self.units:
            if p.unit == unit_id:
                return p
        if unit_id in self.reconciliation.missing_units:
            raise XinfangError(
                f"campaign unit {quoted(unit_id)} is not in the organisation", path="unit"
            )
        raise XinfangError(f"unit {quoted(unit_id)} is not in the campaign", path="unit")
