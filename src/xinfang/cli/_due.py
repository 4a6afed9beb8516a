"""The list of clocks due soon, overdue or paused: what ``due`` and ``db due`` print, alike.

One line per clock (date, status, case, kind, limit, article, the provisional
mark; a plan clock's last progress report) or one JSON document, in the
language of ``--lang``; then the summary line and the provisional note.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from xinfang.cli._output import EXIT_OK, pad, say
from xinfang.deadlines import ClockStatus, kind_label, status_label
from xinfang.periods import cite
from xinfang.rulebook import LimitKind
from xinfang.serialization import to_dict

if TYPE_CHECKING:  # pragma: no cover
    import argparse
    import datetime as _dt
    from collections.abc import Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.deadlines import Clock

__all__ = ["KINDS", "KIND_HELP", "LISTED", "due_summary", "due_text"]

#: The statuses ``due`` lists.
LISTED: Final = (ClockStatus.DUE_SOON, ClockStatus.OVERDUE, ClockStatus.PAUSED)


def due_summary(args: argparse.Namespace, rows: Sequence[Clock], as_of: _dt.date) -> int:
    """The summary line and the provisional note of ``due`` and ``db due``."""
    if not args.quiet:
        say(
            f"截至 {as_of}, {len(rows)} 个时限在 {args.within} 个工作日内到期、已超期或暂停"
            if args.lang == "zh"
            else f"{len(rows)} clock(s) due within {args.within} working days or overdue, "
            f"as of {as_of}"
        )
    args.notes.provisional([c.due for c in rows if c.provisional])
    return EXIT_OK


#: ``--kind`` of due and db due: which clocks to list (statutory limits, plan clocks, or all).
KINDS: Final[dict[str, frozenset[LimitKind] | None]] = {
    "all": None,
    "statutory": frozenset({LimitKind.DUTY, LimitKind.WINDOW}),
    "plan": frozenset({LimitKind.PLAN}),
}
KIND_HELP: Final = (
    "which clocks: all (default), statutory (the rulebook's limits) or plan "
    "(settlement plans' deadlines and steps, campaign clocks)"
)


#: The provisional mark of a due date, by language (as the bulletin marks it).
_PROVISIONAL_MARK: Final = {"zh": "(暂定)", "en": " (provisional)"}


def _due_line(c: Clock, lang: str = "zh") -> str:
    """One line of ``due``: date, status, case, limit, article, provisional mark; in ``lang``."""
    status = status_label(c.status, lang)
    title = c.title if lang == "zh" else (c.title_en or c.key.replace("_", " "))
    mark = _PROVISIONAL_MARK[lang] if c.provisional else ""
    kind = kind_label(c.kind, lang)
    return (
        f"{c.due}  {pad(status, 16 if lang == 'en' else 10)}  {pad(c.case_id, 16)} "
        f"{pad(kind, 10)} {pad(title, 28)} {cite(c.citation, lang)}{mark}"
        f"{_last_report_text(c, lang)}\n"
    )


def _last_report_text(c: Clock, lang: str) -> str:
    """A plan clock's last progress report (进展情况) as ``due`` shows it; empty for others."""
    if c.kind is not LimitKind.PLAN:
        return ""
    if c.last_report is None:
        return "  尚无进展报告" if lang == "zh" else "  no progress report yet"
    return f"  最近进展 {c.last_report}" if lang == "zh" else f"  last report {c.last_report}"


def _due_json(c: Clock, lang: str) -> dict[str, Any]:
    """A clock as ``due --format json`` writes it: its codes, and their text in ``lang``."""
    doc: dict[str, Any] = to_dict(c)
    doc["status_text"] = status_label(c.status, lang)
    doc["title_text"] = c.title if lang == "zh" else (c.title_en or c.key.replace("_", " "))
    doc["citation_text"] = cite(c.citation, lang)
    doc["kind_text"] = kind_label(c.kind, lang)
    doc["last_report_text"] = _last_report_text(c, lang).strip()
    return doc


def due_text(
    args: argparse.Namespace, rows: Sequence[Clock], as_of: _dt.date, calendar: WorkCalendar
) -> str:
    """What ``due`` and ``db due`` print (``--format`` text or json), alike."""
    if args.format == "json":
        doc = {
            "schema_version": 1,
            "as_of": as_of.isoformat(),
            "within": args.within,
            "calendar": {
                "name": calendar.name,
                "provisional_years": sorted(calendar.provisional_years),
            },
            "lang": args.lang,
            "clocks": [_due_json(c, args.lang) for c in rows],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return "".join(_due_line(c, args.lang) for c in rows)
