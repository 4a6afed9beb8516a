"""Where the paths disagreed (issue 20), and the text rule they must share (item 9).

- A ledger naming one case id on two lines was accepted by ``load_ledger``,
  ``load_journal`` and a whole Parquet read, refused by a lean read (when it
  read a case whole): now every path refuses it, naming both lines (rows).
- A unit named ``__HIVE_DEFAULT_PARTITION__`` was written to a partition a
  filter on that unit could not find (pyarrow read the folder as null): it now
  round-trips.
- A Unicode format control (category Cf) in a name, unit or text is refused
  by the value path and the column checks alike, in the same words.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TYPE_CHECKING

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xinfang as x
from xinfang import serialization
from xinfang._checks import FORMAT_CONTROLS, format_control_problem
from xinfang.instants import SHANGHAI
from xinfang.strategies import cases

if TYPE_CHECKING:
    from pathlib import Path


def _case(cid: str, unit: str = "市信访局", *, accept: bool = False) -> x.Case:
    at = dt.datetime(2025, 3, 3, 9, tzinfo=SHANGHAI)
    reg = x.changes.Register(
        case_id=cid,
        received_at=at,
        channel=x.vocabulary.Channel.LETTER,
        receiving_unit=unit,
        petitioners=[x.personal.Petitioner(name="张三")],
        claims=[x.changes.Claim(request="退还押金")],
    )
    case, _ = x.open_case(reg, at)
    if accept:
        case, _ = x.apply(case, x.changes.Accept(), at + dt.timedelta(days=1))
    return case


def _problems(fn: object) -> tuple[tuple[str, str], ...] | None:
    try:
        fn()  # type: ignore[operator]
    except x.InvalidDataError as exc:
        return tuple(exc.problems)
    return None


# ------------------------------------------------------------------ one line per case
def test_a_ledger_naming_a_case_twice_is_refused_by_load_ledger_and_load_journal() -> None:
    """Line 3 names XF-1 again: both readers refuse it, naming lines 3 and 1, in one wording."""
    text = serialization.dump_ledger([_case("XF-1"), _case("XF-2"), _case("XF-1", accept=True)])
    by_value = _problems(lambda: x.load_ledger(text))
    by_columns = _problems(lambda: x.load_journal(text.encode()))
    assert by_value == by_columns
    assert by_value is not None
    [(path, message)] = by_value
    assert path == "line 3 (case XF-1): $.id"
    assert message.startswith("already on line 1")


def test_a_sweep_that_skips_bad_lines_leaves_the_second_line_out() -> None:
    """on_bad_lines='skip' keeps the first line of the case and names the second."""
    text = serialization.dump_ledger([_case("XF-1"), _case("XF-2"), _case("XF-1", accept=True)])
    journal = x.load_journal(text.encode(), on_bad_lines="skip")
    assert journal.milestones.column("case_id").to_pylist() == ["XF-1", "XF-2"]
    assert [(bad.line, bad.case_id) for bad in journal.rejected] == [(3, "XF-1")]
    assert journal.cases() == x.load_ledger(text.split("\n", 2)[0] + "\n" + text.split("\n")[1])


@pytest.mark.parametrize("partition_by", [(), ("year",), ("unit",)])
@pytest.mark.parametrize("lean", [False, True])
def test_a_journal_holding_a_case_twice_is_refused_by_every_parquet_read(
    tmp_path: Path, partition_by: tuple[str, ...], lean: bool
) -> None:
    """A whole or lean read, of a file or a dataset: refused, naming both rows of the case."""
    twice = x.columnar.journal_from_cases(
        [_case("XF-1"), _case("XF-2"), _case("XF-1", accept=True)]
    )
    where = tmp_path / ("j" if partition_by else "j.parquet")
    x.columnar.write_journal(twice, where, partition_by=partition_by)
    with pytest.raises(x.InvalidDataError) as caught:
        x.columnar.read_journal(where, lean=lean)
    [(path, message)] = caught.value.problems
    assert "(case XF-1)" in path
    assert path.startswith("row ")
    assert "the case of row 1 again" in message or "the case of row" in message


def test_a_table_holding_a_case_twice_is_refused() -> None:
    """journal_from_table (a Spark partition) refuses one case id as two cases."""
    twice = x.columnar.journal_from_cases([_case("XF-1"), _case("XF-1", accept=True)])
    with pytest.raises(x.InvalidDataError) as caught:
        x.columnar.journal_from_table(twice.events)
    assert list(caught.value.problems) == [
        ("row 2 (case XF-1): case_id", "the case of row 1 again: a journal holds each case once")
    ]


@given(st.lists(cases(max_steps=4), min_size=1, max_size=3, unique_by=lambda c: c.id), st.data())
def test_a_repeated_line_is_named_alike_by_both_readers(
    many: list[x.Case], data: st.DataObject
) -> None:
    """Any valid ledger with one of its lines repeated anywhere: the same refusal, both lines."""
    lines = serialization.dump_ledger(many, reveal_personal_data=True).splitlines()
    k = data.draw(st.integers(0, len(lines) - 1))
    at = data.draw(st.integers(0, len(lines)))
    lines.insert(at, lines[k])
    text = "\n".join(lines) + "\n"
    by_value = _problems(lambda: x.load_ledger(text))
    assert by_value is not None
    assert by_value == _problems(lambda: x.load_journal(text.encode()))
    # 1-based: the copy is line at + 1; the original line k + 1, or k + 2 below the copy.
    first, second = (at + 1, k + 2) if at <= k else (k + 1, at + 1)
    [(path, message)] = by_value
    assert path.startswith(f"line {second} ")
    assert message.startswith(f"already on line {first}:")


# ------------------------------------------------------------------ hive partitions
@pytest.mark.parametrize("lean", [False, True])
def test_a_unit_hive_reads_as_null_round_trips(tmp_path: Path, lean: bool) -> None:
    """A unit named __HIVE_DEFAULT_PARTITION__: a filter on it finds its case (it found none)."""
    units = ["__HIVE_DEFAULT_PARTITION__", "%5F_HIVE_DEFAULT_PARTITION__", "市信访局"]
    journal = x.columnar.journal_from_cases([_case(f"XF-{i}", u) for i, u in enumerate(units)])
    x.columnar.write_journal(journal, tmp_path / "j", partition_by=("year", "unit"))
    for i, unit in enumerate(units):
        found = x.columnar.read_journal(tmp_path / "j", filters=[("unit", "=", unit)], lean=lean)
        assert found.milestones.column("case_id").to_pylist() == [f"XF-{i}"]
        assert found.cases()[0].receiving_unit == unit


_UNIT_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cf")), min_size=1, max_size=10
).filter(lambda s: bool(s.strip()))


@settings(max_examples=20)  # a Parquet dataset written and read per example
@given(st.lists(_UNIT_TEXT, min_size=1, max_size=3, unique=True))
def test_every_unit_name_round_trips_through_a_unit_partition(
    tmp_path_factory: pytest.TempPathFactory, units: list[str]
) -> None:
    """Any unit names: a filter on each finds exactly its cases in a unit-partitioned dataset."""
    where = tmp_path_factory.mktemp("units") / "j"
    journal = x.columnar.journal_from_cases([_case(f"XF-{i}", u) for i, u in enumerate(units)])
    x.columnar.write_journal(journal, where, partition_by=("unit",))
    for i, unit in enumerate(units):
        found = x.columnar.read_journal(where, filters=[("unit", "=", unit)])
        assert found.milestones.column("case_id").to_pylist() == [f"XF-{i}"]


# ------------------------------------------------------------------ format controls (item 9)
def test_the_format_controls_cover_unicode_category_cf() -> None:
    """FORMAT_CONTROLS holds every Cf code point of this Python's Unicode, adds unassigned only."""
    ours = {c for lo, hi in FORMAT_CONTROLS for c in range(lo, hi + 1)}
    cf = {c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"}
    assert cf <= ours
    assert {unicodedata.category(chr(c)) for c in ours - cf} <= {"Cn"}
    assert all(format_control_problem(chr(c)) for c in ours)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: x.personal.Petitioner(name="张\u202e三"), "name"),  # right-to-left override
        (lambda: x.personal.Petitioner(name="张三", address="北京\u2066市"), "address"),
        (lambda: x.changes.Forward(to_unit="区信访局\u200d"), "to_unit"),  # zero-width joiner
        (lambda: x.changes.Claim(request="退还\u00ad押金"), "request"),  # soft hyphen
        (
            lambda: x.changes.Decline(
                reason="\ufeff不属于", route_told=x.vocabulary.Route.LITIGATION, body_told="法院"
            ),
            "reason",
        ),
    ],
)
def test_a_format_control_is_refused_in_a_name_unit_or_text(make: object, field: str) -> None:
    """Item 9: RLO, LRI, ZWJ, soft hyphen, BOM in a name, address, unit or text: refused, named."""
    with pytest.raises(x.InvalidDataError) as caught:
        make()  # type: ignore[operator]
    [(path, message)] = caught.value.problems
    assert path == field
    assert "a format control" in message


_CF = st.sampled_from([chr(c) for lo, hi in FORMAT_CONTROLS for c in range(lo, hi + 1)])
#: Texts of one case's line, each once: a name, a unit, a required text, a note, a claim's
#: facts, a representative's name, a settlement plan's measure, the recorder (``by``).
_TEXTS_OF_A_LINE = (
    "张三",
    "市信访局",
    "退还押金",
    "转办说明",
    "多次反映",
    "王五",
    "上门走访",
    "clerk甲",
)


def _rich_line() -> str:
    at = dt.datetime(2025, 3, 3, 9, tzinfo=SHANGHAI)
    reg = x.changes.Register(
        case_id="XF-1",
        received_at=at,
        channel=x.vocabulary.Channel.VISIT,
        receiving_unit="市信访局",
        petitioners=[x.personal.Petitioner(name="张三")],
        claims=[x.changes.Claim(request="退还押金", facts="多次反映")],
        group_size=2,
        representatives=["王五"],
    )
    case, _ = x.open_case(reg, at, by="clerk")
    case, _ = x.apply(case, x.changes.Forward(to_unit="区信访局", note="转办说明"), at, by="clerk")
    plan = x.changes.SettlementPlan(measures=["上门走访"])
    case, _ = x.apply(case, x.changes.SetPlan(plan=plan), at, by="clerk甲", org=_ORG)
    return serialization.dump_ledger([case]).rstrip("\n")


_ORG = x.Organization(
    levels=("city",), units=[x.responsibility.Unit(id="U", name="市信访局", level="city")]
)


@given(_CF, st.sampled_from(_TEXTS_OF_A_LINE), st.integers(0, 2))
def test_a_format_control_anywhere_is_refused_alike_by_both_readers(
    char: str, text: str, where: int
) -> None:
    """Any Cf character in any name, unit or text of a line: the same refusal on both paths."""
    line = _rich_line()
    assert line.count(f'"{text}"') == 1
    spoilt = line.replace(f'"{text}"', f'"{text[:where]}{char}{text[where:]}"')
    by_value = _problems(lambda: x.load_ledger(spoilt + "\n"))
    assert by_value is not None
    assert by_value == _problems(lambda: x.load_journal((spoilt + "\n").encode()))
    assert any("a format control" in message for _, message in by_value)


_NEAR_CF = "“”…—，：￥·\u2028\u00a0\u3000张a"  # Chinese punctuation sharing a Cf's first bytes
_TEXTS = st.text(
    st.sampled_from([chr(lo) for lo, _ in FORMAT_CONTROLS] + list(_NEAR_CF))
    | st.characters(blacklist_categories=("Cs",)),
    max_size=8,
)


@given(st.lists(st.none() | _TEXTS, max_size=8), st.integers(0, 3))
def test_the_column_byte_scan_finds_what_the_regex_finds(
    values: list[str | None], cut: int
) -> None:
    """The columns' quick scan of the bytes flags exactly the strings the Cf regex matches."""
    from xinfang.columnar._column_checks import FORMAT_RE, format_rows, regex_rows

    arr = pa.array(values, pa.string())[min(cut, len(values)) :]
    want = [v is not None and format_control_problem(v) is not None for v in arr.to_pylist()]
    assert format_rows(arr).tolist() == want
    assert regex_rows(arr, FORMAT_RE).tolist() == want


@given(
    st.lists(st.text("XF-0129", min_size=3, max_size=3), max_size=12)
    | st.lists(st.text("XF-0129一", max_size=9), max_size=12)
    | st.lists(st.sampled_from(["ab", "a", "abc", "ba", "b"]), max_size=8)
)
def test_the_journal_id_check_is_exact(ids: list[str]) -> None:
    """The duplicate-id check (a hash of one-length ids, else Arrow's count) agrees with a set."""
    from xinfang.columnar import _api

    assert _api._distinct(pa.array(ids, pa.string())) == (len(set(ids)) == len(ids))
