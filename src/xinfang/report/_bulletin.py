"""Bulletins (通报): a campaign snapshot rendered as Markdown, HTML or JSON.

Rendering sits outside the core: it reads :class:`~xinfang.Snapshot` values
and writes text. Output is deterministic (units in campaign order, agenda
sorted). One language at a time: Chinese by default, English with
``lang="en"``; every label, status, clock title, reason and note is in the
chosen language, and only the names the host's data gives (units, the
campaign) are shown as written. The HTML page is self-contained: inline
CSS and SVG (a burndown chart with a scaled y-axis and per-unit progress
bars), no scripts, no network, readable printed. JSON carries the stable
codes of the snapshot and, beside them, the chosen language's text.

Every bulletin prints its reconciliation (事项核对): cases in = placed +
outside the campaign by reason + not placed (未归属), the not placed cases
grouped by the unknown id that stopped them (with the nearest known id),
the same for the targets, and the campaign units the organisation lacks;
when anything is not placed, a warning under the date says so.

Given the ``calendar`` the snapshot was counted on, a bulletin marks every
date that provisional calendar data decided (暂定 / provisional) and says
why under the agenda. Given ``as_of_basis``, it says how the snapshot date
was chosen when the caller did not give one.

A bulletin never shows a petitioner or a claim: only case ids, units,
clocks and counts, so circulating it cannot pass an accusation to anyone
(Art. 30 ¶3).
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any, Final

from xinfang.deadlines import clock_limit
from xinfang.report._chart import svg_burndown as _svg_burndown
from xinfang.report._text import (
    AS_OF_BASES,
    LANGS,
    REASON_CODES,
    as_of_note,
    calendar_note,
    labels,
    listing_reasons,
    placement_word,
    rate_name,
    status_word,
)
from xinfang.rulebook import bundled_rulebook
from xinfang.serialization import to_dict

if TYPE_CHECKING:
    import datetime as _dt
    from collections.abc import Callable, Mapping, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import AgendaItem, Progress, Snapshot
    from xinfang.rulebook import Rulebook

__all__ = [
    "AS_OF_BASES",
    "FONT_STACK",
    "FORMATS",
    "JSON_SCHEMA_VERSION",
    "LANGS",
    "REASON_CODES",
    "provisional_dates",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
]

#: The formats :func:`render` writes.
FORMATS: Final = ("md", "html", "json")
#: The version of the JSON bulletin (2: language texts beside the codes, reasons as codes;
#: 3: the reconciliation, and each unit's placed cases).
JSON_SCHEMA_VERSION: Final = 3
#: Rows of the agenda a bulletin prints (overdue plans and steps join the statutory clocks).
_AGENDA_LIMIT: Final = 150
#: Rows of not-placed cases and ids listed before "n more".
_UNPLACED_LIMIT: Final = 50


def _is_provisional(day: _dt.date, calendar: WorkCalendar | None) -> bool:
    return calendar is not None and day.year in calendar.provisional_years


def _agenda_provisional(item: AgendaItem, calendar: WorkCalendar | None) -> bool:
    # A due date is provisional when provisional data decided it; the snapshot's
    # agenda items will say so themselves once they carry the flag.
    return bool(getattr(item, "provisional", False)) or _is_provisional(item.due, calendar)


def provisional_dates(snap: Snapshot, calendar: WorkCalendar | None) -> tuple[_dt.date, ...]:
    """The dates a bulletin of ``snap`` marks provisional (sorted, each once).

    The snapshot date itself when it lies in a provisional year (its overdue
    counts then rest on provisional data), and every agenda due date that
    provisional data decided. Empty without a calendar.
    """
    found = {a.due for a in snap.agenda if _agenda_provisional(a, calendar)}
    if _is_provisional(snap.as_of, calendar):
        found.add(snap.as_of)
    return tuple(sorted(found))


class _Bulletin:
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
            _pct(p.progress if p.targets else None),
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
        return [first, *(_pct(v) for _, v in p.rates)]

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

    def agenda_rows(self) -> list[list[str]]:
        return [
            [
                a.case_id,
                self.unit_name(a.unit),
                self.clock_cell(a),
                self.mark(a.due, _agenda_provisional(a, self.calendar)),
                status_word(a.status, self.lang),
            ]
            for a in self.snap.agenda[:_AGENDA_LIMIT]
        ]

    def more(self) -> str:
        shown = min(len(self.snap.agenda), _AGENDA_LIMIT)
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
        shown = self.t["list_sep"].join(name(i) for i in ids[:_UNPLACED_LIMIT])
        more = len(ids) - _UNPLACED_LIMIT
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
            for g in self.snap.reconciliation.unplaced[:_UNPLACED_LIMIT]
        ]

    def unplaced_more(self) -> str:
        more = len(self.snap.reconciliation.unplaced) - _UNPLACED_LIMIT
        return self.t["more"].format(n=more) if more > 0 else ""

    def warning(self) -> str:
        """The line under the date when cases are not placed ("" when none are)."""
        n = self.snap.reconciliation.not_placed
        return self.t["unplaced_warning"].format(n=n) if n else ""


def _cut(text: str, limit: int = 60) -> str:
    """A bounded prefix of an id the data wrote (an unknown id can be any text)."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)})"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


_MD_SPECIAL: Final = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "*": "\\*",
        "_": "\\_",
        "`": "\\`",
        "[": "\\[",
        "]": "\\]",
        "<": "&lt;",
        ">": "&gt;",
        "\r": " ",
        "\n": " ",
    }
)


def _md(text: str) -> str:
    """Text made safe for a Markdown table cell or inline run (pipes, emphasis, newlines)."""
    return text.translate(_MD_SPECIAL)


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_md(c) for c in cells) + " |"


def render_markdown(
    snap: Snapshot,
    burndown: Sequence[tuple[_dt.date, int]] = (),
    *,
    lang: str = "zh",
    calendar: WorkCalendar | None = None,
    rulebook: Rulebook | None = None,
    as_of_basis: str = "given",
    today: _dt.date | None = None,
) -> str:
    """The bulletin as Markdown (every cell escaped)."""
    b = _Bulletin(
        snap,
        burndown,
        lang=lang,
        calendar=calendar,
        rulebook=rulebook,
        as_of_basis=as_of_basis,
        today=today,
    )
    t = b.t
    out = [f"# {b.title}", "", _md(b.as_of_line()), ""]
    if b.warning():
        out += [f"**{_md(b.warning())}**", ""]
    out += [f"## {t['overall']}", ""]
    head = b.progress_head()
    out.append(_md_row(head))
    out.append("|" + "---|" * len(head))
    out += [_md_row(b.progress_row(p)) for p in b.rows()]
    out += ["", f"## {t['follow_through']}", ""]
    plan_head = b.plan_head()
    out.append(_md_row(plan_head))
    out.append("|" + "---|" * len(plan_head))
    out += [_md_row(b.plan_row(p)) for p in b.rows()]
    out += ["", f"## {t['rates']}", ""]
    rate_head = b.rate_head()
    out.append(_md_row(rate_head))
    out.append("|" + "---|" * len(rate_head))
    out += [_md_row(b.rate_row(p)) for p in b.rows()]
    sep = t["reason_sep"]
    for key, items in (("commend", snap.commend), ("admonish", snap.admonish)):
        out += ["", f"## {t[key]}", ""]
        if not items:
            out.append(t["none"])
        out += [
            f"- **{_md(b.unit_name(i.unit))}**: {_md(sep.join(b.reason_texts(i)))}" for i in items
        ]
    if b.burndown:
        out += ["", f"## {t['burndown']}", ""]
        out += [f"- {d.isoformat()}: {n}" for d, n in b.burndown]
    out += ["", f"## {t['next_review']}: {_md(b.review_line())}", ""]
    if b.follow_up():
        out += [_md(b.follow_up()), ""]
    out += [f"### {t['agenda']}", ""]
    agenda_head = [t["case"], t["unit"], t["clock"], t["due"], t["status"]]
    out.append(_md_row(agenda_head))
    out.append("|---|---|---|---|---|")
    out += [_md_row(row) for row in b.agenda_rows()]
    if b.more():
        out += ["", b.more()]
    out += ["", f"## {t['reconciliation']}", ""]
    out += [f"- {_md(line)}" for line in b.rec_lines()]
    out += ["", f"### {t['unplaced']}", ""]
    if b.unplaced_rows():
        head = b.unplaced_head()
        out.append(_md_row(head))
        out.append("|" + "---|" * len(head))
        out += [_md_row(row) for row in b.unplaced_rows()]
        if b.unplaced_more():
            out += ["", b.unplaced_more()]
    else:
        out.append(_md(t["unplaced_none"]))
    if b.calendar_note:
        out += ["", _md(b.calendar_note)]
    return "\n".join(out) + "\n"


def _jsonable(b: _Bulletin) -> dict[str, Any]:
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
        item["provisional"] = _agenda_provisional(agenda, b.calendar)
    return data


def render_json(
    snap: Snapshot,
    burndown: Sequence[tuple[_dt.date, int]] = (),
    *,
    lang: str = "zh",
    calendar: WorkCalendar | None = None,
    rulebook: Rulebook | None = None,
    as_of_basis: str = "given",
    today: _dt.date | None = None,
) -> str:
    """The bulletin as JSON: the snapshot's codes and the chosen language's text (keys sorted)."""
    b = _Bulletin(
        snap,
        burndown,
        lang=lang,
        calendar=calendar,
        rulebook=rulebook,
        as_of_basis=as_of_basis,
        today=today,
    )
    return json.dumps(_jsonable(b), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _bar(p: Progress) -> str:
    share = p.progress if p.targets else 0.0
    width = 200
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="14" class="bar">'
        f'<rect width="{width}" height="14" class="track"/>'
        f'<rect width="{width * share:.1f}" height="14" class="fill"/></svg>'
    )


#: Fonts that carry Chinese on common systems, best first; a generic family last.
FONT_STACK: Final = (
    '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Hiragino Sans GB",'
    '"Microsoft YaHei","SimHei","WenQuanYi Micro Hei",sans-serif'
)

_CSS: Final = (
    f"body{{font-family:{FONT_STACK};margin:2em;color:#111}}"
    """
h1{font-size:1.5em;border-bottom:3px solid #b00;padding-bottom:.3em}
h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.9em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:right}
th:first-child,td:first-child{text-align:left}
td:first-child{white-space:nowrap}
tr.total td{font-weight:bold;background:#f3f3f3}
.chart{width:100%;max-width:640px}
.chart text{font-family:inherit;font-size:11px;fill:#333}
.chart .axis{stroke:#555}.chart .grid{stroke:#e3e3e3}
.chart .line{fill:none;stroke:#b00;stroke-width:2}
.chart circle{fill:#b00}.chart .tick,.chart .date{fill:#666}
.bar .track{fill:#eee}.bar .fill{fill:#2a7}
ul.commend li{color:#175}ul.admonish li{color:#a00}
.provisional{color:#a60}p.note{font-size:.9em;color:#555}
p.warning{font-weight:bold;color:#a00}
@media print{body{margin:0}a{color:inherit}}
"""
)


def render_html(
    snap: Snapshot,
    burndown: Sequence[tuple[_dt.date, int]] = (),
    *,
    lang: str = "zh",
    calendar: WorkCalendar | None = None,
    rulebook: Rulebook | None = None,
    as_of_basis: str = "given",
    today: _dt.date | None = None,
) -> str:
    """The bulletin as one self-contained HTML page (inline CSS and SVG, no scripts)."""
    b = _Bulletin(
        snap,
        burndown,
        lang=lang,
        calendar=calendar,
        rulebook=rulebook,
        as_of_basis=as_of_basis,
        today=today,
    )
    t = b.t
    e = html.escape

    def cells(tag: str, values: Sequence[str]) -> str:
        return "".join(f"<{tag}>{e(v)}</{tag}>" for v in values)

    total = ' class="total"'
    rows = "".join(
        f"<tr{total if p is snap.overall else ''}>"
        f"{cells('td', b.progress_row(p))}<td>{_bar(p)}</td></tr>"
        for p in b.rows()
    )
    rate_rows = "".join(f"<tr>{cells('td', b.rate_row(p))}</tr>" for p in b.rows())
    plan_rows = "".join(f"<tr>{cells('td', b.plan_row(p))}</tr>" for p in b.rows())
    sep = t["reason_sep"]

    def listing(key: str, items: Sequence[Any]) -> str:
        if not items:
            return f"<h2>{e(t[key])}</h2><p>{e(t['none'])}</p>"
        lis = "".join(
            f"<li><b>{e(b.unit_name(i.unit))}</b>: {e(sep.join(b.reason_texts(i)))}</li>"
            for i in items
        )
        return f'<h2>{e(t[key])}</h2><ul class="{key}">{lis}</ul>'

    agenda_rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="provisional">{e(v)}</td>'
            if i == 3 and _agenda_provisional(item, calendar)
            else f"<td>{e(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for item, row in zip(snap.agenda, b.agenda_rows(), strict=False)
    )
    more = f"<p>{e(b.more())}</p>" if b.more() else ""
    warning = f'<p class="warning">{e(b.warning())}</p>' if b.warning() else ""
    rec_items = "".join(f"<li>{e(line)}</li>" for line in b.rec_lines())
    if b.unplaced_rows():
        unplaced_rows = "".join(f"<tr>{cells('td', row)}</tr>" for row in b.unplaced_rows())
        unplaced = (
            f'<table class="unplaced"><tr>{cells("th", b.unplaced_head())}</tr>'
            f"{unplaced_rows}</table>"
            + (f"<p>{e(b.unplaced_more())}</p>" if b.unplaced_more() else "")
        )
    else:
        unplaced = f"<p>{e(t['unplaced_none'])}</p>"
    reconciliation = (
        f'<h2>{e(t["reconciliation"])}</h2><ul class="reconciliation">{rec_items}</ul>'
        f"<h3>{e(t['unplaced'])}</h3>{unplaced}"
    )
    follow = f"<p>{e(b.follow_up())}</p>" if b.follow_up() else ""
    note = f'<p class="note">{e(b.calendar_note)}</p>' if b.calendar_note else ""
    chart = (
        f"<h2>{e(t['burndown'])}</h2>{_svg_burndown(b.burndown, t['burndown'], t['chart_axis'])}"
        if b.burndown
        else ""
    )
    agenda_head = cells("th", [t["case"], t["unit"], t["clock"], t["due"], t["status"]])
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><title>{e(b.title)} {snap.as_of.isoformat()}</title>'
        f"<style>{_CSS}</style></head><body><h1>{e(b.title)}</h1>"
        f"<p>{e(b.as_of_line())}</p>{warning}"
        f"<h2>{e(t['overall'])}</h2><table><tr>{cells('th', [*b.progress_head(), ''])}</tr>"
        f"{rows}</table>{chart}"
        f"<h2>{e(t['follow_through'])}</h2><table><tr>{cells('th', b.plan_head())}</tr>"
        f"{plan_rows}</table>"
        f"<h2>{e(t['rates'])}</h2><table><tr>{cells('th', b.rate_head())}</tr>{rate_rows}</table>"
        + listing("commend", snap.commend)
        + listing("admonish", snap.admonish)
        + f"<h2>{e(t['next_review'])}: {e(b.review_line())}</h2>{follow}"
        + f"<h3>{e(t['agenda'])}</h3><table><tr>{agenda_head}</tr>{agenda_rows}</table>"
        + f"{more}{reconciliation}{note}</body></html>\n"
    )


def render(
    snap: Snapshot,
    burndown: Sequence[tuple[_dt.date, int]] = (),
    *,
    format: str = "md",
    lang: str = "zh",
    calendar: WorkCalendar | None = None,
    rulebook: Rulebook | None = None,
    as_of_basis: str = "given",
    today: _dt.date | None = None,
) -> str:
    """The bulletin in ``format`` ``md``, ``html`` or ``json``, in ``lang`` ``zh`` or ``en``.

    Args:
        snap: the snapshot.
        burndown: its trend (:func:`~xinfang.trend`), drawn as the burndown.
        format: ``md``, ``html`` or ``json``.
        lang: ``zh`` or ``en``; the whole bulletin is in that language.
        calendar: the calendar the snapshot was counted on; dates that its
            provisional years decided are marked, with a note.
        rulebook: for the agenda's clock titles (default: the bundled 2022 one).
        as_of_basis: how the snapshot date was chosen (``given``, ``today``,
            ``campaign_start``, ``campaign_end``).
        today: the day the bulletin was made, shown when the date was clamped.

    Raises:
        ValueError: an unknown format, language or as-of basis.
    """
    renderers: Mapping[str, Callable[..., str]] = {
        "md": render_markdown,
        "html": render_html,
        "json": render_json,
    }
    if format not in renderers:
        raise ValueError(f"unknown format {format!r}; use md, html or json")
    return renderers[format](
        snap,
        burndown,
        lang=lang,
        calendar=calendar,
        rulebook=rulebook,
        as_of_basis=as_of_basis,
        today=today,
    )
