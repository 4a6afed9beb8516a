"""The journal's I/O: JSON Lines → typed journal (+ suspicious flags), Parquet, the store.

The central property: a case the columnar reader does not flag is one the
value path (``xinfang.serialization.from_json``, what ``load_ledger`` runs per
line) accepts with exactly the typed values the reader produced.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import attrs
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import xinfang as x  # noqa: E402
from shared_world import world  # noqa: E402
from xinfang import changes, serialization  # noqa: E402
from xinfang.columnar._cases import (  # noqa: E402
    case_documents,
    case_offsets,
    journal_from_cases,
)
from xinfang.columnar._masking import mask_personal_data  # noqa: E402
from xinfang.columnar._parquet import read_parquet, write_parquet  # noqa: E402
from xinfang.columnar._reader import parse_ledger  # noqa: E402
from xinfang.columnar._schema import JOURNAL_SCHEMA, READ_SCHEMA  # noqa: E402
from xinfang.columnar._store_journal import journal_from_store  # noqa: E402
from xinfang.errors import InvalidDataError  # noqa: E402
from xinfang.store import open_store  # noqa: E402
from xinfang.strategies import cases  # noqa: E402

if TYPE_CHECKING:
    from pathlib import Path

CASE_LISTS = st.lists(cases(), min_size=1, max_size=4)


def _demo() -> list[x.Case]:
    return list(world().cases)


DEMO = _demo()


def masked(cs: list[x.Case]) -> list[x.Case]:
    return [c.masked() for c in cs]


def assert_same(got: Any, want: Any) -> None:
    got = got.select(want.column_names)
    if not got.equals(want):
        diff = [n for n in want.column_names if not got.column(n).equals(want.column(n))]
        raise AssertionError(f"columns differ: {diff}")


# ------------------------------------------------------------ the schema
def test_schema_has_every_change_field() -> None:
    names = set(JOURNAL_SCHEMA.names)
    for cls in changes.CHANGE_TYPES:
        for a in attrs.fields(cls):
            assert a.name in names, (cls.__name__, a.name)
    assert JOURNAL_SCHEMA.metadata[b"xinfang.journal"] == b"1"
    assert READ_SCHEMA.field("events").type.value_type.field("change").type.field("case_id")


# ------------------------------------------------------------ JSON Lines
@given(CASE_LISTS, st.booleans())
def test_parse_equals_journal_of_the_values(cs: list[x.Case], reveal: bool) -> None:
    text = serialization.dump_ledger(cs, reveal_personal_data=reveal)
    parsed = parse_ledger(text.encode())
    assert not parsed.fallback
    assert not parsed.suspicious.any()
    assert_same(parsed.journal, journal_from_cases(cs if reveal else masked(cs)))
    assert list(parsed.lines) == list(range(1, len(cs) + 1))
    assert list(parsed.offsets) == list(case_offsets(parsed.journal))


def _defaults_left_out(doc: dict[str, Any]) -> None:
    """``doc`` with every field equal to its class default left out (as a host may write)."""

    def strip(obj: dict[str, Any], cls: type) -> None:
        for a in attrs.fields(cls):
            default = a.default
            if default is not attrs.NOTHING and obj.get(a.name, obj) == serialization.to_dict(
                default
            ):
                del obj[a.name]

    del doc["id"]
    for event in doc["events"]:
        change = event["change"]
        cls = changes.CHANGE_BY_KIND[change["kind"]]
        for p in change.get("petitioners", ()):
            strip(p, x.personal.Petitioner)
        for c in change.get("claims", ()):
            strip(c, x.changes.Claim)
        if "plan" in change:
            strip(change["plan"], x.changes.SettlementPlan)
        strip(change, cls)


@given(CASE_LISTS)
def test_left_out_defaults_are_filled(cs: list[x.Case]) -> None:
    docs = [serialization.to_dict(c, reveal_personal_data=True) for c in cs]
    for d in docs:
        _defaults_left_out(d)
    text = "".join(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n" for d in docs)
    parsed = parse_ledger(text.encode())
    assert not parsed.fallback and not parsed.suspicious.any()
    assert_same(parsed.journal, journal_from_cases(cs))


def test_demo_corps_parses_unflagged() -> None:
    text = serialization.dump_ledger(DEMO, reveal_personal_data=True)
    parsed = parse_ledger(text.encode())
    assert not parsed.fallback and not parsed.suspicious.any()
    assert_same(parsed.journal, journal_from_cases(DEMO))


def test_blank_lines_and_line_numbers(tmp_path: Path) -> None:
    lines = serialization.dump_ledger(DEMO[:3]).split("\n")
    text = "\n" + lines[0] + "\n  \n\r\n" + lines[1] + "\n\n" + lines[2] + "\n\n"
    where = tmp_path / "l.jsonl"
    where.write_text(text, encoding="utf-8")
    parsed = parse_ledger(where)
    assert list(parsed.lines) == [2, 5, 7]
    assert not parsed.suspicious.any()
    assert parsed.document(1) == json.loads(lines[1])
    assert parsed.text(2) == lines[2]


def test_empty_ledger() -> None:
    parsed = parse_ledger(b"\n \n")
    assert parsed.journal.num_rows == 0 and len(parsed.suspicious) == 0
    assert parsed.journal.schema.equals(JOURNAL_SCHEMA)


def test_fallback_keeps_the_good_lines() -> None:
    good = serialization.dump_ledger(DEMO[:40], reveal_personal_data=True).split("\n")[:-1]
    bad = [good[3][:-1], good[7] + good[8], '{"x":1}', "\ufeff" + good[9], "[]"]
    text = "\n".join([*good[:10], *bad, *good[10:]]) + "\n"
    parsed = parse_ledger(text.encode())
    assert parsed.fallback
    flagged = set(map(int, parsed.lines[parsed.suspicious]))
    assert flagged == {11, 12, 13, 14, 15}
    ok = ~parsed.suspicious
    rows = [
        parsed.journal.slice(parsed.offsets[k], parsed.offsets[k + 1] - parsed.offsets[k])
        for k in range(len(ok))
        if ok[k]
    ]
    assert_same(pa.concat_tables(rows), journal_from_cases(DEMO[:40]))
    with pytest.raises(InvalidDataError, match="not valid JSON"):
        parsed.document(10)


_PARSE_IN_A_CHILD = r"""
import json, sys
import xinfang as x
from xinfang import serialization
from xinfang.columnar._reader import parse_ledger

for name, hex_data, block in json.load(sys.stdin):
    data = bytes.fromhex(hex_data)
    print(json.dumps({"started": name}), flush=True)
    parsed = parse_ledger(data, block_size=block or None)
    try:
        want = ["ok", [c.id for c in serialization.load_ledger(data.decode())]]
    except x.InvalidDataError as exc:
        want = ["refused", [list(p) for p in exc.problems]]
    try:
        got = ["ok", x.load_journal(data).milestones.column("case_id").to_pylist()]
    except x.InvalidDataError as exc:
        got = ["refused", [list(p) for p in exc.problems]]
    result = {"suspicious": parsed.suspicious.tolist(), "want": want, "got": got}
    print(json.dumps({"name": name, "result": result}), flush=True)
"""


def _crash_variants() -> dict[str, tuple[bytes, int, list[bool]]]:
    """Ledgers pyarrow 26's JSON reader crashes on (SIGSEGV), their block sizes and flags."""
    good = serialization.dump_ledger(DEMO[:2], reveal_personal_data=True).split("\n")[:2]
    unknown = good[1].replace('"schema_version":1', '"schema_version":1,"zzz":1', 1)
    return {
        "null alone": (b"null\n", 0, [True]),
        "null after white space, then a good line": (
            f" null\n{good[0]}\n".encode(),
            0,
            [True, False],
        ),
        "null between a good line and an unknown key": (
            f"{good[0]}\nnull\n{unknown}\n".encode(),
            0,
            [False, True, True],
        ),
        "null after a lone CR at a block's start": (b'{"schema_version":1}\rnull\n', 21, [True]),
        "a one-byte line": (f"n\n{good[0]}".encode(), 0, [True, False]),
    }


@pytest.fixture(scope="module")
def crash_results() -> tuple[dict[str, Any], str]:
    """Every crash variant parsed in one child process: its results, and how the child ended.

    One child (not one per variant: each pays pyarrow's import) in which a
    crash ends the run; a variant started but not finished is named by the test.
    """
    variants = [[n, d.hex(), b] for n, (d, b, _) in _crash_variants().items()]
    out = subprocess.run(
        [sys.executable, "-c", _PARSE_IN_A_CHILD],
        input=json.dumps(variants).encode(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    results = {line["name"]: line["result"] for line in lines if "name" in line}
    ending = f"exit {out.returncode}: {out.stderr[-500:]!r}"
    return results, ending


@pytest.mark.parametrize("name", list(_crash_variants()))
def test_pyarrow_never_sees_a_line_it_crashes_on(
    name: str, crash_results: tuple[dict[str, Any], str]
) -> None:
    """A bare ``null`` line (pyarrow segfaults on it): suspicious, worded as load_ledger words it.

    Run in a child process, so a regression cannot kill the test run.
    """
    results, ending = crash_results
    assert name in results, f"the child did not finish this variant ({ending})"
    _, _, flags = _crash_variants()[name]
    result = results[name]
    assert result["suspicious"] == flags
    assert result["want"][0] == "refused"
    assert result["got"] == result["want"]


def test_a_canonical_ledger_is_read_as_it_is() -> None:
    """The fast path: a dump_ledger text (LF or CRLF) goes to pyarrow whole, uncopied."""
    from xinfang.columnar._line_scanner import arrow_may_read

    text = serialization.dump_ledger(DEMO, reveal_personal_data=True)
    for data in (text.encode(), text.replace("\n", "\r\n").encode(), b"", b"{}\n\n{}\r"):
        assert arrow_may_read(data)
    for data in (
        b"null",
        b"{}\n null",
        b"{}\r null\n",
        b"{}\n\r\n",
        b"\xef\xbb\xbf{}",
        b"{}\n\xff",
    ):
        assert not arrow_may_read(data)
    parsed = parse_ledger(text.replace("\n", "\r\n").encode())
    assert not parsed.fallback and not parsed.suspicious.any()
    assert_same(parsed.journal, journal_from_cases(DEMO))


def test_bytes_not_utf8_in_a_line_pyarrow_accepts_are_the_value_paths() -> None:
    """Bytes not UTF-8 (pyarrow does not check): the line is suspicious, its rows never read."""
    lines = serialization.dump_ledger(DEMO[:3], reveal_personal_data=True).encode().split(b"\n")
    lines[1] = lines[1].replace(b'"by":"', b'"by":"\xff', 1)
    parsed = parse_ledger(b"\n".join(lines))
    assert list(parsed.suspicious) == [False, True, False]
    parsed.journal.validate(full=True)
    with pytest.raises(InvalidDataError, match="not UTF-8 text") as caught:
        parsed.text(1)
    assert caught.value.problems[0][0] == "$"
    assert parsed.raw(1) == lines[1]  # the original bytes, not what pyarrow was given


def _with_null(line: str, kind: str, key: str) -> str:
    """``line`` with ``"key": null`` added (last) to the change of its first ``kind`` event."""
    doc = json.loads(line)
    change = next(e["change"] for e in doc["events"] if e["change"]["kind"] == kind)
    change.pop(key, None)
    change[key] = None
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def test_explicit_nulls_are_placed_in_their_events() -> None:
    cs = [c for c in DEMO if len(c.events) > 1][:6]
    lines = serialization.dump_ledger(cs, reveal_personal_data=True).split("\n")[:-1]
    second = [json.loads(line)["events"][1]["change"]["kind"] for line in lines]
    lines[1] = _with_null(lines[1], "registered", "category")  # Register.category: X | None
    lines[2] = _with_null(lines[2], second[2], "category")  # not a field of that kind
    lines[3] = _with_null(lines[3], "registered", "channel")  # no None for a channel
    lines[4] = _with_null(lines[4], "registered", "backlog_since")
    text = "\n".join(lines)  # no final newline: the last bytes are scanned too
    parsed = parse_ledger(text.encode())
    assert not parsed.fallback
    assert list(parsed.suspicious) == [False, False, True, True, False, False]
    dup = lines[4].replace('"backlog_since":null', '"backlog_since":null,"backlog_since":null')
    assert parse_ledger(dup.encode()).suspicious.all()  # a key twice: pyarrow or the count
    assert serialization.load_ledger(lines[1])  # the value path agrees on the good one
    for k in (2, 3):
        with pytest.raises(InvalidDataError):
            serialization.load_ledger(lines[k])
    ok = [k for k in range(6) if not parsed.suspicious[k]]
    assert ok == [0, 1, 4, 5]
    got = pa.concat_tables(
        [
            parsed.journal.slice(parsed.offsets[k], parsed.offsets[k + 1] - parsed.offsets[k])
            for k in ok
        ]
    )
    assert_same(got, journal_from_cases(serialization.load_ledger("\n".join(lines[k] for k in ok))))


def test_journal_from_cases_of_nothing_and_of_one() -> None:
    assert journal_from_cases([]).schema.equals(JOURNAL_SCHEMA)
    assert journal_from_cases([]).num_rows == 0
    one = journal_from_cases(DEMO[:1])
    assert one.num_rows == len(DEMO[0].events)
    assert_same(
        pa.concat_tables([one, journal_from_cases(DEMO[1:3])]), journal_from_cases(DEMO[:3])
    )


# ------------------------------------------------------------ mutations
_INSTANTS = [
    "2021-01-01T10:00:00+0800",
    "2021-01-01 10:00:00+08:00",
    "2021-01-01T10:00+08:00",
    "2021-01-01T10:00:00Z",
    "2021-01-01T10:00:00.5+08:00",
    "1991-06-01T10:00:00+08:00",
    "2021-02-29T10:00:00+08:00",
    "2021-01-01T24:00:00+08:00",
    "2021-01-01T10:00:00+09:00",
    "２021-01-01T10:00:00+08:00",
]
_DATES = ["2021-02-30", "2021-2-3", "2020-W01-1", "0000-01-01", "2021-01-01T00:00", "20210101"]
_STRINGS = ["", " ", "\u3000", "\u200b", "\x1c", "a\x00", "x", "\u00a0\u2028"]
_OTHER = [None, 1, 0, -1, 2**40, 1.0, True, False, [], {}, ["x"], [None], "zz", {"kind": "zz"}]
_KEYS = ["zzz", "note", "route", "category", "to_unit_kind", "delivered_at", "id_number", "kind"]


def _nodes(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _nodes(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _nodes(v, (*path, i))
    return out


def _mutate(doc: Any, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_nodes(doc)))
    parent: Any = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    value = parent[last]
    action = data.draw(st.sampled_from(["replace", "delete", "add key"]))
    if action == "delete" and isinstance(parent, dict):
        del parent[last]
        return
    if action == "add key" and isinstance(value, dict):
        value[data.draw(st.sampled_from(_KEYS))] = data.draw(st.sampled_from([None, "x", 1]))
        return
    choices = list(_OTHER) + _STRINGS
    if isinstance(value, str):
        choices += _INSTANTS + _DATES + [value + " ", value.lower(), value[:-1] + "0"]
        if len(value) == 18:
            choices += [value[:-1] + c for c in "0123456789X"]
    parent[last] = data.draw(st.sampled_from(choices))


def _text_mutation(line: str, data: st.DataObject) -> str:
    how = data.draw(st.sampled_from(["space", "dup", "escape", "none"]))
    if how == "space":
        return line.replace('":', '" : ', 1)
    if how == "dup":
        return line.replace('{"seq":1,', '{"seq":1,"seq":1,', 1)
    if how == "escape":
        return re.sub(r'"(note|route|phone)":', r'"\\u006e\1":', line, count=1)
    return line


def _replay_refusal(exc: InvalidDataError) -> bool:
    """A refusal of the fold (the stage graph, order): the other helper's checks."""
    where = re.compile(r"line \d+( \(case [^)]+\))?: \$\.events\[\d+\]")
    return all(where.fullmatch(p) for p, _ in exc.problems)


@given(cases(), st.data(), st.booleans())
def test_mutated_line_is_flagged_or_accepted_alike(
    case: x.Case, data: st.DataObject, reveal: bool
) -> None:
    doc = serialization.to_dict(case, reveal_personal_data=reveal)
    for _ in range(data.draw(st.integers(1, 2))):
        _mutate(doc, data)
    line = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    line = _text_mutation(line, data)
    parsed = parse_ledger((line + "\n").encode())
    if parsed.fallback or parsed.suspicious.all():
        return
    try:
        got = serialization.load_ledger(line)
    except InvalidDataError as exc:
        refusal = exc
    else:
        assert_same(parsed.journal, journal_from_cases(got))
        return
    assert _replay_refusal(refusal), refusal.problems


def test_white_space_set_is_pythons() -> None:
    import sys

    from xinfang.columnar import _column_checks

    everything = map(chr, range(sys.maxunicode + 1))
    assert "".join(c for c in everything if c.isspace()) == _column_checks._SPACE


# ------------------------------------------------------------ Parquet, masking, documents
def test_mask_personal_data_is_masked() -> None:
    for c in [*DEMO[:5], *cases_with_personal_data()]:
        want = journal_from_cases([c.masked()])
        assert_same(mask_personal_data(journal_from_cases([c])), want)
        assert_same(mask_personal_data(want), want)


def cases_with_personal_data() -> list[x.Case]:
    reg = x.changes.Register(
        case_id="P-1",
        received_at=DEMO[0].received_at,
        channel=x.vocabulary.Channel.LETTER,
        receiving_unit="HQ",
        petitioners=(
            x.personal.Petitioner(name="李四", id_number="11010519491231002X", phone="13812345678"),
            x.personal.Petitioner(name="王五", phone="+861381234567"),
            x.personal.Petitioner(name="赵六", phone="12345"),
        ),
        claims=(x.changes.Claim(request="退还押金"),),
    )
    case, _ = x.open_case(reg, DEMO[0].received_at, by="clerk")
    return [case]


@pytest.mark.parametrize("partition_by", [(), ("year",), ("unit",), ("year", "unit")])
def test_parquet_round_trip(tmp_path: Path, partition_by: tuple[str, ...]) -> None:
    cs = [*DEMO, *cases_with_personal_data()]
    journal = journal_from_cases(cs)
    where = tmp_path / ("j.parquet" if not partition_by else "j")
    write_parquet(journal, where, partition_by=partition_by, cases_per_row_group=7)
    back = read_parquet(where)
    assert back.schema.equals(JOURNAL_SCHEMA)
    want = journal_from_cases(masked(cs))
    if not partition_by:
        assert_same(back, want)
    else:  # files in partition order, cases in input order inside each
        order = {c.id: i for i, c in enumerate(cs)}
        offsets = case_offsets(back)
        ids = back.column("case_id").to_pylist()
        got = sorted(range(len(offsets) - 1), key=lambda k: order[ids[offsets[k]]])
        rows = [back.slice(offsets[k], offsets[k + 1] - offsets[k]) for k in got]
        assert_same(pa.concat_tables(rows), want)
    files = [where] if not partition_by else sorted(where.rglob("*.parquet"))
    for f in files:
        meta = pq.ParquetFile(f)
        assert meta.schema_arrow.metadata[b"xinfang.journal"] == b"1"
        for g in range(meta.num_row_groups):
            seq = meta.read_row_group(g, columns=["seq"]).column("seq")
            assert seq[0].as_py() == 1  # a row group starts a case
            assert not ("year" in meta.schema_arrow.names and partition_by == ())


def test_parquet_reveal_and_filters(tmp_path: Path) -> None:
    cs = cases_with_personal_data()
    journal = journal_from_cases(cs)
    write_parquet(journal, tmp_path / "r.parquet", reveal_personal_data=True)
    assert_same(read_parquet(tmp_path / "r.parquet"), journal)
    write_parquet(journal_from_cases(DEMO), tmp_path / "d", partition_by=("year",))
    got = read_parquet(tmp_path / "d", filters=[("year", "=", 2026)])
    years = {c.received_at.year for c in DEMO if c.received_at.year == 2026}
    assert years == {2026}
    assert set(got.column("case_id").to_pylist()) == {
        c.id for c in DEMO if c.received_at.year == 2026
    }
    with pytest.raises(InvalidDataError):
        write_parquet(journal, tmp_path / "x", partition_by=("month",))
    pq.write_table(pa.table({"a": [1]}), tmp_path / "other.parquet")
    with pytest.raises(InvalidDataError, match="not an xinfang journal"):
        read_parquet(tmp_path / "other.parquet")


def _journal_of_units(units: list[str]) -> Any:
    """A journal of len(units) demo cases, case k received by units[k]."""
    lines = []
    for case, unit in zip(DEMO, units, strict=False):
        doc = serialization.to_dict(case, reveal_personal_data=True)
        doc["events"][0]["change"]["receiving_unit"] = unit
        lines.append(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    parsed = parse_ledger(("\n".join(lines) + "\n").encode())
    assert not parsed.suspicious.any()
    return parsed.journal


def test_unit_partitions_keep_the_unit_as_it_is(tmp_path: Path) -> None:
    """Long Chinese unit names, ids that look like numbers, '/', '%', '=': each filters back."""
    long_name = "某某省某某市某某区人民政府某某街道办事处社会治安综合治理中心"  # 90 UTF-8 bytes
    units = [long_name, "007", "7", "1002", "a/b", "50%", "k=v", "tab\there", "..", "甲 乙"]
    journal = _journal_of_units(units)
    write_parquet(journal, tmp_path / "ds", partition_by=("unit",))
    assert (tmp_path / "ds" / f"unit={long_name}").is_dir()  # not percent-encoded
    for k, unit in enumerate(units):
        got = read_parquet(tmp_path / "ds", filters=[("unit", "=", unit)])
        assert set(got.column("case_id").to_pylist()) == {DEMO[k].id}, unit
    write_parquet(journal, tmp_path / "both", partition_by=("year", "unit"))
    got = read_parquet(tmp_path / "both", filters=[("year", ">", 1900), ("unit", "=", "007")])
    assert set(got.column("case_id").to_pylist()) == {DEMO[1].id}


def test_a_file_system_refusal_is_an_invalid_data_error(tmp_path: Path) -> None:
    """A folder name too long for the file system: InvalidDataError naming it, not OSError."""
    journal = _journal_of_units(["某" * 90])  # 270 bytes: more than a file name may hold
    with pytest.raises(InvalidDataError, match="cannot write the Parquet journal") as caught:
        write_parquet(journal, tmp_path / "ds", partition_by=("unit",))
    assert "unit=某某某" in str(caught.value)
    with pytest.raises(InvalidDataError, match="cannot write the Parquet journal"):
        write_parquet(journal, tmp_path / "no" / "such" / "j.parquet")


@given(CASE_LISTS)
def test_case_documents_are_what_dump_ledger_writes(cs: list[x.Case]) -> None:
    journal = journal_from_cases(cs)
    docs = case_documents(journal, range(len(cs)))
    assert docs == [serialization.to_dict(c, reveal_personal_data=True) for c in cs]
    assert [x.from_dict(d, x.Case) for d in docs] == cs


# ------------------------------------------------------------ the store
def test_store_round_trip(tmp_path: Path) -> None:
    cs = [*DEMO[:60], *cases_with_personal_data()]
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        store.import_ledger(serialization.dump_ledger(cs, reveal_personal_data=True))
        tables = list(journal_from_store(store, batch=16))
    assert len(tables) == 4
    got = pa.concat_tables(tables)
    want = journal_from_cases(sorted(cs, key=lambda c: c.id))
    assert_same(got, want)
