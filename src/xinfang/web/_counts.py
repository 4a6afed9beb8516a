"""Each case's part in the campaign's counts: which bin (unit) and which counts it is in.

The campaign's counts add up over disjoint cases, so the cases behind a
count of the bulletin are those whose own counts hold it. A case's part is
:func:`xinfang.campaign.snapshot_counts` of that case alone; many cases are
worked out at once column-wise (:meth:`CaseCounts.fill`) and checked against
the campaign's own totals. Remembered per case version and day.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Final

import attrs
import numpy as np

from xinfang.campaign import (
    COUNTERS,
    SNAPSHOT_COLUMNS,
    campaign_unit_index,
    count_columns,
    snapshot_counts,
    unplaced_cases,
)
from xinfang.case import Case
from xinfang.deadlines import CaseColumns, as_of_day, clock_columns

if TYPE_CHECKING:
    import datetime as _dt
    from collections.abc import Callable, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign
    from xinfang.responsibility import Organization, RedactedCase
    from xinfang.rulebook import Rulebook

__all__ = [
    "ALL_UNITS",
    "BULLETIN_COUNTS",
    "COUNT_NAMES",
    "UNPLACED",
    "CaseCounts",
    "CountIndex",
    "Share",
]

#: The bulletin's columns: (Progress field, the snapshot count behind it). Every one is a link.
BULLETIN_COUNTS: Final = (
    ("cases", "cases"),
    ("targets", "targets"),
    ("settled", "settled"),
    ("open", "open"),
    ("in_handling", "in_handling"),
    ("overdue", "overdue_cases"),
    ("plans_incomplete", "plans"),
    ("new_intake", "new"),
    ("beijing_visits", "bj"),
    ("skip_level_visits", "skip"),
    ("plans_overdue", "plans_overdue"),
    ("steps_overdue", "steps_overdue"),
    ("plans_stalled", "plans_stalled"),
    ("cases_moved", "cases_moved"),
    ("deadline_moves", "deadline_moves"),
    ("unfinished", "unfinished"),
)
#: Every count a list may be asked for: the bulletin's and the rate counters.
COUNT_NAMES: Final = tuple(dict.fromkeys([c for _, c in BULLETIN_COUNTS] + list(COUNTERS)))
#: Which clocks explain a case's place in a count (shown beside it in a list).
#: The bins of a list: a campaign unit's id, every unit together, or the not placed cases.
ALL_UNITS: Final = "all"
UNPLACED: Final = "unplaced"
log = logging.getLogger("xinfang.web")

_MEMO_LIMIT: Final = 200_000
#: From so many cases on, their counts are worked out column-wise at once.
_BULK_FROM: Final = 16


class Share:
    """A case's part in each count as of a day: its bin and its non-zero counts."""

    __slots__ = ("bin", "counts")

    def __init__(self, bin_: str | None, counts: dict[str, int]) -> None:
        self.bin = bin_
        self.counts = counts


class CaseCounts:
    """Each case's part in the counts of one campaign (remembered per case version and day)."""

    def __init__(
        self,
        campaign: Campaign,
        org: Organization,
        *,
        rulebook: Rulebook,
        calendar: WorkCalendar,
    ) -> None:
        self.campaign = campaign
        self.org = org
        self.rulebook = rulebook
        self.calendar = calendar
        self._memo: OrderedDict[tuple[str, int, _dt.date], Share] = OrderedDict()
        #: How often the column-wise counts disagreed with the campaign's (each case
        #: was then counted alone); 0 unless the campaign's placement rule changed.
        self.fallbacks = 0

    def _remember(self, case: Case, as_of: _dt.date, share: Share) -> Share:
        self._memo[(case.id, len(case.events), as_of)] = share
        if len(self._memo) > _MEMO_LIMIT:
            self._memo.popitem(last=False)
        return share

    def fill(self, cases: Sequence[Case], as_of: _dt.date) -> None:
        """Work out, column-wise, each case's part in the counts (those not yet remembered).

        One run of the campaign's :func:`~xinfang.campaign.count_columns`
        with a bin per case gives every case's counts at once. Which unit
        each case is counted under is the campaign's documented rule (the
        first of its responsible, handling and receiving unit that resolves,
        through the public :func:`~xinfang.campaign.campaign_unit_index`);
        the cases the campaign would not place (:func:`~xinfang.campaign.unplaced_cases`)
        are worked out one by one. The result is then checked against
        :func:`~xinfang.campaign.snapshot_counts` of the same cases, unit by
        unit and count by count; if anything differs, every case is worked
        out alone (:meth:`of`), so a list always holds what the bulletin
        counted.
        """
        todo = [c for c in cases if (c.id, len(c.events), as_of) not in self._memo]
        if len(todo) < _BULK_FROM:
            for c in todo:
                self.of(c, as_of)
            return
        found = self._bulk(todo, as_of)
        if found is None:
            self.fallbacks += 1
            log.warning(
                "the column-wise counts of %d cases as of %s differ from the campaign's: "
                "each case is counted alone",
                len(todo),
                as_of,
            )
            for c in todo:
                self.of(c, as_of)
            return
        for c in todo:
            self._remember(c, as_of, found[c.id])

    def _bulk(self, cases: Sequence[Case], as_of: _dt.date) -> dict[str, Share] | None:
        rb, cal, org, camp = self.rulebook, self.calendar, self.org, self.campaign
        cols = CaseColumns(
            cases,
            as_of_day(as_of, rb),
            drop_unregistered=True,
            read=(*clock_columns(rb), *SNAPSHOT_COLUMNS),
        )
        seen = cols.cases
        out = {c.id: Share(None, {}) for c in cases}  # registered after the day: in no count
        if not seen:
            return out
        resolved = [
            campaign_unit_index([getattr(c, f) or None for c in seen], camp, org)
            for f in ("responsible_unit", "handling_unit", "receiving_unit")
        ]
        unit = np.where(
            resolved[0] >= 0, resolved[0], np.where(resolved[1] >= 0, resolved[1], resolved[2])
        )
        stopped = unplaced_cases(seen, org, camp)
        placed = (unit >= 0) & ~np.isin(np.arange(len(seen)), list(stopped))
        rows = np.flatnonzero(placed)
        if len(rows):
            per_case = attrs.evolve(
                camp, units=tuple(f"#{k}" for k in range(len(rows))), agenda_limit=0
            )
            bins = np.full(len(seen), -1, dtype=np.int64)
            bins[rows] = np.arange(len(rows))
            counted = count_columns(
                per_case,
                cols,
                unit=bins,
                target=np.fromiter((c.id in camp.target_set for c in seen), bool, len(seen)),
                case_id=lambda k: seen[k].id,
                rulebook=rb,
                calendar=cal,
            )
            table = [(name, list(values)) for name, values in counted.counts]
            for j, k in enumerate(rows.tolist()):
                out[seen[k].id] = Share(
                    camp.units[int(unit[k])], {name: v[j] for name, v in table if v[j]}
                )
        for k in stopped:
            out[seen[k].id] = self.of(seen[k], as_of)
        # The check: the cases' counts add up to the campaign's own, unit by unit.
        real = snapshot_counts(camp, list(cases), org, as_of=as_of, rulebook=rb, calendar=cal)
        sums: dict[tuple[str | None, str], int] = {}
        for share in out.values():
            for name, v in share.counts.items():
                sums[share.bin, name] = sums.get((share.bin, name), 0) + v
        for name, values in real.counts:
            for i, u in enumerate(real.units):
                if sums.get((u, name), 0) != values[i]:
                    return None
        for name, v in real.unplaced_counts:
            if sums.get((UNPLACED, name), 0) != v:
                return None
        if any(b is None for b, _ in sums):
            return None
        return out

    def of(self, case: Case, as_of: _dt.date) -> Share:
        """The case's part in each count as of ``as_of``: :func:`snapshot_counts` of it alone."""
        key = (case.id, len(case.events), as_of)
        found = self._memo.get(key)
        if found is not None:
            self._memo.move_to_end(key)
            return found
        sc = snapshot_counts(
            self.campaign,
            [case],
            self.org,
            as_of=as_of,
            rulebook=self.rulebook,
            calendar=self.calendar,
        )
        bin_: str | None = None
        counts: dict[str, int] = {}
        cases_in = sc.count("cases")
        for i, unit in enumerate(sc.units):
            if cases_in[i]:
                bin_ = unit
                counts = {name: v[i] for name, v in sc.counts if v[i]}
        if sc.unplaced_counts and dict(sc.unplaced_counts)["cases"]:
            bin_ = UNPLACED
            counts = {name: v for name, v in sc.unplaced_counts if v}
        return self._remember(case, as_of, Share(bin_, counts))


class CountIndex:
    """The cases behind each count, by bin: built once from every case's :class:`Share`.

    ``cases_in(unit, count)`` are the whole cases a list reached from a
    count holds (``unit``: a campaign unit, :data:`ALL_UNITS` for the total
    row, :data:`UNPLACED`, or ``None`` for any bin; ``count``: a count name,
    or ``None`` for every case of the bin), in the order given (id order).
    It selects exactly what the per-case rule selects (``share.bin`` and a
    non-zero ``share.counts[count]``): the list's filter still runs on them.
    """

    __slots__ = ("_by",)

    def __init__(
        self, cases: Sequence[Case | RedactedCase], share_of: Callable[[Case], Share]
    ) -> None:
        by: dict[tuple[str | None, str | None], list[Case]] = {}
        for case in cases:
            if not isinstance(case, Case):
                continue  # known to exist only: in no count
            share = share_of(case)
            if share.bin is None:
                continue
            bins: tuple[str | None, ...] = (
                (share.bin, None) if share.bin == UNPLACED else (share.bin, ALL_UNITS, None)
            )
            for b in bins:
                by.setdefault((b, None), []).append(case)
                for name in share.counts:
                    by.setdefault((b, name), []).append(case)
        self._by = by

    def cases_in(self, unit: str | None, count: str | None) -> Sequence[Case]:
        """The cases of ``unit``'s bin in ``count`` (every case of the bin when ``None``)."""
        return self._by.get((unit, count), ())
