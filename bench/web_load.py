"""The web service under load: concurrent clients on loopback against ``xinfang serve``.

    python bench/web_load.py                                  # the demo corps, 20 clients, 60 s
    python bench/web_load.py --copies 10 --clients 20 --seconds 30

Builds a SQLite store of ``--copies`` × the demo corps (ids made unique),
writes its organisation, campaign and viewers files, starts ``xinfang serve``
on a free loopback port in a child process, warms it (one bulletin and one
list, the first of a day works out every case's counts), then runs
``--clients`` threads for ``--seconds``, each asking in turn for the bulletin
(``/``) and a case list reached from a count (``/cases?count=open&unit=D1``)
as a leading-group official. Prints per page: requests, errors, p50, p95 and
the maximum latency. Stops by itself; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import attrs
import httpx

from xinfang.changes import Settle
from xinfang.demo import demo_world
from xinfang.errors import XinfangError
from xinfang.serialization import dump_ledger, to_toml
from xinfang.store import open_store

PAGES = {"bulletin": "/", "list": "/cases?count=open&unit=D1"}


def _ledger(copies: int) -> tuple[str, list[str]]:
    """The demo's ledger ``copies`` times, copy k's ids (and references to them) suffixed ``-k``."""
    w = demo_world()
    text = dump_ledger(w.cases, reveal_personal_data=True)
    ids = re.compile(r'"(XF-[BN][0-9]{4})(?=[-"])')
    parts = [text] + [ids.sub(rf'"\1-{k}', text) for k in range(1, copies)]
    return "".join(parts), [f"{c.id}-{k}" if k else c.id for k in range(copies) for c in w.cases]


def build(folder: Path, copies: int) -> tuple[str, int]:
    """The store (reused when ``folder`` holds one already) and its org, campaign and viewers."""
    w = demo_world()
    url = f"sqlite:///{folder / 'load.db'}"
    if (folder / "viewers.toml").exists():
        with open_store(url, calendar=w.calendar) as s:
            n = s.count()
        print(f"reused the store of {n} cases in {folder}")
        return url, n
    started = time.perf_counter()
    text, ids = _ledger(copies)
    targets = [i for i in ids if i.split("-")[1].startswith("B")]
    campaign = attrs.evolve(w.campaign, targets=targets)
    (folder / "org.toml").write_text(to_toml(w.org), encoding="utf-8")
    (folder / "campaign.toml").write_text(to_toml(campaign), encoding="utf-8")
    with open_store(url, calendar=w.calendar) as s:
        s.import_ledger(text)
    (folder / "viewers.toml").write_text(
        '[[viewers]]\nofficial = "HQ-H"\nrole = "leading_group"\n', encoding="utf-8"
    )
    print(f"stored {len(ids)} cases in {time.perf_counter() - started:.1f} s")
    return url, len(ids)


def _ms(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    """The least wall time of ``repeat`` calls of ``fn``, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return 1000 * best


def floors(folder: Path, url: str) -> None:
    """Each component's time in this process, one at a time (no HTTP, no other client)."""
    from starlette.testclient import TestClient

    from xinfang.campaign import load_campaign
    from xinfang.responsibility import load_organization
    from xinfang.web import create_app, load_viewers

    w = demo_world()
    org = load_organization(folder / "org.toml")
    campaign = load_campaign(folder / "campaign.toml")
    with open_store(url, calendar=w.calendar, migrate=False) as s:
        full = float("inf")
        for _ in range(5):  # a new connection each time: the full query, not the stamp
            with open_store(url, calendar=w.calendar, migrate=False) as fresh:
                started = time.perf_counter()
                fresh.journal_mark()
                full = min(full, 1000 * (time.perf_counter() - started))
        s.journal_mark()
        warm = _ms(s.journal_mark, 100)
        print(f"floor mark: full query {full:.1f} ms, unchanged (data_version) {warm:.3f} ms")
        view = s.for_viewer("HQ-H", org)
        took = _ms(lambda: list(view.iter_cases()))
        print(f"floor replay of every case the viewer sees: {took:.0f} ms")
    app = create_app(
        lambda: open_store(url, calendar=w.calendar, migrate=False),
        org,
        campaign,
        load_viewers(folder / "viewers.toml"),
        timeout=3600,
    )
    headers = {"X-Official-Id": "HQ-H"}
    with TestClient(app) as tc:

        class Checked:
            """The test client, failing on any answer but 200 (a floor of an error is none)."""

            def get(self, path: str, headers: dict[str, str]) -> httpx.Response:
                r = tc.get(path, headers=headers)
                if r.status_code != 200:
                    raise SystemExit(f"{path}: {r.status_code} {r.text[:200]}")
                return r

        c = Checked()
        for name, path in (
            ("first bulletin (cold: replay, snapshot, trend, counts)", "/"),
            ("first list (the day's count index)", PAGES["list"]),
        ):
            took = _ms(lambda p=path: c.get(p, headers=headers))
            print(f"floor in-process {name}: {took:.1f} ms")
        for name, path in PAGES.items():
            took = _ms(lambda p=path: c.get(p, headers=headers), 50)
            print(f"floor in-process warm {name}: {took:.2f} ms (least of 50)")
        other = "/cases?count=overdue_cases&unit=all&sort=-received"
        took = _ms(lambda: c.get(other, headers=headers))
        print(f"floor in-process first other list ({other}): {took:.1f} ms")
        # One command recorded by another connection: the next answers rebuild from it.
        open_ids = [i["id"] for i in c.get("/api" + PAGES["list"], headers=headers).json()["items"]]
        with open_store(url, calendar=w.calendar, migrate=False) as s:
            for cid in open_ids:
                case = s.case(cid)
                try:
                    s.apply(cid, Settle(evidence="息诉罢访"), at=case.events[-1].at, by="D1-S")
                except XinfangError:
                    continue
                print(f"a command: {cid} settled by another connection")
                break
        for name, path in (("bulletin", "/"), ("list", PAGES["list"])):
            took = _ms(lambda p=path: c.get(p, headers=headers))
            print(f"floor in-process {name} after a command: {took:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--floors", action="store_true", help="then time each component in-process")
    ap.add_argument(
        "--store", metavar="DIR", help="keep the store and its files in DIR (reused when there)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="xinfang-load-") as tmp:
        folder = Path(args.store or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url, n = build(folder, args.copies)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cmd = [
            sys.executable, "-m", "xinfang.cli", "serve", "--db", url,
            "--org", str(folder / "org.toml"), "--campaign", str(folder / "campaign.toml"),
            "--viewers", str(folder / "viewers.toml"), "--port", str(port), "-q",
            "--timeout", "1800",
        ]  # fmt: skip
        server = subprocess.Popen(cmd, env=os.environ.copy())  # noqa: S603 - our own command
        base = f"http://127.0.0.1:{port}"
        headers = {"X-Official-Id": "HQ-H"}
        try:
            for _ in range(600):
                try:
                    httpx.get(base + "/favicon.ico", headers=headers, timeout=5)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            for name, path in PAGES.items():
                started = time.perf_counter()
                r = httpx.get(base + path, headers=headers, timeout=1800)
                print(f"warm {name}: {r.status_code} in {time.perf_counter() - started:.2f} s")
            times: dict[str, list[float]] = {k: [] for k in PAGES}
            errors: dict[str, int] = dict.fromkeys(PAGES, 0)
            lock = threading.Lock()
            stop = time.monotonic() + args.seconds

            def client(k: int) -> None:
                names = list(PAGES)
                with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
                    i = k
                    while time.monotonic() < stop:
                        name = names[i % len(names)]
                        i += 1
                        started = time.perf_counter()
                        try:
                            ok = c.get(PAGES[name]).status_code == 200
                        except httpx.HTTPError:
                            ok = False
                        took = time.perf_counter() - started
                        with lock:
                            times[name].append(took)
                            errors[name] += not ok

            threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            server.terminate()
            server.wait(30)
        print(f"{n} cases, {args.clients} clients, {args.seconds:g} s")
        for name, ts in times.items():
            ts.sort()
            p95 = ts[int(0.95 * (len(ts) - 1))] if ts else float("nan")
            print(
                f"  {name:9} {len(ts):6} requests, {errors[name]} errors, "
                f"p50 {1000 * statistics.median(ts):.0f} ms, p95 {1000 * p95:.0f} ms, "
                f"max {1000 * ts[-1]:.0f} ms"
            )
        if args.floors:
            floors(folder, url)


if __name__ == "__main__":
    main()
