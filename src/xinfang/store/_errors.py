"""The store's errors, defined with the rest of the hierarchy in :mod:`xinfang.errors`."""

from __future__ import annotations

from xinfang.errors import ConcurrencyError, StoreError, UnknownCaseError

__all__ = ["ConcurrencyError", "StoreError", "UnknownCaseError"]
