"""The viewer-scoped store (信访工作条例 Art. 30 ¶3): every read and command, on both backends."""

from __future__ import annotations

import datetime as dt
import inspect
import io
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import store_helpers
import xinfang as x
from store_helpers import pg_schema_url, renamed
from xinfang import strategies as xs
from xinfang.campaign import in_view
from xinfang.instants import SHANGHAI
from xinfang.store import BACK_OFFICE, Store, UnknownCaseError, ViewerStore, open_store

from helpers import examples

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

store_url = store_helpers.store_url


def t(y: int, m: int, d: int, h: int = 9) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


ORG = x.Organization(
    levels=("corps", "detachment", "brigade"),
    units=[
        x.responsibility.Unit(id="U0", name="总队", level="corps"),
        x.responsibility.Unit(id="U1", name="一支队", level="detachment", parent="U0"),
        x.responsibility.Unit(id="U2", name="二支队", level="detachment", parent="U0"),
        x.responsibility.Unit(id="U11", name="一大队", level="brigade", parent="U1"),
    ],
    officials=[
        x.responsibility.Official(
            id="U0-H", name="总队长", unit="U0", post=x.responsibility.Post.HEAD
        ),
        x.responsibility.Official(id="U1-S", name="一支队干部", unit="U1"),
        x.responsibility.Official(
            id="U1-H", name="一支队长", unit="U1", post=x.responsibility.Post.HEAD
        ),
        x.responsibility.Official(id="U2-S", name="二支队干部", unit="U2"),
        x.responsibility.Official(
            id="U2-H", name="二支队长", unit="U2", post=x.responsibility.Post.HEAD
        ),
        x.responsibility.Official(id="U11-S", name="一大队干部", unit="U11"),
    ],
)

#: The accusation against unit U1: hidden from U1's officials, redacted for U2-S.
HIDDEN = "XF-ACC-1"
#: An ordinary case every official sees.
OPEN = "XF-ORD-1"
#: An id no case has.
MISSING = "XF-NONE-1"


def _register(case_id: str, **kw: Any) -> x.changes.Register:
    args: dict[str, Any] = {
        "case_id": case_id,
        "received_at": t(2026, 11, 2),
        "channel": x.vocabulary.Channel.LETTER,
        "receiving_unit": "U2",
        "petitioners": [x.personal.Petitioner(name="张三")],
        "claims": [x.changes.Claim(request="反映问题")],
    }
    args.update(kw)
    return x.changes.Register(**args)


def _world(s: Store) -> None:
    """The accusation against U1, received by U2, and an ordinary case."""
    s.register(
        _register(HIDDEN, category=x.vocabulary.Category.ACCUSATION, accused_units=("U1",)),
        t(2026, 11, 2),
        idempotency_key="key-of-the-accusation",
    )
    s.register(_register(OPEN), t(2026, 11, 3))


@pytest.fixture
def world(store_url: str) -> Iterator[Store]:
    """A store on each backend holding the accusation and the ordinary case."""
    with open_store(store_url) as s:
        _world(s)
        yield s


@pytest.fixture(scope="module", params=store_helpers.BACKENDS)
def read_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The same world, made once per backend for the checks that only read."""
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('scope') / 's.db'}"])
    else:
        urls = pg_schema_url()
    for url in urls:
        with open_store(url) as s:
            _world(s)
            yield s


def _same_words(a: BaseException, b: BaseException, a_id: str, b_id: str) -> None:
    """Two errors read the same once each names its own id."""
    assert type(a) is type(b)
    assert str(a).replace(a_id, "<id>") == str(b).replace(b_id, "<id>")


def _raised(fn: Callable[[], object]) -> BaseException:
    try:
        fn()
    except x.XinfangError as exc:
        return exc
    raise AssertionError("no error")


# --------------------------------------------------- one check per scoped method
def _count(s: Store, v: ViewerStore) -> None:
    assert s.count() == 2
    assert v.count() == 1


def _case_ids(s: Store, v: ViewerStore) -> None:
    assert HIDDEN in s.case_ids()
    assert v.case_ids() == [OPEN]


def _version(s: Store, v: ViewerStore) -> None:
    assert s.version(HIDDEN) == 1
    assert v.version(HIDDEN) == v.version(MISSING) == 0
    assert v.version(OPEN) == 1


def _events(s: Store, v: ViewerStore) -> None:
    assert s.events(HIDDEN)
    _same_words(
        _raised(lambda: v.events(HIDDEN)), _raised(lambda: v.events(MISSING)), HIDDEN, MISSING
    )
    assert len(v.events(OPEN)) == 1


def _case(s: Store, v: ViewerStore) -> None:
    assert s.case(HIDDEN).id == HIDDEN
    for as_of in (None, dt.date(2026, 11, 1), dt.date(2026, 12, 1)):
        hidden = _raised(lambda as_of=as_of: v.case(HIDDEN, as_of=as_of))
        _same_words(hidden, _raised(lambda: v.case(MISSING)), HIDDEN, MISSING)
        assert isinstance(hidden, UnknownCaseError)


def _iter_cases(s: Store, v: ViewerStore) -> None:
    assert [c.id for c in s.iter_cases()] == [HIDDEN, OPEN]
    assert [c.id for c in v.iter_cases(batch=1)] == [OPEN]


def _due(s: Store, v: ViewerStore) -> None:
    day = dt.date(2026, 11, 20)
    assert HIDDEN in {c.case_id for c in s.due(day, within=60)}
    rows = v.due(day, within=60)
    assert rows and {c.case_id for c in rows} == {OPEN}


def _open_cases_by_unit(s: Store, v: ViewerStore) -> None:
    assert s.open_cases_by_unit() == {"U2": 2}
    assert v.open_cases_by_unit() == {"U2": 1}
    assert v.open_cases_by_unit([HIDDEN]) == {} == v.open_cases_by_unit([MISSING])


def _snapshot(s: Store, v: ViewerStore) -> None:
    campaign = x.Campaign(
        id="c",
        name="专项",
        units=("U0",),
        start=dt.date(2026, 10, 1),
        end=dt.date(2027, 3, 31),
        targets=(OPEN, HIDDEN),
    )
    whole = s.snapshot(campaign, ORG, as_of=dt.date(2026, 11, 20))
    mine = v.snapshot(campaign, as_of=dt.date(2026, 11, 20))
    seen_targets = attrs.evolve(campaign, targets=(OPEN,))  # Art. 30 ¶3: not named, not counted
    assert mine == x.snapshot(
        seen_targets, [s.case(OPEN)], ORG, as_of=dt.date(2026, 11, 20), calendar=s.calendar
    )
    assert mine != whole
    assert HIDDEN not in repr(mine)
    assert mine.reconciliation.unknown_targets == ()


def _export_ledger(s: Store, v: ViewerStore) -> None:
    assert HIDDEN in s.export_ledger()
    text = v.export_ledger(reveal_personal_data=True)
    assert HIDDEN not in text
    assert [c.id for c in x.load_ledger(text)] == [OPEN]


def _write_ledger(s: Store, v: ViewerStore) -> None:
    out = io.StringIO()
    assert v.write_ledger(out) == 1
    assert HIDDEN not in out.getvalue()
    assert OPEN in out.getvalue()


def _apply(s: Store, v: ViewerStore) -> None:
    def on(cid: str, key: str | None = None) -> Callable[[], object]:
        return lambda: v.apply(
            cid, x.changes.Notify(note="n"), at=t(2026, 11, 5), idempotency_key=key
        )

    _same_words(_raised(on(HIDDEN)), _raised(on(MISSING)), HIDDEN, MISSING)
    # A key first used on the hidden case: the error names no case.
    used = _raised(on(OPEN, "key-of-the-accusation"))
    assert HIDDEN not in str(used)
    assert "different command" in str(used)
    _, event = v.apply(OPEN, x.changes.Notify(note="n"), at=t(2026, 11, 5))
    assert event.by == "U1-S"
    assert s.version(HIDDEN) == 1


def _register_check(s: Store, v: ViewerStore) -> None:
    taken_hidden = _raised(lambda: v.register(_register(HIDDEN), t(2026, 11, 5)))
    taken_seen = _raised(lambda: v.register(_register(OPEN), t(2026, 11, 5)))
    _same_words(taken_hidden, taken_seen, HIDDEN, OPEN)
    # The key of the hidden case's registration: refused without naming it.
    again = _raised(
        lambda: v.register(
            _register(HIDDEN, category=x.vocabulary.Category.ACCUSATION, accused_units=("U1",)),
            t(2026, 11, 2),
            idempotency_key="key-of-the-accusation",
        )
    )
    _same_words(again, taken_seen, HIDDEN, OPEN)
    # An accusation against the viewer's own unit: refused, nothing written.
    with pytest.raises(x.errors.ConfidentialityError):
        v.register(
            _register("XF-ACC-2", category=x.vocabulary.Category.ACCUSATION, accused_units=("U1",)),
            t(2026, 11, 5),
        )
    assert s.version("XF-ACC-2") == 0
    _, event = v.register(_register("XF-ORD-2"), t(2026, 11, 5))
    assert event.by == "U1-S"
    assert v.count() == 2


def _milestone_pages(s: Store, v: ViewerStore) -> None:
    every = [r[0] for page in s.milestone_pages(unscoped=True) for r in page]
    assert HIDDEN in every
    assert [r[0] for page in v.milestone_pages(batch=1) for r in page] == [OPEN]
    with pytest.raises(x.InvalidDataError, match="unscoped"):
        v.milestone_pages(unscoped=True)  # a view is never unscoped
    with pytest.raises(x.InvalidDataError, match="for_viewer"):
        s.milestone_pages()  # the store reads every case only when told


def _cases(s: Store, v: ViewerStore) -> None:
    assert [c.id for c in s.cases([OPEN, HIDDEN], unscoped=True)] == [OPEN, HIDDEN]
    _same_words(
        _raised(lambda: v.cases([HIDDEN])), _raised(lambda: v.cases([MISSING])), HIDDEN, MISSING
    )
    assert v.cases([OPEN, OPEN]) == [s.case(OPEN)] * 2
    with pytest.raises(x.InvalidDataError, match="unscoped"):
        v.cases([OPEN], unscoped=True)  # a view is never unscoped
    with pytest.raises(x.InvalidDataError, match="for_viewer"):
        s.cases([OPEN])  # the store reads every case only when told


def _campaign_in_view(s: Store, v: ViewerStore) -> None:
    campaign = x.Campaign(
        id="c",
        name="专项",
        units=("U0",),
        start=dt.date(2026, 10, 1),
        end=dt.date(2027, 3, 31),
        targets=(OPEN, HIDDEN, MISSING),
    )
    # Art. 30 ¶3: the hidden target left out; a target no case has stays (missing for all)
    assert v.campaign_in_view(campaign).targets == (OPEN, MISSING)
    assert s.campaign_in_view(campaign) is campaign


#: Each public method of the view → the check that it hides the accusation from U1-S.
SCOPED: dict[str, Callable[[Store, ViewerStore], None]] = {
    "count": _count,
    "case_ids": _case_ids,
    "version": _version,
    "events": _events,
    "case": _case,
    "iter_cases": _iter_cases,
    "cases": _cases,
    "due": _due,
    "milestone_pages": _milestone_pages,
    "open_cases_by_unit": _open_cases_by_unit,
    "snapshot": _snapshot,
    "campaign_in_view": _campaign_in_view,
    "export_ledger": _export_ledger,
    "write_ledger": _write_ledger,
    "apply": _apply,
    "register": _register_check,
}
#: Public names of the view that hold no case data.
PLAIN = {"url", "dialect", "viewer", "org", "interests", "scope", "rulebook", "calendar"}


def _public(cls: type) -> set[str]:
    return {n for n, _ in inspect.getmembers(cls) if not n.startswith("_")}


def test_every_store_method_has_a_scoped_counterpart_or_an_exemption() -> None:
    """A new public Store method fails here until the view scopes it or BACK_OFFICE exempts it."""
    missing = _public(Store) - _public(ViewerStore) - set(BACK_OFFICE) - {"url", "dialect"}
    assert not missing, f"Store methods with no scoped counterpart: {sorted(missing)}"
    assert not set(BACK_OFFICE) & _public(ViewerStore)


def test_every_scoped_method_has_its_test() -> None:
    """Every public method of the view is checked below (and nothing else is listed)."""
    methods = {
        n for n in _public(ViewerStore) if callable(getattr(ViewerStore, n)) and n not in PLAIN
    }
    assert methods == set(SCOPED)


#: The checks that write (each gets a fresh world).
WRITES = {"apply", "register"}


@pytest.mark.parametrize("method", sorted(set(SCOPED) - WRITES))
def test_scoped_read_hides_the_accusation_from_the_accused_unit(
    read_world: Store, method: str
) -> None:
    """Art. 30 ¶3: through the view, an official of the accused unit cannot learn of it."""
    SCOPED[method](read_world, read_world.for_viewer("U1-S", ORG))


@pytest.mark.parametrize("method", sorted(WRITES))
def test_scoped_command_hides_the_accusation_from_the_accused_unit(
    world: Store, method: str
) -> None:
    """Art. 30 ¶3: a command by an official of the accused unit finds no accusation."""
    SCOPED[method](world, world.for_viewer("U1-S", ORG))


def test_subtree_and_recusal_also_hide(read_world: Store) -> None:
    """Art. 30 ¶3 (units under the accused) and Art. 28 ¶3 (a declared interest) hide alike."""
    world = read_world
    head, below = world.for_viewer("U1-H", ORG), world.for_viewer("U11-S", ORG)
    assert head.case_ids() == below.case_ids() == [OPEN]
    with pytest.raises(UnknownCaseError):
        below.case(HIDDEN)
    recused = world.for_viewer(
        "U2-S", ORG, interests=[x.responsibility.Interest(official="U2-S", case_id=OPEN)]
    )
    assert OPEN not in recused.case_ids()
    with pytest.raises(UnknownCaseError):
        recused.apply(OPEN, x.changes.Notify(note="n"), at=t(2026, 11, 5))


def test_redacted_viewer_sees_only_that_it_exists(read_world: Store) -> None:
    """Art. 30 ¶3: outside the chain, an accusation is counted and listed but redacted."""
    v = read_world.for_viewer("U2-S", ORG)
    assert v.case_ids() == [HIDDEN, OPEN]
    assert v.count() == 2
    assert isinstance(v.case(HIDDEN), x.responsibility.RedactedCase)
    assert [type(c).__name__ for c in v.iter_cases()] == ["RedactedCase", "Case"]
    with pytest.raises(x.errors.ConfidentialityError):
        v.events(HIDDEN)
    with pytest.raises(x.errors.ConfidentialityError):
        v.version(HIDDEN)
    with pytest.raises(x.errors.ConfidentialityError):
        v.apply(HIDDEN, x.changes.Notify(note="n"), at=t(2026, 11, 5))
    assert HIDDEN not in v.export_ledger()
    assert HIDDEN not in {c.case_id for c in v.due(dt.date(2026, 11, 20), within=60)}
    assert v.open_cases_by_unit() == {"U2": 1}


def test_the_head_above_sees_it_in_full(read_world: Store) -> None:
    """Art. 30 ¶3: the head of a unit above the responsible unit sees the accusation whole."""
    world = read_world
    v = world.for_viewer("U0-H", ORG)
    assert v.case_ids() == [HIDDEN, OPEN]
    assert v.case(HIDDEN) == world.case(HIDDEN)
    assert v.export_ledger() == world.export_ledger()
    assert v.due(dt.date(2026, 11, 20), 60) == world.due(dt.date(2026, 11, 20), 60)
    assert v.open_cases_by_unit() == world.open_cases_by_unit()


def test_a_case_categorised_later_is_redacted_at_once(world: Store) -> None:
    """Visibility is judged on each case as it stands now (cached per version, never stale)."""
    v = world.for_viewer("U1-S", ORG)
    assert OPEN in v.case_ids()
    assert OPEN in v.export_ledger()
    world.apply(
        OPEN, x.changes.Categorize(category=x.vocabulary.Category.ACCUSATION), at=t(2026, 11, 4)
    )
    assert v.case_ids() == [OPEN]  # it exists; an accusation outside the chain is redacted
    assert isinstance(v.case(OPEN), x.responsibility.RedactedCase)
    assert v.export_ledger() == ""
    assert v.open_cases_by_unit() == {}


def test_even_unscoped_a_command_by_the_accused_unit_finds_no_case(world: Store) -> None:
    """Art. 30 ¶3: Store.apply with org refuses a command by the accused unit as a missing case."""

    def by(who: str, cid: str) -> Callable[[], object]:
        return lambda: world.apply(
            cid, x.changes.Notify(note="n"), at=t(2026, 11, 5), by=who, org=ORG
        )

    _same_words(_raised(by("U1-S", HIDDEN)), _raised(by("U1-S", MISSING)), HIDDEN, MISSING)
    assert world.version(HIDDEN) == 1
    assert by("U2-S", HIDDEN)()  # outside the chain, not kept out: the back office records it
    assert world.version(HIDDEN) == 2


def test_view_arguments_are_checked() -> None:
    """A viewer that is not text, or an org that is not an Organization, names the argument."""
    with open_store("sqlite://") as s:
        with pytest.raises(x.InvalidDataError, match="viewer"):
            s.for_viewer(123, ORG)  # type: ignore[arg-type]
        with pytest.raises(x.InvalidDataError, match="org"):
            s.for_viewer("U1-S", {"units": []})  # type: ignore[arg-type]


# --------------------------------------------------- the property, both backends
def _fresh_url(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        yield "sqlite://"
    else:
        yield from pg_schema_url()


@st.composite
def _worlds(draw: st.DrawFn) -> tuple[x.Organization, list[x.Case], str, int]:
    org = draw(xs.organizations(max_units=5))
    n = draw(st.integers(1, 5))
    cases = [renamed(draw(xs.cases(org=org, max_steps=3)), f"C-{i}") for i in range(n)]
    # Mostly a case's accused unit's official (the case the rule is for), else anyone.
    accused = [
        o.id
        for c in cases
        for o in org.officials
        if o.unit in c.accused_units or o.id in c.accused_persons
    ]
    people = [o.id for o in org.officials] or ["nobody"]
    viewer = draw(
        st.sampled_from(accused) if accused and draw(st.booleans()) else st.sampled_from(people)
    )
    return org, cases, viewer, draw(st.integers(0, 60))


def _check_nothing_reveals(url: str, world: tuple[x.Organization, list[x.Case], str, int]) -> None:
    org, cases, viewer, within = world
    with open_store(url) as s:
        s.import_ledger(x.dump_ledger(cases, reveal_personal_data=True))
        v = s.for_viewer(viewer, org)
        seen = {c.id: x.responsibility.visibility(viewer, c, org) for c in cases}
        hidden = {cid for cid, vis in seen.items() if vis is x.responsibility.Visibility.NONE}
        full = {cid for cid, vis in seen.items() if vis is x.responsibility.Visibility.FULL}
        known = sorted(set(seen) - hidden)
        event(f"hidden: {bool(hidden)}, redacted: {len(known) > len(full)}")
        assert v.case_ids() == known
        assert v.count() == len(known)
        assert [c.id for c in v.iter_cases()] == known
        day = max(c.on.last_event or c.on.received for c in cases)
        rows = v.due(day, within)
        assert {c.case_id for c in rows} <= full
        assert rows == tuple(c for c in s.due(day, within) if c.case_id in full)
        text = v.export_ledger(reveal_personal_data=True)
        assert sorted(c.id for c in x.load_ledger(text)) == sorted(full) if text else not full
        by_unit = v.open_cases_by_unit()
        assert sum(by_unit.values()) == sum(1 for c in cases if c.id in full and not c.is_terminal)
        for cid in hidden:
            assert v.version(cid) == 0
            assert cid not in text
            _same_words(
                _raised(lambda cid=cid: v.case(cid)), _raised(lambda: v.case("Z-0")), cid, "Z-0"
            )
            _same_words(
                _raised(lambda cid=cid: v.apply(cid, x.changes.Notify(note="n"), at=day_end(day))),
                _raised(lambda: v.apply("Z-0", x.changes.Notify(note="n"), at=day_end(day))),
                cid,
                "Z-0",
            )
        assert v.open_cases_by_unit(sorted(hidden)) == {}
        # Totals: the bulletin's snapshot is the one of a store without the hidden cases,
        # and without the targets the viewer may not see (Art. 30 ¶3: never named or counted).
        campaign = x.Campaign(
            id="c",
            name="专项",
            units=(org.units[0].id,),
            start=dt.date(2021, 1, 1),
            end=dt.date(2026, 12, 31),
            targets=sorted(seen),
        )
        visible = [c for c in cases if c.id in full]
        in_sight = in_view(campaign, full, [c.id for c in cases])
        assert set(in_sight.targets) == set(campaign.targets) & set(full)
        assert v.snapshot(campaign, as_of=day) == x.snapshot(
            in_sight, visible, org, as_of=day, calendar=s.calendar
        )


def day_end(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 23, 59, tzinfo=SHANGHAI)


@settings(max_examples=examples(20), suppress_health_check=[HealthCheck.too_slow])
@given(world=_worlds())
def test_nothing_reveals_an_accusation_sqlite(
    world: tuple[x.Organization, list[x.Case], str, int],
) -> None:
    """Art. 30 ¶3 as a property on SQLite: ids, counts, totals, due rows, exports all scoped."""
    for url in _fresh_url("sqlite"):
        _check_nothing_reveals(url, world)


@settings(max_examples=examples(8), suppress_health_check=[HealthCheck.too_slow])
@given(world=_worlds())
def test_nothing_reveals_an_accusation_postgresql(
    world: tuple[x.Organization, list[x.Case], str, int],
) -> None:
    """Art. 30 ¶3 as a property on PostgreSQL (a fresh schema per example)."""
    for url in _fresh_url("postgresql"):
        _check_nothing_reveals(url, world)


def test_a_case_made_an_accusation_during_a_milestones_read_is_not_shown(store_url: str) -> None:
    """Art. 30 ¶3: a row is shown as its own version stands, not as judged before the read."""
    with open_store(store_url) as s:
        s.register(_register("XF-B"), t(2026, 11, 2))
        s.register(_register("XF-Z"), t(2026, 11, 3))
        view = s.for_viewer("U1-S", ORG)
        pages = view.milestone_pages(1)
        assert [r[0] for r in next(pages)] == ["XF-B"]  # every case judged (both in full)
        s.apply(
            "XF-Z",
            x.changes.Categorize(category=x.vocabulary.Category.ACCUSATION),
            at=t(2026, 11, 4),
        )
        assert [r[0] for page in pages for r in page] == []
        fresh = s.for_viewer("U1-S", ORG).milestone_pages(1)
        assert [r[0] for page in fresh for r in page] == ["XF-B"]
