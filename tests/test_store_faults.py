"""Concurrency and faults: many processes on shared cases; SIGKILL during an import.

The concurrency test runs 4 processes × 50 commands by default (a 2-core
machine); the issue's 8 × 200 is ``XINFANG_STORE_CONCURRENCY=8x200``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import store_helpers
from store_helpers import big_ledger, raw_connect
from xinfang.calendar import china_mainland
from xinfang.store import open_store

store_url = store_helpers.store_url
TESTS = str(Path(__file__).parent)
SRC = str(Path(__file__).parent.parent / "src")
SHARED_CASES = 20

_WORKER = textwrap.dedent(
    """
    import datetime as dt, json, random, sys
    import xinfang as x
    from xinfang.instants import SHANGHAI
    from xinfang.store import ConcurrencyError, open_store, retry

    url, w, m, n_cases = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    base = dt.datetime(2026, 3, 2, 12, tzinfo=SHANGHAI)
    rng = random.Random(w)
    conflicts = 0
    with open_store(url) as s:
        for i in range(m):
            key = f"w{w}-c{i}"
            cid = f"C-{rng.randrange(n_cases):02d}"
            tries = 0

            def op():
                global tries
                tries += 1
                v = s.version(cid)
                return s.apply(
                    cid, x.Notify(note=key), at=base + dt.timedelta(minutes=v), by=f"w{w}",
                    expected_version=v, idempotency_key=key,
                )

            retry(op, attempts=200)
            conflicts += tries - 1
    print(json.dumps({"conflicts": conflicts}))
    """
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([SRC, env.get("PYTHONPATH", "")])
    return env


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
            reg = x.Register(
                case_id=f"C-{k:02d}",
                received_at=dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI),
                channel=x.Channel.LETTER,
                receiving_unit="D1",
                petitioners=[x.Petitioner(name="张三")],
                claims=[x.Claim(request="退还押金")],
            )
            s.register(reg, dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, store_url, str(w), str(m), str(SHARED_CASES)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for w in range(n)
    ]
    conflicts = 0
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-3000:]
        conflicts += json.loads(out.strip().splitlines()[-1])["conflicts"]
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


_IMPORTER = textwrap.dedent(
    """
    import sys
    from xinfang.calendar import china_mainland
    from xinfang.store import open_store

    s = open_store(sys.argv[1], calendar=china_mainland(provisional=True))
    print("ready", flush=True)
    s.import_ledger(sys.argv[2], batch=int(sys.argv[3]))
    print("done", flush=True)
    """
)


def test_sigkill_during_import(store_url: str, tmp_path: Path) -> None:
    """Killed mid-import (twice; XINFANG_STORE_KILLS=n): cases stay whole; re-running completes."""
    text, total = big_ledger(3)
    ledger = tmp_path / "big.jsonl"
    ledger.write_text(text, encoding="utf-8")
    rng = random.Random(13)  # noqa: S311 - test timing, not security
    cal = china_mainland(provisional=True)
    killed = 0
    for _ in range(int(os.environ.get("XINFANG_STORE_KILLS", "2"))):
        p = subprocess.Popen(
            [sys.executable, "-c", _IMPORTER, store_url, str(ledger), "40"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "ready"
        try:
            p.wait(timeout=rng.uniform(0.05, 0.5))
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            killed += 1
        p.communicate()
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
