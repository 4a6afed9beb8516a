"""What a host calls on a new petition: register, classify, assign, compute clocks, return JSON.

Run it with ``python examples/intake_service.py``; it prints the JSON a web
service would return for one incoming letter.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

import xinfang as x
from xinfang import serialization
from xinfang.demo import demo_world

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
WORLD = demo_world()


def intake(
    payload: dict[str, Any], assessments: dict[str, Any], now: dt.datetime
) -> dict[str, Any]:
    """Register the petition, classify it, give it owners by policy, and report its clocks."""
    register = serialization.from_dict(payload, x.changes.Register)
    case, _ = x.open_case(register, now, by="intake-service")
    result = x.classify(x.CaseFacts.from_case(case, **assessments))
    if result.route is x.vocabulary.Route.ORDINARY:
        case, _ = x.apply(case, x.changes.Forward(to_unit="D3"), now, by="intake-service")
        case, _ = x.apply(case, x.changes.Accept(), now, by="intake-service")
        for proposal in x.responsibility.proposed_assignments(
            case, WORLD.org, x.responsibility.load_assignment_policy()
        ):
            case, _ = x.apply(case, proposal, now, by="intake-service", org=WORLD.org)
    clocks = x.clocks(case, as_of=now.date(), calendar=WORLD.calendar)
    return {
        "case": serialization.to_dict(case),
        "classification": serialization.to_dict(result),
        "chain": [[h.role.value, h.holder] for h in case.roles],
        "clocks": [
            {
                "limit": c.key,
                "due": c.due.isoformat(),
                "status": c.status.value,
                "why": c.explain("en"),
            }
            for c in clocks
        ],
    }


def main() -> None:
    """One letter from a veteran's family in hardship, handled several times before."""
    now = dt.datetime(2026, 11, 27, 10, tzinfo=SH)
    payload = {
        "case_id": "XF-2026-1127-001",
        "received_at": "2026-11-27T09:30:00+08:00",
        "channel": "letter",
        "receiving_unit": "HQ",
        "petitioners": [{"name": "刘芳", "id_number": "11010519491231002X"}],
        "claims": [
            {"request": "落实伤残抚恤待遇", "facts": "2015年因公负伤", "reasons": "政策规定"}
        ],
        "category": "appeal",
        "backlog_since": "2019-05-01",
        "repeat_of": ["XF-B0007"],
    }
    answer = intake(
        payload, {"hardship": True, "claim_reasonable": True, "earlier_handlings": 4}, now
    )
    print(json.dumps(answer, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
