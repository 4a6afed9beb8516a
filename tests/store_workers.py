"""Worker processes for the store's fault tests (not part of the library).

``test_store_faults`` starts them from a fork server (``multiprocessing``'s
``forkserver`` context) that has already imported the library: each is a
process of its own with its own connection, as a host's workers are, without
paying an interpreter's start and the library's import every time. Each
reports through its end of a pipe: a result, or the traceback of its failure.
"""

from __future__ import annotations

import datetime as dt
import random
import traceback
from typing import TYPE_CHECKING

import xinfang as x
from xinfang.calendar import china_mainland
from xinfang.instants import SHANGHAI
from xinfang.store import open_store, retry

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

#: What the fork server imports once, before it forks any worker.
PRELOAD = ["xinfang", "xinfang.calendar", "xinfang.instants", "xinfang.store", "psycopg"]


def commands(conn: Connection, url: str, w: int, m: int, n_cases: int) -> None:
    """Worker ``w``: ``m`` Notify commands on random cases of ``n_cases``, retried on conflicts.

    Sends ("ok", conflicts retried) or ("error", traceback).
    """
    try:
        base = dt.datetime(2026, 3, 2, 12, tzinfo=SHANGHAI)
        rng = random.Random(w)  # noqa: S311 - test data, not security
        conflicts = 0
        with open_store(url) as s:
            for i in range(m):
                key = f"w{w}-c{i}"
                cid = f"C-{rng.randrange(n_cases):02d}"
                tries = 0

                def op(cid: str = cid, key: str = key) -> tuple[x.Case, x.Event]:
                    nonlocal tries
                    tries += 1
                    v = s.version(cid)
                    return s.apply(
                        cid,
                        x.changes.Notify(note=key),
                        at=base + dt.timedelta(minutes=v),
                        by=f"w{w}",
                        expected_version=v,
                        idempotency_key=key,
                    )

                retry(op, attempts=200)
                conflicts += tries - 1
        conn.send(("ok", conflicts))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def import_ledger(conn: Connection, url: str, ledger: str, batch: int) -> None:
    """Open the store, send "ready", import ``ledger`` in batches, send "done" (or a traceback)."""
    try:
        s = open_store(url, calendar=china_mainland(provisional=True))
        conn.send("ready")
        s.import_ledger(ledger, batch=batch)
        conn.send("done")
    except BaseException:
        conn.send(traceback.format_exc())
    finally:
        conn.close()
