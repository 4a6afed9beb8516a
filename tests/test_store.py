"""The store's contract, on SQLite and on PostgreSQL (``store_url`` runs both)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import store_helpers
import xinfang as x
from shared_world import world
from store_helpers import digest, raw_connect, renamed
from xinfang import strategies as xs
from xinfang.instants import SHANGHAI
from xinfang.store import (
    SCHEMA_VERSION,
    ConcurrencyError,
    StoreError,
    UnknownCaseError,
    open_store,
    retry,
)

from helpers import examples

if TYPE_CHECKING:
    from xinfang.demo import DemoWorld

store_url = store_helpers.store_url


def t(y: int, m: int, d: int, h: int = 9) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def reg(case_id: str = "S-1", **kw: object) -> x.changes.Register:
    args: dict[str, object] = {
        "case_id": case_id,
        "received_at": t(2026, 3, 2),
        "channel": x.vocabulary.Channel.LETTER,
        "receiving_unit": "D1",
        "petitioners": [
            x.personal.Petitioner(name="张三", id_number="11010519491231002X", phone="13812345678")
        ],
        "claims": [x.changes.Claim(request="退还押金")],
    }
    args.update(kw)
    return x.changes.Register(**args)  # type: ignore[arg-type]


def W() -> DemoWorld:  # noqa: N802 - the demo world, built once
    return world()


def demo() -> tuple[x.Case, ...]:
    return W().cases


class TestRoundTrip:
    """Every case reads back equal and replays equal."""

    def test_demo_corps(self, store_url: str) -> None:
        """The demo corps, imported, reads back case by case and as a stream."""
        w = W()
        with open_store(store_url, calendar=w.calendar) as s:
            result = s.import_ledger(x.dump_ledger(w.cases, reveal_personal_data=True))
            assert result.added == len(w.cases)
            assert result.events == sum(len(c.events) for c in w.cases)
            by_id = {c.id: c for c in w.cases}
            streamed = list(s.iter_cases(batch=37))
            assert [c.id for c in streamed] == sorted(by_id)
            assert all(c == by_id[c.id] for c in streamed)
            assert all(x.replay(s.events(c.id)) == c for c in w.cases[:40])
            assert s.case(w.cases[0].id) == w.cases[0]
            assert s.check().ok

    def test_reimport_changes_nothing(self, store_url: str) -> None:
        """Importing the same ledger twice writes nothing the second time."""
        w = W()
        text = x.dump_ledger(w.cases[:60], reveal_personal_data=True)
        with open_store(store_url, calendar=w.calendar) as s:
            s.import_ledger(text)
            before = digest(store_url)
            again = s.import_ledger(text)
            assert (again.added, again.extended, again.unchanged) == (0, 0, 60)
            assert digest(store_url) == before

    def test_import_extends_a_stored_prefix(self, store_url: str) -> None:
        """A ledger holding more events of a stored case appends only the missing ones."""
        case = next(c for c in demo() if len(c.events) >= 4)
        short = x.replay(case.events[:2])
        with open_store(store_url, calendar=W().calendar) as s:
            s.import_ledger(x.dump_ledger([short], reveal_personal_data=True))
            r = s.import_ledger(x.dump_ledger([case], reveal_personal_data=True))
            assert (r.extended, r.events) == (1, len(case.events) - 2)
            assert s.case(case.id) == case

    def test_export_masks_by_default(self, store_url: str) -> None:
        """The exported ledger masks personal data unless asked; revealed, it round-trips."""
        with open_store(store_url) as s:
            s.register(reg(), t(2026, 3, 2, 10), by="clerk")
            masked = s.export_ledger()
            assert "11010519491231002X" not in masked
            assert "13812345678" not in masked
            full = s.export_ledger(reveal_personal_data=True)
            assert x.load_ledger(full) == [s.case("S-1")]

    @settings(
        max_examples=examples(10),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(cases=st.lists(xs.cases(max_steps=8), min_size=1, max_size=3))
    def test_generated_cases_through_commands(self, store_url: str, cases: list[x.Case]) -> None:
        """Hypothesis cases, replayed command by command through the store, read back equal."""
        with open_store(store_url) as s:
            for generated in cases:
                case = renamed(generated, f"H-{s.count()}-{generated.id}")
                first = case.events[0]
                assert isinstance(first.change, x.changes.Register)
                s.register(first.change, first.at, by=first.by)
                for e in case.events[1:]:
                    s.apply(case.id, e.change, at=e.at, by=e.by, expected_version=e.seq - 1)
                assert s.case(case.id) == case
                assert s.events(case.id) == case.events
            assert s.check().ok


class TestCommands:
    """Commands: one transaction, optimistic concurrency, idempotency."""

    def test_register_and_apply(self, store_url: str) -> None:
        """A command through the store gives what the pure API gives, and is stored."""
        with open_store(store_url) as s:
            case, ev = s.register(reg(), t(2026, 3, 2, 10), by="clerk")
            assert (case, ev) == x.open_case(reg(), t(2026, 3, 2, 10), by="clerk")
            got = s.apply(
                "S-1", x.changes.Accept(), at=t(2026, 3, 4), by="clerk", expected_version=1
            )
            assert got == x.apply(case, x.changes.Accept(), t(2026, 3, 4), by="clerk")
            assert s.version("S-1") == 2
            assert s.case("S-1") == got[0]

    def test_duplicate_registration_is_a_conflict(self, store_url: str) -> None:
        """Registering an id twice is a ConcurrencyError naming the case and versions."""
        with open_store(store_url) as s:
            s.register(reg(), t(2026, 3, 2, 10))
            with pytest.raises(ConcurrencyError, match=r"S-1: expected version 0.*version 1"):
                s.register(reg(), t(2026, 3, 2, 11))

    def test_stale_version(self, store_url: str) -> None:
        """A stale expected_version is refused, naming both versions; nothing is written."""
        with open_store(store_url) as s:
            s.register(reg(), t(2026, 3, 2, 10))
            s.apply("S-1", x.changes.Notify(), at=t(2026, 3, 3))
            before = digest(store_url)
            with pytest.raises(ConcurrencyError) as info:
                s.apply("S-1", x.changes.Accept(), at=t(2026, 3, 4), expected_version=1)
            assert (info.value.case_id, info.value.expected, info.value.actual) == ("S-1", 1, 2)
            assert isinstance(info.value, x.XinfangError)
            assert digest(store_url) == before

    def test_idempotency_key(self, store_url: str) -> None:
        """A repeated idempotency key returns the first result and writes nothing."""
        with open_store(store_url) as s:
            s.register(reg(), t(2026, 3, 2, 10), idempotency_key="r1")
            first = s.apply("S-1", x.changes.Accept(), at=t(2026, 3, 4), idempotency_key="k1")
            s.apply("S-1", x.changes.Notify(), at=t(2026, 3, 5))
            before = digest(store_url)
            again = s.apply("S-1", x.changes.Accept(), at=t(2026, 3, 9), idempotency_key="k1")
            assert again == first
            assert s.register(reg(), t(2026, 3, 2, 10), idempotency_key="r1")[1].seq == 1
            assert digest(store_url) == before
            with pytest.raises(x.XinfangError, match="different command"):
                s.apply(
                    "S-1", x.changes.Notify(note="other"), at=t(2026, 3, 9), idempotency_key="k1"
                )

    def test_retry_rereads(self, store_url: str) -> None:
        """retry() re-runs a command that re-reads the version until it lands."""
        with open_store(store_url) as s, open_store(store_url) as other:
            s.register(reg(), t(2026, 3, 2, 10))
            calls = []

            def command() -> tuple[x.Case, x.Event]:
                v = s.version("S-1")
                if not calls:  # another writer slips in after the read
                    other.apply("S-1", x.changes.Notify(note="other"), at=t(2026, 3, 3))
                calls.append(v)
                return s.apply(
                    "S-1", x.changes.Notify(note="mine"), at=t(2026, 3, 4), expected_version=v
                )

            _, ev = retry(command)
            assert calls == [1, 2]
            assert ev.seq == 3
            assert [e.change for e in s.events("S-1")][1:] == [
                x.changes.Notify(note="other"),
                x.changes.Notify(note="mine"),
            ]

    def test_finality_reads_related_cases_from_the_store(self, store_url: str) -> None:
        """A repeat petition's finality check reads the earlier cases from the store."""
        with open_store(store_url) as s:
            s.register(reg("S-2", repeat_of=("S-0",), same_facts=True), t(2026, 3, 2, 10))
            with pytest.raises(x.TransitionError, match="related"):
                s.apply("S-2", x.changes.Accept(), at=t(2026, 3, 3))
            s.register(reg("S-0"), t(2026, 3, 2, 9))
            case, _ = s.apply("S-2", x.changes.Accept(), at=t(2026, 3, 3))
            assert case.stage is x.vocabulary.Stage.ACCEPTED


class TestBadInput:
    """Bad input: a XinfangError naming the problem, and the database unchanged."""

    def test_refusals_leave_the_database_unchanged(self, store_url: str) -> None:
        """Unknown ids, refused commands, naive instants and registrations through apply."""
        with open_store(store_url) as s:
            s.register(reg(), t(2026, 3, 2, 10))
            s.apply("S-1", x.changes.Withdraw(reason="不再信访"), at=t(2026, 3, 3))
            before = digest(store_url)
            with pytest.raises(UnknownCaseError, match="NOPE"):
                s.apply("NOPE", x.changes.Accept(), at=t(2026, 3, 4))
            with pytest.raises(x.TransitionError):
                s.apply("S-1", x.changes.Accept(), at=t(2026, 3, 4))
            with pytest.raises(x.XinfangError):
                s.apply("S-1", x.changes.Notify(), at=dt.datetime(2026, 3, 4, 9))
            with pytest.raises(x.XinfangError, match="register"):
                s.apply("S-1", reg("S-9"), at=t(2026, 3, 4))
            assert digest(store_url) == before

    def test_malformed_ledger_names_lines_and_writes_nothing(self, store_url: str) -> None:
        """Bad lines are reported with their numbers; no case of the ledger is written."""
        good = x.dump_ledger(demo()[:5], reveal_personal_data=True).splitlines()
        text = "\n".join([*good[:2], "{not json", good[2], '{"schema_version": 1}', *good[3:]])
        with open_store(store_url, calendar=W().calendar) as s:
            before = digest(store_url)
            with pytest.raises(x.InvalidDataError) as info:
                s.import_ledger(text + "\n")
            paths = [p for p, _ in info.value.problems]
            assert any(p.startswith("line 3") for p in paths)
            assert any(p.startswith("line 5") for p in paths)
            assert digest(store_url) == before

    def test_conflicting_ledger_writes_nothing(self, store_url: str) -> None:
        """A ledger that disagrees with a stored journal, or repeats an id, is refused whole."""
        case = demo()[0]
        with open_store(store_url, calendar=W().calendar) as s:
            s.register(reg(case.id), t(2026, 3, 2, 10))
            before = digest(store_url)
            text = x.dump_ledger([demo()[1], case], reveal_personal_data=True)
            with pytest.raises(x.InvalidDataError, match="line 2"):
                s.import_ledger(text)
            twice = x.dump_ledger([demo()[1], demo()[1]], reveal_personal_data=True)
            already = r"line 2 \(case .+\): \$\.id: already on line 1"
            with pytest.raises(x.InvalidDataError, match=already):
                s.import_ledger(twice)
            assert digest(store_url) == before


class TestDatabase:
    """What the database itself guarantees."""

    def test_journal_is_append_only_in_the_database(self, store_url: str) -> None:
        """UPDATE and DELETE on the journal, straight through the driver, are refused."""
        with open_store(store_url) as s:
            s.register(reg(), t(2026, 3, 2, 10))
        before = digest(store_url)
        conn = raw_connect(store_url)
        try:
            for sql in (
                "UPDATE xf_journal SET actor = 'mallory'",
                "DELETE FROM xf_journal",
                (
                    "INSERT INTO xf_journal (case_id, seq, at, actor, kind, payload) "
                    "VALUES ('S-1', 5, '2026-03-03T09:00:00+08:00', 'm', 'notified', '{}')"
                ),
            ):
                with pytest.raises(Exception, match=r"append-only|next number") as info:
                    conn.execute(sql)
                assert not isinstance(info.value, AssertionError)
            if not store_url.startswith("sqlite"):
                with pytest.raises(Exception, match="append-only"):
                    conn.execute("TRUNCATE xf_journal CASCADE")
        finally:
            conn.close()
        assert digest(store_url) == before

    def test_schema_version_is_stored(self, store_url: str) -> None:
        """The schema version lives in the database."""
        with open_store(store_url) as s:
            assert s.schema_version() == SCHEMA_VERSION
        conn = raw_connect(store_url)
        try:
            row = conn.execute("SELECT value FROM xf_meta WHERE key = 'schema_version'").fetchone()
        finally:
            conn.close()
        assert row == (str(SCHEMA_VERSION),)

    def test_bad_urls(self, tmp_path: object) -> None:
        """Unknown and malformed URLs are StoreErrors, never driver errors."""
        with pytest.raises(StoreError, match="unknown store URL"):
            open_store("mysql://x")
        with pytest.raises(StoreError, match="sqlite:///"):
            open_store("sqlite:relative.db")
        with pytest.raises(StoreError, match="cannot open"):
            open_store("sqlite:////nonexistent-dir/x/y.db")


class TestProjections:
    """Projections equal a recomputation from the journal."""

    def test_check_and_rebuild(self, store_url: str) -> None:
        """check() finds a tampered projection row; rebuild() restores it."""
        w = W()
        with open_store(store_url, calendar=w.calendar) as s:
            s.import_ledger(x.dump_ledger(w.cases[:80], reveal_personal_data=True))
            assert s.check().ok
            conn = raw_connect(store_url)
            try:
                conn.execute("UPDATE xf_case SET stage = 'declined' WHERE case_id = 'XF-B0001'")
                conn.execute("DELETE FROM xf_clock WHERE case_id = 'XF-B0002'")
            finally:
                conn.close()
            report = s.check()
            assert not report.ok
            assert {p.split(":")[0] for p in report.problems} >= {"case XF-B0001"}
            assert s.rebuild() == 80
            assert s.check().ok

    def test_due_equals_the_clock_engine(self, store_url: str) -> None:
        """due() equals clocks() over every stored case, with and without overdue ones."""
        w = W()
        cases = w.cases
        as_of = max(c.on.last_event or c.on.received for c in cases)
        with open_store(store_url, calendar=w.calendar) as s:
            s.import_ledger(x.dump_ledger(cases, reveal_personal_data=True))
            for within, overdue in ((5, True), (5, False), (20, False), (0, True)):
                want = sorted(
                    (
                        c
                        for case in cases
                        for c in x.clocks(case, as_of=as_of, calendar=w.calendar)
                        if c.status.is_open
                        and c.remaining_working_days is not None
                        and c.remaining_working_days <= within
                        and (overdue or c.due >= as_of)
                    ),
                    key=lambda c: (c.due, c.case_id, c.key),
                )
                assert list(s.due(as_of, within, overdue=overdue)) == want

    def test_due_of_assigned_cases_equals_the_clock_engine(self, store_url: str) -> None:
        """A report-back clock (its due day set by the assignment) comes back as clocks() has it.

        Its period is the days from the assignment to the report-back date,
        not the limit's nominal period (the demo corps has no such clock open).
        """
        with open_store(store_url) as s:
            ids = []
            for k, days in enumerate((3, 9, 15, 40)):
                case, _ = s.register(reg(f"A-{k}"), t(2026, 3, 2), by="clerk")
                by_day = dt.date(2026, 3, 3) + dt.timedelta(days=days)
                assign = x.changes.Assign(to_unit="D2", report_back_by=by_day)
                s.apply(case.id, assign, at=t(2026, 3, 3), by="clerk", expected_version=1)
                ids.append(case.id)
            as_of = dt.date(2026, 3, 4)
            want = sorted(
                (
                    c
                    for cid in ids
                    for c in x.clocks(s.case(cid), as_of=as_of)
                    if c.status.is_open
                    and c.remaining_working_days is not None
                    and c.remaining_working_days <= 20
                ),
                key=lambda c: (c.due, c.case_id, c.key),
            )
            assert any(c.key == "report_back" for c in want)
            assert list(s.due(as_of, 20)) == want

    def test_open_cases_by_unit(self, store_url: str) -> None:
        """Open cases per unit, and open target cases per unit, equal a count of the values."""
        w = W()
        with open_store(store_url, calendar=w.calendar) as s:
            s.import_ledger(x.dump_ledger(w.cases, reveal_personal_data=True))
            targets = set(w.campaign.targets)
            for ids in (None, targets):
                want: dict[str, int] = {}
                for c in w.cases:
                    if c.is_terminal or (ids is not None and c.id not in ids):
                        continue
                    unit = c.responsible_unit or c.handling_unit or c.receiving_unit
                    want[unit] = want.get(unit, 0) + 1
                assert s.open_cases_by_unit(ids) == dict(sorted(want.items()))

    def test_snapshot_from_the_store(self, store_url: str) -> None:
        """The campaign snapshot computed from a store equals the one from the values."""
        w = W()
        with open_store(store_url, calendar=w.calendar) as s:
            s.import_ledger(x.dump_ledger(w.cases, reveal_personal_data=True))
            got = s.snapshot(w.campaign, w.org, as_of=w.as_of)
        assert got == x.snapshot(w.campaign, w.cases, w.org, as_of=w.as_of, calendar=w.calendar)


class TestReads:
    """Reads: as of a past instant, and through a viewer's eyes."""

    def test_as_of(self, store_url: str) -> None:
        """A case as of a past instant or day is the replay of its events until then."""
        with open_store(store_url) as s:
            s.register(reg(), t(2026, 3, 2, 10))
            s.apply("S-1", x.changes.Accept(), at=t(2026, 3, 4))
            s.apply("S-1", x.changes.Notify(), at=t(2026, 3, 5))
            full = s.case("S-1")
            assert s.case("S-1", as_of=t(2026, 3, 4, 12)) == x.replay(full.events[:2])
            assert s.case("S-1", as_of=dt.date(2026, 3, 4)) == x.replay(full.events[:2])
            assert s.case("S-1", as_of=dt.date(2026, 3, 9)) == full
            with pytest.raises(UnknownCaseError, match="not yet registered"):
                s.case("S-1", as_of=dt.date(2026, 3, 1))

    def test_accused_unit_cannot_read_an_accusation(self, store_url: str) -> None:
        """An accused unit's official gets 'no such case'; others what visibility allows."""
        w = W()
        accusation = reg(
            "S-A",
            category=x.vocabulary.Category.ACCUSATION,
            accused_units=("D2",),
            receiving_unit="HQ",
        )
        with open_store(store_url) as s:
            s.register(accusation, t(2026, 3, 2, 10))
            with pytest.raises(UnknownCaseError, match="no case S-A"):
                s.case("S-A", viewer="D2-S", org=w.org)
            seen = s.case("S-A", viewer="D3-S", org=w.org)
            assert seen == x.responsibility.redact(s.case("S-A"))
            assert s.case("S-A", viewer="HQ-H", org=w.org) == s.case("S-A")
            with pytest.raises(x.XinfangError, match="org="):
                s.case("S-A", viewer="D3-S")  # type: ignore[call-overload]


def test_registered_ids_are_unique_across_connections(store_url: str) -> None:
    """Two connections registering one id: one case, one ConcurrencyError."""
    with open_store(store_url) as a, open_store(store_url) as b:
        a.register(reg(), t(2026, 3, 2, 10))
        with pytest.raises(ConcurrencyError):
            b.register(attrs.evolve(reg(), channel=x.vocabulary.Channel.VISIT), t(2026, 3, 2, 11))
        assert a.version("S-1") == 1


def test_a_busy_sqlite_database_is_a_store_error(tmp_path: object) -> None:
    """A writer kept out past the bounded wait: a StoreError naming the database and the write."""
    import sqlite3

    path = f"{tmp_path}/busy.db"
    with open_store(f"sqlite:///{path}?busy_timeout=0.01") as s:
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreError, match=r"busy\.db.*registering case S-1.*busy"):
                s.register(reg(), t(2026, 3, 2, 10))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        s.register(reg(), t(2026, 3, 2, 10))
        assert s.version("S-1") == 1
