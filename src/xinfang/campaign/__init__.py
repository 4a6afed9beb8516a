"""The campaign (信访事项专项攻坚行动): targets, progress snapshots, commend and admonish lists.

A :class:`Campaign` is data (TOML): the units in scope, the backlog cases it
must settle, the intake baseline, the review schedule, and its scoring,
listing and rate rules. :func:`snapshot` turns the cases into a
:class:`Snapshot` as of a date: per unit and overall counts and rates, the
commend (表扬) and admonish (约谈) lists with their reasons, the next review
(调度) and its agenda. :func:`trend` gives the burndown over review dates.

Pure: no I/O but the explicit loader, no clock; the same inputs always give
the same snapshot. Clocks come from the clock engine's column path
(:func:`~xinfang.deadlines.clock_parts` over :class:`~xinfang.deadlines.CaseColumns`),
the same engine as :func:`~xinfang.clock_table`.

The package, one job a module: :mod:`._model` (the campaign and its TOML
rules), :mod:`._snapshot` (the snapshot's values), :mod:`._placement` (each
case's campaign unit, and the ids that name nothing), :mod:`._reconciliation`
(where every case went), :mod:`._counting` (the counts per unit, column-wise),
:mod:`._follow_up` (the plans' follow-up figures), :mod:`._lists` (progress,
rates, commend and admonish), :mod:`._trend` (the burndown).
"""

from __future__ import annotations

from xinfang.campaign._counting import SnapshotCounts, count_columns, snapshot_counts
from xinfang.campaign._follow_up import stalled
from xinfang.campaign._follow_up import stalled_since as stalled_since
from xinfang.campaign._lists import finish_snapshot, snapshot
from xinfang.campaign._model import COUNTERS, Campaign, in_view, load_campaign
from xinfang.campaign._model import DEFAULT_RATES as DEFAULT_RATES
from xinfang.campaign._placement import (
    OUTSIDE_REASONS,
    PROBLEM_CODES,
    SNAPSHOT_COLUMNS,
    ReferenceProblem,
    campaign_unit_index,
    check_references,
    require_references,
    unknown_unit_problems,
    unplaced_cases,
)
from xinfang.campaign._reconciliation import Reconciliation, UnplacedGroup
from xinfang.campaign._snapshot import AgendaItem, Listing, ListingReason, Progress, Snapshot
from xinfang.campaign._trend import trend

# DEFAULT_RATES and stalled_since (imported "as" themselves above): public names
# of the module before it was a package, importable from it as before, and as before not in
# ``__all__``.
__all__ = [
    "COUNTERS",
    "OUTSIDE_REASONS",
    "PROBLEM_CODES",
    "SNAPSHOT_COLUMNS",
    "AgendaItem",
    "Campaign",
    "Listing",
    "ListingReason",
    "Progress",
    "Reconciliation",
    "ReferenceProblem",
    "Snapshot",
    "SnapshotCounts",
    "UnplacedGroup",
    "campaign_unit_index",
    "check_references",
    "count_columns",
    "finish_snapshot",
    "in_view",
    "load_campaign",
    "require_references",
    "snapshot",
    "snapshot_counts",
    "stalled",
    "trend",
    "unknown_unit_problems",
    "unplaced_cases",
]
