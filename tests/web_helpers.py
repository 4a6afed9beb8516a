"""Shared builders for the web service's tests (not part of the library)."""

from __future__ import annotations

import functools
import warnings
from typing import TYPE_CHECKING, Final

import attrs

from xinfang.case import Case, replay
from xinfang.changes import Register
from xinfang.demo import DemoWorld, demo_world
from xinfang.personal import Petitioner, id_check_digit
from xinfang.serialization import dump_ledger
from xinfang.store import Store, open_store
from xinfang.vocabulary import Category

with warnings.catch_warnings():  # starlette 1.x prefers httpx2 for its test client
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

__all__ = [
    "PHONE",
    "RESIDENT_ID",
    "SCRIPT_NAME",
    "TestClient",
    "accusations",
    "as_of",
    "small_world",
    "stored",
]

#: A petitioner's name that must render as text, never as markup.
SCRIPT_NAME: Final = "<script>alert(1)</script>"
_ID17: Final = "11010519491231002"
RESIDENT_ID: Final = _ID17 + id_check_digit(_ID17)
PHONE: Final = "13800138000"


def _with_petitioner(case: Case, new_id: str) -> Case:
    """The same history under ``new_id``, its petitioner named :data:`SCRIPT_NAME`."""
    first = case.events[0]
    assert isinstance(first.change, Register)
    who = Petitioner(name=SCRIPT_NAME, id_number=RESIDENT_ID, phone=PHONE, address="某市某路1号")
    reg = attrs.evolve(first.change, case_id=new_id, petitioners=(who,))
    return replay((attrs.evolve(first, change=reg), *case.events[1:]))


@functools.cache
def small_world() -> DemoWorld:
    """A smaller demo corps (quick tests) plus one case whose petitioner is named ``<script>``."""
    w = demo_world(backlog=48, intake=24)
    extra = _with_petitioner(w.cases[1], "XF-S0001")
    return attrs.evolve(w, cases=(*w.cases, extra))


def accusations(w: DemoWorld, unit: str = "D8") -> list[str]:
    """The ids of the accusations naming ``unit`` as accused."""
    return [c.id for c in w.cases if c.category is Category.ACCUSATION and unit in c.accused_units]


def stored(url: str, w: DemoWorld) -> Callable[[], Store]:
    """Import ``w`` into the store at ``url``; a function that opens it again (for the app)."""
    with open_store(url, calendar=w.calendar) as s:
        s.import_ledger(dump_ledger(w.cases, reveal_personal_data=True))

    def opener() -> Store:
        return open_store(url, calendar=w.calendar)

    return opener


def as_of(w: DemoWorld) -> Callable[[], dt.date]:
    """The world's day, as the app's default."""
    return lambda: w.as_of
