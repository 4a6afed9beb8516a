"""PostgreSQL roles: the application's role may read and append the journal, nothing more.

These run on the real test server (``XINFANG_TEST_PG_URL``; under ``CI=true``
nothing skips). The server's superuser ``postgres`` owns each test schema; the
application role is made by ``init_store(app_role=...)`` and logs in over the
server's Unix socket (trust authentication on the throwaway server).
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
import uuid
from typing import TYPE_CHECKING

import pytest

import xinfang as x
from store_helpers import _pg_or_skip, driver_url, raw_connect, with_schema
from xinfang.instants import SHANGHAI
from xinfang.store import StoreError, app_role_sql, init_store, open_store

if TYPE_CHECKING:
    from collections.abc import Iterator


def _as_role(url: str, role: str) -> str:
    """The same database and schema, logged in as ``role``."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.split("@", 1)[-1]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{role}@{netloc}"))


@pytest.fixture
def owner_and_role() -> Iterator[tuple[str, str, str]]:
    """A fresh schema (URL without the allowance), and a fresh role name; both dropped after."""
    import psycopg

    base = _pg_or_skip()
    schema = f"xf_r_{uuid.uuid4().hex[:12]}"
    role = f"xf_app_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}".encode())
    try:
        yield with_schema(base, schema, allow=False), schema, role
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE".encode())
            if conn.execute(b"SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f"DROP OWNED BY {role}".encode())
                conn.execute(f"DROP ROLE {role}".encode())


def _reg(case_id: str) -> x.changes.Register:
    at = dt.datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)
    return x.changes.Register(
        case_id=case_id,
        received_at=at,
        channel=x.vocabulary.Channel.LETTER,
        receiving_unit="D1",
        petitioners=[x.personal.Petitioner(name="张三")],
        claims=[x.changes.Claim(request="退还押金")],
    )


def test_superuser_is_refused_unless_allowed(owner_and_role: tuple[str, str, str]) -> None:
    """The test server's superuser could rewrite the journal: refused, unless told to run."""
    url, _, _ = owner_and_role
    assert init_store(url) == x.store.SCHEMA_VERSION  # the owner creates the schema
    with pytest.raises(StoreError, match="superuser") as caught:
        open_store(url)
    assert "allow_privileged_role" in str(caught.value)
    assert "--app-role" in str(caught.value)
    with open_store(url, allow_privileged_role=True) as s:
        assert s.count() == 0
    with open_store(f"{url}&allow_privileged_role=true") as s:
        assert s.count() == 0


def test_the_app_role_reads_and_appends_only(owner_and_role: tuple[str, str, str]) -> None:
    """init_store(app_role=) grants SELECT/INSERT on the journal; the store runs; no rewrite."""
    import psycopg

    url, schema, role = owner_and_role
    init_store(url, app_role=role)
    app_url = _as_role(url, role)
    at = dt.datetime(2026, 11, 3, 9, tzinfo=SHANGHAI)
    with open_store(app_url) as s:  # no allowance needed: the role cannot rewrite
        s.register(_reg("R-1"), at, idempotency_key="k-1")
        s.apply("R-1", x.changes.Accept(), at=at, expected_version=1)
        s.import_ledger(x.dump_ledger([x.open_case(_reg("R-2"), at)[0]]))
        assert s.rebuild() == 2
        assert s.check().ok
        assert s.version("R-1") == 2
    for sql in (
        "UPDATE xf_journal SET actor = 'x'",
        "DELETE FROM xf_journal",
        "TRUNCATE xf_journal",
        "ALTER TABLE xf_journal DISABLE TRIGGER ALL",
        "DROP TRIGGER xf_journal_no_update_delete ON xf_journal",
    ):
        with (
            psycopg.connect(driver_url(app_url), autocommit=True) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute(sql.encode())
    conn = raw_connect(url)
    try:
        rows = conn.execute(
            f"SELECT privilege_type FROM information_schema.role_table_grants "  # noqa: S608
            f"WHERE grantee = '{role}' AND table_schema = '{schema}' "
            "AND table_name = 'xf_journal' ORDER BY privilege_type"
        ).fetchall()
    finally:
        conn.close()
    assert [r[0] for r in rows] == ["INSERT", "SELECT"]


def test_a_role_granted_update_is_refused(owner_and_role: tuple[str, str, str]) -> None:
    """A role that may UPDATE the journal is refused by name, and runs when allowed."""
    url, schema, role = owner_and_role
    init_store(url, app_role=role)
    conn = raw_connect(url)
    try:
        conn.execute(f"GRANT UPDATE, TRUNCATE ON {schema}.xf_journal TO {role}".encode())
    finally:
        conn.close()
    app_url = _as_role(url, role)
    with pytest.raises(StoreError, match="may UPDATE xf_journal") as caught:
        open_store(app_url)
    assert "may TRUNCATE xf_journal" in str(caught.value)
    with open_store(app_url, allow_privileged_role=True) as s:
        assert s.count() == 0


def test_app_role_sql_is_what_init_store_runs(owner_and_role: tuple[str, str, str]) -> None:
    """The printed SQL names the schema and grants no UPDATE, DELETE or TRUNCATE on the journal."""
    url, schema, role = owner_and_role
    init_store(url)
    sql = app_role_sql(url, role)
    journal = [s for s in sql if "xf_journal" in s]
    assert f"GRANT SELECT, INSERT ON {schema!r}.xf_journal".replace("'", '"') in " ".join(journal)
    assert any(s.startswith("REVOKE UPDATE, DELETE, TRUNCATE") for s in journal)
    with pytest.raises(StoreError, match="role name"):
        app_role_sql(url, 'x"; DROP TABLE xf_journal; --')


def test_sqlite_has_no_roles(tmp_path: object) -> None:
    """SQLite has no roles: asking for one says so; opening is never refused for privilege."""
    url = f"sqlite:///{tmp_path}/r.db"
    with pytest.raises(StoreError, match="SQLite has no roles"):
        init_store(url, app_role="xf_app")
    with open_store(url) as s:
        assert s.count() == 0


def test_db_init_app_role_from_the_command_line(
    owner_and_role: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`xinfang db init --app-role NAME [--print-sql]`: prints the grants, or makes the role."""
    from xinfang.cli import main

    url, _, role = owner_and_role
    assert main(["db", "init", "--db", url, "--app-role", role, "--print-sql"]) == 0
    printed = capsys.readouterr().out
    assert "GRANT SELECT, INSERT ON" in printed
    assert printed.count(";\n") == len(app_role_sql(url, role))
    with pytest.raises(StoreError):  # printing made no role
        open_store(_as_role(url, role))
    assert main(["db", "init", "--db", url, "--app-role", role, "-q"]) == 0
    with open_store(_as_role(url, role)) as s:
        assert s.count() == 0
