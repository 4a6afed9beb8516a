"""``committed_files``: what another engine reads of an updated journal, and how it merges.

An engine that reads Parquet itself (Spark, DuckDB, a Dask task) gets from
``committed_files`` the files the library's readers read, each numbered;
read with plain pyarrow and merged as the docs say (companion: the row of
the largest number per case; journal: the union of the rows), they give
``read_milestones`` and ``read_journal``, whatever the updates, compactions
and leftovers of an update that did not commit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xinfang as x
from shared_world import world
from xinfang.strategies import cases

from helpers import examples, require

require("pyarrow", "the companion needs xinfang[columnar]")

import numpy as np  # noqa: E402 - after the optional dependency check
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from test_companion_deltas import PARTITIONS, journal_path, rows_of  # noqa: E402
from xinfang import columnar  # noqa: E402
from xinfang.columnar import _updates  # noqa: E402 - an update stopped before its commit


def newest_per_case(files: list[tuple[str, int]]) -> pa.Table:
    """The listed companion files read with plain pyarrow, the largest number's row per case."""
    tables = [
        pq.read_table(path).append_column("number", pa.array([n] * pq.read_metadata(path).num_rows))
        for path, n in files
    ]
    if not tables:
        return columnar.COMPANION_SCHEMA.empty_table()
    rows = pa.concat_tables(tables, promote_options="permissive")
    rows = rows.take(pc.sort_indices(rows, [("case_id", "ascending"), ("number", "descending")]))
    ids = rows.column("case_id").to_numpy(zero_copy_only=False)
    first = np.flatnonzero(np.append(True, ids[1:] != ids[:-1])[: len(ids)])
    return rows.take(pa.array(first, pa.int64())).drop_columns(["number"])


def all_events(files: list[tuple[str, int]]) -> pa.Table:
    """The listed journal files read with plain pyarrow: every row, by case and seq."""
    tables = [pq.read_table(p) for p, _ in files] or [columnar.JOURNAL_SCHEMA.empty_table()]
    rows = pa.concat_tables(tables, promote_options="permissive")
    rows = rows.select(columnar.JOURNAL_SCHEMA.names)
    return rows.sort_by([("case_id", "ascending"), ("seq", "ascending")])


def by_case(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A table in ``schema``'s columns and types, by case (events by seq)."""
    keys = [("case_id", "ascending")]
    if "seq" in table.column_names:
        keys.append(("seq", "ascending"))
    return table.select(schema.names).cast(schema).sort_by(keys)


def refuse_commit(*args: Any, **kwargs: Any) -> None:
    """The writer stops before its commit (a crash, a full disk)."""
    raise OSError("the writer stopped before its commit")


def assert_read_as_the_library_reads(where: Path) -> None:
    """The listed files, read and merged with plain pyarrow, equal the library's readers."""
    milestones = columnar.committed_files(where, of="milestones")
    assert by_case(newest_per_case(milestones), columnar.COMPANION_SCHEMA).equals(
        by_case(columnar.read_milestones(where), columnar.COMPANION_SCHEMA)
    )
    events = columnar.committed_files(where, of="journal")
    assert (
        all_events(events)
        .cast(columnar.JOURNAL_SCHEMA)
        .equals(by_case(columnar.read_journal(where).events, columnar.JOURNAL_SCHEMA))
    )
    for files in (milestones, events) if where.is_dir() else ():  # the number in the name
        for path, n in files:
            names = {f"base-{n:08d}.parquet", f"delta-{n:08d}.parquet"} if n else {"part-0.parquet"}
            assert Path(path).name in names


@settings(max_examples=examples(8), deadline=None)
@given(
    many=st.lists(cases(max_steps=8), min_size=1, max_size=4, unique_by=lambda c: c.id),
    data=st.data(),
    by=st.sampled_from(PARTITIONS),
)
def test_the_listed_files_merged_newest_wins_equal_the_readers(
    tmp_path_factory: pytest.TempPathFactory,
    many: list[x.Case],
    data: st.DataObject,
    by: tuple[str, ...],
) -> None:
    """1-3 updates (compacted or not), then one stopped before its commit: the readers' view."""
    rounds = data.draw(st.integers(1, 3), label="updates")
    cuts = [
        sorted(
            data.draw(
                st.lists(st.integers(0, len(c.events)), min_size=rounds + 1, max_size=rounds + 1)
            )
        )
        for c in many
    ]  # each case: stored up to its first cut, each update to its next, the stopped one to its end
    compact = data.draw(
        st.lists(st.sampled_from([None, False, True]), min_size=rounds, max_size=rounds)
    )
    where = journal_path(tmp_path_factory.mktemp("files"), by)
    stored = [x.replay(c.events[: k[0]]) for c, k in zip(many, cuts, strict=True) if k[0]]
    columnar.write_journal(columnar.journal_from_cases(stored), where, partition_by=by)
    for r in range(rounds):
        new = rows_of(many, [(k[r], k[r + 1]) for k in cuts])
        if new.num_rows:
            columnar.update_milestones(where, new)
        if compact[r] is not None:
            columnar.compact_milestones(where, journal=compact[r])
    rest = rows_of(many, [(k[-1], len(c.events)) for c, k in zip(many, cuts, strict=True)])
    if by and rest.num_rows:
        on_disk = {*where.rglob("*.parquet"), *where.with_name("j.milestones").rglob("*.parquet")}
        with pytest.MonkeyPatch.context() as m:
            m.setattr(_updates, "commit", refuse_commit)
            with pytest.raises(OSError, match="stopped"):
                columnar.update_milestones(where, rest)
        left = {*where.rglob("*.parquet"), *where.with_name("j.milestones").rglob("*.parquet")}
        listed = {
            Path(p)
            for p, _ in [
                *columnar.committed_files(where, of="milestones"),
                *columnar.committed_files(where, of="journal"),
            ]
        }
        assert left - on_disk  # the leftovers are on disk, and not listed
        assert not (left - on_disk) & listed
    assert_read_as_the_library_reads(where)


def test_the_demo_after_two_updates_lists_its_bases_then_deltas(tmp_path: Path) -> None:
    """Two updates and a stopped third: each partition's base, then deltas 1 and 2, no 3."""
    many = [c for c in world().cases if len(c.events) > 2][:12]
    where = tmp_path / "j"
    columnar.write_journal(
        columnar.journal_from_cases([x.replay(c.events[:-2]) for c in many]),
        where,
        partition_by=("year",),
    )
    columnar.update_milestones(
        where, rows_of(many, [(len(c.events) - 2, len(c.events) - 1) for c in many])
    )
    columnar.update_milestones(
        where, rows_of(many[:6], [(len(c.events) - 1, len(c.events)) for c in many[:6]])
    )
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_updates, "commit", refuse_commit)
        with pytest.raises(OSError, match="stopped"):
            columnar.update_milestones(
                where, rows_of(many[6:], [(len(c.events) - 1, len(c.events)) for c in many[6:]])
            )
    assert any(p.name == "delta-00000003.parquet" for p in where.rglob("*.parquet"))
    files = columnar.committed_files(where, of="milestones")
    folders: dict[Path, list[int]] = {}
    for path, n in files:
        folders.setdefault(Path(path).parent, []).append(n)
    assert list(folders) == sorted(folders)  # partitions in path order
    assert all(ns[0] == 0 and ns == sorted(ns) and set(ns) <= {0, 1, 2} for ns in folders.values())
    assert 2 in {n for ns in folders.values() for n in ns}
    assert_read_as_the_library_reads(where)
    columnar.compact_milestones(where, journal=False)
    assert {n for _, n in columnar.committed_files(where, of="milestones")} == {3}
    assert {n for _, n in columnar.committed_files(where, of="journal")} <= {0, 1, 2}
    assert_read_as_the_library_reads(where)


def test_a_journal_in_one_file_lists_that_file(tmp_path: Path) -> None:
    """No partitions, no deltas: the file itself (or its companion's), numbered 0."""
    where = tmp_path / "j.parquet"
    columnar.write_journal(columnar.journal_from_cases(world().cases[:5]), where)
    assert columnar.committed_files(where, of="journal") == [(str(where), 0)]
    assert columnar.committed_files(where, of="milestones") == [(f"{where}.milestones", 0)]


def test_no_journal_or_a_bad_dataset_name_is_refused(tmp_path: Path) -> None:
    """A path without a journal, and ``of`` other than the two datasets: InvalidDataError."""
    with pytest.raises(x.InvalidDataError, match="no journal at this path"):
        columnar.committed_files(tmp_path / "nowhere", of="journal")
    with pytest.raises(x.InvalidDataError, match="no milestones companion"):
        columnar.committed_files(tmp_path / "nowhere", of="milestones")
    with pytest.raises(x.InvalidDataError, match="'milestones' or 'journal'"):
        columnar.committed_files(tmp_path, of="events")  # type: ignore[arg-type]


@st.composite
def partition_files(draw: st.DrawFn) -> list[list[str]]:
    """A partition's live files as the cases each names (the base first, then deltas)."""
    pool = ["a", "b", "c", "d", "e"]
    return draw(
        st.lists(st.lists(st.sampled_from(pool), unique=True), min_size=1, max_size=5).map(
            lambda files: [sorted(f) for f in files]  # an update writes its cases in id order
        )
    )


def as_tables(files: list[list[str]]) -> tuple[list[pa.Table], list[pa.Table]]:
    """Each file as journal-like rows (a case's ``seq`` continued) and companion rows."""
    seq: dict[str, int] = {}
    events, rows = [], []
    for k, names in enumerate(files):
        for name in names:
            seq[name] = seq.get(name, 0) + 1
        ids = pa.array(names, pa.string())
        events.append(
            pa.table({"case_id": ids, "seq": pa.array([seq[n] for n in names], pa.int64())})
        )
        rows.append(pa.table({"case_id": ids, "file": pa.array([k] * len(names), pa.int64())}))
    return events, rows


@settings(max_examples=examples(60), deadline=None)
@given(files=partition_files(), cut=st.integers(1, 5))
def test_a_compaction_of_some_deltas_keeps_the_merged_order(
    files: list[list[str]], cut: int
) -> None:
    """Merged whole or after compacting the first files: one order, events' and rows' alike."""
    from xinfang.columnar._deltas import merge_events, merge_rows

    events, rows = as_tables(files)
    cut = min(cut, len(files))
    merged_events = merge_events(events)
    merged_rows = merge_rows(rows)
    assert merge_events([merge_events(events[:cut]), *events[cut:]]).equals(merged_events)
    assert merge_rows([merge_rows(rows[:cut]), *rows[cut:]]).equals(merged_rows)
    order = list(dict.fromkeys(merged_events.column("case_id").to_pylist()))
    assert merged_rows.column("case_id").to_pylist() == order  # the sweeps' clocks align
    newest = {n: k for k, names in enumerate(files) for n in names}
    assert merged_rows.column("file").to_pylist() == [newest[n] for n in order]
    seqs = merged_events.column("seq").to_pylist()
    ids = merged_events.column("case_id").to_pylist()
    assert all(
        seqs[i] == (seqs[i - 1] + 1 if i and ids[i - 1] == ids[i] else 1) for i in range(len(ids))
    )


def test_the_journal_and_its_companion_compacted_alone_merge_in_one_order(tmp_path: Path) -> None:
    """Case c by delta 1, b by 2, the companion compacted, delta 4 names a, b, c: one order."""
    years: dict[int, list[x.Case]] = {}
    for case in world().cases:
        if len(case.events) > 1:
            years.setdefault(case.received_at.year, []).append(case)
    a, b, c = sorted(max(years.values(), key=len)[:3], key=lambda case: case.id)
    where = tmp_path / "j"
    columnar.write_journal(columnar.journal_from_cases([]), where, partition_by=("year",))
    columnar.update_milestones(where, rows_of([c], [(0, 1)]))
    columnar.update_milestones(where, rows_of([b], [(0, 1)]))
    columnar.compact_milestones(where, journal=False)
    rest = [(0, len(a.events)), (1, len(b.events)), (1, len(c.events))]
    columnar.update_milestones(where, rows_of([a, b, c], rest))
    order = list(dict.fromkeys(columnar.read_journal(where).events.column("case_id").to_pylist()))
    assert columnar.read_milestones(where).column("case_id").to_pylist() == order


def test_a_listing_a_compaction_overtakes_is_listed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A compaction commits while the folders are listed: listed again, at the new commit."""
    from xinfang.columnar import _committed_files

    many = [c for c in world().cases if len(c.events) > 1][:6]
    where = tmp_path / "j"
    short = columnar.journal_from_cases([x.replay(c.events[:-1]) for c in many])
    columnar.write_journal(short, where, partition_by=("year",))
    columnar.update_milestones(
        where, rows_of(many, [(len(c.events) - 1, len(c.events)) for c in many])
    )
    original = _committed_files.live_groups
    numbers: list[int | None] = []

    def overtaken(items: Any, path_of: Any, number: int | None) -> Any:
        listed = list(items)
        if not numbers:
            assert columnar.compact_milestones(where) > 0  # deletes what was just listed
        numbers.append(number)
        return original(listed, path_of, number)

    monkeypatch.setattr(_committed_files, "live_groups", overtaken)
    files = columnar.committed_files(where, of="milestones")
    assert numbers == [1, 2]
    assert {n for _, n in files} == {2}
    assert all(Path(p).exists() for p, _ in files)
    monkeypatch.undo()
    assert_read_as_the_library_reads(where)
