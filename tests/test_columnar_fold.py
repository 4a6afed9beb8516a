"""The column-wise fold: the same milestones as ``replay``, and never a refused case accepted."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("pyarrow")

import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

import xinfang as x
from shared_world import world
from xinfang.case import mutate, replay
from xinfang.changes import Event
from xinfang.columnar._fold import fold, truncate
from xinfang.columnar._milestones import MILESTONES_SCHEMA, milestones_from_cases
from xinfang.deadlines import case_as_of
from xinfang.errors import XinfangError
from xinfang.instants import SHANGHAI
from xinfang.strategies import cases

_TS = pa.timestamp("us", tz="Asia/Shanghai")
_DICT = pa.dictionary(pa.int8(), pa.string())
#: The journal columns the fold reads, typed as the spec says (a stand-in for helper A's
#: ``journal_from_cases`` until it exists).
_COLUMNS = {
    "case_id": pa.string(),
    "seq": pa.int32(),
    "at": _TS,
    "by": pa.string(),
    "kind": _DICT,
    "received_at": _TS,
    "channel": _DICT,
    "receiving_unit": pa.string(),
    "receiving_unit_kind": _DICT,
    "category": _DICT,
    "skip_level": pa.bool_(),
    "beijing_visit": pa.bool_(),
    "procedure": _DICT,
    "identity_unclear": pa.bool_(),
    "notified_on_the_spot": pa.bool_(),
    "to_unit": pa.string(),
    "to_unit_kind": _DICT,
    "report_back_by": pa.date32(),
    "route_told": _DICT,
    "route": _DICT,
    "days": pa.int32(),
    "outcome": _DICT,
    "delivered_at": _TS,
    "rating": _DICT,
    "role": _DICT,
    "holder": pa.string(),
    "plan": pa.struct(
        [
            ("owner", pa.string()),
            ("deadline", pa.date32()),
            ("measures", pa.list_(pa.string())),
        ]
    ),
}


def _cell(value: Any) -> Any:
    if hasattr(value, "value") and not isinstance(value, dt.date):
        return value.value
    if isinstance(value, x.changes.SettlementPlan):
        return {"owner": value.owner, "deadline": value.deadline, "measures": list(value.measures)}
    return value


def _private_journal(event_lists: list[tuple[str, tuple[Event, ...]]]) -> Any:
    rows = []
    for case_id, events in event_lists:
        for e in events:
            row: dict[str, Any] = {
                "case_id": case_id,
                "seq": e.seq,
                "at": e.at,
                "by": e.by,
                "kind": e.change.kind,
            }
            for f in attrs.fields(type(e.change)):
                if f.name in _COLUMNS and f.name != "case_id":
                    row[f.name] = _cell(getattr(e.change, f.name))
            rows.append(row)
    return pa.Table.from_pylist(rows, schema=pa.schema(list(_COLUMNS.items())))


@functools.cache
def _builder() -> Any:
    """Helper A's ``journal_from_cases`` when it exists, else None."""
    try:
        from xinfang.columnar._cases import journal_from_cases
    except ImportError:
        return None
    return journal_from_cases


def journal_of(event_lists: list[tuple[str, tuple[Event, ...]]]) -> Any:
    """A typed journal of event sequences (valid or not), each under its case id."""
    return _private_journal(event_lists)


def journal_from(cases_: list[x.Case]) -> Any:
    """The typed journal of valid cases (helper A's builder when there is one)."""
    build = _builder()
    if build is not None:
        return build(cases_)
    return journal_of([(c.id, c.events) for c in cases_])


def rows_of(table: Any) -> list[dict[str, Any]]:
    return list(table.to_pylist())


def _verdict(events: tuple[Event, ...]) -> x.Case | None:
    try:
        return replay(events)
    except XinfangError:
        return None


def check_same(case_list: list[x.Case], journal: Any) -> int:
    """Fold == milestones_from_cases on every case not flagged; returns how many are flagged."""
    folded = fold(journal)
    assert folded.milestones.schema == MILESTONES_SCHEMA
    assert len(folded.suspicious) == len(case_list)
    want = rows_of(milestones_from_cases(case_list))
    got = rows_of(folded.milestones)
    for k, case in enumerate(case_list):
        if not folded.suspicious[k]:
            assert got[k] == want[k], (case.events, got[k], want[k])
    return int(folded.suspicious.sum())


# ------------------------------------------------------------------ valid cases
@given(st.lists(cases(), min_size=1, max_size=6))
def test_fold_equals_replay_on_valid_cases(case_list: list[x.Case]) -> None:
    check_same(case_list, journal_from(case_list))


@given(st.lists(cases(), min_size=1, max_size=4))
def test_fold_reads_plain_strings_and_other_zones(case_list: list[x.Case]) -> None:
    journal = journal_from(case_list)
    for name in journal.column_names:
        tp = journal.schema.field(name).type
        if pa.types.is_dictionary(tp):
            i = journal.schema.get_field_index(name)
            journal = journal.set_column(i, name, journal.column(name).cast(pa.string()))
        elif pa.types.is_timestamp(tp):
            i = journal.schema.get_field_index(name)
            utc = journal.column(name).cast(pa.timestamp("ms", tz="UTC"))
            journal = journal.set_column(i, name, utc)
    folded = fold(journal)
    reference = fold(journal_from(case_list))
    assert (folded.suspicious == reference.suspicious).all()
    assert rows_of(folded.milestones) == rows_of(reference.milestones)


def test_demo_corps_all_certified() -> None:
    case_list = list(world().cases)
    flagged = check_same(case_list, journal_from(case_list))
    # realistic data: hardly anything goes the slow way
    assert flagged <= len(case_list) // 20, flagged


def test_bench_shaped_cases_none_flagged() -> None:
    rng = np.random.default_rng(7)
    lo = dt.datetime(2025, 1, 1, 8, tzinfo=SHANGHAI)
    case_list = []
    for i in range(200):
        received = lo + dt.timedelta(days=int(rng.integers(600)), minutes=int(rng.integers(600)))
        reg = x.changes.Register(
            case_id=f"XF-{i:07d}",
            received_at=received,
            channel=x.vocabulary.Channel.LETTER,
            receiving_unit="第1支队",
            petitioners=(x.personal.Petitioner(name="张三"),),
            claims=(x.changes.Claim(request="退还押金"),),
        )
        events = [Event(seq=1, at=received, by="clerk", change=reg)]
        at = received + dt.timedelta(days=int(rng.integers(12)))
        events.append(Event(seq=2, at=at, by="clerk", change=x.changes.Notify()))
        events.append(Event(seq=3, at=at, by="clerk", change=x.changes.Accept()))
        case_list.append(replay(events))
    assert check_same(case_list, journal_from(case_list)) == 0


# ------------------------------------------------------------------ mutated sequences
def _mutate(events: tuple[Event, ...], data: st.DataObject) -> tuple[Event, ...]:
    evs = list(events)
    how = data.draw(st.sampled_from(["drop", "swap", "duplicate", "kind", "renumber", "seq"]))
    i = data.draw(st.integers(0, len(evs) - 1))
    if how == "drop" and len(evs) > 1:
        del evs[i]
    elif how == "swap" and len(evs) > 1:
        j = data.draw(st.integers(0, len(evs) - 1))
        evs[i], evs[j] = evs[j], evs[i]
    elif how == "duplicate":
        evs.insert(i, evs[i])
    elif how == "kind":
        donor = data.draw(st.sampled_from(evs))
        evs[i] = attrs.evolve(evs[i], change=donor.change)
    elif how == "seq":
        evs[i] = attrs.evolve(evs[i], seq=data.draw(st.integers(1, len(evs) + 2)))
    if how in ("drop", "swap", "duplicate", "kind"):
        keep_at = data.draw(st.booleans())
        evs = [
            attrs.evolve(e, seq=n, at=e.at if keep_at else max(f.at for f in evs[:n]))
            for n, e in enumerate(evs, start=1)
        ]
    return tuple(evs)


@given(st.lists(cases(), min_size=1, max_size=4), st.data())
def test_mutated_sequences_never_accepted_wrongly(
    case_list: list[x.Case], data: st.DataObject
) -> None:
    mutated = [_mutate(c.events, data) for c in case_list]
    case_ids = [c.id for c in case_list]
    # the reader knows where each document's rows start (ids may repeat, registrations move)
    starts = np.cumsum([0] + [len(e) for e in mutated[:-1]])
    folded = fold(journal_of(list(zip(case_ids, mutated, strict=True))), starts=starts)
    got = rows_of(folded.milestones)
    for k, events in enumerate(mutated):
        verdict = _verdict(events)
        if verdict is None:
            assert folded.suspicious[k], events
        elif not folded.suspicious[k]:
            assert got[k] == rows_of(milestones_from_cases([verdict]))[0], events


@given(st.lists(cases(), min_size=1, max_size=4), st.data())
def test_suspicious_flags_pass_through(case_list: list[x.Case], data: st.DataObject) -> None:
    flags = np.array(
        data.draw(st.lists(st.booleans(), min_size=len(case_list), max_size=len(case_list)))
    )
    folded = fold(journal_from(case_list), flags)
    assert (folded.suspicious >= flags).all()


# ------------------------------------------------------------------ as of a past day
@given(
    st.lists(cases(), min_size=1, max_size=5), st.dates(dt.date(2021, 1, 1), dt.date(2026, 6, 30))
)
def test_truncate_equals_replay_up_to_the_day(case_list: list[x.Case], day: dt.date) -> None:
    journal, dropped = truncate(journal_from(case_list), day)
    then = [case_as_of(c, day) for c in case_list]
    kept = [c for c in then if c is not None]
    assert dropped == len(then) - len(kept)
    assert journal.num_rows == sum(len(c.events) for c in kept)
    if kept:
        check_same(kept, journal)


def test_truncate_before_1992_uses_the_zone() -> None:
    # 1988-07-01 was under daylight saving (+09:00): 15:30 UTC is the next local day.
    at = dt.datetime(1988, 7, 1, 15, 30, tzinfo=dt.UTC)
    reg = x.changes.Register(
        case_id="XF-1",
        received_at=at,
        channel=x.vocabulary.Channel.LETTER,
        receiving_unit="第1支队",
        petitioners=(x.personal.Petitioner(name="张三"),),
        claims=(x.changes.Claim(request="退还押金"),),
    )
    case = replay([Event(seq=1, at=at, by="clerk", change=reg)])
    journal = journal_of([(case.id, case.events)])
    assert truncate(journal, dt.date(1988, 7, 1))[1] == 1
    assert truncate(journal, dt.date(1988, 7, 2)) == (journal, 0)
    assert fold(journal).suspicious.all()  # before 1992: decided by the value path


def test_empty_journal() -> None:
    journal = journal_of([])
    folded = fold(journal)
    assert folded.milestones.num_rows == 0
    assert truncate(journal, dt.date(2026, 1, 1)) == (journal, 0)


# ------------------------------------------------------------------ roles
_HOLDERS = ("甲", "乙", "丙")


@st.composite
def _role_sequences(draw: st.DrawFn, case_id: str) -> tuple[Event, ...]:
    """A registration then role assignments and releases (and perhaps a withdrawal), raw."""
    at = dt.datetime(2025, 3, 1, 9, tzinfo=SHANGHAI)
    reg = x.changes.Register(
        case_id=case_id,
        received_at=at,
        channel=x.vocabulary.Channel.LETTER,
        receiving_unit="第1支队",
        petitioners=(x.personal.Petitioner(name="张三"),),
        claims=(x.changes.Claim(request="退还押金"),),
    )
    changes: list[Any] = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 15)) == 0:
            changes.append(x.changes.Withdraw(reason="撤回"))
            continue
        cls = draw(st.sampled_from([x.changes.AssignRole, x.changes.ReleaseRole]))
        role = draw(st.sampled_from(list(x.vocabulary.Role)))
        holder = draw(st.sampled_from(_HOLDERS))
        changes.append(cls(role=role, holder=holder, reason="分工"))
    events = [Event(seq=1, at=at, by="clerk", change=reg)]
    for n, change in enumerate(changes, start=2):
        events.append(Event(seq=n, at=at + dt.timedelta(hours=n), by="clerk", change=change))
    return tuple(events)


def _accepted_prefix(events: tuple[Event, ...]) -> tuple[Event, ...]:
    """The events ``replay`` accepts one by one (refused ones skipped), renumbered."""
    case = mutate(None, events[0])
    for e in events[1:]:
        try:
            case = mutate(case, attrs.evolve(e, seq=len(case.events) + 1))
        except XinfangError:
            continue
    return case.events


@given(st.data(), st.lists(st.booleans(), min_size=1, max_size=6))
def test_roles_equal_replay(data: st.DataObject, valid: list[bool]) -> None:
    """Role assign / release sequences, valid or not: flagged exactly when refused, else equal."""
    sequences = []
    for k, keep_valid in enumerate(valid):
        events = data.draw(_role_sequences(f"XF-{k}"))
        sequences.append(_accepted_prefix(events) if keep_valid else events)
    starts = np.cumsum([0] + [len(e) for e in sequences[:-1]])
    folded = fold(journal_of([(f"XF-{k}", e) for k, e in enumerate(sequences)]), starts=starts)
    got = rows_of(folded.milestones)
    for k, events in enumerate(sequences):
        verdict = _verdict(events)
        if verdict is None:
            assert folded.suspicious[k], events
        else:  # roles are modelled exactly: an accepted case is certified, with its values
            assert not folded.suspicious[k], events
            assert got[k] == rows_of(milestones_from_cases([verdict]))[0], events
