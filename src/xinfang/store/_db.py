"""The two backends behind one small interface: SQLite (stdlib) and PostgreSQL (psycopg 3).

SQL is written once with ``?`` placeholders and always parameterised; the
PostgreSQL backend turns ``?`` into ``%s``. Every write runs in
:meth:`Database.write`: one transaction (``BEGIN IMMEDIATE`` on SQLite, so a
read that turns into a write cannot deadlock), retried a bounded number of
times when the database is busy (SQLite) or reports a serialisation failure
or deadlock (PostgreSQL); after that, a :class:`StoreError` naming the
database and what was being written. A unique violation on a write is handed
to the caller's ``on_conflict`` after the rollback (it becomes a
:class:`ConcurrencyError`). Raw driver errors never escape.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import re
import sqlite3
import time
import urllib.parse
from typing import TYPE_CHECKING, Any, Final, TypeVar

from xinfang.errors import XinfangError, quoted
from xinfang.instants import UTC8_SINCE, aware
from xinfang.store._errors import StoreError
from xinfang.store._schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

__all__ = ["ALLOW_PRIVILEGED", "Database", "connect", "grant_statements", "safe_url"]

T = TypeVar("T")
Row = tuple[Any, ...]

#: Attempts of a whole write transaction while the database is busy.
BUSY_ATTEMPTS: Final = 8


class Conflict(Exception):  # noqa: N818 - internal signal: a unique violation
    """A unique violation (raised inside :meth:`Database.write`, then handed on)."""


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urllib.parse.urlsplit(url)
    if not parts.password:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


class Database:
    """One connection to one database, with the dialect's small differences."""

    dialect: str
    url: str

    def __init__(self, url: str) -> None:
        self.url = safe_url(url)
        #: ``?allow_privileged_role=true`` in the URL: run under a role that can rewrite.
        self.allow_privileged_role = False

    def journal_powers(self) -> list[str]:
        """What this connection's role can do to the journal beyond reading and appending.

        Empty on SQLite, which has no roles: whoever can open the file can
        change it (see ``docs/store.md``).
        """
        return []

    def grant_sql(self, role: str) -> list[str]:
        """The statements making ``role`` an application role (PostgreSQL only)."""
        raise NotImplementedError

    # -- to be provided by each backend
    def _execute(self, sql: str, params: Sequence[Any]) -> Any:
        raise NotImplementedError

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def _begin(self, durable: bool) -> None:
        raise NotImplementedError

    def _end(self, durable: bool) -> None:
        """After a transaction's commit or rollback (SQLite: the durability setting back)."""

    def _is_busy(self, exc: BaseException) -> bool:
        raise NotImplementedError

    def _is_unique(self, exc: BaseException) -> bool:
        raise NotImplementedError

    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection."""
        raise NotImplementedError

    def lock_case(self, case_id: str) -> Row | None:
        """The case row's version, locked for this transaction where the dialect can."""
        return self.one("SELECT version FROM xf_case WHERE case_id = ?", (case_id,))

    def lock_cases(self, case_ids: Sequence[str]) -> None:
        """Lock the case rows of ``case_ids`` (sorted) for this transaction where the dialect can.

        SQLite needs nothing: a write transaction holds the database's one write lock.
        """

    def date(self, value: Any) -> _dt.date:
        """A date column's value as a date."""
        return value if isinstance(value, _dt.date) else _dt.date.fromisoformat(value)

    def param_date(self, value: _dt.date) -> Any:
        """A date as this dialect's parameter."""
        return value

    def param_instant(self, value: _dt.datetime) -> Any:
        """An instant as this dialect's parameter."""
        return value

    def payload(self, value: Any) -> Any:
        """A payload column's value as plain data (a dict)."""
        return value

    def param_instant_text(self, text: str) -> Any:
        """A canonical instant's text (``YYYY-MM-DDTHH:MM:SS[.ffffff]+08:00``) as a parameter."""
        return self.param_instant(aware(_dt.datetime.fromisoformat(text)))

    # -- the shared interface
    def run(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """All rows of a query."""
        return list(self._guard(lambda: self._execute(sql, params).fetchall(), "reading"))

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or ``None``."""
        found: Row | None = self._guard(lambda: self._execute(sql, params).fetchone(), "reading")
        return found

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement for many parameter rows (inside :meth:`write`)."""
        if rows:
            self._executemany(sql, rows)

    def append(self, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        """Append ``rows`` to ``table`` (inside :meth:`write`): plain ``INSERT`` statements here.

        ``columns`` is the comma-separated column list; ``rows`` are plain
        inserts (no ``ON CONFLICT``): a duplicate key is a unique violation,
        as :meth:`many` would raise. PostgreSQL streams them through ``COPY``.
        """
        if rows:
            marks = ", ".join("?" * (columns.count(",") + 1))
            self._executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608

    def where_in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column IN (?, ...)`` for ``values``: the condition and its parameters.

        PostgreSQL takes the values as one text array: one parameter, so the
        driver parses the statement once, not per call.
        """
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def statement(self, sql: str, params: Sequence[Any] = ()) -> None:
        """One statement (inside :meth:`write`)."""
        self._execute(sql, params)

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 1000) -> Iterator[Row]:
        """The rows of a query, fetched ``size`` at a time."""
        cur = self._guard(lambda: self._execute(sql, params), "reading")
        while True:
            batch = self._guard(lambda: cur.fetchmany(size), "reading")
            if not batch:
                return
            yield from batch

    def _guard(self, fn: Callable[[], T], what: str) -> T:
        try:
            return fn()
        except self._driver_errors() as exc:
            raise StoreError(f"{self.url}: {what} failed: {exc}", rule="database") from exc
        except UnicodeError as exc:  # a parameter the driver cannot encode
            raise _unicode_failure(self.url, what, exc) from exc

    def write(
        self,
        what: str,
        fn: Callable[[], T],
        *,
        on_conflict: Callable[[BaseException], T] | None = None,
        durable: bool = True,
    ) -> T:
        """Run ``fn`` in one write transaction; commit, or roll back and raise.

        Busy databases and serialisation failures retry the whole transaction
        (bounded); a unique violation rolls back and calls ``on_conflict``.

        ``durable=False``: the commit does not wait for the disk (PostgreSQL:
        ``synchronous_commit = off`` for this transaction; SQLite in WAL mode:
        ``synchronous = NORMAL`` for it, when the connection's is stricter).
        The transaction is still atomic and visible at once; a crash of the
        server or the machine may lose it, whole, until a later durable commit
        on the same database reaches the disk, which carries every earlier
        commit with it (the write-ahead log is written in order). A bulk job
        commits its batches so and its last one durably.
        """
        try:
            return self._write(what, fn, on_conflict, durable)
        finally:
            self._end(durable)

    def _write(
        self,
        what: str,
        fn: Callable[[], T],
        on_conflict: Callable[[BaseException], T] | None,
        durable: bool,
    ) -> T:
        errors = self._driver_errors()
        delay = 0.005
        for attempt in range(BUSY_ATTEMPTS):
            try:
                self._begin(durable)
            except errors as exc:
                if self._is_busy(exc) and attempt + 1 < BUSY_ATTEMPTS:
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise self._failure(what, exc) from exc
            try:
                result = fn()
                self._execute("COMMIT", ())
            except XinfangError:
                self._rollback()
                raise
            except UnicodeError as exc:  # text the driver cannot encode (a lone surrogate)
                self._rollback()
                raise _unicode_failure(self.url, what, exc) from exc
            except errors as exc:
                self._rollback()
                if self._is_unique(exc):
                    if on_conflict is None:
                        raise self._failure(what, exc) from exc
                    return on_conflict(exc)
                if self._is_busy(exc) and attempt + 1 < BUSY_ATTEMPTS:
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise self._failure(what, exc) from exc
            except BaseException:
                self._rollback()
                raise
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def _failure(self, what: str, exc: BaseException) -> StoreError:
        busy = " (the database stayed busy)" if self._is_busy(exc) else ""
        return StoreError(f"{self.url}: {what} failed{busy}: {exc}", rule="database")

    def _rollback(self) -> None:
        try:
            self._execute("ROLLBACK", ())
        except self._driver_errors():  # pragma: no cover - the connection is gone
            pass

    # -- the schema
    def schema_version(self) -> int:
        """The schema version stored in the database (0: empty)."""
        if not self._has_meta():
            return 0
        row = self.one("SELECT value FROM xf_meta WHERE key = 'schema_version'")
        return int(row[0]) if row else 0

    def _has_meta(self) -> bool:
        raise NotImplementedError

    def migrate(
        self, target: int = SCHEMA_VERSION, *, then: Callable[[int], None] | None = None
    ) -> int:
        """Bring the schema forward to ``target``; the version reached.

        ``then(found)``, if given, runs in the same transaction after the
        steps, with the version the database was at: the store projects a
        journal from before the projections there, so the schema bump and the
        projection commit together (a crash between them leaves neither).
        """
        steps = MIGRATIONS[self.dialect]
        if target > len(steps):
            raise StoreError(f"{self.url}: no schema version {target}", rule="schema")

        def run() -> int:
            self._migration_lock()
            current = self.schema_version()
            if current > len(steps):
                raise StoreError(
                    f"{self.url}: the database is at schema version {current}, newer than "
                    f"this xinfang knows ({len(steps)}); upgrade xinfang",
                    rule="schema",
                )
            for version in range(current + 1, target + 1):
                for statement in steps[version - 1]:
                    self._execute(statement, ())
                self._execute(
                    "INSERT INTO xf_meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(version),),
                )
            if then is not None:
                then(current)
            return max(current, target)

        return self.write("migrating the schema", run)

    def _migration_lock(self) -> None:
        """Serialise migrations (SQLite: the write lock already does)."""

    def schema(self) -> list[str]:
        """A normalised description of the schema (tables, columns, indexes, triggers)."""
        raise NotImplementedError


class SqliteDatabase(Database):
    """SQLite through the standard library: WAL, foreign keys, busy timeout."""

    dialect = "sqlite"

    def __init__(self, url: str, path: str, options: dict[str, str]) -> None:
        super().__init__(url)
        timeout = _busy_timeout(self.url, options.get("busy_timeout", "5"))
        synchronous = options.get("synchronous", "full").upper()
        if synchronous not in _SYNCHRONOUS:
            raise StoreError(
                f"{self.url}: synchronous={options['synchronous']!r} is not a mode "
                "(off, normal, full or extra)",
                path="synchronous",
                rule="store URL",
            )
        try:
            self.conn = sqlite3.connect(
                path, timeout=timeout, isolation_level=None, check_same_thread=True
            )
            #: The connection's ``synchronous`` level while a non-durable write relaxes it.
            self._relaxed: int | None = None
            self._wal = path != ":memory:"
            if self._wal:
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute(f"PRAGMA synchronous = {synchronous}")
            self.conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.url}: cannot open: {exc}", rule="database") from exc

    def _execute(self, sql: str, params: Sequence[Any]) -> Any:
        return self.conn.execute(sql, params)

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def _begin(self, durable: bool) -> None:
        if not durable and self._relaxed is None:
            mode = int(self.conn.execute("PRAGMA synchronous").fetchone()[0])
            if mode > _NORMAL and self._wal:  # FULL or EXTRA: NORMAL for this transaction
                self.conn.execute("PRAGMA synchronous = NORMAL")
                self._relaxed = mode
        self.conn.execute("BEGIN IMMEDIATE")

    def _end(self, durable: bool) -> None:
        if self._relaxed is not None:
            with contextlib.suppress(sqlite3.Error):  # the connection is gone
                self.conn.execute(f"PRAGMA synchronous = {self._relaxed:d}")
            self._relaxed = None

    def _is_busy(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and (
            "locked" in str(exc) or "busy" in str(exc)
        )

    def _is_unique(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.IntegrityError) and (
            "UNIQUE" in str(exc) or "next number" in str(exc)
        )

    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.Error,)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def param_date(self, value: _dt.date) -> Any:
        """A date as ``YYYY-MM-DD``."""
        return value.isoformat()

    def param_instant(self, value: _dt.datetime) -> Any:
        """An instant as ISO 8601 with its offset."""
        return value.isoformat()

    def payload(self, value: Any) -> Any:
        """The payload text parsed."""
        return json.loads(value)

    def param_instant_text(self, text: str) -> Any:
        """What :meth:`param_instant` writes of the value: from 1992 on, the text itself."""
        if text < _UTC8_YEAR:  # Asia/Shanghai was not always +08:00 then
            return super().param_instant_text(text)
        if len(text) == 32 and text.endswith(".000000+08:00", 19):
            return text[:19] + text[26:]  # isoformat() drops a zero fraction
        return text

    def _has_meta(self) -> bool:
        row = self.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'xf_meta'")
        return row is not None

    def schema(self) -> list[str]:
        """``sqlite_master`` rows, whitespace normalised."""
        rows = self.run(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        )
        return [f"{t} {n} {tb} {' '.join((s or '').split())}" for t, n, tb, s in rows]


class PostgresDatabase(Database):
    """PostgreSQL through psycopg 3 (autocommit; explicit transactions)."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise StoreError(
                f"{self.url}: PostgreSQL needs psycopg 3: pip install 'xinfang[postgres]'",
                rule="optional dependency",
            ) from exc
        self._psycopg = psycopg
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(f"{self.url}: cannot connect: {exc}", rule="database") from exc
        self._cache: dict[str, str] = {}
        #: :meth:`append` through ``COPY`` (``False``: ``INSERT`` statements, as before).
        self.copy_rows = True

    def param_instant_text(self, text: str) -> Any:
        """The text itself: the server reads ISO 8601 with its offset as the same instant."""
        return text

    def where_in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column IN (SELECT unnest(?::text[]))``: the values as one array parameter.

        A semi-join on the array's elements probes the column's index whatever
        the statistics. ``column = ANY(?)``, like ``IN (?, ...)``, compares every
        row with every value once psycopg prepares the statement (a generic plan,
        from the fifth call): measured, 3-27 ms of server CPU a batch, growing
        with the table, in an import into a new store (0.15 of its 0.55 s).
        """
        return f"{column} IN (SELECT unnest(?::text[]))", [list(values)]

    def _sql(self, sql: str) -> str:
        found = self._cache.get(sql)
        if found is None:
            found = self._cache[sql] = _QMARK.sub("%s", sql.replace("%", "%%"))
        return found

    def _execute(self, sql: str, params: Sequence[Any]) -> Any:
        if not params:
            return self.conn.execute(sql.encode())  # no placeholders: sent as is
        return self.conn.execute(self._sql(sql).encode(), params)

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self._sql(sql).encode(), rows)

    def append(self, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        """``rows`` streamed into ``table`` by ``COPY ... FROM STDIN`` (text format).

        The server runs the same row triggers, constraints and indexes as for
        ``INSERT``; a duplicate key is the same unique violation. With
        ``copy_rows`` off (a bench's or a test's comparison), ``INSERT`` as before.
        """
        if not rows:
            return
        if not self.copy_rows:
            super().append(table, columns, rows)
            return
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY {table} ({columns}) FROM STDIN".encode()) as copy,
        ):
            write = copy.write_row
            for row in rows:
                write(row)

    def _begin(self, durable: bool) -> None:
        self.conn.execute(b"BEGIN" if durable else b"BEGIN; SET LOCAL synchronous_commit = off")

    def _is_busy(self, exc: BaseException) -> bool:
        errors = self._psycopg.errors
        return isinstance(exc, errors.SerializationFailure | errors.DeadlockDetected)

    def _is_unique(self, exc: BaseException) -> bool:
        return isinstance(exc, self._psycopg.errors.UniqueViolation)

    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        return (self._psycopg.Error,)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def lock_case(self, case_id: str) -> Row | None:
        """The case row's version, locked (``FOR UPDATE``) until the transaction ends."""
        return self.one("SELECT version FROM xf_case WHERE case_id = ? FOR UPDATE", (case_id,))

    def lock_cases(self, case_ids: Sequence[str]) -> None:
        """Lock the case rows (``FOR UPDATE``), in case id order: writers never deadlock."""
        if case_ids:
            marks = ",".join("?" * len(case_ids))
            self.run(
                f"SELECT case_id FROM xf_case WHERE case_id IN ({marks}) "  # noqa: S608
                "ORDER BY case_id FOR UPDATE",
                case_ids,
            )

    def _migration_lock(self) -> None:
        self._execute("SELECT pg_advisory_xact_lock(?)", (0x78696E66,))

    def journal_powers(self) -> list[str]:
        """Superuser, owning the journal (and so its triggers), or UPDATE/DELETE/TRUNCATE on it."""
        row = self.one(
            "SELECT r.rolsuper, pg_has_role(current_user, c.relowner, 'USAGE'), "
            "has_table_privilege(c.oid, 'UPDATE'), has_table_privilege(c.oid, 'DELETE'), "
            "has_table_privilege(c.oid, 'TRUNCATE'), current_user "
            "FROM pg_roles r, pg_class c WHERE r.rolname = current_user "
            "AND c.oid = to_regclass('xf_journal')"
        )
        if row is None:
            return []
        found = []
        if row[0]:
            found.append(f"role {row[5]} is a superuser (bypasses every privilege and trigger)")
        if row[1]:
            found.append(f"role {row[5]} owns xf_journal (may disable or drop its triggers)")
        found += [
            f"role {row[5]} may {what} xf_journal"
            for what, can in zip(("UPDATE", "DELETE", "TRUNCATE"), row[2:5], strict=True)
            if can
        ]
        return found

    def grant_sql(self, role: str) -> list[str]:
        """The statements making ``role`` an application role here (:func:`grant_statements`)."""
        row = self.one("SELECT current_schema()")
        return grant_statements(role, str(row[0]) if row and row[0] else "public")

    def _has_meta(self) -> bool:
        row = self.one("SELECT to_regclass('xf_meta') IS NOT NULL")
        return bool(row and row[0])

    def schema(self) -> list[str]:
        """Columns, indexes, triggers and functions of the current schema."""
        queries = (
            (
                "SELECT table_name, column_name, data_type, is_nullable, "
                "coalesce(column_default, '') FROM information_schema.columns "
                "WHERE table_schema = current_schema() ORDER BY table_name, column_name"
            ),
            (
                "SELECT tablename, indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() ORDER BY indexname"
            ),
            (
                "SELECT tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace "
                "ORDER BY tgname"
            ),
            (
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace ORDER BY conname"
            ),
        )
        out = [" ".join(map(str, r)) for query in queries for r in self.run(query)]
        row = self.one("SELECT current_schema()")
        name = f"{row[0]}." if row else ""
        return [line.replace(name, "") for line in out] if name else out


_QMARK: Final = re.compile(r"\?")
#: SQLite's ``synchronous`` level NORMAL (OFF 0, NORMAL 1, FULL 2, EXTRA 3).
_NORMAL: Final = 1
#: SQLite's ``synchronous`` modes a URL may name (``?synchronous=normal``).
_SYNCHRONOUS: Final = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})
#: The longest ``busy_timeout`` a URL may ask for: a day.
_MAX_BUSY_TIMEOUT: Final = 86400.0


def _busy_timeout(url: str, text: str) -> float:
    """A URL's ``busy_timeout`` (seconds, 0 or more), or a :class:`StoreError` naming it."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 <= seconds <= _MAX_BUSY_TIMEOUT):
        raise StoreError(
            f"{url}: busy_timeout={text!r} is not a number of seconds from 0 to "
            f"{_MAX_BUSY_TIMEOUT:g} (e.g. busy_timeout=5 or busy_timeout=0.5)",
            path="busy_timeout",
            rule="store URL",
        )
    return seconds


def _unicode_failure(url: str, what: str, exc: UnicodeError) -> StoreError:
    """A :class:`StoreError` for text the driver could not encode (a lone surrogate)."""
    return StoreError(
        f"{url}: {what} failed: the text cannot be encoded for the database: {exc}",
        rule="storable text (valid Unicode, no lone surrogates)",
    )


#: Instants' text from this year on is at +08:00, Asia/Shanghai's own offset.
_UTC8_YEAR: Final = f"{UTC8_SINCE:04d}"


#: The URL option that lets the store run under a role that can rewrite the journal.
ALLOW_PRIVILEGED: Final = "allow_privileged_role"
#: A role name ``app_role_sql`` accepts: a plain lower-case SQL identifier.
_ROLE: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_statements(role: str, schema: str = "public") -> list[str]:
    """The SQL that makes ``role`` the application's role in ``schema``: read and append only.

    Creates the role (``LOGIN``, no password: set one, or use the server's
    peer or certificate authentication) unless it exists, and grants exactly
    what the store's commands, imports and rebuilds need: ``SELECT``,
    ``INSERT`` on the journal and the idempotency keys; ``SELECT``,
    ``INSERT``, ``UPDATE`` on the case rows (an upsert; ``FOR UPDATE``
    locks); ``SELECT``, ``INSERT``, ``DELETE`` on the clock rows (rewritten
    per case); ``SELECT``, ``INSERT``, ``UPDATE`` on the milestones rows (an
    upsert); ``SELECT`` on ``xf_meta``. ``UPDATE``, ``DELETE`` and
    ``TRUNCATE`` on the journal are revoked.
    """
    if not isinstance(role, str) or not _ROLE.fullmatch(role):
        raise StoreError(
            f"not a role name: {quoted(role)} (lower-case letters, digits and _, "
            "at most 63, not starting with a digit)",
            path="app_role",
            rule="PostgreSQL identifiers",
        )
    r, s = _quote_ident(role), _quote_ident(schema)
    return [
        (
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {r} LOGIN; END IF; END $$"
        ),
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT ON {s}.xf_meta TO {r}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {s}.xf_journal FROM {r}",
        f"GRANT SELECT, INSERT ON {s}.xf_journal TO {r}",
        f"GRANT SELECT, INSERT ON {s}.xf_idempotency TO {r}",
        f"GRANT SELECT, INSERT, UPDATE ON {s}.xf_case TO {r}",
        f"GRANT SELECT, INSERT, DELETE ON {s}.xf_clock TO {r}",
        f"GRANT SELECT, INSERT, UPDATE ON {s}.xf_milestones TO {r}",
    ]


def connect(url: str) -> Database:
    """A :class:`Database` for ``sqlite:///path`` or ``postgresql://...``.

    ``?allow_privileged_role=true`` is the store's own option (taken out of
    the URL before the driver sees it): see :func:`~xinfang.store.open_store`.
    """
    url, allow = _take_option(url, ALLOW_PRIVILEGED)
    db = _connect(url)
    db.allow_privileged_role = allow
    return db


def _take_option(url: str, name: str) -> tuple[str, bool]:
    """``url`` without the query option ``name``, and whether it was set to true."""
    parts = urllib.parse.urlsplit(url)
    if name not in parts.query:
        return url, False
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    values = [v for k, v in pairs if k == name]
    if not values:
        return url, False
    value = values[-1].lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise StoreError(
            f"{safe_url(url)}: {name}={quoted(values[-1])} is not true or false",
            path=name,
            rule="store URL",
        )
    rest = urllib.parse.urlencode([(k, v) for k, v in pairs if k != name])
    return urllib.parse.urlunsplit(parts._replace(query=rest)), value in ("true", "1", "yes")


def _connect(url: str) -> Database:
    if url.startswith("sqlite:"):
        parts = urllib.parse.urlsplit(url)
        if not url.startswith("sqlite:///") and url != "sqlite://":
            raise StoreError(
                f"{url}: a SQLite URL reads sqlite:///relative/path or sqlite:////absolute/path",
                rule="store URL",
            )
        path = parts.path.removeprefix("/")
        path = urllib.parse.unquote(path) or ":memory:"
        options = dict(urllib.parse.parse_qsl(parts.query))
        return SqliteDatabase(url, path, options)
    if url.startswith(("postgresql:", "postgres:")):
        return PostgresDatabase(url)
    raise StoreError(
        f"{safe_url(url)}: unknown store URL (sqlite:///path or postgresql://...)",
        rule="store URL",
    )
