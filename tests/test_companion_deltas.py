"""The companion's deltas: updates as delta files, read merged, compacted, never half-applied.

``update_milestones`` adds to each touched partition a delta file of its new
events and one of its touched cases' new companion rows, committed by one
rename of ``_committed``; readers merge; ``compact_milestones`` rewrites
them as base files. Whatever the updates and compactions, the companion is
what a full refold of the journal gives, and its sweep is the journal's.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xinfang as x
from shared_world import world
from xinfang.strategies import cases

from helpers import require

require("pyarrow", "the companion needs xinfang[columnar]")

import pyarrow as pa  # noqa: E402 - after the optional dependency check
import pyarrow.parquet as pq  # noqa: E402

from xinfang import columnar  # noqa: E402
from xinfang.columnar import _deltas, _parquet, _updates  # noqa: E402 - writers stopped half-way

PARTITIONS = [(), ("year",), ("year", "unit")]


def journal_path(folder: Path, by: tuple[str, ...]) -> Path:
    """A file journal without partitions, a folder with them."""
    return folder / ("j" if by else "j.parquet")


def rows_of(many: list[x.Case], ranges: list[tuple[int, int]]) -> pa.Table:
    """The journal rows of events ``lo`` to ``hi`` (exclusive) of each case."""
    events = columnar.journal_from_cases(many).events
    offsets = [0]
    for c in many:
        offsets.append(offsets[-1] + len(c.events))
    rows = [offsets[j] + i for j, (lo, hi) in enumerate(ranges) for i in range(lo, hi)]
    return events.take(pa.array(rows, pa.int64()))


def by_case(table: pa.Table) -> pa.Table:
    """A journal or companion table in case order (events in seq order)."""
    keys = [("case_id", "ascending")]
    if "seq" in table.column_names:
        keys.append(("seq", "ascending"))
    return table.sort_by(keys)


def data_files(folder: Path) -> set[Path]:
    """The Parquet files under a folder (a file journal: none)."""
    return set(folder.rglob("*.parquet")) if folder.is_dir() else set()


def assert_as_refolded(where: Path, many: list[x.Case], by: tuple[str, ...], full: Path) -> None:
    """The journal holds ``many``; its companion is a full refold's; sweeps agree."""
    columnar.write_journal(columnar.journal_from_cases(many), full, partition_by=by)
    assert by_case(columnar.read_journal(where).events).equals(
        by_case(columnar.read_journal(full).events)
    )
    got = columnar.read_milestones(where)
    assert by_case(got).equals(by_case(columnar.read_milestones(full)))
    assert columnar.check_milestones(where, sample=None) == []
    day = max(c.events[-1].at.date() for c in many) + dt.timedelta(days=1)
    cal = x.china_mainland(provisional=True)
    events = columnar.journal_clocks(columnar.read_journal(where), as_of=day, calendar=cal)
    assert columnar.sweep_milestones(where, day, calendar=cal).clocks.equals(events.clocks)


@settings(max_examples=10, deadline=None)
@given(
    many=st.lists(cases(max_steps=10), min_size=1, max_size=5, unique_by=lambda c: c.id),
    data=st.data(),
    by=st.sampled_from(PARTITIONS),
)
def test_updates_and_compactions_equal_a_full_refold(
    tmp_path_factory: pytest.TempPathFactory,
    many: list[x.Case],
    data: st.DataObject,
    by: tuple[str, ...],
) -> None:
    """Random appends to random cases, updates compacted (or the companion) or not: a refold."""
    rounds = data.draw(st.integers(1, 3), label="updates")
    cuts = [
        sorted(data.draw(st.lists(st.integers(0, len(c.events)), min_size=rounds, max_size=rounds)))
        for c in many
    ]  # each case: stored up to its first cut, then each update brings it to its next
    compact_after = data.draw(  # after each update: no compaction, the companion's, or both
        st.lists(st.sampled_from([None, False, True]), min_size=rounds, max_size=rounds)
    )
    where = journal_path(tmp_path_factory.mktemp("deltas"), by)
    stored = [x.replay(c.events[: k[0]]) for c, k in zip(many, cuts, strict=True) if k[0]]
    columnar.write_journal(columnar.journal_from_cases(stored), where, partition_by=by)
    for r in range(rounds):
        ends = [
            k[r + 1] if r + 1 < rounds else len(c.events) for c, k in zip(many, cuts, strict=True)
        ]
        ranges = [(k[r], e) for k, e in zip(cuts, ends, strict=True)]
        new = rows_of(many, ranges)
        if new.num_rows:
            touched = columnar.update_milestones(where, new)
            assert touched == sum(1 for lo, hi in ranges if hi > lo)
        ids = columnar.read_milestones(where).column("case_id").to_pylist()
        assert len(ids) == len(set(ids))  # a case's newest row only
        if compact_after[r] is not None:
            columnar.compact_milestones(where, journal=compact_after[r])
            compacted = _partitions(where) if compact_after[r] else _partitions(where, events=False)
            assert all(len(list(p.glob("*.parquet"))) == 1 for p in compacted)
    assert_as_refolded(where, many, by, journal_path(tmp_path_factory.mktemp("full"), by))


def _partitions(root: Path, *, events: bool = True) -> set[Path]:
    """The partition folders of a folder dataset's companion (and, with ``events``, its own)."""
    companion = root.with_name(root.name + ".milestones")
    return {p.parent for p in (data_files(root) if events else set()) | data_files(companion)}


def _demo(tmp_path: Path, by: tuple[str, ...] = ("year", "unit")) -> tuple[Path, list[x.Case]]:
    """Eight demo cases stored, each but its last event (those with more than one)."""
    w = world()
    many = [c for c in w.cases if len(c.events) > 1][:8]
    where = journal_path(tmp_path, by)
    short = [x.replay(c.events[:-1]) for c in many]
    columnar.write_journal(columnar.journal_from_cases(short), where, partition_by=by)
    return where, many


def _last_events(many: list[x.Case]) -> pa.Table:
    """Each case's last event, as journal rows."""
    return rows_of(many, [(len(c.events) - 1, len(c.events)) for c in many])


def _state(where: Path) -> tuple[pa.Table, pa.Table]:
    """What readers see: the journal's events and the companion's rows."""
    return columnar.read_journal(where).events, columnar.read_milestones(where)


@pytest.mark.parametrize("by", [("year", "unit"), ()])
def test_an_update_stopped_between_its_two_deltas_leaves_the_last_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by: tuple[str, ...]
) -> None:
    """Journal's new events written, companion's not (a crash): the old state read; retry works."""
    where, many = _demo(tmp_path, by)
    before = _state(where)
    files = data_files(where)
    journal_file = where.read_bytes() if not by else b""

    def crash(*args: Any, **kwargs: Any) -> None:
        raise OSError("the writer stopped here")

    with monkeypatch.context() as m:
        m.setattr(_updates, "write_companion", crash)
        with pytest.raises(OSError, match="stopped"):
            columnar.update_milestones(where, _last_events(many))
    if by:
        assert data_files(where) > files  # journal deltas on disk, not committed
    else:
        assert where.read_bytes() == journal_file  # the new journal beside, not renamed
    after = _state(where)
    assert after[0].equals(before[0])
    assert after[1].equals(before[1])
    assert columnar.check_milestones(where, sample=None) == []
    assert columnar.update_milestones(where, _last_events(many)) == len(many)
    assert_as_refolded(where, many, by, tmp_path / "full")


def test_a_compaction_stopped_before_its_commit_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New base files written, commit refused: the old files read; the next compaction works."""
    where, many = _demo(tmp_path, ("year",))
    columnar.update_milestones(where, _last_events(many))
    before = _state(where)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise x.InvalidDataError([("$", "cannot commit the update: disk full")])

    with monkeypatch.context() as m:
        m.setattr(_updates, "commit", refuse)
        with pytest.raises(x.InvalidDataError, match="disk full"):
            columnar.compact_milestones(where)
    assert any(p.name == "base-00000002.parquet" for p in data_files(where))  # not committed
    after = _state(where)
    assert after[0].equals(before[0])
    assert after[1].equals(before[1])
    assert columnar.compact_milestones(where) > 0
    assert not any(p.name.startswith("delta-") for p in data_files(where))
    assert_as_refolded(where, many, ("year",), tmp_path / "full")


def test_a_filter_sees_only_a_cases_newest_row(tmp_path: Path) -> None:
    """A companion filter on a case-level column: the row an update replaced is not found."""
    where, many = _demo(tmp_path, ("year",))
    old = columnar.read_milestones(where)
    columnar.update_milestones(where, _last_events(many))
    ids, days = old.column("case_id").to_pylist(), old.column("last_event").to_pylist()
    for case_id, day in zip(ids, days, strict=True):
        found = columnar.read_milestones(where, filters=[("last_event", "=", day)])
        newest = next(c for c in many if c.id == case_id).events[-1].at.date()
        assert (case_id in found.column("case_id").to_pylist()) == (newest == day)
    merged = columnar.read_milestones(where)
    found = {int(p.name.removeprefix("year=")) for p in _partitions(where, events=False)}
    years = [columnar.read_milestones(where, filters=[("year", "=", y)]) for y in sorted(found)]
    assert by_case(pa.concat_tables(years)).equals(by_case(merged))  # a Dask task's read


def test_writing_the_journal_whole_drops_its_deltas(tmp_path: Path) -> None:
    """write_journal over an updated dataset: its next commit, one base file a partition."""
    where, many = _demo(tmp_path, ("year",))
    columnar.update_milestones(where, _last_events(many))
    merged = columnar.read_journal(where)
    columnar.write_journal(merged, where, partition_by=("year",))
    assert (where / "_committed").read_text(encoding="utf-8").strip() == '{"committed": 2}'
    assert all(p.name == "base-00000002.parquet" for p in data_files(where))
    companion = where.with_name(where.name + ".milestones")
    assert all(p.name == "base-00000002.parquet" for p in data_files(companion))
    assert_as_refolded(where, many, ("year",), tmp_path / "full")


@pytest.mark.parametrize("compacted", [False, True])
def test_a_whole_write_stopped_half_way_leaves_the_dataset_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compacted: bool
) -> None:
    """write_journal over a dataset with commits, stopped at its first file: nothing lost."""
    where, many = _demo(tmp_path, ("year",))
    columnar.update_milestones(where, _last_events(many))
    if compacted:
        columnar.compact_milestones(where)
    before = _state(where)
    stop = RuntimeError("stopped")

    def stopped(*args: Any, **kwargs: Any) -> None:
        raise stop

    monkeypatch.setattr(_parquet, "write_file", stopped)
    with pytest.raises(RuntimeError):
        columnar.write_journal(columnar.read_journal(where), where, partition_by=("year",))
    monkeypatch.undo()
    assert _state(where)[0].equals(before[0])
    assert _state(where)[1].equals(before[1])
    columnar.compact_milestones(where)  # a later writer removes only the leftovers
    assert by_case(_state(where)[0]).equals(by_case(before[0]))
    assert_as_refolded(where, many, ("year",), tmp_path / "full")


@pytest.mark.parametrize("reader", ["read_milestones", "read_journal"])
def test_a_read_a_compaction_overtakes_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    """A compaction commits and deletes the files a read had listed: read again, whole."""
    from xinfang.columnar import _companion, _datasets

    where, many = _demo(tmp_path, ("year",))
    columnar.update_milestones(where, _last_events(many))

    def read() -> pa.Table:
        if reader == "read_milestones":
            return columnar.read_milestones(where)
        return columnar.read_journal(where).events

    want = read()
    module = _companion if reader == "read_milestones" else _datasets
    original = module.live_groups
    numbers: list[int | None] = []

    def overtaken(items: Any, path_of: Any, number: int | None) -> Any:
        listed = list(items)
        if not numbers:
            assert columnar.compact_milestones(where) > 0  # deletes what was just listed
        numbers.append(number)
        return original(listed, path_of, number)

    monkeypatch.setattr(module, "live_groups", overtaken)
    got = read()
    assert numbers == [1, 2]
    assert by_case(got).equals(by_case(want))


def test_a_partition_folder_reads_with_its_deltas(tmp_path: Path) -> None:
    """A partition's folder read alone (a Dask task's journal=): its committed deltas too."""
    where, many = _demo(tmp_path, ("year",))
    columnar.update_milestones(where, _last_events(many))
    folders = sorted({p.parent for p in data_files(where) if p.name.startswith("delta-")})
    assert folders
    for folder in folders:
        year = int(folder.name.removeprefix("year="))
        alone = columnar.read_journal(folder).events
        assert alone.equals(columnar.read_journal(where, filters=[("year", "=", year)]).events)


def test_a_commit_flushes_the_files_it_makes_live_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every new delta file and its folder reach the disk before the commit's rename."""
    where, many = _demo(tmp_path, ("year",))
    seen: list[str] = []
    fsync, replace = _deltas.os.fsync, _deltas.os.replace

    def flushed(fd: int) -> None:
        seen.append(os.readlink(f"/proc/self/fd/{fd}"))
        fsync(fd)

    def renamed(src: Any, dst: Any) -> None:
        seen.append(f"rename {dst}")
        replace(src, dst)

    monkeypatch.setattr(_deltas.os, "fsync", flushed)
    monkeypatch.setattr(_deltas.os, "replace", renamed)
    columnar.update_milestones(where, _last_events(many))
    monkeypatch.undo()
    new = sorted(
        str(p)
        for p in data_files(where) | data_files(where.with_name(where.name + ".milestones"))
        if p.name.startswith("delta-")
    )
    assert new
    commit_at = seen.index(f"rename {where / '_committed'}")
    assert set(new) <= set(seen[:commit_at])
    assert {str(Path(p).parent) for p in new} <= set(seen[:commit_at])


def test_a_partition_of_several_files_a_host_wrote_is_read_whole(tmp_path: Path) -> None:
    """Pyarrow names a partition's files part-0, part-1 ...: all base 0, read, kept, merged."""
    where, many = _demo(tmp_path, ("year",))
    big = max(where.iterdir(), key=lambda p: len(pq.read_table(p / "part-0.parquet")))
    table = pq.read_table(big / "part-0.parquet")
    ids = table.column("case_id").to_pylist()
    cut = ids.index(ids[-1])  # the last case's first event: a case is never split
    assert cut > 0
    pq.write_table(table.slice(0, cut), big / "part-0.parquet")
    pq.write_table(table.slice(cut), big / "part-1.parquet")
    before = columnar.read_journal(where).events.num_rows
    assert before == sum(len(x.replay(c.events[:-1]).events) for c in many)
    columnar.update_milestones(where, _last_events(many))
    assert (big / "part-1.parquet").exists()
    assert_as_refolded(where, many, ("year",), tmp_path / "full")
    columnar.compact_milestones(where)
    assert_as_refolded(where, many, ("year",), tmp_path / "full2")


def test_a_one_file_update_stopped_between_its_renames_completes_when_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journal in one file: stopped after the companion's rename, the same update completes it."""
    where, many = _demo(tmp_path, ())
    replace, calls = _updates.os.replace, []

    def second_fails(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("stopped")
        replace(src, dst)

    monkeypatch.setattr(_updates.os, "replace", second_fails)
    with pytest.raises(x.XinfangError):
        columnar.update_milestones(where, _last_events(many))
    monkeypatch.undo()
    assert columnar.check_milestones(where, sample=None) != []  # the journal is behind: said
    columnar.update_milestones(where, _last_events(many))
    assert_as_refolded(where, many, (), tmp_path / "full.parquet")
