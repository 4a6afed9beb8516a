"""Bad input at the store's entry: the same XinfangError on both backends, before any SQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import store_helpers
import xinfang as x
from store_helpers import digest
from xinfang.errors import QUOTE_LIMIT
from xinfang.instants import SHANGHAI
from xinfang.serialization import LONE_SURROGATE_OR_NUL
from xinfang.store import MAX_ID_LENGTH, Store, open_store

if TYPE_CHECKING:
    from collections.abc import Iterator

store_url = store_helpers.store_url

AT = dt.datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)


def _reg(case_id: Any = "S-1", **kw: Any) -> x.changes.Register:
    args: dict[str, Any] = {
        "case_id": case_id,
        "received_at": AT,
        "channel": x.vocabulary.Channel.LETTER,
        "receiving_unit": "D1",
        "petitioners": [x.personal.Petitioner(name="张三")],
        "claims": [x.changes.Claim(request="退还押金")],
    }
    args.update(kw)
    return x.changes.Register(**args)


#: (what is called, the argument its error must name)
BAD_CALLS: list[tuple[str, Any, str]] = [
    ("a number as a case id", lambda s: s.apply(123, x.changes.Notify(note="n"), at=AT), "case_id"),
    ("a dict as a change", lambda s: s.apply("S-1", {"kind": "notify"}, at=AT), "change"),
    (
        "a string as expected_version",
        lambda s: s.apply("S-1", x.changes.Notify(note="n"), at=AT, expected_version="1"),
        "expected_version",
    ),
    (
        "a bool as expected_version",
        lambda s: s.apply("S-1", x.changes.Notify(note="n"), at=AT, expected_version=True),
        "expected_version",
    ),
    ("a number as by", lambda s: s.apply("S-1", x.changes.Notify(note="n"), at=AT, by=7), "by"),
    (
        "a number as a key",
        lambda s: s.apply("S-1", x.changes.Notify(note="n"), at=AT, idempotency_key=5),
        "idempotency_key",
    ),
    ("a string as at", lambda s: s.apply("S-1", x.changes.Notify(note="n"), at="2026-11-02"), "at"),
    ("a dict as org", lambda s: s.apply("S-1", x.changes.Notify(note="n"), at=AT, org={}), "org"),
    ("a change as registration", lambda s: s.register(x.changes.Notify(note="n"), AT), "change"),
    ("a number as a read's id", lambda s: s.case(42), "case_id"),
    ("a number to version", lambda s: s.version(42), "case_id"),
    ("a list to events", lambda s: s.events(["S-1"]), "case_id"),
    ("a string as due's date", lambda s: s.due("2026-11-02"), "as_of"),
    ("a string as due's within", lambda s: s.due(dt.date(2026, 11, 2), "5"), "within"),
    ("a string as target list", lambda s: s.open_cases_by_unit("S-1"), "case_ids"),
    ("a number in a target list", lambda s: s.open_cases_by_unit([1]), "case_ids[0]"),
]


def test_wrong_types_name_the_argument(store_url: str) -> None:
    """Each wrong type is a XinfangError naming the argument, and writes nothing."""
    with open_store(store_url) as s:
        s.register(_reg(), AT)
        before = digest(store_url)
        for what, call, argument in BAD_CALLS:
            with pytest.raises(x.XinfangError) as caught:
                call(s)
            assert f"{argument}:" in str(caught.value) or caught.value.path == argument, what
        assert digest(store_url) == before


def test_one_length_limit_before_any_sql(store_url: str) -> None:
    """Ids, keys and actors longer than MAX_ID_LENGTH are refused alike, quoting a prefix."""
    long = "X" * 1_000_000
    with open_store(store_url) as s:
        s.register(_reg(), AT)
        before = digest(store_url)
        calls = {
            "case_id": lambda: s.register(_reg(long), AT),
            "key": lambda: s.apply("S-1", x.changes.Notify(note="n"), at=AT, idempotency_key=long),
            "by": lambda: s.apply("S-1", x.changes.Notify(note="n"), at=AT, by=long),
            "read": lambda: s.case(long),
            "import": lambda: s.import_ledger(
                x.dump_ledger([x.open_case(_reg("Y" * (MAX_ID_LENGTH + 1)), AT)[0]])
            ),
        }
        for where, call in calls.items():
            with pytest.raises(x.InvalidDataError) as caught:
                call()
            message = str(caught.value)
            assert len(message) < 400, (where, len(message))
            assert f"more than the {MAX_ID_LENGTH}" in message, where
        assert digest(store_url) == before


def test_the_limit_itself_is_accepted(store_url: str) -> None:
    """An id and a key of exactly MAX_ID_LENGTH characters are stored and read back."""
    cid, key = "A" * MAX_ID_LENGTH, "k" * MAX_ID_LENGTH
    with open_store(store_url) as s:
        s.register(_reg(cid), AT, idempotency_key=key)
        assert s.case(cid).id == cid
        assert s.register(_reg(cid), AT, idempotency_key=key)[1].seq == 1


OUTSIDE = [
    dt.datetime(1, 1, 1, 8, 5, tzinfo=SHANGHAI),  # before 0001-01-01 in UTC: made stores unreadable
    dt.datetime(1949, 9, 30, 23, 59, tzinfo=SHANGHAI),
    dt.datetime(2200, 1, 1, 0, 0, tzinfo=SHANGHAI),
]


def test_an_instant_outside_the_range_is_refused_before_writing(store_url: str) -> None:
    """Instants outside 1949-10-01..2199-12-31 are refused at register/apply, naming the field."""
    with open_store(store_url) as s:
        s.register(_reg(), AT)
        before = digest(store_url)
        for edge in OUTSIDE:
            with pytest.raises(x.InvalidDataError, match=r"^1 problem.*: at: .*1949-10-01\.\.2199"):
                s.register(_reg("S-0"), edge)
            with pytest.raises(x.InvalidDataError, match=r": at: .*outside the range"):
                s.apply("S-1", x.changes.Notify(note="n"), at=edge)
            with pytest.raises(x.InvalidDataError, match="received_at"):
                s.register(_reg("S-0", received_at=edge), AT)
            with pytest.raises(x.InvalidDataError, match="as_of"):
                s.due(edge.date())
        assert digest(store_url) == before
        assert [c.id for c in s.iter_cases()] == ["S-1"]
        assert s.export_ledger().count("\n") == 1
        assert s.rebuild() == 1


@pytest.fixture(scope="module")
def memory() -> Iterator[Store]:
    """One in-memory SQLite store for this module's read-only property."""
    with open_store("sqlite://") as s:
        yield s


@given(value=st.one_of(st.integers(), st.floats(), st.binary(), st.lists(st.text(), max_size=3)))
def test_any_non_text_id_is_named_with_a_bounded_quote(memory: Store, value: object) -> None:
    """Whatever is passed as a case id, the error names case_id and quotes a bounded prefix."""
    with pytest.raises(x.InvalidDataError) as caught:
        memory.version(value)  # type: ignore[arg-type]
    assert "case_id" in str(caught.value)
    assert len(str(caught.value)) < 3 * QUOTE_LIMIT + 100


@given(
    text=st.text(st.characters(blacklist_categories=()), max_size=12),
    ascii_only=st.booleans(),
)
def test_the_unstorable_alarm_never_misses(text: str, ascii_only: bool) -> None:
    """LONE_SURROGATE_OR_NUL marks every JSON text of a string holding a NUL or a lone surrogate."""
    try:
        text.encode("utf-8")
        bad = "\x00" in text
    except UnicodeEncodeError:
        bad = True
    doc = json.dumps({"k": text}, ensure_ascii=ascii_only)
    if bad:
        assert LONE_SURROGATE_OR_NUL.search(doc)
    if not ascii_only and "\\" not in text:  # no escape in the text: an alarm is a finding
        assert bool(LONE_SURROGATE_OR_NUL.search(doc)) == bad
