"""The engine's parts that another engine builds on: the store's column-wise import.

:meth:`xinfang.store.Store.import_ledger` with ``columnar=True`` reads a
ledger with these, folds it and writes its projections without a ``Case``
value per case. They are public so that the store reaches no private module
of the engine (issue 22); a host wants :mod:`xinfang.columnar` itself.
Needs the ``columnar`` extra (pyarrow).
"""

from xinfang.columnar._api import validated
from xinfang.columnar._cases import case_offsets
from xinfang.columnar._companion import companion_table
from xinfang.columnar._engine import MilestoneColumns, spans_of, unknown_id_rows
from xinfang.columnar._reader import Parsed, parse_ledger

__all__ = [
    "MilestoneColumns",
    "Parsed",
    "case_offsets",
    "companion_table",
    "parse_ledger",
    "spans_of",
    "unknown_id_rows",
    "validated",
]
