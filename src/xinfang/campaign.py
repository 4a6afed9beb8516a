"""The campaign (信访事项专项攻坚行动): targets, progress snapshots, commend and admonish lists.

A :class:`Campaign` is data (TOML): the units in scope, the backlog cases it
must settle, the intake baseline, the review schedule, and its scoring,
listing and rate rules. :func:`snapshot` turns the cases into a
:class:`Snapshot` as of a date: per unit and overall counts and rates, the
commend (表扬) and admonish (约谈) lists with their reasons, the next review
(调度) and its agenda. :func:`trend` gives the burndown over review dates.

Pure: no I/O but the explicit loader, no clock; the same inputs always give
the same snapshot. Clocks come from the vectorised
:func:`~xinfang.clock_table`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from xinfang._toml import read_toml
from xinfang.cases import Case, Rating, Role, Stage
from xinfang.deadlines import STATUSES, ClockStatus, clock_table
from xinfang.errors import PolicyError, XinfangError

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from xinfang.calendar import WorkCalendar
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook

__all__ = [
    "COUNTERS",
    "AgendaItem",
    "Campaign",
    "Listing",
    "Progress",
    "Snapshot",
    "load_campaign",
    "snapshot",
    "trend",
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
    items = (
        list(value.items()) if isinstance(value, Mapping) else [(n, (a, b)) for n, a, b in value]
    )
    out = []
    for name, spec in items:
        if isinstance(spec, Mapping):
            num, den = spec.get("numerator"), spec.get("denominator")
        else:
            num, den = spec
        num = (num,) if isinstance(num, str) else tuple(num or ())
        den = (den,) if isinstance(den, str) else tuple(den or ())
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
    agenda_limit: int = 200
    rates: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = attrs.field(
        factory=lambda: _rates(DEFAULT_RATES), converter=_rates
    )

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise PolicyError("the campaign ends before it starts", path="end")
        if not self.units:
            raise PolicyError("a campaign has at least one unit in scope", path="units")
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


def load_campaign(source: str | Path | Mapping[str, Any]) -> Campaign:
    """A campaign from a TOML file or a mapping (errors name the file and key)."""
    from xinfang.serialization import from_dict

    if isinstance(source, Mapping):
        data, origin = dict(source), ""
    else:
        data, origin = read_toml(source, PolicyError, "campaign"), str(source)
    if isinstance(data.get("rates"), Mapping):
        merged = {**DEFAULT_RATES, **data["rates"]}
        data["rates"] = [[name, *_rates({name: spec})[0][1:]] for name, spec in merged.items()]
    try:
        return from_dict(data, Campaign, source=origin)
    except XinfangError as exc:
        raise PolicyError(str(exc), path=origin or None, rule="campaign format") from None


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

    @property
    def progress(self) -> float:
        """Share of the target cases settled (1.0 with no targets)."""
        return self.settled / self.targets if self.targets else 1.0

    def rate(self, name: str) -> float | None:
        """A rate by name (``None`` when its denominator is zero)."""
        return dict(self.rates).get(name)


@attrs.frozen(kw_only=True)
class Listing:
    """A unit on the commend or admonish list, with the reasons."""

    unit: str
    reasons: tuple[str, ...]


@attrs.frozen(kw_only=True)
class AgendaItem:
    """A case the next review must look at: a clock due or overdue before it."""

    case_id: str
    unit: str
    clock: str
    due: _dt.date
    status: str


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

    def unit(self, unit_id: str) -> Progress:
        """One unit's progress."""
        for p in self.units:
            if p.unit == unit_id:
                return p
        raise XinfangError(f"unit {unit_id!r} is not in the campaign", path="unit")


_RESPONSIBLE_UNIT: Final = Role.RESPONSIBLE_UNIT
_OPEN: Final = frozenset(
    {ClockStatus.RUNNING, ClockStatus.DUE_SOON, ClockStatus.OVERDUE, ClockStatus.PAUSED}
)


def _unit_of(
    case: Case,
    org: Organization,
    scope: dict[str, str],
    memo: dict[tuple[str | None, str, str], str | None],
) -> str | None:
    """The campaign unit a case belongs to: its responsible or handling unit, or the one above."""
    unit = None
    for h in case.roles:
        if h.role is _RESPONSIBLE_UNIT:
            unit = h.holder
            break
    key = (unit, case.handling_unit, case.receiving_unit)
    if key in memo:
        return memo[key]
    found = None
    for candidate in key:
        if candidate and org.has_unit(candidate):
            found = next((u for u in (candidate, *org.ancestors(candidate)) if u in scope), None)
            if found:
                break
    memo[key] = found
    return found


def snapshot(
    campaign: Campaign,
    cases: Sequence[Case],
    org: Organization,
    *,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
) -> Snapshot:
    """The campaign's progress as of ``as_of`` (events after it are ignored)."""
    from xinfang.deadlines import _case_at

    scope = {u: u for u in campaign.units}
    targets = frozenset(campaign.targets)
    seen = [_case_at(c, as_of) for c in cases if c.received_at.date() <= as_of]
    table = clock_table(seen, as_of=as_of, rulebook=rulebook, calendar=calendar)
    memo: dict[tuple[str | None, str, str], str | None] = {}
    units = [_unit_of(c, org, scope, memo) for c in seen]
    counters = {u: dict.fromkeys(COUNTERS, 0) for u in campaign.units}
    overdue_cases: dict[str, set[int]] = {u: set() for u in campaign.units}
    other = {
        u: {"in_handling": 0, "plans": 0, "new": 0, "bj": 0, "skip": 0} for u in campaign.units
    }
    started = as_of >= campaign.start
    grace_over = (as_of - campaign.start).days > campaign.plan_grace_days
    for case, unit in zip(seen, units, strict=True):
        if unit is None:
            continue
        cnt = counters[unit]
        extra = other[unit]
        is_target = case.id in targets
        if is_target:
            cnt["targets"] += 1
            if case.settled:
                cnt["settled"] += 1
            else:
                cnt["open"] += 1
                if case.stage not in (Stage.DECLINED, Stage.WITHDRAWN, Stage.FINAL):
                    extra["in_handling"] += 1
                if grace_over and (case.plan is None or not case.plan.is_complete):
                    extra["plans"] += 1
        elif started and campaign.start <= case.received_at.date() <= as_of:
            extra["new"] += 1
            extra["bj"] += case.beijing_visit
            extra["skip"] += case.skip_level
        if case.on.opinion_issued is not None or case.on.review_opinion_issued is not None:
            cnt["replied"] += 1
        if case.rating is not None:
            cnt["rated"] += 1
            cnt[
                {
                    Rating.SATISFIED: "satisfied",
                    Rating.BASICALLY_SATISFIED: "basically_satisfied",
                    Rating.DISSATISFIED: "dissatisfied",
                }[case.rating]
            ] += 1
    agenda_until = _next_review(campaign, as_of)
    agenda, agenda_total = _clock_counts(
        table,
        seen=seen,
        units=units,
        scope=campaign.units,
        counters=counters,
        overdue_cases=overdue_cases,
        agenda_until=agenda_until,
        agenda_limit=campaign.agenda_limit,
    )
    expected_share = _share(campaign, as_of)
    per_unit = []
    for u in campaign.units:
        extra = other[u]
        cnt = counters[u]
        per_unit.append(
            _progress(
                campaign,
                unit=u,
                name=org.unit(u).name if org.has_unit(u) else u,
                cnt=cnt,
                extra=extra,
                overdue=len(overdue_cases[u]),
                expected=campaign.intake_baseline * expected_share / len(campaign.units),
            )
        )
    total_cnt = {c: sum(counters[u][c] for u in campaign.units) for c in COUNTERS}
    total_extra = {k: sum(other[u][k] for u in campaign.units) for k in other[campaign.units[0]]}
    overall = _progress(
        campaign,
        unit="",
        name=campaign.name,
        cnt=total_cnt,
        extra=total_extra,
        overdue=sum(len(v) for v in overdue_cases.values()),
        expected=campaign.intake_baseline * expected_share,
    )
    commend, admonish = _lists(campaign, per_unit, as_of)
    return Snapshot(
        campaign=campaign.id,
        as_of=as_of,
        overall=overall,
        units=tuple(per_unit),
        commend=commend,
        admonish=admonish,
        next_review=agenda_until,
        agenda=tuple(agenda),
        agenda_total=agenda_total,
        follow_up=tuple(item.unit for item in admonish),
    )


_KINDS: Final = {
    "handling": "handling",
    "simplified_handling": "handling",
    "routing": "routing",
    "acceptance_decision": "routing",
}


def _clock_counts(
    table: Any,
    *,
    seen: Sequence[Case],
    units: Sequence[str | None],
    scope: Sequence[str],
    counters: dict[str, dict[str, int]],
    overdue_cases: dict[str, set[int]],
    agenda_until: _dt.date | None,
    agenda_limit: int,
) -> tuple[list[AgendaItem], int]:
    """Aggregate the clock table per unit, column-wise; the agenda rows one by one."""
    import numpy as np

    index = {u: i for i, u in enumerate(scope)}
    case_unit = np.fromiter((index.get(u, -1) if u else -1 for u in units), np.int64, len(units))
    row_unit = case_unit[table.case] if len(table) else np.zeros(0, dtype=np.int64)
    inside = row_unit >= 0
    code = {s: i for i, s in enumerate(STATUSES)}
    for key_index, key in enumerate(table.keys):
        kind = _KINDS.get(key)
        if kind is None:
            continue
        of_key = inside & (table.limit == key_index)
        for status, suffix in (
            (ClockStatus.MET, "met"),
            (ClockStatus.MISSED, "missed"),
            (ClockStatus.OVERDUE, "overdue"),
        ):
            hits = np.bincount(
                row_unit[of_key & (table.status == code[status])], minlength=len(scope)
            )
            for u, n in zip(scope, hits.tolist(), strict=True):
                counters[u][f"{kind}_{suffix}"] += n
    overdue_rows = inside & (table.status == code[ClockStatus.OVERDUE])
    for k in np.unique(table.case[overdue_rows]).tolist():
        overdue_cases[scope[case_unit[k]]].add(k)
    agenda: list[AgendaItem] = []
    if agenda_until is None:
        return agenda, 0
    open_codes = [code[s] for s in _OPEN]
    limit = np.datetime64(agenda_until.isoformat(), "D")
    rows = np.flatnonzero(inside & np.isin(table.status, open_codes) & (table.due <= limit))
    total = len(rows)
    if total > agenda_limit > 0:
        # Only rows due no later than the agenda_limit-th earliest can make the cut
        # (ties included), so the exact order below runs on few rows.
        cutoff = np.partition(table.due[rows], agenda_limit - 1)[agenda_limit - 1]
        rows = rows[table.due[rows] <= cutoff]

    def urgency(r: int) -> tuple[Any, str, str, str]:
        k = table.case[r]
        return (table.due[r], scope[case_unit[k]], seen[k].id, table.keys[table.limit[r]])

    keyed = sorted(rows.tolist(), key=urgency)
    for r in keyed[:agenda_limit]:
        k = int(table.case[r])
        agenda.append(
            AgendaItem(
                case_id=seen[k].id,
                unit=scope[case_unit[k]],
                clock=table.keys[int(table.limit[r])],
                due=table.due[r].astype(object),
                status=STATUSES[int(table.status[r])].value,
            )
        )
    return agenda, total


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
    )


def _lists(
    campaign: Campaign, units: list[Progress], as_of: _dt.date
) -> tuple[tuple[Listing, ...], tuple[Listing, ...]]:
    reviewed = any(d <= as_of for d in campaign.reviews())
    commend, admonish = [], []
    for p in units:
        bad = []
        if reviewed and p.targets and p.progress < campaign.admonish_below_progress:
            bad.append(
                f"进展缓慢: 化解 {p.settled}/{p.targets} ({p.progress:.0%}) "
                f"< {campaign.admonish_below_progress:.0%}"
            )
        if p.overdue >= campaign.admonish_min_overdue:
            bad.append(f"超期 {p.overdue} 件 (≥ {campaign.admonish_min_overdue})")
        if p.plans_incomplete:
            bad.append(
                f"息访方案不完整 {p.plans_incomplete} 件 (超过宽限期 {campaign.plan_grace_days} 日)"
            )
        if bad:
            admonish.append(Listing(unit=p.unit, reasons=tuple(bad)))
            continue
        if (
            p.targets
            and p.progress >= campaign.commend_min_progress
            and p.overdue <= campaign.commend_max_overdue
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
                )
            )
    return tuple(commend), tuple(admonish)


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
        dates = (campaign.start, *(d for d in campaign.reviews() if d < until), until)
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
