"""The conformance suite's stores: one per backend, rulebook and import mode, per session.

SQLite always; PostgreSQL when ``XINFANG_TEST_PG_URL`` names a server (under
``CI=true`` a missing server fails instead of skipping, as the store tests do).
Each pinned case id is imported once per store, so the stores are shared by
every test of the session (a fresh store per test would cost more than the
suite's tests together).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import pytest

import xinfang as x
from store_helpers import pg_schema_url

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


@pytest.fixture(scope="session")
def conformance_store(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str, str, bool], x.Store]]:
    """``store(backend, rulebook id, columnar)``: the session's store for a path (made lazily)."""
    made: dict[tuple[str, str, bool], x.Store] = {}
    with contextlib.ExitStack() as stack:
        root: Path = tmp_path_factory.mktemp("conformance")

        def store(backend: str, rulebook: str, columnar: bool) -> x.Store:
            key = (backend, rulebook, columnar)
            if key not in made:
                name = f"{rulebook}-{'columns' if columnar else 'values'}"
                if backend == "sqlite":
                    url = f"sqlite:///{root / name}.db"
                else:
                    url = stack.enter_context(contextlib.contextmanager(pg_schema_url)())
                made[key] = stack.enter_context(
                    x.open_store(url, rulebook=x.bundled_rulebook(rulebook))
                )
            return made[key]

        yield store
