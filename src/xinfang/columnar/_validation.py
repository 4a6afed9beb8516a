"""The documents table pyarrow read, typed and checked column-wise.

:func:`typed_journal` flattens the documents to one row per event, fills
the classes' defaults and converts every column to
:data:`~xinfang.columnar._schema.JOURNAL_SCHEMA` types, vectorised. Every
field-level rule of the value path (:func:`xinfang.convert.structure`) is
checked column-wise; a case is marked *suspicious* whenever the checks are
not certain the value path accepts it with exactly the typed values produced
(the value path then decides it).
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang._checks import nonempty
from xinfang.changes import CHANGE_TYPES, Register
from xinfang.columnar._column_checks import (
    CONTROL_RE,
    PHONE_RE,
    VISIBLE_RE,
    Bools,
    Ints,
    format_rows,
    in_codes,
    nonempty_ok,
    not_null,
    parse_dates,
    parse_instants,
    per_case,
    regex_rows,
    resident_ids_ok,
)
from xinfang.columnar._encoding import (
    CODES,
    conform,
    encode,
    list_parts,
    null_column,
    one_chunk,
    plain_type,
    plain_value,
    rebuild_list,
)
from xinfang.columnar._line_scanner import NULLABLE_KEYS, ScanMarks
from xinfang.columnar._schema import FIELD_OWNERS, JOURNAL_SCHEMA, KINDS, US_PER_DAY, UTC8_US
from xinfang.convert import SCHEMA_VERSION
from xinfang.vocabulary import PetitionerKind

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

__all__ = ["typed_journal"]

_INT32: Final = (-(2**31), 2**31 - 1)


def _nonempty_fields() -> dict[str, tuple[str, ...]]:
    """Change field → the kinds whose class checks it with ``nonempty``."""
    out: dict[str, list[str]] = {}
    for cls in CHANGE_TYPES:
        for a in attrs.fields(cls):
            if a.validator is nonempty and not (cls is Register and a.name == "case_id"):
                out.setdefault(a.name, []).append(cls.kind)
    return {k: tuple(v) for k, v in out.items()}


def _defaults() -> tuple[dict[str, dict[str, Any]], dict[str, set[str]]]:
    """Per field, per owning kind: its default (``attrs.NOTHING`` if required); optional names."""
    defaults: dict[str, dict[str, Any]] = {}
    optional: dict[str, set[str]] = {}
    for cls in CHANGE_TYPES:
        hints = typing.get_type_hints(cls)
        for a in attrs.fields(cls):
            if cls is Register and a.name == "case_id":
                continue
            default = a.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()  # pragma: no cover - none today
            defaults.setdefault(a.name, {})[cls.kind] = default
            if type(None) in typing.get_args(hints[a.name]):
                optional.setdefault(a.name, set()).add(cls.kind)
    return defaults, optional


_NONEMPTY: Final = _nonempty_fields()
_DEFAULTS, _OPTIONAL = _defaults()
assert set(_OPTIONAL) <= set(NULLABLE_KEYS)  # noqa: S101 - the table below must cover them


def typed_journal(docs: pa.Table, marks: ScanMarks) -> tuple[pa.Table, Ints, Bools]:
    """The typed journal, case offsets and suspicious flags of a documents table."""
    n = docs.num_rows
    bad = marks.flags.copy()

    version = one_chunk(docs.column("schema_version"))
    bad |= ~np.asarray(pc.fill_null(pc.equal(version, SCHEMA_VERSION), False), dtype=bool)
    events_list = one_chunk(docs.column("events"))
    ev_valid = not_null(events_list)
    raw_offsets = np.asarray(events_list.offsets, dtype=np.int64)
    lengths = np.where(ev_valid, raw_offsets[1:] - raw_offsets[:-1], 0)
    bad |= lengths == 0
    offsets = np.concatenate((np.zeros(1, np.int64), np.cumsum(lengths)))
    all_events = events_list.values.slice(raw_offsets[0], raw_offsets[-1] - raw_offsets[0])
    if ev_valid.all():
        events = all_events
    else:
        events = all_events.filter(
            pa.array(np.repeat(ev_valid, raw_offsets[1:] - raw_offsets[:-1]))
        )
    case_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
    rows = len(events)
    row_bad = np.zeros(rows, bool)

    def flag(row_flags: Bools) -> None:
        np.logical_or(row_bad, row_flags, out=row_bad)

    seq, at_raw, by, change = events.flatten()
    ch_names = [f.name for f in change.type]
    ch = dict(zip(ch_names, change.flatten(), strict=True))
    kind_raw = ch["kind"]
    kinds = pa.array(KINDS, pa.string())
    kind_idx = np.asarray(pc.fill_null(pc.index_in(kind_raw, value_set=kinds), -1), np.int64)
    flag(kind_idx < 0)

    owned_cache: dict[tuple[str, ...], Bools] = {}

    def owned(name: str, kinds: Iterable[str] | None = None) -> Bools:
        key = tuple(FIELD_OWNERS[name] if kinds is None else kinds)
        if key not in owned_cache:
            table = np.zeros(len(KINDS) + 1, bool)  # the last entry: an unknown kind (-1)
            table[[KINDS.index(k) for k in key]] = True
            owned_cache[key] = table[kind_idx]
        return owned_cache[key]

    # seq, at, by
    seq_np = np.asarray(pc.fill_null(seq, 0), np.int64)
    flag(~not_null(seq) | (seq_np < 1) | (seq_np > _INT32[1]))
    at, at_ok = parse_instants(at_raw)
    flag(~at_ok | ~not_null(at_raw))
    flag(~not_null(by) | format_rows(by))

    # case ids: the registration's, per case (its first row)
    first = offsets[:-1][lengths > 0]
    reg_id = ch["case_id"]
    registered = KINDS.index("registered")
    first_is_reg = np.zeros(n, bool)
    first_is_reg[lengths > 0] = kind_idx[first] == registered
    bad |= ~first_is_reg
    first_rows = pa.array(offsets[:-1], mask=lengths == 0)  # null: a case with no rows
    case_ids = reg_id.take(first_rows) if n else pa.array([], pa.string())
    bad |= ~not_null(case_ids)
    case_ids = pc.fill_null(case_ids, "")
    doc_id = one_chunk(docs.column("id"))
    same = np.asarray(pc.fill_null(pc.equal(doc_id, case_ids), False), dtype=bool)
    bad |= not_null(doc_id) & ~same
    case_id_col = case_ids.take(pa.array(case_of))
    # a case_id on a row that is not a registration is a foreign key; required on registrations
    is_reg = kind_idx == registered
    flag(not_null(reg_id) & ~is_reg)
    flag(is_reg & ~nonempty_ok(reg_id))

    out: dict[str, pa.Array] = {
        "case_id": case_id_col,
        "seq": pa.array(np.clip(seq_np, *_INT32).astype(np.int32)),
        "at": at,
        "by": by,
        "kind": pa.DictionaryArray.from_arrays(
            pa.array(np.maximum(kind_idx, 0).astype(np.int8)), kinds
        ),
    }
    # per nullable key: how many nulls each row may hold (explicit or missing alike)
    allowed: dict[int, Ints | Bools] = {}

    def count_nulls(key: str, item_nulls: Bools, owner_row: Ints | None) -> None:
        """Nulls the classes allow on ``key``: per row, or per item of ``owner_row``."""
        j = NULLABLE_KEYS.index(key)
        per_row = (
            item_nulls if owner_row is None else np.bincount(owner_row[item_nulls], minlength=rows)
        )
        if j in allowed:  # counts add up (bools too)
            per_row = np.asarray(allowed[j], np.int64) + per_row
        allowed[j] = per_row

    for f in JOURNAL_SCHEMA:
        name = f.name
        if name in out:
            continue
        col = ch[name]
        nulls = col.null_count
        valid = not_null(col)
        if nulls < rows:
            flag(valid & ~owned(name))  # a field of another kind: an unknown key for the value path
        defaults = _DEFAULTS[name]
        required = [k for k, d in defaults.items() if d is attrs.NOTHING]
        if required:
            flag(owned(name, required) & ~valid)
        if name in _OPTIONAL:
            count_nulls(name, owned(name, _OPTIONAL[name]) & ~valid, None)
        if nulls == rows:
            typed = null_column(f.type, name, rows)
        else:
            if name in _NONEMPTY:
                flag(owned(name, _NONEMPTY[name]) & ~nonempty_ok(col))
            if pa.types.is_string(col.type):  # a note, a reason: no format control either
                flag(format_rows(col))
            typed = _field(name, col, f.type, case_of, flag=flag, count_nulls=count_nulls)
        with_default = [k for k, d in defaults.items() if d is not attrs.NOTHING and d is not None]
        if with_default:
            fill = owned(name, with_default) & ~valid
            default = plain_value(defaults[with_default[0]])
            if any(plain_value(defaults[k]) != default for k in with_default):  # pragma: no cover
                raise AssertionError(f"{name}: defaults differ between kinds")
            typed = _fill(typed, fill, default, f.type, name)
        out[name] = typed.cast(f.type) if typed.type != f.type else typed

    # Register's own checks (its __attrs_post_init__)
    reg_rows = np.flatnonzero(is_reg)
    if len(reg_rows):
        _register_checks(out, reg_rows, case_of, flag)

    # Explicit nulls: each is placed in its event by the event starts (a line with
    # such nulls must start every event with {"seq": as dump_ledger does); an event may hold at most
    # the nulls its class allows on that key (a null of another kind's field: an
    # unknown key for the value path; missing optional fields are fine).
    if len(marks.null_at) and rows:
        bad |= _misplaced_nulls(marks, lengths=lengths, allowed=allowed, flag=flag)

    bad |= per_case(row_bad, case_of, n)
    journal = pa.Table.from_arrays([out[f.name] for f in JOURNAL_SCHEMA], schema=JOURNAL_SCHEMA)
    return journal, offsets, bad


def _misplaced_nulls(
    marks: ScanMarks, *, lengths: Ints, allowed: dict[int, Ints | Bools], flag: Any
) -> Bools:
    """Per case: an explicit null not placed in an event, or more on a key than its class allows.

    Row flags go to ``flag``.
    """
    n = len(lengths)
    bad = np.zeros(n, bool)
    event_at, ev_case = marks.event_at, marks.event_case
    known = ev_case >= 0
    per_case = np.bincount(ev_case[known], minlength=n)
    placed = per_case == lengths
    consider = marks.null_case >= 0
    null_at, null_key = marks.null_at[consider], marks.null_key[consider]
    null_case = marks.null_case[consider]
    unplaced = ~placed[null_case]
    if unplaced.any():  # nulls this reading cannot place in their events
        bad[null_case[unplaced]] = True
        null_at, null_key, null_case = null_at[~unplaced], null_key[~unplaced], null_case[~unplaced]
    if placed.all():
        kept_at, kept_case = event_at[known], ev_case[known]
        kept_rows = np.arange(len(kept_at), dtype=np.int64)
    else:
        kept = known & placed[np.maximum(ev_case, 0)]
        kept_at, kept_case = event_at[kept], ev_case[kept]
        kept_rows = np.flatnonzero(np.repeat(placed, lengths))  # same order, same count
    if not len(kept_at):  # no event to place them in: every case with a null is the value path's
        bad[null_case] = True
        return bad
    j = np.searchsorted(kept_at, null_at, side="right") - 1
    same = (j >= 0) & (kept_case[np.maximum(j, 0)] == null_case)
    bad[null_case[~same]] = True
    rows_of = kept_rows[j[same]]
    keys_of = null_key[same]
    k_keys = len(NULLABLE_KEYS)
    cells = np.sort(rows_of * k_keys + keys_of, kind="stable")  # nearly sorted already
    if not len(cells):
        return bad
    new = np.concatenate(([True], cells[1:] != cells[:-1]))
    starts = np.flatnonzero(new)
    counts = np.diff(np.concatenate((starts, [len(cells)])))
    cells = cells[starts]
    cell_row, cell_key = cells // k_keys, cells % k_keys
    too_many = np.zeros(len(cells), bool)
    for key in np.unique(cell_key):
        here = cell_key == key
        limit = allowed.get(int(key))
        if limit is None:
            too_many[here] = True
        else:
            too_many[here] = counts[here] > np.asarray(limit)[cell_row[here]]
    row_flags = np.zeros(int(lengths.sum()), bool)
    row_flags[cell_row[too_many]] = True
    flag(row_flags)
    return bad


def _fill(arr: pa.Array, where: Bools, default: Any, t: pa.DataType, name: str) -> pa.Array:
    """``arr`` with ``default`` where ``where`` (rows of an owning kind missing the field)."""
    if not where.any():
        return arr
    if pa.types.is_dictionary(t):  # on the indices: the dictionary stays the fixed codes
        codes = CODES[name]
        indices = np.asarray(pc.fill_null(arr.indices, 0).to_numpy(zero_copy_only=False))
        indices = np.where(where, codes.index(default), indices).astype(np.int8)
        mask = ~(not_null(arr) | where)
        return pa.DictionaryArray.from_arrays(
            pa.array(indices, pa.int8(), mask=mask), pa.array(codes, pa.string())
        )
    scalar = conform(pa.array([default], type=plain_type(t)), t, name)[0]
    return pc.if_else(pa.array(where), scalar, arr)


def _field(
    name: str,
    col: pa.Array,
    t: pa.DataType,
    case_of: Ints,
    *,
    flag: Any,
    count_nulls: Any,
) -> pa.Array:
    """One change column converted to its journal type, flagging what the value path may refuse."""
    if pa.types.is_timestamp(t):
        typed, ok = parse_instants(col)
        flag(~ok)
        return typed
    if pa.types.is_date32(t):
        typed, ok = parse_dates(col)
        flag(~ok)
        return typed
    if pa.types.is_dictionary(t):
        encoded = encode(col, CODES[name])
        if encoded.null_count != col.null_count:  # a code not in the enum
            flag(not_null(col) & ~not_null(encoded))
        return encoded
    if pa.types.is_int32(t):
        v = np.asarray(pc.fill_null(col, 0).to_numpy(zero_copy_only=False), np.int64)
        flag((v < _INT32[0]) | (v > _INT32[1]))
        if name == "days":
            flag(not_null(col) & (v < 1))
        return pa.array(np.clip(v, *_INT32).astype(np.int32), mask=~not_null(col))
    if pa.types.is_list(t) and pa.types.is_string(t.value_type):
        offs, values, row_of = list_parts(col)
        flag(per_case(~not_null(values) | format_rows(values), row_of, len(col)))
        return rebuild_list(col, offs, values, t)
    if name == "petitioners":
        return _petitioners(col, t, case_of, flag, count_nulls)
    if name == "claims":
        offs, values, row_of = list_parts(col)
        request, facts, reasons = values.flatten()
        item_bad = ~not_null(request) | ~nonempty_ok(request)
        item_bad |= format_rows(facts) | format_rows(reasons)
        facts = pc.fill_null(facts, "")
        reasons = pc.fill_null(reasons, "")
        flag(per_case(item_bad, row_of, len(col)))
        structs = pa.StructArray.from_arrays(
            [request, facts, reasons], fields=list(t.value_type), mask=values.is_null()
        )
        return rebuild_list(col, offs, structs, t)
    if name == "plan":
        return _plan(col, t, case_of, flag, count_nulls)
    return col  # strings and bools: JSON's own types, read strictly


def _petitioners(
    col: pa.Array, t: pa.DataType, case_of: Ints, flag: Any, count_nulls: Any
) -> pa.Array:
    offs, values, row_of = list_parts(col)
    name, kind, id_number, phone, address = values.flatten()
    n = len(values)
    item_bad = ~not_null(name)
    item_bad |= regex_rows(name, CONTROL_RE) | format_rows(name) | ~regex_rows(name, VISIBLE_RE)
    item_bad |= format_rows(address)
    codes = CODES["petitioners.kind"]
    item_bad |= ~in_codes(kind, codes)
    item_bad |= ~resident_ids_ok(id_number)
    item_bad |= not_null(phone) & ~regex_rows(phone, PHONE_RE)
    flag(per_case(item_bad, row_of, len(col)))
    count_nulls("id_number", ~not_null(id_number), row_of)
    count_nulls("phone", ~not_null(phone), row_of)
    kind_filled = pc.fill_null(kind, PetitionerKind.PERSON.value) if n else kind
    structs = pa.StructArray.from_arrays(
        [name, encode(kind_filled, codes), id_number, phone, pc.fill_null(address, "")],
        fields=list(t.value_type),
        mask=values.is_null(),
    )
    return rebuild_list(col, offs, structs, t)


def _plan(col: pa.Array, t: pa.DataType, case_of: Ints, flag: Any, count_nulls: Any) -> pa.Array:
    owner, deadline, measures, milestones = col.flatten()
    valid = not_null(col)
    deadline_t, ok = parse_dates(deadline)
    flag(~ok)
    count_nulls("deadline", valid & ~not_null(deadline), None)
    flag(format_rows(owner))
    m_offs, m_values, m_row = list_parts(measures)
    flag(per_case(~not_null(m_values) | format_rows(m_values), m_row, len(col)))
    measures_t = rebuild_list(measures, m_offs, m_values, t.field("measures").type)
    measures_t = _fill(
        measures_t, valid & ~not_null(measures), [], measures_t.type, "plan.measures"
    )
    s_offs, s_values, s_row = list_parts(milestones)
    due, what = s_values.flatten()
    due_t, due_ok = parse_dates(due)
    item_bad = ~due_ok | ~not_null(due) | ~not_null(what) | ~nonempty_ok(what)
    flag(per_case(item_bad, s_row, len(col)))
    ms_type = t.field("milestones").type
    ms = pa.StructArray.from_arrays(
        [due_t, what], fields=list(ms_type.value_type), mask=s_values.is_null()
    )
    ms_t = rebuild_list(milestones, s_offs, ms, ms_type)
    ms_t = _fill(ms_t, valid & ~not_null(milestones), [], ms_type, "plan.milestones")
    return pa.StructArray.from_arrays(
        [pc.fill_null(owner, ""), deadline_t, measures_t, ms_t],
        fields=list(t),
        mask=col.is_null(),
    )


def _register_checks(out: dict[str, pa.Array], rows: Ints, case_of: Ints, flag: Any) -> None:
    """``Register.__attrs_post_init__``, column-wise, on the registration rows."""
    take = pa.array(rows)
    total = len(case_of)

    def at_rows(bad_on_rows: Bools) -> None:
        full = np.zeros(total, bool)
        full[rows] = bad_on_rows
        flag(full)

    def count(name: str) -> Ints:
        arr = out[name].take(take)
        return np.asarray(
            pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False), np.int64
        )

    at_rows(count("petitioners") == 0)
    at_rows(count("claims") == 0)
    group = np.asarray(
        pc.fill_null(out["group_size"].take(take), 0).to_numpy(zero_copy_only=False), np.int64
    )
    at_rows((group < 1) | (count("representatives") > group))
    same = np.asarray(
        pc.fill_null(out["same_facts"].take(take), False).to_numpy(zero_copy_only=False), bool
    )
    at_rows(same & (count("repeat_of") == 0))
    backlog = out["backlog_since"].take(take)
    received = out["received_at"].take(take)
    b_days = np.asarray(
        pc.fill_null(backlog.cast(pa.int32()), -(2**31)).to_numpy(zero_copy_only=False), np.int64
    )
    r_us = np.asarray(
        pc.fill_null(received.cast(pa.int64()), 0).to_numpy(zero_copy_only=False), np.int64
    )
    local_day = np.floor_divide(r_us + UTC8_US, US_PER_DAY)
    at_rows(not_null(backlog) & (b_days > local_day))
