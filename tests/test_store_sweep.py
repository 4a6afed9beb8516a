"""A store's milestones swept with the store itself as the source of the cases read as values.

Some cases cannot be swept from their milestones alone (a hearing before 1992,
an official or responsible unit the organisation lacks): the sweep reads them
whole. ``sweep_store`` (and ``journal=`` a case source) reads them from the
store, under the scope the milestones were read with (信访工作条例 Art. 30 ¶3:
a view never reads nor shows a case hidden from its viewer). On both backends
(PostgreSQL under CI=true never skips: ``store_helpers``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import store_helpers
import xinfang as x
from store_helpers import renamed
from test_columnar_reconcile_reads import CAMPAIGN as TWO_TARGETS
from test_columnar_reconcile_reads import SHAPES, _case
from test_reconciliation import ORG
from xinfang.campaign import finish_snapshot
from xinfang.instants import SHANGHAI
from xinfang.store import Store, ViewerStore, open_store

from helpers import examples, register, require

require("pyarrow", "the sweep of a store's milestones needs xinfang[columnar]")

import pyarrow as pa  # noqa: E402

from xinfang.columnar import (  # noqa: E402
    COMPANION_SCHEMA,
    journal_clocks,
    journal_from_cases,
    journal_from_store,
    milestones_from_store,
    sweep_milestones,
    sweep_store,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from xinfang.columnar import Sweep

store_url = store_helpers.store_url

#: After every event of every case built here.
LATE = dt.date(2026, 6, 30)
#: The accusation against D1 (hidden from D1's officials), needing a value read (a role).
HIDDEN = "ACC-1"
#: The 1990 case (its hearing's days uncertain: read as a value).
OLD = "OLD-1"
#: Weekends only, 1990 to 2027: a calendar that counts the 1990 case's days (the store's).
CAL = x.WorkCalendar(name="weekends", first=dt.date(1990, 1, 1), last=dt.date(2027, 12, 31))


#: The reconciliation tests' campaign, the accusation one of its targets too.
CAMPAIGN = attrs.evolve(TWO_TARGETS, targets=(*TWO_TARGETS.targets, HIDDEN))


def _at(y: int, m: int, d: int, h: int = 9) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def _old() -> x.Case:
    """A 1990 re-review heard across nights (Art. 36 ¶2 pauses it; China kept DST then)."""
    opinion = x.vocabulary.Outcome.NOT_SUPPORTED
    steps: list[tuple[x.Change, dt.datetime]] = [
        (register(_at(1990, 1, 2), case_id=OLD, receiving_unit="HQ"), _at(1990, 1, 2)),
        (x.changes.Accept(), _at(1990, 1, 2)),
        (x.changes.IssueOpinion(outcome=opinion, basis="缺乏事实根据"), _at(1990, 1, 20)),
        (x.changes.RequestReview(to_unit="省信访局"), _at(1990, 2, 5)),
        (x.changes.IssueReviewOpinion(outcome=opinion, basis="维持"), _at(1990, 3, 1)),
        (x.changes.RequestReReview(to_unit="国家信访局"), _at(1990, 3, 15)),
        (x.changes.StartHearing(), _at(1990, 4, 20, 23)),
        (x.changes.EndHearing(), _at(1990, 4, 25, 23)),
    ]
    return x.replay(
        x.Event(seq=i, at=when, by="c", change=ch) for i, (ch, when) in enumerate(steps, 1)
    )


def _accusation() -> x.Case:
    """An accusation against D1 naming an official ORG lacks (so a sweep would read it)."""
    day = _at(2026, 4, 2)
    steps: list[x.Change] = [
        x.changes.Register(
            case_id=HIDDEN,
            received_at=day,
            channel=x.vocabulary.Channel.LETTER,
            receiving_unit="HQ",
            petitioners=[x.personal.Petitioner(name="李四")],
            claims=[x.changes.Claim(request="检举")],
            category=x.vocabulary.Category.ACCUSATION,
            accused_units=("D1",),
        ),
        x.changes.AssignRole(role=x.vocabulary.Role.LEAD_OFFICIAL, holder="D1-HH", reason="包案"),
    ]
    return x.replay(x.Event(seq=i, at=day, by="c", change=ch) for i, ch in enumerate(steps, 1))


def _corpus() -> list[x.Case]:
    """Every shape of the reconciliation's cases, the 1990 case and the accusation."""
    return [_case(k, shape) for k, shape in enumerate(SHAPES)] + [_old(), _accusation()]


def _filled(s: Store, cases: Sequence[x.Case]) -> None:
    s.import_ledger(x.dump_ledger(cases, reveal_personal_data=True))


def _rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """A clocks table's rows, sorted (a sweep of a past day puts two parts together)."""
    return sorted(tuple(r.values()) for r in table.to_pylist())


def _same(got: Sweep, want: Sweep) -> None:
    assert got.clocks.num_rows > 0
    assert _rows(got.clocks) == _rows(want.clocks)
    assert got.counts == want.counts
    assert got.cases + got.not_yet_registered == want.cases + want.not_yet_registered


def _journal_sweep(s: Store, day: dt.date) -> Sweep:
    return journal_clocks(
        journal_from_store(s),
        as_of=day,
        rulebook=s.rulebook,
        calendar=s.calendar,
        campaign=CAMPAIGN,
        org=ORG,
    )


class Recorder:
    """A store (or view) whose ``cases`` reads are recorded: which ids a sweep asks for."""

    def __init__(self, store: Store | ViewerStore) -> None:
        self.store = store
        self.asked: list[str] = []
        self.rulebook = store.rulebook
        self.calendar = store.calendar

    def milestone_pages(self, batch: int = 500, *, unscoped: bool = False) -> Iterator[Any]:
        return self.store.milestone_pages(batch, unscoped=unscoped)

    def cases(self, case_ids: Sequence[str], *, unscoped: bool = False) -> list[x.Case]:
        self.asked.extend(case_ids)
        return self.store.cases(case_ids, unscoped=unscoped)

    def campaign_in_view(self, campaign: x.Campaign) -> x.Campaign:
        return self.store.campaign_in_view(campaign)


class Unscoped:
    """A host's case source reading every case of a store (back-office work that shows none)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.asked: list[str] = []

    def cases(self, case_ids: Sequence[str]) -> list[x.Case]:
        self.asked.extend(case_ids)
        return self.store.cases(case_ids, unscoped=True)


def test_the_rare_cases_are_read_from_the_store(store_url: str) -> None:
    """Cases needing a value read (1990 hearing, unknown official/unit): the journal's sweep."""
    with open_store(store_url, calendar=CAL) as s:
        _filled(s, _corpus())
        rows = pa.concat_tables(list(milestones_from_store(s, unscoped=True)))
        with pytest.raises(x.InvalidDataError, match=r"journal.*case \S+ is needed as a value"):
            sweep_milestones(rows, LATE, s.rulebook, s.calendar, campaign=CAMPAIGN, org=ORG)
        spy = Recorder(s)
        got = sweep_store(spy, LATE, campaign=CAMPAIGN, org=ORG, unscoped=True)
        _same(got, _journal_sweep(s, LATE))
        assert {OLD, HIDDEN} <= set(spy.asked)
        assert got.counts is not None
        assert HIDDEN in got.counts.reconciliation.targets_found
        back_office = Unscoped(s)
        by_hand = sweep_milestones(
            rows, LATE, s.rulebook, s.calendar, campaign=CAMPAIGN, org=ORG, journal=back_office
        )
        assert by_hand.clocks.equals(got.clocks)
        assert by_hand.counts == got.counts
        assert set(back_office.asked) == set(spy.asked)


def test_a_past_day_reads_the_later_cases_whole_from_the_store(store_url: str) -> None:
    """A day before some cases' last events: those swept from their events, read from the store."""
    day = dt.date(2026, 3, 31)  # the 1990 case is settled; the 2026 cases are not yet registered
    with open_store(store_url, calendar=CAL) as s:
        _filled(s, _corpus())
        spy = Recorder(s)
        got = sweep_store(spy, day, campaign=CAMPAIGN, org=ORG, unscoped=True)
        want = _journal_sweep(s, day)
        assert want.not_yet_registered == len(SHAPES) + 1
        _same(got, want)
        assert got.not_yet_registered == want.not_yet_registered
        assert HIDDEN in spy.asked


def test_a_view_neither_reads_nor_shows_a_hidden_case(store_url: str) -> None:
    """Art. 30 ¶3: through D1's head, the accusation against D1 is never asked for nor swept."""
    with open_store(store_url, calendar=CAL) as s:
        _filled(s, _corpus())
        view = s.for_viewer("D1-H", ORG)
        seen = [c for c in view.iter_cases() if isinstance(c, x.Case)]
        assert HIDDEN not in {c.id for c in seen}
        assert len(seen) == len(SHAPES) + 1
        for day in (LATE, dt.date(2026, 3, 31)):
            spy = Recorder(view)
            got = sweep_store(spy, day, campaign=CAMPAIGN, org=ORG)
            assert HIDDEN not in spy.asked
            assert HIDDEN not in got.clocks.column("case_id").to_pylist()
            assert HIDDEN not in repr(got.counts)
            want = journal_clocks(
                journal_from_cases(seen),
                as_of=day,
                rulebook=s.rulebook,
                calendar=s.calendar,
                campaign=view.campaign_in_view(CAMPAIGN),
                org=ORG,
            )
            _same(got, want)
        assert sweep_store(view, LATE, campaign=CAMPAIGN, org=ORG).clocks.equals(
            sweep_store(Recorder(view), LATE, campaign=CAMPAIGN, org=ORG).clocks
        )


def test_a_views_counts_finish_only_with_the_campaign_it_sees(store_url: str) -> None:
    """Art. 30 ¶3: a view's counts finish only with campaign_in_view (the view's snapshot).

    With the whole campaign they would list the hidden accusation as "not in the ledger".
    """
    with open_store(store_url, calendar=CAL) as s:
        _filled(s, _corpus())
        view = s.for_viewer("D1-H", ORG)
        got = sweep_store(view, LATE, campaign=CAMPAIGN, org=ORG)
        assert got.counts is not None
        with pytest.raises(x.XinfangError, match="campaign_in_view") as refused:
            finish_snapshot(CAMPAIGN, got.counts, ORG)
        assert refused.value.path == "campaign.targets"
        seen = view.campaign_in_view(CAMPAIGN)
        assert HIDDEN not in seen.targets
        assert len(seen.targets) == len(CAMPAIGN.targets) - 1
        finished = finish_snapshot(seen, got.counts, ORG)
        assert HIDDEN not in repr(finished)
        assert finished == view.snapshot(CAMPAIGN, as_of=LATE)
        assert s.campaign_in_view(CAMPAIGN) is CAMPAIGN  # the store's own reads see every case


def test_a_views_rows_swept_by_hand_count_against_the_campaign_it_sees(store_url: str) -> None:
    """Art. 30 ¶3: a view's rows swept by hand count without the hidden target.

    Swept with journal=the view, the counts are the view's; with no source that
    knows the view, a campaign is refused.
    """
    with open_store(store_url, calendar=CAL) as s:
        _filled(s, _corpus())
        view = s.for_viewer("D1-H", ORG)
        rows = pa.concat_tables(list(milestones_from_store(view)))
        got = sweep_milestones(
            rows, LATE, s.rulebook, s.calendar, campaign=CAMPAIGN, org=ORG, journal=view
        )
        assert got.counts is not None
        assert got.counts.targets == len(CAMPAIGN.targets) - 1
        with pytest.raises(x.XinfangError, match="campaign_in_view"):
            finish_snapshot(CAMPAIGN, got.counts, ORG)
        assert HIDDEN not in repr(finish_snapshot(view.campaign_in_view(CAMPAIGN), got.counts, ORG))
        with pytest.raises(x.InvalidDataError, match="read through a view"):
            sweep_milestones(rows, LATE, s.rulebook, s.calendar, campaign=CAMPAIGN, org=ORG)


def test_the_store_reads_every_case_only_when_told(tmp_path: Any) -> None:
    """A plain Store refuses before reading anything unless unscoped=True; a view never is."""
    with open_store(f"sqlite:///{tmp_path / 's.db'}", calendar=CAL) as s:
        _filled(s, _corpus())
        spy = Recorder(s)
        with pytest.raises(x.InvalidDataError, match="for_viewer"):
            sweep_store(spy, LATE)
        rows = pa.concat_tables(
            [COMPANION_SCHEMA.empty_table(), *milestones_from_store(s, unscoped=True)]
        )
        with pytest.raises(x.InvalidDataError, match="unscoped"):
            sweep_milestones(rows, LATE, journal=s)  # asked for no case first: refused at once
        assert spy.asked == []
        view = s.for_viewer("D1-H", ORG)
        with pytest.raises(x.InvalidDataError, match="unscoped"):
            sweep_store(view, LATE, unscoped=True)
        with pytest.raises(x.InvalidDataError, match="journal"):
            sweep_milestones(rows, LATE, journal=42)  # type: ignore[arg-type]


def test_a_source_giving_other_cases_is_refused(tmp_path: Any) -> None:
    """A case source answering with a case not asked for is an error naming the journal."""

    class Wrong:
        def cases(self, case_ids: Sequence[str]) -> list[x.Case]:
            return [_case(99, "placed") for _ in case_ids]

    with open_store(f"sqlite:///{tmp_path / 's.db'}", calendar=CAL) as s:
        _filled(s, [_old()])
        rows = pa.concat_tables(list(milestones_from_store(s, unscoped=True)))
    with pytest.raises(x.InvalidDataError, match=r"journal\[0\].*asked for case OLD-1"):
        sweep_milestones(rows, LATE, calendar=CAL, journal=Wrong())


@settings(
    max_examples=examples(4),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(shapes=st.lists(st.sampled_from(SHAPES), min_size=1, max_size=6), old=st.booleans())
def test_any_mix_sweeps_as_the_journal(store_url: str, shapes: list[str], old: bool) -> None:
    """Random mixes of the shapes (and the 1990 case): the store's sweep is the journal's."""
    with open_store(store_url, calendar=CAL) as s:
        base = s.count()
        cases = [renamed(_case(k, shape), f"M{base}-{k}") for k, shape in enumerate(shapes)]
        if old:
            cases.append(renamed(_old(), f"M{base}-old"))
        _filled(s, cases)
        got = sweep_store(s, LATE, campaign=CAMPAIGN, org=ORG, unscoped=True)
        _same(got, _journal_sweep(s, LATE))
