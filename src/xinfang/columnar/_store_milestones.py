"""A store's milestones projection read page by page into companion tables, never refolded.

The store keeps each case's fold in ``xf_milestones`` (schema version 4,
:mod:`xinfang.store`), written with every command and import; a nightly
sweep over a store reads those rows (:func:`milestones_from_store`) and
sweeps them (:func:`~xinfang.columnar.sweep_milestones`) instead of reading
every event again (:func:`~xinfang.columnar.journal_from_store`);
:func:`sweep_store` does both, and reads from the store itself the few cases
the sweep needs as values, under the same scope as the milestones.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Final, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from xinfang.columnar._companion import COMPANION_SCHEMA
from xinfang.columnar._datasets import sweep_day
from xinfang.columnar._milestones import ENUM_COLUMNS
from xinfang.columnar._sources import VIEW_ROWS
from xinfang.errors import InvalidDataError

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    from collections.abc import Iterator, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign
    from xinfang.case import Case
    from xinfang.columnar._sweeps import Sweep
    from xinfang.responsibility import Organization
    from xinfang.rulebook import Rulebook

__all__ = [
    "StoredCases",
    "StoredMilestones",
    "companion_rows",
    "milestones_from_store",
    "sweep_store",
]


class StoredMilestones(Protocol):
    """A store's milestones projection, page by page: what :func:`milestones_from_store` reads.

    :class:`xinfang.Store` (unscoped, when told ``unscoped=True``) and
    :class:`xinfang.store.ViewerStore` (the cases its viewer sees in full) are ones.
    """

    def milestone_pages(
        self, batch: int = ..., *, unscoped: bool = ...
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Pages of ``xf_milestones`` rows in case id order."""
        ...


class StoredCases(StoredMilestones, Protocol):
    """A store's milestones and its cases, under one scope: what :func:`sweep_store` reads.

    :class:`xinfang.Store` (told ``unscoped=True``) and :class:`xinfang.store.ViewerStore`
    are ones.
    """

    @property
    def rulebook(self) -> Rulebook:
        """The rulebook the store's projections are computed under."""
        ...

    @property
    def calendar(self) -> WorkCalendar:
        """The calendar the store's projections are computed under."""
        ...

    def cases(self, case_ids: Sequence[str], *, unscoped: bool = ...) -> list[Case]:
        """The cases ``case_ids`` whole, in the order asked, under the store's scope."""
        ...

    def campaign_in_view(self, campaign: Campaign) -> Campaign:
        """The campaign as the store's scope sees it (a view: no hidden target)."""
        ...


_DICTIONARIES: Final = {
    name: pa.array([m.value for m in cls], pa.string()) for name, cls in ENUM_COLUMNS
}
_DAY_LISTS: Final = pa.list_(pa.int32())
#: The list columns as the JSON reader reads them (days as integers), and a row's line.
_LISTS: Final = pa.schema(
    [
        pa.field(f.name, _DAY_LISTS if pa.types.is_date32(f.type.value_type) else f.type)
        for f in COMPANION_SCHEMA
        if pa.types.is_list(f.type)
    ]
)
_LIST_AT: Final = tuple(COMPANION_SCHEMA.names.index(name) for name in _LISTS.names)
_LINE: Final = "{" + ",".join(f'"{name}":%s' for name in _LISTS.names) + "}"
_READ: Final = pajson.ReadOptions(use_threads=False, block_size=1 << 30)


def milestones_from_store(
    store: StoredMilestones, *, batch: int = 5_000, unscoped: bool = False
) -> Iterator[pa.Table]:
    """The milestones companion rows of a store, ``batch`` cases a table, in case id order.

    Read from the store's milestones projection (``xf_milestones``, one row per
    case, written with every command and import), never refolded: each table
    is in :data:`COMPANION_SCHEMA`, as :func:`read_milestones` gives a Parquet
    journal's companion, so :func:`sweep_milestones` sweeps it unchanged (a
    case it needs as a value is then read from ``journal=``: a Parquet
    journal, or the same view; :func:`sweep_store` does it all in one call).

    Scoped like every other read of a view: ``store.for_viewer(official, org)``
    gives the rows of the cases the viewer sees in full (a redacted or hidden
    case is left out, as from its due list and snapshot). A plain
    :class:`~xinfang.Store` reads every case, accusations too, only when told
    ``unscoped=True`` (back-office work that shows no case); otherwise it
    refuses. The rows hold no petitioner's personal data (no name, id number,
    phone or address: the companion's ``reveal`` setting has nothing to mask
    here); ``officials`` names the officials the case's role assignments name.
    """
    pages = (
        store.milestone_pages(batch, unscoped=True) if unscoped else store.milestone_pages(batch)
    )
    for page in pages:
        table = companion_rows(page)
        # A view's rows say so: a sweep of them with a campaign needs the view's campaign.
        yield table if unscoped else table.replace_schema_metadata(VIEW_ROWS)


def sweep_store(
    store: StoredCases,
    as_of: _dt.date,
    rulebook: Rulebook | None = None,
    calendar: WorkCalendar | None = None,
    *,
    campaign: Campaign | None = None,
    org: Organization | None = None,
    unscoped: bool = False,
    batch: int = 5_000,
) -> Sweep:
    """The clocks (and campaign counts) of a store's cases as of a day, from its milestones.

    :func:`milestones_from_store` read whole, swept by :func:`sweep_day`
    (any day: a case with events after ``as_of`` is swept from its events as
    of the day), the rare case needed as a value (a hearing before 1992, a
    clock the calendar cannot count, an official or responsible unit ``org``
    lacks) read from the store itself, through the same scope as the
    milestones: a view (``store.for_viewer(official, org)``) reads and sweeps
    only the cases its viewer sees in full; a plain :class:`~xinfang.Store`
    reads every case, accusations too, only when told ``unscoped=True``
    (back-office work that shows no case), else refuses before reading
    anything. Equal to :func:`journal_clocks` over the same cases' journal.
    ``rulebook`` and ``calendar``: the store's unless given.
    """
    rows = pa.concat_tables(
        [
            COMPANION_SCHEMA.empty_table(),
            *milestones_from_store(store, batch=batch, unscoped=unscoped),
        ]
    )
    return sweep_day(
        rows,
        _Scoped(store, unscoped),
        as_of,
        rulebook if rulebook is not None else store.rulebook,
        calendar if calendar is not None else store.calendar,
        # A view counts against the campaign as its viewer sees it (Art. 30 ¶3): its
        # counts can only be finished with that campaign (finish_snapshot checks).
        campaign=store.campaign_in_view(campaign) if campaign is not None else None,
        org=org,
    )


class _Scoped:
    """A store's cases under the scope its milestones were read with (a :class:`CaseSource`)."""

    def __init__(self, store: StoredCases, unscoped: bool) -> None:
        self._store = store
        self._unscoped = unscoped

    def cases(self, case_ids: Sequence[str]) -> list[Case]:
        if self._unscoped:
            return self._store.cases(case_ids, unscoped=True)
        return self._store.cases(case_ids)


def companion_rows(rows: list[tuple[Any, ...]]) -> pa.Table:
    """``xf_milestones`` rows as a :data:`COMPANION_SCHEMA` table."""
    if not rows:
        return COMPANION_SCHEMA.empty_table()
    columns = list(zip(*rows, strict=True))
    lists = _lists([columns[i] for i in _LIST_AT])
    arrays = []
    for field, values in zip(COMPANION_SCHEMA, columns, strict=True):
        kind = field.type
        if pa.types.is_date32(kind):
            arrays.append(pa.array(values, pa.int32()).cast(kind))
        elif pa.types.is_dictionary(kind):
            arrays.append(_codes(field.name, values))
        elif pa.types.is_list(kind):
            arrays.append(lists.column(field.name).combine_chunks().cast(kind))
        else:
            arrays.append(pa.array(values, kind))
    return pa.Table.from_arrays(arrays, schema=COMPANION_SCHEMA)


def _lists(columns: list[tuple[Any, ...]]) -> pa.Table:
    """The list columns' JSON texts parsed at once, in C (one JSON line a row)."""
    texts = ([v or "[]" for v in c] for c in columns)
    text = "\n".join(_LINE % row for row in zip(*texts, strict=True))
    try:
        return pajson.read_json(
            io.BytesIO(text.encode()),
            read_options=_READ,
            parse_options=pajson.ParseOptions(explicit_schema=_LISTS),
        )
    except pa.ArrowInvalid as exc:
        raise InvalidDataError(
            [
                (
                    "$",
                    f"a list column is not a JSON list: the store's milestones are damaged: {exc}"[
                        :300
                    ],
                )
            ],
            source="milestones_from_store",
        ) from None


def _codes(name: str, values: Any) -> pa.Array:
    """An enum column's text values as the companion's dictionary column."""
    dictionary = _DICTIONARIES[name]
    text = pa.array(values, pa.string())
    codes = pc.index_in(text, value_set=dictionary)
    if codes.null_count != text.null_count:
        bad = pc.filter(text, pc.and_(pc.is_null(codes), pc.is_valid(text)))[0].as_py()
        raise InvalidDataError(
            [(name, f"{bad[:40]!r} is not a {name} value: the store's milestones are damaged")],
            source="milestones_from_store",
        )
    return pa.DictionaryArray.from_arrays(codes.cast(pa.int8()), dictionary)
