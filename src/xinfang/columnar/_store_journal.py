"""A store's journal read page by page into journal tables."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

import pyarrow as pa

from xinfang.case import Case
from xinfang.columnar._cases import journal_from_cases
from xinfang.columnar._reader import parse_ledger
from xinfang.convert import SCHEMA_VERSION, structure

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterator

__all__ = ["StoredJournal", "journal_from_store"]


class StoredJournal(Protocol):
    """A store's journal, page by page: what :func:`journal_from_store` reads.

    :class:`xinfang.Store` is one (its public :meth:`~xinfang.Store.journal_pages`).
    The columnar engine sits below the store in the layers (the store imports
    it for bulk work), so it names the store's shape, not its class.
    """

    def journal_pages(self, batch: int = ...) -> Iterator[list[tuple[str, list[Any]]]]:
        """Pages of ``(case id, event payloads)`` in case id order."""
        ...


def journal_from_store(store: StoredJournal, *, batch: int = 5_000) -> Iterator[pa.Table]:
    """The journal of every case in ``store``, in case id order, ``batch`` cases a table.

    Each page of the store's journal is written as case documents and read by
    :func:`parse_ledger`; a case it cannot certify is structured by the value
    path (:func:`xinfang.convert.structure`) and its rows built from the value.
    Personal data comes as stored (whole): mask before sharing.
    """
    for page in store.journal_pages(batch):
        lines = [
            json.dumps(
                {"schema_version": SCHEMA_VERSION, "id": cid, "events": payloads},
                ensure_ascii=False,
                separators=(",", ":"),
            )
            for cid, payloads in page
        ]
        parsed = parse_ledger(("\n".join(lines) + "\n").encode())
        if not parsed.suspicious.any():
            yield parsed.journal
            continue
        pieces = []
        offsets = parsed.offsets
        for k, (cid, payloads) in enumerate(page):
            if parsed.suspicious[k]:
                doc = {"schema_version": SCHEMA_VERSION, "events": payloads}
                case = structure(doc, Case, source=f"journal of case {cid}")
                pieces.append(journal_from_cases([case]))
            else:
                pieces.append(
                    parsed.journal.slice(int(offsets[k]), int(offsets[k + 1] - offsets[k]))
                )
        yield pa.concat_tables(pieces).combine_chunks()
