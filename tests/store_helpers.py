"""Shared fixtures and builders for the store's tests (not part of the library).

``store_url`` runs a test on both backends: a SQLite file in the test's
temporary directory, and a fresh schema on the PostgreSQL server named by
``XINFANG_TEST_PG_URL`` (``.ci/postgres.sh`` starts one). Without that server
the PostgreSQL cases skip with one line, except under ``CI=true``, where they
fail: CI must run them.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import urllib.parse
import uuid
from typing import TYPE_CHECKING, Any, Final

import attrs
import pytest

import xinfang as x
from shared_world import world

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

BACKENDS = ("sqlite", "postgresql")
PG_ENV = "XINFANG_TEST_PG_URL"
TABLES = ("xf_meta", "xf_journal", "xf_case", "xf_clock", "xf_idempotency", "xf_milestones")


def _pg_or_skip() -> str:
    url = os.environ.get(PG_ENV)
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not url:
        if in_ci:
            pytest.fail(f"CI=true but {PG_ENV} is unset: .ci/run must start PostgreSQL")
        pytest.skip(f"no PostgreSQL: set {PG_ENV} (see .ci/postgres.sh)")
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:
        if in_ci:
            pytest.fail(f"CI=true but PostgreSQL at {PG_ENV} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_ENV} unreachable: {str(exc)[:80]}")
    return url


#: The store's option that lets it run as the test server's superuser (``postgres``):
#: the tests' stores run as the owner of their schema; ``test_store_roles`` runs one
#: without it, under an application role, and checks the refusal.
ALLOW: Final = "allow_privileged_role=true"


def with_schema(url: str, schema: str, *, allow: bool = True) -> str:
    """The URL with ``search_path`` set to ``schema`` (and, by default, :data:`ALLOW`)."""
    opt = urllib.parse.quote(f"-csearch_path={schema}")
    return f"{url}{'&' if '?' in url else '?'}options={opt}" + (f"&{ALLOW}" if allow else "")


def driver_url(url: str) -> str:
    """The URL without the store's own option, as a plain driver takes it."""
    return url.replace(f"&{ALLOW}", "").replace(f"?{ALLOW}", "?")


def pg_schema_url() -> Iterator[str]:
    """A fresh schema on the test server; dropped afterwards."""
    import psycopg

    base = _pg_or_skip()
    schema = f"xf_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}".encode())
    try:
        yield with_schema(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE".encode())


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        yield from pg_schema_url()


def raw_connect(url: str) -> Any:
    """A plain driver connection (autocommit) to the store's database."""
    if url.startswith("sqlite"):
        return sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    import psycopg

    return psycopg.connect(driver_url(url), autocommit=True)


def digest(url: str) -> tuple[dict[str, int], str]:
    """Row counts per table and one digest over every row of every table."""
    conn = raw_connect(url)
    try:
        counts: dict[str, int] = {}
        h = hashlib.sha256()
        for table in TABLES:
            cols = "*" if table != "xf_journal" else "case_id, seq, at, actor, kind, payload"
            rows = conn.execute(f"SELECT {cols} FROM {table}").fetchall()  # noqa: S608
            counts[table] = len(rows)
            for row in sorted(map(repr, rows)):
                h.update(row.encode())
        return counts, h.hexdigest()
    finally:
        conn.close()


def renamed(case: x.Case, new_id: str) -> x.Case:
    """The same history under another case id."""
    first = case.events[0]
    assert isinstance(first.change, x.changes.Register)
    reg = attrs.evolve(first.change, case_id=new_id)
    return x.replay((attrs.evolve(first, change=reg), *case.events[1:]))


def demo_cases() -> tuple[x.Case, ...]:
    """The demo corps (built once per session: see ``shared_world``)."""
    return world().cases


@functools.cache
def big_ledger(copies: int) -> tuple[str, int]:
    """A ledger of ``copies`` × the demo corps (ids made unique), and its case count.

    Built once per size and session: the text is an immutable value.
    """
    base = demo_cases()
    cases = [renamed(c, f"{c.id}-{k}") for k in range(copies) for c in base]
    return x.dump_ledger(cases, reveal_personal_data=True), len(cases)


def as_version_2(url: str) -> None:
    """Turn a store at schema version 3 or later into what version 2 wrote."""
    as_version_3(url)
    conn = raw_connect(url)
    try:
        conn.execute("ALTER TABLE xf_case DROP COLUMN last_report_on")
        conn.execute("UPDATE xf_meta SET value = '2' WHERE key = 'schema_version'")
    finally:
        conn.close()


def as_version_3(url: str) -> None:
    """Turn a store at schema version 4 into what version 3 wrote (no ``xf_milestones``)."""
    conn = raw_connect(url)
    try:
        conn.execute("DROP TABLE xf_milestones")
        conn.execute("UPDATE xf_meta SET value = '3' WHERE key = 'schema_version'")
    finally:
        conn.close()
