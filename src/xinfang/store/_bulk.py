"""The store's bulk import through the columnar engine (needs ``xinfang[columnar]``).

:meth:`Store.import_ledger <xinfang.store.Store.import_ledger>` reads a ledger
here when pyarrow is installed. The ledger is parsed, checked and folded
column-wise, as :func:`xinfang.load_journal` does it (the same verdict, in
the same words, as :func:`xinfang.load_ledger`): a case the column checks
cannot certify is read by the value path. Each new case's rows come from
the columns:

- its journal rows from its line's event documents (parsed and written
  compactly again, by orjson where it is installed, as the value path
  writes them);
- its case row from the milestones and its registration;
- its open clocks from one run of the clock engine
  (:func:`xinfang.deadlines.clock_parts`), each case as of its last event,
  as the value path projects it;
- its milestones row from the milestones companion's rows
  (:func:`~xinfang.columnar.parts.companion_table`: the fold and what the
  sweep reads of the events), as :func:`xinfang.store._milestones.milestone_row`
  makes it of a value.

:meth:`Store.check` compares such rows with the value path's; the tests hold
both imports to the same database.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.case import case_flags
from xinfang.columnar import Journal
from xinfang.columnar.parts import (
    MilestoneColumns,
    case_offsets,
    companion_table,
    parse_ledger,
    spans_of,
    unknown_id_rows,
    validated,
)
from xinfang.deadlines import IS_OPEN, STATUSES, ClockStatus, clock_parts
from xinfang.errors import XinfangError
from xinfang.serialization import from_json
from xinfang.store._journal import StoreBase, database_of
from xinfang.store._journal import dumps as compact_dumps
from xinfang.store._milestones import (
    DAY_COLUMNS,
    LIST_COLUMNS,
    MILESTONE_COLUMNS,
    json_list,
)
from xinfang.store._projections import Incoming, incoming
from xinfang.vocabulary import TERMINAL, Channel

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Sequence

    import numpy.typing as npt

    from xinfang.case import Case
    from xinfang.responsibility import Organization

__all__ = ["read_ledger"]

_TERMINAL: Final = frozenset(s.value for s in TERMINAL)
_PAUSED: Final = STATUSES.index(ClockStatus.PAUSED)
_EPOCH: Final = _dt.date(1970, 1, 1).toordinal()


def _codec() -> tuple[Callable[[bytes], Any], Callable[[Any], str]]:
    """The loads and compact dumps of orjson where it is installed (the same text), else json."""
    try:
        import orjson
    except ModuleNotFoundError:
        return json.loads, compact_dumps

    def dumps(doc: Any) -> str:
        return orjson.dumps(doc).decode()

    return orjson.loads, dumps


def read_ledger(
    store: StoreBase, text: str, name: str, org: Organization | None = None
) -> _ColumnLedger:
    """``text`` read and validated column-wise (the lines pyarrow refuses by the value path).

    Raises what :func:`xinfang.load_ledger` raises on the same text. With
    ``org``, the rows naming an id it lacks are found from the columns
    (:func:`~xinfang.columnar._engine.unknown_id_rows`): the only cases the
    import's reference check reads as values.
    """
    parsed = parse_ledger(text.encode())
    events, milestones, values = validated(parsed, name)
    ledger = _ColumnLedger(store, parsed, events, milestones, values)
    if org is not None:
        # The rows read by the value path are looked at again as values (a superset is safe).
        ledger.suspects = sorted({*unknown_id_rows(milestones, events, org), *values})
    return ledger


class _ColumnLedger:
    """A ledger read column-wise: what :meth:`Store.import_ledger` asks of a ledger."""

    __slots__ = (
        "_case_rows",
        "_clock_rows",
        "_codec",
        "_edge",
        "_milestone_rows",
        "_parsed",
        "_store",
        "_values",
        "ids",
        "lines",
        "suspects",
    )

    def __init__(
        self,
        store: StoreBase,
        parsed: Any,
        events: Any,
        milestones: Any,
        values: dict[int, Case],
    ) -> None:
        self._store = store
        self._parsed = parsed
        self._values = values
        self._codec = _codec()
        self.ids: list[str] = milestones.column("case_id").to_pylist()
        self.lines: list[int] = parsed.lines.tolist()
        self._case_rows: list[tuple[Any, ...]] = []
        self._clock_rows: dict[int, list[tuple[Any, ...]]] = {}
        self._milestone_rows: list[tuple[Any, ...]] = []
        self._edge: set[int] = set()
        #: The rows that may name an id the organisation lacks (set by :func:`read_ledger`).
        self.suspects: list[int] = []
        if len(self.ids):
            self._project(events, milestones)

    def case(self, k: int) -> Case:
        """Case ``k`` as a value (read from its line by the value path)."""
        found = self._values.get(k)
        if found is None:
            found = self._values[k] = from_json(self._parsed.text(k))
        return found

    def reference_rows(self) -> Sequence[int]:
        """The rows naming an id the organisation lacks (found column-wise)."""
        return self.suspects

    def incoming(self, ks: Sequence[int]) -> list[Incoming]:
        """The rows of the new cases ``ks``."""
        store = self._store
        db = database_of(store)
        instant = db.param_instant_text
        loads, dumps = self._codec
        out = []
        for k in ks:
            if k in self._values or k in self._edge:  # by the value path, payloads too
                out.append(incoming(db, self.case(k), 0, store.rulebook, store.calendar))
                continue
            cid = self.ids[k]
            docs = loads(self._parsed.raw(k))["events"]
            rows = [
                (cid, e["seq"], instant(e["at"]), e["by"], e["change"]["kind"], dumps(e))
                for e in docs
            ]
            out.append(
                Incoming(
                    cid,
                    0,
                    rows,
                    self._case_rows[k],
                    self._clock_rows.get(k, []),
                    self._milestone_rows[k],
                )
            )
        return out

    def _project(self, events: Any, milestones: Any) -> None:
        """Every case's row and open clocks, as the value path makes them (``case_rows``)."""
        store = self._store
        as_text = isinstance(database_of(store).param_date(_dt.date(2000, 1, 1)), str)
        offsets = case_offsets(events)
        first = pa.array(offsets[:-1])
        column = milestones.column

        def dates(values: Any) -> list[Any]:
            """Arrow dates or day ordinals as the dialect's date parameters."""
            if isinstance(values, np.ndarray):
                values = pa.array((values - _EPOCH).astype(np.int32)).cast(pa.date32())
            found: list[Any] = (values.cast(pa.string()) if as_text else values).to_pylist()
            return found

        received = column("received")
        last = pc.coalesce(column("last_event"), received)
        days: npt.NDArray[np.int32] = (
            last.cast(pa.int32()).to_numpy(zero_copy_only=False) + _EPOCH
        ).astype(np.int32)
        # A case whose clocks need a day the calendar lacks goes to the value
        # path (which records the error); the engine counts the others.
        outside = np.zeros(len(days), dtype=bool)
        try:
            parts = clock_parts(
                MilestoneColumns(
                    milestones,
                    _dt.date.fromordinal(int(days.max())),
                    self.case,
                    spans=lambda: spans_of(events, offsets),
                    days=days,
                ),
                rulebook=store.rulebook,
                calendar=store.calendar,
                outside=outside,
            )
        except XinfangError:  # pragma: no cover - the value path words what it is
            parts, outside[:] = (), True
        self._edge = set(np.flatnonzero(outside).tolist())
        clock_rows: dict[int, list[tuple[Any, ...]]] = {}
        for part in parts:
            is_open = IS_OPEN[part.status]
            if not is_open.any():
                continue
            key = part.limit.key
            cases = part.case[is_open].tolist()
            columns = [dates(a[is_open]) for a in (part.started, part.nominal, part.due)]
            paused = (part.status[is_open] == _PAUSED).tolist()
            paused_days = _ints(part.paused, is_open)
            extended = _ints(part.extended, is_open)
            provisional = part.provisional[is_open].tolist()
            for i, k in enumerate(cases):
                clock_rows.setdefault(k, []).append(
                    (
                        self.ids[k],
                        key,
                        columns[0][i],
                        columns[1][i],
                        columns[2][i],
                        paused[i],
                        paused_days[i],
                        extended[i],
                        provisional[i],
                    )
                )
        register = events.take(first)
        representatives = pc.fill_null(
            pc.list_value_length(register.column("representatives")), 0
        ).to_pylist()
        group_size = register.column("group_size").to_pylist()
        backlog = pc.is_valid(register.column("backlog_since")).to_pylist()
        stage = column("stage").to_pylist()
        receiving = column("receiving_unit").to_pylist()
        handling = [u or "" for u in column("handling_unit").to_pylist()]
        responsible = column("responsible_unit").to_pylist()
        channel = column("channel").to_pylist()
        skip = column("skip_level").to_pylist()
        beijing = column("beijing_visit").to_pylist()
        rows = zip(
            self.ids,
            column("events").to_pylist(),
            stage,
            responsible,
            handling,
            receiving,
            column("category").to_pylist(),
            column("route").to_pylist(),
            column("is_settled").to_pylist(),
            backlog,
            representatives,
            group_size,
            channel,
            skip,
            beijing,
            dates(received),
            dates(last),
            dates(column("progress_reported")),
            strict=True,
        )
        flags_of: dict[tuple[Any, ...], str] = {}  # a few distinct inputs: each worded once

        def flags(*facts: Any) -> str:
            found = flags_of.get(facts)
            if found is None:
                reps, size, ch, sk, bj = facts
                found = flags_of[facts] = ",".join(
                    code
                    for code, _ in case_flags(
                        representatives=reps,
                        group_size=size,
                        channel=Channel(ch),
                        skip_level=bool(sk),
                        beijing_visit=bool(bj),
                    )
                )
            return found

        self._case_rows = [
            (
                cid,
                version,
                st,
                st in _TERMINAL,
                resp or hand or recv,
                recv,
                hand,
                resp,
                cat,
                route,
                bool(settled),
                back,
                flags(reps, size, ch, sk, bj),
                rec,
                lst,
                None,
                reported,
            )
            for (
                cid,
                version,
                st,
                resp,
                hand,
                recv,
                cat,
                route,
                settled,
                back,
                reps,
                size,
                ch,
                sk,
                bj,
                rec,
                lst,
                reported,
            ) in rows
        ]
        self._clock_rows = clock_rows
        self._milestone_rows = milestone_rows(
            companion_table(Journal(events=events, milestones=milestones))
        )


def milestone_rows(table: Any) -> list[tuple[Any, ...]]:
    """The ``xf_milestones`` rows of companion rows (:data:`~xinfang.columnar.COMPANION_SCHEMA`).

    Days as integers, enums as text, lists as JSON text (``None`` when
    empty): what :func:`~xinfang.store._milestones.milestone_row` makes of a value.
    """
    columns: list[list[Any]] = []
    for name in MILESTONE_COLUMNS:
        col = table.column(name)
        kind = col.type
        if name in LIST_COLUMNS:
            if pa.types.is_date32(kind.value_type):
                col = col.cast(pa.list_(pa.int32()))
            columns.append([json_list(v) if v else None for v in col.to_pylist()])
        elif name in DAY_COLUMNS:
            columns.append(col.cast(pa.int32()).to_pylist())
        elif pa.types.is_dictionary(kind):
            columns.append(col.cast(pa.string()).to_pylist())
        else:
            columns.append(col.to_pylist())
    return list(zip(*columns, strict=True))


def _ints(values: Any, where: npt.NDArray[np.bool_]) -> list[int]:
    """``values`` at ``where`` as Python ints (a broadcast zero stays zero)."""
    found: list[int] = np.broadcast_to(np.asarray(values), where.shape)[where].tolist()
    return found
