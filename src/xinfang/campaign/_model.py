"""The campaign (信访事项专项攻坚行动) as data: its scope, schedule and rules, read from TOML.

The counters a rate formula may add up, the default rates, :class:`Campaign`
with its review dates, :func:`load_campaign`, and the schedule's two readings a
snapshot needs (the share of the campaign elapsed, the next review).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from xinfang._toml import read_toml
from xinfang.convert import structure
from xinfang.errors import InvalidDataError, PolicyError, XinfangError

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path


__all__ = [
    "COUNTERS",
    "DEFAULT_RATES",
    "Campaign",
    "in_view",
    "load_campaign",
    "next_review",
    "share",
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


def share(campaign: Campaign, as_of: _dt.date) -> float:
    """The share of the campaign's days elapsed by ``as_of`` (0 before the start, 1 after)."""
    total = (campaign.end - campaign.start).days + 1
    elapsed = min(max((as_of - campaign.start).days + 1, 0), total)
    return elapsed / total


def next_review(campaign: Campaign, as_of: _dt.date) -> _dt.date | None:
    """The first review date strictly after ``as_of`` (``None`` after the last one)."""
    return next((d for d in campaign.reviews() if d > as_of), None)


def in_view(campaign: Campaign, visible: Iterable[str], stored: Iterable[str]) -> Campaign:
    """The campaign as one viewer may see it: no target the viewer may not see in full.

    A target that is stored but hidden from the viewer (an accusation, to
    the accused unit or one who must step aside: 信访工作条例 (2022) 第三十条
    第三款, 不得将检举、揭发材料以及有关情况透露或者转给被检举、揭发的人员或者单位)
    is left out, so that no count, total or reconciliation
    line ("targets not in the ledger") names or counts it; a target no stored
    case has stays, and is listed as missing for every viewer. ``visible``:
    the ids the viewer sees in full; ``stored``: every id the store holds.
    """
    seen = set(visible)
    held = set(stored)
    targets = tuple(t for t in campaign.targets if t in seen or t not in held)
    if len(targets) == len(campaign.targets):
        return campaign
    return attrs.evolve(campaign, targets=targets)
