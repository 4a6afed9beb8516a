"""The journal: what every job of the store reads and writes of it.

:class:`StoreBase` is what a store holds (its connection, and the rulebook
and calendar its projections are computed under); :func:`database_of` is how
a view reaches its store's connection. The functions read whole cases from
``xf_journal`` and make an event's journal row.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from xinfang.calendar import china_mainland
from xinfang.case import Case
from xinfang.changes import Event
from xinfang.convert import SCHEMA_VERSION as DOCUMENT_VERSION
from xinfang.convert import structure, unstructure
from xinfang.errors import InvalidDataError
from xinfang.rulebook import bundled_rulebook
from xinfang.serialization import LONE_SURROGATE_OR_NUL
from xinfang.store._errors import UnknownCaseError
from xinfang.store._storable import unstorable

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Iterator, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.rulebook import Rulebook
    from xinfang.store._db import Database

__all__ = [
    "BATCH",
    "INSERT_EVENT",
    "StoreBase",
    "case_of",
    "database_of",
    "dumps",
    "events",
    "journal_pages",
    "journal_row",
    "load",
    "payloads",
    "payloads_of",
    "related",
    "unknown",
]

#: Cases per transaction for bulk work (import, rebuild) and per page for reads.
BATCH: Final = 500

INSERT_EVENT: Final = (
    "INSERT INTO xf_journal (case_id, seq, at, actor, kind, payload) VALUES (?, ?, ?, ?, ?, ?)"
)

#: The payload encoder (an immutable configuration, made once).
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
#: An event document as its journal payload: compact JSON, non-ASCII kept.
dumps: Final = _ENCODER.encode


class StoreBase:
    """What a store holds: its connection, and the rulebook and calendar it projects under.

    :class:`~xinfang.store.Store` is one. A view (``ViewerStore``) reaches
    its store's connection through :func:`database_of`.
    """

    def __init__(
        self,
        db: Database,
        *,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
    ) -> None:
        self._db = db
        self.rulebook: Rulebook = rulebook if rulebook is not None else bundled_rulebook()
        self.calendar: WorkCalendar = calendar if calendar is not None else china_mainland()


def database_of(store: StoreBase) -> Database:
    """The connection ``store`` holds."""
    return store._db


def unknown(case_id: str) -> UnknownCaseError:
    """The one answer for a case that is not stored, or that the viewer may not see."""
    return UnknownCaseError(f"no case {case_id} in the store", path="case_id")


def case_of(payloads: list[Any], *, source: str = "journal") -> Case:
    """The case whose events are the journal ``payloads``."""
    case: Case = structure(
        {"schema_version": DOCUMENT_VERSION, "events": payloads}, Case, source=source
    )
    return case


def journal_row(db: Database, case_id: str, event: Event, *, check: bool = True) -> tuple[Any, ...]:
    """The journal row of ``event`` (:data:`INSERT_EVENT`'s parameters).

    With ``check`` (an import checks its ledger's text beforehand), text
    no database can store is an :class:`~xinfang.InvalidDataError` naming
    the field.
    """
    doc = unstructure(event, reveal_personal_data=True)
    payload = dumps(doc)
    if check and LONE_SURROGATE_OR_NUL.search(payload):  # rare: find the field (or a false alarm)
        problems = list(unstorable(doc, ""))
        if problems:
            raise InvalidDataError(problems, source=f"event {event.seq} of case {case_id}")
    return (case_id, event.seq, db.param_instant(event.at), event.by, event.kind, payload)


def payloads(db: Database, case_id: str) -> list[Any]:
    """The journal payloads of one case, in order (empty: not stored)."""
    rows = db.run("SELECT payload FROM xf_journal WHERE case_id = ? ORDER BY seq", (case_id,))
    return [db.payload(r[0]) for r in rows]


def payloads_of(db: Database, ids: Sequence[str]) -> dict[str, list[Any]]:
    """The journal payloads of cases ``ids`` (one query), by case id."""
    marks = ",".join("?" * len(ids))
    out: dict[str, list[Any]] = {}
    for cid, payload in db.run(
        f"SELECT case_id, payload FROM xf_journal WHERE case_id IN ({marks}) "  # noqa: S608
        "ORDER BY case_id, seq",
        list(ids),
    ):
        out.setdefault(str(cid), []).append(db.payload(payload))
    return out


def load(db: Database, case_id: str) -> Case:
    """The stored case (:class:`UnknownCaseError` if it is not stored)."""
    found = payloads(db, case_id)
    if not found:
        raise unknown(case_id)
    return case_of(found, source=f"journal of case {case_id}")


def events(db: Database, case_id: str) -> tuple[Event, ...]:
    """The stored case's events (empty: not stored)."""
    return tuple(structure(p, Event) for p in payloads(db, case_id))


def related(db: Database, ids: Iterable[str]) -> dict[str, Case]:
    """The stored cases among ``ids``, by id (the earlier cases of a repeat petition)."""
    out = {}
    for cid in ids:
        found = payloads(db, cid)
        if found:
            out[cid] = case_of(found)
    return out


def journal_pages(db: Database, batch: int = BATCH) -> Iterator[list[tuple[str, list[Any]]]]:
    """Whole cases from the journal, ``batch`` at a time, in case id order."""
    last = ""
    while True:
        rows = db.run(
            "SELECT case_id, payload FROM xf_journal WHERE case_id IN "
            "(SELECT DISTINCT case_id FROM xf_journal WHERE case_id > ? "
            "ORDER BY case_id LIMIT ?) ORDER BY case_id, seq",
            (last, batch),
        )
        if not rows:
            return
        page: list[tuple[str, list[Any]]] = []
        for cid, payload in rows:
            if not page or page[-1][0] != cid:
                page.append((cid, []))
            page[-1][1].append(db.payload(payload))
        yield page
        last = page[-1][0]
