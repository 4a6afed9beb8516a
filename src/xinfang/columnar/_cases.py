"""Case values and case documents ↔ the journal's rows.

:func:`journal_from_cases` builds the journal from :class:`~xinfang.case.Case`
values (the reference the readers are tested against); :func:`case_offsets`
bounds each case's rows; :func:`case_documents` rebuilds the documents
``dump_ledger`` writes from typed rows.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.changes import CHANGE_TYPES
from xinfang.columnar._encoding import (
    PLAIN_SCHEMA,
    codes_array,
    conform,
    null_column,
    plain_value,
)
from xinfang.columnar._schema import JOURNAL_SCHEMA, TIMESTAMP
from xinfang.convert import SCHEMA_VERSION

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Sequence

    from xinfang.case import Case
    from xinfang.columnar._column_checks import Ints

__all__ = ["case_documents", "case_offsets", "journal_from_cases"]

_CHANGE_FIELDS: Final = {cls: tuple(a.name for a in attrs.fields(cls)) for cls in CHANGE_TYPES}
_CHANGE_COLUMNS: Final = frozenset(JOURNAL_SCHEMA.names[5:])


def journal_from_cases(cases: Iterable[Case]) -> pa.Table:
    """The journal (:data:`JOURNAL_SCHEMA`) of ``cases``: one row per event, cases in order.

    Resident IDs and phones are their text: whole where known, masked where
    only the masked form is (mask with :func:`mask_personal_data`).
    """
    rows = [(case.id, e) for case in cases for e in case.events]
    n = len(rows)
    sparse: dict[str, dict[int, Any]] = {}  # change column → {row: plain value}
    for i, (_, e) in enumerate(rows):
        ch = e.change
        for name in _CHANGE_FIELDS[type(ch)]:
            if name in _CHANGE_COLUMNS:
                value = getattr(ch, name)
                if value is not None:
                    sparse.setdefault(name, {})[i] = plain_value(value)
    columns: list[pa.Array] = [
        pa.array([cid for cid, _ in rows], pa.string()),
        pa.array([e.seq for _, e in rows], pa.int32()),
        pa.array([e.at for _, e in rows], TIMESTAMP),
        pa.array([e.by for _, e in rows], pa.string()),
        codes_array([e.change.kind for _, e in rows], "kind"),
    ]
    for f in JOURNAL_SCHEMA:
        name = f.name
        if name not in _CHANGE_COLUMNS:  # the head, built above
            continue
        cells = sparse.get(name)
        if not cells:
            columns.append(null_column(f.type, name, n))
            continue
        values = [None] * n
        for i, v in cells.items():
            values[i] = v
        if pa.types.is_dictionary(f.type):
            columns.append(codes_array(values, name))
        else:
            plain_type = PLAIN_SCHEMA.field(name).type
            columns.append(conform(pa.array(values, plain_type), f.type, name))
    return pa.Table.from_arrays(columns, schema=JOURNAL_SCHEMA)


def case_offsets(journal: pa.Table) -> Ints:
    """Row offsets of the journal's cases (len cases + 1).

    A case starts at ``seq == 1`` or where ``case_id`` changes.
    """
    n = journal.num_rows
    if n == 0:
        return np.zeros(1, np.int64)
    seq = np.asarray(journal.column("seq").to_numpy(zero_copy_only=False), np.int64)
    ids = journal.column("case_id").combine_chunks()
    changed = np.ones(n, bool)
    if n > 1:
        changed[1:] = ~np.asarray(
            pc.equal(ids.slice(1), ids.slice(0, n - 1)).to_numpy(zero_copy_only=False), bool
        )
    starts = np.flatnonzero(changed | (seq == 1))
    return np.concatenate((starts, [n])).astype(np.int64)


def _json_value(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def case_documents(journal: pa.Table, cases: Sequence[int]) -> list[dict[str, Any]]:
    """Case documents (what ``dump_ledger`` writes) rebuilt from the journal's typed rows.

    ``cases`` are case indices in the journal's order (see :func:`case_offsets`).
    Personal data stays as stored (masked when the journal is masked).
    """
    offsets = case_offsets(journal)
    fields_of = {cls.kind: [a.name for a in attrs.fields(cls)] for cls in CHANGE_TYPES}
    docs = []
    for k in cases:
        rows = journal.slice(int(offsets[k]), int(offsets[k + 1] - offsets[k])).to_pylist()
        events = []
        for r in rows:
            kind = r["kind"]
            change: dict[str, Any] = {"kind": kind}
            for name in fields_of.get(kind, ()):
                change[name] = r["case_id"] if name == "case_id" else _json_value(r[name])
            events.append(
                {"seq": r["seq"], "at": r["at"].isoformat(), "by": r["by"], "change": change}
            )
        case_id = rows[0]["case_id"] if rows else None
        docs.append({"schema_version": SCHEMA_VERSION, "id": case_id, "events": events})
    return docs
