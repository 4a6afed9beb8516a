"""Where a sweep reads the few cases it needs as values when no Parquet journal holds them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Protocol

from xinfang.case import Case
from xinfang.errors import InvalidDataError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from xinfang.campaign import Campaign

__all__ = ["VIEW_ROWS", "CaseSource", "case_source", "cases_from", "scoped_campaign"]

#: The schema metadata of milestones read through a view (``milestones_from_store``).
VIEW_ROWS: Final = {b"xinfang.scope": b"view"}


class CaseSource(Protocol):
    """Whole cases by id: where a sweep reads the rare case it needs as a value.

    ``cases(ids)`` gives the cases ``ids`` in the order asked. A store's view
    (:class:`xinfang.store.ViewerStore`, the cases its viewer sees in full) is
    one; a plain :class:`xinfang.Store` reads every case only when told
    ``unscoped=True``, which :func:`~xinfang.columnar.sweep_store` passes on.
    """

    def cases(self, case_ids: Sequence[str]) -> list[Case]:
        """The cases ``case_ids``, whole, in the order asked."""
        ...


def case_source(value: object, what: str) -> CaseSource:
    """``value`` if it has a ``cases`` method (else an error naming ``journal``)."""
    if not callable(getattr(value, "cases", None)):
        got = type(value).__name__
        raise InvalidDataError(
            [("journal", f"expected a Parquet journal's path or a case source, got {got}")],
            source=what,
        )
    return value  # type: ignore[return-value]


def cases_from(source: CaseSource, ids: Sequence[str], what: str) -> dict[str, Case]:
    """The cases ``ids`` of ``source`` by id; a source that gives other cases is refused."""
    found: Any = source.cases(list(ids))
    if not isinstance(found, list) or len(found) != len(ids):
        raise InvalidDataError(
            [("journal", f"the case source gave no list of {len(ids)} cases")], source=what
        )
    for k, (cid, case) in enumerate(zip(ids, found, strict=True)):
        if not isinstance(case, Case) or case.id != cid:
            got = case.id if isinstance(case, Case) else type(case).__name__
            raise InvalidDataError(
                [(f"journal[{k}]", f"asked for case {cid[:40]}, got {str(got)[:40]}")],
                source=what,
            )
    return dict(zip(ids, found, strict=True))


def scoped_campaign(
    campaign: Campaign | None, journal: object, rows_metadata: Any, what: str
) -> Campaign | None:
    """The campaign a sweep counts against: a view's as its viewer sees it (Art. 30 ¶3).

    A source with ``campaign_in_view`` (a store or its view) gives the campaign
    its scope sees: a target hidden from the viewer is left out, so no count
    or "not in the ledger" line names it. Rows read through a view
    (:data:`VIEW_ROWS`) swept with a campaign and no such source are refused:
    their counts, finished with the whole campaign, would name the hidden target.
    """
    if campaign is None:
        return None
    in_view = getattr(journal, "campaign_in_view", None)
    if callable(in_view):
        scoped: Campaign = in_view(campaign)
        return scoped
    if (rows_metadata or {}).get(b"xinfang.scope") == VIEW_ROWS[b"xinfang.scope"]:
        why = (
            "these milestones were read through a view: pass journal=the view "
            "(its campaign_in_view applies) or use sweep_store"
        )
        raise InvalidDataError([("journal", why)], source=what)
    return campaign
