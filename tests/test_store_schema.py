"""Forward-only migrations: an empty database and one at an earlier version end equal."""

from __future__ import annotations

import json

import pytest

import store_helpers
from store_helpers import raw_connect
from xinfang.store import SCHEMA_VERSION, StoreError, open_store
from xinfang.store._db import connect
from xinfang.store._schema import MIGRATIONS

store_url = store_helpers.store_url

_EVENT = {
    "seq": 1,
    "at": "2026-03-02T10:00:00+08:00",
    "by": "clerk",
    "change": {
        "kind": "registered",
        "case_id": "OLD-1",
        "received_at": "2026-03-02T09:00:00+08:00",
        "channel": "letter",
        "receiving_unit": "D1",
        "petitioners": [{"name": "张三"}],
        "claims": [{"request": "退还押金"}],
    },
}


def test_every_dialect_has_the_same_number_of_migrations() -> None:
    """Both dialects reach the same schema version."""
    assert {len(m) for m in MIGRATIONS.values()} == {SCHEMA_VERSION}


def test_migrating_from_any_version_gives_the_same_schema(store_url: str, tmp_path: object) -> None:
    """Empty → latest equals version 1 (with a journal row) → latest; the old case is projected."""
    fresh = connect(store_url)
    try:
        assert fresh.migrate(1) == 1
        assert fresh.schema_version() == 1
        conn = raw_connect(store_url)
        try:
            sql = (
                "INSERT INTO xf_journal (case_id, seq, at, actor, kind, payload) "
                "VALUES ('OLD-1', 1, '2026-03-02T10:00:00+08:00', 'clerk', 'registered', "
                + ("?)" if store_url.startswith("sqlite") else "%s)")
            )
            conn.execute(sql, (json.dumps(_EVENT),))
        finally:
            conn.close()
        at_one = fresh.schema()
    finally:
        fresh.close()
    with open_store(store_url) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert s.case("OLD-1").receiving_unit == "D1"
        assert s.version("OLD-1") == 1
        assert s.check().ok
        migrated = s._db.schema()
    assert migrated != at_one
    other = store_url + ("-2" if store_url.startswith("sqlite") else "")
    if store_url.startswith("sqlite"):
        with open_store(other) as s:
            assert s._db.schema() == migrated
    else:
        for url in store_helpers.pg_schema_url():
            with open_store(url) as s:
                assert s._db.schema() == migrated


def test_newer_schema_is_refused(store_url: str) -> None:
    """A database written by a newer xinfang is refused, not misread."""
    with open_store(store_url):
        pass
    conn = raw_connect(store_url)
    try:
        conn.execute("UPDATE xf_meta SET value = '99' WHERE key = 'schema_version'")
    finally:
        conn.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(store_url)
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(store_url, migrate=False)
