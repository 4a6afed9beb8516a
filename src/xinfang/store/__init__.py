"""The journal store: cases kept as their events in SQLite (default) or PostgreSQL.

An edge above the procedure and the campaign: the pure core never imports
it. ``open_store(url)`` gives a :class:`Store` (unscoped: trusted back-office
code); ``store.for_viewer(official, org)`` gives the :class:`ViewerStore`
through which whatever an official sees must pass. See ``docs/store.md``.
"""

from __future__ import annotations

from xinfang.store._errors import ConcurrencyError, StoreError, UnknownCaseError
from xinfang.store._open import app_role_sql, init_store, open_store
from xinfang.store._schema import SCHEMA_VERSION
from xinfang.store._store import (
    BACK_OFFICE,
    DEFAULT_URL,
    MAX_ID_LENGTH,
    CheckReport,
    ImportResult,
    Store,
    ViewerStore,
    retry,
)

__all__ = [
    "BACK_OFFICE",
    "DEFAULT_URL",
    "MAX_ID_LENGTH",
    "SCHEMA_VERSION",
    "CheckReport",
    "ConcurrencyError",
    "ImportResult",
    "Store",
    "StoreError",
    "UnknownCaseError",
    "ViewerStore",
    "app_role_sql",
    "init_store",
    "open_store",
    "retry",
]
