"""Reconciliation (issue 21): each case of the input is placed, outside for a reason, or not placed.

Cases in = placed (under a campaign unit that exists) + outside the campaign
(registered after the date, or no unit of it is under a campaign unit) + not
placed (未归属: an id the organisation does not know stopped the rule). The
targets reconcile the same way, plus the target ids no case has. Design
principle 8 ("every count reconciles") and the bulletin rules of
``docs/campaign.md``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from shared_world import world
from xinfang import report
from xinfang.campaign import Reconciliation, require_references, unplaced_cases
from xinfang.cli import main
from xinfang.columnar._engine import unknown_id_rows
from xinfang.serialization import to_toml
from xinfang.strategies import cases, organizations

from helpers import register, t

D = dt.date
WORLD = world()
#: Ids no generated organisation has: a name written for an id, typos, another office.
WRONG = ("第一支队", "单位1", "U1 ", "u1", "U99", "外省信访局", "U0-H ", "nobody")


# ------------------------------------------------------------------ the oracle
def placement(
    case: x.Case, org: x.Organization, campaign: x.Campaign, as_of: dt.date
) -> tuple[str, str]:
    """Where one case goes: ("placed", unit), ("outside", why) or ("unplaced", code).

    The rule as ``docs/campaign.md`` states it: the responsible, handling and
    receiving unit are read in turn until one is (under) a campaign unit; an
    unknown unit reached first, or an unknown official in the chain, stops it.
    """
    kept = [e for e in case.events if x.periods.local_date(e.at) <= as_of]
    if not kept or case.on.received > as_of:
        return "outside", "not_yet_registered"
    then = x.replay(kept)
    found: str | None = None
    for unit in (then.responsible_unit, then.handling_unit, then.receiving_unit):
        if not unit:
            continue
        if not org.has_unit(unit):
            return "unplaced", "unknown_unit"
        mine = [u for u in (unit, *org.ancestors(unit)) if u in campaign.units]
        if mine:
            found = mine[0]
            break
    people = [h.holder for h in then.roles if h.role is not x.vocabulary.Role.RESPONSIBLE_UNIT]
    if any(not org.has_official(p) for p in people):
        return "unplaced", "unknown_official"
    return ("placed", found) if found else ("outside", "unit_not_covered")


def spoil(case: x.Case, data: st.DataObject) -> x.Case:
    """The case with one id its events write replaced by a wrong one (when its events allow)."""
    spots = [
        (i, name)
        for i, e in enumerate(case.events)
        for name in ("receiving_unit", "to_unit", "holder")
        if isinstance(getattr(e.change, name, None), str)
    ]
    if not spots:
        return case
    i, name = data.draw(st.sampled_from(spots))
    events = list(case.events)
    old: Any = events[i].change
    change = attrs.evolve(old, **{name: data.draw(st.sampled_from(WRONG))})
    events[i] = attrs.evolve(events[i], change=change)
    try:
        return x.replay(events)
    except x.XinfangError:  # e.g. a later release of the holder replaced
        return case


def localise(case: x.Case, data: st.DataObject, ids: list[str]) -> x.Case:
    """The case with every unit its events write drawn from the organisation's ids."""
    events = []
    for e in case.events:
        names = [
            n for n in ("receiving_unit", "to_unit") if isinstance(getattr(e.change, n, None), str)
        ]
        old: Any = e.change
        change = attrs.evolve(old, **{n: data.draw(st.sampled_from(ids)) for n in names})
        events.append(attrs.evolve(e, change=change))
    return x.replay(events)


def with_lead(case: x.Case, holder: str) -> x.Case:
    """The case with a lead official assigned after its last event (when the fold allows it)."""
    last = case.events[-1]
    lead = x.changes.AssignRole(role=x.vocabulary.Role.LEAD_OFFICIAL, holder=holder, reason="包案")
    try:
        return x.replay([*case.events, x.Event(seq=last.seq + 1, at=last.at, by="c", change=lead)])
    except x.XinfangError:
        return case


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[x.Organization, x.Campaign, list[x.Case], dt.date]:
    """An organisation, a campaign (with some wrong targets and units), spoilt cases, a day."""
    org = draw(organizations(max_units=6))
    ids = [u.id for u in org.units]
    units = draw(st.lists(st.sampled_from([*ids, "U99", "第一支队"]), min_size=1, unique=True))
    many = draw(st.lists(cases(org=org, max_steps=6), max_size=6, unique_by=lambda c: c.id))
    data = draw(st.data())
    many = [localise(c, data, ids) for c in many]
    people = [o.id for o in org.officials] + ["nobody", "U0-H "]
    many = [with_lead(c, draw(st.sampled_from(people))) if draw(st.booleans()) else c for c in many]
    many = [spoil(c, data) if draw(st.integers(0, 2)) == 0 else c for c in many]
    targets = [c.id for c in many if draw(st.booleans())]
    targets += draw(st.lists(st.sampled_from(["XF-0000-000000", "XF-9999-999999"]), unique=True))
    campaign = x.Campaign(
        id="c", name="攻坚", units=units, start=D(2021, 1, 1), end=D(2026, 6, 30), targets=targets
    )
    days = sorted({x.periods.local_date(e.at) for c in many for e in c.events})
    any_day = st.dates(D(2021, 1, 1), D(2026, 6, 30))
    as_of = draw(st.one_of(st.sampled_from(days), any_day) if days else any_day)
    return org, campaign, many, as_of


class TestProperty:
    """Over random ledgers with random wrong references."""

    @given(ledgers(), st.lists(st.integers(0, 1), min_size=6, max_size=6))
    def test_every_case_is_placed_outside_or_not_placed(
        self,
        w: tuple[x.Organization, x.Campaign, list[x.Case], dt.date],
        part_of: list[int],
    ) -> None:
        """Placed + outside + not placed = input, case by case, both paths; none under a bad id."""
        org, campaign, many, as_of = w
        try:
            snap = x.snapshot(campaign, many, org, as_of=as_of)
        except x.errors.CalendarRangeError:
            return
        r = snap.reconciliation
        where = [placement(c, org, campaign, as_of) for c in many]
        # cases in = placed + outside + not placed, and each part is the oracle's
        assert r.cases == len(many) == r.placed + r.outside + r.not_placed
        assert r.balanced
        placed = [u for kind, u in where if kind == "placed"]
        assert {p.unit: p.cases for p in snap.units} == {
            u: placed.count(u) for u in campaign.units if org.has_unit(u)
        }
        assert sum(p.cases for p in snap.units) == r.placed == snap.overall.cases
        assert dict(r.outside_by_reason) == {
            why: where.count(("outside", why)) for why in x.campaign.OUTSIDE_REASONS
        }
        assert r.not_placed == sum(kind == "unplaced" for kind, _ in where)
        # nothing is placed, or shown, under an id that does not exist
        assert all(org.has_unit(p.unit) for p in snap.units)
        assert r.missing_units == tuple(u for u in campaign.units if not org.has_unit(u))
        assert {g.code for g in r.unplaced} <= {"unknown_unit", "unknown_official"}
        assert all(not org.has_unit(g.unknown) for g in r.unplaced if g.code == "unknown_unit")
        # the targets reconcile too
        outside_targets = r.not_yet_registered_targets + r.unit_not_covered_targets
        assert r.targets == (
            r.placed_targets + outside_targets + r.not_placed_targets + len(r.unknown_targets)
        )
        assert r.placed_targets == snap.overall.targets
        # the not placed cases' own row: counted, outside every unit and the total
        if r.not_placed:
            row = snap.unplaced
            assert row is not None and (row.cases, row.targets) == (
                r.not_placed,
                r.not_placed_targets,
            )
            assert row.settled + row.open == row.targets
        else:
            assert snap.unplaced is None
        # counts of parts add up to the whole, reconciliation included
        parts = [[c for c, p in zip(many, part_of, strict=False) if p == k] for k in (0, 1)]
        parts[1] += many[len(part_of) :]
        total = sum(x.campaign.snapshot_counts(campaign, part, org, as_of=as_of) for part in parts)
        assert x.campaign.finish_snapshot(campaign, total, org) == snap  # type: ignore[arg-type]
        # the columnar engine reconciles the same way, and finds every case naming an unknown id
        journal = x.columnar.journal_from_cases(many)
        assert x.columnar.journal_snapshot(journal, campaign, org, as_of=as_of) == snap
        ids = journal.milestones.column("case_id").to_pylist()
        rows = unknown_id_rows(journal.milestones, journal.events, org)
        named = {p.case_id for p in x.campaign.check_references(many, org) if p.case_id}
        assert named <= {ids[k] for k in rows}
        # the check finds exactly the cases the snapshot does not place (as of a late day)
        late = max([as_of, *(x.periods.local_date(e.at) for c in many for e in c.events)])
        stopped = {
            p.case_id for p in x.campaign.check_references(many, org, campaign) if p.unplaced
        }
        assert stopped == {c.id for c in many if placement(c, org, campaign, late)[0] == "unplaced"}
        assert set(unplaced_cases(many, org, campaign)) == {
            k for k, c in enumerate(many) if c.id in stopped
        }


# ------------------------------------------------------------ examples by reason
UNITS = [x.responsibility.Unit(id="HQ", name="总队", level="corps")]
UNITS += [
    x.responsibility.Unit(id=f"D{i}", name=f"第{'一二三'[i - 1]}支队", level="d", parent="HQ")
    for i in (1, 2, 3)
]
ORG = x.Organization(
    levels=("corps", "d"),
    units=UNITS,
    officials=[
        x.responsibility.Official(
            id="D1-H", name="王局长", unit="D1", post=x.responsibility.Post.HEAD
        )
    ],
)
CAMPAIGN = x.Campaign(
    id="c",
    name="攻坚",
    units=["D1", "D2"],
    start=D(2026, 3, 1),
    end=D(2026, 12, 31),
    targets=["T-1", "T-2"],
)
AS_OF = D(2026, 6, 30)


def _case(case_id: str, *changes: x.Change, on: dt.datetime | None = None, **kw: object) -> x.Case:
    day = on or t(2026, 4, 1)
    first = register(day, case_id=case_id, **kw)
    steps = [first, *changes]
    return x.replay(x.Event(seq=i, at=day, by="c", change=ch) for i, ch in enumerate(steps, 1))


def _one(case: x.Case, campaign: x.Campaign = CAMPAIGN) -> Reconciliation:
    return x.snapshot(campaign, [case], ORG, as_of=AS_OF).reconciliation


def _assign(unit: str) -> x.changes.Assign:
    return x.changes.Assign(to_unit=unit, report_back_by=D(2026, 5, 1))


class TestReasons:
    """One example per way a case can go."""

    def test_placed_target_new_intake_and_earlier(self) -> None:
        """A target, a new case and one received before the campaign are placed under D1."""
        target = _case("T-1", receiving_unit="D1")
        new = _case("N-1", receiving_unit="D1")
        earlier = _case("E-1", on=t(2026, 1, 5), receiving_unit="D1")
        snap = x.snapshot(CAMPAIGN, [target, new, earlier], ORG, as_of=AS_OF)
        r = snap.reconciliation
        assert (r.placed, r.placed_targets, r.placed_new, r.placed_earlier) == (3, 1, 1, 1)
        assert snap.unit("D1").cases == 3 and r.outside == r.not_placed == 0
        assert r.unknown_targets == ("T-2",)

    def test_registered_after_the_date_is_outside(self) -> None:
        """A case received after the snapshot date is outside: not yet registered."""
        r = _one(_case("T-1", on=t(2026, 7, 2), receiving_unit="D1"))
        assert (r.cases, r.not_yet_registered, r.not_yet_registered_targets) == (1, 1, 1)

    def test_a_unit_the_campaign_does_not_cover_is_outside(self) -> None:
        """Received and handled by HQ and D3, above or beside the campaign's units: outside."""
        r = _one(_case("N-1", receiving_unit="HQ"))
        assert (r.unit_not_covered, r.placed, r.not_placed) == (1, 0, 0)
        r = _one(_case("N-2", _assign("D3"), receiving_unit="HQ"))
        assert r.unit_not_covered == 1

    def test_a_unit_written_by_name_is_not_placed_with_its_id_as_nearest(self) -> None:
        """Assigned to "第一支队" (D1's name): not placed, nowhere counted; the nearest id is D1."""
        case = _case("T-1", _assign("第一支队"), receiving_unit="HQ")
        snap = x.snapshot(CAMPAIGN, [case], ORG, as_of=AS_OF)
        r = snap.reconciliation
        assert (r.placed, r.not_placed, r.not_placed_targets) == (0, 1, 1)
        assert sum(p.targets for p in snap.units) == 0
        (g,) = r.unplaced
        assert (g.code, g.field, g.unknown, g.nearest, g.first_case) == (
            "unknown_unit",
            "handling_unit",
            "第一支队",
            "D1",
            "T-1",
        )
        (p,) = [
            p for p in x.campaign.check_references([case], ORG, CAMPAIGN) if p.index is not None
        ]
        assert p.unplaced and p.index == 0 and p.source == "$.events[1].change.to_unit"
        assert str(p) == (
            "case T-1: handling_unit: unknown unit id '第一支队' (nearest known: D1), "
            "written at $.events[1].change.to_unit"
        )

    def test_a_typo_in_the_responsible_unit_is_not_placed(self) -> None:
        """A responsible unit "D22" stops the rule before the handling unit D2 could place it."""
        owner = x.changes.AssignRole(
            role=x.vocabulary.Role.RESPONSIBLE_UNIT, holder="D22", reason="分工"
        )
        r = _one(_case("N-1", _assign("D2"), owner, receiving_unit="HQ"))
        (g,) = r.unplaced
        assert (g.field, g.unknown, g.nearest) == ("roles[0].holder", "D22", "D2")

    def test_an_unknown_official_is_not_placed(self) -> None:
        """A lead official the organisation lacks ("D1-HH", near D1-H): not placed."""
        lead = x.changes.AssignRole(
            role=x.vocabulary.Role.LEAD_OFFICIAL, holder="D1-HH", reason="包案"
        )
        r = _one(_case("N-1", lead, receiving_unit="D1"))
        (g,) = r.unplaced
        assert (g.code, g.unknown, g.nearest) == ("unknown_official", "D1-HH", "D1-H")

    def test_an_unknown_receiving_unit_the_rule_never_reads_places_nothing(self) -> None:
        """Received by another province, assigned to D2: placed under D2; the id is reported."""
        case = _case("N-1", _assign("D2"), receiving_unit="外省信访局")
        assert _one(case).placed == 1
        (p,) = x.campaign.check_references([case], ORG)
        assert (p.field, p.unplaced) == ("receiving_unit", False)

    def test_a_target_with_no_case_is_reported_with_the_nearest_case_id(self) -> None:
        """Target "T-1x" has no case; the nearest case id is T-1."""
        campaign = attrs.evolve(CAMPAIGN, targets=["T-1x"])
        case = _case("T-1", receiving_unit="D1")
        r = _one(case, campaign)
        assert r.unknown_targets == ("T-1x",) and r.placed_targets == 0 and not r.complete
        (p,) = x.campaign.check_references([case], ORG, campaign)
        assert (p.code, p.field, p.nearest, p.index) == (
            "unknown_target",
            "targets[0]",
            "T-1",
            None,
        )

    def test_a_campaign_unit_missing_from_the_organisation_is_reported_not_a_row(self) -> None:
        """Campaign unit "D4" is not in the organisation: no row, listed as missing."""
        campaign = attrs.evolve(CAMPAIGN, units=["D1", "D4"])
        snap = x.snapshot(campaign, [_case("T-1", receiving_unit="D1")], ORG, as_of=AS_OF)
        assert [p.unit for p in snap.units] == ["D1"]
        assert snap.reconciliation.missing_units == ("D4",)
        with pytest.raises(x.XinfangError, match="'D4' is not in the organisation"):
            snap.unit("D4")
        (p,) = x.campaign.check_references([], ORG, campaign)[:1]
        assert (p.code, p.field, p.unknown) == (
            "campaign_unit_not_in_organization",
            "units[1]",
            "D4",
        )

    def test_require_references_names_every_problem(self) -> None:
        """The import check: one InvalidDataError, each problem with its case and field."""
        good = _case("T-1", receiving_unit="D1")
        bad = _case("N-1", _assign("第二支队"), receiving_unit="HQ")
        require_references([good], ORG)
        with pytest.raises(x.InvalidDataError) as caught:
            require_references([good, bad], ORG, source="ledger.jsonl")
        assert caught.value.problems == (
            (
                "case N-1: handling_unit",
                (
                    "unknown unit id '第二支队' (nearest known: D2), "
                    "written at $.events[1].change.to_unit"
                ),
            ),
        )

    def test_a_long_unknown_id_is_quoted_by_a_bounded_prefix(self) -> None:
        """A 10,000-character unit id is quoted, and shown, by its first 60 characters."""
        case = _case("N-1", _assign("囗" * 10_000), receiving_unit="HQ")
        (p,) = x.campaign.check_references([case], ORG)
        assert len(p.message) < 200 and "10000 characters" in p.message
        snap = x.snapshot(CAMPAIGN, [case], ORG, as_of=AS_OF)
        for fmt in ("md", "html"):  # the bulletin's cell too (JSON keeps the data whole)
            text = report.render(snap, format=fmt)
            assert "囗" * 60 + "… (10000)" in text and "囗" * 61 not in text


class TestBulletin:
    """Every rendering prints the reconciliation."""

    SNAP = x.snapshot(
        CAMPAIGN,
        [
            _case("T-1", receiving_unit="D1"),
            _case("T-2", _assign("第一支队"), receiving_unit="HQ"),
            _case("N-1", receiving_unit="HQ"),
        ],
        ORG,
        as_of=AS_OF,
    )

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_markdown_and_html_show_the_sums_and_the_row(self, lang: str) -> None:
        """Cases in 3 = placed 1 + outside 1 + not placed 1; the not-placed row names the id."""
        words = {
            "zh": ("输入事项 3 件 = 已归属 1 件", "未归属事项"),
            "en": ("Cases in: 3", "not placed"),
        }
        row = {
            "zh": "| 未归属(不计入合计) | 1 | 0 | 1 |",
            "en": "| Not placed (not in the total) | 1 | 0 | 1 |",
        }
        for fmt in ("md", "html"):
            text = report.render(self.SNAP, format=fmt, lang=lang)
            assert words[lang][0] in text and words[lang][1] in text
            assert "第一支队" in text and "D1" in text and "T-2" in text
        assert row[lang] in report.render(self.SNAP, format="md", lang=lang)

    def test_json_carries_the_numbers_and_the_rows(self) -> None:
        """The JSON bulletin: the reconciliation's numbers, balanced, and the row."""
        data = json.loads(report.render(self.SNAP, format="json", lang="en"))
        rec = data["reconciliation"]
        assert (rec["cases"], rec["placed"], rec["outside"], rec["not_placed"]) == (3, 1, 1, 1)
        assert rec["balanced"] and not rec["complete"] and "targets_found" not in rec
        assert rec["unplaced"][0]["unknown"] == "第一支队" and rec["unplaced"][0]["nearest"] == "D1"
        assert data["schema_version"] == report.JSON_SCHEMA_VERSION == 4
        assert (data["unplaced"]["targets"], data["unplaced"]["open"]) == (1, 1)

    def test_demo_bulletin_reconciles(self) -> None:
        """The demo: 480 in = 478 placed + 2 outside (HQ's own cases), nothing not placed."""
        w = WORLD
        r = x.snapshot(w.campaign, w.cases, w.org, as_of=w.as_of).reconciliation
        assert (r.cases, r.placed, r.unit_not_covered, r.not_placed) == (480, 478, 2, 0)
        assert r.complete and r.targets == r.placed_targets == 320


def test_the_columnar_counts_reconcile_as_the_value_path() -> None:
    """journal_snapshot places, leaves outside and leaves unplaced exactly as snapshot does."""
    lead = x.changes.AssignRole(role=x.vocabulary.Role.LEAD_OFFICIAL, holder="D1-HH", reason="包案")
    many = [
        _case("T-1", receiving_unit="D1"),
        _case("T-2", _assign("第一支队"), receiving_unit="HQ"),
        _case("N-1", receiving_unit="HQ"),
        _case("N-2", lead, receiving_unit="D1"),
        _case("N-3", on=t(2026, 8, 1), receiving_unit="D2"),
    ]
    want = x.snapshot(CAMPAIGN, many, ORG, as_of=AS_OF)
    got = x.columnar.journal_snapshot(
        x.columnar.journal_from_cases(many), CAMPAIGN, ORG, as_of=AS_OF
    )
    assert got == want
    r = got.reconciliation
    assert (r.cases, r.placed, r.outside, r.not_placed) == (5, 1, 2, 2)


# ------------------------------------------------------------------ the command
def _demo_with_a_unit_by_name(folder: Path) -> tuple[int, str, str, str]:
    """The demo export with one new case's assigned unit written by its name.

    Returns (line, case id, the name written, the unit id).
    """
    assert main(["demo", "--export", str(folder)]) == 0
    ledger = folder / "ledger.jsonl"
    lines = ledger.read_text(encoding="utf-8").splitlines()
    names = {u.id: u.name for u in WORLD.org.units}
    for k, line in enumerate(lines):
        doc = json.loads(line)
        moves = [e for e in doc["events"] if e["change"].get("to_unit") in names]
        if (
            doc["id"].startswith("XF-N")
            and moves
            and not any(e["change"]["kind"] == "role_assigned" for e in doc["events"])
        ):
            unit = moves[-1]["change"]["to_unit"]
            moves[-1]["change"]["to_unit"] = names[unit]
            lines[k] = json.dumps(doc, ensure_ascii=False)
            ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return k + 1, doc["id"], names[unit], unit
    raise AssertionError("no new case with a forwarding in the demo")  # pragma: no cover


def test_report_refuses_a_unit_written_by_name_and_renders_it_when_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`xinfang report` exits 1 naming line, case and id; --allow-unplaced shows the row."""
    line, case_id, name, unit = _demo_with_a_unit_by_name(tmp_path)
    capsys.readouterr()
    files = [
        "report",
        str(tmp_path / "ledger.jsonl"),
        "--org",
        str(tmp_path / "org.toml"),
        "--campaign",
        str(tmp_path / "campaign.toml"),
        "--as-of",
        "2026-11-27",
    ]
    assert main(files) == 1
    out, err = capsys.readouterr()
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"{tmp_path / 'ledger.jsonl'}:{line}: case {case_id}: handling_unit:")
    assert f"'{name}' (nearest known: {unit})" in first
    assert "--allow-unplaced" in err
    assert main([*files, "--allow-unplaced"]) == 0
    out, _ = capsys.readouterr()
    assert "输入事项 480 件 = 已归属 477 件 + 行动范围外 2 件 + 未归属 1 件" in out
    row = next(r for r in out.splitlines() if r.startswith("| 单位编号不存在"))
    assert f"| {name} | {unit} | 1 | 0 | {case_id} |" in row
    assert "1 件事项未归属" in out
    assert "| 未归属(不计入合计) | 0 | 0 | 0 | 0 | 0 | 0 | 1 (0) |" in out


def test_db_report_refuses_and_allows_the_same_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`xinfang db report` on a store holding the same ledger: exit 1, then the row."""
    _, case_id, name, unit = _demo_with_a_unit_by_name(tmp_path)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["db", "import", str(tmp_path / "ledger.jsonl"), "--db", db, "-q"]) == 0
    capsys.readouterr()
    files = ["--org", str(tmp_path / "org.toml"), "--campaign", str(tmp_path / "campaign.toml")]
    cmd = ["db", "report", "--db", db, *files, "--as-of", "2026-11-27"]
    assert main(cmd) == 1
    err = capsys.readouterr().err
    assert f"case {case_id}: handling_unit: unknown unit id '{name}' (nearest known: {unit})" in err
    assert main([*cmd, "--allow-unplaced", "--format", "json"]) == 0
    rec = json.loads(capsys.readouterr().out)["reconciliation"]
    assert (rec["cases"], rec["not_placed"], rec["unplaced"][0]["first_case"]) == (480, 1, case_id)


def test_validate_checks_the_references_across_the_three_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Validate --org --campaign: the unit by name, a target typo, a campaign unit not there."""
    line, case_id, _, _ = _demo_with_a_unit_by_name(tmp_path)
    ledger, org, campaign = (
        str(tmp_path / n) for n in ("ledger.jsonl", "org.toml", "campaign.toml")
    )
    capsys.readouterr()
    assert main(["validate", ledger, "-q"]) == 0  # the ledger alone is well formed
    text = (tmp_path / "campaign.toml").read_text(encoding="utf-8")
    text = text.replace('"XF-B0000"', '"XF-B00000"', 1).replace('"D8"', '"D88"', 1)
    (tmp_path / "campaign.toml").write_text(text, encoding="utf-8")
    assert main(["validate", ledger, "--org", org, "--campaign", campaign]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith(f"{ledger}:{line}: case {case_id}: handling_unit: unknown unit id")
    assert (
        f"{campaign}: units[7]: campaign unit not in the organisation 'D88' (nearest known: D8)"
        in lines
    )
    assert any(
        r.startswith(f"{campaign}: targets[0]: target with no case of this id 'XF-B00000'")
        and "nearest known: XF-B0000" in r
        for r in lines
    )
    assert "3 reference problem(s)" in err
    # the campaign alone: its targets against the ledger (the units need --org)
    assert main(["validate", ledger, "--campaign", campaign]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1 and "targets[0]" in out and "1 reference problem(s)" in err


def test_report_refuses_a_case_not_placed_on_the_day_though_fixed_later(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Responsible unit "D22" until July, then D2: a bulletin as of June refuses it (exit 1)."""
    first = register(t(2026, 4, 1), case_id="N-1", receiving_unit="HQ")
    steps: list[tuple[x.Change, dt.datetime]] = [
        (first, t(2026, 4, 1)),
        (
            x.changes.AssignRole(
                role=x.vocabulary.Role.RESPONSIBLE_UNIT, holder="D22", reason="分工"
            ),
            t(2026, 4, 2),
        ),
        (
            x.changes.AssignRole(
                role=x.vocabulary.Role.RESPONSIBLE_UNIT, holder="D2", reason="更正"
            ),
            t(2026, 7, 10),
        ),
    ]
    case = x.replay(x.Event(seq=i, at=at, by="c", change=ch) for i, (ch, at) in enumerate(steps, 1))
    paths = {name: tmp_path / name for name in ("ledger.jsonl", "org.toml", "campaign.toml")}
    paths["ledger.jsonl"].write_text(x.dump_ledger([case]), encoding="utf-8")
    paths["org.toml"].write_text(to_toml(ORG), encoding="utf-8")
    paths["campaign.toml"].write_text(to_toml(attrs.evolve(CAMPAIGN, targets=[])), encoding="utf-8")
    cmd = ["report", str(paths["ledger.jsonl"]), "--org", str(paths["org.toml"])]
    cmd += ["--campaign", str(paths["campaign.toml"]), "-q"]
    assert main([*cmd, "--as-of", "2026-07-31"]) == 0  # as it stands now: placed under D2
    capsys.readouterr()
    assert main([*cmd, "--as-of", "2026-06-30"]) == 1
    err = capsys.readouterr().err
    assert f"{paths['ledger.jsonl']}:1: case N-1: roles[0].holder: unknown unit id 'D22'" in err
    assert "(nearest known: D2), as of 2026-06-30 (1 case(s))" in err
    assert main([*cmd, "--as-of", "2026-06-30", "--allow-unplaced"]) == 0
    assert (
        "| 单位编号不存在 | roles\\[0\\].holder | D22 | D2 | 1 | 0 | N-1 |"
        in capsys.readouterr().out
    )


def test_the_campaign_guide_reconciliation_example_prints_what_it_shows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """docs/campaign.md: the reconciliation example runs alone and prints its text block."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "campaign.md").read_text("utf-8")
    section = page.split("### Reconciliation: where every case went", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    shown = section.split("```python\n", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "docs/campaign.md", "exec"), {})  # noqa: S102 - the page's own example
    assert capsys.readouterr().out == shown


def test_report_refuses_a_target_with_no_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A target id typed wrong in the campaign file: exit 1 naming it and the nearest case id."""
    assert main(["demo", "--export", str(tmp_path), "-q"]) == 0
    path = tmp_path / "campaign.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"XF-B0000"', '"XF-B00O0"', 1), encoding="utf-8"
    )
    files = ["--org", str(tmp_path / "org.toml"), "--campaign", str(path)]
    cmd = ["report", str(tmp_path / "ledger.jsonl"), *files, "--as-of", "2026-11-27"]
    capsys.readouterr()
    assert main(cmd) == 1
    err = capsys.readouterr().err
    assert (
        f"{path}: targets[0]: target with no case of this id 'XF-B00O0' (nearest known: XF-B0000)"
        in err
    )
    assert "1 reference problem(s): 1 id(s) of the campaign file that name nothing" in err
    assert main([*cmd, "--allow-unplaced", "--lang", "en", "-q"]) == 0
    out = capsys.readouterr().out
    assert "Targets: 320 = placed 319 + outside 0 + not placed 0 + no case with the id 1" in out
    assert "Target ids with no case in the ledger: XF-B00O0" in out
