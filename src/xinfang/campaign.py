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
"""

from __future__ import annotations

import datetime as _dt
import difflib
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np

from xinfang._toml import read_toml
from xinfang.calendar import china_mainland
from xinfang.convert import structure
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
from xinfang.errors import InvalidDataError, PolicyError, XinfangError, quoted
from xinfang.rulebook import Limit, LimitKind, bundled_rulebook
from xinfang.vocabulary import Rating, Role, Stage

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Collection
    from pathlib import Path

    import numpy.typing as npt

    from xinfang.calendar import WorkCalendar
    from xinfang.case import Case
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook

__all__ = [
    "COUNTERS",
    "OUTSIDE_REASONS",
    "PROBLEM_CODES",
    "SNAPSHOT_COLUMNS",
    "AgendaItem",
    "Campaign",
    "Listing",
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
    "load_campaign",
    "require_references",
    "snapshot",
    "snapshot_counts",
    "stalled",
    "trend",
    "unplaced_cases",
]

#: What a rate formula may add up (per unit, as of the snapshot date).
COUNTERS: Final = (
    "targets",
    "settled",
    "open",
    "handling_met",
    "handling_missed",
    "handling_overdue",
    "routing_met",
    "routing_missed",
    "routing_overdue",
    "replied",
    "rated",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
)

#: Default rate formulas (REFERENCE §7; no official formulas were found, so they are data).
DEFAULT_RATES: Final = {
    "on_time_completion": (
        ("handling_met",),
        ("handling_met", "handling_missed", "handling_overdue"),
    ),
    "timely_acceptance": (("routing_met",), ("routing_met", "routing_missed", "routing_overdue")),
    "participation": (("rated",), ("replied",)),
    "satisfaction": (("satisfied", "basically_satisfied"), ("rated",)),
    "settlement": (("settled",), ("targets",)),
}


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _dates(value: Iterable[_dt.date]) -> tuple[_dt.date, ...]:
    return tuple(sorted(value))


def _rates(value: Any) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    if isinstance(value, Mapping):
        items = list(value.items())
    else:
        try:
            items = [(n, (a, b)) for n, a, b in value]
        except (TypeError, ValueError):
            raise PolicyError(
                "rates are a table of name = {numerator = [...], denominator = [...]}",
                path="rates",
            ) from None
    out = []
    for name, spec in items:
        shape = PolicyError(
            f"rate {name!r}: a table with numerator and denominator, each a counter name or "
            f"a list of them (from {list(COUNTERS)})",
            path=f"rates.{name}",
        )
        if isinstance(spec, Mapping):
            num, den = spec.get("numerator"), spec.get("denominator")
        elif isinstance(spec, list | tuple) and len(spec) == 2:
            num, den = spec
        else:
            raise shape
        if not isinstance(num, str | list | tuple) or not isinstance(den, str | list | tuple):
            raise shape
        num = (num,) if isinstance(num, str) else tuple(num)
        den = (den,) if isinstance(den, str) else tuple(den)
        if not all(isinstance(c, str) for c in num + den):
            raise shape
        bad = sorted(set(num + den) - set(COUNTERS))
        if bad or not num or not den:
            raise PolicyError(
                f"rate {name!r}: numerator and denominator are non-empty lists of counters "
                f"from {list(COUNTERS)}; got {bad or 'an empty side'}",
                path=f"rates.{name}",
            )
        out.append((name, num, den))
    return tuple(sorted(out))


@attrs.frozen(kw_only=True)
class Campaign:
    """A campaign's scope, schedule and rules (all data; see ``docs/campaign.md``).

    Attributes:
        units: the units in scope (each with the units under it).
        targets: ids of the backlog cases at launch (the cases to settle).
        intake_baseline: new intake expected over the whole campaign.
        review_every_days / review_dates: the progress reviews (调度).
        points_*: assessment deductions (扣分) per Beijing visit, per
            skip-level visit, per overdue case.
        commend_min_progress / commend_max_overdue: what earns commendation.
        admonish_below_progress / admonish_min_overdue / plan_grace_days:
            what earns an admonition talk (约谈).
        stalled_after_days: a settlement plan with no progress report
            (进展情况) for more days than this counts as stalled (:func:`stalled`).
        admonish_min_overdue_plans / admonish_min_stalled_plans: admonished
            (约谈) at so many plans past their deadline, or stalled plans; 0
            turns a rule off.
        admonish_min_unfinished: admonished on and after ``end`` at so many
            unfinished tasks (未完成攻坚任务); 0 turns the rule off.
        commend_max_overdue_plans: commended only with at most so many
            overdue plans (紧盯落实).
        agenda_limit: how many of the most urgent clocks the review's agenda
            lists (``Snapshot.agenda_total`` counts them all).
        rates: rate name → (numerator counters, denominator counters).
    """

    id: str
    name: str
    units: tuple[str, ...] = attrs.field(converter=_strs)
    start: _dt.date
    end: _dt.date
    targets: tuple[str, ...] = attrs.field(converter=_strs)
    intake_baseline: int = 0
    leading_group: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    review_every_days: int = 30
    review_dates: tuple[_dt.date, ...] = attrs.field(default=(), converter=_dates)
    points_beijing_visit: float = 2.0
    points_skip_level: float = 1.0
    points_overdue_case: float = 0.5
    commend_min_progress: float = 0.5
    commend_max_overdue: int = 0
    admonish_below_progress: float = 0.2
    admonish_min_overdue: int = 3
    plan_grace_days: int = 30
    stalled_after_days: int = 30
    admonish_min_overdue_plans: int = 2
    admonish_min_stalled_plans: int = 3
    admonish_min_unfinished: int = 1
    commend_max_overdue_plans: int = 0
    agenda_limit: int = 200
    rates: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = attrs.field(
        factory=lambda: _rates(DEFAULT_RATES), converter=_rates
    )
    #: Derived: ``targets`` as a set, built once (snapshots look up every case).
    target_set: frozenset[str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "target_set", frozenset(self.targets))
        if self.end < self.start:
            raise PolicyError("the campaign ends before it starts", path="end")
        if not self.units:
            raise PolicyError("a campaign has at least one unit in scope", path="units")
        if self.agenda_limit < 0:
            raise PolicyError("agenda_limit must not be negative", path="agenda_limit")
        if self.review_every_days < 1 and not self.review_dates:
            raise PolicyError("review_every_days must be positive", path="review_every_days")

    def reviews(self) -> tuple[_dt.date, ...]:
        """Every review date: the explicit ones, else every N days from the start."""
        if self.review_dates:
            return self.review_dates
        out = []
        day = self.start + _dt.timedelta(days=self.review_every_days)
        while day <= self.end:
            out.append(day)
            day += _dt.timedelta(days=self.review_every_days)
        return tuple(out)


def stalled(case: Case, as_of: _dt.date, days: int) -> bool:
    """Whether ``case``'s settlement plan is stalled as of ``as_of`` (紧盯落实).

    Stalled: the case has a plan, is neither settled nor closed, and its last
    progress report (进展情况; none yet: the first plan's day) is more than
    ``days`` days before ``as_of`` (the campaign's ``stalled_after_days``).
    """
    on = case.on
    last = on.progress_reported or on.plan_set
    if case.plan is None or last is None or case.settled or case.is_terminal:
        return False
    return bool(stalled_since(last.toordinal(), as_of.toordinal(), days))


def stalled_since(last: Any, day: Any, days: Any) -> Any:
    """The stalled rule's one form: more than ``days`` days from ``last`` (ordinals) to ``day``.

    Scalars or numpy arrays (the snapshot counts columns with it).
    """
    return (day - last) > days


def load_campaign(source: str | Path | Mapping[str, Any]) -> Campaign:
    """A campaign from a TOML file or a mapping (errors name the file and key)."""
    if isinstance(source, Mapping):
        data, origin = dict(source), ""
    else:
        data, origin = read_toml(source, PolicyError, "campaign"), str(source)
    try:
        if isinstance(data.get("rates"), Mapping):
            merged = {**DEFAULT_RATES, **data["rates"]}
            data["rates"] = [[name, *_rates({name: spec})[0][1:]] for name, spec in merged.items()]
        return structure(data, Campaign, source=origin)
    except InvalidDataError as exc:
        problems = "; ".join(f"{p}: {m}" for p, m in exc.problems)
        raise PolicyError(problems, path=origin or None, rule="campaign format") from None
    except XinfangError as exc:
        where = f"{origin}: {exc.path}" if origin and exc.path else (origin or exc.path)
        raise PolicyError(exc.message, path=where, rule="campaign format") from None


# ------------------------------------------------------------ reconciliation
#: Why a case of the input is outside the campaign, by the campaign's own rules:
#: registered only after the snapshot date, or no unit of it is (under) a campaign unit.
OUTSIDE_REASONS: Final = ("not_yet_registered", "unit_not_covered")
#: What :func:`check_references` finds: an id a case names that the organisation does
#: not know (a unit, an official), a target with no case, a campaign unit not in the
#: organisation.
PROBLEM_CODES: Final = (
    "unknown_unit",
    "unknown_official",
    "unknown_target",
    "campaign_unit_not_in_organization",
)
_WHAT: Final = {
    "unknown_unit": "unknown unit id",
    "unknown_official": "unknown official id",
    "unknown_target": "target with no case of this id",
    "campaign_unit_not_in_organization": "campaign unit not in the organisation",
}
#: How alike a known id must be to be offered as the nearest (difflib's ratio).
_CLOSE: Final = 0.6
#: Above this many candidates, the nearest id is looked for among the neighbours in sort order.
_NEAR_ALL: Final = 2000
_NEAR_SPAN: Final = 64


@attrs.frozen(kw_only=True)
class ReferenceProblem:
    """An id that names nothing: in a case, or in the campaign.

    Attributes:
        code: one of :data:`PROBLEM_CODES`.
        index: the case's position in the input (0-based; ``None`` for a
            problem of the campaign itself). A ledger's line is the host's
            to map (the command prints it).
        case_id: the case (``""`` for a problem of the campaign).
        field: the field path: ``handling_unit``, ``receiving_unit``,
            ``roles[0].holder``; ``targets[3]`` or ``units[1]`` of the campaign.
        unknown: the id as written.
        nearest: the nearest known id when one is close (a unit or official
            whose *name* is the text written gives its id), else ``None``.
        source: where a ledger line writes the id (``$.events[1].change.to_unit``;
            ``""`` for the campaign's problems).
        unplaced: whether it leaves its case not placed (未归属): the
            campaign's rule reaches the unknown unit before any unit places
            the case, or an official of the case's chain is unknown. An
            unknown id the rule never reaches (a receiving unit, when the
            handling unit places the case) is reported but places nothing.
    """

    code: str
    index: int | None
    case_id: str
    field: str
    unknown: str
    nearest: str | None = None
    source: str = ""
    unplaced: bool = False

    @property
    def path(self) -> str:
        """Where: ``case <id>: <field>``, or the campaign's ``<field>``."""
        return f"case {self.case_id}: {self.field}" if self.case_id else self.field

    @property
    def message(self) -> str:
        """What, in one line: the unknown id (a bounded prefix) and the nearest known one."""
        near = f" (nearest known: {self.nearest})" if self.nearest else ""
        at = f", written at {self.source}" if self.source else ""
        return f"{_WHAT[self.code]} {quoted(self.unknown)}{near}{at}"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@attrs.frozen(kw_only=True)
class UnplacedGroup:
    """Cases not placed (未归属) for one unknown id in one field: how many, which first."""

    code: str
    field: str
    unknown: str
    nearest: str | None
    cases: int
    targets: int
    first_case: str


def _groups(rows: Iterable[UnplacedGroup]) -> tuple[UnplacedGroup, ...]:
    """Groups with the same code, field, unknown id and nearest id merged; sorted."""
    merged: dict[tuple[str, str, str, str], UnplacedGroup] = {}
    for g in rows:
        key = (g.code, g.field, g.unknown, g.nearest or "")
        seen = merged.get(key)
        merged[key] = (
            g
            if seen is None
            else attrs.evolve(
                seen,
                cases=seen.cases + g.cases,
                targets=seen.targets + g.targets,
                first_case=min(seen.first_case, g.first_case),
            )
        )
    return tuple(merged[k] for k in sorted(merged))


@attrs.frozen(kw_only=True)
class Reconciliation:
    """Where every case of the input went: cases in = placed + outside + not placed.

    ``placed``: counted under a campaign unit (``placed_targets`` of them
    targets, ``placed_new`` new intake, the rest earlier cases that count in
    the unit's rates and clocks only); ``not_yet_registered`` and
    ``unit_not_covered``: outside the campaign by its rules
    (:data:`OUTSIDE_REASONS`); ``unplaced``: the not placed (未归属) cases,
    grouped by the unknown id that stopped them. The same for the targets:
    ``targets`` (the campaign's) = placed + outside + not placed + ``unknown_targets``
    (target ids no case of the input has). ``missing_units``: campaign units
    the organisation does not have (no case can be placed under them).

    Additive (``a + b``) before a snapshot is finished, like
    :class:`SnapshotCounts` (``targets_found``: the target ids the input
    has); :func:`finish_snapshot` fills ``targets``, ``unknown_targets``
    and ``missing_units`` (and empties ``targets_found``).
    """

    cases: int = 0
    placed: int = 0
    placed_targets: int = 0
    placed_new: int = 0
    not_yet_registered: int = 0
    not_yet_registered_targets: int = 0
    unit_not_covered: int = 0
    unit_not_covered_targets: int = 0
    unplaced: tuple[UnplacedGroup, ...] = attrs.field(default=(), converter=_groups)
    targets_found: frozenset[str] = attrs.field(default=frozenset(), repr=False)
    targets: int = 0
    unknown_targets: tuple[str, ...] = ()
    missing_units: tuple[str, ...] = ()

    @property
    def placed_earlier(self) -> int:
        """Placed cases that are neither targets nor new intake (rates and clocks only)."""
        return self.placed - self.placed_targets - self.placed_new

    @property
    def outside(self) -> int:
        """Cases outside the campaign, every reason."""
        return self.not_yet_registered + self.unit_not_covered

    @property
    def not_placed(self) -> int:
        """Cases not placed (未归属)."""
        return sum(g.cases for g in self.unplaced)

    @property
    def not_placed_targets(self) -> int:
        """Target cases not placed (未归属)."""
        return sum(g.targets for g in self.unplaced)

    @property
    def outside_by_reason(self) -> tuple[tuple[str, int], ...]:
        """``(reason, cases)`` for each of :data:`OUTSIDE_REASONS`."""
        return (
            ("not_yet_registered", self.not_yet_registered),
            ("unit_not_covered", self.unit_not_covered),
        )

    @property
    def balanced(self) -> bool:
        """Whether cases in = placed + outside + not placed (always, by construction)."""
        return self.cases == self.placed + self.outside + self.not_placed

    @property
    def complete(self) -> bool:
        """Whether every case is placed or outside and the campaign's ids all resolve."""
        return not (self.unplaced or self.unknown_targets or self.missing_units)

    def __add__(self, other: Reconciliation) -> Reconciliation:
        if not isinstance(other, Reconciliation):
            return NotImplemented
        return Reconciliation(
            cases=self.cases + other.cases,
            placed=self.placed + other.placed,
            placed_targets=self.placed_targets + other.placed_targets,
            placed_new=self.placed_new + other.placed_new,
            not_yet_registered=self.not_yet_registered + other.not_yet_registered,
            not_yet_registered_targets=(
                self.not_yet_registered_targets + other.not_yet_registered_targets
            ),
            unit_not_covered=self.unit_not_covered + other.unit_not_covered,
            unit_not_covered_targets=self.unit_not_covered_targets + other.unit_not_covered_targets,
            unplaced=(*self.unplaced, *other.unplaced),
            targets_found=self.targets_found | other.targets_found,
        )


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


_ID: Final = attrgetter("id")
_HANDLING: Final = attrgetter("handling_unit")
_RECEIVING: Final = attrgetter("receiving_unit")
_ROLES: Final = attrgetter("roles")
_TERMINAL: Final = (Stage.DECLINED, Stage.WITHDRAWN, Stage.FINAL)
#: Columns every case gives the snapshot besides the clocks' (read in the same passes).
SNAPSHOT_COLUMNS: Final = (
    "opinion_issued",
    "review_opinion_issued",
    "is_settled",
    "stage",
    "rating",
)


class _UnitIndex(dict[str | None, int]):
    """Unit id → index into the campaign's units, each id resolved on first sight.

    -1: none (not recorded, or known but under no campaign unit); -2
    (``_UNKNOWN``): an id the organisation does not have. Built per call;
    the rule is :func:`_unit_of`'s.
    """

    __slots__ = ("_index", "_org", "_scope")

    def __init__(self, units: Sequence[str], org: Organization) -> None:
        super().__init__()
        self._scope = {u: u for u in units}
        self._index = {u: i for i, u in enumerate(units)}
        self._org = org

    def __missing__(self, unit: str | None) -> int:
        if unit and not self._org.has_unit(unit):
            code = self[unit] = _UNKNOWN
            return code
        found = _unit_of((unit,), self._org, self._scope)
        code = self[unit] = -1 if found is None else self._index[found]
        return code


_UNKNOWN: Final = -2


def campaign_unit_index(
    unit_ids: Sequence[str | None], campaign: Campaign, org: Organization
) -> npt.NDArray[np.int64]:
    """Each unit id's campaign unit, as an index into ``campaign.units`` (-1: none).

    The unit itself or the nearest unit above it in ``org`` that is in the
    campaign's scope; one lookup per id (pass distinct ids, e.g. an Arrow
    dictionary, and index the result with the codes).
    """
    lookup = _UnitIndex(campaign.units, org)
    found = np.fromiter(map(lookup.__getitem__, unit_ids), dtype=np.int64, count=len(unit_ids))
    return np.maximum(found, -1)


def _campaign_units(
    seen: Sequence[Case], units: Sequence[str], org: Organization
) -> tuple[Any, list[int]]:
    """Each case's campaign unit as an index into ``units`` (-1: none), column-wise.

    A case takes the first of its responsible, handling and receiving unit
    that resolves; each distinct unit id is resolved once per call. Only a
    case with roles can have a responsible unit, and the receiving unit is
    read only where neither of the others resolves. Also the rows the
    placement rule may not place (an unknown unit reached first, an unknown
    official in the chain), for :func:`unplaced_cases` to decide.
    """
    lookup = _UnitIndex(units, org)
    n = len(seen)
    out = np.fromiter(map(lookup.__getitem__, map(_HANDLING, seen)), dtype=np.int64, count=n)
    people = []
    has_official = org.has_official
    for k in compress(range(n), map(_ROLES, seen)):
        case = seen[k]
        found = lookup[case.responsible_unit]
        if found >= 0 or found == _UNKNOWN:
            out[k] = found
        if not all(h.role is Role.RESPONSIBLE_UNIT or has_official(h.holder) for h in case.roles):
            people.append(k)
    rest = np.flatnonzero(out == -1)
    if len(rest):
        receiving = map(_RECEIVING, map(seen.__getitem__, rest.tolist()))
        out[rest] = np.fromiter(map(lookup.__getitem__, receiving), dtype=np.int64, count=len(rest))
    stopped = np.flatnonzero(out == _UNKNOWN).tolist()
    suspects = sorted({*stopped, *people}) if people else stopped
    return np.maximum(out, -1), suspects


def _unit_of(key: Sequence[str | None], org: Organization, scope: dict[str, str]) -> str | None:
    """The campaign unit for (responsible, handling, receiving unit).

    The first of them the organisation knows, or the nearest unit above it,
    that is in scope.
    """
    for candidate in key:
        if candidate and org.has_unit(candidate):
            found = next((u for u in (candidate, *org.ancestors(candidate)) if u in scope), None)
            if found:
                return found
    return None


class _Nearest:
    """The nearest known id to a word: a name written for an id, else a close id or name."""

    __slots__ = ("_ids", "_memo", "_names", "_sorted")

    def __init__(self, ids: Iterable[str], names: Mapping[str, str] | None = None) -> None:
        self._ids = tuple(ids)
        self._sorted = sorted(self._ids)
        self._names = dict(names or {})
        self._memo: dict[str, str | None] = {}

    def __call__(self, word: str) -> str | None:
        if word not in self._memo:
            self._memo[word] = self._find(word)
        return self._memo[word]

    def _find(self, word: str) -> str | None:
        if word in self._names:  # a unit or official written by its name
            return self._names[word]
        pool: Sequence[str] = self._sorted
        if len(pool) > _NEAR_ALL:  # many ids (cases): the neighbours in sort order
            at = bisect_left(pool, word)
            pool = pool[max(at - _NEAR_SPAN, 0) : at + _NEAR_SPAN]
        close = _closest(word, pool)
        if close is not None:
            return close
        by_name = _closest(word, list(self._names))
        return self._names[by_name] if by_name is not None else None


def _closest(word: str, pool: Iterable[str]) -> str | None:
    """The candidate most like ``word`` (difflib ratio ≥ 0.6), or ``None``.

    Ties go to the longer common prefix, then the nearer length, then the
    smaller id: a typo late in an id finds the id it was copied from.
    """
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    best: tuple[float, int, int] | None = None
    found: str | None = None
    for cand in pool:
        matcher.set_seq1(cand)
        if matcher.real_quick_ratio() < _CLOSE or matcher.quick_ratio() < _CLOSE:
            continue
        ratio = matcher.ratio()
        if ratio < _CLOSE:
            continue
        pairs = enumerate(zip(cand, word, strict=False))
        prefix = next((i for i, (a, b) in pairs if a != b), min(len(cand), len(word)))
        key = (ratio, prefix, -abs(len(cand) - len(word)))
        if best is None or key > best or (key == best and found is not None and cand < found):
            best, found = key, cand
    return found


def _written_at(case: Case, names: tuple[str, ...], value: str) -> str:
    """The ledger path of the latest event whose change writes ``value`` in one of ``names``."""
    for i in range(len(case.events) - 1, -1, -1):
        change = case.events[i].change
        for name in names:
            if getattr(change, name, None) == value:
                return f"$.events[{i}].change.{name}"
    return ""


_SOURCES: Final = {
    "handling_unit": ("to_unit", "receiving_unit"),
    "receiving_unit": ("receiving_unit",),
}


def _unique_names(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Name → id, for names that belong to one id only."""
    found: dict[str, set[str]] = {}
    for name, id_ in pairs:
        found.setdefault(name, set()).add(id_)
    return {name: next(iter(ids)) for name, ids in found.items() if len(ids) == 1}


class _References:
    """The one rule for what a case names that the organisation does not know (per call)."""

    __slots__ = ("_lookup", "_near_official", "_near_unit", "org")

    def __init__(self, org: Organization, scope: Sequence[str] | None) -> None:
        self.org = org
        self._lookup = _UnitIndex(scope, org) if scope is not None else None
        self._near_unit: _Nearest | None = None
        self._near_official: _Nearest | None = None

    def nearest_unit(self, word: str) -> str | None:
        if self._near_unit is None:
            units = self.org.units
            names = _unique_names((u.name, u.id) for u in units)
            self._near_unit = _Nearest((u.id for u in units), names)
        return self._near_unit(word)

    def nearest_official(self, word: str) -> str | None:
        if self._near_official is None:
            people = self.org.officials
            names = _unique_names((o.name, o.id) for o in people)
            self._near_official = _Nearest((o.id for o in people), names)
        return self._near_official(word)

    def _places(self, unit: str) -> bool:
        return self._lookup is None or self._lookup[unit] >= 0

    def of(self, index: int, case: Case) -> list[ReferenceProblem]:
        """The case's unknown ids, each saying whether it leaves the case not placed.

        The campaign's rule reads the responsible, handling and receiving
        unit in turn until one is (under) a campaign unit (without a
        campaign: until one is known). An unknown unit it reaches first
        leaves the case not placed: which unit it meant cannot be known.
        An unknown official of the chain leaves it not placed too.
        """
        org, out = self.org, []
        roles = case.roles
        units: list[tuple[str, str]] = [
            (f"roles[{i}].holder", h.holder)
            for i, h in enumerate(roles)
            if h.role is Role.RESPONSIBLE_UNIT
        ][:1]
        units += [("handling_unit", case.handling_unit), ("receiving_unit", case.receiving_unit)]
        decided = False
        for field, unit in units:
            if not unit:
                continue
            if not org.has_unit(unit):
                out.append(
                    ReferenceProblem(
                        code="unknown_unit",
                        index=index,
                        case_id=case.id,
                        field=field,
                        unknown=unit,
                        nearest=self.nearest_unit(unit),
                        source=_written_at(case, _SOURCES.get(field, ("holder",)), unit),
                        unplaced=not decided,
                    )
                )
                decided = True
            elif not decided and self._places(unit):
                decided = True
        out += [
            ReferenceProblem(
                code="unknown_official",
                index=index,
                case_id=case.id,
                field=f"roles[{i}].holder",
                unknown=h.holder,
                nearest=self.nearest_official(h.holder),
                source=_written_at(case, ("holder",), h.holder),
                unplaced=True,
            )
            for i, h in enumerate(roles)
            if h.role is not Role.RESPONSIBLE_UNIT and not org.has_official(h.holder)
        ]
        return out

    def suspects(self, seen: Sequence[Case]) -> list[int]:
        """The rows that name an id the organisation does not know (column-wise, ids once)."""
        known = _Known(self.org)
        n = len(seen)
        good = np.fromiter(map(known.__getitem__, map(_HANDLING, seen)), bool, n)
        good &= np.fromiter(map(known.__getitem__, map(_RECEIVING, seen)), bool, n)
        org = self.org
        for k in compress(range(n), map(_ROLES, seen)):
            for h in seen[k].roles:
                ok = (
                    known[h.holder]
                    if h.role is Role.RESPONSIBLE_UNIT
                    else org.has_official(h.holder)
                )
                if not ok:
                    good[k] = False
                    break
        return np.flatnonzero(~good).tolist()


class _Known(dict[str, bool]):
    """Unit id → whether the organisation has it ("" counts as known: not recorded)."""

    __slots__ = ("_org",)

    def __init__(self, org: Organization) -> None:
        super().__init__()
        self._org = org

    def __missing__(self, unit: str) -> bool:
        ok = self[unit] = not unit or self._org.has_unit(unit)
        return ok


def check_references(
    cases: Iterable[Case],
    org: Organization | None,
    campaign: Campaign | None = None,
    *,
    case_ids: Collection[str] | None = None,
) -> tuple[ReferenceProblem, ...]:
    """Every id the cases and the campaign name that names nothing, with the nearest known id.

    Per case (with ``org``): its responsible, handling and receiving unit and
    the officials of its chain (``roles``), in the input's order; each
    problem says whether it leaves the case not placed (``unplaced``), by
    the rule :func:`snapshot` places cases with (with ``campaign``: scoped
    to its units). Then the campaign's own: units the organisation does not
    have (with ``org``), targets no case has. Pure; no problem means every
    case of a snapshot of these files is placed or outside for a stated
    reason (see :class:`Reconciliation`).

    ``case_ids``: the case ids a target may name (default: the ids of
    ``cases``), for a caller that checks only some cases (the store's import
    passes the rows that name an unknown id, and every id of the ledger and
    the store).
    """
    listed = cases if isinstance(cases, Sequence) else list(cases)
    out: list[ReferenceProblem] = []
    if org is not None:
        refs = _References(org, campaign.units if campaign is not None else None)
        for k in refs.suspects(listed):
            out += refs.of(k, listed[k])
    if campaign is None:
        return tuple(out)
    if org is not None:
        out += [
            ReferenceProblem(
                code="campaign_unit_not_in_organization",
                index=None,
                case_id="",
                field=f"units[{i}]",
                unknown=unit,
                nearest=refs.nearest_unit(unit),
            )
            for i, unit in enumerate(campaign.units)
            if not org.has_unit(unit)
        ]
    ids = set(map(_ID, listed)) if case_ids is None else set(case_ids)
    missing = [(i, t) for i, t in enumerate(campaign.targets) if t not in ids]
    if missing:
        near = _Nearest(ids)
        out += [
            ReferenceProblem(
                code="unknown_target",
                index=None,
                case_id="",
                field=f"targets[{i}]",
                unknown=target,
                nearest=near(target),
            )
            for i, target in missing
        ]
    return tuple(out)


def unplaced_cases(
    cases: Sequence[Case],
    org: Organization,
    campaign: Campaign,
    *,
    rows: Iterable[int] | None = None,
) -> dict[int, ReferenceProblem]:
    """The cases not placed (未归属), by position, each with the first problem that stops it.

    The rule of :func:`check_references` (``unplaced`` problems), scoped to
    the campaign. ``rows``: only these positions (a caller that already
    knows which cases name an unknown id, e.g. from a column's distinct
    values); by default every case is looked at (unknown ids column-wise first).
    """
    refs = _References(org, campaign.units)
    out: dict[int, ReferenceProblem] = {}
    for k in refs.suspects(cases) if rows is None else rows:
        stop = next((p for p in refs.of(k, cases[k]) if p.unplaced), None)
        if stop is not None:
            out[k] = stop
    return out


def require_references(
    cases: Iterable[Case],
    org: Organization,
    campaign: Campaign | None = None,
    *,
    source: str = "",
) -> None:
    """Raise :class:`~xinfang.InvalidDataError` naming every problem :func:`check_references` finds.

    For an import that must take whole files or nothing: the error's
    ``problems`` are ``(path, message)`` pairs, each path naming the case
    and field (``case XF-1: handling_unit``), each message the unknown id
    and the nearest known one.
    """
    found = check_references(cases, org, campaign)
    if found:
        raise InvalidDataError([(p.path, p.message) for p in found], source=source)


#: Counts a snapshot keeps per unit besides :data:`COUNTERS` (not rate inputs).
_EXTRAS: Final = (
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

    def count(self, name: str) -> tuple[int, ...]:
        """One count per unit, by name."""
        for key, values in self.counts:
            if key == name:
                return values
        raise XinfangError(f"no snapshot count {name!r}", path="name")

    def __add__(self, other: SnapshotCounts) -> SnapshotCounts:
        if not isinstance(other, SnapshotCounts):
            return NotImplemented
        mine = (self.campaign, self.as_of, self.units, self.agenda_limit)
        theirs = (other.campaign, other.as_of, other.units, other.agenda_limit)
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


def snapshot(
    campaign: Campaign,
    cases: Sequence[Case],
    org: Organization,
    *,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
) -> Snapshot:
    """The campaign's progress as of ``as_of`` (events after it are ignored).

    Column-wise: the cases' milestones and codes are read once per call into
    the clock engine's :class:`~xinfang.deadlines.CaseColumns`, the clocks come
    from its :func:`~xinfang.deadlines.clock_parts`; the counts per unit are
    numpy sums (:func:`snapshot_counts`), then :func:`finish_snapshot`.
    """
    counts = snapshot_counts(
        campaign, cases, org, as_of=as_of, rulebook=rulebook, calendar=calendar
    )
    return finish_snapshot(campaign, counts, org)


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
    target = np.fromiter(map(is_target, map(_ID, seen)), bool, len(seen))
    given_targets = sum(map(is_target, map(_ID, given)))
    unit, suspects = _campaign_units(seen, campaign.units, org)
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
        targets_found=campaign.target_set.intersection(map(_ID, given)),
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
    input has.
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
    terminal = np.isin(cols["stage"][open_rows], [CODES[s] for s in _TERMINAL])
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
    counts: dict[str, Any] = dict.fromkeys((*COUNTERS, *_EXTRAS), zero)
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
    counts |= _plan_counts(
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
            UnplacedGroup(
                code=p.code,
                field=p.field,
                unknown=p.unknown,
                nearest=p.nearest,
                cases=1,
                targets=int(is_target[k]),
                first_case=p.case_id,
            )
            for k, p in (unplaced or {}).items()
        ],
        targets_found=frozenset(targets_found),
    )
    agenda, agenda_total = _clock_counts(
        parts,
        case_id=case_id,
        case_owner=lambda k: _owner(cols.case(k)),
        case_report=lambda k: int(cols.at(np.array([k]), "progress_reported")[0][0]),
        case_unit=binned,
        scope=campaign.units,
        counts=counts,
        agenda_until=_next_review(campaign, as_of),
        agenda_limit=campaign.agenda_limit,
        width=width,
    )
    names = (*COUNTERS, *_EXTRAS)
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
    )


def _plan_counts(
    campaign: Campaign,
    cols: ColumnSource,
    *,
    count_by_unit: Callable[[Any], Any],
    sum_by_unit: Callable[[Any], Any],
    as_of: _dt.date,
    rulebook: Rulebook | None,
    calendar: WorkCalendar | None,
) -> dict[str, Any]:
    """紧盯落实 per unit: plans stalled and deadlines moved later, from the columns.

    Plans and steps overdue are counted with the clocks (:func:`_clock_counts`).
    """
    n = len(cols)
    plan = cols["plan"] != 0
    rows = np.flatnonzero(plan)
    stalled_mask = np.zeros(n, bool)
    moves = np.zeros(n, np.int64)
    if len(rows):
        settled, stage, reported, plan_set = cols.at(
            rows, "is_settled", "stage", "progress_reported", "plan_set"
        )
        last = np.where(reported > 0, reported, plan_set)
        active = (settled == 0) & ~np.isin(stage, [CODES[s] for s in _TERMINAL]) & (last > 0)
        stalled_mask[rows] = active & stalled_since(
            last, as_of.toordinal(), campaign.stalled_after_days
        )
        moves[rows] = cols.at(rows, "deadline_moves")[0]

    return {
        "plans_stalled": count_by_unit(stalled_mask),
        "deadline_moves": sum_by_unit(moves),
        "cases_moved": count_by_unit(moves > 0),
    }


def finish_snapshot(campaign: Campaign, counts: SnapshotCounts, org: Organization) -> Snapshot:
    """The :class:`Snapshot` from its counts: progress and rates per unit and overall, the lists."""
    if (counts.campaign, counts.units) != (campaign.id, campaign.units):
        raise XinfangError(
            f"these counts are of campaign {counts.campaign!r}, not {campaign.id!r}",
            path="counts",
            rule="a snapshot is finished with the campaign it was counted for",
        )
    as_of = counts.as_of
    table = dict(counts.counts)
    units = campaign.units
    cnt = {u: {name: table[name][i] for name in COUNTERS} for i, u in enumerate(units)}
    extra = {u: {name: table[name][i] for name in _EXTRAS} for i, u in enumerate(units)}
    expected_share = _share(campaign, as_of)
    # A campaign unit the organisation does not have is reported, not shown as a row
    # (no case can be placed under it: the rule reaches units through the organisation).
    missing = tuple(u for u in units if not org.has_unit(u))
    shown = [u for u in units if org.has_unit(u)] if missing else list(units)
    per_unit = [
        _progress(
            campaign,
            unit=u,
            name=org.unit(u).name,
            cnt=cnt[u],
            extra=extra[u],
            overdue=extra[u]["overdue_cases"],
            expected=campaign.intake_baseline * expected_share / len(units),
        )
        for u in shown
    ]
    total_cnt = {c: sum(table[c]) for c in COUNTERS}
    total_extra = {k: sum(table[k]) for k in _EXTRAS}
    overall = _progress(
        campaign,
        unit="",
        name=campaign.name,
        cnt=total_cnt,
        extra=total_extra,
        overdue=total_extra["overdue_cases"],
        expected=campaign.intake_baseline * expected_share,
    )
    commend, admonish = _lists(campaign, per_unit, as_of)
    unplaced = None
    if counts.unplaced_counts:
        left = dict(counts.unplaced_counts)
        unplaced = _progress(
            campaign,
            unit="",
            name="",
            cnt={c: left[c] for c in COUNTERS},
            extra={k: left[k] for k in _EXTRAS},
            overdue=left["overdue_cases"],
            expected=0.0,
        )
    return Snapshot(
        campaign=campaign.id,
        as_of=as_of,
        overall=overall,
        units=tuple(per_unit),
        commend=commend,
        admonish=admonish,
        next_review=_next_review(campaign, as_of),
        agenda=tuple(
            AgendaItem(
                case_id=case,
                unit=unit,
                clock=key,
                due=_dt.date.fromordinal(due),
                status=status,
                provisional=prov,
                owner=owner,
                owner_name=org.official(owner).name if owner and org.has_official(owner) else "",
                last_report=_dt.date.fromordinal(report) if report else None,
            )
            for due, unit, case, key, status, prov, owner, report in counts.agenda
        ),
        agenda_total=counts.agenda_total,
        follow_up=tuple(item.unit for item in admonish),
        unplaced=unplaced,
        closing=as_of >= campaign.end,
        reconciliation=attrs.evolve(
            counts.reconciliation,
            targets=len(campaign.target_set),
            unknown_targets=tuple(
                sorted(campaign.target_set - counts.reconciliation.targets_found)
            ),
            missing_units=missing,
            targets_found=frozenset(),  # said by unknown_targets now
        ),
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


def _share(campaign: Campaign, as_of: _dt.date) -> float:
    total = (campaign.end - campaign.start).days + 1
    elapsed = min(max((as_of - campaign.start).days + 1, 0), total)
    return elapsed / total


def _next_review(campaign: Campaign, as_of: _dt.date) -> _dt.date | None:
    return next((d for d in campaign.reviews() if d > as_of), None)


def _progress(
    campaign: Campaign,
    *,
    unit: str,
    name: str,
    cnt: Mapping[str, int],
    extra: Mapping[str, int],
    overdue: int,
    expected: float,
) -> Progress:
    rates = []
    for rname, num, den in campaign.rates:
        d = sum(cnt[c] for c in den)
        rates.append((rname, round(sum(cnt[c] for c in num) / d, 6) if d else None))
    deductions = (
        extra["bj"] * campaign.points_beijing_visit
        + extra["skip"] * campaign.points_skip_level
        + overdue * campaign.points_overdue_case
    )
    return Progress(
        unit=unit,
        name=name,
        targets=cnt["targets"],
        settled=cnt["settled"],
        open=cnt["open"],
        in_handling=extra["in_handling"],
        overdue=overdue,
        plans_incomplete=extra["plans"],
        new_intake=extra["new"],
        intake_expected=round(expected, 3),
        beijing_visits=extra["bj"],
        skip_level_visits=extra["skip"],
        deductions=round(deductions, 3),
        rates=tuple(rates),
        counters=tuple(sorted(cnt.items())),
        cases=extra["cases"],
        plans_overdue=extra["plans_overdue"],
        steps_overdue=extra["steps_overdue"],
        plans_stalled=extra["plans_stalled"],
        deadline_moves=extra["deadline_moves"],
        cases_moved=extra["cases_moved"],
        unfinished=extra["unfinished"],
    )


def _reason(code: str, **values: float) -> ListingReason:
    return ListingReason(code=code, values=tuple(values.items()))


def _lists(
    campaign: Campaign, units: list[Progress], as_of: _dt.date
) -> tuple[tuple[Listing, ...], tuple[Listing, ...]]:
    reviewed = any(d <= as_of for d in campaign.reviews())
    commend, admonish = [], []
    for p in units:
        bad: list[tuple[str, ListingReason]] = []
        if reviewed and p.targets and p.progress < campaign.admonish_below_progress:
            bad.append(
                (
                    (
                        f"进展缓慢: 化解 {p.settled}/{p.targets} ({p.progress:.0%}) "
                        f"< {campaign.admonish_below_progress:.0%}"
                    ),
                    _reason(
                        "slow_progress",
                        settled=p.settled,
                        targets=p.targets,
                        progress=p.progress,
                        threshold=campaign.admonish_below_progress,
                    ),
                )
            )
        if p.overdue >= campaign.admonish_min_overdue:
            bad.append(
                (
                    f"超期 {p.overdue} 件 (≥ {campaign.admonish_min_overdue})",
                    _reason("overdue", overdue=p.overdue, threshold=campaign.admonish_min_overdue),
                )
            )
        if p.plans_incomplete:
            bad.append(
                (
                    (
                        f"息访方案不完整 {p.plans_incomplete} 件 "
                        f"(超过宽限期 {campaign.plan_grace_days} 日)"
                    ),
                    _reason(
                        "plans_incomplete",
                        plans_incomplete=p.plans_incomplete,
                        grace_days=campaign.plan_grace_days,
                    ),
                )
            )
        bad.extend(_plan_reasons(campaign, p, as_of))
        if bad:
            admonish.append(
                Listing(
                    unit=p.unit,
                    reasons=tuple(text for text, _ in bad),
                    details=tuple(detail for _, detail in bad),
                )
            )
            continue
        if (
            p.targets
            and p.progress >= campaign.commend_min_progress
            and p.overdue <= campaign.commend_max_overdue
            and p.plans_overdue <= campaign.commend_max_overdue_plans
        ):
            commend.append(
                Listing(
                    unit=p.unit,
                    reasons=(
                        (
                            f"进展较快: 化解 {p.settled}/{p.targets} ({p.progress:.0%}) "
                            f"≥ {campaign.commend_min_progress:.0%}, 超期 {p.overdue} 件"
                        ),
                    ),
                    details=(
                        _reason(
                            "fast_progress",
                            settled=p.settled,
                            targets=p.targets,
                            progress=p.progress,
                            threshold=campaign.commend_min_progress,
                            overdue=p.overdue,
                        ),
                    ),
                )
            )
    return tuple(commend), tuple(admonish)


def _plan_reasons(
    campaign: Campaign, p: Progress, as_of: _dt.date
) -> list[tuple[str, ListingReason]]:
    """The admonish reasons of 紧盯落实 (the campaign file's rules; 0 turns one off)."""
    out: list[tuple[str, ListingReason]] = []
    least = campaign.admonish_min_overdue_plans
    if least and p.plans_overdue >= least:
        out.append(
            (
                f"息访方案超期 {p.plans_overdue} 件 (≥ {least})",
                _reason("plans_overdue", plans_overdue=p.plans_overdue, threshold=least),
            )
        )
    least = campaign.admonish_min_stalled_plans
    if least and p.plans_stalled >= least:
        days = campaign.stalled_after_days
        out.append(
            (
                f"息访方案停滞 {p.plans_stalled} 件 (超过 {days} 日无进展情况, ≥ {least})",
                _reason("plans_stalled", plans_stalled=p.plans_stalled, days=days, threshold=least),
            )
        )
    least = campaign.admonish_min_unfinished
    if least and as_of >= campaign.end and p.unfinished >= least:
        out.append(
            (
                f"未完成攻坚任务 {p.unfinished} 件 (≥ {least})",
                _reason("unfinished", unfinished=p.unfinished, threshold=least),
            )
        )
    return out


def trend(
    campaign: Campaign,
    cases: Sequence[Case],
    org: Organization,
    *,
    as_of: _dt.date | None = None,
    dates: Iterable[_dt.date] | None = None,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
) -> tuple[tuple[_dt.date, int], ...]:
    """The burndown: open target cases at each date.

    By default: the start, every review up to ``as_of``, and ``as_of`` (the
    campaign's end when ``as_of`` is not given).
    """
    if dates is None:
        until = as_of if as_of is not None else campaign.end
        dates = [d for d in (campaign.start, *campaign.reviews()) if d < until] + [until]
    points = sorted(set(dates))
    return tuple(
        (
            d,
            snapshot(
                campaign, cases, org, as_of=d, rulebook=rulebook, calendar=calendar
            ).overall.open,
        )
        for d in points
    )
