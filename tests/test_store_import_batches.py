"""How the import commits its batches (issue 25): durably at the last one.

``Store.import_ledger`` commits every batch but the last with
``Database.write(durable=False)``: atomic and visible at once, without
waiting for the disk; the last batch's durable commit carries them all.
These tests hold the durability setting of the connection to what it was
after such a write, and the import's batches to one durable commit, the last.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import store_helpers
from store_helpers import big_ledger, raw_connect
from xinfang.store import open_store
from xinfang.store._db import Database

if TYPE_CHECKING:
    from collections.abc import Iterator

store_url = store_helpers.store_url


class _BoomError(Exception):
    """The error a write raises in these tests."""


def _synchronous(url: str) -> Any:
    """The ``synchronous`` setting a store's own SQLite connection holds now."""
    with open_store(url) as s:
        db = s._db
        before = db.one("PRAGMA synchronous")
        db.write("a relaxed write", lambda: db.statement("SELECT 1"), durable=False)
        after = db.one("PRAGMA synchronous")

        def fail() -> None:
            raise _BoomError

        with pytest.raises(_BoomError):
            db.write("a failing relaxed write", fail, durable=False)
        return before, after, db.one("PRAGMA synchronous")


def test_a_relaxed_sqlite_write_leaves_the_setting_as_it_was(tmp_path: Any) -> None:
    """SQLite: after a durable=False write, committed or failed, synchronous is FULL again."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert _synchronous(url) == ((2,), (2,), (2,))
    assert _synchronous(f"{url}?synchronous=normal") == ((1,), (1,), (1,))


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty schema on the PostgreSQL test server (CI=true: never skipped)."""
    yield from store_helpers.pg_schema_url()


def test_a_relaxed_postgresql_write_is_relaxed_inside_only(pg_url: str) -> None:
    """PostgreSQL: synchronous_commit is off inside a durable=False write, as before after it."""
    with open_store(pg_url) as s:
        db = s._db
        seen: list[Any] = []
        before = db.one("SHOW synchronous_commit")
        db.write("relaxed", lambda: seen.append(db.one("SHOW synchronous_commit")), durable=False)
        db.write("durable", lambda: seen.append(db.one("SHOW synchronous_commit")))
        assert seen == [("off",), before]
        assert db.one("SHOW synchronous_commit") == before


def test_an_import_commits_durably_once_its_last_batch(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five batches: four relaxed commits, then one durable, and every case stored."""
    calls: list[bool] = []
    write = Database.write

    def spy(self: Database, what: str, fn: Any, **kw: Any) -> Any:
        if what.startswith("importing"):
            calls.append(kw.get("durable", True))
        return write(self, what, fn, **kw)

    monkeypatch.setattr(Database, "write", spy)
    n = 100
    text = "".join(big_ledger(1)[0].splitlines(keepends=True)[:n])
    with open_store(store_url) as s:
        result = s.import_ledger(text, batch=n // 5, columnar=False)
        assert result.added == n
        assert s.check().ok
    assert calls == [False, False, False, False, True]
    conn = raw_connect(store_url)
    try:
        assert conn.execute("SELECT count(*) FROM xf_case").fetchone()[0] == n
    finally:
        conn.close()
