"""Opening a store: open (creating or migrating it), initialise, grant an application role."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from xinfang.errors import InvalidDataError
from xinfang.store._db import ALLOW_PRIVILEGED, Database, connect
from xinfang.store._errors import StoreError
from xinfang.store._journal import database_of
from xinfang.store._projections import after_migration
from xinfang.store._schema import SCHEMA_VERSION
from xinfang.store._store import DEFAULT_URL, Store

if TYPE_CHECKING:  # pragma: no cover
    from xinfang.calendar import WorkCalendar
    from xinfang.rulebook import Rulebook

__all__ = ["app_role_sql", "init_store", "open_store"]


def open_store(
    url: str = DEFAULT_URL,
    *,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    migrate: bool = True,
    allow_privileged_role: bool = False,
) -> Store:
    """Open (and, by default, create or migrate) the store at ``url``: the unscoped store.

    ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (options:
    ``?synchronous=normal``, ``?busy_timeout=seconds``) or
    ``postgresql://user@host/db`` (needs ``xinfang[postgres]``). With
    ``migrate=False`` a database not at the current schema version is refused.

    On PostgreSQL the store refuses (:class:`StoreError`) to run under a role
    that could rewrite the journal, its triggers notwithstanding: a
    superuser, the journal's owner (who may drop the triggers), or a role
    with ``UPDATE``, ``DELETE`` or ``TRUNCATE`` on it. Run the application
    as the role :func:`init_store` (``app_role=``) sets up; or say
    ``allow_privileged_role=True`` (or ``?allow_privileged_role=true`` in
    the URL) to run anyway. SQLite has no roles (see ``docs/store.md``).

    Hand what an official asks for through :meth:`Store.for_viewer`.
    """
    if not isinstance(url, str):
        raise InvalidDataError(
            [("url", f"expected a store URL, got {type(url).__name__}")], source="open_store"
        )
    db = connect(url)
    try:
        store = Store(db, rulebook=rulebook, calendar=calendar)
        # A journal from before the projections is projected in the migration's
        # own transaction: the schema bump and the projections commit together.
        version = (
            db.migrate(then=functools.partial(after_migration, db, store.rulebook, store.calendar))
            if migrate
            else db.schema_version()
        )
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"{db.url}: schema version {version}, this xinfang needs {SCHEMA_VERSION} "
                "(open with migrate=True, or run `xinfang db init`)",
                rule="schema",
            )
        powers = db.journal_powers()
        if powers and not (allow_privileged_role or db.allow_privileged_role):
            raise StoreError(
                f"{db.url}: refusing to run under a role that can rewrite the journal: "
                f"{'; '.join(powers)}. Connect as an application role (`xinfang db init "
                "--app-role NAME` grants one only SELECT and INSERT on the journal), or "
                f"allow it: open_store(..., allow_privileged_role=True) or "
                f"?{ALLOW_PRIVILEGED}=true in the URL",
                path="url",
                rule="the journal is append-only (docs/store.md: roles)",
            )
    except BaseException:
        db.close()
        raise
    return store


def init_store(
    url: str = DEFAULT_URL,
    *,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    app_role: str | None = None,
) -> int:
    """Create the schema at ``url`` or bring it forward; the schema version reached.

    Run it as the schema's owner (it is not refused for being privileged).
    A journal from before the projections is projected (under ``rulebook``
    and ``calendar``: by default the bundled rulebook and the mainland
    calendar) in the migration's transaction. On PostgreSQL, ``app_role``
    names a role to create (if missing) and grant exactly what the
    application needs: ``SELECT`` and ``INSERT`` on the journal, and the
    projections' rights (:func:`app_role_sql` gives the statements).
    """
    db = connect(url)
    try:
        store = Store(db, rulebook=rulebook, calendar=calendar)
        version = db.migrate(
            then=functools.partial(after_migration, db, store.rulebook, store.calendar)
        )
        if app_role is not None:
            statements = _grants(db, app_role)

            def grant() -> None:
                for sql in statements:
                    db.statement(sql)

            db.write(f"granting role {app_role}", grant)
        return version
    finally:
        db.close()


def app_role_sql(store: Store | str, role: str) -> list[str]:
    """The SQL statements that make ``role`` the application's role of a PostgreSQL store.

    ``store`` is an open store, or a URL (its schema, ``search_path``'s
    first, is read). What they grant is described in ``docs/store.md``
    (roles); a DBA may run them by hand instead of :func:`init_store`.
    """
    if isinstance(store, Store):
        return _grants(database_of(store), role)
    db = connect(store)
    try:
        return _grants(db, role)
    finally:
        db.close()


def _grants(db: Database, role: str) -> list[str]:
    """:func:`app_role_sql` on an open connection."""
    if db.dialect != "postgresql":
        raise StoreError(
            f"{db.url}: SQLite has no roles; whoever can write the file can change it "
            "(see docs/store.md)",
            path="app_role",
            rule="roles are PostgreSQL's",
        )
    return db.grant_sql(role)
