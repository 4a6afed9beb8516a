"""The store's milestones projection (``xf_milestones``, issue 25): written alike, read unrefolded.

Every write path (a command, the value-path and column-wise imports, a
rebuild, migration 4) leaves each case's row equal to the fold of its
journal; :func:`xinfang.columnar.milestones_from_store` reads the rows as
the companion's tables (no refold), which sweep as the journal does; ``db
check`` names a tampered row. On both backends (PostgreSQL under CI=true
never skips: ``store_helpers``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import store_helpers
import xinfang as x
from shared_world import world
from store_helpers import BACKENDS, demo_cases, pg_schema_url, raw_connect, renamed
from xinfang import strategies as xs
from xinfang.cli import main
from xinfang.instants import SHANGHAI
from xinfang.store import open_store
from xinfang.store._milestones import MILESTONE_COLUMNS

from helpers import examples, require

require("pyarrow", "milestones_from_store needs xinfang[columnar]")

import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from xinfang.columnar import (  # noqa: E402
    COMPANION_SCHEMA,
    MILESTONES_SCHEMA,
    journal_clocks,
    journal_from_cases,
    journal_from_store,
    journal_snapshot_counts,
    milestones_from_store,
    sweep_milestones,
)
from xinfang.columnar._milestones import milestones_from_cases  # noqa: E402
from xinfang.columnar.parts import companion_table  # noqa: E402
from xinfang.store import Store  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

store_url = store_helpers.store_url


@pytest.fixture(params=BACKENDS)
def three_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, ...]]:
    """Three empty databases on one backend."""
    if request.param == "sqlite":
        yield tuple(f"sqlite:///{tmp_path / f'{k}.db'}" for k in "abc")
        return
    schemas = [pg_schema_url() for _ in range(3)]
    try:
        yield tuple(next(schema) for schema in schemas)
    finally:
        for schema in schemas:
            next(schema, None)  # the rest of the generator drops the schema


def stored(s: Store) -> pa.Table:
    """Every case's companion row read from the store's projection, in case id order."""
    return pa.concat_tables(
        [COMPANION_SCHEMA.empty_table(), *milestones_from_store(s, batch=7, unscoped=True)]
    )


def folded(cases: Sequence[x.Case]) -> pa.Table:
    """The companion rows of ``cases`` folded from their events, in case id order."""
    return companion_table(journal_from_cases(sorted(cases, key=lambda c: c.id)))


def rows(url: str) -> list[tuple[object, ...]]:
    """Every ``xf_milestones`` row as the driver reads it."""
    conn = raw_connect(url)
    try:
        return conn.execute("SELECT * FROM xf_milestones ORDER BY case_id").fetchall()  # type: ignore[no-any-return]
    finally:
        conn.close()


def commands(s: Store, cases: Sequence[x.Case], org: x.Organization | None = None) -> None:
    """Each case registered and then applied event by event, as a host's commands would be."""
    for case in cases:
        first = case.events[0]
        assert isinstance(first.change, x.changes.Register)
        s.register(first.change, first.at, by=first.by)
        for e in case.events[1:]:
            s.apply(case.id, e.change, at=e.at, by=e.by, related={}, org=org)


def demo_part() -> list[x.Case]:
    """A few demo cases of every shape (plans, hearings, reports, roles)."""
    return list(demo_cases())[::12]


def test_the_columns_are_the_companions() -> None:
    """``xf_milestones`` holds every field of COMPANION_SCHEMA, in its order."""
    assert tuple(COMPANION_SCHEMA.names) == MILESTONE_COLUMNS
    assert set(MILESTONES_SCHEMA.names) <= set(MILESTONE_COLUMNS)


@settings(
    max_examples=examples(6),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cases=st.lists(xs.cases(max_steps=8), min_size=1, max_size=3))
def test_after_random_commands_the_rows_are_the_fold(store_url: str, cases: list[x.Case]) -> None:
    """After random commands, the stored rows equal milestones_from_cases and the companion's."""
    with open_store(store_url) as s:
        base = s.count()
        named = [renamed(c, f"H{base + i}-{c.id}") for i, c in enumerate(cases)]
        commands(s, named)
        got = stored(s)
        ids = set(got.column("case_id").to_pylist())
        assert ids >= {c.id for c in named}
        everything = [s.case(cid) for cid in sorted(ids)]
        assert got.equals(folded(everything))
        plain = got.select(MILESTONES_SCHEMA.names)
        assert plain.equals(milestones_from_cases(everything))
        s.rebuild()
        assert stored(s).equals(got)


def test_commands_and_both_imports_write_the_same_rows(three_urls: tuple[str, ...]) -> None:
    """The command path, the value-path import and the column-wise import leave equal rows."""
    cases = demo_part()[::2]
    ledger = x.dump_ledger(cases, reveal_personal_data=True)
    by_commands, by_values, by_columns = three_urls
    with open_store(by_commands) as s:
        commands(s, cases, world().org)
        assert s.check().ok
    for url, columnar in ((by_values, False), (by_columns, True)):
        with open_store(url) as s:
            s.import_ledger(ledger, columnar=columnar)
            assert s.check().ok
    want = rows(by_commands)
    assert len(want) == len(cases)
    assert rows(by_values) == want
    assert rows(by_columns) == want
    with open_store(by_columns) as s:
        s.rebuild()
    assert rows(by_columns) == want


def test_check_names_a_tampered_row_and_rebuild_repairs_it(store_url: str) -> None:
    """``db check`` names a changed column and a missing row; ``rebuild`` writes them again."""
    cases = demo_part()[:4]
    with open_store(store_url) as s:
        s.import_ledger(x.dump_ledger(cases, reveal_personal_data=True))
        assert s.check().ok
    one, two = sorted(c.id for c in cases)[:2]
    conn = raw_connect(store_url)
    try:
        conn.execute(f"UPDATE xf_milestones SET received = received + 1 WHERE case_id = '{one}'")  # noqa: S608
        conn.execute(f"DELETE FROM xf_milestones WHERE case_id = '{two}'")  # noqa: S608
    finally:
        conn.close()
    with open_store(store_url) as s:
        problems = s.check().problems
        assert len(problems) == 2, problems
        assert problems[0].startswith(f"case {one}: milestones row received ")
        assert "!= recomputed" in problems[0]
        assert problems[1] == f"case {two}: milestones row missing"
        s.rebuild()
        assert s.check().ok


def test_a_version_3_store_migrates_to_the_rows_a_fresh_import_writes(
    three_urls: tuple[str, ...],
) -> None:
    """Migration 3 → 4 fills xf_milestones, in its own transaction, as a fresh import does."""
    ledger = x.dump_ledger(demo_part(), reveal_personal_data=True)
    old, fresh = three_urls[:2]
    for url in (old, fresh):
        with open_store(url) as s:
            s.import_ledger(ledger)
    want = rows(fresh)
    store_helpers.as_version_3(old)
    with open_store(old) as s:
        assert s.schema_version() == 4
        assert s.check().ok
    assert rows(old) == want


def test_the_demo_swept_from_the_store_equals_the_journal(tmp_path: Path) -> None:
    """sweep_milestones over milestones_from_store equals journal_clocks over the journal."""
    w = world()
    with open_store(f"sqlite:///{tmp_path / 's.db'}", calendar=w.calendar) as s:
        s.import_ledger(x.dump_ledger(w.cases, reveal_personal_data=True))
        table = stored(s)
        journal = journal_from_store(s)
    assert table.num_rows == len(w.cases)
    for as_of in (dt.date(2026, 12, 31), dt.date(2027, 7, 1)):
        assert pc.max(table.column("last_event")).as_py() <= as_of
        got = sweep_milestones(table, as_of, s.rulebook, s.calendar)
        want = journal_clocks(journal, as_of=as_of, rulebook=s.rulebook, calendar=s.calendar)
        assert got.clocks.num_rows > 1000
        assert got.clocks.equals(want.clocks)
        counted = sweep_milestones(
            table, as_of, s.rulebook, s.calendar, campaign=w.campaign, org=w.org
        )
        assert counted.counts == journal_snapshot_counts(
            journal, w.campaign, w.org, as_of=as_of, rulebook=s.rulebook, calendar=s.calendar
        )


def test_the_store_reads_every_case_only_when_told(tmp_path: Path) -> None:
    """milestones_from_store of a plain Store refuses unless unscoped=True (a view never is)."""
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as s:
        s.import_ledger(x.dump_ledger(demo_part()[:2], reveal_personal_data=True))
        with pytest.raises(x.InvalidDataError, match="for_viewer"):
            list(milestones_from_store(s))
        assert stored(s).num_rows == 2
        view = s.for_viewer("D1-H", world().org)
        seen = [c.id for c in view.iter_cases() if isinstance(c, x.Case)]
        mine = pa.concat_tables(list(milestones_from_store(view)))
        assert mine.column("case_id").to_pylist() == seen
        assert mine.equals(stored(s).filter(pc.is_in(stored(s).column("case_id"), pa.array(seen))))


def test_a_hearing_before_1992_is_kept_inexact_as_the_column_fold_keeps_it(tmp_path: Path) -> None:
    """A 1990 hearing (Asia/Shanghai kept daylight saving then): hearing_exact false, as folded."""

    def at(m: int, d: int, h: int = 9) -> dt.datetime:
        return dt.datetime(1990, m, d, h, tzinfo=SHANGHAI)

    reg = x.changes.Register(
        case_id="OLD-1",
        received_at=at(6, 1),
        channel=x.vocabulary.Channel.LETTER,
        receiving_unit="U1",
        petitioners=[x.personal.Petitioner(name="张三")],
        claims=[x.changes.Claim(request="反映问题")],
    )
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as s:
        s.register(reg, at(6, 1))
        for change, when in (
            (x.changes.Accept(), at(6, 2)),
            (x.changes.StartHearing(), at(6, 10, 23)),
            (x.changes.EndHearing(), at(6, 20, 23)),
        ):
            s.apply("OLD-1", change, at=when)
        got = stored(s)
        assert got.column("hearing_exact").to_pylist() == [False]
        assert got.equals(folded([s.case("OLD-1")]))


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [("stage", "'nonsense'", "not a stage value"), ("officials", "'[\"a\",'", "not a JSON list")],
)
def test_a_damaged_row_is_refused_by_name(
    tmp_path: Path, column: str, value: str, words: str
) -> None:
    """A row no write path makes (a changed enum, broken JSON) is an error naming it, not data."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    with open_store(url) as s:
        s.import_ledger(x.dump_ledger(demo_part()[:2], reveal_personal_data=True))
    conn = raw_connect(url)
    try:
        conn.execute(f"UPDATE xf_milestones SET {column} = {value}")  # noqa: S608
    finally:
        conn.close()
    with open_store(url) as s:
        with pytest.raises(x.InvalidDataError, match=words):
            stored(s)
        assert any(f"milestones row {column} " in p for p in s.check().problems)


def test_db_check_names_a_tampered_row_in_both_languages(tmp_path: Path) -> None:
    """``xinfang db check`` exits with the data error and names the case, in English and Chinese."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    with open_store(url) as s:
        s.import_ledger(x.dump_ledger(demo_part()[:2], reveal_personal_data=True))
        one = s.case_ids()[0]
    conn = raw_connect(url)
    try:
        conn.execute(f"UPDATE xf_milestones SET hearings = 7 WHERE case_id = '{one}'")  # noqa: S608
    finally:
        conn.close()
    for lang, words in (
        ("en", "the milestones row differs"),
        ("zh", "里程碑投影与按日志重算的不符"),
    ):
        with contextlib.redirect_stdout(io.StringIO()) as said:
            assert main(["db", "check", "--db", url, "--lang", lang]) != 0
        assert f"{one}: {words}" in said.getvalue()
