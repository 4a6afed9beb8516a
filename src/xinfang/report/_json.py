"""The bulletin as JSON: the snapshot's stable codes and, beside them, one language's text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from xinfang.report._bulletin import agenda_provisional
from xinfang.report._text import placement_word, rate_name, status_word
from xinfang.serialization import to_dict

if TYPE_CHECKING:
    from xinfang.report._bulletin import Bulletin

__all__ = ["JSON_SCHEMA_VERSION", "jsonable"]

#: The version of the JSON bulletin (2: language texts beside the codes, reasons as codes;
#: 3: the reconciliation, and each unit's placed cases; 4: the agenda's last progress report,
#: ``last_report`` and ``last_report_text``).
JSON_SCHEMA_VERSION: Final = 4


def jsonable(b: Bulletin) -> dict[str, Any]:
    snap = b.snap
    data: dict[str, Any] = to_dict(snap)
    data["schema_version"] = JSON_SCHEMA_VERSION
    data["lang"] = b.lang
    data["burndown"] = [[d.isoformat(), n] for d, n in b.burndown]
    data["as_of_basis"] = {
        "code": b.as_of_basis,
        "today": b.today.isoformat() if b.today else None,
        "text": b.as_of_note,
    }
    data["as_of_provisional"] = snap.as_of in b.prov_dates
    cal = b.calendar
    data["calendar"] = (
        None
        if cal is None
        else {
            "name": cal.name,
            "first": cal.first.isoformat(),
            "last": cal.last.isoformat(),
            "provisional_years": sorted(cal.provisional_years),
            "sources": list(cal.sources),
        }
    )
    data["provisional_dates"] = [d.isoformat() for d in b.prov_dates]
    rec, r = data["reconciliation"], snap.reconciliation
    del rec["targets_found"]  # the ids behind unknown_targets; not the bulletin's business
    rec |= {
        "placed_earlier": r.placed_earlier,
        "outside": r.outside,
        "outside_by_reason": [
            {"code": code, "cases": n, "text": placement_word(code, b.lang)}
            for code, n in r.outside_by_reason
        ],
        "not_placed": r.not_placed,
        "not_placed_targets": r.not_placed_targets,
        "balanced": r.balanced,
        "complete": r.complete,
        "text": b.rec_lines(),
        "warning": b.warning(),
    }
    for item in rec["unplaced"]:
        item["reason_text"] = placement_word(item["code"], b.lang)
    data["text"] = {
        "title": b.title,
        "as_of": b.as_of_line(),
        "total": b.t["total"],
        "rates": {name: rate_name(name, b.lang) for name, _ in snap.overall.rates},
        "next_review": b.review_line(),
        "calendar_note": b.calendar_note,
    }
    for key, listings in (("commend", snap.commend), ("admonish", snap.admonish)):
        for item, listing in zip(data[key], listings, strict=True):
            item["unit_name"] = b.unit_name(listing.unit)
            item["reasons"] = b.reasons[id(listing)]
    for item, agenda in zip(data["agenda"], snap.agenda, strict=True):
        item["unit_name"] = b.unit_name(agenda.unit)
        item["clock_title"] = b.clock_titles[agenda.clock]
        item["status_text"] = status_word(agenda.status, b.lang)
        item["provisional"] = agenda_provisional(agenda, b.calendar)
        item["last_report_text"] = b.report_cell(agenda)
    return data
