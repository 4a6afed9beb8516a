"""The store after review: confidentiality with ``as_of``, races, migrations, unstorable text.

Each test holds a fix the review asked for, on SQLite and on PostgreSQL
(``store_url`` runs both). The races are made deterministic by running the
other writer from a hook at the moment that matters: on PostgreSQL it
commits there; on SQLite (one writer at a time) it waits for the hooked
transaction, so there the same test checks the other order.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import TYPE_CHECKING, Any

import pytest

import store_helpers
import xinfang as x
from store_helpers import digest
from test_store import W, reg, t
from xinfang.convert import unstructure
from xinfang.store import (
    SCHEMA_VERSION,
    ConcurrencyError,
    Store,
    StoreError,
    UnknownCaseError,
    _projections,
    init_store,
    open_store,
)
from xinfang.store._db import connect

from helpers import require

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

store_url = store_helpers.store_url

#: How long a hooked writer waits for the other one: on PostgreSQL the other
#: commits (it is never blocked); on SQLite it is blocked until the hooked
#: transaction ends, and this is how long it is given to get there.
_WAIT = 1.0


def _accusation() -> x.changes.Register:
    return reg(
        "S-A", category=x.vocabulary.Category.ACCUSATION, accused_units=("D2",), receiving_unit="HQ"
    )


def _in_thread(url: str, fn: Callable[[Store], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """``fn`` on a store of its own (its own connection), in a thread not yet started."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            with open_store(url) as other:
                out["result"] = fn(other)
        except Exception as exc:  # handed to the test, which asserts on it
            out["result"] = exc

    return threading.Thread(target=run), out


def _finish(thread: threading.Thread, url: str) -> None:
    """Let the other writer run: to its end on PostgreSQL, to its wait on SQLite."""
    thread.start()
    thread.join(timeout=_WAIT if url.startswith("sqlite") else 30)
    if not url.startswith("sqlite"):
        assert not thread.is_alive(), "on PostgreSQL the other writer is never blocked here"


class TestViewerAsOf:
    """A viewer's answer is judged on the case as it stands now, whatever ``as_of`` is."""

    def test_a_hidden_case_as_of_before_its_registration_is_a_missing_case(
        self, store_url: str
    ) -> None:
        """An accused unit's official gets the error of a missing case for every as_of."""
        org = W().org
        with open_store(store_url) as s:
            s.register(_accusation(), t(2026, 3, 2, 10))
            for as_of in (None, dt.date(2026, 1, 1), t(2026, 3, 2, 8), dt.date(2026, 3, 9)):
                errors = []
                for cid in ("S-A", "NO-SUCH"):
                    with pytest.raises(UnknownCaseError) as info:
                        s.case(cid, viewer="D2-S", org=org, as_of=as_of)
                    errors.append((str(info.value).replace(cid, "?"), info.value.path))
                assert errors[0] == errors[1] == ("case_id: no case ? in the store", "case_id")
            # Someone who may know of it still learns it was not yet registered then.
            with pytest.raises(UnknownCaseError, match="not yet registered"):
                s.case("S-A", viewer="D3-S", org=org, as_of=dt.date(2026, 1, 1))

    def test_a_later_accusation_is_redacted_in_its_past_too(self, store_url: str) -> None:
        """A case categorised as an accusation later is redacted as of a day before that."""
        org = W().org
        with open_store(store_url) as s:
            s.register(reg("S-C"), t(2026, 3, 2, 10))
            s.apply(
                "S-C",
                x.changes.Categorize(category=x.vocabulary.Category.ACCUSATION),
                at=t(2026, 3, 5),
            )
            full = s.case("S-C")
            past = s.case("S-C", viewer="D3-S", org=org, as_of=dt.date(2026, 3, 3))
            assert past == x.responsibility.redact(x.replay(full.events[:1]))
            assert s.case("S-C", viewer="D3-S", org=org) == x.responsibility.redact(full)
            # Visible in full now: the past in full too.
            assert s.case("S-C", viewer="HQ-H", org=org, as_of=dt.date(2026, 3, 3)) == x.replay(
                full.events[:1]
            )


def _raced(
    s: Store,
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    command: Callable[[Store], tuple[x.Case, x.Event]],
) -> tuple[tuple[x.Case, x.Event], Any]:
    """``command`` on ``s``, with the same command run (in a thread) as ``s`` takes the case lock.

    Returns this run's result and the thread's.
    """
    thread, other = _in_thread(url, command)
    real = s._db.lock_case

    def lock_case(case_id: str) -> Any:
        if not thread.ident:
            _finish(thread, url)
        return real(case_id)

    monkeypatch.setattr(s._db, "lock_case", lock_case)
    mine = command(s)
    thread.join()
    return mine, other["result"]


class TestIdempotencyRace:
    """A repeat of a keyed command that waited behind its first run returns the first result."""

    @pytest.mark.parametrize("expected", [None, 1])
    def test_apply(
        self, store_url: str, monkeypatch: pytest.MonkeyPatch, expected: int | None
    ) -> None:
        """The other run commits between this one's key check and its case lock."""
        with open_store(store_url) as s:
            s.register(reg(), t(2026, 3, 2, 10))

            def accept(store: Store) -> tuple[x.Case, x.Event]:
                return store.apply(
                    "S-1",
                    x.changes.Accept(),
                    at=t(2026, 3, 4),
                    by="clerk",
                    expected_version=expected,
                    idempotency_key="k1",
                )

            mine, theirs = _raced(s, store_url, monkeypatch, accept)
            assert theirs == mine
            assert mine[1].seq == 2
            assert s.version("S-1") == 2
            assert len(s.events("S-1")) == 2

    def test_register(self, store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """Two registrations with one key: one case, both given its first event."""
        with open_store(store_url) as s:

            def register(store: Store) -> tuple[x.Case, x.Event]:
                return store.register(reg(), t(2026, 3, 2, 10), by="clerk", idempotency_key="r1")

            mine, theirs = _raced(s, store_url, monkeypatch, register)
            assert theirs == mine
            assert s.version("S-1") == 1


def test_rebuild_does_not_overwrite_a_command_running_meanwhile(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command appended while rebuild() reads a batch is projected, not overwritten."""
    with open_store(store_url) as s:
        s.register(reg(), t(2026, 3, 2, 10))
        thread, other = _in_thread(
            store_url,
            lambda o: o.apply("S-1", x.changes.Accept(), at=t(2026, 3, 4), expected_version=1),
        )
        real = s._db.run

        def run(sql: str, params: Any = ()) -> Any:
            rows = real(sql, params)
            if "payload" in sql and "xf_journal" in sql and not thread.ident:
                thread.start()  # blocked by the rebuild's transaction, if it holds the case
                thread.join(timeout=_WAIT)
            return rows

        with monkeypatch.context() as m:
            m.setattr(s._db, "run", run)
            assert s.rebuild() == 1
        thread.join()
        assert isinstance(other["result"], tuple)
        assert s.version("S-1") == len(s.events("S-1")) == 2
        assert s.check().ok
        with pytest.raises(ConcurrencyError):
            s.apply("S-1", x.changes.Notify(), at=t(2026, 3, 5), expected_version=1)


def _version_one(url: str) -> x.Case:
    """A database at schema version 1 holding one case's journal (two events); the case."""
    case, _ = x.open_case(reg("OLD-1"), t(2026, 3, 2, 10), by="clerk")
    case, _ = x.apply(case, x.changes.Accept(), t(2026, 3, 4), by="clerk")
    db = connect(url)
    try:
        assert db.migrate(1) == 1
        rows = [
            (
                case.id,
                e.seq,
                db.param_instant(e.at),
                e.by,
                e.kind,
                json.dumps(unstructure(e, reveal_personal_data=True), ensure_ascii=False),
            )
            for e in case.events
        ]
        db.write(
            "seeding",
            lambda: db.many(
                "INSERT INTO xf_journal (case_id, seq, at, actor, kind, payload) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            ),
        )
    finally:
        db.close()
    return case


class _KilledError(Exception):
    """The process dies here (simulated)."""


class TestVersionOneJournal:
    """A journal from before the projections is projected with the migration, or not migrated."""

    def test_a_crash_while_projecting_leaves_it_at_version_one(
        self, store_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Killed while projecting: the next open migrates and projects it."""
        case = _version_one(store_url)

        def killed(*args: object) -> None:
            raise _KilledError

        with monkeypatch.context() as m:
            m.setattr(_projections, "project", killed)
            with pytest.raises(_KilledError):
                open_store(store_url)
        db = connect(store_url)
        try:
            assert db.schema_version() == 1
        finally:
            db.close()
        with open_store(store_url) as s:
            assert s.schema_version() == SCHEMA_VERSION
            assert (s.count(), s.version("OLD-1")) == (1, 2)
            assert s.case("OLD-1") == case
            assert s.check().ok

    def test_init_store_projects_it(self, store_url: str) -> None:
        """init_store (``xinfang db init``) on a version-1 journal projects it too."""
        case = _version_one(store_url)
        assert init_store(store_url) == SCHEMA_VERSION
        with open_store(store_url) as s:
            assert (s.count(), s.version("OLD-1")) == (1, 2)
            assert s.case("OLD-1") == case
            assert s.check().ok


#: Text no backend can store (PostgreSQL's jsonb refuses NUL; nothing encodes a lone surrogate).
UNSTORABLE = [
    pytest.param("扫描件\x00第二页", "NUL", id="nul"),
    pytest.param("坏字\ud800", "lone surrogate", id="surrogate"),
    pytest.param("坏字\udc00", "lone surrogate", id="low-surrogate"),
]


class TestUnstorableText:
    """Text a backend cannot store is refused before anything is written, on both alike."""

    @pytest.mark.parametrize(("text", "words"), UNSTORABLE)
    def test_commands(self, store_url: str, text: str, words: str) -> None:
        """Commands: an InvalidDataError naming the field; the database unchanged."""
        with open_store(store_url) as s:
            s.register(reg(), t(2026, 3, 2, 10))
            before = digest(store_url)
            bad = reg("S-2", claims=[x.changes.Claim(request="退还押金", facts=text)])
            with pytest.raises(x.InvalidDataError, match=words) as info:
                s.register(bad, t(2026, 3, 2, 11))
            assert [p for p, _ in info.value.problems] == ["change.claims[0].facts"]
            with pytest.raises(x.InvalidDataError, match=words) as info:
                s.apply("S-1", x.changes.Notify(note=text), at=t(2026, 3, 3))
            assert [p for p, _ in info.value.problems] == ["change.note"]
            with pytest.raises(x.InvalidDataError, match=words) as info:
                s.apply("S-1", x.changes.Notify(), at=t(2026, 3, 3), by=text)
            assert [p for p, _ in info.value.problems] == ["by"]
            with pytest.raises(x.InvalidDataError, match=words) as info:
                s.register(reg(f"S-{text}"), t(2026, 3, 2, 11))
            assert [p for p, _ in info.value.problems] == ["change.case_id"]
            assert digest(store_url) == before
            s.apply("S-1", x.changes.Notify(note="第二页"), at=t(2026, 3, 3))  # the store goes on
            assert s.version("S-1") == 2

    @pytest.mark.parametrize("columnar", [False, True])
    @pytest.mark.parametrize("escaped", [False, True])
    @pytest.mark.parametrize(("text", "words"), UNSTORABLE)
    def test_import_names_the_line_and_writes_nothing(
        self, store_url: str, text: str, words: str, escaped: bool, columnar: bool
    ) -> None:
        """A ledger with such text is refused whole, the line named like any bad line."""
        if columnar:
            require("pyarrow", "the columnar import needs xinfang[columnar]")
        good = x.dump_ledger(W().cases[:3], reveal_personal_data=True)
        bad, _ = x.open_case(
            reg("ZZ-1", claims=[x.changes.Claim(request="退还押金", facts=text)]), t(2026, 3, 2, 10)
        )
        line = x.dump_ledger([bad], reveal_personal_data=True)
        if escaped:  # as written by a JSON encoder with ensure_ascii
            line = json.dumps(json.loads(line), ensure_ascii=True) + "\n"
        with open_store(store_url, calendar=W().calendar) as s:
            before = digest(store_url)
            with pytest.raises(x.InvalidDataError, match=words) as info:
                s.import_ledger(good + line, batch=1, columnar=columnar)
            assert [p for p, _ in info.value.problems] == [
                "line 4 (case ZZ-1): $.events[0].change.claims[0].facts"
            ]
            assert digest(store_url) == before

    def test_import_reports_them_with_the_other_bad_lines(self, store_url: str) -> None:
        """An unparsable line and a line with a NUL: both reported, nothing written."""
        bad, _ = x.open_case(
            reg("ZZ-1", claims=[x.changes.Claim(request="a\x00")]), t(2026, 3, 2, 10)
        )
        text = "{not json\n" + x.dump_ledger([W().cases[0], bad], reveal_personal_data=True)
        with open_store(store_url, calendar=W().calendar) as s:
            with pytest.raises(x.InvalidDataError) as info:
                s.import_ledger(text)
            paths = [p for p, _ in info.value.problems]
            assert paths[0].startswith("line 1: $")
            assert paths[1] == "line 3 (case ZZ-1): $.events[0].change.claims[0].request"
            assert s.count() == 0

    def test_a_valid_astral_character_is_stored(self, store_url: str) -> None:
        """A surrogate pair, raw or escaped, is valid text: stored and read back."""
        case, _ = x.open_case(
            reg("E-1", claims=[x.changes.Claim(request="退还押金😀")]), t(2026, 3, 2)
        )
        line = x.dump_ledger([case], reveal_personal_data=True)
        escaped = json.dumps(json.loads(line), ensure_ascii=True) + "\n"
        assert "\\ud83d" in escaped
        with open_store(store_url) as s:
            assert s.import_ledger(escaped).added == 1
            assert s.case("E-1") == case
            s.register(reg("E-2", claims=[x.changes.Claim(request="😀")]), t(2026, 3, 2))

    def test_a_write_that_cannot_encode_its_text_is_a_store_error(self, store_url: str) -> None:
        """Database.write turns a UnicodeError into a StoreError and rolls back."""
        with open_store(store_url) as s:
            before = digest(store_url)
            db = s._db
            with pytest.raises(StoreError, match="cannot be encoded"):
                db.write(
                    "writing a key",
                    lambda: db.statement(
                        "INSERT INTO xf_meta (key, value) VALUES (?, ?)", ("k", "\ud800")
                    ),
                )
            assert digest(store_url) == before
            s.register(reg(), t(2026, 3, 2, 10))


class TestImportSource:
    """import_ledger(path): file errors name the path; text is told from a path soundly."""

    def test_unreadable_files(self, store_url: str, tmp_path: Path) -> None:
        """A missing file and a non-UTF-8 file are InvalidDataErrors naming the file."""
        latin = tmp_path / "latin1.jsonl"
        latin.write_bytes(b'{"id": "A"}\n{"x": "\xe9"}\n')
        named = tmp_path / "named.jsonl"
        named.write_bytes(b'{"id": "A"}\n{"id": "B-7", "x": "\xe9"}\n')
        missing = tmp_path / "missing.jsonl"
        with open_store(store_url) as s:
            for source in (str(missing), missing):
                with pytest.raises(x.InvalidDataError, match="cannot be read") as info:
                    s.import_ledger(source)
                assert info.value.source == str(missing)
            for source in (str(latin), latin):
                with pytest.raises(x.InvalidDataError, match="not UTF-8") as info:
                    s.import_ledger(source)
                assert info.value.source == str(latin)
                assert info.value.problems[0][0] == "line 2: $"
            with pytest.raises(x.InvalidDataError, match="not UTF-8") as info:
                s.import_ledger(named)
            assert info.value.problems[0][0] == "line 2 (case B-7): $"  # as every bad line
            assert s.count() == 0

    def test_text_is_told_from_a_path(self, store_url: str) -> None:
        """Text after leading whitespace, and blank text, are text, not file names."""
        line = x.dump_ledger([W().cases[0]], reveal_personal_data=True).strip()
        with open_store(store_url, calendar=W().calendar) as s:
            assert s.import_ledger("  \t").added == 0
            with pytest.raises(x.InvalidDataError, match=r"in ledger: line 1") as info:
                s.import_ledger(' {"schema_version": 1}')
            assert "events" in str(info.value)
            assert s.import_ledger("  " + line).added == 1


class TestUrlOptions:
    """Bad SQLite URL options: a StoreError naming the option and the rule."""

    @pytest.mark.parametrize(
        ("query", "option"),
        [
            ("busy_timeout=5s", "busy_timeout"),
            ("busy_timeout=-1", "busy_timeout"),
            ("busy_timeout=nan", "busy_timeout"),
            ("synchronous=fast", "synchronous"),
        ],
    )
    def test_bad_options(self, tmp_path: Path, query: str, option: str) -> None:
        """Each is refused before the database is opened."""
        with pytest.raises(StoreError) as info:
            open_store(f"sqlite:///{tmp_path / 's.db'}?{query}")
        assert (info.value.path, info.value.rule) == (option, "store URL")
        assert query.split("=")[1] in str(info.value)
        assert not (tmp_path / "s.db").exists()

    def test_good_options(self, tmp_path: Path) -> None:
        """The documented forms open."""
        with open_store(f"sqlite:///{tmp_path / 's.db'}?busy_timeout=0.5&synchronous=normal") as s:
            s.register(reg(), t(2026, 3, 2, 10))
            assert s.version("S-1") == 1
