"""Campaign snapshots: counts add up, lists are disjoint, snapshots are pure and monotone."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from shared_world import world
from xinfang.demo import demo_world
from xinfang.strategies import cases, organizations

if TYPE_CHECKING:
    from pathlib import Path

D = dt.date
WORLD = world()
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
        assert demo_world() == WORLD

    def test_burndown_is_monotone_without_relapses(self) -> None:
        """A settled case stays settled: the open target count never rises."""
        assert not any(e.kind == "relapsed" for c in WORLD.cases for e in c.events)
        points = x.campaign.trend(
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
    # Any units, nested or not: a case counts for the nearest one above its unit.
    top = draw(st.lists(st.sampled_from([u.id for u in org.units]), min_size=1, unique=True))
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

    @given(worlds(), st.data())
    def test_counts_add_up_in_the_whole_and_in_parts(
        self, w: tuple[x.Organization, x.Campaign, list[x.Case]], data: st.DataObject
    ) -> None:
        """Counts add up, lists are disjoint, and counts of parts add up to the whole.

        For every world and date: settled + open = targets, per unit as counted case by
        case; and counts over any split of the cases, added, finish to the snapshot of
        all of them. One test for both properties (they were two tests drawing the same worlds and
        days): drawing a world is most of the cost, and both hold of every world and day.
        """
        org, campaign, many = w
        # Mostly a day when something happened (most random dates precede every case).
        days = sorted({x.periods.local_date(e.at) for c in many for e in c.events})
        any_day = st.dates(D(2021, 1, 1), D(2026, 6, 30))
        as_of = data.draw(st.one_of(st.sampled_from(days), any_day) if days else any_day)
        part_of = data.draw(st.lists(st.integers(0, 2), min_size=len(many), max_size=len(many)))
        parts = [[c for c, p in zip(many, part_of, strict=True) if p == k] for k in range(3)]
        try:
            snap = x.snapshot(campaign, many, org, as_of=as_of)
        except x.errors.CalendarRangeError:
            return
        # the whole
        check_counts(snap)
        assert snap == x.snapshot(campaign, many, org, as_of=as_of)
        assert {p.unit: p.targets for p in snap.units} == unit_targets(campaign, many, org, as_of)
        assert {
            p.unit: (p.in_handling, p.plans_incomplete, p.new_intake, p.beijing_visits)
            for p in snap.units
        } == unit_tallies(campaign, many, org, as_of)
        # the parts
        counts = [x.campaign.snapshot_counts(campaign, part, org, as_of=as_of) for part in parts]
        total = sum(counts[1:], counts[0])
        assert total == sum(counts)  # sum() starts from 0
        assert total.cases == sum(c.cases for c in counts)
        assert x.campaign.finish_snapshot(campaign, total, org) == snap

    def test_counts_of_another_campaign_or_day_do_not_add(self) -> None:
        """Adding counts of different days (or campaigns) is refused, not silently summed."""
        c, cal = WORLD.campaign, WORLD.calendar
        a = x.campaign.snapshot_counts(c, WORLD.cases, WORLD.org, as_of=WORLD.as_of, calendar=cal)
        b = x.campaign.snapshot_counts(
            c, WORLD.cases, WORLD.org, as_of=WORLD.as_of - dt.timedelta(days=1), calendar=cal
        )
        with pytest.raises(x.XinfangError, match="cannot be added"):
            _ = a + b
        assert x.campaign.finish_snapshot(c, a, WORLD.org) == SNAP


def unit_targets(
    campaign: x.Campaign, many: list[x.Case], org: x.Organization, as_of: dt.date
) -> dict[str, int]:
    """Targets per unit, counted case by case.

    A case counts for the first of its responsible, handling and receiving unit
    (as of the date) that is, or lies under, a campaign unit.
    """
    counts = dict.fromkeys(campaign.units, 0)
    for case in many:
        kept = [e for e in case.events if x.periods.local_date(e.at) <= as_of]
        if not kept or case.id not in campaign.targets:
            continue
        then = x.replay(kept)
        for unit in (then.responsible_unit, then.handling_unit, then.receiving_unit):
            if unit and org.has_unit(unit):
                mine = [u for u in (unit, *org.ancestors(unit)) if u in campaign.units]
                if mine:
                    counts[mine[0]] += 1
                    break
    return counts


def unit_tallies(
    campaign: x.Campaign, many: list[x.Case], org: x.Organization, as_of: dt.date
) -> dict[str, tuple[int, int, int, int]]:
    """In handling, plans incomplete, new intake and Beijing visits per unit, case by case."""
    tallies = {u: [0, 0, 0, 0] for u in campaign.units}
    grace_over = (as_of - campaign.start).days > campaign.plan_grace_days
    for case in many:
        kept = [e for e in case.events if x.periods.local_date(e.at) <= as_of]
        if not kept or case.on.received > as_of:
            continue
        then = x.replay(kept)
        unit = next(
            (
                u
                for owner in (then.responsible_unit, then.handling_unit, then.receiving_unit)
                if owner and org.has_unit(owner)
                for u in (owner, *org.ancestors(owner))
                if u in campaign.units
            ),
            None,
        )
        if unit is None:
            continue
        target = case.id in campaign.targets
        open_target = target and not then.settled
        new = not target and campaign.start <= then.on.received <= as_of
        final = (
            x.vocabulary.Stage.DECLINED,
            x.vocabulary.Stage.WITHDRAWN,
            x.vocabulary.Stage.FINAL,
        )
        tallies[unit][0] += open_target and then.stage not in final
        tallies[unit][1] += (
            open_target and grace_over and (then.plan is None or not then.plan.is_complete)
        )
        tallies[unit][2] += new
        tallies[unit][3] += new and then.beijing_visit
    return {u: (a, b, c, d) for u, (a, b, c, d) in tallies.items()}


def test_a_case_registered_after_the_day_is_not_yet_counted() -> None:
    """Received late on the day but registered after midnight: left out, not an error."""
    from helpers import register, t

    late, _ = x.open_case(register(t(2026, 3, 2, 23)), t(2026, 3, 3, 8), by="clerk")
    on_time, _ = x.open_case(register(t(2026, 3, 2), case_id="XF-2"), t(2026, 3, 2), by="clerk")
    org = x.Organization(
        levels=("city",),
        units=[x.responsibility.Unit(id="市信访局", name="市信访局", level="city")],
    )
    campaign = x.Campaign(
        id="c",
        name="攻坚",
        units=["市信访局"],
        start=D(2026, 3, 1),
        end=D(2026, 12, 31),
        targets=["XF-1", "XF-2"],
    )
    assert late.on.received == D(2026, 3, 2)
    snap = x.snapshot(campaign, [late, on_time], org, as_of=D(2026, 3, 2))
    assert snap.overall.targets == 1
    assert x.snapshot(campaign, [late, on_time], org, as_of=D(2026, 3, 3)).overall.targets == 2


def test_an_aware_instant_counts_as_its_day_in_the_rulebook_zone() -> None:
    """as_of as an aware datetime: the snapshot of its Beijing day (it raised TypeError)."""
    w = demo_world()
    beijing = dt.timezone(dt.timedelta(hours=8))
    late = dt.datetime(2026, 11, 26, 20, tzinfo=dt.UTC)  # 04:00 on the 27th in Beijing
    cal = w.calendar
    got = x.snapshot(w.campaign, w.cases, w.org, as_of=late, calendar=cal)
    assert got == x.snapshot(w.campaign, w.cases, w.org, as_of=D(2026, 11, 27), calendar=cal)
    noon = dt.datetime(2026, 11, 27, 12, tzinfo=beijing)
    assert x.snapshot(w.campaign, w.cases, w.org, as_of=noon, calendar=cal) == got


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
        with pytest.raises(x.errors.PolicyError, match="counters"):
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
        with pytest.raises(x.errors.PolicyError, match="ends before"):
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
        if (c.status.is_open and c.due <= snap.next_review and c.obligor == "body")
        # issue 26: an overdue settlement plan is on the agenda too (its owner named)
        or (c.kind is x.rulebook.LimitKind.PLAN and c.status is x.ClockStatus.OVERDUE)
    )
    assert snap.agenda_total == len(expected) == SNAP.agenda_total
    assert len(snap.agenda) == min(5, len(expected))
    assert all(a.unit in units for a in snap.agenda)
    got = [(a.due, a.case_id, a.clock) for a in snap.agenda]
    assert [g[0] for g in got] == [e[0] for e in expected[: len(got)]]
    status = {
        (case.id, c.key): c.status.value
        for case in then
        for c in x.clocks(case, as_of=WORLD.as_of, calendar=WORLD.calendar)
    }
    assert [a.status for a in snap.agenda] == [status[a.case_id, a.clock] for a in snap.agenda]


def test_a_case_counts_for_its_responsible_then_handling_then_receiving_unit() -> None:
    """The first of those units that is, or lies under, a campaign unit takes the case."""
    from helpers import register, t

    units = [x.responsibility.Unit(id="HQ", name="总队", level="corps")]
    units += [
        x.responsibility.Unit(id=f"D{i}", name=f"支队{i}", level="detachment", parent="HQ")
        for i in (1, 2, 3)
    ]
    units.append(x.responsibility.Unit(id="S3", name="大队", level="brigade", parent="D3"))
    org = x.Organization(levels=("corps", "detachment", "brigade"), units=units)
    day = t(2026, 3, 2)
    assign = x.changes.Assign(to_unit="D2", report_back_by=D(2026, 4, 1))
    owner = x.changes.AssignRole(
        role=x.vocabulary.Role.RESPONSIBLE_UNIT, holder="S3", reason="分工"
    )
    histories: dict[str, tuple[str, list[x.Change]]] = {
        "A": ("D1", []),  # receiving unit only -> D1
        "B": ("D1", [assign]),  # handling unit first -> D2
        "C": ("D1", [assign, owner]),  # responsible unit, via its parent -> D3
        "D": ("外省", [assign]),  # an unknown receiving unit is passed over -> D2
        "E": ("HQ", []),  # nothing in scope -> counted nowhere
    }
    many = []
    for case_id, (receiver, changes) in histories.items():
        first = register(day, case_id=case_id, receiving_unit=receiver)
        steps = [first, *changes]
        many.append(
            x.replay(x.Event(seq=i, at=day, by="c", change=ch) for i, ch in enumerate(steps, 1))
        )
    campaign = x.Campaign(
        id="c",
        name="攻坚",
        units=["D1", "D2", "D3"],
        start=D(2026, 3, 1),
        end=D(2026, 12, 31),
        targets=list(histories),
        intake_baseline=0,
    )
    snap = x.snapshot(campaign, many, org, as_of=D(2026, 3, 31))
    assert {p.unit: p.targets for p in snap.units} == {"D1": 1, "D2": 2, "D3": 1}
    assert unit_targets(campaign, many, org, D(2026, 3, 31)) == {"D1": 1, "D2": 2, "D3": 1}


def test_burndown_labels_do_not_overlap() -> None:
    """Every point has a dot; a count label only where it clears the next one."""
    from xinfang.report._chart import svg_burndown

    points = [(D(2026, 3, 1), 320), (D(2026, 6, 1), 150), (D(2026, 11, 26), 63)]
    svg = svg_burndown([*points, (D(2026, 11, 27), 62)], "燃尽图")
    assert svg.count("<circle") == 4
    assert ">63</text>" not in svg  # a day before the last point: no room
    assert all(f">{n}</text>" in svg for n in (320, 150, 62))
