"""The transition spec (issue 20): one table, and both folds keep to it."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
from typing import TYPE_CHECKING

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from xinfang.case import MILESTONE_NAMES, replay
from xinfang.changes import CHANGE_TYPES
from xinfang.strategies import cases
from xinfang.transitions import (
    ALLOWED_FROM,
    CHECKS,
    DATA_GUARDS,
    GUARDS,
    ROUTES_BY_CATEGORY,
    TRANSITIONS,
    report_back_date_ok,
    route_fits_category,
)

if TYPE_CHECKING:
    import types

_ON = ("last_event",)


def test_one_transition_per_change_kind() -> None:
    """Every change kind has one row of the spec, and every guard it names exists."""
    assert set(TRANSITIONS) == {c.kind for c in CHANGE_TYPES}
    named = {g for t in TRANSITIONS.values() for g in (*t.guards, t.route_guard) if g}
    assert named <= set(GUARDS)
    assert all(g.article.strip() and g.why.strip() for g in GUARDS.values())


def test_allowed_from_is_the_spec() -> None:
    """ALLOWED_FROM (the stage graph of xinfang.case and the docs) is a view of the spec."""
    assert x.case.ALLOWED_FROM is ALLOWED_FROM
    for kind, (stages, rule) in ALLOWED_FROM.items():
        assert (stages, rule) == (TRANSITIONS[kind].allowed_from, TRANSITIONS[kind].rule)


def test_spec_milestones_are_milestones() -> None:
    """Every milestone the spec names is a field of Milestones."""
    for t in TRANSITIONS.values():
        assert set(t.first + t.latest + t.clears + t.computed) <= set(MILESTONE_NAMES)


def _milestones(case: x.Case) -> dict[str, dt.date | None]:
    return {name: getattr(case.on, name) for name in MILESTONE_NAMES if name not in _ON}


@given(cases())
def test_each_event_changes_only_what_the_spec_says(case: x.Case) -> None:
    """Replaying a case event by event: each changes the stage and milestones as its row says."""
    before = replay(case.events[:1])
    for n in range(2, len(case.events) + 1):
        after = replay(case.events[:n])
        spec = TRANSITIONS[case.events[n - 1].kind]
        assert before.stage in spec.allowed_from
        assert after.stage is (spec.stage_after or before.stage)
        old, new = _milestones(before), _milestones(after)
        changed = {name for name in old if old[name] != new[name]}
        assert changed <= set(spec.first + spec.latest + spec.clears + spec.computed)
        for name in spec.clears:
            if name not in spec.first + spec.latest + spec.computed:
                assert new[name] is None
        if spec.routes is not None:
            assert before.route in spec.routes
        before = after


@given(cases())
def test_accepted_route_fits_the_category(case: x.Case) -> None:
    """Arts. 29-31: an accepted case's route fits its category, whatever came after."""
    if case.on.accepted is not None and case.stage is not x.vocabulary.Stage.DECLINED:
        assert case.route is not None and route_fits_category(case.route, case.category)


@given(cases())
def test_report_back_due_never_before_the_assignment(case: x.Case) -> None:
    """Art. 22 (3): a recorded report-back day is never before the first assignment."""
    if case.on.report_back_due is not None:
        assert case.on.assigned is not None
        assert report_back_date_ok(case.on.report_back_due, case.on.assigned)


def test_guard_forms_are_duck_typed() -> None:
    """A predicate guard gives the same verdicts on dates, ordinals and numpy arrays."""
    days = [(dt.date(2025, 3, d), dt.date(2025, 3, 5)) for d in (4, 5, 6)]
    scalar = [report_back_date_ok(a, b) for a, b in days]
    ordinals = [report_back_date_ok(a.toordinal(), b.toordinal()) for a, b in days]
    column = report_back_date_ok(
        np.array([a.toordinal() for a, _ in days]), np.array([b.toordinal() for _, b in days])
    )
    assert scalar == ordinals == column.tolist() == [False, True, True]


def test_every_guard_has_its_form_in_the_spec() -> None:
    """Each guard the fold checks has its predicate (or the data it reads) in transitions.py."""
    fold_guards = {g for g in GUARDS if not GUARDS[g].needs_rulebook}
    assert fold_guards == set(CHECKS) | set(DATA_GUARDS)
    assert not set(CHECKS) & set(DATA_GUARDS)


def _names_used(module: types.ModuleType) -> set[str]:
    """The names a module's code reads (not its comments or strings)."""
    tree = ast.parse(inspect.getsource(module))
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


@pytest.mark.parametrize("guard", sorted(CHECKS))
def test_both_folds_call_the_guard_form(guard: str) -> None:
    """Both the value fold and the column fold call each of the guard's predicates."""
    pytest.importorskip("pyarrow")
    from xinfang.case import _fold as value_fold
    from xinfang.columnar import _fold

    assert CHECKS[guard]
    for check in CHECKS[guard]:
        assert check.__name__ in _names_used(value_fold)
        assert check.__name__ in _names_used(_fold)


_STATE_CHECKS = {
    f.__name__: f
    for g, fs in CHECKS.items()
    for f in fs
    if len(inspect.signature(f).parameters) == 1 and g != "extension_days"
}


@pytest.mark.parametrize("name", sorted(_STATE_CHECKS))
@given(st.lists(st.one_of(st.booleans(), st.integers(0, 3)), max_size=6))
def test_state_guard_forms_agree_on_scalars_and_columns(name: str, state: list[bool | int]) -> None:
    """A state guard's one form gives the value fold's verdict (bool, int) and the column's."""
    check = _STATE_CHECKS[name]
    scalar = [bool(check(v)) for v in state]
    column = check(np.array([int(v) for v in state], np.int64)).tolist()
    flags = check(np.array([bool(v) for v in state], np.bool_)).tolist()
    assert scalar == column == flags
    assert all(isinstance(check(v), bool) for v in state)


@pytest.mark.parametrize("category", [None, *x.vocabulary.Category])
def test_every_category_has_a_default_route_that_fits(
    category: x.vocabulary.Category | None,
) -> None:
    """Arts. 29-31: Accept() with no route puts each category on a route that fits it."""
    case = x.replay(
        [
            x.Event(
                seq=1,
                at=dt.datetime(2025, 3, 3, 9, tzinfo=x.instants.SHANGHAI),
                by="c",
                change=x.changes.Register(
                    case_id="XF-1",
                    received_at=dt.datetime(2025, 3, 3, 9, tzinfo=x.instants.SHANGHAI),
                    channel=x.vocabulary.Channel.LETTER,
                    receiving_unit="U",
                    petitioners=[x.personal.Petitioner(name="张三")],
                    claims=[x.changes.Claim(request="r")],
                    category=category,
                ),
            ),
            x.Event(
                seq=2,
                at=dt.datetime(2025, 3, 3, 10, tzinfo=x.instants.SHANGHAI),
                by="c",
                change=x.changes.Accept(),
            ),
        ]
    )
    assert case.route in ROUTES_BY_CATEGORY[category]


@given(cases(), st.data())
def test_refused_guard_cites_its_article(case: x.Case, data: st.DataObject) -> None:
    """A refusal by the fold cites the article of the guard or stage rule that refused it."""
    kind = data.draw(st.sampled_from(sorted(k for k in TRANSITIONS if k != "registered")))
    change = data.draw(x.strategies.changes([kind]))
    at = case.events[-1].at + dt.timedelta(days=1)
    event = x.Event(seq=len(case.events) + 1, at=at, by="c", change=change)
    rule = None
    try:
        x.case.mutate(case, event)
    except x.TransitionError as exc:
        rule = exc.rule
    if rule is None:
        assert case.stage in TRANSITIONS[kind].allowed_from
    else:
        assert rule in {g.article for g in GUARDS.values()} | {TRANSITIONS[kind].rule}


def test_event_changes_are_attrs() -> None:
    """The spec reads change classes by kind: each is an attrs class with a kind."""
    assert all(attrs.has(c) and c.kind in TRANSITIONS for c in CHANGE_TYPES)


# ------------------------------------------------------------ the column fold's guard forms
def _events(
    *changes: x.Change, category: x.vocabulary.Category | None = None
) -> tuple[x.Event, ...]:
    """A registration on Mon 2025-03-03 and ``changes`` a day apart (valid or not)."""
    t0 = dt.datetime(2025, 3, 3, 9, tzinfo=x.instants.SHANGHAI)
    reg = x.changes.Register(
        case_id="XF-1",
        received_at=t0,
        channel=x.vocabulary.Channel.LETTER,
        receiving_unit="U",
        petitioners=[x.personal.Petitioner(name="张三")],
        claims=[x.changes.Claim(request="r")],
        category=category,
    )
    changes_ = (reg, *changes)
    return tuple(
        x.Event(seq=i, at=t0 + dt.timedelta(days=i - 1), by="c", change=c)
        for i, c in enumerate(changes_, start=1)
    )


_OPINION = x.changes.IssueOpinion(outcome=x.vocabulary.Outcome.EXPLAIN, basis="b")
_AGREEMENT = x.changes.RecordAgreement(form=x.vocabulary.AgreementKind.MEDIATION, summary="s")
#: guard → (a history that breaks it, the same history kept to it)
_BROKEN_AND_KEPT = {
    "route_fits_category": (
        _events(
            x.changes.Accept(route=x.vocabulary.Route.ORDINARY),
            category=x.vocabulary.Category.ACCUSATION,
        ),
        _events(x.changes.Accept(), category=x.vocabulary.Category.ACCUSATION),
    ),
    "review_route": (
        _events(
            x.changes.Accept(),
            _OPINION,
            x.changes.RequestReview(to_unit="V"),
            category=x.vocabulary.Category.ACCUSATION,
        ),
        _events(
            x.changes.Accept(),
            _OPINION,
            x.changes.RequestReview(to_unit="V"),
            category=x.vocabulary.Category.APPEAL,
        ),
    ),
    "agreement_on_appeal": (
        _events(x.changes.Accept(), _AGREEMENT, category=x.vocabulary.Category.SUGGESTION),
        _events(x.changes.Accept(), _AGREEMENT),
    ),
    "report_back_date": (
        _events(x.changes.Assign(to_unit="V", report_back_by=dt.date(2025, 3, 3))),
        _events(x.changes.Assign(to_unit="V", report_back_by=dt.date(2025, 3, 4))),
    ),
}


@pytest.mark.parametrize("guard", sorted(_BROKEN_AND_KEPT))
def test_column_fold_models_the_new_guards(guard: str) -> None:
    """Arts. 22 (3), 29-31, 33, 35: the column fold flags what replay refuses, not what it keeps."""
    pytest.importorskip("pyarrow")
    from test_columnar_fold import journal_of
    from xinfang.columnar._fold import fold

    broken, kept = _BROKEN_AND_KEPT[guard]
    with pytest.raises(x.TransitionError) as err:
        replay(broken)
    assert err.value.rule == GUARDS[guard].article
    replay(kept)
    folded = fold(journal_of([("XF-1", broken), ("XF-2", kept)]), starts=np.array([0, len(broken)]))
    assert folded.suspicious.tolist() == [True, False]
