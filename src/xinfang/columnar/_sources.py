"""Where a sweep reads the few cases it needs as values when no Parquet journal holds them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from xinfang.case import Case
from xinfang.errors import InvalidDataError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

__all__ = ["CaseSource", "case_source", "cases_from"]


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
