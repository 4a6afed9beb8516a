"""Campaign snapshots: counts add up, lists are disjoint, snapshots are pure and monotone."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from xinfang.strategies import cases, organizations

if TYPE_CHECKING:
    from pathlib import Path

D = dt.date
WORLD = x.demo_world()
SNAP = x.snapshot(
    WORLD.campaign, WORLD.cases, WORLD.org, as_of=WORLD.as_of, calendar=WORLD.calendar
)


def check_counts(snap: x.Snapshot) -> None:
    for p in (*snap.units, snap.overall):
        assert p.settled + p.open == p.targets
        assert p.in_handling <= p.open
        assert p.plans_incomplete <= p.open
    for field in ("targets", "settled", "open", "overdue", "new_intake", "beijing_visits"):
        assert getattr(snap.overall, field) == sum(getattr(p, field) for p in snap.units)
    commended = {item.unit for item in snap.commend}
    admonished = {item.unit for item in snap.admonish}
    assert not commended & admonished
    assert all(item.reasons for item in (*snap.commend, *snap.admonish))


class TestDemo:
    """The demo corps' campaign as of 2026-11-27."""

    def test_counts_add_up_and_lists_are_disjoint(self) -> None:
        """Settled + open = targets, per unit and overall; no unit both commended and admonished."""
        check_counts(SNAP)
        assert SNAP.overall.targets == len(WORLD.campaign.targets)
        assert len(SNAP.units) == 8

    def test_pure(self) -> None:
        """The same inputs give the same snapshot."""
        again = x.snapshot(
            WORLD.campaign, WORLD.cases, WORLD.org, as_of=WORLD.as_of, calendar=WORLD.calendar
        )
        assert again == SNAP
        assert x.demo_world() == WORLD

    def test_burndown_is_monotone_without_relapses(self) -> None:
        """A settled case stays settled: the open target count never rises."""
        assert not any(e.kind == "relapsed" for c in WORLD.cases for e in c.events)
        points = x.trend(
            WORLD.campaign, WORLD.cases, WORLD.org, as_of=WORLD.as_of, calendar=WORLD.calendar
        )
        assert points[-1] == (WORLD.as_of, SNAP.overall.open)
        opens = [n for _, n in points]
        assert opens == sorted(opens, reverse=True)
        assert points[0] == (WORLD.campaign.start, len(WORLD.campaign.targets))

    def test_rates_are_the_documented_formulas(self) -> None:
        """Settlement rate = settled / targets; satisfaction = (satisfied + basically) / rated."""
        p = SNAP.overall
        counters = dict(p.counters)
        assert p.rate("settlement") == round(p.settled / p.targets, 6)
        rated = counters["rated"]
        expected = round((counters["satisfied"] + counters["basically_satisfied"]) / rated, 6)
        assert p.rate("satisfaction") == expected

    def test_next_review_and_agenda(self) -> None:
        """The next review follows as_of; its agenda lists open clocks due before it, sorted."""
        assert SNAP.next_review is not None and SNAP.next_review > WORLD.as_of
        assert all(a.due <= SNAP.next_review for a in SNAP.agenda)
        assert list(SNAP.agenda) == sorted(
            SNAP.agenda, key=lambda a: (a.due, a.unit, a.case_id, a.clock)
        )
        assert SNAP.follow_up == tuple(item.unit for item in SNAP.admonish)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[x.Organization, x.Campaign, list[x.Case]]:
    org = draw(organizations(max_units=8))
    top = [u.id for u in org.units if u.parent == org.root.id] or [org.root.id]
    many = draw(st.lists(cases(org=org, max_steps=10), max_size=8, unique_by=lambda c: c.id))
    targets = [c.id for c in many if draw(st.booleans())]
    campaign = x.Campaign(
        id="c",
        name="攻坚",
        units=top,
        start=D(2021, 1, 1),
        end=D(2026, 6, 30),
        targets=targets,
        intake_baseline=draw(st.integers(0, 50)),
    )
    return org, campaign, many


class TestProperties:
    """Over random organisations, cases and campaigns."""

    @given(worlds(), st.dates(D(2021, 1, 1), D(2026, 6, 30)))
    def test_counts_add_up(
        self, w: tuple[x.Organization, x.Campaign, list[x.Case]], as_of: dt.date
    ) -> None:
        """Counts add up and lists are disjoint for every world and date."""
        org, campaign, many = w
        try:
            snap = x.snapshot(campaign, many, org, as_of=as_of)
        except x.CalendarRangeError:
            return
        check_counts(snap)
        assert snap == x.snapshot(campaign, many, org, as_of=as_of)


class TestLoading:
    """A campaign is data."""

    def test_from_toml(self, tmp_path: Path) -> None:
        """A TOML file with dates, units, targets and a custom rate formula."""
        path = tmp_path / "c.toml"
        path.write_text(
            """
id = "c1"
name = "攻坚"
units = ["D1", "D2"]
start = 2026-03-01
end = 2026-12-31
targets = ["XF-1", "XF-2"]
review_dates = [2026-04-01, 2026-06-01]
points_beijing_visit = 3.0

[rates.reply]
numerator = ["replied"]
denominator = ["targets"]
""",
            encoding="utf-8",
        )
        campaign = x.load_campaign(path)
        assert campaign.reviews() == (D(2026, 4, 1), D(2026, 6, 1))
        assert ("reply", ("replied",), ("targets",)) in campaign.rates
        assert any(r[0] == "satisfaction" for r in campaign.rates)

    def test_bad_campaign(self) -> None:
        """A rate over an unknown counter, or an end before the start, is refused."""
        with pytest.raises(x.PolicyError, match="counters"):
            x.load_campaign(
                {
                    "id": "c",
                    "name": "n",
                    "units": ["D1"],
                    "start": "2026-03-01",
                    "end": "2026-12-31",
                    "targets": [],
                    "rates": {"x": {"numerator": ["luck"], "denominator": ["targets"]}},
                }
            )
        with pytest.raises(x.PolicyError, match="ends before"):
            x.load_campaign(
                {
                    "id": "c",
                    "name": "n",
                    "units": ["D1"],
                    "start": "2026-03-01",
                    "end": "2026-01-01",
                    "targets": [],
                }
            )


def test_agenda_is_the_most_urgent_open_clocks() -> None:
    """The agenda: the agenda_limit most urgent open body clocks due by the next review."""
    small = x.Campaign(
        id=WORLD.campaign.id,
        name=WORLD.campaign.name,
        units=WORLD.campaign.units,
        start=WORLD.campaign.start,
        end=WORLD.campaign.end,
        targets=WORLD.campaign.targets,
        agenda_limit=5,
    )
    snap = x.snapshot(small, WORLD.cases, WORLD.org, as_of=WORLD.as_of, calendar=WORLD.calendar)
    assert snap.next_review is not None
    units = {p.unit for p in snap.units}
    # Each case as it stood on as_of, kept when it then sat in a campaign unit.
    then = [x.replay([e for e in c.events if e.at.date() <= WORLD.as_of]) for c in WORLD.cases]
    expected = sorted(
        (c.due, c.case_id, c.key)
        for case in then
        if case.handling_unit in units
        for c in x.clocks(case, as_of=WORLD.as_of, calendar=WORLD.calendar)
        if c.status.is_open and c.due <= snap.next_review and c.obligor == "body"
    )
    assert snap.agenda_total == len(expected) == SNAP.agenda_total
    assert len(snap.agenda) == min(5, len(expected))
    assert all(a.unit in units for a in snap.agenda)
    got = [(a.due, a.case_id, a.clock) for a in snap.agenda]
    assert [g[0] for g in got] == [e[0] for e in expected[: len(got)]]
