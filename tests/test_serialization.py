"""Serialization: round trips, masking, every problem reported, fuzzed input, the JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from xinfang import serialization as s
from xinfang.instants import FIRST_DAY, LAST_DAY, aware
from xinfang.strategies import cases, changes, counting_rules, periods

from helpers import accepted_on, t

SCHEMA = s.json_schema()
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


def nodes(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``doc`` (to containers and leaves alike)."""
    out = [path] if path else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += nodes(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += nodes(v, (*path, i))
    return out


def retyped(doc: Any, data: st.DataObject) -> Any:
    """``doc`` with one node, any depth alike, deleted, replaced or given an extra key."""
    path = data.draw(st.sampled_from(nodes(doc)))
    parent: Any = doc
    for key in path[:-1]:
        parent = parent[key]
    action = data.draw(st.sampled_from(["delete", "replace", "add key"]))
    if action == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    elif action == "add key" and isinstance(parent[path[-1]], dict):
        parent[path[-1]][data.draw(st.text(max_size=6))] = data.draw(json_values)
    else:
        parent[path[-1]] = data.draw(json_values)
    return doc


class TestRoundTrip:
    """from_json(to_json(x)) == x."""

    @given(cases())
    def test_full_record_round_trips(self, case: x.Case) -> None:
        """With personal data revealed, a case comes back equal, events and all."""
        text = s.to_json(case, reveal_personal_data=True)
        assert s.from_json(text) == case

    @given(cases())
    def test_default_export_round_trips_to_the_masked_case(self, case: x.Case) -> None:
        """The default export is masked; reading it back gives exactly the masked case."""
        back = s.from_json(s.to_json(case))
        assert back == case.masked()
        assert s.from_json(s.to_json(back)) == back

    @given(cases(max_steps=6))
    def test_events_round_trip_alone(self, case: x.Case) -> None:
        """Each event survives alone too."""
        for event in case.events:
            assert s.from_dict(s.to_dict(event, reveal_personal_data=True), x.Event) == event

    @given(changes())
    def test_changes_carry_their_kind(self, change: x.Change) -> None:
        """Every command is tagged with its kind and reads back equal."""
        data = s.to_dict(change)
        assert data["kind"] == change.kind
        assert s.from_dict(data, type(change)) == change

    @given(periods(), counting_rules())
    def test_small_values_round_trip(
        self, period: x.periods.Period, rule: x.periods.CountingRule
    ) -> None:
        """Periods and counting rules round trip."""
        assert s.from_json(s.to_json(period), x.periods.Period) == period
        assert s.from_json(s.to_json(rule), x.periods.CountingRule) == rule

    @given(cases())
    def test_clocks_round_trip(self, case: x.Case) -> None:
        """Clocks as of a date round trip."""
        as_of = case.events[-1].at.date()
        for c in x.clocks(case, as_of=as_of):
            assert s.from_dict(s.to_dict(c), x.Clock) == c

    def test_ledger_round_trip_and_line_numbers(self) -> None:
        """A JSON Lines ledger reads back; bad lines are reported with their numbers."""
        a = accepted_on(t(2025, 8, 8))
        b = accepted_on(t(2025, 8, 8), case_id="XF-2")
        text = s.dump_ledger([a, b])
        assert s.load_ledger(text) == [a.masked(), b.masked()]
        broken = text + '{"schema_version": 1, "events": []}\n\nnot json\n'
        broken += '{"schema_version": 1, "id": "A-9", "events": []}\n'
        broken += '{"events": [], "id": "A-10"}\n{"id": "A-11", "events": [\n'
        with pytest.raises(x.InvalidDataError) as info:
            s.load_ledger(broken)
        paths = [p for p, _ in info.value.problems]
        assert paths == [
            "line 3: $.events",
            "line 5: $",
            "line 6 (case A-9): $.events",  # the case id the line gives, where it gives one
            "line 7 (case A-10): $.schema_version",
            "line 7 (case A-10): $.events",
            "line 8 (case A-11): $",  # not JSON, but it begins with its id
        ]


class TestBadInput:
    """Malformed input raises InvalidDataError listing every problem; nothing is partly loaded."""

    def test_every_problem_is_listed_with_its_path(self) -> None:
        """Three broken fields give three (path, message) pairs."""
        doc = s.to_dict(accepted_on(t(2025, 8, 8)))
        doc["events"][0]["change"]["group_size"] = "many"
        doc["events"][0]["change"]["channel"] = "pigeon"
        doc["events"][1]["at"] = "2025-08-08T09:00:00"
        with pytest.raises(x.InvalidDataError) as info:
            s.from_dict(doc, x.Case)
        assert dict(info.value.problems) == {
            "$.events[0].change.channel": "'pigeon' is not one of "
            "['online', 'letter', 'phone', 'fax', 'visit']",
            "$.events[0].change.group_size": "expected an integer, got str",
            "$.events[1].at": "'2025-08-08T09:00:00' has no offset (e.g. +08:00): expected "
            "YYYY-MM-DDTHH:MM:SS+08:00, e.g. 2026-12-02T09:30:00+08:00",
        }

    def test_an_illegal_history_is_refused(self) -> None:
        """Events that break the stage graph are refused with the event's index."""
        doc = s.to_dict(accepted_on(t(2025, 8, 8)))
        doc["events"][1]["change"] = {"kind": "review_requested", "to_unit": "省"}
        with pytest.raises(x.InvalidDataError, match=r"\$\.events\[1\].*not allowed in stage"):
            s.from_dict(doc, x.Case)

    def test_a_refused_first_event_is_named_by_its_index(self) -> None:
        """A first event the replay refuses is ``$.events[0]``, like any other (not ``[None]``)."""
        doc = s.to_dict(accepted_on(t(2025, 8, 8)))
        doc["events"][0]["seq"] = 2
        with pytest.raises(x.InvalidDataError) as caught:
            s.from_dict(doc, x.Case)
        assert caught.value.problems == (
            ("$.events[0]", "events[0].seq: the first event has seq 1, got 2"),
        )
        with pytest.raises(x.TransitionError) as refused:
            x.replay(s.from_dict(s.to_dict(accepted_on(t(2025, 8, 8))), x.Case).events[1:])
        assert refused.value.index == 0

    def test_wrong_schema_version_and_extra_keys(self) -> None:
        """The schema version is checked and unknown keys are refused."""
        doc = s.to_dict(accepted_on(t(2025, 8, 8)))
        doc["schema_version"] = 2
        doc["events"][1]["change"]["colour"] = "red"
        with pytest.raises(x.InvalidDataError) as info:
            s.from_dict(doc, x.Case)
        paths = {p for p, _ in info.value.problems}
        assert paths == {"$.schema_version", "$.events[1].change"}

    @given(json_values)
    def test_random_json_raises_only_invalid_data(self, value: Any) -> None:
        """Arbitrary JSON is refused with InvalidDataError, never another exception."""
        with pytest.raises(x.InvalidDataError):
            s.from_json(json.dumps(value))

    @given(cases(max_steps=6), st.data())
    def test_mutated_documents_load_or_raise_invalid_data(
        self, case: x.Case, data: st.DataObject
    ) -> None:
        """A valid document with one field replaced either loads or raises InvalidDataError."""
        doc = retyped(s.to_dict(case), data)
        try:
            loaded: object = s.from_json(json.dumps(doc))
        except x.InvalidDataError as exc:
            loaded = exc.problems
        assert isinstance(loaded, x.Case) or (isinstance(loaded, tuple) and loaded)

    def test_not_json_at_all(self) -> None:
        """Text that is not JSON is an InvalidDataError at $."""
        with pytest.raises(x.InvalidDataError, match="not valid JSON"):
            s.from_json("{")


class TestJsonSchema:
    """The exported JSON Schema agrees with the converter."""

    def test_schema_is_valid_draft_2020_12(self) -> None:
        """The schema itself is a valid 2020-12 schema."""
        jsonschema.Draft202012Validator.check_schema(SCHEMA)

    @given(cases())
    def test_every_export_validates(self, case: x.Case) -> None:
        """Every document the converter writes validates against the schema."""
        VALIDATOR.validate(s.to_dict(case))
        VALIDATOR.validate(s.to_dict(case, reveal_personal_data=True))

    def test_schema_rejects_what_the_converter_rejects(self) -> None:
        """Documents the converter refuses for shape are refused by the schema too."""
        good = s.to_dict(accepted_on(t(2025, 8, 8)))
        bad_docs = []
        for mutate in (
            lambda d: d["events"][0]["change"].__setitem__("channel", "pigeon"),
            lambda d: d["events"][1].__setitem__("seq", "2"),
            lambda d: d["events"][1]["change"].__setitem__("colour", "red"),
            lambda d: d.__setitem__("events", []),
            lambda d: d["events"][0]["change"].pop("claims"),
        ):
            doc = json.loads(json.dumps(good))
            mutate(doc)
            bad_docs.append(doc)
        for doc in bad_docs:
            assert not VALIDATOR.is_valid(doc)
            with pytest.raises(x.InvalidDataError):
                s.from_dict(doc, x.Case)


def test_instants_keep_their_offset_and_convert() -> None:
    """Instants are written with +08:00 and read from any offset into Asia/Shanghai."""
    case = accepted_on(t(2025, 8, 8))
    doc = s.to_dict(case)
    assert doc["events"][0]["at"] == "2025-08-08T09:00:00+08:00"
    doc["events"][1]["at"] = "2025-08-08T01:00:00+00:00"
    back = s.from_dict(doc, x.Case)
    assert back.events[1].at == case.events[1].at
    assert back.events[1].at.utcoffset() == dt.timedelta(hours=8)


FAST = s.make_converter(detailed_validation=False)


def outcome(converter: Any, doc: Any) -> object:
    """What ``converter`` makes of a case document: the case, or ``refused``."""
    try:
        return converter.structure(doc, x.Case)
    except Exception:
        return "refused"


class TestFastConverter:
    """Valid data takes a converter without detailed validation; it agrees with the detailed one."""

    @given(cases(), st.booleans())
    def test_valid_documents_agree(self, case: x.Case, reveal: bool) -> None:
        """On every valid document both give the same case."""
        doc = json.loads(s.to_json(case, reveal_personal_data=reveal))
        fast = FAST.structure(doc, x.Case)
        assert fast == s.converter.structure(doc, x.Case)
        assert fast == (case if reveal else case.masked())

    @given(cases(max_steps=6), st.data())
    def test_mutated_documents_agree(self, case: x.Case, data: st.DataObject) -> None:
        """On a mutated document both refuse it, or both give the same case."""
        doc = retyped(json.loads(s.to_json(case, reveal_personal_data=True)), data)
        fast = outcome(FAST, doc)
        assert fast == outcome(s.converter, doc)
        if fast == "refused":
            with pytest.raises(x.InvalidDataError):
                s.from_dict(doc, x.Case)

    def test_python_iterables_and_text_for_arrays(self) -> None:
        """A string for an array is refused by both, with its path; a tuple is an array."""
        case = accepted_on(t(2025, 8, 8))
        doc = s.to_dict(case)
        doc["events"][0]["change"]["claims"] = "退还押金"
        with pytest.raises(x.InvalidDataError):
            FAST.structure(doc, x.Case)
        with pytest.raises(x.InvalidDataError) as info:
            s.from_dict(doc, x.Case)
        assert info.value.problems == (("$.events[0].change.claims", "expected an array, got str"),)
        doc = s.to_dict(case)
        doc["events"][0]["change"]["claims"] = tuple(doc["events"][0]["change"]["claims"])
        assert FAST.structure(doc, x.Case) == s.from_dict(doc, x.Case) == case.masked()

    def test_a_lone_surrogate_is_read_like_json_reads_it(self) -> None:
        """Orjson refuses text that json accepts; such text is read by json."""
        case = accepted_on(t(2025, 8, 8))
        text = s.to_json(case).replace("退还押金", "\\ud800")
        loaded = s.from_json(text)
        assert loaded.claims[0].request == "\ud800"


def test_load_ledger_leaves_the_garbage_collector_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading never switches the collector on or off: it stays as the host set it."""
    import gc

    good = s.dump_ledger([accepted_on(t(2025, 8, 8))])
    seen: list[bool] = []
    original = s.from_json

    def spy(text: str) -> x.Case:
        seen.append(gc.isenabled())
        return original(text)

    monkeypatch.setattr(s, "from_json", spy)
    assert gc.isenabled()
    try:
        s.load_ledger(good)
        with pytest.raises(x.InvalidDataError):
            s.load_ledger("{}\n" + good)
        assert seen == [True, True, True]
        assert gc.isenabled()
        gc.disable()  # a host may pause it around the call itself
        s.load_ledger(good)
        with pytest.raises(x.InvalidDataError):
            s.load_ledger("{}\n" + good)
        assert seen[3:] == [False, False, False]
        assert not gc.isenabled()
    finally:
        gc.enable()


class TestEdges:
    """Inputs found by review: each is read as the stdlib json reads it, or refused."""

    @pytest.mark.parametrize("value", ["2025-08-09+08:00", "20250809+08:00"])
    def test_a_date_with_an_offset_is_not_an_instant(self, value: str) -> None:
        """A date is not an instant; with an offset it is not called "no offset" (issue 21)."""
        with pytest.raises(x.InvalidDataError, match="a date with an offset but no time"):
            s.from_dict(value, dt.datetime)

    def test_arrays_from_python_may_be_any_iterable_but_text(self) -> None:
        """Sets and generators from Python callers are arrays; strings and mappings are not."""
        assert sorted(s.converter.structure({"A", "B"}, tuple[str, ...])) == ["A", "B"]
        assert s.converter.structure((v for v in "AB"), tuple[str, ...]) == ("A", "B")
        for bad in ("AB", b"AB", {"A": 1}):
            with pytest.raises(Exception, match="expected an array"):
                s.converter.structure(bad, tuple[str, ...])

    def test_a_huge_integer_reads_as_json_reads_it(self) -> None:
        """The parser orjson cannot hold it; json can, and the converter decides as before."""
        doc = s.to_dict(accepted_on(t(2025, 8, 8)))
        doc["events"][0]["change"]["group_size"] = 10**20
        text = json.dumps(doc)
        with pytest.raises(x.InvalidDataError, match="group_size: at most 2,147,483,647"):
            s.from_json(text)  # read (json holds it), then refused by the converter's bound

    def test_ledger_lines_split_on_newlines_only(self) -> None:
        """U+2028 inside a string is not a line break of a JSON Lines ledger."""
        case = accepted_on(t(2025, 8, 8), claims=[x.changes.Claim(request="退还\u2028押金\u0085")])
        assert s.load_ledger(s.dump_ledger([case])) == [case.masked()]

    @pytest.mark.parametrize("version", [True, 1.0, "1"])
    def test_schema_version_is_the_integer_1(self, version: object) -> None:
        """Values that merely compare equal to 1 are not schema version 1."""
        doc = s.to_dict(accepted_on(t(2025, 8, 8)))
        doc["schema_version"] = version
        with pytest.raises(x.InvalidDataError) as info:
            s.from_json(json.dumps(doc))
        assert info.value.problems[0][0] == "$.schema_version"

    def test_a_group_larger_than_the_journal_counts_is_refused(self) -> None:
        """A group size past 32 bits (the journal's column) is refused with the field named."""
        doc = s.to_dict(accepted_on(t(2025, 8, 8)))
        doc["events"][0]["change"]["group_size"] = 2**31
        with pytest.raises(x.InvalidDataError) as caught:
            s.from_dict(doc, x.Case)
        assert caught.value.problems == (
            (
                "$.events[0].change",
                "group_size: at most 2,147,483,647 (the journal counts in 32 bits)",
            ),
        )
        doc["events"][0]["change"]["group_size"] = 2**31 - 1
        assert s.from_dict(doc, x.Case).group_size == 2**31 - 1

    def test_an_absurd_extension_is_a_clear_error(self) -> None:
        """Days that cannot be counted are refused with the field named."""
        doc = s.to_dict(accepted_on(t(2025, 8, 8)))
        change = {"kind": "extended", "days": 2**40, "approved_by": "局长", "reason": "复杂"}
        doc["events"].append(
            {"seq": 3, "at": "2025-08-09T09:00:00+08:00", "by": "c", "change": change}
        )
        with pytest.raises(x.InvalidDataError, match="extension_days"):
            s.from_json(json.dumps(doc))


@given(
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2300, 12, 31)),
    st.sampled_from(["T", " "]),
    st.sampled_from(["minutes", "seconds", "milliseconds", "microseconds"]),
)
def test_the_beijing_time_shortcut_reads_like_the_general_path(
    local: dt.datetime, sep: str, spec: str
) -> None:
    """A +08:00 instant gives what its offset and `aware` give; out of range both refuse."""
    text = local.isoformat(sep=sep, timespec=spec) + "+08:00"
    try:
        expected = aware(dt.datetime.fromisoformat(text))
    except x.InvalidDataError:
        assert not FIRST_DAY <= local.date() <= LAST_DAY
        with pytest.raises(x.InvalidDataError, match="outside the range xinfang accepts"):
            s.from_dict(text, dt.datetime)
        return
    got = s.from_dict(text, dt.datetime)
    assert got == expected and got.tzinfo is expected.tzinfo
    assert got.utcoffset() == expected.utcoffset()
