"""The columnar engine: the journal as Arrow, validated and folded column-wise.

For a province's nightly sweep or a national statistic, not a host's
request: a :class:`Journal` holds every event of many cases as one Arrow
table (:data:`JOURNAL_SCHEMA`, one row per event) and their fold as another
(:data:`MILESTONES_SCHEMA`, one row per case); clocks and campaign counts
come from the fold's columns through the one clock engine
(:func:`xinfang.deadlines.clock_parts`), with the same results as
:func:`xinfang.clock_table` and :func:`xinfang.snapshot` on the same cases.

One rule keeps the two paths equal: the column checks only *certify*. A case
they cannot certify (an unusual instant, a refused transition, a shape they
do not model) is read by the value path (:func:`xinfang.from_json`,
:func:`xinfang.replay`), which accepts it or words the error exactly as
:func:`xinfang.load_ledger` does.

Needs the ``columnar`` extra (``pip install 'xinfang[columnar]'``: pyarrow).
"""

from xinfang.columnar._api import (
    Journal,
    journal_from_cases,
    journal_from_store,
    journal_from_table,
    load_journal,
)
from xinfang.columnar._committed_files import committed_files
from xinfang.columnar._companion import (
    COMPANION_SCHEMA,
    check_milestones,
    read_milestones,
    sweep_milestones,
)
from xinfang.columnar._datasets import SWEEP_COLUMNS, read_journal, sweep_day, write_journal
from xinfang.columnar._engine import CLOCKS_SCHEMA
from xinfang.columnar._milestones import MILESTONES_SCHEMA
from xinfang.columnar._schema import JOURNAL_SCHEMA
from xinfang.columnar._sources import CaseSource
from xinfang.columnar._store_milestones import milestones_from_store, sweep_store
from xinfang.columnar._sweeps import (
    Sweep,
    journal_clocks,
    journal_snapshot,
    journal_snapshot_counts,
    sweep_table,
)
from xinfang.columnar._updates import compact_milestones, update_milestones

__all__ = [
    "CLOCKS_SCHEMA",
    "COMPANION_SCHEMA",
    "JOURNAL_SCHEMA",
    "MILESTONES_SCHEMA",
    "SWEEP_COLUMNS",
    "CaseSource",
    "Journal",
    "Sweep",
    "check_milestones",
    "committed_files",
    "compact_milestones",
    "journal_clocks",
    "journal_from_cases",
    "journal_from_store",
    "journal_from_table",
    "journal_snapshot",
    "journal_snapshot_counts",
    "load_journal",
    "milestones_from_store",
    "read_journal",
    "read_milestones",
    "sweep_day",
    "sweep_milestones",
    "sweep_store",
    "sweep_table",
    "update_milestones",
    "write_journal",
]
