"""Instants and dates at the edge: one documented range, refused by field, quoted in bounds.

Every instant and date xinfang records lies in 1949-10-01..2199-12-31 (local
days in Asia/Shanghai): what the calendar (published data from 2004,
provisional years through 2200 at most), PostgreSQL's ``timestamptz`` and
SQLite's ISO text all hold. Outside it a value is refused where it enters
(``instants.aware``, the change classes, the JSON reader, the columnar
certifier, the store) with an ``InvalidDataError`` naming the field (issue 21).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import store_helpers
import xinfang as x
from xinfang import serialization as s
from xinfang.errors import QUOTE_LIMIT, quoted
from xinfang.instants import FIRST_DAY, LAST_DAY, SHANGHAI, aware, in_range

from helpers import accepted_on, register, t

store_url = store_helpers.store_url
UTC = dt.UTC
ZONES = st.sampled_from(
    [
        SHANGHAI,
        UTC,
        dt.timezone(dt.timedelta(hours=8)),
        dt.timezone(dt.timedelta(hours=-12)),
        dt.timezone(dt.timedelta(hours=14)),
    ]
)


def _local_day(value: dt.datetime) -> dt.date | None:
    """Reference: the Asia/Shanghai day of ``value`` by UTC arithmetic, or None if there is none."""
    try:
        utc = value.astimezone(UTC)
        return utc.astimezone(SHANGHAI).date()
    except (OverflowError, ValueError):
        return None


class TestTheRange:
    """aware() accepts an instant exactly when its Shanghai day lies in the range."""

    @given(st.datetimes(timezones=ZONES))
    def test_aware_accepts_exactly_the_range(self, value: dt.datetime) -> None:
        """Any aware instant in any zone: accepted iff its local day is in range; else named."""
        day = _local_day(value)
        if day is not None and FIRST_DAY <= day <= LAST_DAY:
            got = aware(value, "received_at")
            assert got == value and got.tzinfo is SHANGHAI
            return
        with pytest.raises(x.InvalidDataError) as info:
            aware(value, "received_at")
        (field, message), *_ = info.value.problems
        assert field == "received_at"
        assert "1949-10-01..2199-12-31" in message

    @given(st.dates())
    def test_dates_accepted_exactly_in_the_range(self, day: dt.date) -> None:
        """in_range passes a date in 1949-10-01..2199-12-31 and names the field otherwise."""
        if FIRST_DAY <= day <= LAST_DAY:
            assert in_range(day, "due") is day
        else:
            with pytest.raises(x.InvalidDataError, match=r"due: .*outside the range"):
                in_range(day, "due")

    def test_the_edges_themselves(self) -> None:
        """The first and last local instants are in; one microsecond beyond each is out."""
        first = dt.datetime(1949, 10, 1, tzinfo=SHANGHAI)
        last = dt.datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=SHANGHAI)
        assert aware(first) == first and aware(last) == last
        for outside in (first - dt.timedelta(microseconds=1), last + dt.timedelta(microseconds=1)):
            with pytest.raises(x.InvalidDataError, match="outside the range"):
                aware(outside)

    @given(st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)))
    def test_text_and_values_give_the_same_verdict(self, local: dt.datetime) -> None:
        """The JSON reader's +08:00 fast path accepts exactly what aware() accepts."""
        text = local.isoformat() + "+08:00"
        try:
            expected = aware(dt.datetime.fromisoformat(text))
        except x.InvalidDataError:
            with pytest.raises(x.InvalidDataError, match="outside the range"):
                s.from_dict(text, dt.datetime)
        else:
            assert s.from_dict(text, dt.datetime) == expected


class TestEntries:
    """Where an instant or a date enters, the range is checked and the field named."""

    def test_a_registration_on_0001_01_01_is_refused_naming_received_at(self) -> None:
        """Issue 21: 0001-01-01 in Asia/Shanghai has no UTC value; refused, not stored."""
        with pytest.raises(x.InvalidDataError) as info:
            register(dt.datetime(1, 1, 1, tzinfo=SHANGHAI))
        assert info.value.problems[0][0] == "received_at"

    def test_a_date_of_a_change_outside_the_range_names_its_field(self) -> None:
        """Assign.report_back_by, a plan's deadline and milestones, backlog_since: all checked."""
        with pytest.raises(x.InvalidDataError, match=r"report_back_by: .*outside the range"):
            x.changes.Assign(to_unit="区信访局", report_back_by=dt.date(2200, 1, 1))
        with pytest.raises(x.InvalidDataError, match="deadline: "):
            x.changes.SettlementPlan(deadline=dt.date(1900, 1, 1))
        with pytest.raises(x.InvalidDataError, match="due: "):
            x.changes.PlanMilestone(due=dt.date(1, 1, 1), what="回访")
        with pytest.raises(x.InvalidDataError, match="backlog_since: "):
            register(t(2025, 1, 2), backlog_since=dt.date(1949, 9, 30))

    def test_a_ledger_line_out_of_range_is_refused_with_its_path(self) -> None:
        """The JSON reader refuses a far instant and a far date, naming each path."""
        doc = s.to_dict(accepted_on(t(2025, 8, 8)))
        doc["events"][1]["at"] = "2500-01-01T09:00:00+08:00"
        doc["events"][0]["change"]["backlog_since"] = "1900-01-01"
        with pytest.raises(x.InvalidDataError) as info:
            s.from_json(json.dumps(doc))
        paths = dict(info.value.problems)
        assert "outside the range" in paths["$.events[1].at"]
        assert "outside the range" in paths["$.events[0].change.backlog_since"]

    def test_the_columnar_reader_gives_the_same_verdict(self) -> None:
        """load_journal refuses the far instant as load_ledger does, in the same words."""
        pytest.importorskip("pyarrow")
        good = s.to_dict(accepted_on(t(2025, 8, 8)))
        far = json.loads(json.dumps(good))
        far["id"] = far["events"][0]["change"]["case_id"] = "XF-2"
        far["events"][1]["at"] = "2300-01-01T09:00:00+08:00"
        text = "\n".join(json.dumps(d, ensure_ascii=False) for d in (good, far)) + "\n"
        with pytest.raises(x.InvalidDataError) as by_values:
            x.load_ledger(text)
        with pytest.raises(x.InvalidDataError) as by_columns:
            x.load_journal(text.encode())
        assert by_values.value.problems == by_columns.value.problems

    def test_the_store_refuses_and_stays_readable(self, store_url: str) -> None:
        """Issue 21: a far instant is refused by register and apply; the store reads as before."""
        with x.open_store(store_url) as store:
            store.register(register(t(2025, 1, 2)), t(2025, 1, 2))
            with pytest.raises(x.InvalidDataError, match="outside the range"):
                store.register(
                    register(t(2025, 1, 2), case_id="XF-2"),
                    dt.datetime(1, 1, 1, tzinfo=SHANGHAI),
                )
            with pytest.raises(x.InvalidDataError, match="outside the range"):
                store.apply("XF-1", x.changes.Accept(), at=dt.datetime(2300, 1, 1, tzinfo=SHANGHAI))
            assert [c.id for c in store.iter_cases()] == ["XF-1"]
            assert store.export_ledger().count("\n") == 1


class TestQuoting:
    """An error quotes at most a bounded prefix of a bad value."""

    @given(st.text(min_size=0, max_size=3000) | st.binary(max_size=3000))
    def test_quoted_is_bounded(self, value: str | bytes) -> None:
        """quoted() of any text is at most the limit plus a short tail."""
        assert len(quoted(value)) <= QUOTE_LIMIT + 40

    def test_a_megabyte_instant_gives_a_short_message(self) -> None:
        """A 1,000,000-character instant is named in a message of a few hundred characters."""
        doc = s.to_dict(accepted_on(t(2025, 8, 8)))
        doc["events"][1]["at"] = "2025-08-08T09:00:00" + "9" * 1_000_000
        with pytest.raises(x.InvalidDataError) as info:
            s.from_json(json.dumps(doc))
        assert len(str(info.value)) < 400
        assert "(1000019 characters)" in str(info.value)

    @pytest.mark.parametrize(
        "where",
        [
            ("events", 0, "at"),
            ("events", 0, "change", "received_at"),
            ("events", 0, "change", "channel"),
            ("events", 0, "change", "backlog_since"),
            ("events", 0, "change", "group_size"),
            ("events", 0, "change", "procedure"),
            ("events", 1, "change", "kind"),
            ("schema_version",),
        ],
    )
    @given(st.text(min_size=1, max_size=20))
    def test_a_huge_bad_value_in_any_field_gives_a_short_message(
        self, where: tuple[str | int, ...], seed: str
    ) -> None:
        """Whatever lands in a typed field, 1,000 or 100,000 characters: the same short message."""
        lengths = []
        for size in (1_000, 100_000):
            doc = s.to_dict(accepted_on(t(2025, 8, 8)))
            node: Any = doc
            for key in where[:-1]:
                node = node[key]
            node[where[-1]] = (seed * size)[:size]
            with pytest.raises(x.InvalidDataError) as info:
                s.from_dict(doc, x.Case)
            lengths.append(len(str(info.value)))
        assert lengths[1] - lengths[0] <= 2  # only the count of characters grows
        assert lengths[1] < 1000

    def test_wrong_format_messages_show_the_form_with_an_example(self) -> None:
        """Each wrong instant says what is wrong and shows YYYY-MM-DDTHH:MM:SS+08:00 by example."""
        cases = {
            "2026-12-02": "a date without a time or offset",
            "2026-12-02+08:00": "a date with an offset but no time",
            "2026-12-02T09:30": "has no offset",
            "2026-12-02T24:00+08:00": "hour must be in 0..23",
            "yesterday": "is not an instant",
        }
        for text, what in cases.items():
            with pytest.raises(x.InvalidDataError) as info:
                s.from_dict(text, dt.datetime)
            message = info.value.problems[0][1]
            assert what in message
            assert "e.g. 2026-12-02T09:30:00+08:00" in message
            assert "no offset" not in message or what == "has no offset"


def test_the_range_is_documented_where_it_is_chosen() -> None:
    """docs/calendar.md states the range the code enforces."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "calendar.md").read_text("utf-8")
    assert f"{FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}" in page
