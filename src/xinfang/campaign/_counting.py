"""The snapshot's counts per unit, column-wise: :class:`SnapshotCounts` and how it is counted.

The cases' columns are read once (:func:`snapshot_counts`), their clocks come
from the clock engine's column path, and every count per unit is a numpy sum
(:func:`count_columns`); the counts of disjoint cases add up.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np

from xinfang.calendar import china_mainland
from xinfang.campaign._follow_up import plan_counts
from xinfang.campaign._model import COUNTERS, Campaign, next_review
from xinfang.campaign._placement import (
    BY_ID,
    SNAPSHOT_COLUMNS,
    TERMINAL,
    ReferenceProblem,
    campaign_units,
    unplaced_cases,
)
from xinfang.campaign._reconciliation import Reconciliation, UnplacedGroup
from xinfang.deadlines import (
    CODES,
    IS_OPEN,
    PLAN_LIMIT,
    STATUSES,
    CaseColumns,
    ClockPart,
    ClockStatus,
    ColumnSource,
    as_of_day,
    clock_columns,
    clock_parts,
)
from xinfang.errors import XinfangError
from xinfang.rulebook import Limit, LimitKind, bundled_rulebook
from xinfang.vocabulary import Rating

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    import numpy.typing as npt

    from xinfang.calendar import WorkCalendar
    from xinfang.case import Case
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook

__all__ = [
    "EXTRAS",
    "SnapshotCounts",
    "count_columns",
    "snapshot_counts",
]


#: Counts a snapshot keeps per unit besides :data:`COUNTERS` (not rate inputs).
EXTRAS: Final = (
    "in_handling",
    "plans",
    "new",
    "bj",
    "skip",
    "overdue_cases",
    "cases",
    "plans_overdue",
    "steps_overdue",
    "plans_stalled",
    "deadline_moves",
    "cases_moved",
    "unfinished",
)
_AgendaRow = tuple[
    int, str, str, str, str, bool, str, int
]  # (due ordinal, unit, case, clock, status, provisional, owner: a plan clock's 包案领导,
#    its last progress report's ordinal, 0 for none)


@attrs.frozen(kw_only=True)
class SnapshotCounts:
    """A campaign snapshot before its rates and lists: counts per unit, additive.

    What :func:`snapshot` computes from the cases, before :func:`finish_snapshot`
    turns it into a :class:`Snapshot`. Counts over disjoint sets of cases
    add up (``a + b``): a sweep split over workers counts each part and sums
    them. ``counts`` maps each name of :data:`COUNTERS` and of the other
    per-unit counts (``in_handling``, ``plans``, ``new``, ``bj``, ``skip``,
    ``overdue_cases``) to one count per unit, in ``units`` order; ``agenda``
    holds the rows the agenda can take (the ``agenda_limit`` earliest due,
    as ``(due ordinal, unit, case id, clock key, status, provisional, owner, last
    report ordinal)``, the last two a plan clock's, ``""`` and 0 otherwise),
    ``agenda_total`` how many rows were due before the next review;
    ``reconciliation`` where each case of the input went (``cases`` counts
    the cases registered by the day, ``reconciliation.cases`` all of them).
    """

    campaign: str
    as_of: _dt.date
    units: tuple[str, ...]
    counts: tuple[tuple[str, tuple[int, ...]], ...]
    agenda: tuple[_AgendaRow, ...]
    agenda_total: int
    agenda_limit: int
    cases: int
    #: Where every case of the input went (additive; finished by :func:`finish_snapshot`).
    reconciliation: Reconciliation = attrs.field(factory=Reconciliation)
    #: The counts of the not placed cases, by name (empty when every case is placed).
    unplaced_counts: tuple[tuple[str, int], ...] = ()
    #: How many targets the campaign counted against had: a viewer's counts are made
    #: against the campaign as the viewer sees it (fewer targets, 信访工作条例 第三十条
    #: 第三款), and :func:`finish_snapshot` refuses to finish them with another one.
    targets: int | None = None

    def count(self, name: str) -> tuple[int, ...]:
        """One count per unit, by name."""
        for key, values in self.counts:
            if key == name:
                return values
        raise XinfangError(f"no snapshot count {name!r}", path="name")

    def __add__(self, other: SnapshotCounts) -> SnapshotCounts:
        if not isinstance(other, SnapshotCounts):
            return NotImplemented
        mine = (self.campaign, self.as_of, self.units, self.agenda_limit, self.targets)
        theirs = (other.campaign, other.as_of, other.units, other.agenda_limit, other.targets)
        if mine != theirs:
            raise XinfangError(
                f"snapshot counts of {theirs[:2]} cannot be added to those of {mine[:2]}",
                path="counts",
                rule="counts add up only for one campaign, day, scope and agenda limit",
            )
        other_counts = dict(other.counts)
        return attrs.evolve(
            self,
            counts=tuple(
                (name, tuple(a + b for a, b in zip(values, other_counts[name], strict=True)))
                for name, values in self.counts
            ),
            agenda=_first_rows((*self.agenda, *other.agenda), self.agenda_limit),
            agenda_total=self.agenda_total + other.agenda_total,
            cases=self.cases + other.cases,
            reconciliation=self.reconciliation + other.reconciliation,
            unplaced_counts=_add_counts(self.unplaced_counts, other.unplaced_counts),
        )

    def __radd__(self, other: object) -> SnapshotCounts:
        if other == 0:  # sum() starts from 0
            return self
        return NotImplemented


def _add_counts(
    a: tuple[tuple[str, int], ...], b: tuple[tuple[str, int], ...]
) -> tuple[tuple[str, int], ...]:
    if not (a and b):
        return a or b
    other = dict(b)
    return tuple((name, n + other[name]) for name, n in a)


def _first_rows(rows: Iterable[_AgendaRow], limit: int) -> tuple[_AgendaRow, ...]:
    return tuple(sorted(rows)[: max(limit, 0)])


def snapshot_counts(
    campaign: Campaign,
    cases: Sequence[Case],
    org: Organization,
    *,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
) -> SnapshotCounts:
    """The counts of :func:`snapshot` over ``cases`` (add those of other cases with ``+``).

    ``as_of``: a date, or an aware datetime (its day in the rulebook's zone,
    as :func:`~xinfang.clock_table` reads it).
    """
    rb = rulebook if rulebook is not None else bundled_rulebook()
    given = cases if isinstance(cases, Sequence) else list(cases)
    cols = CaseColumns(
        given,
        as_of_day(as_of, rb),
        drop_unregistered=True,
        read=(*clock_columns(rb), *SNAPSHOT_COLUMNS),
    )
    seen = cols.cases
    is_target = campaign.target_set.__contains__
    target = np.fromiter(map(is_target, map(BY_ID, seen)), bool, len(seen))
    given_targets = sum(map(is_target, map(BY_ID, given)))
    unit, suspects = campaign_units(seen, campaign.units, org)
    return count_columns(
        campaign,
        cols,
        unit=unit,
        target=target,
        case_id=lambda k: seen[k].id,
        rulebook=rb,
        calendar=calendar,
        unplaced=unplaced_cases(seen, org, campaign, rows=suspects),
        not_yet=(len(given) - len(seen), given_targets - int(target.sum())),
        targets_found=campaign.target_set.intersection(map(BY_ID, given)),
    )


def count_columns(
    campaign: Campaign,
    cols: ColumnSource,
    *,
    unit: npt.NDArray[np.int64],
    target: npt.NDArray[np.bool_],
    case_id: Callable[[int], str],
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    parts: Sequence[ClockPart] | None = None,
    unplaced: Mapping[int, ReferenceProblem] | None = None,
    not_yet: tuple[int, int] = (0, 0),
    targets_found: Iterable[str] = (),
    case_owner: Callable[[int], str] | None = None,
    unplaced_groups: Sequence[tuple[ReferenceProblem, npt.NDArray[np.intp]]] = (),
) -> SnapshotCounts:
    """The snapshot's counts from the clock engine's columns (the core of :func:`snapshot_counts`).

    ``cols`` are the cases as of the snapshot day (any
    :class:`~xinfang.deadlines.ColumnSource`: :class:`CaseColumns`, or the
    columnar engine's), with the columns :func:`~xinfang.deadlines.clock_columns`
    and :data:`SNAPSHOT_COLUMNS` name; ``unit`` is each case's campaign unit
    (an index into ``campaign.units``, -1 for none: :func:`campaign_unit_index`
    maps unit ids), ``target`` whether it is a target case, ``case_id(k)``
    its id (read only for the agenda's rows). ``parts``: the clocks of
    ``cols`` already computed by :func:`~xinfang.deadlines.clock_parts` under
    the same rulebook and calendar with ``due_soon=3`` (a sweep that also
    wants the clocks computes them once). The reconciliation: ``unplaced``
    maps the rows not placed to the problem that stopped each (no count
    places them anywhere, whatever ``unit`` says); ``not_yet`` is how many
    cases of the input (and targets among them) were left out of ``cols``
    as registered only after the day; ``targets_found`` the target ids the
    input has. ``unplaced_groups``: more rows not placed, by group: each
    ``(problem, rows)`` the problem that stops every one of ``rows`` (its
    ``case_id`` the group's smallest), for a caller that decided them
    column-wise (one value per group, not per row).
    """
    rb = rulebook if rulebook is not None else bundled_rulebook()
    cal = calendar if calendar is not None else china_mainland()
    as_of = cols.day
    if parts is None:
        parts = clock_parts(cols, rulebook=rb, calendar=cal, due_soon=3)
    unit_ix, is_target = unit, target
    stopped = np.zeros(len(unit_ix), bool)
    if unplaced:
        stopped[list(unplaced)] = True
    for _, rows in unplaced_groups:
        stopped[rows] = True
    if unplaced or unplaced_groups:
        unit_ix = np.where(stopped, -1, unit_ix)
    inside = unit_ix >= 0
    n_units = len(campaign.units)
    # The not placed cases are counted too, in a bin of their own after the units'
    # (shown as the bulletin's not-placed row, never added to a unit or the total).
    extra = bool(stopped.any())
    width = n_units + extra
    binned = np.where(stopped, n_units, unit_ix) if extra else unit_ix
    counted = binned >= 0

    def count_by_unit(mask: Any) -> Any:
        return np.bincount(binned[mask & counted], minlength=width)

    def sum_by_unit(values: Any) -> Any:
        """Per unit, the sum of ``values`` (one per case) over its cases."""
        return np.bincount(binned[counted], weights=values[counted], minlength=width).astype(
            np.int64
        )

    n = len(cols)
    settled = cols["is_settled"] == 1
    open_target = is_target & ~settled
    open_rows = np.flatnonzero(open_target)
    terminal = np.isin(cols["stage"][open_rows], [CODES[s] for s in TERMINAL])
    received = cols["received"]
    start_o, day_o = campaign.start.toordinal(), as_of.toordinal()
    new = (
        ~is_target & (received >= start_o) & (received <= day_o)
        if as_of >= campaign.start
        else np.zeros(n, bool)
    )
    new_rows = np.flatnonzero(new)
    grace_over = (as_of - campaign.start).days > campaign.plan_grace_days
    rating = cols["rating"]

    def rows_where(rows: Any, hits: Any) -> Any:
        mask = np.zeros(n, bool)
        mask[rows[hits]] = True
        return mask

    zero = np.zeros(width, dtype=np.int64)
    counts: dict[str, Any] = dict.fromkeys((*COUNTERS, *EXTRAS), zero)
    counts |= {
        "targets": count_by_unit(is_target),
        "settled": count_by_unit(is_target & settled),
        "open": count_by_unit(open_target),
        "replied": count_by_unit(
            (cols["opinion_issued"] > 0) | (cols["review_opinion_issued"] > 0)
        ),
        "rated": count_by_unit(rating != 0),
        "satisfied": count_by_unit(rating == CODES[Rating.SATISFIED]),
        "basically_satisfied": count_by_unit(rating == CODES[Rating.BASICALLY_SATISFIED]),
        "dissatisfied": count_by_unit(rating == CODES[Rating.DISSATISFIED]),
    }
    # Columns only some cases need are read from those cases only.
    bj, skip = cols.at(new_rows, "beijing_visit", "skip_level")
    counts |= {
        "in_handling": count_by_unit(rows_where(open_rows, ~terminal)),
        "plans": count_by_unit(rows_where(open_rows, cols.at(open_rows, "plan")[0] != 2))
        if grace_over
        else zero,
        "new": count_by_unit(new),
        "bj": count_by_unit(rows_where(new_rows, bj == 1)),
        "skip": count_by_unit(rows_where(new_rows, skip == 1)),
        "cases": count_by_unit(np.ones(n, bool)),
        # 未完成攻坚任务: on and after the end, every open target is an unfinished task.
        "unfinished": count_by_unit(open_target) if as_of >= campaign.end else zero,
    }
    counts |= plan_counts(
        campaign,
        cols,
        count_by_unit=count_by_unit,
        sum_by_unit=sum_by_unit,
        as_of=as_of,
        rulebook=rulebook,
        calendar=calendar,
    )
    outside = ~inside & ~stopped
    reconciliation = Reconciliation(
        cases=n + not_yet[0],
        placed=int(inside.sum()),
        placed_targets=int((inside & is_target).sum()),
        placed_new=int((inside & new).sum()),
        not_yet_registered=not_yet[0],
        not_yet_registered_targets=not_yet[1],
        unit_not_covered=int(outside.sum()),
        unit_not_covered_targets=int((outside & is_target).sum()),
        unplaced=[
            *_unplaced_groups(unplaced or {}, is_target),
            *(_group(p, rows, is_target, p.case_id) for p, rows in unplaced_groups),
        ],
        targets_found=frozenset(targets_found),
    )
    agenda, agenda_total = _clock_counts(
        parts,
        case_id=case_id,
        # The plan's owner of an agenda row: given (a milestones companion keeps it), or read.
        case_owner=case_owner if case_owner is not None else lambda k: _owner(cols.case(k)),
        case_report=lambda k: int(cols.at(np.array([k]), "progress_reported")[0][0]),
        case_unit=binned,
        scope=campaign.units,
        counts=counts,
        agenda_until=next_review(campaign, as_of),
        agenda_limit=campaign.agenda_limit,
        width=width,
    )
    names = (*COUNTERS, *EXTRAS)
    table = {name: np.asarray(counts[name]).tolist() for name in names}
    return SnapshotCounts(
        campaign=campaign.id,
        as_of=as_of,
        units=campaign.units,
        counts=tuple((name, tuple(table[name][:n_units])) for name in names),
        unplaced_counts=tuple((name, table[name][n_units]) for name in names) if extra else (),
        agenda=agenda,
        agenda_total=agenda_total,
        agenda_limit=campaign.agenda_limit,
        cases=n,
        reconciliation=reconciliation,
        targets=len(campaign.targets),
    )


def _unplaced_groups(
    unplaced: Mapping[int, ReferenceProblem], is_target: npt.NDArray[np.bool_]
) -> list[UnplacedGroup]:
    """The not placed rows as :class:`UnplacedGroup`, those of one id already merged.

    What one group per row merged by :class:`Reconciliation` gives (the
    counts and targets summed, the smallest case id first, the first row's
    nearest id), with one value per id rather than per case.
    """
    found: dict[tuple[str, str, str, str], tuple[ReferenceProblem, list[int], list[str]]] = {}
    for k, p in unplaced.items():
        key = (p.code, p.field, p.unknown, p.nearest or "")
        seen = found.get(key)
        if seen is None:
            found[key] = (p, [k], [p.case_id])
        else:
            seen[1].append(k)
            seen[2].append(p.case_id)
    return [_group(p, rows, is_target, min(ids)) for p, rows, ids in found.values()]


def _group(
    p: ReferenceProblem,
    rows: Sequence[int] | npt.NDArray[np.intp],
    is_target: npt.NDArray[np.bool_],
    first_case: str,
) -> UnplacedGroup:
    """The not placed ``rows`` that share problem ``p``, as one group."""
    return UnplacedGroup(
        code=p.code,
        field=p.field,
        unknown=p.unknown,
        nearest=p.nearest,
        cases=len(rows),
        targets=int(is_target[rows].sum()),
        first_case=first_case,
    )


def _kind(limit: Limit) -> str | None:
    """Which rate counters a limit feeds, read off the limit itself (not its key).

    A body's duty from acceptance to the handling opinion is a handling
    limit (按期办结); one from receipt that acceptance meets is a routing or
    acceptance limit (及时受理). Hosts' own rulebooks work without renaming.
    """
    if limit.kind is not LimitKind.DUTY or limit.obligor != "body":
        return None
    if limit.starts == "accepted" and "opinion_issued" in limit.ends:
        return "handling"
    if limit.starts == "received" and "accepted" in limit.ends:
        return "routing"
    return None


def _clock_counts(
    parts: Sequence[ClockPart],
    *,
    case_id: Callable[[int], str],
    case_unit: Any,
    scope: Sequence[str],
    case_owner: Callable[[int], str] = lambda k: "",
    case_report: Callable[[int], int] = lambda k: 0,
    counts: dict[str, Any],
    agenda_until: _dt.date | None,
    agenda_limit: int,
    width: int | None = None,
) -> tuple[tuple[_AgendaRow, ...], int]:
    """Aggregate the clocks per unit, one limit's part at a time; the agenda's candidate rows.

    ``case_unit`` indexes ``scope``, or a bin past it (``width`` bins in all:
    the not placed cases), whose clocks are counted but never on the agenda.
    A plan clock's row names its owner (``case_owner``) and its last progress
    report (``case_report``: an ordinal, 0 for none).
    """
    bins = len(scope) if width is None else width
    code = {s: i for i, s in enumerate(STATUSES)}
    urgent_codes = [code[ClockStatus.OVERDUE], code[ClockStatus.DUE_SOON]]
    until = agenda_until.toordinal() if agenda_until is not None else None
    late = np.zeros(len(case_unit), dtype=bool)
    picked: list[tuple[Any, ...]] = []  # (due, case, limit index, status) of agenda candidates
    limits = {part.position: part.limit for part in parts}
    for part in parts:
        limit = part.limit
        rows, status = part.case, part.status
        row_unit = case_unit[rows]
        inside = row_unit >= 0
        listed = inside & (row_unit < len(scope))
        kind = _kind(limit)
        if kind is not None:
            for st, suffix in (
                (ClockStatus.MET, "met"),
                (ClockStatus.MISSED, "missed"),
                (ClockStatus.OVERDUE, "overdue"),
            ):
                hits = np.bincount(row_unit[inside & (status == code[st])], minlength=bins)
                counts[f"{kind}_{suffix}"] = counts[f"{kind}_{suffix}"] + hits
        if limit.kind is LimitKind.PLAN:  # a campaign clock, never a statutory breach
            hits = np.bincount(
                row_unit[inside & (status == code[ClockStatus.OVERDUE])], minlength=bins
            )
            name = "plans_overdue" if limit.key == PLAN_LIMIT.key else "steps_overdue"
            counts[name] = counts[name] + hits
        else:
            late[rows[inside & (status == code[ClockStatus.OVERDUE])]] = True
        if limit.obligor == "body" or limit.kind is LimitKind.PLAN:
            due = part.due
            if limit.kind is LimitKind.PLAN:  # a plan is on the agenda once overdue
                sel = np.flatnonzero(listed & (status == code[ClockStatus.OVERDUE]))
            elif until is not None:
                sel = np.flatnonzero(listed & IS_OPEN[status] & (due <= until))
            else:  # after the last review: what is overdue or due soon now
                sel = np.flatnonzero(listed & np.isin(status, urgent_codes))
            picked.append(
                (
                    due[sel],
                    rows[sel],
                    np.full(len(sel), part.position),
                    status[sel],
                    part.provisional[sel].astype(np.int64),
                )
            )
    counts["overdue_cases"] = np.bincount(case_unit[late & (case_unit >= 0)], minlength=bins)
    dues, cases, steps, statuses, provisional = (
        (np.concatenate([p[i] for p in picked]) for i in range(5))
        if picked
        else (np.zeros(0, dtype=np.int64),) * 5
    )
    total = len(dues)
    if total > agenda_limit > 0:
        # Only rows due no later than the agenda_limit-th earliest can make the cut
        # (ties included), so the exact order below runs on few rows.
        cutoff = np.partition(dues, agenda_limit - 1)[agenda_limit - 1]
        near = dues <= cutoff
        dues, cases, steps, statuses, provisional = (
            dues[near],
            cases[near],
            steps[near],
            statuses[near],
            provisional[near],
        )
    found = (
        (
            due,
            scope[case_unit[k]],
            case_id(k),
            limits[step].key,
            STATUSES[st].value,
            bool(prov),
            case_owner(k) if limits[step].kind is LimitKind.PLAN else "",
            case_report(k) if limits[step].kind is LimitKind.PLAN else 0,
        )
        for due, k, step, st, prov in zip(
            dues.tolist(),
            cases.tolist(),
            steps.tolist(),
            statuses.tolist(),
            provisional.tolist(),
            strict=True,
        )
    )
    return _first_rows(found, agenda_limit), total


def _owner(case: Case) -> str:
    """The owner (包案领导) of the case's settlement plan ("" without one)."""
    return case.plan.owner if case.plan is not None else ""
