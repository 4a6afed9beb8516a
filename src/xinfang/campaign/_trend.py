"""The burndown (燃尽图): open target cases at each review date."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xinfang.campaign._lists import snapshot

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    from collections.abc import Iterable, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign._model import Campaign
    from xinfang.case import Case
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook

__all__ = [
    "trend",
]


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
