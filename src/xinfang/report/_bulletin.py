"""The bulletin resolved into one language: every figure, label and line it shows.

:class:`Bulletin` is built once per render from a :class:`~xinfang.Snapshot`;
the document layout (:mod:`._document`) and the JSON writer read it, so a
figure is worded in one place whatever the format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from xinfang.deadlines import clock_limit
from xinfang.report._text import (
    as_of_note,
    calendar_note,
    labels,
    listing_reasons,
    placement_word,
    rate_name,
    status_word,
)
from xinfang.rulebook import bundled_rulebook

if TYPE_CHECKING:
    import datetime as _dt
    from collections.abc import Callable, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import AgendaItem, Progress, Snapshot
    from xinfang.rulebook import Rulebook

__all__ = [
    "AGENDA_LIMIT",
    "UNPLACED_LIMIT",
    "Bulletin",
    "agenda_provisional",
    "pct",
    "provisional_dates",
]

#: Rows of the agenda a bulletin prints (overdue plans and steps join the statutory clocks).
AGENDA_LIMIT: Final = 150
#: Rows of not-placed cases and ids listed before "n more".
UNPLACED_LIMIT: Final = 50


def _is_provisional(day: _dt.date, calendar: WorkCalendar | None) -> bool:
    return calendar is not None and day.year in calendar.provisional_years


def agenda_provisional(item: AgendaItem, calendar: WorkCalendar | None) -> bool:
    # A due date is provisional when provisional data decided it; the snapshot's
    # agenda items will say so themselves once they carry the flag.
    return bool(getattr(item, "provisional", False)) or _is_provisional(item.due, calendar)


def provisional_dates(snap: Snapshot, calendar: WorkCalendar | None) -> tuple[_dt.date, ...]:
    """The dates a bulletin of ``snap`` marks provisional (sorted, each once).

    The snapshot date itself when it lies in a provisional year (its overdue
    counts then rest on provisional data), and every agenda due date that
    provisional data decided. Empty without a calendar.
    """
    found = {a.due for a in snap.agenda if agenda_provisional(a, calendar)}
    if _is_provisional(snap.as_of, calendar):
        found.add(snap.as_of)
    return tuple(sorted(found))


class Bulletin:
    """Everything one bulletin shows, resolved into one language (built once per render)."""

    def __init__(
        self,
        snap: Snapshot,
        burndown: Sequence[tuple[_dt.date, int]],
        *,
        lang: str,
        calendar: WorkCalendar | None,
        rulebook: Rulebook | None,
        as_of_basis: str,
        today: _dt.date | None,
    ) -> None:
        self.t = labels(lang)
        self.lang = lang
        self.snap = snap
        self.burndown = tuple(burndown)
        self.calendar = calendar
        self.names = {p.unit: p.name for p in snap.units}
        self.as_of_note = as_of_note(as_of_basis, lang, today)
        self.as_of_basis = as_of_basis
        self.today = today
        rb = rulebook if rulebook is not None else bundled_rulebook()
        self.clock_titles: dict[str, str] = {}
        for item in snap.agenda:
            limit = clock_limit(rb, item.clock)
            if limit is None:
                title = item.clock.replace("_", " ")
            else:
                title = limit.title if lang == "zh" else limit.title_en
            self.clock_titles[item.clock] = title
        self.prov_dates = provisional_dates(snap, calendar)
        years = sorted({d.year for d in self.prov_dates})
        self.calendar_note = calendar_note(years, lang) if years else ""
        self.reasons = {
            id(item): listing_reasons(item, lang) for item in (*snap.commend, *snap.admonish)
        }

    def unit_name(self, unit: str) -> str:
        return self.names.get(unit, unit)

    def mark(self, day: _dt.date, provisional: bool) -> str:
        """A date, with its provisional mark where provisional data decided it."""
        if not provisional:
            return day.isoformat()
        if self.lang == "zh":
            return f"{day.isoformat()}({self.t['provisional']})"
        return f"{day.isoformat()} ({self.t['provisional']})"

    def as_of_line(self) -> str:
        as_of = self.mark(self.snap.as_of, self.snap.as_of in self.prov_dates)
        if self.as_of_note:
            as_of += f"({self.as_of_note})" if self.lang == "zh" else f" ({self.as_of_note})"
        return f"{self.t['as_of']} {as_of} · {self.snap.overall.name}"

    def review_line(self) -> str:
        review = self.snap.next_review
        return review.isoformat() if review else self.t["no_next_review"]

    def progress_row(self, p: Progress) -> list[str]:
        return [
            self.label(p),
            str(p.targets),
            str(p.settled),
            str(p.open),
            str(p.in_handling),
            str(p.overdue),
            str(p.plans_incomplete),
            f"{p.new_intake} ({p.intake_expected:.0f})",
            f"{p.beijing_visits} / {p.skip_level_visits}",
            f"{p.deductions:g}",
            pct(p.progress if p.targets else None),
        ]

    def progress_head(self) -> list[str]:
        keys = (
            "unit",
            "targets",
            "settled",
            "open",
            "in_handling",
            "overdue",
            "plans_incomplete",
            "new_intake",
            "visits",
            "deductions",
            "progress",
        )
        return [self.t[k] for k in keys]

    def rate_head(self) -> list[str]:
        return [self.t["unit"], *(rate_name(n, self.lang) for n, _ in self.snap.overall.rates)]

    def rate_row(self, p: Progress) -> list[str]:
        first = self.label(p)
        return [first, *(pct(v) for _, v in p.rates)]

    def label(self, p: Progress) -> str:
        """A row's first cell: the unit's name, the total, or the not-placed row."""
        if p is self.snap.overall:
            return self.t["total"]
        if p is self.snap.unplaced:
            return self.t["unplaced_row"]
        return p.name or p.unit

    def rows(self) -> tuple[Progress, ...]:
        """The units, the total, and the not placed cases' row (outside the total) if any."""
        extra = (self.snap.unplaced,) if self.snap.unplaced is not None else ()
        return (*self.snap.units, self.snap.overall, *extra)

    @property
    def title(self) -> str:
        """The bulletin's title: the closing tally (总结通报) on and after the campaign's end."""
        return self.t["title_closing" if self.snap.closing else "title"]

    def plan_head(self) -> list[str]:
        keys = (
            "unit",
            "plans_overdue",
            "steps_overdue",
            "plans_stalled",
            "deadline_moves",
            "unfinished",
        )
        return [self.t[k] for k in keys]

    def plan_row(self, p: Progress) -> list[str]:
        return [
            self.label(p),
            str(p.plans_overdue),
            str(p.steps_overdue),
            str(p.plans_stalled),
            f"{p.cases_moved} / {p.deadline_moves}",
            str(p.unfinished),
        ]

    def clock_cell(self, a: AgendaItem) -> str:
        """An agenda row's clock: its title, and a plan clock's owner (包案领导) by name."""
        title = self.clock_titles[a.clock]
        if not a.owner:
            return title
        who = a.owner_name or a.owner
        return (
            f"{title}({self.t['owner']}: {who})"
            if self.lang == "zh"
            else (f"{title} ({self.t['owner']}: {who})")
        )

    def agenda_head(self) -> list[str]:
        return [self.t[k] for k in ("case", "unit", "clock", "due", "status", "last_report")]

    def report_cell(self, a: AgendaItem) -> str:
        """A plan clock's last progress report (进展情况): its date, or "none yet"; "—" else."""
        if not a.owner:
            return "—"
        return a.last_report.isoformat() if a.last_report else self.t["none_yet"]

    def agenda_rows(self) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[int, ...], ...]]:
        """The agenda's rows, and per row the indices of its cells provisional data decided."""
        rows: list[tuple[str, ...]] = []
        marked: list[tuple[int, ...]] = []
        for a in self.snap.agenda[:AGENDA_LIMIT]:
            provisional = agenda_provisional(a, self.calendar)
            cells = (
                a.case_id,
                self.unit_name(a.unit),
                self.clock_cell(a),
                self.mark(a.due, provisional),
                status_word(a.status, self.lang),
                self.report_cell(a),
            )
            rows.append(cells)
            marked.append((3,) if provisional else ())
        return tuple(rows), tuple(marked)

    def more(self) -> str:
        shown = min(len(self.snap.agenda), AGENDA_LIMIT)
        if self.snap.agenda_total > shown:
            return self.t["more"].format(n=self.snap.agenda_total - shown)
        return ""

    def follow_up(self) -> str:
        if not self.snap.follow_up:
            return ""
        sep = "、" if self.lang == "zh" else ", "
        colon = ": "
        return self.t["follow_up"] + colon + sep.join(map(self.unit_name, self.snap.follow_up))

    def reason_texts(self, listing: Any) -> list[str]:
        return [r["text"] for r in self.reasons[id(listing)]]

    # ------------------------------------------------------ reconciliation
    def _ids(self, ids: Sequence[str], name: Callable[[str], str] = str) -> str:
        shown = self.t["list_sep"].join(name(i) for i in ids[:UNPLACED_LIMIT])
        more = len(ids) - UNPLACED_LIMIT
        return shown + (f" ({self.t['more'].format(n=more)})" if more > 0 else "")

    def rec_lines(self) -> list[str]:
        """The reconciliation in sentences: cases, placed, per unit, outside, targets, ids."""
        r, t = self.snap.reconciliation, self.t
        out = [
            t["rec_cases"].format(
                cases=r.cases, placed=r.placed, outside=r.outside, unplaced=r.not_placed
            ),
            t["rec_placed"].format(
                placed=r.placed,
                targets=r.placed_targets,
                new=r.placed_new,
                earlier=r.placed_earlier,
            ),
        ]
        if self.snap.units:
            units = t["list_sep"].join(f"{p.name or p.unit} {p.cases}" for p in self.snap.units)
            out.append(f"{t['rec_units']}: {units}")
        reasons = t["list_sep"].join(
            f"{placement_word(code, self.lang)} {n}" for code, n in r.outside_by_reason
        )
        out.append(f"{t['rec_outside'].format(outside=r.outside)}: {reasons}")
        out.append(
            t["rec_targets"].format(
                targets=r.targets,
                placed=r.placed_targets,
                outside=r.not_yet_registered_targets + r.unit_not_covered_targets,
                unplaced=r.not_placed_targets,
                unknown=len(r.unknown_targets),
            )
        )
        if r.unknown_targets:
            out.append(f"{t['unknown_targets']}: {self._ids(r.unknown_targets)}")
        if r.missing_units:
            out.append(f"{t['missing_units']}: {self._ids(r.missing_units)}")
        if not r.balanced:  # pragma: no cover - the counts are built to balance
            out.append(t["rec_unbalanced"])
        return out

    def unplaced_head(self) -> list[str]:
        keys = ("reason", "field", "unknown_id", "nearest", "cases", "of_targets", "first_case")
        return [self.t[k] for k in keys]

    def unplaced_rows(self) -> list[list[str]]:
        return [
            [
                placement_word(g.code, self.lang),
                g.field,
                _cut(g.unknown),
                g.nearest or "—",
                str(g.cases),
                str(g.targets),
                g.first_case,
            ]
            for g in self.snap.reconciliation.unplaced[:UNPLACED_LIMIT]
        ]

    def unplaced_more(self) -> str:
        more = len(self.snap.reconciliation.unplaced) - UNPLACED_LIMIT
        return self.t["more"].format(n=more) if more > 0 else ""

    def warning(self) -> str:
        """The line under the date when cases are not placed ("" when none are)."""
        n = self.snap.reconciliation.not_placed
        return self.t["unplaced_warning"].format(n=n) if n else ""


def _cut(text: str, limit: int = 60) -> str:
    """A bounded prefix of an id the data wrote (an unknown id can be any text)."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)})"


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal ("—" when there is none)."""
    return "—" if value is None else f"{value:.1%}"
