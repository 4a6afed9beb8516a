"""The journal store: cases kept as their events in SQLite (default) or PostgreSQL.

An edge above the procedure and the campaign: the pure core never imports
it. ``open_store(url)`` gives a :class:`Store`; see ``docs/store.md``.
"""

from __future__ import annotations

from xinfang.store._errors import ConcurrencyError, StoreError, UnknownCaseError
from xinfang.store._schema import SCHEMA_VERSION
from xinfang.store._store import (
    DEFAULT_URL,
    CheckReport,
    ImportResult,
    Store,
    init_store,
    open_store,
    retry,
)

__all__ = [
    "DEFAULT_URL",
    "SCHEMA_VERSION",
    "CheckReport",
    "ConcurrencyError",
    "ImportResult",
    "Store",
    "StoreError",
    "UnknownCaseError",
    "init_store",
    "open_store",
    "retry",
]
