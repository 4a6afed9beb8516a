"""A host that keeps its cases in the journal store: register, apply, query.

Run it with ``python examples/store_host.py`` (a temporary SQLite file) or
``python examples/store_host.py postgresql://user@host/db``. It registers
two petitions, applies commands through the store (one with a stale version,
retried; one repeated with the same idempotency key), asks which clocks are
due, reads a case as an accused unit's official would, and exports the
ledger with personal data masked.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import zoneinfo
from pathlib import Path

import xinfang as x
from xinfang.demo import demo_world
from xinfang.store import ConcurrencyError, UnknownCaseError, open_store, retry

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
WORLD = demo_world()


def at(day: int, hour: int = 10) -> dt.datetime:
    """An instant in November 2026, Beijing time."""
    return dt.datetime(2026, 11, day, hour, tzinfo=SH)


def petition(case_id: str, **kw: object) -> x.changes.Register:
    """A letter received by the corps' petition office."""
    fields: dict[str, object] = {
        "case_id": case_id,
        "received_at": at(2, 9),
        "channel": x.vocabulary.Channel.LETTER,
        "receiving_unit": "HQ",
        "petitioners": [
            x.personal.Petitioner(name="李四", id_number="11010519491231002X", phone="13812345678")
        ],
        "claims": [x.changes.Claim(request="退还押金", facts="2019年起拖欠")],
    }
    fields.update(kw)
    return x.changes.Register(**fields)  # type: ignore[arg-type]


def main(url: str) -> None:
    """Register, apply and query through the store at ``url``."""
    with open_store(url, calendar=WORLD.calendar) as store:
        print(f"store: {store.dialect}, schema version {store.schema_version()}")
        store.register(petition("HOST-1"), at(2), by="clerk", idempotency_key="letter-1")
        store.register(
            petition("HOST-2", category=x.vocabulary.Category.ACCUSATION, accused_units=("D2",)),
            at(2, 11),
            by="clerk",
        )
        store.apply(
            "HOST-1", x.changes.Forward(to_unit="D3"), at=at(3), by="clerk", expected_version=1
        )
        try:  # a host that read version 1 before the forwarding
            store.apply("HOST-1", x.changes.Accept(), at=at(4), by="D3-S", expected_version=1)
        except ConcurrencyError as exc:
            print(f"conflict: {exc}")

        def accept() -> tuple[x.Case, x.Event]:
            version = store.version("HOST-1")  # re-read on every attempt
            return store.apply(
                "HOST-1", x.changes.Accept(), at=at(4), by="D3-S", expected_version=version
            )

        case, event = retry(accept)
        print(f"HOST-1 is {case.stage.value} at version {event.seq}")
        again, _ = store.register(petition("HOST-1"), at(2), by="clerk", idempotency_key="letter-1")
        print(f"repeated registration key: case {again.id}, nothing written")

        for clock in store.due(dt.date(2026, 11, 20), within=30):
            print(f"due: {clock.case_id} {clock.key} on {clock.due} ({clock.status.value})")
        try:
            store.case("HOST-2", viewer="D2-S", org=WORLD.org)
        except UnknownCaseError:
            print("D2-S (accused unit) sees: no such case")
        seen = store.case("HOST-2", viewer="D3-S", org=WORLD.org)
        print(f"D3-S sees: {type(seen).__name__}")
        print(f"open cases per unit: {store.open_cases_by_unit()}")
        ledger = store.export_ledger()
        print(
            f"exported {len(ledger.splitlines())} cases; ID numbers masked: "
            f"{'11010519491231002X' not in ledger}"
        )
        print(f"check: {'ok' if store.check().ok else 'problems'}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(f"sqlite:///{Path(folder) / 'host.db'}")
