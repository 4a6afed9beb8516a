"""A snapshot from its counts: progress and rates per unit and overall, commend and admonish.

:func:`finish_snapshot` turns :class:`~xinfang.campaign.SnapshotCounts` into a
:class:`~xinfang.campaign.Snapshot` under the campaign's scoring and listing
rules; :func:`snapshot` counts and finishes in one call.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

import attrs

from xinfang.campaign._counting import EXTRAS, SnapshotCounts, snapshot_counts
from xinfang.campaign._model import COUNTERS, Campaign, next_review, share
from xinfang.campaign._snapshot import AgendaItem, Listing, ListingReason, Progress, Snapshot
from xinfang.errors import XinfangError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.case import Case
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook

__all__ = [
    "finish_snapshot",
    "snapshot",
]


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


def finish_snapshot(campaign: Campaign, counts: SnapshotCounts, org: Organization) -> Snapshot:
    """The :class:`Snapshot` from its counts: progress and rates per unit and overall, the lists."""
    if (counts.campaign, counts.units) != (campaign.id, campaign.units):
        raise XinfangError(
            f"these counts are of campaign {counts.campaign!r}, not {campaign.id!r}",
            path="counts",
            rule="a snapshot is finished with the campaign it was counted for",
        )
    if counts.targets is not None and counts.targets != len(campaign.targets):
        raise XinfangError(
            f"these counts were made against {counts.targets} target(s), "
            f"not this campaign's {len(campaign.targets)}",
            path="campaign.targets",
            rule="a snapshot is finished with the campaign it was counted for: a viewer's "
            "counts with the campaign as the viewer sees it (ViewerStore.campaign_in_view)",
        )
    as_of = counts.as_of
    table = dict(counts.counts)
    units = campaign.units
    cnt = {u: {name: table[name][i] for name in COUNTERS} for i, u in enumerate(units)}
    extra = {u: {name: table[name][i] for name in EXTRAS} for i, u in enumerate(units)}
    expected_share = share(campaign, as_of)
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
    total_extra = {k: sum(table[k]) for k in EXTRAS}
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
            extra={k: left[k] for k in EXTRAS},
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
        next_review=next_review(campaign, as_of),
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
