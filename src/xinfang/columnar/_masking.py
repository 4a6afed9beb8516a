"""Personal data masked in the journal's columns, as ``.masked()`` masks a value."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.columnar._encoding import list_parts, rebuild_list

__all__ = ["mask_personal_data"]


def _mask_ids(arr: pa.Array) -> pa.Array:
    full = pc.fill_null(pc.match_substring(arr, "*"), True)
    masked = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(arr, 0, 6), "********", pc.utf8_slice_codeunits(arr, 14, 18), ""
    )
    return pc.if_else(full, arr, masked)


def _mask_phones(arr: pa.Array) -> pa.Array:
    done = pc.fill_null(pc.match_substring(arr, "*"), True)
    plus = pc.fill_null(pc.starts_with(arr, "+"), False)
    digits = pc.if_else(plus, pc.utf8_slice_codeunits(arr, 1), arr)
    length = np.asarray(
        pc.fill_null(pc.utf8_length(digits), 0).to_numpy(zero_copy_only=False), np.int64
    )
    stars = pa.array(["*" * max(int(x) - 7, 1) for x in np.unique(length)])
    star_col = stars.take(pa.array(np.searchsorted(np.unique(length), length)))
    keep = pc.binary_join_element_wise(
        pc.if_else(plus, "+", ""),
        pc.utf8_slice_codeunits(digits, 0, 3),
        star_col,
        pc.utf8_slice_codeunits(digits, -4),
        "",
    )
    return pc.if_else(done, arr, keep)


def mask_personal_data(journal: pa.Table) -> pa.Table:
    """The journal with every resident ID and phone masked (as ``.masked()`` does)."""
    i = journal.schema.get_field_index("petitioners")
    col = journal.column(i).combine_chunks()
    t = col.type
    offs, values, _ = list_parts(col)
    if len(values) == 0:
        return journal
    name, kind, id_number, phone, address = values.flatten()
    structs = pa.StructArray.from_arrays(
        [name, kind, _mask_ids(id_number), _mask_phones(phone), address],
        fields=list(t.value_type),
        mask=values.is_null(),
    )
    return journal.set_column(i, journal.schema.field(i), rebuild_list(col, offs, structs, t))
