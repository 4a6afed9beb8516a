"""The columnar engine as a whole: the same verdicts, clocks and snapshots as the value path.

Through the public API only (``xinfang.load_journal``, ``journal_clocks``,
``journal_snapshot`` ...): a ledger the columnar path accepts is one
``load_ledger`` accepts, with the same cases; a ledger it refuses is one
``load_ledger`` refuses, with the same problems in the same words; clocks
and campaign snapshots equal ``clock_table``'s and ``snapshot``'s under every
bundled rulebook.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import xinfang as x  # noqa: E402
from shared_world import world  # noqa: E402
from test_campaign import worlds  # noqa: E402
from test_columnar_io import _mutate, _text_mutation  # noqa: E402
from xinfang import serialization  # noqa: E402
from xinfang.deadlines import case_as_of  # noqa: E402
from xinfang.strategies import cases  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

D = dt.date
WORLD = world()


def clock_rows(sweep: Any) -> list[tuple[Any, ...]]:
    """The clocks table's rows, as tuples in the table's order."""
    return [
        (
            r["case_id"],
            r["limit"],
            r["started"],
            r["nominal"],
            r["due"],
            r["met_on"],
            r["paused"],
            r["extended"],
            r["status"],
            r["remaining_days"],
            r["remaining_working_days"],
            r["provisional"],
            r["last_report"],
        )
        for r in sweep.clocks.to_pylist()
    ]


def value_rows(table: x.deadlines.ClockTable) -> list[tuple[Any, ...]]:
    """The same tuples from the value path's clock table, in its (limit, case) order."""
    return [
        (
            c.case_id,
            c.key,
            c.started_on,
            c.nominal,
            c.due,
            c.met_on,
            c.paused_days,
            c.extended_days,
            c.status.value,
            c.remaining_days,
            c.remaining_working_days,
            c.provisional,
            c.last_report,
        )
        for c in table.to_clocks(by_case=False)
    ]


def as_of_day(many: Sequence[x.Case], day: D) -> list[x.Case]:
    """The cases as they stood at the end of ``day`` (those not yet registered left out)."""
    return [c for c in (case_as_of(case, day) for case in many) if c is not None]


def ledger(many: Sequence[x.Case]) -> bytes:
    return serialization.dump_ledger(many, reveal_personal_data=True).encode()


def unique(many: list[x.Case]) -> list[x.Case]:
    return list({c.id: c for c in many}.values())


class TestDemo:
    """The demo corps, through every entry point."""

    JOURNAL = x.load_journal(ledger(WORLD.cases))

    def test_loads_the_same_cases(self) -> None:
        """The journal holds every case, and its cases are the loaded ones."""
        assert len(self.JOURNAL) == len(WORLD.cases)
        assert self.JOURNAL.cases() == list(WORLD.cases)
        assert self.JOURNAL.equals(x.columnar.journal_from_cases(WORLD.cases))

    def test_clocks_equal_the_value_path(self) -> None:
        """journal_clocks gives clock_table's rows, in the same order."""
        sweep = x.columnar.journal_clocks(self.JOURNAL, as_of=WORLD.as_of, calendar=WORLD.calendar)
        table = x.clock_table(WORLD.cases, as_of=WORLD.as_of, calendar=WORLD.calendar)
        assert clock_rows(sweep) == value_rows(table)
        assert (sweep.cases, sweep.not_yet_registered) == (len(WORLD.cases), 0)
        assert sweep.clocks.schema.equals(x.columnar.CLOCKS_SCHEMA)

    def test_snapshot_equals_the_value_path(self) -> None:
        """journal_snapshot is snapshot, and the counts of halves add up to it."""
        w = WORLD
        snap = x.columnar.journal_snapshot(
            self.JOURNAL, w.campaign, w.org, as_of=w.as_of, calendar=w.calendar
        )
        assert snap == x.snapshot(w.campaign, w.cases, w.org, as_of=w.as_of, calendar=w.calendar)
        half = len(w.cases) // 2
        parts = [
            x.columnar.journal_from_cases(w.cases[:half]),
            x.columnar.journal_from_cases(w.cases[half:]),
        ]
        counts = sum(
            x.columnar.journal_snapshot_counts(
                p, w.campaign, w.org, as_of=w.as_of, calendar=w.calendar
            )
            for p in parts
        )
        assert isinstance(counts, x.campaign.SnapshotCounts)
        assert x.campaign.finish_snapshot(w.campaign, counts, w.org) == snap
        both = x.columnar.journal_clocks(
            self.JOURNAL, as_of=w.as_of, calendar=w.calendar, campaign=w.campaign, org=w.org
        )
        assert both.counts is not None
        assert x.campaign.finish_snapshot(w.campaign, both.counts, w.org) == snap
        alone = x.columnar.journal_clocks(self.JOURNAL, as_of=w.as_of, calendar=w.calendar)
        assert both.clocks.equals(alone.clocks)

    def test_a_past_day_skips_and_counts_later_cases(self) -> None:
        """As of a past day: later cases are skipped and counted, not refused."""
        day = D(2025, 6, 30)
        sweep = x.columnar.journal_clocks(self.JOURNAL, as_of=day, calendar=WORLD.calendar)
        then = as_of_day(WORLD.cases, day)
        assert (sweep.cases, sweep.not_yet_registered) == (len(then), len(WORLD.cases) - len(then))
        assert sweep.not_yet_registered > 0
        table = x.clock_table(then, as_of=day, calendar=WORLD.calendar)
        assert clock_rows(sweep) == value_rows(table)
        with pytest.raises(x.XinfangError, match="not yet registered"):
            x.clock_table(WORLD.cases, as_of=day, calendar=WORLD.calendar)

    def test_a_lean_read_sweeps_the_same(self, tmp_path: Path) -> None:
        """Only the fold's columns read back: the same clocks, as of today and a past day."""
        x.columnar.write_journal(self.JOURNAL, tmp_path / "ds", partition_by=("unit",))
        lean = x.columnar.read_journal(tmp_path / "ds", lean=True)
        full = x.columnar.read_journal(tmp_path / "ds")
        assert lean.lean
        assert not full.lean
        assert lean.events.column_names == list(x.columnar.SWEEP_COLUMNS)
        assert lean.milestones.equals(full.milestones)
        read_back = full.cases()  # a journal is immutable: its cases, built once
        for day in (WORLD.as_of, D(2025, 6, 30), D(2026, 3, 1)):
            a = x.columnar.journal_clocks(lean, as_of=day, calendar=WORLD.calendar)
            b = x.columnar.journal_clocks(full, as_of=day, calendar=WORLD.calendar)
            assert a == b
            assert clock_rows(a) == value_rows(
                x.clock_table(as_of_day(read_back, day), as_of=day, calendar=WORLD.calendar)
            )
        assert lean.cases([0, 5]) == full.cases([0, 5])

    def test_parquet_and_table_round_trips(self, tmp_path: Path) -> None:
        """Written to a partitioned Parquet dataset and read back: the same (masked) journal."""
        x.columnar.write_journal(self.JOURNAL, tmp_path / "ds", partition_by=("year",))
        back = x.columnar.read_journal(tmp_path / "ds").cases()
        masked = x.columnar.journal_from_cases([c.masked() for c in WORLD.cases])
        assert sorted(c.id for c in back) == sorted(c.id for c in WORLD.cases)
        by_id = {c.id: c for c in masked.cases()}
        assert all(by_id[c.id] == c for c in back)
        # a Spark or pandas round trip: dictionaries become strings, zones become UTC
        plain = self.JOURNAL.events
        for i, field in enumerate(plain.schema):
            if pa.types.is_dictionary(field.type):
                plain = plain.set_column(i, field.name, plain.column(i).cast(pa.string()))
            elif pa.types.is_timestamp(field.type):
                plain = plain.set_column(
                    i, field.name, plain.column(i).cast(pa.timestamp("ms", tz="UTC"))
                )
        assert x.columnar.journal_from_table(plain).equals(self.JOURNAL)
        assert x.columnar.sweep_table(plain, as_of=WORLD.as_of, calendar=WORLD.calendar).equals(
            x.columnar.journal_clocks(
                self.JOURNAL, as_of=WORLD.as_of, calendar=WORLD.calendar
            ).clocks
        )


@given(st.lists(cases(), max_size=5), st.sampled_from(x.rulebook.bundled_rulebooks()), st.data())
def test_clocks_equal_clock_table_under_every_rulebook(
    many: list[x.Case], rb_id: str, data: st.DataObject
) -> None:
    """For random cases, every bundled rulebook and a day: the same clocks (or skipped cases)."""
    many = unique(many)
    rb = x.bundled_rulebook(rb_id)
    days = sorted({x.periods.local_date(e.at) for c in many for e in c.events})
    day = data.draw(st.sampled_from(days) if days else st.dates(D(2021, 1, 1), D(2026, 12, 31)))
    due_soon = data.draw(st.integers(0, 8))
    then = as_of_day(many, day)
    try:
        table = x.clock_table(then, as_of=day, rulebook=rb, due_soon=due_soon)
    except x.errors.CalendarRangeError:
        with pytest.raises(x.errors.CalendarRangeError):
            x.columnar.journal_clocks(x.load_journal(ledger(many)), as_of=day, rulebook=rb)
        return
    journal = x.load_journal(ledger(many))
    sweep = x.columnar.journal_clocks(journal, as_of=day, rulebook=rb, due_soon=due_soon)
    assert clock_rows(sweep) == value_rows(table)
    assert sweep.cases + sweep.not_yet_registered == len(many)


@given(worlds(), st.data())
def test_snapshot_equals_the_value_path(
    w: tuple[x.Organization, x.Campaign, list[x.Case]], data: st.DataObject
) -> None:
    """Random organisations, campaigns and cases: journal_snapshot is snapshot."""
    org, campaign, many = w
    many = unique(many)
    days = sorted({x.periods.local_date(e.at) for c in many for e in c.events})
    day = data.draw(st.sampled_from(days) if days else st.dates(D(2021, 1, 1), D(2026, 6, 30)))
    try:
        want = x.snapshot(campaign, many, org, as_of=day)
    except x.errors.CalendarRangeError:
        return
    journal = x.columnar.journal_from_cases(many)
    assert x.columnar.journal_snapshot(journal, campaign, org, as_of=day) == want


def loaded(text: str) -> tuple[str, Any, list[x.Case] | None]:
    """What load_ledger says of ``text``: ("ok", its case ids, the cases) or its problems."""
    try:
        many = serialization.load_ledger(text)
    except x.InvalidDataError as exc:
        return "refused", exc.problems, None
    return "ok", [c.id for c in many], many


def columnar_loaded(text: str) -> tuple[str, Any, x.columnar.Journal | None]:
    """What load_journal says of the same text (and the journal)."""
    try:
        journal = x.load_journal(text.encode())
    except x.InvalidDataError as exc:
        return "refused", exc.problems, None
    return "ok", journal.milestones.column("case_id").to_pylist(), journal


def verdict(text: str) -> tuple[str, Any]:
    """What load_ledger says of ``text``: its case ids, or its problems."""
    return loaded(text)[:2]


def columnar_verdict(text: str) -> tuple[str, Any]:
    """What load_journal says of the same text."""
    return columnar_loaded(text)[:2]


@given(st.lists(cases(), min_size=1, max_size=4), st.data())
def test_the_same_verdict_on_valid_and_mutated_ledgers(
    many: list[x.Case], data: st.DataObject
) -> None:
    """Mutated fields, text and event order: load_journal words what load_ledger does."""
    lines = []
    for case in many:
        doc = serialization.to_dict(case, reveal_personal_data=True)
        how = data.draw(st.sampled_from(["keep", "field", "events"]))
        if how == "field":
            _mutate(doc, data)
        elif how == "events" and len(doc["events"]) > 1:
            events = doc["events"]
            i = data.draw(st.integers(0, len(events) - 1))
            action = data.draw(st.sampled_from(["drop", "swap", "duplicate"]))
            if action == "drop":
                del events[i]
            elif action == "duplicate":
                events.insert(i, dict(events[i]))
            else:
                j = data.draw(st.integers(0, len(events) - 1))
                events[i], events[j] = events[j], events[i]
        line = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        lines.append(_text_mutation(line, data) if how == "field" else line)
    text = "\n".join(lines) + "\n"
    *want, many = loaded(text)
    *got, journal = columnar_loaded(text)
    assert got == want
    if want[0] == "ok":
        assert journal is not None
        assert journal.cases() == many


@given(st.lists(cases(), min_size=1, max_size=5, unique_by=lambda c: c.id), st.data())
def test_skipping_bad_lines_keeps_exactly_the_good_ones(
    many: list[x.Case], data: st.DataObject
) -> None:
    """on_bad_lines="skip": the journal of the lines load_ledger accepts alone; the rest named.

    Mutated fields, text and event order, as in the verdict property; each
    line's own verdict (load_ledger of that line alone) decides where it goes.
    """
    lines = []
    for case in many:
        doc = serialization.to_dict(case, reveal_personal_data=True)
        line = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        if data.draw(st.booleans()):
            _mutate(doc, data)
            line = _text_mutation(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), data)
        lines.append(line)
    good: list[x.Case] = []
    refused: list[tuple[int, tuple[tuple[str, str], ...]]] = []
    for number, line in enumerate(lines, start=1):
        try:
            good += serialization.load_ledger(line)
        except x.InvalidDataError as exc:
            refused.append((number, exc.problems))
    journal = x.load_journal(("\n".join(lines) + "\n").encode(), on_bad_lines="skip")
    assert journal.equals(x.columnar.journal_from_cases(good))
    got = [(bad.line, tuple(bad.headed())) for bad in journal.rejected]
    want = [
        (n, tuple((p.replace("line 1", f"line {n}", 1), m) for p, m in problems))
        for n, problems in refused
    ]
    assert got == want


def test_skip_on_a_good_ledger_is_the_plain_load() -> None:
    """No bad line: the same journal as the default, nothing rejected; a bad mode is refused."""
    text = serialization.dump_ledger(WORLD.cases[:30], reveal_personal_data=True).encode()
    skipped = x.load_journal(text, on_bad_lines="skip")
    assert skipped.equals(x.load_journal(text)) and skipped.rejected == ()
    with pytest.raises(x.InvalidDataError, match="on_bad_lines"):
        x.load_journal(text, on_bad_lines="warn")  # type: ignore[arg-type]


def test_a_bad_line_among_good_ones_is_worded_as_load_ledger_words_it() -> None:
    """One bad instant and one refused transition: the same problems, the same line numbers."""
    lines = serialization.dump_ledger(WORLD.cases[:20]).splitlines()
    lines[3] = lines[3].replace('"at":"', '"at":"X', 1)
    doc = json.loads(lines[7])
    doc["events"].insert(1, dict(doc["events"][-1], seq=2))
    for k, event in enumerate(doc["events"], start=1):
        event["seq"] = k
    lines[7] = json.dumps(doc, ensure_ascii=False)
    text = "\n".join(lines) + "\n"
    want = verdict(text)
    assert want[0] == "refused"
    assert columnar_verdict(text) == want


def test_bad_lines_spread_through_a_ledger_are_each_named_with_their_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lines pyarrow refuses among thousands: each named (line, case id, field) as load_ledger does.

    The value path reads the bad lines one at a time, not the whole ledger.
    """
    good = serialization.dump_ledger(WORLD.cases, reveal_personal_data=True).splitlines()

    def copy(i: int) -> str:  # the world's lines again and again, each case id once
        line, again = good[i % len(good)], i // len(good)
        cid = json.loads(line)["id"]
        return line.replace(f'"{cid}"', f'"{cid}.{again}"') if again else line

    lines = [copy(i) for i in range(2000)]
    spoilt = {
        37: lambda line: line[: len(line) // 2],  # cut short: not JSON
        512: lambda line: line.replace('"seq":1,', '"seq":"one",', 1),  # a type pyarrow refuses
        513: lambda line: line.replace('"at":"', '"at":"X', 1),  # a bad instant
        1024: lambda line: line + "{}",  # two documents on one line
        1999: lambda line: line.replace('"by":', '"by_":', 1),  # a field missing, one unknown
    }
    for i, spoil in spoilt.items():
        lines[i] = spoil(lines[i])
    text = "\n".join(lines) + "\n"
    want = verdict(text)
    assert want[0] == "refused"
    from xinfang.columnar import _api

    calls: list[str] = []
    real = _api.from_json

    def counted(line: str) -> Any:
        calls.append(line)
        return real(line)

    monkeypatch.setattr(_api, "from_json", counted)
    with pytest.raises(x.InvalidDataError) as caught:
        x.load_journal(text.encode())
    assert len(calls) == len(spoilt)  # the value path reads the bad lines alone
    assert ("refused", caught.value.problems) == want
    named = {p.split(":")[0] for p, _ in caught.value.problems}
    assert named == {f"line {i + 1} (case {json.loads(copy(i))['id']})" for i in spoilt}


def test_a_line_not_utf8_is_named_once() -> None:
    """Bytes that are not UTF-8: ``line 3 (case …): $``, the line headed once."""
    lines = serialization.dump_ledger(WORLD.cases[:5], reveal_personal_data=True).encode()
    rows = lines.split(b"\n")
    rows[2] = rows[2][:60] + b"\xff\xfe" + rows[2][60:]
    with pytest.raises(x.InvalidDataError) as caught:
        x.load_journal(b"\n".join(rows))
    ((path, message),) = caught.value.problems
    assert path == f"line 3 (case {WORLD.cases[2].id}): $"
    assert message.startswith("not UTF-8 text")


def test_bytes_not_utf8_inside_a_string_pyarrow_reads_are_refused() -> None:
    """A byte that is not UTF-8 in a value pyarrow accepts: refused as the value path words it."""
    rows = serialization.dump_ledger(WORLD.cases[:3], reveal_personal_data=True).encode()
    lines = rows.split(b"\n")
    lines[1] = lines[1].replace(b'"by":"', b'"by":"\xff', 1)
    with pytest.raises(x.InvalidDataError) as caught:
        x.load_journal(b"\n".join(lines))
    ((path, message),) = caught.value.problems
    assert path == f"line 2 (case {WORLD.cases[1].id}): $"
    assert message.startswith("not UTF-8 text")
    skipped = x.load_journal(b"\n".join(lines), on_bad_lines="skip")
    skipped.events.validate(full=True)
    assert skipped.cases() == [WORLD.cases[0], WORLD.cases[2]]
    assert [bad.line for bad in skipped.rejected] == [2]


def test_nulls_in_a_ledger_whose_events_never_start_with_seq() -> None:
    """An explicit null, and no event written {"seq":... first: the same verdict, no IndexError."""
    doc = serialization.to_dict(WORLD.cases[0])
    doc["events"] = [
        {"at": e["at"], **{k: v for k, v in e.items() if k != "at"}} for e in doc["events"]
    ]
    good = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    bad = '{"schema_version":1,"route":null,"events":[]}'
    for text in (f"{good}\n{bad}\n", f"{bad}\n", f"{good}\n"):
        want = verdict(text)
        assert columnar_verdict(text) == want
    assert verdict(f"{good}\n")[0] == "ok"


def test_unit_ids_that_look_like_numbers_filter_as_text(tmp_path: Path) -> None:
    """Partitioned by unit with ids 007, 7, 1002: each filters back, full and lean."""
    units = ["007", "7", "1002"]
    lines = []
    for case, unit in zip(WORLD.cases, units, strict=False):
        doc = serialization.to_dict(case, reveal_personal_data=True)
        doc["events"][0]["change"]["receiving_unit"] = unit
        lines.append(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    x.columnar.write_journal(
        x.load_journal(("\n".join(lines) + "\n").encode()), tmp_path / "ds", partition_by=("unit",)
    )
    for unit in units:
        for lean in (False, True):
            got = x.columnar.read_journal(tmp_path / "ds", filters=[("unit", "=", unit)], lean=lean)
            assert got.milestones.column("receiving_unit").to_pylist() == [unit]


def _with_column(table: Any, name: str, column: Any) -> Any:
    return table.set_column(table.schema.get_field_index(name), name, column)


def test_a_table_column_that_cannot_be_cast_is_named() -> None:
    """journal_from_table and sweep_table: a column pyarrow cannot cast is an InvalidDataError."""
    events = x.columnar.journal_from_cases(WORLD.cases[:20]).events
    n = events.num_rows
    spoilt = {
        "seq": pa.array([2**40] + [1] * (n - 1), pa.int64()),  # a Spark long out of int32
        "group_size": pa.array([1.5] + [None] * (n - 1), pa.float64()),
        "days": pa.array(["abc"] * n),
    }
    for name, column in spoilt.items():
        table = _with_column(events, name, column)
        for call in (
            x.columnar.journal_from_table,
            lambda t: x.columnar.sweep_table(t, as_of=WORLD.as_of),
        ):
            with pytest.raises(x.InvalidDataError) as caught:
                call(table)
            ((path, message),) = caught.value.problems
            assert path == name and message.startswith("cannot be read as"), message
    pandas_ints = pa.array([2.0] + [None] * (n - 1), pa.float64())  # ints with nulls, via pandas
    x.columnar.journal_from_table(_with_column(events, "group_size", pandas_ints))


def test_naive_instants_in_a_table_are_refused() -> None:
    """Instants without a zone (a pandas round trip of wall-clock times) are not read as UTC."""
    events = x.columnar.journal_from_cases(WORLD.cases[:20]).events
    naive = events
    for name in ("at", "received_at", "delivered_at"):
        naive = _with_column(naive, name, pc.local_timestamp(events.column(name)))
    with pytest.raises(x.InvalidDataError) as caught:
        x.columnar.journal_from_table(naive)
    assert [p for p, _ in caught.value.problems] == ["at", "received_at", "delivered_at"]
    assert all("a zone is needed" in m for _, m in caught.value.problems)
    dates = _with_column(events, "at", events.column("at").cast(pa.date32()))
    with pytest.raises(x.InvalidDataError, match="a zone is needed"):
        x.columnar.sweep_table(dates, as_of=WORLD.as_of)
    zoned = _with_column(events, "at", events.column("at").cast(pa.timestamp("us", tz="UTC")))
    assert x.columnar.journal_from_table(zoned).equals(
        x.columnar.journal_from_cases(WORLD.cases[:20])
    )


def test_text_that_is_not_unicode_is_refused_by_name() -> None:
    """An escaped lone surrogate: load_ledger reads it as json does; Arrow cannot hold it.

    The one verdict the columnar path gives alone: the line is named (line,
    case id), skip mode leaves it out, and no UnicodeEncodeError escapes.
    """
    lines = serialization.dump_ledger(WORLD.cases[:5], reveal_personal_data=True).splitlines()
    doc = json.loads(lines[2])
    doc["events"][0]["change"]["claims"][0]["facts"] = "坏\udc00字"
    lines[2] = json.dumps(doc, ensure_ascii=True)
    text = "\n".join(lines) + "\n"
    assert len(serialization.load_ledger(text)) == 5
    with pytest.raises(x.InvalidDataError) as caught:
        x.load_journal(text.encode())
    ((path, message),) = caught.value.problems
    assert path == f"line 3 (case {WORLD.cases[2].id}): $"
    assert message.startswith("holds a lone surrogate (U+DC00)")
    skipped = x.load_journal(text.encode(), on_bad_lines="skip")
    assert len(skipped) == 4 and [b.line for b in skipped.rejected] == [3]
    with pytest.raises(x.InvalidDataError, match="lone surrogate"):
        x.columnar.journal_from_cases(serialization.load_ledger(text))


def test_lazy_names_without_pyarrow_say_which_extra() -> None:
    """Without pyarrow, import xinfang works and the columnar names name the extra to install."""
    probe = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "import xinfang\n"
        "assert 'load_journal' not in xinfang.__all__\n"
        "try:\n"
        "    xinfang.load_journal\n"
        "except xinfang.MissingDependencyError as exc:\n"
        "    assert isinstance(exc, ImportError) and 'xinfang[columnar]' in str(exc), exc\n"
        "    print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_load_journal_is_at_the_top_level_and_the_rest_moved() -> None:
    """load_journal stays at the top level (lazily); the other columnar names moved (issue 22)."""
    from xinfang import columnar

    assert x.OPTIONAL_EXPORTS == {"load_journal": "xinfang.columnar"}
    assert x.load_journal is columnar.load_journal
    assert "load_journal" in dir(x)
    moved = {n for n, owner in x.MOVED.items() if owner == "xinfang.columnar"}
    since = {"COMPANION_SCHEMA", "check_milestones", "read_milestones", "sweep_milestones"}
    since |= {"update_milestones", "sweep_day", "compact_milestones"}  # issue 25: never moved
    since |= {"milestones_from_store"}  # issue 25 (the store's milestones): never at the top
    since |= {"sweep_store", "CaseSource"}  # issue 25 (the store's sweep): never at the top
    since |= {"committed_files"}  # issue 25 (another engine's read): never at the top
    assert moved == set(columnar.__all__) - {"load_journal"} - since


@given(st.lists(cases(), min_size=1, max_size=6), st.data())
def test_hearing_pauses_from_spans_equal_the_cases(many: list[x.Case], data: st.DataObject) -> None:
    """The engine's column-wise hearing pauses equal paused_days on each case, from any day."""
    from xinfang.columnar._cases import case_offsets
    from xinfang.columnar._engine import MilestoneColumns, spans_of
    from xinfang.deadlines import paused_days

    many = unique(many)
    journal = x.columnar.journal_from_cases(many)
    day = max(c.on.last_event or c.on.received for c in many)
    since = [
        data.draw(st.dates(c.on.received - dt.timedelta(days=5), day)).toordinal() for c in many
    ]
    cols = MilestoneColumns(
        journal.milestones,
        day,
        lambda k: many[k],
        lambda: spans_of(journal.events, case_offsets(journal.events)),
    )
    rows = np.arange(len(many))
    paused, running = cols.pauses(rows, np.array(since))
    want = [paused_days(c, dt.date.fromordinal(s), day) for c, s in zip(many, since, strict=True)]
    assert list(zip(paused.tolist(), running.tolist(), strict=True)) == want


def test_hearing_pauses_of_ended_running_and_several_hearings() -> None:
    """Ended, running and repeated hearings: spans give paused_days for every since."""
    from xinfang.columnar._cases import case_offsets
    from xinfang.columnar._engine import MilestoneColumns, spans_of
    from xinfang.deadlines import paused_days

    from helpers import register, run, t

    def hearings(case_id: str, *spans: tuple[int, int | None]) -> x.Case:
        steps: list[tuple[x.Change, dt.datetime]] = [
            (register(t(2026, 3, 2), case_id=case_id), t(2026, 3, 2)),
            (x.changes.Accept(), t(2026, 3, 3)),
        ]
        for start, end in spans:
            steps.append((x.changes.StartHearing(), t(2026, 3, start)))
            if end is not None:
                steps.append((x.changes.EndHearing(), t(2026, 3, end, 17)))
        return run(*steps)

    many = [
        hearings("H-1", (5, 9), (12, None)),
        hearings("H-2", (4, 4), (6, 8), (20, 25)),
        hearings("H-3"),
        hearings("H-4", (10, None)),
    ]
    journal = x.columnar.journal_from_cases(many)
    day = D(2026, 3, 28)
    cols = MilestoneColumns(
        journal.milestones,
        day,
        lambda k: many[k],
        lambda: spans_of(journal.events, case_offsets(journal.events)),
    )
    for since in range(D(2026, 3, 1).toordinal(), day.toordinal() + 1):
        rows = np.arange(len(many))
        paused, running = cols.pauses(rows, np.full(len(many), since))
        want = [paused_days(c, dt.date.fromordinal(since), day) for c in many]
        assert list(zip(paused.tolist(), running.tolist(), strict=True)) == want
