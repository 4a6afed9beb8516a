"""The nightly sweep: load a ledger, compute every clock and escalation, print who must be told.

Run it with ``python examples/nightly_sweep.py [LEDGER.jsonl]``; without a
ledger it sweeps the demo corps' cases (written to a temporary ledger first).
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import xinfang as x
from xinfang import serialization
from xinfang.demo import demo_world

if TYPE_CHECKING:
    import datetime as dt


def sweep(ledger: Path, org: x.Organization, as_of: dt.date, calendar: x.WorkCalendar) -> None:
    """Print each escalation and a summary, from a JSON Lines ledger."""
    cases = serialization.load_ledger(ledger.read_text(encoding="utf-8"), source=str(ledger))
    table = x.clock_table(cases, as_of=as_of, calendar=calendar)
    by_case: dict[int, list[x.Clock]] = {}
    for clock, row in zip(table.to_clocks(by_case=False), table.case.tolist(), strict=True):
        by_case.setdefault(row, []).append(clock)
    told: Counter[str] = Counter()
    for index, clocks in sorted(by_case.items()):
        escalations, skipped = x.responsibility.escalations(cases[index], clocks, org, as_of=as_of)
        for e in escalations:
            told[e.official] += 1
            print(f"{e.case_id}  tell {e.official:<6} ({e.target}): {e.reason.split(';')[0]}")
        for s in skipped:
            print(f"{s.case_id}  skipped {s.official or '-'} ({s.target}): {s.reason}")
    print()
    print(
        f"{len(cases)} cases, {len(table)} clocks, statuses: "
        + ", ".join(f"{k.value} {v}" for k, v in table.counts().items() if v)
    )
    print("notifications per official: " + ", ".join(f"{k} {v}" for k, v in sorted(told.items())))


def main() -> None:
    """Sweep the ledger given, or the demo's."""
    world = demo_world()
    if len(sys.argv) > 1:
        sweep(Path(sys.argv[1]), world.org, world.as_of, world.calendar)
        return
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Path(tmp) / "ledger.jsonl"
        ledger.write_text(serialization.dump_ledger(world.cases), encoding="utf-8")
        sweep(ledger, world.org, world.as_of, world.calendar)


if __name__ == "__main__":
    main()
