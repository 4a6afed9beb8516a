"""Concurrency and faults: many processes on shared cases; SIGKILL during an import.

The concurrency test runs 4 processes × 50 commands by default (a 2-core
machine); the issue's 8 × 200 is ``XINFANG_STORE_CONCURRENCY=8x200``.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.context
import os
import random
from typing import TYPE_CHECKING

import pytest

import store_helpers
import store_workers
from store_helpers import big_ledger, raw_connect
from xinfang.calendar import china_mainland
from xinfang.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

store_url = store_helpers.store_url
SHARED_CASES = 20


def _workers() -> multiprocessing.context.ForkServerContext:
    """Processes forked from a server that has imported the library (see ``store_workers``)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(store_workers.PRELOAD)  # no effect once the server runs
    return ctx


def _size() -> tuple[int, int]:
    n, m = os.environ.get("XINFANG_STORE_CONCURRENCY", "4x50").split("x")
    return int(n), int(m)


def test_concurrent_commands(store_url: str) -> None:
    """N processes × M commands on 20 cases: no lost, duplicated or missing event."""
    import datetime as dt

    import xinfang as x
    from xinfang.instants import SHANGHAI

    n, m = _size()
    with open_store(store_url) as s:
        for k in range(SHARED_CASES):
            reg = x.changes.Register(
                case_id=f"C-{k:02d}",
                received_at=dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI),
                channel=x.vocabulary.Channel.LETTER,
                receiving_unit="D1",
                petitioners=[x.personal.Petitioner(name="张三")],
                claims=[x.changes.Claim(request="退还押金")],
            )
            s.register(reg, dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI))
    ctx = _workers()
    procs = []
    for w in range(n):
        ours, theirs = ctx.Pipe(duplex=False)
        p = ctx.Process(target=store_workers.commands, args=(theirs, store_url, w, m, SHARED_CASES))
        p.start()
        theirs.close()
        procs.append((p, ours))
    conflicts = 0
    for p, ours in procs:
        assert ours.poll(600), "a worker sent nothing in 10 minutes"
        status, value = ours.recv()
        p.join(60)
        assert status == "ok", value
        assert p.exitcode == 0
        conflicts += value
    conn = raw_connect(store_url)
    try:
        rows = conn.execute("SELECT case_id, seq, payload FROM xf_journal").fetchall()
        keys = conn.execute("SELECT key, case_id, seq FROM xf_idempotency").fetchall()
    finally:
        conn.close()
    assert len(rows) == SHARED_CASES + n * m
    by_case: dict[str, list[int]] = {}
    notes: list[str] = []
    for cid, seq, payload in rows:
        by_case.setdefault(cid, []).append(seq)
        data = payload if isinstance(payload, dict) else json.loads(payload)
        if data["change"]["kind"] == "notified":
            notes.append(data["change"]["note"])
    for seqs in by_case.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))  # no gap, no duplicate
    want = sorted(f"w{w}-c{i}" for w in range(n) for i in range(m))
    assert sorted(notes) == want  # every command applied exactly once
    assert sorted(k for k, _, _ in keys) == want
    assert len({(c, q) for _, c, q in keys}) == n * m
    with open_store(store_url) as s:
        assert s.check().ok
        assert sum(s.version(f"C-{k:02d}") for k in range(SHARED_CASES)) == len(rows)
    print(f"{store_url.split(':', maxsplit=1)[0]}: {n}x{m} commands, {conflicts} conflicts retried")


def test_sigkill_during_import(store_url: str, tmp_path: Path) -> None:
    """Killed mid-import (twice; XINFANG_STORE_KILLS=n): cases stay whole; re-running completes."""
    text, total = big_ledger(3)
    ledger = tmp_path / "big.jsonl"
    ledger.write_text(text, encoding="utf-8")
    rng = random.Random(13)  # noqa: S311 - test timing, not security
    cal = china_mainland(provisional=True)
    killed = 0
    ctx = _workers()
    for _ in range(int(os.environ.get("XINFANG_STORE_KILLS", "2"))):
        ours, theirs = ctx.Pipe(duplex=False)
        p = ctx.Process(
            target=store_workers.import_ledger, args=(theirs, store_url, str(ledger), 40)
        )
        p.start()
        theirs.close()
        assert ours.poll(60), "the importer did not start"
        assert ours.recv() == "ready"
        p.join(timeout=rng.uniform(0.05, 0.5))
        if p.is_alive():
            p.kill()  # SIGKILL
            killed += 1
        else:  # it finished first: then it must have imported the whole ledger
            assert ours.recv() == "done"
        p.join()
        ours.close()
        with open_store(store_url, calendar=cal) as s:
            report = s.check()  # every case replays and its projections match
            assert report.ok, report.problems[:5]
            assert s.count() <= total
    with open_store(store_url, calendar=cal) as s:
        before = s.count()
        result = s.import_ledger(ledger)
        assert result.unchanged == before
        assert result.added == total - before
        assert s.count() == total
        assert s.check().ok
        assert s.import_ledger(ledger).unchanged == total
    print(f"{store_url.split(':', maxsplit=1)[0]}: import killed {killed} times, then completed")
    if killed == 0:
        pytest.skip("the import always finished before the kill; nothing was interrupted")
